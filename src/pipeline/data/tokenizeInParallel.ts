import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DataError } from '../../core/errors/DataError.ts';
import {
  type CorpusFingerprint,
  TOKEN_CACHE_FORMAT,
  TOKEN_CACHE_VERSION,
  type TokenCacheIndex,
  type TokenCacheShard,
  tokenDtype,
} from '../../model/formats/tokenCacheFormat.ts';
import type { Tokenizer } from '../../model/tokenizer/types.ts';
import type { TokenizeUnit } from './tokenizePlan.ts';
import { metaFile, shardFile, type TokenizeWorkerData, type UnitRecord, unitFile, type WorkerMessage } from './tokenizeWorker.ts';

export interface ParallelTokenizeOptions {
  /** The cache directory to create (its partial work lives in `<dir>.tmp-partial` until done). */
  readonly dir: string;
  readonly fingerprint: CorpusFingerprint;
  readonly tokenizer: Tokenizer;
  readonly textColumn: string;
  readonly normalize: string;
  readonly units: readonly TokenizeUnit[];
  /** Worker threads, at most one per unit. */
  readonly workers: number;
  /** Called with the corpus bytes, rows and tokens done so far (completed and in-flight units). */
  readonly onProgress?: (p: { readonly rows: number; readonly bytes: number; readonly tokens: number }) => void;
  /** Aborting stops the workers; completed units stay for the next attempt. */
  readonly signal?: AbortSignal;
}

export interface ParallelTokenizeResult {
  readonly index: TokenCacheIndex;
  /** Units found complete from an earlier, interrupted attempt and not tokenized again. */
  readonly reused: number;
}

/**
 * Tokenizes a corpus into the token cache `dir` with worker threads, one unit (see planTokenizeUnits)
 * at a time per worker, each unit into its own shard. Resumable: each finished unit is recorded in
 * the partial directory, and a rerun for the same cache (same directory name, so same corpus
 * fingerprint and tokenizer) and the same plan tokenizes only the units not recorded; the cache it
 * then writes is byte for byte the one an uninterrupted run writes. Documents are numbered as
 * readCorpus numbers them (the units in order), so the cache is the same as a sequential one's but
 * for how documents are grouped into shards.
 *
 * @throws DataError (from a worker) for a bad row; the partial directory is removed then.
 * @throws the abort reason when `signal` aborts; the partial directory is kept.
 */
export async function tokenizeInParallel(o: ParallelTokenizeOptions): Promise<ParallelTokenizeResult> {
  const partial = `${o.dir}.tmp-partial`;
  const dtype = tokenDtype(o.tokenizer.vocabSize);
  const plan = JSON.stringify({ format: TOKEN_CACHE_FORMAT, version: TOKEN_CACHE_VERSION, dtype, units: o.units });
  if ((await readFile(join(partial, 'plan.json'), 'utf8').catch(() => null)) !== plan) {
    await rm(partial, { recursive: true, force: true });
    await mkdir(partial, { recursive: true });
    await writeFile(join(partial, 'plan.json'), plan);
  }
  const records: (UnitRecord | null)[] = await Promise.all(o.units.map((_, k) => doneRecord(partial, k)));
  const reused = records.filter((r) => r !== null).length;
  const todo = o.units.map((_, k) => k).filter((k) => records[k] === null);

  const live = new Map<number, { rows: number; bytes: number; tokens: number }>();
  const report = () => {
    if (!o.onProgress) return;
    let rows = 0;
    let bytes = 0;
    let tokens = 0;
    records.forEach((r, k) => {
      const p = r ? { rows: r.rows, bytes: o.units[k].bytes, tokens: r.tokens } : live.get(k);
      if (p) (rows += p.rows), (bytes += p.bytes), (tokens += p.tokens);
    });
    o.onProgress({ rows, bytes, tokens });
  };

  const data: TokenizeWorkerData = { dir: partial, tokenizer: o.tokenizer.toJSON(), textColumn: o.textColumn, normalize: o.normalize, dtype };
  const n = Math.max(0, Math.min(o.workers, todo.length));
  const workers = Array.from({ length: n }, () => spawnWorker(data));
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let running = 0;
      const fail = (e: Error) => reject(e);
      const feed = (w: Worker) => {
        if (next >= todo.length) {
          if (running === 0) resolve();
          return;
        }
        const k = todo[next++];
        running++;
        w.postMessage({ unit: k, spec: o.units[k] });
      };
      if (o.signal?.aborted) return fail(o.signal.reason as Error);
      o.signal?.addEventListener('abort', () => fail(o.signal!.reason as Error), { once: true });
      for (const w of workers) {
        w.on('error', fail);
        w.on('exit', (code) => code !== 0 && fail(new Error(`a tokenizing worker exited with code ${code}`)));
        w.on('message', (m: WorkerMessage) => {
          if (m.type === 'progress') {
            live.set(m.unit, m);
            report();
          } else if (m.type === 'done') {
            records[m.unit] = m.record;
            live.delete(m.unit);
            running--;
            report();
            feed(w);
          } else {
            fail(m.name === 'DataError' ? new DataError(m.message) : new Error(`tokenizing ${o.units[m.unit].label}: ${m.message}`));
          }
        });
        feed(w);
      }
      if (workers.length === 0) resolve();
    });
  } catch (e) {
    await Promise.all(workers.map((w) => w.terminate())); // before the cleanup: no worker writes into it after
    if (e instanceof DataError) await rm(partial, { recursive: true, force: true });
    throw e;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }

  let first = 0;
  const shards: TokenCacheShard[] = records.map((r, k) => {
    const rec = r!;
    const shard: TokenCacheShard = {
      file: shardFile(k),
      docs: rec.rows,
      tokens: rec.tokens,
      bytes: rec.bytes,
      sha256: rec.sha256,
      lengths: rec.lengths,
      indices: rec.rows > 0 ? [[first, rec.rows]] : [],
      files: rec.rows > 0 ? [[o.units[k].file, rec.rows]] : [],
      ...(rec.meta ? { meta: metaFile(k) } : {}),
    };
    first += rec.rows;
    return shard;
  });
  const index: TokenCacheIndex = {
    format: TOKEN_CACHE_FORMAT,
    version: TOKEN_CACHE_VERSION,
    tokenizerHash: o.tokenizer.hash,
    vocabSize: o.tokenizer.vocabSize,
    dtype,
    endianness: 'LE',
    eos: o.tokenizer.eosId >= 0,
    fingerprint: o.fingerprint,
    docs: first,
    tokens: shards.reduce((t, s) => t + s.tokens, 0),
    shards,
  };
  await writeFile(join(partial, 'index.json'), JSON.stringify(index));
  await Promise.all([...o.units.map((_, k) => rm(join(partial, unitFile(k)), { force: true })), rm(join(partial, 'plan.json'), { force: true })]);
  await rm(o.dir, { recursive: true, force: true });
  await rename(partial, o.dir);
  return { index, reused };
}

/** The record of unit k if it finished (record present, shard of the recorded size), else null. */
async function doneRecord(partial: string, k: number): Promise<UnitRecord | null> {
  try {
    const rec = JSON.parse(await readFile(join(partial, unitFile(k)), 'utf8')) as UnitRecord;
    return (await stat(join(partial, shardFile(k)))).size === rec.bytes ? rec : null;
  } catch {
    return null;
  }
}

/**
 * A worker running tokenizeWorker: the .js next to this file in the build; from the TypeScript
 * sources (tsx, vitest) a bootstrap that registers tsx in the worker first.
 */
function spawnWorker(data: TokenizeWorkerData): Worker {
  const ts = import.meta.url.endsWith('.ts');
  const entry = new URL(`./tokenizeWorker.${ts ? 'ts' : 'js'}`, import.meta.url);
  if (!ts) return new Worker(entry, { workerData: data });
  // tsx's ESM API (its CommonJS build cannot be imported from a worker's eval'd bootstrap)
  const tsx = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { eval: true, workerData: data });
}
