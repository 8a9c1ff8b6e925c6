/**
 * A tokenizing worker thread (see tokenizeInParallel): for each unit it is sent, reads the unit's
 * rows, normalises and tokenizes them (BOS first when the tokenizer adds one, EOS appended) and streams the ids into `shard-NNNNN.bin` of
 * the partial cache directory, then records the unit as done in `unit-NNNNN.json` (written last,
 * by rename, so a unit whose record exists is complete). Posts progress about 4 times a second.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { CorpusDoc, DocMeta } from '../../core/corpusDoc.ts';
import { encodeMeta, type TokenDtype } from '../../model/formats/tokenCacheFormat.ts';
import { docMeta } from '../../operators/tokenize.ts';
import { encodeDocument } from '../../model/tokenizer/documentIds.ts';
import { tokenizerFromJSON } from '../../model/tokenizer/loadTokenizer.ts';
import { normalizeString } from '../../model/tokenizer/normalize.ts';
import { readJsonlRange } from '../../streams/sources/readJsonl.ts';
import { readParquet } from '../../streams/sources/readParquet.ts';
import { corpusRows } from '../../streams/sources/readCorpus.ts';
import { normalizeOptions } from './corpus.ts';
import type { TokenizeUnit } from './tokenizePlan.ts';

export interface TokenizeWorkerData {
  readonly dir: string;
  readonly tokenizer: Record<string, unknown>;
  readonly textColumn: string;
  readonly normalize: string;
  readonly dtype: TokenDtype;
}

/** What a finished unit's record holds. */
export interface UnitRecord {
  readonly rows: number;
  readonly tokens: number;
  readonly bytes: number;
  readonly sha256: string;
  readonly lengths: readonly number[];
  /** Whether `meta-NNNNN.jsonl` was written (some document has an author, title or language). */
  readonly meta: boolean;
}

export type WorkerMessage =
  | { readonly type: 'progress'; readonly unit: number; readonly rows: number; readonly bytes: number; readonly tokens: number }
  | { readonly type: 'done'; readonly unit: number; readonly record: UnitRecord }
  | { readonly type: 'error'; readonly unit: number; readonly name: string; readonly message: string };

export const shardFile = (k: number): string => `shard-${String(k).padStart(5, '0')}.bin`;
export const unitFile = (k: number): string => `unit-${String(k).padStart(5, '0')}.json`;
export const metaFile = (k: number): string => `meta-${String(k).padStart(5, '0')}.jsonl`;

function rowsOf(u: TokenizeUnit, textColumn: string): AsyncIterable<CorpusDoc> {
  if (u.kind === 'jsonl') return readJsonlRange(u.path, textColumn, u.start, u.end, u.label);
  if (u.kind === 'parquet') return readParquet(u.path, textColumn, u.label, u.groups);
  return corpusRows(u.path, { textColumn });
}

async function tokenizeUnit(k: number, u: TokenizeUnit, d: TokenizeWorkerData, encode: (text: string) => number[], eos: number, post: (m: WorkerMessage) => void): Promise<void> {
  const norm = normalizeOptions(d.normalize);
  const path = join(d.dir, shardFile(k));
  const fd = openSync(path, 'w');
  const hash = createHash('sha256');
  const CAP = 1 << 20;
  const buf = d.dtype === 'uint16' ? new Uint16Array(CAP) : new Uint32Array(CAP);
  let used = 0;
  const flush = () => {
    const bytes = new Uint8Array(buf.buffer, 0, used * buf.BYTES_PER_ELEMENT);
    writeSync(fd, bytes);
    hash.update(bytes);
    used = 0;
  };
  const max = d.dtype === 'uint16' ? 0xffff : 0xffffffff;
  const lengths: number[] = [];
  const metas: (DocMeta | undefined)[] = [];
  let tokens = 0;
  let bytesRead = 0;
  let last = Date.now();
  try {
    for await (const row of rowsOf(u, d.textColumn)) {
      const ids = encode(normalizeString(row.text, norm));
      const n = ids.length + (eos >= 0 ? 1 : 0);
      for (let i = 0; i < n; i++) {
        const id = i < ids.length ? ids[i] : eos;
        if (id < 0 || id > max) throw new RangeError(`token id ${id} does not fit ${d.dtype}`);
        if (used === CAP) flush();
        buf[used++] = id;
      }
      lengths.push(n);
      metas.push(docMeta(row));
      tokens += n;
      bytesRead = u.kind === 'jsonl' ? (row.filePos ?? u.start) - u.start : Math.min(u.bytes, row.filePos ?? 0);
      if (Date.now() - last > 250) {
        last = Date.now();
        post({ type: 'progress', unit: k, rows: lengths.length, bytes: bytesRead, tokens });
      }
    }
    flush();
  } finally {
    closeSync(fd);
  }
  const metaLines = encodeMeta(metas);
  if (metaLines !== null) writeFileSync(join(d.dir, metaFile(k)), metaLines);
  const record: UnitRecord = { rows: lengths.length, tokens, bytes: tokens * buf.BYTES_PER_ELEMENT, sha256: hash.digest('hex'), lengths, meta: metaLines !== null };
  const tmp = join(d.dir, `${unitFile(k)}.tmp`);
  writeFileSync(tmp, JSON.stringify(record));
  renameSync(tmp, join(d.dir, unitFile(k)));
  post({ type: 'done', unit: k, record });
}

if (parentPort) {
  const port = parentPort;
  const d = workerData as TokenizeWorkerData;
  const tokenizer = tokenizerFromJSON(d.tokenizer);
  const encode = (text: string) => encodeDocument(tokenizer, text);
  let queue = Promise.resolve();
  port.on('message', (m: { unit: number; spec: TokenizeUnit } | 'exit') => {
    if (m === 'exit') {
      void queue.then(() => port.close());
      return;
    }
    queue = queue.then(() =>
      tokenizeUnit(m.unit, m.spec, d, encode, tokenizer.eosId, (msg) => port.postMessage(msg)).catch((e: unknown) =>
        port.postMessage({ type: 'error', unit: m.unit, name: (e as Error).name ?? 'Error', message: (e as Error).message ?? String(e) } satisfies WorkerMessage),
      ),
    );
  });
}
