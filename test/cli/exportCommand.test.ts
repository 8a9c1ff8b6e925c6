import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { writeModelCheckpoint } from '../pipeline/export/modelFixture.ts';
import { captureIO } from './checkpointFixture.ts';

const tmp = () => join(mkdtempSync(join(tmpdir(), 'vf-export-cli-')), 'hf');

describe('versiflow export', () => {
  it('--format hf writes the folder and prints the class, the files and the notes', async () => {
    const { runDir } = await writeModelCheckpoint({ fused_gate_up: true });
    const out = tmp();
    const c = captureIO();
    expect(await main(['export', '--checkpoint', runDir, '--format', 'hf', '--out', out], c.io)).toBe(0);
    expect(c.out()).toMatch(/^exported .*step-0000000 as LlamaForCausalLM to .*hf \([\d,]+ parameters; [\d,]+ in Versiflow's form\)\n/);
    expect(c.out()).toMatch(/files: model\.safetensors, config\.json, generation_config\.json, tokenizer\.json, tokenizer_config\.json, special_tokens_map\.json, README\.md/);
    expect(c.out()).toMatch(/note: the fused gate_up matrix is split/);
    expect(existsSync(join(out, 'model.safetensors'))).toBe(true);
  });

  it('refusals are one clear line with exit 2: no faithful class (naming the key), an unknown format, missing flags, unknown flags', async () => {
    const { path } = await writeModelCheckpoint({ mlp: 'gelu' });
    const a = captureIO();
    expect(await main(['export', '--checkpoint', path, '--out', tmp()], a.io)).toBe(2);
    expect(a.err()).toMatch(/^error \(ConfigError\): export --format hf: this model has no faithful Transformers equivalent: mlp: gelu/);
    const b = captureIO();
    expect(await main(['export', '--checkpoint', path, '--format', 'tflite', '--out', tmp()], b.io)).toBe(2);
    expect(b.err()).toMatch(/--format must be hf, onnx or gguf \(got "tflite"\)/);
    const c = captureIO();
    expect(await main(['export', '--checkpoint', path], c.io)).toBe(2);
    expect(c.err()).toMatch(/--out DIR is required/);
    const d = captureIO();
    expect(await main(['export', '--checkpoint', path, '--out', tmp(), '--quantize', 'q8'], d.io)).toBe(2);
    expect(d.err()).toMatch(/--quantize/);
  });
});
