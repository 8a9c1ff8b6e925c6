import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { i64, IDS, joinBytes, maxDiff, runDecoder } from './onnxRun.ts';
import { toHfTensors } from '../../../../src/model/formats/hf/hfTensors.ts';
import { encodeOnnxDecoder } from '../../../../src/model/formats/onnx/onnxDecoder.ts';
import { type OnnxWeights, quantizeInt8 } from '../../../../src/model/formats/onnx/weightStorage.ts';
import { randomTensors, versiflowLogits } from '../../../pipeline/export/modelFixture.ts';
import { EXPORTABLE, small } from '../hf/variants.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('ONNX decoder (onnxruntime-node)', () => {
  for (const [name, { family, over }] of Object.entries(EXPORTABLE)) {
    it(`${name}: fp32 logits equal Versiflow's within 1e-4, with and without a past`, async () => {
      const c = small(over);
      const t = randomTensors(c, 11);
      const hf = toHfTensors(family, c, new Map(t.map((x) => [x.name, x])));
      const s = await ort.InferenceSession.create(joinBytes(encodeOnnxDecoder(family, c, hf, 'fp32')));
      expect(s.inputNames).toEqual(['input_ids', 'attention_mask', 'position_ids', ...Array.from({ length: c.layers }, (_, i) => [`past_key_values.${i}.key`, `past_key_values.${i}.value`]).flat()]);
      expect(s.outputNames).toEqual(['logits', ...Array.from({ length: c.layers }, (_, i) => [`present.${i}.key`, `present.${i}.value`]).flat()]);
      const ours = versiflowLogits(c, t, IDS); // [T·V]
      const full = await runDecoder(s, c, IDS, 0, null);
      expect(full.logits.dims).toEqual([1, IDS.length, c.vocabSize]);
      expect(full['present.1.value'].dims).toEqual([1, c.kvHeads, IDS.length, c.headDim]);
      expect(maxDiff(full.logits.data as Float32Array, ours)).toBeLessThan(1e-4);
      // prefill all but the last id, then one step over the past
      const pre = await runDecoder(s, c, IDS.slice(0, -1), 0, null);
      const step = await runDecoder(s, c, IDS.slice(-1), IDS.length - 1, pre as Record<string, ort.Tensor>);
      expect(step.logits.dims).toEqual([1, 1, c.vocabSize]);
      expect(maxDiff(step.logits.data as Float32Array, ours.subarray((IDS.length - 1) * c.vocabSize))).toBeLessThan(1e-4);
      expect(step['present.0.key'].dims).toEqual([1, c.kvHeads, IDS.length, c.headDim]);
    });
  }

  it('left padding: a padded row gives the unpadded row\'s logits (attention_mask hides the pad keys)', async () => {
    const { family, over } = EXPORTABLE['llama: rms + rope half + gqa + swiglu, tied (tiny, SmolLM2)'];
    const c = small(over);
    const t = randomTensors(c, 3);
    const s = await ort.InferenceSession.create(joinBytes(encodeOnnxDecoder(family, c, toHfTensors(family, c, new Map(t.map((x) => [x.name, x]))), 'fp32')));
    const ids = [0, 0, ...IDS.slice(0, 4)];
    const feeds: Record<string, ort.Tensor> = { input_ids: i64(ids), attention_mask: i64([0, 0, 1, 1, 1, 1]), position_ids: i64([0, 0, 0, 1, 2, 3]) };
    for (let i = 0; i < c.layers; i++) for (const kv of ['key', 'value']) feeds[`past_key_values.${i}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [1, c.kvHeads, 0, c.headDim]);
    const r = await s.run(feeds);
    const ours = versiflowLogits(c, t, IDS.slice(0, 4));
    expect(maxDiff((r.logits.data as Float32Array).subarray(2 * c.vocabSize), ours)).toBeLessThan(1e-4);
  });

  it('past the context: RoPE models keep computing (tables cover 2048 positions, as Versiflow\'s unwindowed forward), learned positions fail', async () => {
    const long = [...IDS, 9, 2, 41, 7, 19]; // 12 ids, context 8
    const { family, over } = EXPORTABLE['llama: rms + rope half + gqa + swiglu, tied (tiny, SmolLM2)'];
    const c = small(over);
    const t = randomTensors(c, 5);
    const s = await ort.InferenceSession.create(joinBytes(encodeOnnxDecoder(family, c, toHfTensors(family, c, new Map(t.map((x) => [x.name, x]))), 'fp32')));
    expect(maxDiff((await runDecoder(s, c, long, 0, null)).logits.data as Float32Array, versiflowLogits(c, t, long))).toBeLessThan(1e-4);
    const g = EXPORTABLE['gpt2: every bias, tied (GPT-2, gpt2-preln)'];
    const c2 = small(g.over);
    const t2 = randomTensors(c2, 5);
    const s2 = await ort.InferenceSession.create(joinBytes(encodeOnnxDecoder(g.family, c2, toHfTensors(g.family, c2, new Map(t2.map((x) => [x.name, x]))), 'fp32')));
    await expect(runDecoder(s2, c2, long, 0, null)).rejects.toThrow(/Gather|out of data bounds|indices/i);
  });

  it('fp16 and int8 weights: logits close to fp32 and the same argmax at most positions (tolerances measured)', async () => {
    const variants: [string, OnnxWeights, number][] = [
      ['llama: rms + rope half + gqa + swiglu, tied (tiny, SmolLM2)', 'fp16', 0.02],
      ['llama: rms + rope half + gqa + swiglu, tied (tiny, SmolLM2)', 'int8', 0.2],
      ['gpt2: every bias, tied (GPT-2, gpt2-preln)', 'fp16', 0.02],
      ['gpt2: every bias, tied (GPT-2, gpt2-preln)', 'int8', 0.2],
    ];
    for (const [name, kind, tol] of variants) {
      const { family, over } = EXPORTABLE[name];
      const c = small(over);
      const t = randomTensors(c, 11);
      const hf = toHfTensors(family, c, new Map(t.map((x) => [x.name, x])));
      const fp32 = joinBytes(encodeOnnxDecoder(family, c, hf, 'fp32'));
      const bytes = joinBytes(encodeOnnxDecoder(family, c, hf, kind));
      expect(bytes.length).toBeLessThan(fp32.length);
      const s = await ort.InferenceSession.create(bytes);
      const got = (await runDecoder(s, c, IDS, 0, null)).logits.data as Float32Array;
      const ours = versiflowLogits(c, t, IDS);
      const diff = maxDiff(got, ours);
      const scale = maxDiff(ours, new Float32Array(ours.length));
      let same = 0;
      for (let p = 0; p < IDS.length; p++) {
        const row = (a: Float32Array) => a.subarray(p * c.vocabSize, (p + 1) * c.vocabSize);
        const arg = (a: Float32Array) => row(a).indexOf(Math.max(...row(a)));
        if (arg(got) === arg(ours)) same++;
      }
      console.log(`${kind} ${family}: max |Δlogit| ${diff.toExponential(2)} (logits up to ${scale.toFixed(2)}), argmax equal at ${same}/${IDS.length}`);
      expect(diff).toBeLessThan(tol * scale);
      expect(same).toBeGreaterThanOrEqual(IDS.length - 1);
    }
  });

  it('onnxruntime-web (wasm, the browser runtime) runs all three files: fp32 within 1e-4 of Versiflow, fp16 as onnxruntime-node, int8 as the weights dequantised exactly', async () => {
    const web = await import('onnxruntime-web');
    web.env.wasm.numThreads = 1;
    for (const name of ['llama: rms + rope half + gqa + swiglu, tied (tiny, SmolLM2)', 'gpt2: no biases, untied, exact GELU (nanoGPT bias=False)']) {
      const { family, over } = EXPORTABLE[name];
      const c = small(over);
      const t = randomTensors(c, 11);
      const hf = toHfTensors(family, c, new Map(t.map((x) => [x.name, x])));
      // every matrix of the state dict quantised and dequantised here: Llama's [out, in] per row = per output column of [in, out], GPT-2's [in, out] per column, embeddings per row
      const dq = hf.map((x) => {
        if (x.shape.length !== 2) return x;
        const [r, cols] = x.shape;
        const axis = family === 'gpt2' && x.name.includes('.h.') ? 1 : 0;
        const { q, scales } = quantizeInt8(x.data as Float32Array, r, cols, axis);
        return { ...x, data: Float32Array.from(q, (v, i) => v * scales[axis === 0 ? Math.floor(i / cols) : i % cols]) };
      });
      const logits = async (rt: typeof ort, bytes: Uint8Array) => (await runDecoder(await rt.InferenceSession.create(bytes), c, IDS, 0, null)).logits.data as Float32Array;
      const onWeb = (kind: OnnxWeights, tensors = hf) => logits(web as unknown as typeof ort, joinBytes(encodeOnnxDecoder(family, c, tensors, kind)));
      expect(maxDiff(await onWeb('fp32'), versiflowLogits(c, t, IDS))).toBeLessThan(1e-4);
      expect(maxDiff(await onWeb('fp16'), await logits(ort, joinBytes(encodeOnnxDecoder(family, c, hf, 'fp16'))))).toBeLessThan(1e-5);
      expect(maxDiff(await onWeb('int8'), await logits(ort, joinBytes(encodeOnnxDecoder(family, c, dq, 'fp32'))))).toBeLessThan(1e-5);
    }
  }, 30_000);
});
