// Whole-corpus identity of the SentencePiece-style BPE trainer's tokenizer.json: for each shipped
// corpus and vocabulary size, train on the whole corpus, then encode every document with Versiflow's
// SentencePieceBpeTokenizer and with HF tokenizers (Rust, the `tokenizers` package) and compare ids
// and decoded text. Prints one line per (corpus, size); exits 1 on any mismatch.
// usage: npx tsx scripts/sp-bpe-identity.ts [fr_poetry,ru_poetry,en_poetry,tinyshakespeare] [128,1000,8000,32000]
import { lastValueFrom, toArray } from 'rxjs';
import { Tokenizer as HfTokenizer } from 'tokenizers';
import { trainSentencePieceBpe } from '../src/model/tokenizer/sentencePieceBpeTrainer.ts';
import { readCorpus } from '../src/streams/sources/readCorpus.ts';

const corpora = (process.argv[2] ?? 'fr_poetry,ru_poetry,en_poetry,tinyshakespeare').split(',');
const sizes = (process.argv[3] ?? '128,1000,8000,32000').split(',').map(Number);
let failed = 0;
for (const name of corpora) {
  const texts = (await lastValueFrom(readCorpus(`data/${name}.parquet`, {}).pipe(toArray()))).map((r) => r.text);
  for (const vocabSize of sizes) {
    const t0 = performance.now();
    const r = trainSentencePieceBpe(texts, { vocabSize, userDefinedSymbols: vocabSize >= 1000 ? ['«', '»', '—', '…'] : [] });
    const trainS = (performance.now() - t0) / 1000;
    const hf = HfTokenizer.fromString(JSON.stringify(r.tokenizer.toJSON()));
    let ids = 0;
    let chars = 0;
    let unk = 0;
    let bad = 0;
    for (const t of texts) {
      const want = (await hf.encode(t, null, { addSpecialTokens: false })).getIds();
      const got = r.tokenizer.encode(t);
      const same = got.length === want.length && got.every((x, i) => x === want[i]) && r.tokenizer.decode(got) === (await hf.decode(want, true));
      if (!same && bad++ < 3) console.log(`  mismatch in ${JSON.stringify(t.slice(0, 60))}`);
      ids += got.length;
      chars += t.length;
      unk += got.filter((x) => x === r.tokenizer.unkId).length;
    }
    failed += bad;
    console.log(
      `${name} vocab ${vocabSize}: ${r.tokenizer.vocabSize} tokens, ${r.alphabet} characters (${(100 * r.coverage).toFixed(3)}%), ${r.merges} merges, byte fallback ${r.byteFallback ? 'on' : 'off'}; ` +
        `trained in ${trainS.toFixed(1)} s; ${texts.length} docs, ${ids} ids, ${(chars / ids).toFixed(2)} chars/token, ${unk} <unk>; mismatches ${bad}${r.notes.length ? ` (${r.notes.join('; ')})` : ''}`,
    );
  }
}
process.exit(failed ? 1 : 0);
