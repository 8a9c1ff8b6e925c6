/**
 * Exports every shipped config (configs/*.yaml) to Hugging Face format with random weights and says
 * which Transformers class each becomes, or why it is refused; where /usr/bin/python3 has torch, runs
 * scripts/hf_reference_check.py on each export and prints the largest logit difference.
 *
 *   npx tsx scripts/hf-export-zoo.ts [--real] [--keep DIR]
 *
 * Default: each config at a tiny width (heads and KV heads kept, head_dim 8, 2 layers, vocab 500,
 * context 32), every architecture switch as the config sets it. --real: the configs' own shapes
 * (about 1.5 GB of memory for the 135M ones; a few minutes in all).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { configToSnake, normalizeConfig } from '../src/core/config/normalizeConfig.ts';
import { readConfigFile, resolveConfigPath } from '../src/pipeline/loadConfig.ts';
import { exportHf } from '../src/pipeline/export/exportHf.ts';
import { versiflowLogits, writeModelCheckpoint } from '../test/pipeline/export/modelFixture.ts';

const real = process.argv.includes('--real');
const keepAt = process.argv.indexOf('--keep');
const root = keepAt > 0 ? process.argv[keepAt + 1] : mkdtempSync(join(tmpdir(), 'vf-zoo-'));
const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const IDS = [4, 9, 15, 3, 27, 8, 8, 30, 1, 12, 5, 7, 33, 21, 2, 40];

await tf.setBackend('cpu');
const rows: string[] = [
  '| config | family | Versiflow params | exported params | max abs Δlogit vs PyTorch f32 / vs PyTorch f64 / PyTorch\'s own f32 error | notes |',
  '|---|---|---:|---:|---:|---|',
];
for (const file of readdirSync(join(import.meta.dirname, '..', 'configs')).sort()) {
  const name = file.replace(/\.yaml$/, '');
  const keys = configToSnake(normalizeConfig(readConfigFile(resolveConfigPath(name)), file)); // every key, so no fixture default leaks in
  const vocab = Number(keys.vocab_size) || 150;
  const shape: Record<string, number> = real
    ? { vocab_size: vocab }
    : (() => {
        const heads = Number(keys.heads);
        const kv = Number(keys.kv_heads);
        return { vocab_size: 500, layers: 2, heads, kv_heads: kv, head_dim: 8, hidden: heads * 8, ffn: 0, kv_latent: keys.attention === 'latent' ? heads * 4 : 0, context: 32 };
      })();
  const cfg = { ...keys, ...shape, tokenizer: 'char', data: keys.data, backend: 'cpu' };
  const t0 = Date.now();
  const { path, gpt, tensors } = await writeModelCheckpoint(cfg, { std: 0.3 / Math.sqrt(Math.max(1, Number(shape.hidden ?? keys.hidden) / 64)) });
  const out = join(root, name);
  try {
    const r = await exportHf({ checkpoint: path, out, force: true });
    let diff = hasTorch ? '' : 'no torch';
    if (hasTorch) {
      const lf = join(root, `${name}.logits.json`);
      writeFileSync(lf, JSON.stringify({ ids: IDS, logits: Array.from(versiflowLogits(gpt, tensors, IDS)) }));
      const p = spawnSync('/usr/bin/python3', [join(import.meta.dirname, 'hf_reference_check.py'), '--model', out, '--logits', lf, '--tol', '1e-3'], { encoding: 'utf8' });
      const res = JSON.parse(p.stdout || '{}') as { max_abs_diff?: number; max_abs_diff_f64?: number; torch_f32_error?: number; max_abs_logit?: number };
      const e = (x?: number) => x!.toExponential(1);
      diff = res.max_abs_diff === undefined ? `failed: ${p.stderr.trim().split('\n').pop()}` : `${e(res.max_abs_diff)} / ${e(res.max_abs_diff_f64)} / ${e(res.torch_f32_error)} (logits up to ${res.max_abs_logit!.toFixed(1)})`;
      rmSync(lf, { force: true });
    }
    rows.push(`| ${name} | ${r.family === 'llama' ? 'LlamaForCausalLM' : 'GPT2LMHeadModel'} | ${r.params.toLocaleString('en-US')} | ${r.exportedParams.toLocaleString('en-US')} | ${diff} | ${r.notes.filter((n) => !n.startsWith('matrices transposed')).map((n) => n.split(':')[0].split(' (')[0]).join('; ')} |`);
  } catch (e) {
    rows.push(`| ${name} | refused | – | – | – | ${(e as Error).message.replace(/\|/g, '/').slice(0, 160)}… |`);
  }
  if (keepAt < 0) rmSync(out, { recursive: true, force: true });
  process.stderr.write(`${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}
process.stdout.write(`${rows.join('\n')}\n`);
