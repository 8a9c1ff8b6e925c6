/**
 * `npx tsx bench/dataWarmScale.ts DIR 100 1000 3000`: for each size in MB, a stand-in corpus file of
 * that size (sparse, never read) and a warm token cache for it in the real layout (uint16 shards of
 * 4 Mi tokens, documents of 50–663 tokens: 784 documents and 280 K tokens per MB, as the 100 MB
 * synthetic poems give with bench/data.ts's BPE), with `DIR/tokenizer.json` (a 4,096-token BPE
 * trained on the shipped poems). A tiny run on `DIR/<size>MB/corpus.jsonl` with
 * `--tokenizer DIR/tokenizer.json --cache-dir DIR/<size>MB/cache --normalize none` then starts warm
 * without tokenizing, so its peak memory at 1 GB and 3 GB can be measured on a machine where
 * tokenizing 3 GB would take hours (docs/data.md). The tokens are random: losses mean nothing.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TOKEN_CACHE_FORMAT, TOKEN_CACHE_VERSION, type TokenCacheShard, tokenCacheKey } from '../src/model/formats/tokenCacheFormat.ts';
import { BpeTokenizer } from '../src/model/tokenizer/bpeTokenizer.ts';
import { trainBpe } from '../src/model/tokenizer/bpeTrainer.ts';
import { corpusFingerprint } from '../src/streams/cache/tokenCacheFingerprint.ts';
import { shippedPoems } from './syntheticCorpus.ts';

export async function writeWarmCaches(root: string, sizesMB: readonly number[], log: (s: string) => void = console.log): Promise<void> {
  mkdirSync(root, { recursive: true });
  const tokPath = join(root, 'tokenizer.json');
  let tok: BpeTokenizer;
  try {
    tok = BpeTokenizer.fromJSON(JSON.parse(readFileSync(tokPath, 'utf8')));
  } catch {
    tok = trainBpe((await shippedPoems()).map((p) => p.text), { vocabSize: 4096, specialTokens: ['[PAD]', '[EOS]', '[UNK]'] });
    writeFileSync(tokPath, JSON.stringify(tok.toJSON()));
  }
  for (const mb of sizesMB) {
    const dir = join(root, `${mb}MB`);
    mkdirSync(dir, { recursive: true });
    const corpus = join(dir, 'corpus.jsonl');
    execFileSync('truncate', ['-s', String(mb * 1e6), corpus]);
    const fp = await corpusFingerprint(corpus, { textColumn: 'text', normalize: 'none', maxDocs: 0 });
    const cdir = resolve(join(dir, 'cache'), tokenCacheKey(fp, tok.hash));
    mkdirSync(cdir, { recursive: true });
    const docs = Math.round((78_431 * mb) / 100);
    let s = 1;
    const rnd = () => ((s = Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0) / 2 ** 32;
    const shards: TokenCacheShard[] = [];
    let d = 0;
    while (d < docs) {
      const lengths: number[] = [];
      let tokens = 0;
      while (tokens < 4_194_304 && d + lengths.length < docs) {
        const n = 50 + Math.floor(rnd() * 614);
        lengths.push(n);
        tokens += n;
      }
      const ids = new Uint16Array(tokens);
      for (let i = 0; i < tokens; i++) ids[i] = 3 + Math.floor(rnd() * 4093);
      const file: string = `shard-${String(shards.length).padStart(5, '0')}.bin`;
      const bytes = new Uint8Array(ids.buffer);
      writeFileSync(join(cdir, file), bytes);
      shards.push({ file, docs: lengths.length, tokens, bytes: tokens * 2, sha256: createHash('sha256').update(bytes).digest('hex'), lengths, indices: [[d, lengths.length]], files: [[0, lengths.length]] });
      d += lengths.length;
    }
    const index = { format: TOKEN_CACHE_FORMAT, version: TOKEN_CACHE_VERSION, tokenizerHash: tok.hash, vocabSize: tok.vocabSize, dtype: 'uint16', endianness: 'LE', eos: true, fingerprint: fp, docs, tokens: shards.reduce((n, x) => n + x.tokens, 0), shards };
    writeFileSync(join(cdir, 'index.json'), JSON.stringify(index));
    log(`${mb} MB: ${docs} documents, ${index.tokens} tokens, ${shards.length} shards in ${cdir}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [root, ...sizes] = process.argv.slice(2);
  await writeWarmCaches(root, sizes.map(Number));
}
