import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer as HfTokenizer } from 'tokenizers';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors/ConfigError.ts';
import { decodeSafetensors } from '../../../src/model/formats/safetensors.ts';
import { exportHf } from '../../../src/pipeline/export/exportHf.ts';
import { writeModelCheckpoint } from './modelFixture.ts';

const tmp = () => join(mkdtempSync(join(tmpdir(), 'vf-hf-')), 'out');

describe('exportHf', () => {
  it('writes a Transformers folder: safetensors with format "pt", config, generation config, tokenizer files, a model card with the run\'s metrics', async () => {
    const { runDir, gpt } = await writeModelCheckpoint({ attention: 'latent', kv_latent: 8, fused_gate_up: true, mlp_bias: true }, { step: 20 });
    writeFileSync(join(runDir, 'history.csv'), 'step,epoch,loss,val_loss,lr,tokens_per_sec,elapsed_s\n10,0,3.5,,0.001,1000,5\n20,0,3.0,3.1,0.001,1000,10\n');
    const out = tmp();
    const r = await exportHf({ checkpoint: runDir, out });
    expect(r.family).toBe('llama');
    for (const f of ['model.safetensors', 'config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'README.md']) expect(existsSync(join(out, f)), f).toBe(true);
    const st = decodeSafetensors(new Uint8Array(readFileSync(join(out, 'model.safetensors'))));
    expect(st.metadata).toEqual({ format: 'pt' });
    expect(st.tensors.get('model.layers.0.self_attn.k_proj.weight')!.shape).toEqual([8, 16]); // latent folded
    expect(st.tensors.get('model.layers.1.mlp.gate_proj.bias')!.shape).toEqual([32]); // fused gate_up split
    expect(r.exportedParams).toBe([...st.tensors.values()].reduce((n, t) => n + t.data.length, 0));
    expect(r.notes.join('\n')).toMatch(/latent K\/V attention .* folded/);
    const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(cfg).toMatchObject({ model_type: 'llama', num_key_value_heads: 2, mlp_bias: true, attention_bias: false, vocab_size: gpt.vocabSize, eos_token_id: 1, bos_token_id: 1, pad_token_id: 0 });
    const card = readFileSync(join(out, 'README.md'), 'utf8');
    expect(card).toMatch(/^---\nlanguage:\n {2}- ru\nlicense: mit\n/);
    expect(card).toContain('| validation loss (last evaluation) | 3.1000 |');
    expect(card).toContain('From the run\'s history.csv up to step 20.');
    const hf = HfTokenizer.fromString(readFileSync(join(out, 'tokenizer.json'), 'utf8'));
    expect((await hf.encode('abc')).getIds()).toEqual([3, 4, 5]);
    expect(JSON.parse(readFileSync(join(out, 'tokenizer_config.json'), 'utf8'))).toMatchObject({ eos_token: '[EOS]', model_max_length: 16 });
  });

  it('refuses a model with no faithful Transformers class before writing anything, naming the key', async () => {
    const { path } = await writeModelCheckpoint({ mlp: 'gelu' }); // RMSNorm + RoPE + plain GELU MLP (Mini-Tron)
    const out = tmp();
    await expect(exportHf({ checkpoint: path, out })).rejects.toThrow(ConfigError);
    await expect(exportHf({ checkpoint: path, out })).rejects.toThrow(/mlp: gelu/);
    expect(existsSync(out)).toBe(false);
  });

  it('asks for --language when the corpus is not a shipped one, and refuses a non-empty --out without force', async () => {
    const { path } = await writeModelCheckpoint({ data: '/some/where/corpus.jsonl' });
    await expect(exportHf({ checkpoint: path, out: tmp() })).rejects.toThrow(/pass --language CODE/);
    const out = tmp();
    const r = await exportHf({ checkpoint: path, out, language: ['de'], datasets: ['someone/corpus'], license: 'apache-2.0' });
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toMatch(/language:\n {2}- de\nlicense: apache-2.0\n[\s\S]*datasets:\n {2}- someone\/corpus\n/);
    expect(r.family).toBe('llama');
    await expect(exportHf({ checkpoint: path, out, language: ['de'] })).rejects.toThrow(/is not empty/);
    await expect(exportHf({ checkpoint: path, out, language: ['de'], force: true })).resolves.toMatchObject({ family: 'llama' });
  });

  it('GPT-2 family: biases the model lacks are zeros, a note says so', async () => {
    const { path } = await writeModelCheckpoint({ norm: 'layer', positions: 'learned', attention: 'mha', kv_heads: 0, mlp: 'gelu', data: 'data/en_poetry.parquet' });
    const out = tmp();
    const r = await exportHf({ checkpoint: path, out });
    expect(r.family).toBe('gpt2');
    expect(r.notes.join('\n')).toMatch(/LayerNorm, attention, MLP biases .* exported as zeros/);
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'))).toMatchObject({ model_type: 'gpt2', activation_function: 'gelu_new', n_positions: 16 });
  });
});
