import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AutoModelForCausalLM, AutoTokenizer, env, Tensor } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { ConfigError } from '../../../src/core/errors/ConfigError.ts';
import { exportOnnx } from '../../../src/pipeline/export/exportOnnx.ts';
import { withModel } from '../../../src/pipeline/withModel.ts';
import { generateTokens } from '../../../src/model/nn/generate.ts';
import { trainBpe } from '../../../src/model/tokenizer/bpeTrainer.ts';
import { generationOptions } from '../../../src/cli/generationFlags.ts';
import { parseArgs } from '../../../src/cli/parseArgs.ts';
import { captureIO } from '../../cli/checkpointFixture.ts';
import { versiflowLogits, writeModelCheckpoint } from './modelFixture.ts';

const tmp = () => join(mkdtempSync(join(tmpdir(), 'vf-onnx-')), 'out');
const PROMPT = 'the sea';
const GPT2 = { norm: 'layer', positions: 'learned', attention: 'mha', kv_heads: 0, mlp: 'gelu', norm_bias: true, attn_bias: true, mlp_bias: true };

/** transformers.js on the export folder, offline. */
async function load(out: string, dtype: 'fp32' | 'fp16' | 'q8') {
  env.allowRemoteModels = false;
  env.localModelPath = dirname(out);
  const model = await AutoModelForCausalLM.from_pretrained(basename(out), { local_files_only: true, dtype });
  const tokenizer = await AutoTokenizer.from_pretrained(basename(out), { local_files_only: true });
  return { model, tokenizer };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('exportOnnx + transformers.js', () => {
  const bpe = () => trainBpe(['the sea, the sea! and the ships upon the sea', 'she sells sea shells by the sea shore'], { vocabSize: 300, specialTokens: ['[PAD]', '[EOS]', '[UNK]'] });
  const families = [
    ['llama', { fused_gate_up: true, attn_bias: true }, 'char'],
    ['gpt2', GPT2, 'byte-level BPE'],
  ] as const;
  for (const [family, keys, tok] of families) {
    it(`${family} (${tok} tokenizer): transformers.js loads the export as a causal LM; greedy 50 tokens equal \`versiflow generate --temperature 0\``, async () => {
      const { path, gpt, tensors, tokenizer: ours } = await writeModelCheckpoint({ ...keys, context: 64, hidden: 32, ffn: 64, data: 'data/en_poetry.parquet' }, { seed: 5, ...(tok === 'char' ? {} : { tokenizer: bpe() }) });
      const out = tmp();
      const c = captureIO();
      expect(await main(['export', '--checkpoint', path, '--format', 'onnx', '--out', out], c.io)).toBe(0);
      expect(c.out()).toMatch(new RegExp(`^exported .* as an ONNX ${family === 'llama' ? 'LlamaForCausalLM' : 'GPT2LMHeadModel'} decoder`));
      for (const f of ['onnx/model.onnx', 'onnx/model_fp16.onnx', 'onnx/model_quantized.onnx', 'config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']) {
        expect(existsSync(join(out, f)), f).toBe(true);
        expect(c.out()).toContain(`  ${f}  `);
      }
      expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).model_type).toBe(family);

      // Versiflow's greedy tokens: the CLI's text, and the ids of the same generation from the CLI's own options (it prints text only)
      const v = captureIO();
      const flags = ['--temperature', '0', '--max-new-tokens', '50', '--min-new-tokens', '50']; // EOS held back for 50 tokens on both sides
      expect(await main(['generate', '--checkpoint', path, '--prompt', PROMPT, ...flags, '--backend', 'cpu'], v.io)).toBe(0);
      const text = v.out().slice(PROMPT.length, -1); // prompt + continuation + '\n'
      const want = await withModel(path, { backend: 'cpu' }, async (m) => {
        const ids: number[] = [];
        for await (const t of generateTokens({ weights: m.weights, config: m.gpt, tokenizer: m.tokenizer }, PROMPT, generationOptions(parseArgs(flags).flags, m.gpt.vocabSize, 'test'))) ids.push(t.id);
        return ids;
      });
      expect(want).toHaveLength(50);
      expect(ours.decode(want)).toBe(text);

      const { model, tokenizer } = await load(out, 'fp32');
      const enc = tokenizer(PROMPT);
      const promptIds = Array.from(enc.input_ids.data as BigInt64Array, Number);
      expect(promptIds).toEqual(ours.encode(PROMPT));
      const gen = (await model.generate({ ...enc, max_new_tokens: 50, min_new_tokens: 50, do_sample: false })) as Tensor;
      const ids = Array.from(gen.data as BigInt64Array, Number);
      expect(ids.slice(promptIds.length)).toEqual(want);
      expect(tokenizer.decode(ids.slice(promptIds.length), { skip_special_tokens: true })).toBe(text);

      // one forward pass over the prompt: fp32 logits within 1e-4 of Versiflow's
      const logits = ((await model({ ...enc })) as { logits: Tensor }).logits.data as Float32Array;
      const ref = versiflowLogits(gpt, tensors, promptIds);
      let d = 0;
      for (let i = 0; i < ref.length; i++) d = Math.max(d, Math.abs(logits[i] - ref[i]));
      expect(d).toBeLessThan(1e-4);
      await model.dispose();

      // fp16 and q8 load too and greedy-decode mostly the same tokens
      for (const dtype of ['fp16', 'q8'] as const) {
        const m = await load(out, dtype);
        const g = Array.from(((await m.model.generate({ ...enc, max_new_tokens: 20, min_new_tokens: 20, do_sample: false })) as Tensor).data as BigInt64Array, Number).slice(promptIds.length);
        let same = 0;
        while (same < g.length && g[same] === want[same]) same++;
        console.log(`${family} ${dtype}: first ${same}/20 greedy tokens equal fp32's`);
        expect(same).toBeGreaterThanOrEqual(dtype === 'fp16' ? 10 : 3);
        await m.model.dispose();
      }
    }, 60_000);
  }

  it('refuses an architecture with no Transformers class (the hf reason), a non-empty --out, and an unknown variant', async () => {
    const { path } = await writeModelCheckpoint({ mlp: 'gelu' });
    const out = tmp();
    await expect(exportOnnx(path, out)).rejects.toThrow(ConfigError);
    await expect(exportOnnx(path, out)).rejects.toThrow(/^export --format onnx: this model has no faithful Transformers equivalent: mlp: gelu/);
    expect(existsSync(out)).toBe(false);
    const ok = await writeModelCheckpoint({});
    const r = await exportOnnx(ok.path, out, { variants: ['int8'] });
    expect(r.files.map((f) => f.path)).toEqual(['onnx/model_quantized.onnx', 'config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']);
    await expect(exportOnnx(ok.path, out)).rejects.toThrow(/is not empty/);
    const c = captureIO();
    expect(await main(['export', '--checkpoint', ok.path, '--format', 'onnx', '--out', tmp(), '--variants', 'fp32,q4'], c.io)).toBe(2);
    expect(c.err()).toMatch(/--variants takes fp32, fp16, int8 .*got q4/);
  });
});
