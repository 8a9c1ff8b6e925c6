import { describe, it, expect } from 'vitest';
import { lineChart } from '../../src/dashboard/lineChart.ts';

describe('lineChart', () => {
  // value = step, so bucket means are known: 500 points over 49 columns, first bucket steps 1..10
  const pts = Array.from({ length: 500 }, (_, i) => [i + 1, i + 1] as const);

  it('fits the width, labels the y range and the step range', () => {
    const lines = lineChart(pts, { width: 60, height: 6 });
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(60);
    expect(lines[0]).toMatch(/^ 495\.000 [┼┤]/); // last bucket 490..500
    expect(lines[5]).toMatch(/^   5\.500 [┼┤]/); // first bucket 1..10, where the curve starts
    expect(lines.at(-1)).toMatch(/step \d+ +500$/);
  });

  it('puts the marker caret under the column of the marked step', () => {
    // 4 points stretched over 49 columns: step 30 is 2/3 of the way from 10 to 40
    const lines = lineChart([[10, 3], [20, 2], [30, 1], [40, 2]], { width: 60, height: 4, marker: { step: 30, caption: 'best' } });
    const marker = lines.at(-1)!;
    const col = marker.indexOf('▲');
    expect(col - 9).toBe(Math.round((2 / 3) * 48));
    // the plot's lowest row has its curve at that column
    const bottom = lines[lines.length - 3];
    expect(bottom[col]).toMatch(/[╰╯─╮╭]/);
  });

  it('says so when there is nothing to draw', () => {
    expect(lineChart([], { width: 40, height: 4 })).toEqual(['(no data yet)']);
  });
});
