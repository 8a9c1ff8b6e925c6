/**
 * `versiflow build-web` end to end: a tiny char-level checkpoint → a static site, served on a local
 * port and driven in headless Chromium (Debian's chromium; wasm backend, --disable-gpu): the poem
 * written at temperature 0 equals `versiflow generate --temperature 0` (30 tokens, EOS held back on
 * both sides), and the page's watermark check (Versiflow's detector bundled for the browser, SHA-256 in
 * plain TypeScript) gives the z that Versiflow gives in Node for the same pasted text. Skipped, saying
 * so, only when no Chromium is installed. VERSIFLOW_WEB_SCREENSHOT=FILE saves the page's screenshot.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { detectWatermark } from '../../../src/model/watermark/detect.ts';
import { poetruScheme } from '../../../src/model/watermark/poetru.ts';
import { tokenizerFromJSON } from '../../../src/model/tokenizer/loadTokenizer.ts';
import { findChromium } from '../headlessChromium.ts';
import { captureIO, writeTestCheckpoint } from '../checkpointFixture.ts';
import { runPage, serveStatic } from './webDriver.ts';

const chromium = findChromium();
const PROMPT = 'the moon ';

describe('versiflow build-web', () => {
  let checkpoint = '';
  let site = '';
  let built = '';

  beforeAll(async () => {
    checkpoint = await writeTestCheckpoint();
    site = mkdtempSync(join(tmpdir(), 'versiflow-site-'));
    const cap = captureIO();
    expect(await main(['build-web', '--checkpoint', checkpoint, '--out', site, '--weights', 'fp32', '--force'], cap.io), cap.err()).toBe(0);
    built = cap.out();
  }, 120_000);

  afterAll(() => rmSync(site, { recursive: true, force: true }));

  it('writes the export, the page, the bundle and onnxruntime-web\'s wasm, nothing fetched from a CDN', () => {
    for (const f of ['index.html', 'app.js', 'site.json', 'versiflow-tokenizer.json', 'model/onnx/model.onnx', 'model/config.json', 'model/tokenizer.json', 'ort/ort-wasm-simd-threaded.asyncify.wasm', 'ort/ort-wasm-simd-threaded.asyncify.mjs']) {
      expect(existsSync(join(site, f)), f).toBe(true);
      expect(built).toContain(`  ${f}  `);
    }
    const html = readFileSync(join(site, 'index.html'), 'utf8');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain('<script type="module" src="app.js">');
    expect(JSON.parse(readFileSync(join(site, 'site.json'), 'utf8'))).toMatchObject({ dtype: 'fp32', model: 'model', scheme: 'poetru', defaults: { temperature: 0.8, top_k: 40 } });
  });

  it.skipIf(!chromium)(`in headless Chromium: greedy poem equals versiflow generate --temperature 0; the watermark check agrees with Versiflow's${chromium ? '' : ' (skipped: no chromium on PATH)'}`, async () => {
    // a watermarked text from Versiflow, and its z in Node
    const wm = captureIO();
    expect(await main(['generate', '--checkpoint', checkpoint, '--prompt', 'a', '--max-new-tokens', '80', '--min-new-tokens', '80', '--watermark', 'poetru', '--seed', '3'], wm.io)).toBe(0);
    const pasted = wm.out().slice(0, -1);
    const tok = tokenizerFromJSON(JSON.parse(readFileSync(join(site, 'versiflow-tokenizer.json'), 'utf8')));
    const want = detectWatermark(tok.encode(pasted), poetruScheme({ vocabSize: tok.vocabSize }));
    expect(want.z).toBeGreaterThan(4);

    const g = captureIO();
    expect(await main(['generate', '--checkpoint', checkpoint, '--prompt', PROMPT, '--temperature', '0', '--max-new-tokens', '30', '--min-new-tokens', '30'], g.io)).toBe(0);

    const server = await serveStatic(site);
    try {
      const q = new URLSearchParams({ prompt: PROMPT, temperature: '0', max_new_tokens: '30', min_new_tokens: '30', device: 'wasm', autorun: '1' });
      const probe = `(async () => {
        document.getElementById('pasted').value = ${JSON.stringify(pasted)};
        document.getElementById('check').click();
        const v = document.getElementById('verdict');
        return { state: document.body.dataset.state, status: document.getElementById('status').textContent, poem: document.getElementById('poem').textContent,
                 ids: JSON.parse(document.getElementById('poem').dataset.ids || '[]'), device: document.getElementById('device').textContent, z: Number(v.dataset.z), verdict: v.textContent };
      })()`;
      const shot = process.env.VERSIFLOW_WEB_SCREENSHOT;
      const r = await runPage(chromium!, `${server.url}?${q}`, { until: "['done', 'error'].includes(document.body.dataset.state)", probe, timeoutMs: 90_000, ...(shot ? { screenshot: { width: 900, height: 820 } } : {}) });
      const p = r.probe as { state: string; status: string; poem: string; ids: number[]; device: string; z: number; verdict: string };
      expect(r.timedOut, p.status).toBe(false);
      expect(r.errors).toEqual([]);
      expect(p.state, p.status).toBe('done');
      expect(p.device).toBe('wasm');
      expect(p.ids).toHaveLength(30);
      expect(p.poem).toBe(g.out().slice(0, -1));
      expect(p.z).toBeCloseTo(want.z, 10);
      expect(p.verdict).toMatch(/^watermarked: z = /);
      if (shot && r.screenshot) writeFileSync(shot, r.screenshot);
    } finally {
      await server.close();
    }
  }, 180_000);
});
