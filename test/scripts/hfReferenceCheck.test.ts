import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportHf } from '../../src/pipeline/export/exportHf.ts';
import { EXPORTABLE } from '../model/formats/hf/variants.ts';
import { versiflowLogits, writeModelCheckpoint } from '../pipeline/export/modelFixture.ts';

/**
 * scripts/hf_reference_check.py: the export run by plain PyTorch code that follows Transformers'
 * LlamaForCausalLM / GPT2LMHeadModel, against Versiflow's logits. Needs /usr/bin/python3 with torch
 * (Debian: apt-get install python3-torch, about 170 MB of packages, so CI does not install it).
 */
const PY = '/usr/bin/python3';
const hasTorch = spawnSync(PY, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const SCRIPT = new URL('../../scripts/hf_reference_check.py', import.meta.url).pathname;
const IDS = [5, 17, 3, 42, 8, 8, 30, 1, 12, 0, 7, 9, 33, 21, 2, 40];

interface Result {
  readonly model: string;
  readonly family: string;
  readonly max_abs_diff: number;
  readonly max_abs_diff_f64: number;
  readonly torch_f32_error: number;
  readonly max_abs_logit: number;
  readonly argmax_agree: boolean;
}

const snake = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]));

describe.skipIf(!hasTorch)(`hf_reference_check.py${hasTorch ? '' : ' (skipped: /usr/bin/python3 has no torch; apt-get install python3-torch to run it)'}`, () => {
  const results = new Map<string, Result>();
  let status: number | null = null;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const dir = mkdtempSync(join(tmpdir(), 'vf-hfref-'));
    const args: string[] = [];
    const names = Object.keys(EXPORTABLE);
    for (const [k, name] of names.entries()) {
      const { path, gpt, tensors } = await writeModelCheckpoint({ ...snake(EXPORTABLE[name].over), context: 16, data: 'data/en_poetry.parquet' }, { std: 0.3 });
      await exportHf({ checkpoint: path, out: join(dir, `hf${k}`) });
      writeFileSync(join(dir, `logits${k}.json`), JSON.stringify({ ids: IDS, logits: Array.from(versiflowLogits(gpt, tensors, IDS)) }));
      args.push('--model', join(dir, `hf${k}`), '--logits', join(dir, `logits${k}.json`));
    }
    const r = spawnSync(PY, [SCRIPT, ...args, '--tol', '1e-3'], { encoding: 'utf8' });
    if (r.stderr) throw new Error(`hf_reference_check.py: ${r.stderr}`);
    status = r.status;
    r.stdout.trim().split('\n').forEach((line, k) => results.set(names[k], JSON.parse(line) as Result));
  });

  for (const [name, { family }] of Object.entries(EXPORTABLE)) {
    it(`${name}: PyTorch's ${family === 'llama' ? 'LlamaForCausalLM' : 'GPT2LMHeadModel'} forward of the export matches Versiflow's logits`, () => {
      const res = results.get(name)!;
      console.log(`hf_reference_check ${name}: max |Δlogit| ${res.max_abs_diff.toExponential(2)} vs PyTorch float32, ${res.max_abs_diff_f64.toExponential(2)} vs float64 (PyTorch's own float32 error ${res.torch_f32_error.toExponential(2)}; logits up to ${res.max_abs_logit.toFixed(2)})`);
      expect(res.family).toBe(family);
      expect(res.max_abs_logit).toBeGreaterThan(1);
      expect(res.max_abs_diff).toBeLessThan(2e-5 * Math.max(1, res.max_abs_logit));
      expect(res.max_abs_diff_f64).toBeLessThan(2e-5 * Math.max(1, res.max_abs_logit));
      expect(res.argmax_agree).toBe(true);
      expect(status).toBe(0);
    });
  }
});
