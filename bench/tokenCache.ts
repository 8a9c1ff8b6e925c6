/**
 * Token cache benchmark: prepareData on data/ru_poetry.parquet with a 24k byte-level BPE (trained
 * here, once), cold (tokenize + write the cache), warm (read the cache) and without the cache. Each
 * phase gets a freshly loaded tokenizer, so the BPE's word cache does not carry over between them.
 * Run: `node --import tsx bench/tokenCache.ts`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { normalizeConfig } from '../src/core/config/normalizeConfig.ts';
import { tokenizerFromJSON } from '../src/model/tokenizer/loadTokenizer.ts';
import { prepareData, resolveTokenizer } from '../src/pipeline/data/prepareData.ts';
import { benchDataDir, type BenchInput, corpusFile } from './inputs.ts';

const CORPUS = 'ru_poetry.parquet'; // under data/, or BENCH_DATA_DIR

/** What `npm run bench -- token-cache --check` verifies. */
export function tokenCacheInputs(): BenchInput[] {
  return [corpusFile(CORPUS, 'tokenized cold, warm and without the cache')];
}

async function time<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await f();
  return [r, performance.now() - t];
}

/** Prints the seconds of each phase and the cold/warm ratio. */
export async function benchTokenCache(log: (s: string) => void = (s) => process.stdout.write(s + '\n')): Promise<void> {
  const DATA = join(benchDataDir(), CORPUS);
  const dir = mkdtempSync(join(tmpdir(), 'versiflow-bench-cache-'));
  try {
    const cfg = (extra: Record<string, unknown> = {}) =>
      normalizeConfig({ data: DATA, tokenizer: join(dir, 'bpe24k.json'), vocab_size: 24000, cache_dir: join(dir, 'tokens'), ...extra });
    const [{ tokenizer }, trainMs] = await time(() => resolveTokenizer(cfg()));
    log(`token cache: trained a ${tokenizer.vocabSize}-token BPE on ru_poetry in ${(trainMs / 1000).toFixed(1)} s`);
    const fresh = () => tokenizerFromJSON(JSON.parse(readFileSync(join(dir, 'bpe24k.json'), 'utf8')));
    const [cold, coldMs] = await time(() => prepareData(cfg(), fresh()));
    const [warm, warmMs] = await time(() => prepareData(cfg(), fresh()));
    const [off, offMs] = await time(() => prepareData(cfg({ token_cache: false }), fresh()));
    if (cold.cache.hit || !warm.cache.hit) throw new Error(`expected a miss then a hit, got ${cold.cache.hit} then ${warm.cache.hit}`);
    const tokens = off.trainTokens + off.valTokens;
    log(`token cache: prepareData ru_poetry (${off.docs.train + off.docs.val} docs, ${tokens} tokens in examples): cold ${coldMs.toFixed(0)} ms (tokenize + write), warm ${warmMs.toFixed(0)} ms, no cache ${offMs.toFixed(0)} ms`);
    log(`token cache: cold/warm = ${(coldMs / warmMs).toFixed(1)}x, no-cache/warm = ${(offMs / warmMs).toFixed(1)}x`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await benchTokenCache();
