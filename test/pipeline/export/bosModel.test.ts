import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';
import { Tokenizer as HfTokenizer } from 'tokenizers';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { decodeGguf } from '../../../src/model/formats/gguf/ggufFile.ts';
import { generateTokens } from '../../../src/model/nn/generate.ts';
import { trainBpe } from '../../../src/model/tokenizer/bpeTrainer.ts';
import { encodeDocument } from '../../../src/model/tokenizer/documentIds.ts';
import type { Tokenizer } from '../../../src/model/tokenizer/types.ts';
import { exportGguf } from '../../../src/pipeline/export/exportGguf.ts';
import { exportHf } from '../../../src/pipeline/export/exportHf.ts';
import { withModel } from '../../../src/pipeline/withModel.ts';
import { captureIO } from '../../cli/checkpointFixture.ts';
import { samplePoems } from '../../model/tokenizer/hfReference.ts';
import { writeModelCheckpoint } from './modelFixture.ts';

/**
 * A model trained with bos_token: `generate` feeds the BOS before the prompt, and the HF and GGUF
 * exports say so (config.json bos_token_id, tokenizer_config add_bos_token, the tokenizer.json's
 * template, tokenizer.ggml.add_bos_token, which llama.cpp reads), so other runtimes start prompts as
 * training did.
 */

let tok: Tokenizer;
let ckpt: string;
let runDir: string;
beforeAll(async () => {
  tok = trainBpe(samplePoems().slice(0, 80), { vocabSize: 300, specialTokens: ['[PAD]', '[EOS]', '[UNK]'], bos: true });
  ({ path: ckpt, runDir } = await writeModelCheckpoint({ context: 32 }, { tokenizer: tok, seed: 11 }));
});

/** Greedy text after `ids`, 8 tokens or to EOS. */
async function greedy(ids: number[]): Promise<string> {
  return withModel(ckpt, { backend: 'cpu' }, async (m) => {
    const out: number[] = [];
    for await (const t of generateTokens({ weights: m.weights, config: m.gpt, tokenizer: m.tokenizer }, ids, { maxNewTokens: 8, temperature: 0, topK: 0 })) {
      if (t.finish === 'eos') break;
      out.push(t.id);
    }
    return m.tokenizer.decode(out);
  });
}

describe('a model trained with BOS', () => {
  it('generate starts the prompt with BOS (one more position in the prefill; the CLI continues [BOS] prompt, not the prompt alone)', async () => {
    const prompt = 'the night';
    const text = tok.encode(prompt);
    const positions: number[] = [];
    await withModel(ckpt, { backend: 'cpu' }, async (m) => {
      expect(m.tokenizer.addBos).toBe(true); // from the checkpoint's tokenizer.json
      for await (const _ of generateTokens({ weights: m.weights, config: m.gpt, tokenizer: m.tokenizer }, prompt, { maxNewTokens: 1, temperature: 0, topK: 0, cache: false, onForward: (n) => positions.push(n) }));
    });
    expect(positions).toEqual([text.length + 1]);
    const [withBos, without] = [await greedy([3, ...text]), await greedy(text)];
    expect(withBos).not.toBe(without); // the test can tell the two apart
    const c = captureIO();
    expect(await main(['generate', '--checkpoint', ckpt, '--prompt', prompt, '--max-new-tokens', '8', '--temperature', '0', '--backend', 'cpu'], c.io)).toBe(0);
    expect(c.out().replace(/\n$/, '')).toBe(prompt + withBos);
  }, 60_000);

  it('HF export: bos_token_id, add_bos_token, and a tokenizer.json HF tokenizers encodes with the BOS first', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vf-bos-hf-'));
    await exportHf({ checkpoint: ckpt, out });
    const read = (f: string) => JSON.parse(readFileSync(join(out, f), 'utf8'));
    expect(read('config.json')).toMatchObject({ bos_token_id: 3, eos_token_id: 1 });
    expect(read('tokenizer_config.json')).toMatchObject({ add_bos_token: true, add_eos_token: false, bos_token: '[BOS]', eos_token: '[EOS]' });
    expect(read('special_tokens_map.json')).toMatchObject({ bos_token: '[BOS]', eos_token: '[EOS]' });
    const hf = HfTokenizer.fromString(readFileSync(join(out, 'tokenizer.json'), 'utf8'));
    for (const text of ['the night', 'Мороз и солнце; день чудесный!', 'a\n\nb'])
      expect((await hf.encode(text)).getIds()).toEqual(encodeDocument(tok, text));
  }, 60_000);

  it('GGUF export: tokenizer.ggml.bos_token_id is the BOS and add_bos_token is true (read back from the file, and by llama.cpp)', async () => {
    const r = await exportGguf({ checkpoint: ckpt, out: join(runDir, 'gguf'), type: 'f32' });
    const g = decodeGguf(readFileSync(r.file));
    expect(g.kv.get('tokenizer.ggml.bos_token_id')).toBe(3);
    expect(g.kv.get('tokenizer.ggml.add_bos_token')).toBe(true);
    expect(g.kv.get('tokenizer.ggml.eos_token_id')).toBe(1);
    expect((g.kv.get('tokenizer.ggml.tokens') as string[])[3]).toBe('[BOS]');
    // llama.cpp (node-llama-cpp's prebuilt CPU binary) reads it: BOS 3, prepended to evaluations; its tokens after it are Versiflow's
    const llama = await getLlama({ gpu: false, build: 'never', usePrebuiltBinaries: true, skipDownload: true, logLevel: LlamaLogLevel.error, progressLogs: false });
    try {
      const model = await llama.loadModel({ modelPath: r.file });
      expect([model.tokens.bos, model.tokens.shouldPrependBosToken]).toEqual([3, true]);
      for (const text of ['the night', 'Мороз и солнце']) expect([3, ...model.tokenize(text)]).toEqual(encodeDocument(tok, text));
      await model.dispose();
    } finally {
      await llama.dispose();
    }
  }, 60_000);
});
