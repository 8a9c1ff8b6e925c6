import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { hfConfigJson, importHfConfig } from '../../../../src/model/formats/hf/hfConfig.ts';
import { hfFamilyOf } from '../../../../src/model/formats/hf/hfFamily.ts';
import { fromHfTensors, toHfTensors } from '../../../../src/model/formats/hf/hfTensors.ts';
import { resolveGptConfig } from '../../../../src/model/nn/gptConfig.ts';
import { randomTensors, versiflowLogits } from '../../../pipeline/export/modelFixture.ts';
import { hfForward64 } from './hfReference64.ts';
import { EXPORTABLE, ROUND_TRIP, small } from './variants.ts';

const IDS = [5, 17, 3, 42, 8, 8, 30, 1];
const IDS_NO_SPECIAL = IDS;

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('toHfTensors', () => {
  for (const [name, { family, over }] of Object.entries(EXPORTABLE)) {
    it(`${name}: Transformers' forward pass (float64, from its definitions) of the export gives Versiflow's logits`, () => {
      const c = small(over);
      expect(hfFamilyOf(c)).toBe(family);
      const t = randomTensors(c, 11);
      const hf = toHfTensors(family, c, new Map(t.map((x) => [x.name, x])));
      const cfg = hfConfigJson(family, c, { bos: 1, eos: 1, pad: 0 });
      const ref = hfForward64(cfg, hf, IDS_NO_SPECIAL).flatMap((r) => [...r]);
      const ours = versiflowLogits(c, t, IDS_NO_SPECIAL);
      const scale = Math.max(...ref.map(Math.abs));
      expect(scale).toBeGreaterThan(1); // logits that differ between tokens: the comparison means something
      expect(maxDiff(ours, ref)).toBeLessThan(2e-5 * Math.max(1, scale));
    });

    it(`${name}: import of the export computes the same logits (through config.json)`, () => {
      const c = small(over);
      const t = randomTensors(c, 12);
      const hf = toHfTensors(family, c, new Map(t.map((x) => [x.name, x])));
      const { arch } = importHfConfig(JSON.parse(JSON.stringify(hfConfigJson(family, c, { bos: 1, eos: 1, pad: 0 }))));
      const back = fromHfTensors(family, arch, new Map(hf.map((x) => [x.name, x])));
      const c2 = resolveGptConfig(arch);
      expect(maxDiff(versiflowLogits(c2, back, IDS), versiflowLogits(c, t, IDS))).toBeLessThan(1e-4);
    });
  }

  for (const name of ROUND_TRIP) {
    it(`${name}: export → import gives back every tensor bit-equal, names and shapes included`, () => {
      const { family, over } = EXPORTABLE[name];
      const c = small(over);
      const t = randomTensors(c, 13);
      const hf = toHfTensors(family, c, new Map(t.map((x) => [x.name, x])));
      const { arch } = importHfConfig(JSON.parse(JSON.stringify(hfConfigJson(family, c, { bos: null, eos: null, pad: null }))));
      const back = fromHfTensors(family, arch, new Map(hf.map((x) => [x.name, x])));
      expect(back.map((x) => x.name)).toEqual(t.map((x) => x.name));
      for (let i = 0; i < t.length; i++) {
        expect(back[i].shape).toEqual(t[i].shape);
        expect(Buffer.from(back[i].data.buffer, back[i].data.byteOffset, back[i].data.byteLength).equals(Buffer.from(t[i].data.buffer))).toBe(true);
      }
    });
  }

  it('names and layouts: Llama q_proj is wqᵀ [H·d, C], GPT-2 c_attn is [wq | wk | wv] as [C, 3C]; tied heads write no lm_head', () => {
    const c = small({ attnBias: true });
    const t = new Map(randomTensors(c, 3).map((x) => [x.name, x]));
    const hf = new Map(toHfTensors('llama', c, t).map((x) => [x.name, x]));
    const q = hf.get('model.layers.1.self_attn.q_proj.weight')!;
    expect(q.shape).toEqual([16, 16]);
    const wq = t.get('h.1.attn.wq')!.data;
    expect(q.data[3 * 16 + 5]).toBe(wq[5 * 16 + 3]); // [out 3, in 5] = wq[in 5, out 3]
    expect(hf.get('model.layers.1.self_attn.k_proj.weight')!.shape).toEqual([8, 16]);
    expect(hf.has('lm_head.weight')).toBe(false);
    const g = small({ norm: 'layer', positions: 'learned', attention: 'mha', kvHeads: 0, mlp: 'gelu', attnBias: true });
    const gt = new Map(randomTensors(g, 4).map((x) => [x.name, x]));
    const gh = new Map(toHfTensors('gpt2', g, gt).map((x) => [x.name, x]));
    const ca = gh.get('transformer.h.0.attn.c_attn.weight')!;
    expect(ca.shape).toEqual([16, 48]);
    expect(ca.data[2 * 48 + 16 + 7]).toBe(gt.get('h.0.attn.wk')!.data[2 * 16 + 7]);
    expect([...gh.get('transformer.h.0.ln_1.bias')!.data].every((x) => x === 0)).toBe(true); // norm_bias false → zeros
  });
});

describe('fromHfTensors', () => {
  const c = small();
  const hfList = () => toHfTensors('llama', c, new Map(randomTensors(c, 5).map((x) => [x.name, x])));

  it('names a missing tensor and a wrong shape', () => {
    const m = new Map(hfList().map((x) => [x.name, x]));
    m.delete('model.layers.1.mlp.up_proj.weight');
    expect(() => fromHfTensors('llama', c, m)).toThrow(/"model\.layers\.1\.mlp\.up_proj\.weight" is missing/);
    const m2 = new Map(hfList().map((x) => [x.name, x]));
    const o = m2.get('model.norm.weight')!;
    m2.set('model.norm.weight', { ...o, shape: [4, 4] });
    expect(() => fromHfTensors('llama', c, m2)).toThrow(/model\.norm\.weight.*shape \[4,4\], expected \[16\]/);
  });

  it('refuses tensors the architecture does not have (e.g. Qwen3\'s q_norm), and an lm_head that differs from a tied embedding', () => {
    const m = new Map(hfList().map((x) => [x.name, x]));
    m.set('model.layers.0.self_attn.q_norm.weight', { name: 'q_norm', shape: [4], data: new Float32Array(4) });
    expect(() => fromHfTensors('llama', c, m)).toThrow(/does not have: model\.layers\.0\.self_attn\.q_norm\.weight/);
    const m2 = new Map(hfList().map((x) => [x.name, x]));
    m2.set('lm_head.weight', { name: 'lm_head.weight', shape: [43, 16], data: new Float32Array(43 * 16) });
    expect(() => fromHfTensors('llama', c, m2)).toThrow(/tie_word_embeddings: true, but lm_head\.weight differs/);
  });

  it('takes names without the model./transformer. prefix, an lm_head equal to the embedding, and skips rotary/causal-mask buffers', () => {
    const list = hfList();
    const embed = list.find((x) => x.name === 'model.embed_tokens.weight')!;
    const m = new Map(list.map((x) => [x.name.replace(/^model\./, ''), x]));
    m.set('lm_head.weight', embed);
    m.set('layers.0.self_attn.rotary_emb.inv_freq', { name: 'inv', shape: [2], data: new Float32Array(2) });
    expect(fromHfTensors('llama', c, m).map((x) => x.name)).toContain('h.1.mlp.down');
  });
});
