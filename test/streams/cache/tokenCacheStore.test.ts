import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TokenizedDoc } from '../../../src/core/corpusDoc.ts';
import { TokenCacheError } from '../../../src/core/errors/TokenCacheError.ts';
import { docSpans, packedExamples, truncatedExamples } from '../../../src/model/nn/exampleSets.ts';
import { memoryDocStore } from '../../../src/model/nn/memoryDocStore.ts';
import { Rng } from '../../../src/model/nn/rng.ts';
import { createTokenCacheWriter } from '../../../src/streams/cache/tokenCacheWriter.ts';
import { openTokenCacheStore } from '../../../src/streams/cache/tokenCacheStore.ts';
import { batchSchedule } from '../../../src/streams/sources/batchSchedule.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function docs(n: number, seed: number, vocab: number): TokenizedDoc[] {
  const rng = new Rng(seed);
  // corpus indices with a gap (as after max_docs or a filter): runs in the index
  return Array.from({ length: n }, (_, k) => ({ index: k < 20 ? k : k + 5, ids: Int32Array.from({ length: 1 + rng.int(60) }, () => rng.int(vocab)) }));
}

async function writeCache(all: TokenizedDoc[], vocabSize: number, shardTokens: number) {
  const root = mkdtempSync(join(tmpdir(), 'vf-store-'));
  dirs.push(root);
  const dir = join(root, 'cache');
  const w = await createTokenCacheWriter(dir, { fingerprint: { files: [], textColumn: 'text', normalize: 'nfc', maxDocs: 0 }, tokenizerHash: 'h', vocabSize, eos: true }, { shardTokens });
  for (const d of all) await w.write(d);
  return { dir, index: await w.finish() };
}

describe('openTokenCacheStore (positioned reads from the shards)', () => {
  it.each([
    ['uint16', 300],
    ['uint32', 70_000],
  ])('reads every document and any slice of one as written (%s, many shards)', async (_, vocab) => {
    const all = docs(80, 5, vocab);
    const { dir, index } = await writeCache(all, vocab, 200);
    expect(index.shards.length).toBeGreaterThan(5);
    const store = openTokenCacheStore(dir, index);
    expect([store.count, store.tokens]).toEqual([80, all.reduce((n, d) => n + d.ids.length, 0)]);
    for (let d = 0; d < all.length; d++) {
      expect(store.corpusIndex(d)).toBe(all[d].index);
      const out = new Int32Array(store.length(d));
      store.read(d, 0, out.length, out, 0);
      expect(out).toEqual(all[d].ids);
    }
    const part = new Int32Array(7).fill(-1);
    store.read(30, 2, 5, part, 1);
    expect(Array.from(part)).toEqual([-1, ...all[30].ids.subarray(2, 7), -1]);
    store.close();
    expect(() => store.read(0, 0, 1, part, 0)).toThrow(TokenCacheError);
  });

  it('gives the batches of in-memory documents, and a resumed schedule continues the full one exactly', async () => {
    const all = docs(120, 9, 300);
    const { dir, index } = await writeCache(all, 300, 256);
    const disk = openTokenCacheStore(dir, index);
    const mem = memoryDocStore(all);
    const pick = Array.from({ length: all.length }, (_, i) => i).filter((i) => i % 5 !== 2);
    for (const [make, group] of [[(s: typeof disk) => packedExamples(s, docSpans(s, pick), 16), 0], [(s: typeof disk) => truncatedExamples(s, docSpans(s, pick), 32, 0), 4]] as const) {
      const opts = { batchSize: 4, seed: 11, startStep: 0, totalSteps: 40, groupByLength: group, trimTo: group ? 8 : 0 };
      const full = [...batchSchedule(make(disk), opts)];
      expect(full).toHaveLength(40);
      expect(full).toEqual([...batchSchedule(make(mem), opts)]);
      // resume at step 17 (past an epoch boundary for pack) reads only what it needs: the same batches
      expect([...batchSchedule(make(disk), { ...opts, startStep: 17 })]).toEqual(full.slice(17));
    }
    disk.close();
  });

  it('checks shard checksums when asked, and refuses a corrupt shard naming it', async () => {
    const { dir, index } = await writeCache(docs(40, 2, 300), 300, 200);
    const shard = join(dir, 'shard-00002.bin');
    const bytes = readFileSync(shard);
    bytes[3] ^= 1;
    writeFileSync(shard, bytes);
    expect(() => openTokenCacheStore(dir, index)).toThrow(/shard-00002\.bin: sha256 .* differs .*\(corrupt\)/);
    expect(() => openTokenCacheStore(dir, index, { verify: false }).close()).not.toThrow();
  });
});
