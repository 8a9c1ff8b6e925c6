import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureIO } from './checkpointFixture.ts';

const cli = async (...args: string[]) => {
  const c = captureIO();
  const code = await main(args, c.io);
  return { code, out: c.out(), err: c.err() };
};

describe('versiflow plot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vf-plot-'));
  // eight hand-ranked scores with ties: AUC 0.875 (test/eval/rocCurve.test.ts)
  const scores = join(dir, 'scores.csv');
  writeFileSync(scores, `label,z_score\n${[5, 3, 3, 2.5, 1, -1, 4, 2.5].map((z, i) => `${[1, 1, 0, 1, 0, 0, 1, 0][i]},${z}`).join('\n')}\n`);

  it('draws one plot of one file as SVG or PNG, or prints its Vega-Lite spec', async () => {
    const svg = await cli('plot', 'roc', scores, '--out', join(dir, 'roc.svg'));
    expect(svg.err).toBe('');
    expect(svg.code).toBe(0);
    const text = readFileSync(join(dir, 'roc.svg'), 'utf8');
    expect(text).toMatch(/^<svg /);
    expect(text).toContain('ROC (AUC 0.8750)');
    const png = await cli('plot', 'z-histogram', scores, '--threshold', '3', '--out', join(dir, 'z.png'));
    expect(png.code).toBe(0);
    expect(readFileSync(join(dir, 'z.png')).subarray(1, 4).toString()).toBe('PNG');
    const spec = JSON.parse((await cli('plot', 'z-histogram', scores, '--threshold', '3', '--json')).out);
    expect(spec.layer[1].data.values).toEqual([{ threshold: 3 }]);
  });

  it('says what is wrong: kind, file, output', async () => {
    expect((await cli('plot', 'pie', scores, '--out', 'x.svg')).err).toMatch(/unknown kind "pie"; one of loss, loss-loglog/);
    expect((await cli('plot', 'roc', join(dir, 'nope.csv'), '--out', 'x.svg')).err).toMatch(/nope\.csv/);
    expect((await cli('plot', 'roc', scores, '--out', 'x.pdf')).err).toMatch(/--out FILE\.svg or FILE\.png/);
    writeFileSync(join(dir, 'one.csv'), 'label,z_score\n1,5\n1,6\n');
    expect((await cli('plot', 'roc', join(dir, 'one.csv'), '--out', join(dir, 'x.svg'))).err).toMatch(/needs both labels/);
  });
});
