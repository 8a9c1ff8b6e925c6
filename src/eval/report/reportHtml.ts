import { cards, esc, fmt, jsonView, kvTable, section, source, table } from './htmlParts.ts';
import type { ReportInput } from './reportInput.ts';
import type { ReportPlot } from './reportPlots.ts';
import { REPORT_CSS } from './reportStyle.ts';

/** A plot drawn to SVG (ids already prefixed, so several can share the page). */
export type RenderedReportPlot = Pick<ReportPlot, 'id' | 'section'> & { readonly svg: string };

export interface ReportHtmlOptions {
  /** When the report was made (shown in the footer). */
  readonly generatedAt: Date;
  /** How many of the run's last samples to show. @default 5 */
  readonly samples?: number;
}

/** Content-Security-Policy of the page: nothing may load from anywhere (inline styles and data: images only), so the file is provably self-contained. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const WATERMARK_HEADLINE: readonly (readonly [string, string])[] = [
  ['ROC AUC', 'roc_auc'], ['F1', 'f1'], ['accuracy', 'accuracy'], ['precision', 'precision'], ['recall', 'recall'],
  ['threshold (z ≥)', 'threshold'], ['mean z generated', 'mean_z_generated'], ['mean z real', 'mean_z_real'],
];
const LENGTH_KEYS = ['count', 'mean', 'std', 'min', 'p25', 'p50', 'p75', 'p95', 'max', 'tokens', 'chars_per_token', 'tokenizer', 'data'];

/**
 * The report page, self-contained: inline CSS and inline SVG plots, no script, a CSP that forbids any
 * load. Sections whose files are absent are left out.
 */
export function reportHtml(input: ReportInput, plots: readonly RenderedReportPlot[], opts: ReportHtmlOptions): string {
  const figs = (s: ReportPlot['section']) => {
    const f = plots.filter((p) => p.section === s);
    return f.length ? `<div class="plots">\n${f.map((p) => `<figure class="plot" id="plot-${esc(p.id)}" data-plot="${esc(p.id)}">${p.svg}</figure>`).join('\n')}\n</div>` : '';
  };
  const body = [
    header(input),
    section('config', 'Config', configBlock(input)),
    section('curves', 'Training curves', figs('curves'), input.history.length ? source('history.csv') : ''),
    watermark(input, figs('watermark')),
    section('authors', 'Author space', row(input.authorStats ? kvTable(input.authorStats.value) : '', figs('authors')), source(input.authorStats?.file, input.authorPoints?.file)),
    behaviour(input, figs('behaviour')),
    poetry(input, figs('poetry')),
    probes(input),
    section('data', 'Corpus token lengths', row(input.lengthStats ? kvTable(input.lengthStats.value, LENGTH_KEYS) : '', figs('data')), source(input.lengthStats?.file)),
    section('other', 'Other evaluation files', ...input.tables.map((t) => `<h3>${esc(t.file)}</h3>${table(t.value.header, t.value.rows.slice(0, 30))}${t.value.rows.length > 30 ? `<p class="note">first 30 of ${t.value.rows.length} rows</p>` : ''}`), ...input.json.map((j) => `<h3>${esc(j.file)}</h3>${jsonView(j.value)}`)),
    samples(input, opts.samples ?? 5),
    section('problems', 'Files that could not be read', input.problems.length ? `<ul class="problems">${input.problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>` : ''),
  ].filter((s) => s !== '');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(input.name)} — versiflow report</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
${body.join('\n')}
<footer>versiflow report of <code>${esc(input.runDir)}</code>, made ${esc(opts.generatedAt.toISOString())}. ${plots.length} plots, drawn with Vega-Lite.</footer>
</main>
</body>
</html>
`;
}

/** Parts side by side (a table beside its plot), wrapping on narrow pages. */
const row = (...parts: readonly string[]) => (parts.some((p) => p) ? `<div class="row">${parts.join('\n')}</div>` : '');

function header(input: ReportInput): string {
  const e = input.events;
  const start = e?.firstStart;
  const last = e?.lastStart;
  const end = e?.end;
  const lastH = input.history.at(-1);
  const steps = end?.step ?? e?.lastStep?.step ?? lastH?.step;
  const total = last?.totalSteps ?? (input.config?.max_steps as number | undefined);
  const elapsed = end?.elapsedS ?? e?.lastStep?.elapsedS;
  const finalVal = end?.finalValLoss ?? [...input.history].reverse().find((h) => h.valLoss !== null)?.valLoss;
  const items: [string, unknown][] = [
    ['parameters', last?.params],
    ['steps', steps === undefined ? undefined : total ? `${steps} / ${total}` : steps],
    ['backend', last?.backend ?? input.config?.backend],
    ['device', last?.device],
    ['data', last?.data ?? input.config?.data],
    ['started', start ? new Date(start.time).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : undefined],
    ['duration', elapsed === undefined ? undefined : duration(elapsed)],
    ['ended', end ? end.reason : e ? 'no run/end (running or killed)' : undefined],
    ['final train loss', end?.finalLoss ?? lastH?.loss],
    ['final val loss', finalVal],
    ['train tokens', last?.trainTokens],
    ['vocabulary', last?.vocabSize ?? input.config?.vocab_size],
  ];
  return `<header>\n<h1>${esc(input.name)}</h1>\n<p class="sub">run directory <code>${esc(input.runDir)}</code>${last?.resumedFrom ? `, resumed from <code>${esc(last.resumedFrom)}</code>` : ''}</p>\n${cards(items)}\n</header>`;
}

function duration(s: number): string {
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function configBlock(input: ReportInput): string {
  if (!input.config) return '';
  const n = Object.keys(input.config).length;
  const entries = Object.entries(input.config).map(([k, v]) => `<div><code>${esc(k)}</code> ${esc(fmt(v))}</div>`);
  return `<details><summary>resolved config (${n} keys)</summary>\n<div class="config">${entries.join('')}</div>\n</details>`;
}

function watermark(input: ReportInput, figs: string): string {
  const m = input.watermarkMetrics;
  const head = m ? cards(WATERMARK_HEADLINE.map(([label, key]) => [label, m.value[key]] as const)) : '';
  const rest = m ? `<details><summary>all of ${esc(m.file)}</summary>${kvTable(m.value)}</details>` : '';
  return section('watermark', 'Watermark detection', head, figs, rest, source(m?.file, input.watermarkScores?.file));
}

function behaviour(input: ReportInput, figs: string): string {
  if (input.behaviour.length === 0) return '';
  const keys = [...new Set(input.behaviour.flatMap((b) => Object.keys(b.value)))];
  return section('behaviour', 'Behaviour of generations', table(['file', ...keys], input.behaviour.map((b) => [b.file, ...keys.map((k) => b.value[k])])), figs);
}

function poetry(input: ReportInput, figs: string): string {
  const p = input.poetry;
  const gen = p?.value.generated as Readonly<Record<string, unknown>> | undefined;
  if (!p || !gen || typeof gen !== 'object') return '';
  const real = (p.value.real ?? null) as Readonly<Record<string, unknown>> | null;
  const keys = [...new Set([...Object.keys(gen), ...Object.keys(real ?? {})])].filter((k) => k !== 'language');
  const rows = keys.map((k) => [k, gen[k], real ? real[k] : undefined]);
  const lang = typeof p.value.language === 'string' ? `<p>language: ${esc(p.value.language)}</p>` : '';
  return section('poetry', 'Poetry metrics', lang, row(table(['metric', 'generated', 'real'], rows), figs), source(p.file));
}

function probes(input: ReportInput): string {
  const p = input.probes;
  if (!p || p.value.length === 0) return '';
  const cols = ['prompt', 'expected', 'rank', 'prob', 'perplexity', 'generated'];
  const rows = p.value.slice(0, 20).map((r) => cols.map((c) => r[c]));
  const ranks = p.value.map((r) => r.rank).filter((x): x is number => typeof x === 'number');
  const summary = ranks.length ? `<p>${p.value.length} probes: top-1 ${pct(ranks.filter((r) => r === 1).length / ranks.length)}, top-5 ${pct(ranks.filter((r) => r <= 5).length / ranks.length)}, mean rank ${fmt(ranks.reduce((s, r) => s + r, 0) / ranks.length)}</p>` : '';
  return section('probes', 'Probes', summary, table(cols, rows, 'probes'), source(p.file));
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function samples(input: ReportInput, n: number): string {
  const s = input.events?.samples.slice(-n) ?? [];
  if (s.length === 0 || n <= 0) return '';
  const items = s.map((x) => `<div class="sample"><h3>step ${x.step}${x.prompt ? ` · prompt <code>${esc(x.prompt)}</code>` : ''}</h3><pre>${esc(x.prompt)}${esc(x.text)}</pre></div>`);
  return section('samples', `Samples (last ${s.length})`, ...items, source('metrics.jsonl'));
}
