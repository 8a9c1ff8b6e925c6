import { describe, expect, it } from 'vitest';
import { REPORT_CSP, reportHtml } from '../../../src/eval/report/reportHtml.ts';
import type { ReportInput } from '../../../src/eval/report/reportInput.ts';
import { reportPlots, thinHistory } from '../../../src/eval/report/reportPlots.ts';

const bare: ReportInput = { name: 'run <1>', runDir: '/r', events: null, config: null, history: [], behaviour: [], tables: [], json: [], problems: [] };
const at = { generatedAt: new Date(Date.UTC(2026, 11, 3)) };

describe('reportHtml', () => {
  it('escapes every text it shows and forbids loading anything', () => {
    const html = reportHtml({ ...bare, config: { prompt: '<script>alert(1)</script>' }, json: [{ file: 'eval/x.json', value: { a: '"&' } }] }, [], at);
    expect(html).toContain('<h1>run &lt;1&gt;</h1>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&quot;&amp;');
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`);
    expect(html).toContain('2026-12-03T00:00:00.000Z');
  });

  it('leaves out the sections and plots of absent files', () => {
    const html = reportHtml(bare, [], at);
    expect([...html.matchAll(/<section id="([^"]+)"/g)]).toEqual([]);
    expect(reportPlots(bare)).toEqual([]);
    const some: ReportInput = { ...bare, history: [{ step: 1, loss: 3, valLoss: null, lr: null }], behaviour: [{ file: 'eval/behaviour.json', value: { texts: 4, distinct_2: 0.5, loop_rate: 0 } }] };
    expect(reportPlots(some).map((p) => p.id)).toEqual(['loss', 'loss-loglog', 'behaviour']);
  });

  it('takes the watermark plots from the scores and metrics files', () => {
    const input: ReportInput = {
      ...bare,
      watermarkMetrics: { file: 'eval/watermark_metrics.json', value: { roc_auc: 0.875, threshold: 3, confusion: { tp: 3, fp: 1, tn: 3, fn: 1 } } },
      watermarkScores: { file: 'eval/watermark_scores.csv', value: [5, 3, 3, 2.5, 1, -1, 4, 2.5].map((z, i) => ({ label: [1, 1, 0, 1, 0, 0, 1, 0][i] as 0 | 1, z })) },
    };
    const plots = reportPlots(input);
    expect(plots.map((p) => p.id)).toEqual(['roc', 'confusion', 'z-histogram']);
    expect(plots[0].spec.title).toBe('ROC (AUC 0.8750)');
    expect(plots[1].spec.title).toBe('Confusion matrix (z ≥ 3 = generated)');
  });

  it('shows eval poetry --json side by side, with rhyme bars', () => {
    const value = { language: 'ru', generated: { poems: 32, language: 'ru', rhyme_rate: 0.07, aa_rate: 0.02, abab_rate: 0.03 }, real: { poems: 106, language: 'ru', rhyme_rate: 0.76, aa_rate: 0.11, abab_rate: 0.37 } };
    const input: ReportInput = { ...bare, poetry: { file: 'eval/poetry.json', value } };
    const plots = reportPlots(input);
    expect(plots.map((p) => p.id)).toEqual(['poetry']);
    expect((plots[0].spec as { data: { values: unknown[] } }).data.values).toHaveLength(6);
    const html = reportHtml(input, [], at);
    expect(html).toContain('<section id="poetry">');
    expect(html).toContain('<tr><td>rhyme_rate</td><td>0.07</td><td>0.76</td></tr>');
    expect(html).toContain('<tr><td>poems</td><td>32</td><td>106</td></tr>');
  });

  it('thins a long history to about the limit, keeping every validation row and the last', () => {
    const h = Array.from({ length: 10_001 }, (_, i) => ({ step: i + 1, loss: 5 - i / 1e4, valLoss: i % 2500 === 1 ? 4 : null, lr: 1e-3 }));
    const t = thinHistory(h, 2000); // k = 6
    expect(t.length).toBe(1667 + 4 + 1 - 0); // every 6th of 10,001 (1,667), 4 validation rows off that grid, the last
    expect(t.filter((p) => p.valLoss !== null).map((p) => p.step)).toEqual([2, 2502, 5002, 7502]);
    expect(t.at(-1)!.step).toBe(10_001);
    expect(thinHistory(h.slice(0, 50), 2000)).toHaveLength(50);
  });
});

