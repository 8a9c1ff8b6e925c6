import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { nanoGptChars, nanoGptToVersiflow, shiftForSpecials } from '../../../../src/model/formats/torch/nanoGpt.ts';
import { PLAIN_GLOBALS, unpickle } from '../../../../src/model/formats/torch/pickle.ts';
import { readTorchCheckpoint } from '../../../../src/model/formats/torch/torchCheckpoint.ts';
import { paramSpecs, resolveGptConfig } from '../../../../src/model/nn/gptConfig.ts';
import { versiflowLogits } from '../../../pipeline/export/modelFixture.ts';

const fixture = (f: string) => new Uint8Array(readFileSync(new URL(`../../../fixtures/torch/${f}`, import.meta.url)));
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('nanoGptToVersiflow (fixtures: scripts/make_torch_fixtures.py)', () => {
  for (const [dir, bias, layers] of [['nanogpt', true, 1], ['nanogpt-nobias', false, 2]] as const) {
    it(`${dir}: model_args → a GPT-2-family config, _orig_mod. stripped, every tensor in paramSpecs order`, () => {
      const r = nanoGptToVersiflow(readTorchCheckpoint(fixture(`${dir}/ckpt.pt`), 'ckpt.pt'), 'ckpt.pt');
      expect(r.arch).toMatchObject({ vocabSize: 10, context: 8, layers, hidden: 8, heads: 2, norm: 'layer', normBias: bias, positions: 'learned', attention: 'mha', attnBias: bias, mlp: 'gelu', gelu: 'exact', ffn: 32, mlpBias: bias, tied: true });
      const gpt = resolveGptConfig(r.arch);
      expect(r.tensors.map((t) => t.name)).toEqual(paramSpecs(gpt).map((s) => s.name));
      expect(r.iterNum).toBe(5);
      expect(r.bestValLoss).toBe(2.25);
      expect(r.recipe).toMatchObject({ lr: 0.001, max_steps: 5000, warmup_steps: 100, beta2: 0.99, schedule: 'cosine', eval_every: 250 });
      expect(r.warnings).toEqual([]); // nanoGPT's nn.GELU() is gelu: exact, so nothing differs
    });

    it(`${dir}: Versiflow's logits equal nanoGPT's forward (erf GELU, float64 reference); with gelu: tanh they equal the tanh variant instead`, () => {
      const ref = JSON.parse(readFileSync(new URL(`../../../fixtures/torch/${dir}/reference.json`, import.meta.url), 'utf8')) as { ids: number[]; logits_tanh: number[]; logits_erf: number[] };
      const r = nanoGptToVersiflow(readTorchCheckpoint(fixture(`${dir}/ckpt.pt`), 'ckpt.pt'), 'ckpt.pt');
      const ours = versiflowLogits(resolveGptConfig(r.arch), r.tensors, ref.ids);
      expect(Math.max(...ref.logits_erf.map(Math.abs))).toBeGreaterThan(1);
      expect(maxDiff(ours, ref.logits_erf)).toBeLessThan(5e-5);
      const tanh = versiflowLogits(resolveGptConfig({ ...r.arch, gelu: 'tanh' }), r.tensors, ref.ids);
      expect(maxDiff(tanh, ref.logits_tanh)).toBeLessThan(5e-5);
      expect(maxDiff(ours, ref.logits_tanh)).toBeGreaterThan(1e-4); // the two forms are told apart
    });
  }

  it('meta.pkl → the characters in id order; shiftForSpecials moves the rows up by 3 behind zero rows', () => {
    const chars = nanoGptChars(unpickle(fixture('nanogpt/meta.pkl'), { globals: PLAIN_GLOBALS, where: 'meta.pkl' }), 'meta.pkl');
    expect(chars).toEqual(['\n', ' ', '!', 'a', 'b', 'c', 'd', 'e', 'f', 'g']);
    const r = nanoGptToVersiflow(readTorchCheckpoint(fixture('nanogpt/ckpt.pt'), 'ckpt.pt'), 'ckpt.pt');
    const s = shiftForSpecials(r.arch, r.tensors, 3);
    expect(s.arch.vocabSize).toBe(13);
    const wte = s.tensors.find((t) => t.name === 'wte')!;
    expect(wte.shape).toEqual([13, 8]);
    expect([...wte.data.subarray(0, 24)].every((x) => x === 0)).toBe(true);
    expect([...wte.data.subarray(24)]).toEqual([...r.tensors.find((t) => t.name === 'wte')!.data]);
  });

  it('names what is not a nanoGPT checkpoint', () => {
    expect(() => nanoGptToVersiflow(new Map([['state_dict', new Map()]]), 'x.pt')).toThrow(/x\.pt: not a nanoGPT checkpoint/);
    expect(() => nanoGptChars(new Map(), 'm.pkl')).toThrow(/not a nanoGPT meta\.pkl/);
  });
});
