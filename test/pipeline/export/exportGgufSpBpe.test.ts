import { join } from 'node:path';
import { getLlama, type Llama, LlamaLogLevel } from 'node-llama-cpp';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainSentencePieceBpe } from '../../../src/model/tokenizer/sentencePieceBpeTrainer.ts';
import { exportGguf } from '../../../src/pipeline/export/exportGguf.ts';
import { readCorpus } from '../../../src/streams/sources/readCorpus.ts';
import { writeModelCheckpoint } from './modelFixture.ts';

/**
 * A tokenizer from the SentencePiece-style BPE trainer, exported to GGUF as llama.cpp's SPM vocabulary
 * and loaded by llama.cpp (node-llama-cpp's prebuilt CPU binary): llama.cpp tokenizes text to the same
 * ids as Versiflow (and so as HF tokenizers, test/model/tokenizer/sentencePieceBpeTrainer.test.ts).
 */

let llama: Llama;
beforeAll(async () => {
  llama = await getLlama({ gpu: false, build: 'never', usePrebuiltBinaries: true, skipDownload: true, logLevel: LlamaLogLevel.error, progressLogs: false });
});
afterAll(async () => {
  await llama?.dispose();
});

describe('export --format gguf of a trained sp_bpe tokenizer, read by llama.cpp', () => {
  it('ru + en 1k with byte fallback: llama.cpp gives the same ids for every line', async () => {
    const read = (f: string, n: number) => lastValueFrom(readCorpus(`data/${f}.parquet`, { maxDocs: n }).pipe(toArray())).then((rs) => rs.map((r) => r.text));
    const [ru, en] = await Promise.all([read('ru_poetry', 120), read('en_poetry', 120)]);
    const { tokenizer } = trainSentencePieceBpe([...ru.slice(0, 100), ...en.slice(0, 100)], { vocabSize: 1000 });
    const { runDir } = await writeModelCheckpoint({ context: 64, hidden: 64, heads: 4, kv_heads: 2, ffn: 128, vocab_size: 1000 }, { std: 0.3, tokenizer });
    const r = await exportGguf({ checkpoint: runDir, out: join(runDir, 'gguf'), type: 'f32' });
    const lines = [...ru.slice(100), ...en.slice(100)].flatMap((t) => t.split('\n')).filter((l) => l.trim());
    const model = await llama.loadModel({ modelPath: r.file });
    try {
      let bad = 0;
      for (const l of lines) if (JSON.stringify([...model.tokenize(l, false)]) !== JSON.stringify(tokenizer.encode(l)) && bad++ < 3) console.log(l, [...model.tokenize(l, false)], tokenizer.encode(l));
      console.log(`gguf sp_bpe: ${lines.length} lines, ${bad} differ`);
      expect(bad).toBe(0);
    } finally {
      await model.dispose();
    }
  });
});
