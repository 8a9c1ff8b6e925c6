import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { Tokenizer as HfTokenizer } from 'tokenizers';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { tokenizerFromJSON } from '../../../src/model/tokenizer/loadTokenizer.ts';
import { SentencePieceBpeTokenizer } from '../../../src/model/tokenizer/sentencePieceBpeTokenizer.ts';
import { exportHf } from '../../../src/pipeline/export/exportHf.ts';
import { openCheckpoint } from '../../../src/streams/checkpoints/checkpointStore.ts';
import { readCorpus } from '../../../src/streams/sources/readCorpus.ts';
import { captureIO } from '../../cli/checkpointFixture.ts';
import { learnSpBpe, llama2TokenizerJson } from '../../model/tokenizer/sentencePieceFixture.ts';
import { writeModelCheckpoint } from '../export/modelFixture.ts';

/** A Llama-family Transformers folder whose tokenizer.json is Llama 2's SentencePiece-BPE layout. */
async function spFolder(): Promise<{ dir: string; doc: Record<string, unknown>; texts: string[] }> {
  const texts = (await lastValueFrom(readCorpus('data/en_poetry.parquet', { maxDocs: 50 }).pipe(toArray()))).map((r) => r.text);
  const doc = llama2TokenizerJson(learnSpBpe(texts.slice(0, 40), 150));
  const { path } = await writeModelCheckpoint({ context: 32, vocab_size: 640 }, { std: 0.3 });
  const dir = join(mkdtempSync(join(tmpdir(), 'vf-import-sp-')), 'hf');
  await exportHf({ checkpoint: path, out: dir, language: ['en'] });
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(doc));
  return { dir, doc, texts: texts.slice(40) };
}

describe('versiflow import with a SentencePiece-style tokenizer', () => {
  it('the checkpoint keeps the tokenizer.json and encodes as HF tokenizers; generate runs on it', async () => {
    const { dir, doc, texts } = await spFolder();
    const out = join(dir, '..', 'run');
    const c = captureIO();
    expect(await main(['import', '--from', dir, '--out', out], c.io)).toBe(0);
    expect(c.out()).toMatch(/^imported .* \(hf-llama, [\d,]+ parameters\)/);
    const { checkpoint } = await openCheckpoint(out, out);
    const t = tokenizerFromJSON(checkpoint.tokenizer);
    expect(t).toBeInstanceOf(SentencePieceBpeTokenizer);
    expect(t.eosId).toBe(2);
    const hf = HfTokenizer.fromString(JSON.stringify(doc));
    for (const text of texts) expect(t.encode(text)).toEqual((await hf.encode(text, null, { addSpecialTokens: false })).getIds());
    const g = captureIO();
    expect(await main(['generate', '--checkpoint', out, '--prompt', 'The sea', '--temperature', '0', '--max-new-tokens', '8', '--backend', 'cpu'], g.io)).toBe(0);
    expect(g.out()).toMatch(/^The sea/);
    expect(g.err()).toMatch(/\[\d+ tokens in/);
  });

  it('a Unigram or WordPiece tokenizer.json is refused naming the model type', async () => {
    const { dir } = await spFolder();
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify({ version: '1.0', model: { type: 'Unigram', unk_id: 0, vocab: [['<unk>', 0]] } }));
    const c = captureIO();
    expect(await main(['import', '--from', dir, '--out', join(dir, '..', 'x')], c.io)).toBe(2);
    expect(c.err()).toMatch(/tokenizer\.json: model type Unigram \(SentencePiece unigram .*\) is not supported; .*SentencePiece-style/);
  });
});
