/** What a rendered plot holds, read from its SVG text: Vega's mark classes and every text label. */
export function svgMarks(svg: string): Set<string> {
  return new Set([...svg.matchAll(/class="mark-([a-z]+) role-([a-z-]+)/g)].map((m) => `${m[1]}:${m[2]}`));
}

export function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1].replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>'));
}

/** The number of drawn items (paths, texts) in every data-mark group of one mark type (line, symbol, rect, rule, text). */
export function countItems(svg: string, mark: string): number {
  const groups = [...svg.matchAll(new RegExp(`<g class="mark-${mark} role-mark[^"]*"[^>]*>(.*?)</g>`, 'gs'))];
  return groups.reduce((n, g) => n + (g[1].match(/role="graphics-symbol"/g) ?? []).length, 0);
}
