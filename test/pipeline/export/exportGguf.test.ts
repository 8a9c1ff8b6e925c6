import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getLlama, type Llama, LlamaLogLevel, type Token } from 'node-llama-cpp';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { decodeGguf } from '../../../src/model/formats/gguf/ggufFile.ts';
import { generateTokens } from '../../../src/model/nn/generate.ts';
import { trainBpe } from '../../../src/model/tokenizer/bpeTrainer.ts';
import { SentencePieceBpeTokenizer } from '../../../src/model/tokenizer/sentencePieceBpeTokenizer.ts';
import type { Tokenizer } from '../../../src/model/tokenizer/types.ts';
import { exportGguf } from '../../../src/pipeline/export/exportGguf.ts';
import { withModel } from '../../../src/pipeline/withModel.ts';
import { readCorpus } from '../../../src/streams/sources/readCorpus.ts';
import { captureIO } from '../../cli/checkpointFixture.ts';
import { learnSpBpe, llama2TokenizerJson } from '../../model/tokenizer/sentencePieceFixture.ts';
import { writeModelCheckpoint } from './modelFixture.ts';

/**
 * GGUF exports loaded by llama.cpp (node-llama-cpp 3.21.1, its prebuilt CPU binary, no download or
 * build): greedy generation gives the same token ids as Versiflow's own greedy generation, and
 * llama.cpp's tokenizer the same ids as Versiflow's. Random-weight models (init std 0.3, so the
 * greedy path is not degenerate), 64 wide, context 64.
 */

const N = 40;
const SMALL = { context: 64, hidden: 64, heads: 4, kv_heads: 2, ffn: 128 };

let llama: Llama;
beforeAll(async () => {
  llama = await getLlama({ gpu: false, build: 'never', usePrebuiltBinaries: true, skipDownload: true, logLevel: LlamaLogLevel.error, progressLogs: false });
});
afterAll(async () => {
  await llama?.dispose();
});

/** Versiflow's greedy ids after `prompt` (what `versiflow generate --temperature 0` samples), up to EOS. */
async function versiflowGreedy(run: string, prompt: number[], n: number): Promise<number[]> {
  return withModel(run, { backend: 'cpu' }, async (m) => {
    const ids: number[] = [];
    for await (const t of generateTokens({ weights: m.weights, config: m.gpt, tokenizer: m.tokenizer }, prompt, { maxNewTokens: n, temperature: 0, topK: 0 })) {
      if (t.finish === 'eos') break;
      ids.push(t.id);
    }
    return ids;
  });
}

/** llama.cpp's greedy ids after `prompt`, up to `eos` or n; with llama.cpp's tokenization of `texts` and its detokenization of the ids. */
async function llamaCppGreedy(file: string, prompt: number[], n: number, eos: number, texts: readonly string[] = []) {
  const model = await llama.loadModel({ modelPath: file });
  try {
    const ctx = await model.createContext({ contextSize: 64, threads: 1 }); // more threads than free cores make ggml's spinning workers crawl
    const ids: number[] = [];
    for await (const t of ctx.getSequence().evaluate(prompt as Token[], { temperature: 0, yieldEogToken: true })) {
      if (t === eos) break;
      ids.push(t);
      if (ids.length >= n) break;
    }
    await ctx.dispose();
    return { ids, tokenized: texts.map((s) => [...model.tokenize(s, false)] as number[]), text: model.detokenize(ids as Token[]) };
  } finally {
    await model.dispose();
  }
}

async function roundTrip(keys: Record<string, unknown>, type: 'f32' | 'f16' | 'q8_0', opts: { tokenizer?: Tokenizer; prompt: string; texts?: string[] }) {
  const { runDir, tokenizer } = await writeModelCheckpoint({ ...SMALL, ...keys }, { std: 0.3, tokenizer: opts.tokenizer });
  const r = await exportGguf({ checkpoint: runDir, out: join(runDir, 'gguf'), type });
  const prompt = tokenizer.encode(opts.prompt);
  const ours = await versiflowGreedy(runDir, prompt, N);
  const theirs = await llamaCppGreedy(r.file, prompt, N, tokenizer.eosId, [opts.prompt, ...(opts.texts ?? [])]);
  return { runDir, r, tokenizer, ours, theirs, prompt };
}

const agreement = (a: readonly number[], b: readonly number[]) => {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
};

describe('export --format gguf, loaded by llama.cpp (node-llama-cpp)', () => {
  it('llama arch, char tokenizer, GQA, f32: same greedy ids, same tokenization, and the CLI prints the same text', async () => {
    const { runDir, r, tokenizer, ours, theirs } = await roundTrip({}, 'f32', { prompt: 'abc de' });
    expect(r.family).toBe('llama');
    expect(ours.length).toBe(N);
    expect(theirs.ids).toEqual(ours);
    expect(theirs.tokenized[0]).toEqual(tokenizer.encode('abc de'));
    const c = captureIO();
    expect(await main(['generate', '--checkpoint', runDir, '--prompt', 'abc de', '--temperature', '0', '--max-new-tokens', String(N), '--backend', 'cpu'], c.io)).toBe(0);
    expect(c.out()).toBe(`abc de${theirs.text}\n`);
    const g = decodeGguf(readFileSync(r.file));
    expect(g.kv.get('general.architecture')).toBe('llama');
    expect(g.kv.get('llama.attention.head_count_kv')).toBe(2);
    expect(g.tensors.find((t) => t.name === 'blk.0.attn_q.weight')?.ne).toEqual([64, 64]);
  });

  it('f16 gives the same greedy ids; q8_0 agrees on a prefix (measured, printed)', async () => {
    const f16 = await roundTrip({}, 'f16', { prompt: 'abc de' });
    expect(f16.theirs.ids).toEqual(f16.ours);
    const q8 = await roundTrip({}, 'q8_0', { prompt: 'abc de' });
    const n = agreement(q8.ours, q8.theirs.ids);
    console.log(`gguf q8_0: llama.cpp's greedy ids equal Versiflow's float32 ones for the first ${n} of ${N} tokens`);
    expect(q8.theirs.ids.length).toBe(N);
    expect(n).toBeGreaterThanOrEqual(1);
    const g = decodeGguf(readFileSync(q8.r.file));
    expect(g.tensors.find((t) => t.name === 'blk.0.ffn_down.weight')?.type).toBe(8); // Q8_0 (rows of 128)
    expect(g.tensors.find((t) => t.name === 'blk.0.attn_norm.weight')?.type).toBe(0); // norms stay F32
  });

  it('llama arch, byte-level BPE (trained on en_poetry), interleaved RoPE, q/k/v/o and MLP biases: same ids for text and generation', async () => {
    const rows = await lastValueFrom(readCorpus('data/en_poetry.parquet', { maxDocs: 120 }).pipe(toArray()));
    const texts = rows.map((r) => r.text);
    const bpe = trainBpe(texts.slice(20), { vocabSize: 400, specialTokens: ['[PAD]', '[EOS]', '[UNK]'] });
    const lines = texts.slice(0, 20).flatMap((t) => t.split('\n')).filter((l) => l.trim()).slice(0, 40);
    const { ours, theirs, tokenizer } = await roundTrip({ rope_style: 'interleaved', attn_bias: true, mlp_bias: true }, 'f32', { tokenizer: bpe, prompt: lines[0], texts: lines });
    lines.forEach((l, i) => expect(theirs.tokenized[i + 1], l).toEqual(tokenizer.encode(l)));
    expect(ours.length).toBeGreaterThan(10);
    expect(theirs.ids).toEqual(ours);
    expect(theirs.text).toBe(tokenizer.decode(ours));
  });

  it('a SentencePiece-style BPE (Llama 2 layout, byte fallback) as llama.cpp\'s SPM vocabulary: same ids for English and Russian text and for generation', async () => {
    const read = (f: string, n: number) => lastValueFrom(readCorpus(f, { maxDocs: n }).pipe(toArray())).then((rs) => rs.map((r) => r.text));
    const [en, ru] = await Promise.all([read('data/en_poetry.parquet', 100), read('data/ru_poetry.parquet', 3)]);
    const sp = SentencePieceBpeTokenizer.fromJSON(llama2TokenizerJson(learnSpBpe(en.slice(0, 80), 300)));
    const lines = [...en.slice(80), ...ru].flatMap((t) => t.split('\n')).filter((l) => l.trim()).slice(0, 120);
    const { r, ours, theirs, tokenizer } = await roundTrip({ vocab_size: 704 }, 'f32', { tokenizer: sp, prompt: 'The sea', texts: lines });
    expect(decodeGguf(readFileSync(r.file)).kv.get('tokenizer.ggml.model')).toBe('llama');
    lines.forEach((l, i) => expect(theirs.tokenized[i + 1], l).toEqual(tokenizer.encode(l)));
    expect(ours.length).toBeGreaterThan(10);
    expect(theirs.ids).toEqual(ours);
  });

  it('a Poetru-style model (latent K/V folded, fused gate_up, head_dim ≠ hidden/heads, untied head): same greedy ids', async () => {
    const { r, ours, theirs } = await roundTrip({ attention: 'latent', kv_latent: 32, fused_gate_up: true, head_dim: 32, tied: false, mlp_bias: true }, 'f32', { prompt: 'abc de' });
    const g = decodeGguf(readFileSync(r.file));
    expect([g.kv.get('llama.attention.key_length'), g.kv.get('llama.rope.dimension_count')]).toEqual([32, 32]);
    expect(g.tensors.find((t) => t.name === 'output.weight')?.ne).toEqual([64, 43]);
    expect(ours.length).toBeGreaterThan(10);
    expect(theirs.ids).toEqual(ours);
  });

  it('gpt2 arch (LayerNorm, learned positions, GELU, biases), f32: same greedy ids', async () => {
    const { r, ours, theirs } = await roundTrip({ norm: 'layer', norm_bias: true, positions: 'learned', mlp: 'gelu', kv_heads: 4, attn_bias: true, mlp_bias: true }, 'f32', { prompt: 'the sea' });
    expect(r.family).toBe('gpt2');
    expect(ours.length).toBeGreaterThan(10);
    expect(theirs.ids).toEqual(ours);
  });

  it('the CLI writes model-<type>.gguf and prints the arch and notes; refuses a model with no llama.cpp architecture', async () => {
    const { runDir } = await writeModelCheckpoint({ hidden: 48, ffn: 128 });
    const c = captureIO();
    expect(await main(['export', '--checkpoint', runDir, '--format', 'gguf', '--gguf-type', 'q8_0', '--out', join(runDir, 'g')], c.io)).toBe(0);
    expect(c.out()).toMatch(/^exported .* as GGUF \(llama\.cpp arch llama, 20 tensors\) to .*model-q8_0\.gguf \(0\.\d\d MiB\)\n/);
    expect(c.out()).toMatch(/note: kept F16, rows not a multiple of 32 for Q8_0: token_embd\.weight, blk\.0\.attn_q\.weight, .*blk\.1\.ffn_up\.weight\n/);
    expect(c.out()).not.toMatch(/kept F16.*ffn_down/); // rows of ffn = 128 are quantised
    const { path } = await writeModelCheckpoint({ mlp: 'gelu' });
    const d = captureIO();
    expect(await main(['export', '--checkpoint', path, '--format', 'gguf', '--out', join(runDir, 'h')], d.io)).toBe(2);
    expect(d.err()).toMatch(/export --format gguf: this model has no faithful llama\.cpp architecture: mlp: gelu/);
    const e = captureIO();
    expect(await main(['export', '--checkpoint', path, '--format', 'gguf', '--gguf-type', 'q4', '--out', join(runDir, 'h')], e.io)).toBe(2);
    expect(e.err()).toMatch(/--gguf-type takes f32, f16, q8_0; got "q4"/);
  });
});

describe('export --format gguf of an exact-GELU GPT-2', () => {
  it('writes it with a note that llama.cpp computes the tanh GELU; a tanh-GELU one gets no such note', async () => {
    const keys = { norm: 'layer', positions: 'learned', mlp: 'gelu', kv_heads: 4 };
    const exact = await writeModelCheckpoint({ ...keys, gelu: 'exact' });
    const r = await exportGguf({ checkpoint: exact.path, out: join(exact.runDir, 'gguf'), type: 'f32' });
    expect(r.family).toBe('gpt2');
    expect(r.notes.join('\n')).toMatch(/gelu: exact \(erf\) trained, but llama\.cpp's gpt2 architecture computes the tanh GELU .* at most 4\.7e-4/);
    const tanh = await writeModelCheckpoint(keys);
    const t = await exportGguf({ checkpoint: tanh.path, out: join(tanh.runDir, 'gguf'), type: 'f32' });
    expect(t.notes.join('\n')).not.toMatch(/tanh GELU/);
  });
});
