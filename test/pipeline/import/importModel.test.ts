import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeConfig } from '../../../src/core/config/normalizeConfig.ts';
import { generateIds } from '../../../src/model/nn/generate.ts';
import { resolveGptConfig } from '../../../src/model/nn/gptConfig.ts';
import { disposeWeights } from '../../../src/model/nn/gpt.ts';
import { Rng } from '../../../src/model/nn/rng.ts';
import { trainBpe } from '../../../src/model/tokenizer/bpeTrainer.ts';
import { exportHf } from '../../../src/pipeline/export/exportHf.ts';
import { importModel } from '../../../src/pipeline/import/importModel.ts';
import { loadModel } from '../../../src/pipeline/withModel.ts';
import { loadCheckpoint } from '../../../src/streams/checkpoints/checkpointStore.ts';
import { samplePoems } from '../../model/tokenizer/hfReference.ts';
import { versiflowLogits, writeModelCheckpoint } from '../export/modelFixture.ts';

const tmp = (name: string) => join(mkdtempSync(join(tmpdir(), 'vf-import-')), name);
const fixture = (f: string) => new URL(`../../fixtures/torch/${f}`, import.meta.url).pathname;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Greedy ids from a checkpoint (or run directory). */
async function greedy(spec: string, prompt: number[], n = 24): Promise<number[]> {
  const m = await loadModel(spec);
  try {
    return await generateIds(m.weights, m.gpt, prompt, n, { temperature: 0, topK: 0 }, new Rng(1));
  } finally {
    disposeWeights(m.weights);
  }
}

const FAMILIES = {
  'Llama (GQA, untied, attention and MLP biases), char tokenizer': { keys: { attn_bias: true, mlp_bias: true, tied: false }, bpe: false, kind: 'hf-llama' },
  'GPT-2 (every bias, tied), byte-level BPE tokenizer': {
    keys: { norm: 'layer', norm_bias: true, positions: 'learned', attention: 'mha', kv_heads: 0, mlp: 'gelu', attn_bias: true, mlp_bias: true, dropout: 0.1, data: 'data/en_poetry.parquet' },
    bpe: true,
    kind: 'hf-gpt2',
  },
} as const;

describe('export → import round trip', () => {
  for (const [name, f] of Object.entries(FAMILIES)) {
    it(`${name}: identical tensors (bit-equal), tokenizer and architecture, and identical greedy generation`, async () => {
      const tokenizer = f.bpe ? trainBpe(samplePoems().slice(200), { vocabSize: 300, specialTokens: ['[PAD]', '[EOS]', '[UNK]'] }) : undefined;
      const src = await writeModelCheckpoint(f.keys, { tokenizer, std: 0.5 });
      const hf = tmp('hf');
      await exportHf({ checkpoint: src.path, out: hf });
      const r = await importModel({ from: hf, out: tmp('run') });
      expect(r.kind).toBe(f.kind);
      expect(r.warnings).toEqual([]);
      const a = await loadCheckpoint(src.path);
      const b = await loadCheckpoint(r.checkpoint);
      expect([...b.model.keys()]).toEqual([...a.model.keys()]);
      for (const [k, t] of a.model) expect(Buffer.from(b.model.get(k)!.data.buffer).equals(Buffer.from(t.data.buffer)), k).toBe(true);
      expect(b.state.tokenizerHash).toBe(a.state.tokenizerHash);
      const arch = (c: Record<string, unknown>) => resolveGptConfig(normalizeConfig(c));
      const [ga, gb] = [arch(a.state.config), arch(b.state.config)];
      for (const k of ['vocabSize', 'context', 'layers', 'hidden', 'norm', 'normEps', 'normBias', 'positions', 'ropeTheta', 'ropeStyle', 'heads', 'kvHeads', 'headDim', 'attnBias', 'mlp', 'ffn', 'mlpBias', 'fusedGateUp', 'tied', 'dropout'] as const) {
        expect(gb[k], k).toEqual(ga[k]);
      }
      const prompt = src.tokenizer.encode('the ');
      const ids = await greedy(src.path, prompt);
      expect(new Set(ids).size).toBeGreaterThan(2); // a sequence that depends on the weights
      expect(await greedy(r.out, prompt)).toEqual(ids);
    });
  }

  it('a Poetru-style model (latent K/V, fused gate_up, interleaved RoPE) comes back as Llama GQA with the same logits and greedy text', async () => {
    const src = await writeModelCheckpoint({ attention: 'latent', kv_latent: 8, fused_gate_up: true, mlp_bias: true, rope_style: 'interleaved' }, { std: 0.5 });
    const hf = tmp('hf');
    await exportHf({ checkpoint: src.path, out: hf });
    const r = await importModel({ from: hf, out: tmp('run') });
    const b = await loadCheckpoint(r.checkpoint);
    expect(b.state.config).toMatchObject({ attention: 'gqa', kv_latent: 0, fused_gate_up: false, rope_style: 'half' });
    const ids = [3, 9, 14, 20, 4, 7, 30, 11];
    const m = await loadModel(r.out);
    const back = [...m.weights].map(([name, v]) => ({ name, shape: v.shape, data: v.dataSync() as Float32Array }));
    const want = versiflowLogits(src.gpt, src.tensors, ids);
    const diff = versiflowLogits(m.gpt, back, ids).reduce((mx, x, i) => Math.max(mx, Math.abs(x - want[i])), 0);
    disposeWeights(m.weights);
    expect(diff).toBeLessThan(1e-4);
    const prompt = src.tokenizer.encode('ab');
    expect(await greedy(r.out, prompt)).toEqual(await greedy(src.path, prompt));
  });

  it('writes config.yaml (architecture, out, resume: latest, the tokenizer file) and a zero AdamW state at step 0', async () => {
    const src = await writeModelCheckpoint({});
    const hf = tmp('hf');
    await exportHf({ checkpoint: src.path, out: hf });
    const out = tmp('run');
    const r = await importModel({ from: hf, out, name: 'mine' });
    const y = parse(readFileSync(r.configFile, 'utf8'));
    expect(y).toMatchObject({ name: 'mine', out, resume: 'latest', tokenizer: join(out, 'tokenizer.json'), layers: 2, hidden: 16, kv_heads: 2 });
    const ck = await loadCheckpoint(r.checkpoint);
    expect(ck.state).toMatchObject({ step: 0, optimizerStep: 0 });
    expect(ck.optimizer.size).toBe(2 * ck.model.size);
    expect([...ck.optimizer.values()].every((t) => t.data.every((x) => x === 0))).toBe(true);
  });
});

describe('importModel: sources', () => {
  it('a nanoGPT ckpt.pt with its meta.pkl beside it: GPT-2 family, char tokenizer shifted by the 3 specials, warnings stated (none for the GELU: gelu: exact)', async () => {
    const r = await importModel({ from: fixture('nanogpt/ckpt.pt'), out: tmp('nano') });
    expect(r.kind).toBe('nanogpt');
    expect(r.warnings.join('\n')).toMatch(/3 new embedding rows are zeros/);
    const ck = await loadCheckpoint(r.checkpoint);
    expect(ck.state.config).toMatchObject({ vocab_size: 13, context: 8, norm: 'layer', positions: 'learned', mlp: 'gelu', gelu: 'exact', lr: 0.001, max_steps: 5000 });
    expect(ck.tokenizer).toMatchObject({ type: 'char', chars: ['\n', ' ', '!', 'a', 'b', 'c', 'd', 'e', 'f', 'g'] });
    expect(parse(readFileSync(r.configFile, 'utf8'))).toMatchObject({ lr: 0.001, warmup_steps: 100 });
    // the characters' logits keep nanoGPT's order and differences: same greedy continuation as the reference's argmax
    const ref = JSON.parse(readFileSync(fixture('nanogpt/reference.json'), 'utf8')) as { ids: number[]; logits_erf: number[] };
    const m = await loadModel(r.out);
    const w = [...m.weights].map(([name, v]) => ({ name, shape: v.shape, data: v.dataSync() as Float32Array }));
    const ours = versiflowLogits(m.gpt, w, ref.ids.map((i) => i + 3));
    disposeWeights(m.weights);
    for (let t = 0; t < ref.ids.length; t++) {
      const row = ours.slice(t * 13 + 3, t * 13 + 13);
      const want = ref.logits_erf.slice(t * 10, t * 10 + 10);
      for (let j = 0; j < 10; j++) expect(Math.abs(row[j] - want[j])).toBeLessThan(5e-5);
    }
  });

  it('a nanoGPT checkpoint elsewhere needs --tokenizer (meta.pkl or tokenizer.json); a tokenizer.json larger than the model is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vf-nano-'));
    cpSync(fixture('nanogpt-nobias/ckpt.pt'), join(dir, 'ckpt.pt'));
    await expect(importModel({ from: join(dir, 'ckpt.pt'), out: tmp('x') })).rejects.toThrow(/carries no tokenizer: pass --tokenizer/);
    const ok = await importModel({ from: join(dir, 'ckpt.pt'), out: tmp('x'), tokenizer: fixture('nanogpt-nobias/meta.pkl') });
    expect(ok.kind).toBe('nanogpt');
    const big = trainBpe(samplePoems().slice(0, 30), { vocabSize: 280, specialTokens: ['[PAD]', '[EOS]', '[UNK]'] });
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(big.toJSON()));
    await expect(importModel({ from: join(dir, 'ckpt.pt'), out: tmp('x'), tokenizer: join(dir, 'tokenizer.json') })).rejects.toThrow(/tokenizer has \d+ ids but the model only 10 embedding rows/);
  });

  it('names what it cannot read: a folder without weights, a foreign model_type, a tokenizer.json that is not BPE (named), a pickle that calls os.system', async () => {
    const src = await writeModelCheckpoint({});
    const hf = tmp('hf');
    await exportHf({ checkpoint: src.path, out: hf });
    const noWeights = mkdtempSync(join(tmpdir(), 'vf-hfw-'));
    cpSync(join(hf, 'config.json'), join(noWeights, 'config.json'));
    await expect(importModel({ from: noWeights, out: tmp('x') })).rejects.toThrow(/no model\.safetensors, model\.safetensors\.index\.json or pytorch_model\.bin/);
    const cfg = JSON.parse(readFileSync(join(hf, 'config.json'), 'utf8'));
    writeFileSync(join(noWeights, 'config.json'), JSON.stringify({ ...cfg, model_type: 'qwen3' }));
    await expect(importModel({ from: noWeights, out: tmp('x') })).rejects.toThrow(/model_type "qwen3" is not supported/);
    const wp = mkdtempSync(join(tmpdir(), 'vf-hft-'));
    for (const f of ['config.json', 'model.safetensors']) cpSync(join(hf, f), join(wp, f));
    writeFileSync(join(wp, 'tokenizer.json'), JSON.stringify({ model: { type: 'WordPiece', vocab: {} }, pre_tokenizer: null, decoder: null }));
    await expect(importModel({ from: wp, out: tmp('x') })).rejects.toThrow(/tokenizer\.json: model type WordPiece \(WordPiece \(BERT style\)\) is not supported; Versiflow reads BPE tokenizers: byte-level/);
    await expect(importModel({ from: fixture('evil.pt'), out: tmp('x'), tokenizer: fixture('nanogpt/meta.pkl') })).rejects.toThrow(/"posix\.system", which this reader does not allow/);
  });
});
