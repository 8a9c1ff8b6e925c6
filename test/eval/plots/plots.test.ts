import { describe, expect, it } from 'vitest';
import { lengthHistogram } from '../../../src/eval/lengthHistogram.ts';
import { behaviourSpec, pcaSpec, tokenLengthSpec } from '../../../src/eval/plots/distributionPlots.ts';
import { chinchillaLossSpec, type HistoryPoint, logTicks, lossSpec, lrSpec, watermarkTrainingSpec } from '../../../src/eval/plots/lossPlots.ts';
import { renderSvg } from '../../../src/eval/plots/renderPlot.ts';
import { confusionSpec, rocSpec, zHistogramSpec } from '../../../src/eval/plots/watermarkPlots.ts';
import { rocCurve } from '../../../src/eval/rocCurve.ts';
import type { ScoredText } from '../../../src/eval/watermarkMetrics.ts';
import { countItems, svgMarks, svgTexts } from './svgProbe.ts';

// a small history as history.csv has it: validation only at some steps
const history: HistoryPoint[] = [
  { step: 1, loss: 4.8, valLoss: null, lr: 6e-5 },
  { step: 10, loss: 4.0, valLoss: null, lr: 6e-4 },
  { step: 20, loss: 3.6, valLoss: 3.5, lr: 1.2e-3 },
  { step: 30, loss: 3.3, valLoss: null, lr: 1.8e-3 },
  { step: 40, loss: 3.1, valLoss: 3.0, lr: 2.4e-3 },
];
const scores: ScoredText[] = [5, 3, 3, 2.5, 1, -1, 4, 2.5].map((z, i) => ({ label: [1, 1, 0, 1, 0, 0, 1, 0][i] as 0 | 1, z }));

describe('plots render headless to SVG with their marks and titles', () => {
  it('loss: a line per series, points on it, axis titles and a legend', async () => {
    const { svg, warnings } = await renderSvg(lossSpec(history));
    expect(warnings).toEqual([]);
    expect(svgMarks(svg)).toEqual(expect.objectContaining(new Set(['line:mark', 'symbol:mark', 'text:axis-title', 'text:legend-label'])));
    expect(svgTexts(svg)).toEqual(expect.arrayContaining(['Loss', 'step', 'loss (nats/token)', 'train', 'validation']));
    expect(countItems(svg, 'line')).toBe(2); // train and validation
    expect(countItems(svg, 'symbol')).toBe(7); // 5 train + 2 validation points
  });

  it('Chinchilla-style loss: both axes logarithmic (ticks at powers of ten), steps ≤ 0 left out', async () => {
    const spec = chinchillaLossSpec([{ step: 0, loss: 5, valLoss: null, lr: 0 }, ...history]);
    expect((spec as { data: { values: unknown[] } }).data.values).toHaveLength(7);
    const { svg, warnings } = await renderSvg(spec);
    expect(warnings).toEqual([]);
    const texts = svgTexts(svg);
    expect(texts).toEqual(expect.arrayContaining(['step (log scale)', 'loss (log scale)', '1', '10', '3', '4']));
  });

  it('log ticks: 1-2-5 per decade, finer within a decade', () => {
    expect(logTicks(0.8, 120)).toEqual([1, 2, 5, 10, 20, 50, 100]);
    expect(logTicks(2.2, 5)).toEqual([2.5, 3, 4, 5]);
    expect(logTicks(2.003, 2.95)).toEqual([2.1, 2.3, 2.5, 2.7, 2.9]); // 2.1 … 2.9 by 0.1, every 2nd
    expect(logTicks(0, 5)).toEqual([]);
  });

  it('learning rate: one line, scientific tick labels', async () => {
    const { svg } = await renderSvg(lrSpec(history));
    expect(svgMarks(svg).has('line:mark')).toBe(true);
    expect(svgTexts(svg)).toEqual(expect.arrayContaining(['learning rate', 'step', '1.0e-3']));
  });

  it('watermark during training: AUC and F1 lines at the evaluated steps only', async () => {
    const h = history.map((p, i) => ({ ...p, watermarkAuc: i % 2 ? null : 0.5 + i / 10, watermarkF1: i % 2 ? null : 0.4 + i / 10 }));
    const { svg, warnings } = await renderSvg(watermarkTrainingSpec(h));
    expect(warnings).toEqual([]);
    expect(countItems(svg, 'line')).toBe(2);
    expect(countItems(svg, 'symbol')).toBe(6); // steps 1, 20, 40 × 2 metrics
    expect(svgTexts(svg)).toEqual(expect.arrayContaining(['Watermark detection during training', 'ROC AUC', 'F1', 'score']));
  });

  it('ROC: the curve through rocCurve points over a dashed diagonal, AUC in the title', async () => {
    const points = rocCurve(scores);
    const { svg, warnings } = await renderSvg(rocSpec(points, 0.875));
    expect(warnings).toEqual([]);
    expect(countItems(svg, 'line')).toBe(2); // diagonal and curve
    expect(svg).toContain('stroke-dasharray="4,4"');
    expect(countItems(svg, 'symbol')).toBe(points.length);
    expect(svgTexts(svg)).toEqual(expect.arrayContaining(['ROC (AUC 0.8750)', 'false positive rate', 'true positive rate']));
  });

  it('confusion matrix: four cells with the counts written in', async () => {
    const { svg } = await renderSvg(confusionSpec({ tp: 7, fp: 2, tn: 9, fn: 1 }, 4));
    expect(countItems(svg, 'rect')).toBe(4);
    const texts = svgTexts(svg);
    expect(texts).toEqual(expect.arrayContaining(['7', '2', '9', '1', 'called', 'true class', 'generated', 'real', 'Confusion matrix (z ≥ 4 = generated)']));
  });

  it('z histograms: bars of both classes, the threshold rule, infinite z counted out', async () => {
    const { svg, warnings } = await renderSvg(zHistogramSpec([...scores, { label: 1, z: Infinity }], 4));
    expect(warnings).toEqual([]);
    expect(svgMarks(svg)).toEqual(expect.objectContaining(new Set(['rect:mark', 'rule:mark'])));
    expect(countItems(svg, 'rule')).toBe(1);
    expect(svgTexts(svg)).toEqual(expect.arrayContaining(['z-score', 'texts', 'generated', 'real', 'Watermark z-scores (1 infinite left out)']));
  });

  it('token lengths: one bar per bin of the histogram', async () => {
    const { svg } = await renderSvg(tokenLengthSpec(lengthHistogram([1, 2, 2, 3, 5, 8, 13, 21, 40], 4)));
    expect(countItems(svg, 'rect')).toBe(4);
    expect(svgTexts(svg)).toEqual(expect.arrayContaining(['Document length', 'length (tokens per document)', 'documents']));
  });

  it('PCA: a symbol per point, coloured by group', async () => {
    const pts = [
      { x: 0, y: 1, group: 'Пушкин' },
      { x: 1, y: 0, group: 'Пушкин' },
      { x: 2, y: 2, group: 'generated' },
      { x: 0.5, y: 0.5, group: 'author centroid' },
    ];
    const { svg, warnings } = await renderSvg(pcaSpec(pts));
    expect(warnings).toEqual([]);
    expect(countItems(svg, 'symbol')).toBe(4);
    expect(svgTexts(svg)).toEqual(expect.arrayContaining(['PC 1', 'PC 2', 'Пушкин', 'generated', 'author centroid']));
    // names reach the page inside the SVG: Vega escapes them
    const marked = await renderSvg(pcaSpec([{ x: 0, y: 0, group: '<script>alert(1)</script>' }, { x: 1, y: 1, group: 'b' }]));
    expect(marked.svg).not.toContain('<script');
    expect(marked.svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('behaviour: a bar per metric and source', async () => {
    const bars = ['distinct_2', 'repeated_4gram_rate', 'loop_rate'].flatMap((metric, i) => [
      { metric, value: 0.1 * (i + 1), source: 'gen.jsonl' },
      { metric, value: 0.2 * (i + 1), source: 'greedy' },
    ]);
    const { svg, warnings } = await renderSvg(behaviourSpec(bars));
    expect(warnings).toEqual([]);
    expect(countItems(svg, 'rect')).toBe(6);
    expect(svgTexts(svg)).toEqual(expect.arrayContaining(['distinct_2', 'loop_rate', 'share', 'gen.jsonl', 'greedy']));
  });
});
