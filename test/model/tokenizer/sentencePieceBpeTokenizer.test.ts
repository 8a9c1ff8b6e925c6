import { lastValueFrom, toArray } from 'rxjs';
import { Tokenizer as HfTokenizer } from 'tokenizers';
import { beforeAll, describe, expect, it } from 'vitest';
import { tokenizerFromJSON } from '../../../src/model/tokenizer/loadTokenizer.ts';
import { SentencePieceBpeTokenizer } from '../../../src/model/tokenizer/sentencePieceBpeTokenizer.ts';
import { readCorpus } from '../../../src/streams/sources/readCorpus.ts';
import { learnSpBpe, llama2TokenizerJson, metaspaceTokenizerJson } from './sentencePieceFixture.ts';

/**
 * SentencePieceBpeTokenizer against HF tokenizers (Rust, the `tokenizers` package) on the shipped
 * corpora: same ids (add_special_tokens=False) and same decoded text, for Llama 2's legacy layout and
 * the Metaspace layout (split and unsplit). The vocabulary is learned from English poetry, so the
 * Russian and French corpora exercise byte fallback (characters seen once or never become <0xXX>).
 */

let texts: string[] = [];
let vocab: ReturnType<typeof learnSpBpe>;
beforeAll(async () => {
  const read = (f: string, n: number) => lastValueFrom(readCorpus(f, { maxDocs: n }).pipe(toArray())).then((rs) => rs.map((r) => r.text));
  const [en, ru, fr, sh] = await Promise.all([read('data/en_poetry.parquet', 160), read('data/ru_poetry.parquet', 20), read('data/fr_poetry.parquet', 20), read('data/tinyshakespeare.parquet', 300)]);
  vocab = learnSpBpe(en.slice(0, 120), 400);
  texts = [...en.slice(120), ...ru, ...fr, sh.join('\n'), '', ' ', '  two  spaces ', '\n\nnewlines\n', 'emoji 🙂 and 日本語', 'text</s>with <s> specials', '<s>start', 'tab\tand\rcr'];
});

async function compare(doc: Record<string, unknown>): Promise<{ ids: number; bytes: number }> {
  const ours = tokenizerFromJSON(doc);
  expect(ours).toBeInstanceOf(SentencePieceBpeTokenizer);
  const hf = HfTokenizer.fromString(JSON.stringify(doc));
  let ids = 0;
  let fallback = 0;
  for (const t of texts) {
    const want = (await hf.encode(t, null, { addSpecialTokens: false })).getIds();
    const got = ours.encode(t);
    expect(got, JSON.stringify(t.slice(0, 80))).toEqual(want);
    expect(ours.decode(got), JSON.stringify(t.slice(0, 80))).toBe(await hf.decode(want, true));
    ids += got.length;
    fallback += got.filter((id) => id >= 3 && id < 259).length;
  }
  return { ids, bytes: fallback };
}

describe('SentencePieceBpeTokenizer = HF tokenizers', () => {
  it('Llama 2 legacy layout (Prepend + Replace normalizer, no pre-tokenizer, byte fallback, fused unk)', async () => {
    const { ids, bytes } = await compare(llama2TokenizerJson(vocab));
    expect(ids).toBeGreaterThan(10_000);
    expect(bytes).toBeGreaterThan(1000); // Cyrillic and accents went through <0xXX>
  });

  it('Metaspace layout, prepend_scheme first, split true and false', async () => {
    await compare(metaspaceTokenizerJson(vocab, true));
    await compare(metaspaceTokenizerJson(vocab, false));
  });

  it('hand-checked: words get "▁", unknown characters become UTF-8 byte tokens, specials are matched whole', () => {
    const t = SentencePieceBpeTokenizer.fromJSON(llama2TokenizerJson(vocab));
    const byId = new Map(Object.entries(vocab.vocab).map(([k, v]) => [v, k]));
    const pieces = (s: string) => t.encode(s).map((id) => byId.get(id));
    expect(pieces('я')).toEqual(['▁', '<0xD1>', '<0x8F>']);
    expect(t.encode('a</s>b')[1]).toBe(2);
    expect([t.eosId, t.unkId, t.padId]).toEqual([2, 0, -1]);
    const dec = t.decoder();
    // "▁▁я!" (Prepend + Replace): streaming decode strips only the prepended space, and holds the byte tokens of я until both arrived
    const ids = t.encode(' я!');
    expect(ids.map(dec)).toEqual(['', ' ', '', 'я', '!']); // ▁ ▁ <0xD1> <0x8F> !
    expect(t.decode(ids)).toBe(' я!');
  });

  it('refuses other model types and unknown parts by name', () => {
    const base = llama2TokenizerJson(vocab);
    expect(() => tokenizerFromJSON({ ...base, model: { type: 'Unigram', vocab: [] } })).toThrow(/model type Unigram \(SentencePiece unigram \(T5, ALBERT, XLNet style\)\) is not supported/);
    expect(() => tokenizerFromJSON({ ...base, model: { type: 'WordPiece', vocab: {} } })).toThrow(/model type WordPiece \(WordPiece \(BERT style\)\)/);
    expect(() => tokenizerFromJSON({ ...base, normalizer: { type: 'NFKC' } })).toThrow(/unsupported normalizer = NFKC/);
    expect(() => tokenizerFromJSON({ ...base, decoder: { type: 'ByteLevel' } })).toThrow(/unsupported decoder = ByteLevel/);
  });
});
