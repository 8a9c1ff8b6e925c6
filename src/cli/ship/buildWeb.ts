import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizeConfig } from '../../core/config/normalizeConfig.ts';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import type { OnnxWeights } from '../../model/formats/onnx/weightStorage.ts';
import { resolveGptConfig } from '../../model/nn/gptConfig.ts';
import { tokenizerFromJSON } from '../../model/tokenizer/loadTokenizer.ts';
import { exportOnnx } from '../../pipeline/export/exportOnnx.ts';
import { readRecommendedDecoding, recommendedDecodingPath } from '../../pipeline/recommendedDecoding.ts';
import { openCheckpoint } from '../../streams/checkpoints/checkpointStore.ts';
import { WEB_PAGE } from './web/webPage.ts';
import type { SiteManifest } from './web/siteManifest.ts';

const require = createRequire(import.meta.url);
const DTYPE: Readonly<Record<OnnxWeights, SiteManifest['dtype']>> = { fp32: 'fp32', fp16: 'fp16', int8: 'q8' };
/** onnxruntime-web's files transformers.js loads in a browser (its asyncify build serves both wasm and WebGPU). */
export const ORT_WEB_FILES = ['ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'] as const;

export interface BuildWebResult {
  readonly out: string;
  /** Every file of the site (relative) with its size. */
  readonly files: readonly { readonly path: string; readonly bytes: number }[];
  readonly site: SiteManifest;
}

/**
 * `versiflow build-web`: a static site in `outDir`: model/ (the checkpoint's ONNX export, one weight
 * variant, read by transformers.js), versiflow-tokenizer.json (for the page's watermark detector),
 * site.json, index.html, app.js (webApp.ts bundled by esbuild for the browser with transformers.js and
 * Versiflow's tokenizer and detector; node:crypto replaced by a plain SHA-256) and ort/ (onnxruntime-web's
 * wasm files, copied from node_modules). No CDN: the folder works from any static server.
 */
export async function buildWeb(checkpoint: string, outDir: string, o: { weights?: OnnxWeights; force?: boolean } = {}): Promise<BuildWebResult> {
  const weights = o.weights ?? 'fp16';
  const out = resolve(outDir);
  if (existsSync(out) && readdirSync(out).length > 0 && !o.force) throw new ConfigError(`build-web: ${out} is not empty; choose another --out or pass --force to overwrite its files`);
  const ortDist = ortWebRoot();
  for (const f of ORT_WEB_FILES) if (!existsSync(join(ortDist, 'dist', f))) throw new ConfigError(`build-web: onnxruntime-web's ${join(ortDist, 'dist', f)} is missing; install @huggingface/transformers (it brings onnxruntime-web)`);

  const { dir, checkpoint: ck } = await openCheckpoint(checkpoint, checkpoint);
  const config = normalizeConfig(ck.state.config, join(dir, 'state.json'));
  const tokenizer = tokenizerFromJSON(ck.tokenizer);
  const gpt = resolveGptConfig({ ...config, vocabSize: config.vocabSize || tokenizer.vocabSize });
  const rec = recommendedDecodingPath(checkpoint);
  const d = rec ? readRecommendedDecoding(rec) : { temperature: 0.8, top_k: 40, top_p: 1, repetition_penalty: 1 };
  const site: SiteManifest = {
    format: 'versiflow-site',
    version: 1,
    name: `${basename(dirname(dirname(dir)))}/${basename(dir)}`,
    dtype: DTYPE[weights],
    model: 'model',
    tokenizer: 'versiflow-tokenizer.json',
    vocabSize: gpt.vocabSize,
    scheme: config.watermarkEvalEvery >= 0 ? config.watermarkEvalScheme : 'poetru',
    defaults: { temperature: d.temperature, top_k: d.top_k, top_p: d.top_p, repetition_penalty: d.repetition_penalty, max_new_tokens: Math.min(200, gpt.context) },
  };

  mkdirSync(out, { recursive: true });
  await exportOnnx(dir, join(out, 'model'), { variants: [weights], force: o.force });
  writeFileSync(join(out, 'site.json'), `${JSON.stringify(site, null, 2)}\n`);
  writeFileSync(join(out, site.tokenizer), JSON.stringify(ck.tokenizer));
  writeFileSync(join(out, 'index.html'), WEB_PAGE);
  mkdirSync(join(out, 'ort'), { recursive: true });
  for (const f of ORT_WEB_FILES) copyFileSync(join(ortDist, 'dist', f), join(out, 'ort', f));
  await bundleApp(join(out, 'app.js'));

  const files: { path: string; bytes: number }[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(out, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else files.push({ path: p, bytes: statSync(join(out, p)).size });
    }
  };
  walk('');
  return { out, files: files.sort((a, b) => a.path.localeCompare(b.path)), site };
}

/** onnxruntime-web's package folder (its exports hide package.json: found from its main file). */
function ortWebRoot(): string {
  let d: string;
  try {
    d = dirname(require.resolve('onnxruntime-web'));
  } catch {
    throw new ConfigError('build-web: onnxruntime-web is not installed; install @huggingface/transformers beside versiflow (it brings onnxruntime-web)');
  }
  while (!existsSync(join(d, 'package.json')) && dirname(d) !== d) d = dirname(d);
  return d;
}

async function bundleApp(outfile: string): Promise<void> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new ConfigError('build-web: the esbuild package is not installed; install it beside versiflow with npm install esbuild');
  }
  const here = (f: string) => ['.ts', '.js'].map((x) => fileURLToPath(new URL(`${f}${x}`, import.meta.url))).find((p) => existsSync(p)) ?? fileURLToPath(new URL(`${f}.ts`, import.meta.url));
  await esbuild.build({
    entryPoints: [here('./web/webApp')],
    outfile,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    logLevel: 'silent',
    alias: { 'node:crypto': here('./web/cryptoShim') },
  });
}
