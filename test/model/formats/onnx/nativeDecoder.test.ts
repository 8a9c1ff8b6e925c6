import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { IDS, joinBytes, maxDiff, runDecoder } from './onnxRun.ts';
import { OnnxDecoder, type OrtModule } from '../../../../src/cli/ship/onnxDecoder.ts';
import { optimizeForOrt } from '../../../../src/cli/ship/optimizeForOrt.ts';
import { hfFamilyOf } from '../../../../src/model/formats/hf/hfFamily.ts';
import { encodeNativeOnnxDecoder } from '../../../../src/model/formats/onnx/onnxDecoder.ts';
import { exportOnnx } from '../../../../src/pipeline/export/exportOnnx.ts';
import { randomTensors, versiflowLogits, writeModelCheckpoint } from '../../../pipeline/export/modelFixture.ts';
import { small } from '../hf/variants.ts';

/** Mini-Tron's shape (configs/minitron-48m.yaml): RMSNorm, learned positions, MHA, exact-GELU MLP, no biases, tied. */
const MINITRON = { norm: 'rms', positions: 'learned', attention: 'mha', kvHeads: 0, mlp: 'gelu', gelu: 'exact' } as const;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('ONNX decoder of an architecture with no Transformers class (build-chat only)', () => {
  const variants: Record<string, Parameters<typeof small>[0]> = {
    'Mini-Tron: rms + learned positions + exact GELU, no biases, tied': MINITRON,
    'rms with bias + learned + tanh GELU, GQA, every bias, untied': { ...MINITRON, attention: 'gqa', kvHeads: 2, gelu: 'tanh', normBias: true, attnBias: true, mlpBias: true, tied: false },
  };
  for (const [name, over] of Object.entries(variants)) {
    it(`${name}: fp32 logits equal Versiflow's within 1e-4, with and without a past`, async () => {
      const c = small(over);
      expect(() => hfFamilyOf(c)).toThrow(/no faithful Transformers equivalent/);
      const t = randomTensors(c, 13);
      const s = await ort.InferenceSession.create(joinBytes(encodeNativeOnnxDecoder(c, new Map(t.map((x) => [x.name, x])), 'fp32')));
      const ours = versiflowLogits(c, t, IDS);
      const full = await runDecoder(s, c, IDS, 0, null);
      expect(full.logits.dims).toEqual([1, IDS.length, c.vocabSize]);
      expect(maxDiff(full.logits.data as Float32Array, ours)).toBeLessThan(1e-4);
      // the logits are not trivially small: a wrong norm or activation would show
      expect(maxDiff(ours, new Float32Array(ours.length))).toBeGreaterThan(0.5);
      const pre = await runDecoder(s, c, IDS.slice(0, -1), 0, null);
      const step = await runDecoder(s, c, IDS.slice(-1), IDS.length - 1, pre as Record<string, ort.Tensor>);
      expect(step.logits.dims).toEqual([1, 1, c.vocabSize]);
      expect(maxDiff(step.logits.data as Float32Array, ours.subarray((IDS.length - 1) * c.vocabSize))).toBeLessThan(1e-4);
      expect(step['present.1.key'].dims).toEqual([1, c.kvHeads, IDS.length, c.headDim]);
    });
  }

  it("int8 'integer' kernel (the poet's int8 GEMMs): logits close to Versiflow's and to the DequantizeLinear file, with a past; in ORT format, used in place, the same logits", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vf-native-int8-'));
    for (const [name, over] of Object.entries(variants)) {
      const c = small(over);
      const t = new Map(randomTensors(c, 13).map((x) => [x.name, x]));
      const ours = versiflowLogits(c, [...t.values()], IDS);
      const scale = maxDiff(ours, new Float32Array(ours.length));
      const integer = joinBytes(encodeNativeOnnxDecoder(c, t, 'int8', { int8Kernel: 'integer' }));
      const dequantize = joinBytes(encodeNativeOnnxDecoder(c, t, 'int8'));
      const s = await ort.InferenceSession.create(integer);
      const got = (await runDecoder(s, c, IDS, 0, null)).logits.data as Float32Array;
      const dq = (await runDecoder(await ort.InferenceSession.create(dequantize), c, IDS, 0, null)).logits.data as Float32Array;
      let same = 0;
      for (let p = 0; p < IDS.length; p++) {
        const row = (a: Float32Array) => a.subarray(p * c.vocabSize, (p + 1) * c.vocabSize);
        const arg = (a: Float32Array) => row(a).indexOf(Math.max(...row(a)));
        if (arg(got) === arg(ours)) same++;
      }
      console.log(`int8 integer, ${name}: max |Δlogit| ${maxDiff(got, ours).toExponential(2)} vs Versiflow, ${maxDiff(got, dq).toExponential(2)} vs DequantizeLinear (logits up to ${scale.toFixed(2)}), argmax equal at ${same}/${IDS.length}`);
      expect(maxDiff(got, ours)).toBeLessThan(0.2 * scale);
      expect(maxDiff(got, dq)).toBeLessThan(0.1 * scale);
      expect(maxDiff(got, dq)).toBeGreaterThan(0); // activations are quantised too: not the same computation
      expect(same).toBeGreaterThanOrEqual(IDS.length - 1);
      // one step with a past equals the last row of the full pass (same dynamic quantisation of that row)
      const pre = await runDecoder(s, c, IDS.slice(0, -1), 0, null);
      const step = (await runDecoder(s, c, IDS.slice(-1), IDS.length - 1, pre as Record<string, ort.Tensor>)).logits.data as Float32Array;
      expect(maxDiff(step, ours.subarray((IDS.length - 1) * c.vocabSize))).toBeLessThan(0.2 * scale);

      // build-chat's route: ORT format at build time, loaded with the initializers in place and no prepacking
      const onnxFile = join(dir, 'model.onnx');
      writeFileSync(onnxFile, integer);
      await optimizeForOrt(ort as unknown as OrtModule, onnxFile, join(dir, 'model.ort'));
      const decoder = await OnnxDecoder.load(ort as unknown as OrtModule, new Uint8Array(readFileSync(join(dir, 'model.ort'))), { layers: c.layers, kvHeads: c.kvHeads, headDim: c.headDim, context: c.context, vocabSize: c.vocabSize }, { format: 'ort', prepack: false });
      const viaOrt = await decoder.forward(IDS);
      expect(maxDiff(viaOrt, got.subarray((IDS.length - 1) * c.vocabSize))).toBeLessThan(1e-3 * scale);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("exportOnnx: refused for transformers (today's message), written for runtime: 'versiflow' without config.json", async () => {
    const { path } = await writeModelCheckpoint({ norm: 'rms', positions: 'learned', attention: 'mha', kv_heads: 0, mlp: 'gelu', gelu: 'exact' });
    const out = join(mkdtempSync(join(tmpdir(), 'vf-native-onnx-')), 'out');
    await expect(exportOnnx(path, out)).rejects.toThrow(/^export --format onnx: this model has no faithful Transformers equivalent: positions: learned/);
    expect(existsSync(out)).toBe(false);
    const r = await exportOnnx(path, out, { variants: ['fp32'], runtime: 'versiflow' });
    expect(r.family).toBe('versiflow');
    expect(r.files.map((f) => f.path)).toEqual(['onnx/model.onnx', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']);
    expect(existsSync(join(out, 'config.json'))).toBe(false);
    const s = await ort.InferenceSession.create(readFileSync(join(out, 'onnx/model.onnx')));
    expect(s.outputNames[0]).toBe('logits');
  });
});
