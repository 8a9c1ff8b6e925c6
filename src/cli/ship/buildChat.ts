import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { normalizeConfig } from '../../core/config/normalizeConfig.ts';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import type { OnnxWeights } from '../../model/formats/onnx/weightStorage.ts';
import { resolveGptConfig } from '../../model/nn/gptConfig.ts';
import { hasChatTokens } from '../../model/tokenizer/chatTemplate.ts';
import { tokenizerFromJSON } from '../../model/tokenizer/loadTokenizer.ts';
import { readRecommendedDecoding, recommendedDecodingPath } from '../../pipeline/recommendedDecoding.ts';
import { openCheckpoint } from '../../streams/checkpoints/checkpointStore.ts';
import { decoderShapeOf, type OrtModule } from './onnxDecoder.ts';
import { missingPackage } from './buildPackages.ts';
import { poetModelRoute, writePoetModel } from './poetModel.ts';
import { POET_ASSETS, type PoetManifest } from './shipManifest.ts';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
/** Node's single-executable fuse (the sentinel postject flips). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
export const HOST_TARGET = `${process.platform}-${process.arch}`;

export interface BuildChatOptions {
  /**
   * int8 (int8 GEMMs, ORT format used in place: loads in ~0.3 s at minitron-48m's size; perplexity within
   * 0.5% of fp32 on the trained models measured, docs/ship.md), fp16 (.onnx, its weights expanded to
   * float32 at every load: ~2 s) or fp32. @default 'int8'
   */
  readonly weights?: OnnxWeights;
  /** platform-arch; only this machine's is buildable. @default HOST_TARGET */
  readonly target?: string;
  /** Progress lines. */
  readonly log?: (line: string) => void;
  /** Replace an existing `out` file. @default false */
  readonly force?: boolean;
}

export interface BuildChatResult {
  readonly out: string;
  readonly bytes: number;
  /** Sizes of what went in: the .onnx file, onnxruntime's native library + binding, the bundled client, node. */
  readonly parts: { readonly weights: number; readonly runtime: number; readonly client: number; readonly node: number };
  readonly manifest: PoetManifest;
}

/**
 * `versiflow build-chat`: the checkpoint's ONNX export (exportOnnx, one weight variant) + the poet's
 * client (src/cli/ship/poetEntry.ts bundled by esbuild, onnxruntime-node's JS included) +
 * onnxruntime's native library, as assets of a copy of this Node binary (single executable
 * application, blob injected by postject). Runs where neither Node nor node_modules is installed.
 */
export async function buildChat(checkpoint: string, outFile: string, o: BuildChatOptions = {}): Promise<BuildChatResult> {
  const log = o.log ?? (() => undefined);
  const weights = o.weights ?? 'int8';
  const target = o.target ?? HOST_TARGET;
  if (target !== HOST_TARGET) {
    throw new ConfigError(
      `build-chat: --target ${target} cannot be built on this ${HOST_TARGET} machine: the executable is a copy of the running Node binary with onnxruntime-node's ${HOST_TARGET} library, and other platforms' Node binaries and libraries are not downloaded; run build-chat on a ${target} machine`,
    );
  }
  if (existsSync(outFile) && !o.force) throw new ConfigError(`build-chat: ${resolve(outFile)} exists; choose another --out or pass --force to replace it`);
  let ortPackage: string;
  try {
    ortPackage = require.resolve('onnxruntime-node/package.json');
  } catch {
    throw missingPackage('onnxruntime-node');
  }
  const ortDir = join(dirname(ortPackage), 'bin', 'napi-v6', process.platform, process.arch);
  const ortFiles = [POET_ASSETS.ortLibrary, POET_ASSETS.ortBinding].map((f) => join(ortDir, f));
  for (const f of ortFiles) if (!existsSync(f)) throw missingPackage('onnxruntime-node', `its native file ${f} for ${HOST_TARGET} is missing: reinstall it`);
  const ortVersion = (JSON.parse(readFileSync(ortPackage, 'utf8')) as { version: string }).version;

  const { dir, manifest } = await poetManifest(checkpoint, weights, ortVersion);

  const work = mkdtempSync(join(tmpdir(), 'versiflow-build-chat-'));
  try {
    const model = await writePoetModel(dir, weights, work, manifest.modelFormat, () => require('onnxruntime-node') as OrtModule, log);
    writeFileSync(join(work, 'manifest.json'), JSON.stringify(manifest));

    log('bundling the client with esbuild');
    const client = join(work, 'poet.cjs');
    await bundleClient(client);

    log('writing the single-executable blob');
    const blob = join(work, 'poet.blob');
    const seaConfig = {
      main: client,
      output: blob,
      disableExperimentalSEAWarning: true,
      assets: { [POET_ASSETS.manifest]: join(work, 'manifest.json'), [POET_ASSETS.model]: model, [POET_ASSETS.ortLibrary]: ortFiles[0], [POET_ASSETS.ortBinding]: ortFiles[1] },
    };
    writeFileSync(join(work, 'sea-config.json'), JSON.stringify(seaConfig));
    await run(process.execPath, ['--experimental-sea-config', join(work, 'sea-config.json')], { cwd: work });

    const out = resolve(outFile);
    log(`copying ${process.execPath} and injecting the blob into ${out}`);
    rmSync(out, { force: true });
    copyFileSync(process.execPath, out);
    chmodSync(out, 0o755);
    const postject = await loadPostject();
    // LIEF (inside postject) warns about Node's unnamed .note sections on console.warn: harmless, muted
    const warn = console.warn;
    console.warn = () => undefined;
    try {
      await postject.inject(out, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: SEA_FUSE });
    } finally {
      console.warn = warn;
    }
    const size = (f: string) => statSync(f).size;
    return { out, bytes: size(out), parts: { weights: size(model), runtime: size(ortFiles[0]) + size(ortFiles[1]), client: size(client), node: size(process.execPath) }, manifest };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The poet's manifest for a checkpoint: its decoder shape, Versiflow tokenizer, whether it has the chat
 * tokens, and its defaults (recommended_decoding.json; the watermark when the run had watermark_eval_every ≥ 0).
 */
export async function poetManifest(checkpoint: string, weights: OnnxWeights, ortVersion: string, modelFormat: PoetManifest['modelFormat'] = poetModelRoute(weights).modelFormat): Promise<{ dir: string; manifest: PoetManifest }> {
  const { dir, checkpoint: ck } = await openCheckpoint(checkpoint, checkpoint);
  const config = normalizeConfig(ck.state.config, join(dir, 'state.json'));
  const tokenizer = tokenizerFromJSON(ck.tokenizer);
  const gpt = resolveGptConfig({ ...config, vocabSize: config.vocabSize || tokenizer.vocabSize });
  const defaults: Record<string, string> = {};
  const sources: string[] = [];
  const rec = recommendedDecodingPath(checkpoint);
  if (rec) {
    const d = readRecommendedDecoding(rec);
    Object.assign(defaults, { temperature: String(d.temperature), 'top-k': String(d.top_k), 'top-p': String(d.top_p), 'repetition-penalty': String(d.repetition_penalty), 'no-repeat-ngram': String(d.no_repeat_ngram_size) });
    sources.push(`decoding defaults from ${rec}`);
  }
  if (config.watermarkEvalEvery >= 0) {
    defaults.watermark = config.watermarkEvalScheme;
    if (config.watermarkEvalKey) defaults['watermark-key'] = config.watermarkEvalKey;
    sources.push(`watermark ${config.watermarkEvalScheme} on by default (the run evaluated it: watermark_eval_every ${config.watermarkEvalEvery})`);
  }
  const manifest: PoetManifest = {
    format: 'versiflow-poet',
    version: 1,
    checkpoint: dir,
    weights,
    modelFormat,
    prepack: poetModelRoute(weights).prepack,
    shape: decoderShapeOf(gpt),
    tokenizer: ck.tokenizer,
    chat: hasChatTokens(tokenizer),
    defaults,
    sources,
    ortVersion,
  };

  return { dir, manifest };
}

/** esbuild: poetEntry.ts → one CommonJS file; onnxruntime-node's `require(.../onnxruntime_binding.node)` becomes the poet's dlopen hook. */
async function bundleClient(outfile: string): Promise<void> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    throw missingPackage('esbuild');
  }
  // src/ when run through tsx, dist/ (compiled .js) when installed
  const entry = ['./poetEntry.ts', './poetEntry.js'].map((f) => fileURLToPath(new URL(f, import.meta.url))).find((f) => existsSync(f)) ?? fileURLToPath(new URL('./poetEntry.ts', import.meta.url));
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    logLevel: 'silent',
    plugins: [
      {
        name: 'ort-binding',
        setup(b) {
          b.onLoad({ filter: /onnxruntime-node[\\/]dist[\\/]binding\.js$/ }, (args) => {
            const text = readFileSync(args.path, 'utf8');
            const hooked = text.replace(/require\(`\.\.\/bin\/napi-v6\/[^`]*`\)/, 'globalThis.__versiflowOrtBinding()');
            if (hooked === text) throw new Error(`build-chat: onnxruntime-node's ${args.path} no longer loads its binding the expected way; update the ort-binding plugin in src/cli/ship/buildChat.ts`);
            return { contents: hooked, loader: 'js' };
          });
        },
      },
    ],
  });
}

async function loadPostject(): Promise<{ inject(file: string, name: string, data: Buffer, o: { sentinelFuse: string }): Promise<void> }> {
  try {
    return require('postject') as Awaited<ReturnType<typeof loadPostject>>;
  } catch {
    throw missingPackage('postject');
  }
}
