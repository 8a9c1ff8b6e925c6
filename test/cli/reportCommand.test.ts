import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureIO } from './checkpointFixture.ts';
import { checkPages, findChromium } from './headlessChromium.ts';

/** A tiny real run: 20 steps of a narrow char model on 150 shipped poems, then the evaluations the report reads. */
const SMALL = ['--max-docs', '150', '--context', '32', '--batch-size', '8', '--layers', '2', '--hidden', '32', '--eval-every', '10', '--eval-batches', '2', '--log-every', '5', '--sample-tokens', '30', '--backend', 'wasm', '--no-ws'];
const PLOTS = ['loss', 'loss-loglog', 'lr', 'roc', 'confusion', 'z-histogram', 'author-pca', 'behaviour', 'token-lengths'];

async function cli(...args: string[]) {
  const c = captureIO();
  const code = await main(args, c.io);
  return { code, out: c.out(), err: c.err() };
}

const run = mkdtempSync(join(tmpdir(), 'vf-report-'));
const chromium = findChromium();
if (!chromium) console.warn('reportCommand.test: headless Chromium checks SKIPPED: no chromium on PATH (.ci/run installs Debian\'s chromium with apt-get)');

describe('versiflow report (a real tiny run)', () => {
  beforeAll(async () => {
    const t = await cli('train', '--config', 'tiny', '--max-steps', '20', '--out', run, ...SMALL);
    expect(t.code, t.err).toBe(0);
    const w = await cli('eval', 'watermark', '--checkpoint', run, '--n', '6', '--max-new-tokens', '40', '--batch-size', '6', '--backend', 'wasm');
    expect(w.code, w.err).toBe(0);
    const b = await cli('eval', 'behaviour', '--checkpoint', run, '--prompts-from', 'val', '--n', '4', '--max-new-tokens', '30', '--backend', 'wasm', '--json');
    expect(b.code, b.err).toBe(0);
    writeFileSync(join(run, 'eval', 'behaviour.json'), b.out);
    const d = await cli('data', 'stats', '--data', 'data/ru_poetry.parquet', '--tokenizer', 'char', '--max-docs', '150', '--out', join(run, 'eval'));
    expect(d.code, d.err).toBe(0);
    const a = await cli('eval', 'authors', '--checkpoint', run, '--generate', '4', '--max-new-tokens', '30', '--min-texts', '2', '--max-per-author', '4', '--permutations', '50', '--backend', 'wasm');
    expect(a.code, a.err).toBe(0);
  }, 120_000);

  it('writes RUN/report/index.html: every plot inline, sections from the files found, nothing to load', async () => {
    const r = await cli('report', run, '--png');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`wrote ${join(run, 'report', 'index.html')}: 9 plots (${PLOTS.join(', ')})`);
    const html = readFileSync(join(run, 'report', 'index.html'), 'utf8');
    expect([...html.matchAll(/<figure class="plot" id="plot-([^"]+)"[^>]*><svg /g)].map((m) => m[1])).toEqual(PLOTS);
    expect([...html.matchAll(/<section id="([^"]+)"/g)].map((m) => m[1])).toEqual(['config', 'curves', 'watermark', 'authors', 'behaviour', 'data', 'samples']);
    expect(html).not.toMatch(/<script|<link|<img|src=|@import|url\(http/i);
    expect(html).toContain("Content-Security-Policy\" content=\"default-src 'none'");
    // the header and tables carry the run's real numbers
    const start = JSON.parse(readFileSync(join(run, 'metrics.jsonl'), 'utf8').split('\n')[0]);
    expect(html).toContain(`<b>parameters</b><span>${start.params.toLocaleString('en-US')}</span>`);
    expect(html).toContain('<b>steps</b><span>20 / 20</span>');
    const wm = JSON.parse(readFileSync(join(run, 'eval', 'watermark_metrics.json'), 'utf8'));
    expect(html).toContain(`ROC (AUC ${wm.roc_auc.toFixed(4)})`);
    expect(html).toContain(`<b>mean z generated</b><span>${Number(wm.mean_z_generated.toPrecision(4))}</span>`);
    // ids are per plot, so clip paths do not collide across inlined SVGs
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    // --png: each plot as SVG and PNG
    for (const id of PLOTS) {
      expect(readFileSync(join(run, 'report', 'plots', `${id}.png`)).subarray(1, 4).toString()).toBe('PNG');
      expect(existsSync(join(run, 'report', 'plots', `${id}.svg`))).toBe(true);
    }
  }, 60_000);

  it('leaves out the sections of absent files; errors name the directory', async () => {
    const bare = mkdtempSync(join(tmpdir(), 'vf-report-bare-'));
    copyFileSync(join(run, 'history.csv'), join(bare, 'history.csv'));
    const out = join(bare, 'elsewhere');
    const r = await cli('report', bare, '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toContain('3 plots (loss, loss-loglog, lr); sections curves');
    expect(readFileSync(join(out, 'index.html'), 'utf8')).not.toMatch(/id="(watermark|samples|config)"/);
    const missing = await cli('report', join(bare, 'nope'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/nope: no such run directory/);
    mkdirSync(join(bare, 'empty'));
    expect((await cli('report', join(bare, 'empty'))).err).toMatch(/not a run directory/);
  }, 60_000);

  it.skipIf(!chromium)('opens in headless Chromium with no console error and every plot drawn; the check fails on a broken copy (skipped without chromium on PATH)', async () => {
    const file = join(run, 'report', 'index.html');
    if (!existsSync(file)) await cli('report', run);
    const html = readFileSync(file, 'utf8');
    const broken = join(run, 'report', 'broken.html');
    // the check must be able to fail: an external image (refused by the page's CSP: an error) and the ROC plot's SVG gone
    writeFileSync(broken, html.replace('<main>', '<main><img src="http://127.0.0.1:9/x.png">').replace(/(<figure class="plot" id="plot-roc"[^>]*>)<svg [\s\S]*?<\/svg>/, '$1'));
    const probe = `(() => {
      const figs = [...document.querySelectorAll('figure.plot')];
      return {
        plots: figs.map((f) => f.dataset.plot),
        drawn: figs.filter((f) => { const s = f.querySelector('svg'); const b = s && s.getBoundingClientRect(); return b && b.width > 150 && b.height > 100 && s.querySelectorAll('.role-mark [role="graphics-symbol"]').length > 0; }).length,
        sections: [...document.querySelectorAll('section')].map((s) => s.id),
        resources: performance.getEntriesByType('resource').length,
      };
    })()`;
    type Probe = { plots: string[]; drawn: number; sections: string[]; resources: number };
    const [good, bad] = (await checkPages(chromium!, [{ file, probe }, { file: broken, probe }])) as { errors: string[]; probe: Probe }[];
    expect(good.errors).toEqual([]);
    expect(good.probe.plots).toEqual(PLOTS);
    expect(good.probe.drawn).toBe(PLOTS.length);
    expect(good.probe.sections).toEqual(['config', 'curves', 'watermark', 'authors', 'behaviour', 'data', 'samples']);
    expect(good.probe.resources).toBe(0);
    expect(bad.errors.join('\n')).toMatch(/Content Security Policy|127\.0\.0\.1:9/);
    expect(bad.probe.drawn).toBe(PLOTS.length - 1);
  }, 60_000);
});
