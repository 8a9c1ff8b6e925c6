import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { paramsCommand } from '../../src/cli/paramsCommand.ts';

function fakeIo() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } }, out: () => out.join(''), err: () => err.join('') };
}

function tmpConfig(yaml: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'vf-params-')), 'c.yaml');
  writeFileSync(path, yaml);
  return path;
}

describe('paramsCommand', () => {
  it('prints the Poetru-75M table: components, per-layer parts, total and memory', async () => {
    const f = fakeIo();
    expect(await paramsCommand(['--config', '75m'], f.io)).toBe(0);
    const text = f.out();
    expect(text).toMatch(/^poetru-75m \(.*75m\.yaml\): 74,899,072 parameters/);
    expect(text).toMatch(/ {2}wte\s+24000 × 640\s+15,360,000/);
    expect(text).toMatch(/each layer \(× 12\)/);
    expect(text).toMatch(/ {2}attn\.kv_down\s+640 × 640\s+409,600/);
    expect(text).toMatch(/ {2}mlp\.gate_up\.bias\s+3456\s+3,456/);
    expect(text).toMatch(/ {2}one layer\s+4,961,536/);
    expect(text).toMatch(/all 12 layers\s+59,538,432/);
    expect(text).toMatch(/tied to wte\s+0/);
    expect(text).toMatch(/total\s+74,899,072/);
    expect(text).toMatch(/memory to train at batch 64 × context 512 \(fp32\)/);
    expect(text).toMatch(/weights\s+285\.7 MiB/); // 74,899,072 × 4 B
    expect(text).toMatch(/AdamW m \+ v\s+571\.4 MiB/);
    expect(f.err()).toBe('');
  });

  it('--json prints {"total": N, ...} with components adding up', async () => {
    const f = fakeIo();
    expect(await paramsCommand(['--config=gpt2-preln-136m', '--json'], f.io)).toBe(0);
    const j = JSON.parse(f.out());
    expect(j.total).toBe(136_128_000);
    expect(j.components).toEqual({ embeddings: 51_072_000, perLayer: 7_087_872, layers: 12, allLayers: 85_054_464, finalNorm: 1536, head: 0 });
    expect(j.memory.weightsBytes).toBe(4 * 136_128_000);
    expect(j.memory.adamBytes).toBe(8 * 136_128_000);
    expect(j.memory.activationsBytes).toBeGreaterThan(0);
    expect(j.tensors.map((t: { name: string }) => t.name)).toContain('wpe');
  });

  it('applies --key value overrides (an untied head gets its own row)', async () => {
    const f = fakeIo();
    expect(await paramsCommand(['--config', 'smollm2-135m', '--json', '--tied', 'false', '--layers', '2'], f.io)).toBe(0);
    const j = JSON.parse(f.out());
    expect(j.components.head).toBe(576 * 49152);
    expect(j.total).toBe(2 * 3_540_096 + 2 * 576 * 49152 + 576);
  });

  it('a char tokenizer with vocab_size 0 is an error that says the vocab comes from the corpus; --vocab-size fixes it', async () => {
    const path = tmpConfig('tokenizer: char\nvocab_size: 0\nlayers: 1\nhidden: 32\nheads: 2\n');
    const f = fakeIo();
    expect(await paramsCommand(['--config', path], f.io)).toBe(1);
    expect(f.err()).toMatch(/vocab_size is 0 and tokenizer is char, so the vocabulary comes from the corpus/);
    expect(f.out()).toBe('');
    const g = fakeIo();
    expect(await paramsCommand(['--config', path, '--vocab-size', '100', '--json'], g.io)).toBe(0);
    // wte 100·32 + layer (2 norms 64, q/k/v/o 4·1024, swiglu 3·32·64) + norm_f 32
    expect(JSON.parse(g.out()).total).toBe(3200 + 64 + 4096 + 6144 + 32);
  });

  it('reads the vocabulary size from the tokenizer.json when vocab_size is 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vf-tok-'));
    const tok = join(dir, 'tokenizer.json');
    writeFileSync(tok, JSON.stringify({ model: { vocab: { a: 0, b: 1, c: 2 } }, added_tokens: [{ id: 3 }] }));
    const path = tmpConfig(`tokenizer: ${tok}\nlayers: 1\nhidden: 32\nheads: 2\n`);
    const f = fakeIo();
    expect(await paramsCommand(['--config', path, '--json'], f.io)).toBe(0);
    expect(JSON.parse(f.out()).components.embeddings).toBe(4 * 32);
  });

  it('reports unknown keys, missing values and missing configs', async () => {
    const a = fakeIo();
    expect(await paramsCommand(['--config', '75m', '--layerz', '3'], a.io)).toBe(1);
    expect(a.err()).toMatch(/unknown key "layerz"/);
    const b = fakeIo();
    expect(await paramsCommand(['--config'], b.io)).toBe(2);
    expect(b.err()).toMatch(/--config needs a value/);
    const c = fakeIo();
    expect(await paramsCommand(['--config', 'no-such-config'], c.io)).toBe(1);
    expect(c.err()).toMatch(/config "no-such-config" not found/);
    const d = fakeIo();
    expect(await paramsCommand(['75m'], d.io)).toBe(2);
    expect(d.err()).toMatch(/unexpected argument "75m"/);
  });
});
