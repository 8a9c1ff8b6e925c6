/** Small HTML builders for the report: everything that reaches the page goes through `esc`. */

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text → HTML text or attribute value. */
export const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => ENTITIES[c]);

/** A value for a table cell: integers as they are, other numbers to 4 significant digits, null as n/a, objects as compact JSON. */
export function fmt(v: unknown): string {
  if (v === null || v === undefined) return 'n/a';
  if (typeof v === 'number') return Number.isInteger(v) ? (Math.abs(v) >= 10000 ? v.toLocaleString('en-US') : String(v)) : Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v);
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  const json = JSON.stringify(v);
  return json.length > 160 ? `${json.slice(0, 157)}…` : json;
}

/** A table with a header row; cells are escaped (pass `raw` to keep cells of a column as HTML). */
export function table(header: readonly string[], rows: readonly (readonly unknown[])[], cls = ''): string {
  const head = `<tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(fmt(c))}</td>`).join('')}</tr>`).join('\n');
  // wide tables (leaderboards) scroll inside their section instead of widening the page
  return `<div class="scroll"><table${cls ? ` class="${cls}"` : ''}><thead>${head}</thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** A two-column key/value table of an object's entries. */
export function kvTable(o: Readonly<Record<string, unknown>>, keys: readonly string[] = Object.keys(o)): string {
  const rows = keys.filter((k) => k in o).map((k) => `<tr><th>${esc(k)}</th><td>${esc(fmt(o[k]))}</td></tr>`);
  return `<table class="kv"><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

/** Any parsed JSON as a table: an array of objects by the union of their keys, an object as key/value rows, else the value. */
export function jsonView(v: unknown, maxRows = 50): string {
  if (Array.isArray(v) && v.length > 0 && v.every((r) => typeof r === 'object' && r !== null && !Array.isArray(r))) {
    const keys = [...new Set(v.flatMap((r) => Object.keys(r as object)))];
    const rows = v.slice(0, maxRows).map((r) => keys.map((k) => (r as Record<string, unknown>)[k]));
    return table(keys, rows) + (v.length > maxRows ? `<p class="note">first ${maxRows} of ${v.length} rows</p>` : '');
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return kvTable(v as Record<string, unknown>);
  return `<pre>${esc(JSON.stringify(v, null, 2))}</pre>`;
}

/** Headline figures as cards (label above value), as the run header shows them; undefined values are left out. */
export function cards(items: readonly (readonly [string, unknown])[]): string {
  const cells = items.filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => `<div><b>${esc(k)}</b><span>${esc(fmt(v))}</span></div>`);
  return cells.length ? `<div class="summary">${cells.join('')}</div>` : '';
}

/** A section with a heading; empty content → nothing at all (a missing file leaves no empty section). */
export function section(id: string, title: string, ...parts: readonly string[]): string {
  const body = parts.filter((p) => p.trim() !== '');
  return body.length === 0 ? '' : `<section id="${esc(id)}">\n<h2>${esc(title)}</h2>\n${body.join('\n')}\n</section>`;
}

/** Where a section's numbers came from. */
export const source = (...files: readonly (string | undefined)[]): string => {
  const names = files.filter((f): f is string => !!f);
  return names.length ? `<p class="source">from ${names.map((f) => `<code>${esc(f)}</code>`).join(', ')}</p>` : '';
};
