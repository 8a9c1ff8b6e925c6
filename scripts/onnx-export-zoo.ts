/**
 * Exports every shipped config (configs/*.yaml) at its real shape, with random weights (no training),
 * to ONNX (fp32, fp16, int8) and prints a markdown table: the family, each file's size, and — unless
 * --no-check — onnxruntime-node's fp32 logits against Versiflow's forward pass on 16 ids (and the
 * fp16/int8 ones against fp32). The exports go to a temp directory, deleted after each config.
 *
 *   npx tsx scripts/onnx-export-zoo.ts [--no-check] [--only NAME,...]
 *
 * Needs about 4 GB of memory for the 135M configs and a few minutes.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { configToSnake, normalizeConfig } from '../src/core/config/normalizeConfig.ts';
import { exportOnnx } from '../src/pipeline/export/exportOnnx.ts';
import { readConfigFile, resolveConfigPath } from '../src/pipeline/loadConfig.ts';
import { versiflowLogits, writeModelCheckpoint } from '../test/pipeline/export/modelFixture.ts';

const check = !process.argv.includes('--no-check');
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt > 0 ? process.argv[onlyAt + 1].split(',') : null;
const IDS = [4, 9, 15, 3, 27, 8, 8, 30, 1, 12, 5, 7, 33, 21, 2, 40];
const MiB = (b: number) => (b / 2 ** 20).toFixed(1);

async function logits(file: string, layers: number, kv: number, d: number): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(readFileSync(file));
  const i64 = (v: number[]) => new ort.Tensor('int64', BigInt64Array.from(v, BigInt), [1, v.length]);
  const feeds: Record<string, ort.Tensor> = { input_ids: i64(IDS), attention_mask: i64(IDS.map(() => 1)), position_ids: i64(IDS.map((_, i) => i)) };
  for (let i = 0; i < layers; i++) for (const k of ['key', 'value']) feeds[`past_key_values.${i}.${k}`] = new ort.Tensor('float32', new Float32Array(0), [1, kv, 0, d]);
  const r = await s.run(feeds);
  const out = (r.logits.data as Float32Array).slice();
  await s.release();
  return out;
}

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

await tf.setBackend('cpu');
const rows = [
  `| config | family | params | model.onnx (fp32) | model_fp16.onnx | model_quantized.onnx (int8) |${check ? ' max abs Δlogit fp32 vs Versiflow / fp16 / int8 vs fp32 (logits up to) |' : ''}`,
  `|---|---|---:|---:|---:|---:|${check ? '---|' : ''}`,
];
for (const file of readdirSync(join(import.meta.dirname, '..', 'configs')).sort()) {
  const name = file.replace(/\.yaml$/, '');
  if (only && !only.includes(name)) continue;
  const keys = configToSnake(normalizeConfig(readConfigFile(resolveConfigPath(name)), file));
  const cfg = { ...keys, vocab_size: Number(keys.vocab_size) || 150, tokenizer: 'char', backend: 'cpu' };
  const t0 = Date.now();
  const { path, gpt, tensors } = await writeModelCheckpoint(cfg, { std: 0.3 / Math.sqrt(Math.max(1, Number(keys.hidden) / 64)) });
  const out = mkdtempSync(join(tmpdir(), `vf-onnx-zoo-${name}-`));
  try {
    const r = await exportOnnx(path, out, { force: true });
    const size = (p: string) => r.files.find((f) => f.path === p)!.bytes;
    const params = tensors.reduce((n, t) => n + t.data.length, 0);
    let diffs = '';
    if (check) {
      const ours = versiflowLogits(gpt, tensors, IDS);
      const [f32, f16, i8] = await Promise.all(['model.onnx', 'model_fp16.onnx', 'model_quantized.onnx'].map((f) => logits(join(out, 'onnx', f), gpt.layers, gpt.kvHeads, gpt.headDim)));
      diffs = ` ${maxDiff(f32, ours).toExponential(1)} / ${maxDiff(f16, f32).toExponential(1)} / ${maxDiff(i8, f32).toExponential(1)} (${maxDiff(ours, new Float32Array(ours.length)).toFixed(1)}) |`;
    }
    rows.push(`| ${name} | ${r.family} | ${(params / 1e6).toFixed(1)}M | ${MiB(size('onnx/model.onnx'))} MiB | ${MiB(size('onnx/model_fp16.onnx'))} MiB | ${MiB(size('onnx/model_quantized.onnx'))} MiB |${diffs}`);
  } catch (e) {
    rows.push(`| ${name} | refused | – | – | – | – |${check ? ' – |' : ''} ${(e as Error).message.split(':').slice(1, 3).join(':').trim().slice(0, 120)}`);
  }
  rmSync(out, { recursive: true, force: true });
  process.stderr.write(`${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}
process.stdout.write(`${rows.join('\n')}\n`);
