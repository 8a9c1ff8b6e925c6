/**
 * The poet's client in this process (no single executable): onnxruntime-node on the checkpoint's ONNX
 * export. A model with the chat tokens: --prompt is a user message through the chat template and the
 * greedy answer equals `versiflow generate --chat --temperature 0`; the REPL sends turns; --version
 * says what was embedded; a bad flag is refused naming it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { poetManifest } from '../../../src/cli/ship/buildChat.ts';
import type { OrtModule } from '../../../src/cli/ship/onnxDecoder.ts';
import { type PoetAssets, runPoet } from '../../../src/cli/ship/poetMain.ts';
import { configToSnake, normalizeConfig } from '../../../src/core/config/normalizeConfig.ts';
import { readTensors } from '../../../src/model/nn/checkpoint.ts';
import { disposeWeights, initWeights } from '../../../src/model/nn/gpt.ts';
import { countParams, resolveGptConfig } from '../../../src/model/nn/gptConfig.ts';
import { trainBpe } from '../../../src/model/tokenizer/bpeTrainer.ts';
import { CHAT_TOKENS } from '../../../src/model/tokenizer/chatTemplate.ts';
import { exportOnnx } from '../../../src/pipeline/export/exportOnnx.ts';
import { saveCheckpoint } from '../../../src/streams/checkpoints/checkpointStore.ts';
import { captureIO } from '../checkpointFixture.ts';

let checkpoint = '';
let assets: PoetAssets;
const dirs: string[] = [];

beforeAll(async () => {
  const tokenizer = trainBpe(['Hello there, how are you? I am fine, thank you.', 'The moon is bright tonight over the sea.'], { vocabSize: 300, specialTokens: ['[PAD]', '[EOS]', '[UNK]', ...CHAT_TOKENS] });
  const config = normalizeConfig({ context: 64, layers: 2, hidden: 32, heads: 4, kv_heads: 2, ffn: 64, vocab_size: tokenizer.vocabSize, init_std: 0.3, backend: 'cpu' }, 'test');
  const gpt = resolveGptConfig({ ...config, vocabSize: tokenizer.vocabSize });
  const w = initWeights(gpt, 11);
  const model = await readTensors(w);
  disposeWeights(w);
  const run = mkdtempSync(join(tmpdir(), 'versiflow-poet-chat-'));
  const out = mkdtempSync(join(tmpdir(), 'versiflow-poet-onnx-'));
  dirs.push(run, out);
  ({ path: checkpoint } = await saveCheckpoint(run, {
    model, optimizer: [], tokenizer: tokenizer.toJSON(),
    state: { format: 'versiflow-checkpoint', version: 1, step: 0, epoch: 0, config: configToSnake(config), data: { seed: 1, step: 0, trainExamples: 0 }, optimizerStep: 0, bestValLoss: null, tokenizerHash: tokenizer.hash, params: countParams(gpt), savedAt: new Date(0).toISOString() },
  }));
  await exportOnnx(checkpoint, out, { variants: ['fp32'], force: true });
  const { manifest } = await poetManifest(checkpoint, 'fp32', 'test', 'onnx');
  expect(manifest.prepack).toBe(true);
  const bytes = new Uint8Array(readFileSync(join(out, 'onnx/model.onnx')));
  assets = { manifest, model: () => bytes, ort: async () => ((await import('onnxruntime-node')) as unknown as { default: OrtModule }).default };
}, 120_000);

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('the poet client (in process)', () => {
  it('a chat model: --prompt is a user message; greedy answer equals generate --chat --temperature 0', async () => {
    expect(assets.manifest.chat).toBe(true);
    const flags = ['--prompt', 'Hello there', '--temperature', '0', '--max-new-tokens', '20', '--min-new-tokens', '20'];
    const p = captureIO();
    expect(await runPoet(flags, p.io, assets), p.err()).toBe(0);
    const g = captureIO();
    expect(await main(['generate', '--checkpoint', checkpoint, '--chat', ...flags, '--backend', 'cpu'], g.io), g.err()).toBe(0);
    expect(p.out()).toBe(g.out());
    expect(p.out().length).toBeGreaterThan(5);
    expect(p.err()).toMatch(/^\[20 tokens in [\d.]+ s, [\d.]+ tok\/s, loaded in \d+ ms\]\n$/);
  });

  it('the REPL: a conversation with slash commands, and the same greedy answer for the same first turn', async () => {
    const input = new PassThrough();
    const c = captureIO();
    const done = runPoet([], c.io, assets, input);
    input.end('/temperature 0\n/max_tokens 20\nHello there\n/quit\n');
    expect(await done, c.err()).toBe(0);
    const g = captureIO();
    expect(await main(['generate', '--checkpoint', checkpoint, '--chat', '--prompt', 'Hello there', '--temperature', '0', '--max-new-tokens', '20', '--backend', 'cpu'], g.io)).toBe(0);
    const answer = g.out().slice(0, -1);
    expect(c.out()).toContain(`> ${answer}\n(`);
    expect(c.out()).toMatch(/\(\d+ tokens, [\d.]+ tok\/s\)/);
  });

  it("the manifest's load plan: int8 in ORT format without prepacking, fp32 in ORT format prepacked, fp16 as .onnx", async () => {
    const plan = async (w: 'int8' | 'fp32' | 'fp16') => {
      const { manifest } = await poetManifest(checkpoint, w, 'test');
      return [manifest.modelFormat, manifest.prepack];
    };
    expect(await plan('int8')).toEqual(['ort', false]);
    expect(await plan('fp32')).toEqual(['ort', true]);
    expect(await plan('fp16')).toEqual(['onnx', true]);
  });

  it('--version and a refused flag', async () => {
    const v = captureIO();
    expect(await runPoet(['--version'], v.io, assets)).toBe(0);
    expect(v.out()).toContain(`versiflow poet: ${checkpoint}, fp32 weights`);
    const bad = captureIO();
    expect(await runPoet(['--prompt', 'x', '--top-k', '-1'], bad.io, assets)).toBe(2);
    expect(bad.err()).toMatch(/topK = -1 is invalid/);
    const unknown = captureIO();
    expect(await runPoet(['--checkpoint', 'x'], unknown.io, assets)).toBe(2);
  });
});
