/**
 * `versiflow build-chat` end to end, one build (about a minute: the 99 MB node binary is copied and the
 * blob injected): a tiny char-level checkpoint trained "with a watermark" (watermark_eval_every 0) and a
 * recommended_decoding.json beside it → one executable with the default weights (int8: int8 GEMMs, ORT
 * format used in place), copied alone into an empty directory and run with PATH=/nonexistent, no
 * NODE_PATH, HOME in that directory. Its greedy answer must equal, byte for byte, the poet's client run in
 * this process on the same int8 model (writePoetModel, the file build-chat embeds), with the watermark
 * on by default and off; and that client on the fp32 model must equal `versiflow generate --temperature 0`
 * (same defaults: the recommended repetition penalty and the poetru watermark), so the executable is
 * tied to tfjs through the one client. (int8's greedy text is int8's own: it computes with int8
 * activations, so it is not compared with tfjs; eval perplexity --onnx measures its quality.)
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { poetManifest } from '../../../src/cli/ship/buildChat.ts';
import type { OrtModule } from '../../../src/cli/ship/onnxDecoder.ts';
import { type PoetAssets, runPoet as runClient } from '../../../src/cli/ship/poetMain.ts';
import { poetModelRoute, writePoetModel } from '../../../src/cli/ship/poetModel.ts';
import type { OnnxWeights } from '../../../src/model/formats/onnx/weightStorage.ts';
import { configToSnake, normalizeConfig } from '../../../src/core/config/normalizeConfig.ts';
import { readTensors } from '../../../src/model/nn/checkpoint.ts';
import { disposeWeights, initWeights } from '../../../src/model/nn/gpt.ts';
import { countParams, resolveGptConfig } from '../../../src/model/nn/gptConfig.ts';
import { CharTokenizer } from '../../../src/model/tokenizer/charTokenizer.ts';
import { saveCheckpoint } from '../../../src/streams/checkpoints/checkpointStore.ts';
import { CHARS } from '../../model/nn/genModel.ts';
import { captureIO } from '../checkpointFixture.ts';

const exec = promisify(execFile);
const loadOrt = async () => ((await import('onnxruntime-node')) as unknown as { default: OrtModule }).default;

/** The poet's client in this process on the model build-chat embeds for `weights` (its manifest's load plan). */
async function inProcessPoet(checkpoint: string, weights: OnnxWeights, work: string): Promise<PoetAssets> {
  const dir = join(work, weights);
  mkdirSync(dir);
  const ort = await loadOrt();
  const file = await writePoetModel(checkpoint, weights, dir, poetModelRoute(weights).modelFormat, () => ort);
  const bytes = new Uint8Array(readFileSync(file));
  const { manifest } = await poetManifest(checkpoint, weights, 'test');
  return { manifest, model: () => bytes, ort: async () => ort };
}

/** runPoet in this process: its stdout, or the test fails with its stderr. */
async function answer(assets: PoetAssets, args: string[]): Promise<string> {
  const c = captureIO();
  expect(await runClient(args, c.io, assets), c.err()).toBe(0);
  return c.out();
}

async function watermarkedCheckpoint(): Promise<string> {
  const tokenizer = new CharTokenizer(CHARS);
  const config = normalizeConfig({ context: 64, layers: 2, hidden: 32, heads: 4, kv_heads: 2, ffn: 64, vocab_size: tokenizer.vocabSize, init_std: 0.3, backend: 'cpu', watermark_eval_every: 0 }, 'test');
  const gpt = resolveGptConfig({ ...config, vocabSize: tokenizer.vocabSize });
  const w = initWeights(gpt, 4);
  const model = await readTensors(w);
  disposeWeights(w);
  const run = mkdtempSync(join(tmpdir(), 'versiflow-poet-run-'));
  const { path } = await saveCheckpoint(run, {
    model,
    optimizer: [],
    tokenizer: tokenizer.toJSON(),
    state: {
      format: 'versiflow-checkpoint', version: 1, step: 0, epoch: 0, config: configToSnake(config),
      data: { seed: 1, step: 0, trainExamples: 0 }, optimizerStep: 0, bestValLoss: null,
      tokenizerHash: tokenizer.hash, params: countParams(gpt), savedAt: new Date(0).toISOString(),
    },
  });
  writeFileSync(join(path, 'recommended_decoding.json'), JSON.stringify({ temperature: 0.7, top_k: 20, top_p: 0.9, repetition_penalty: 1.3, no_repeat_ngram_size: 0 }));
  return path;
}

describe('versiflow build-chat', () => {
  let checkpoint = '';
  let empty = '';
  let poet = '';
  let buildOut = '';
  let int8: PoetAssets;
  let fp32: PoetAssets;
  const dirs: string[] = [];

  beforeAll(async () => {
    checkpoint = await watermarkedCheckpoint();
    const build = mkdtempSync(join(tmpdir(), 'versiflow-poet-build-'));
    empty = mkdtempSync(join(tmpdir(), 'versiflow-poet-empty-'));
    const work = mkdtempSync(join(tmpdir(), 'versiflow-poet-models-'));
    dirs.push(build, empty, work);
    int8 = await inProcessPoet(checkpoint, 'int8', work);
    fp32 = await inProcessPoet(checkpoint, 'fp32', work);
    const cap = captureIO();
    const code = await main(['build-chat', '--checkpoint', checkpoint, '--out', join(build, 'poet')], cap.io);
    buildOut = cap.out();
    expect(code, cap.err()).toBe(0);
    poet = join(empty, 'poet');
    copyFileSync(join(build, 'poet'), poet);
    rmSync(build, { recursive: true, force: true });
  }, 300_000);

  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** The poet alone: no node on PATH, no NODE_PATH, HOME (its onnxruntime cache) in the empty directory. */
  const runPoet = (args: string[], input?: string) =>
    new Promise<{ stdout: string; stderr: string; code: number }>((res) => {
      const child = execFile(poet, args, { cwd: empty, env: { PATH: '/nonexistent', HOME: empty }, timeout: 60_000 }, (err, stdout, stderr) => res({ stdout, stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 }));
      if (input !== undefined) child.stdin?.end(input);
    });

  it('says what it holds: int8 weights by default, the recommended decoding and the training watermark as defaults', () => {
    expect(buildOut).toMatch(/wrote .*poet \(\d+\.\d MiB\): node .* onnxruntime .* int8 weights/);
    expect(buildOut).toContain('decoding defaults from');
    expect(buildOut).toContain('watermark poetru on by default');
  });

  it("answers --prompt without node or node_modules, greedy output equal to the poet's client on the same int8 model; that client on fp32 equals versiflow generate --temperature 0", async () => {
    expect(readdirSync(empty)).toEqual(['poet']);
    await expect(exec('sh', ['-c', 'command -v node'], { env: { PATH: '/nonexistent' } })).rejects.toThrow();
    const greedy = ['--prompt', 'the moon ', '--temperature', '0', '--max-new-tokens', '40', '--min-new-tokens', '40']; // random weights: int8's greedy path meets EOS early
    const r = await runPoet(greedy);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\[40 tokens in [\d.]+ s, [\d.]+ tok\/s, loaded in \d+ ms, \d+ green \(poetru\)\]/);
    expect(existsSync(join(empty, '.cache', 'versiflow-poet'))).toBe(true);
    expect(r.stdout).toBe(await answer(int8, greedy));
    expect(r.stdout.length).toBeGreaterThan('the moon \n'.length);

    // the watermark changes greedy output here (the test fails if the default were ignored)
    const off = await runPoet([...greedy, '--watermark', 'off']);
    expect(off.code, off.stderr).toBe(0);
    expect(off.stdout).toBe(await answer(int8, [...greedy, '--watermark', 'off']));
    expect(off.stdout).not.toBe(r.stdout);

    // the same client on the fp32 model (ORT format, prepacked) is tfjs's greedy decoding, watermark default included
    const cap = captureIO();
    expect(await main(['generate', '--checkpoint', checkpoint, ...greedy, '--watermark', 'poetru'], cap.io)).toBe(0);
    expect(await answer(fp32, greedy)).toBe(cap.out());
    const plain = captureIO();
    expect(await main(['generate', '--checkpoint', checkpoint, ...greedy], plain.io)).toBe(0);
    expect(await answer(fp32, [...greedy, '--watermark', 'off'])).toBe(plain.out());
    expect(plain.out()).not.toBe(cap.out());
  }, 120_000);

  it('chats: slash commands, streamed answers with tokens/s, /quit', async () => {
    const r = await runPoet([], '/temperature 0\n/max_tokens 12\n/top_k abc\nhello there\n/watermark off\n/reset\n/help\n/quit\n');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('(temperature = 0)');
    expect(r.stdout).toContain('(max_tokens = 12)');
    expect(r.stdout).toContain('/top_k needs an integer ≥ 0 (0 = off); got "abc"');
    expect(r.stdout).toMatch(/\n\(12 tokens, [\d.]+ tok\/s\)\n/);
    expect(r.stdout).toContain('(conversation cleared)');
    expect(r.stdout).toContain('/system TEXT|off');
    expect(r.stderr).toContain('watermark poetru on');
  }, 60_000);

  it('refuses another --target, and an existing --out without --force, saying why', async () => {
    const cap = captureIO();
    expect(await main(['build-chat', '--checkpoint', checkpoint, '--out', join(empty, 'x'), '--target', 'darwin-arm64'], cap.io)).toBe(2);
    expect(cap.err()).toContain('--target darwin-arm64 cannot be built on this linux-x64 machine');
    expect(existsSync(join(empty, 'x'))).toBe(false);
    const again = captureIO();
    expect(await main(['build-chat', '--checkpoint', checkpoint, '--out', poet], again.io)).toBe(2);
    expect(again.err()).toContain('exists; choose another --out or pass --force');
  });
});
