import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataError } from '../../../src/core/errors/DataError.ts';
import { CharTokenizer } from '../../../src/model/tokenizer/charTokenizer.ts';
import { planTokenizeUnits } from '../../../src/pipeline/data/tokenizePlan.ts';
import { tokenizeInParallel } from '../../../src/pipeline/data/tokenizeInParallel.ts';
import { readTokenCacheMeta } from '../../../src/streams/cache/tokenCacheReader.ts';
import { openTokenCacheStore } from '../../../src/streams/cache/tokenCacheStore.ts';
import { corpusRows } from '../../../src/streams/sources/readCorpus.ts';
import { tmpCorpus } from '../../streams/sources/tmpCorpus.ts';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

// 300 poems-ish rows with multi-byte text, blank lines and a CRLF, so ranges cut inside lines and characters
const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ text: `${i % 7 === 0 ? 'Ёлка' : 'строка'} ${i}\n${'ля'.repeat(i % 13)}`, author: `a${i % 3}` }));
const jsonl = lines.map((l, i) => (i % 50 === 0 ? `${l}\r\n\n` : `${l}\n`)).join('');
const tok = new CharTokenizer([...new Set([...jsonl.normalize('NFC')])].sort());

async function setup() {
  const t = tmpCorpus({ 'a.jsonl': jsonl, 'b.jsonl': lines.slice(0, 40).join('\n') });
  cleanups.push(t.remove);
  const files = ['a.jsonl', 'b.jsonl'].map((f) => ({ path: join(t.dir, f), label: f, size: statSync(join(t.dir, f)).size }));
  const units = await planTokenizeUnits(files, 1500);
  const fingerprint = { files: files.map((f) => ({ path: f.path, size: f.size, mtimeMs: 0 })), textColumn: 'text', normalize: 'nfc', maxDocs: 0 };
  return { dir: t.dir, units, base: { fingerprint, tokenizer: tok, textColumn: 'text', normalize: 'nfc', units, workers: 2 } };
}

const bytesOf = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f)).toString('base64')]));

describe('tokenizeInParallel', () => {
  it('tokenizes byte ranges in worker threads to the documents, numbering and files of a sequential read', async () => {
    const { dir, units, base } = await setup();
    expect(units.filter((u) => u.kind === 'jsonl').length).toBeGreaterThan(10);
    const seen: number[] = [];
    const { index, reused } = await tokenizeInParallel({ ...base, dir: join(dir, 'cache'), onProgress: (p) => seen.push(p.rows) });
    expect(reused).toBe(0);
    expect(seen.at(-1)).toBe(340);
    const want = [];
    for await (const r of corpusRows('a.jsonl,b.jsonl', { cwd: dir })) want.push(r);
    const store = openTokenCacheStore(join(dir, 'cache'), index);
    expect(store.count).toBe(want.length);
    for (let d = 0; d < store.count; d++) {
      const ids = new Int32Array(store.length(d));
      store.read(d, 0, ids.length, ids, 0);
      expect([store.corpusIndex(d), store.file(d), tok.decode([...ids.subarray(0, -1)])]).toEqual([want[d].index, want[d].file, want[d].text.normalize('NFC')]);
      expect(ids.at(-1)).toBe(tok.eosId);
    }
    store.close();
    // the authors kept beside the tokens (b.jsonl's rows have them too)
    const metas = [];
    for await (const m of readTokenCacheMeta(join(dir, 'cache'), index)) metas.push(m);
    expect(metas.map((m) => [m.doc, m.corpusIndex, m.file, m.author])).toEqual(want.map((r, d) => [d, r.index, r.file, r.author]));
  });

  it('aborted midway and run again, reuses the finished units and writes the same bytes as an uninterrupted run', async () => {
    const { dir, units, base } = await setup();
    await tokenizeInParallel({ ...base, workers: 1, dir: join(dir, 'whole') });
    const ctl = new AbortController();
    let done = 0;
    const partial = join(dir, 'resumed.tmp-partial');
    const aborted = await tokenizeInParallel({
      ...base,
      workers: 1,
      dir: join(dir, 'resumed'),
      signal: ctl.signal,
      onProgress: () => {
        done = readdirSync(partial).filter((f) => f.startsWith('unit-')).length;
        if (done >= 3) ctl.abort(new Error('stopped'));
      },
    }).catch((e: Error) => e);
    expect((aborted as Error).message).toBe('stopped');
    const kept = readdirSync(partial).filter((f) => f.startsWith('unit-')).length;
    expect(kept).toBeGreaterThanOrEqual(3);
    expect(kept).toBeLessThan(units.length);
    const again = await tokenizeInParallel({ ...base, dir: join(dir, 'resumed') }); // 2 workers: the bytes do not depend on how many
    expect(again.reused).toBe(kept);
    expect(bytesOf(join(dir, 'resumed'))).toEqual(bytesOf(join(dir, 'whole')));
    expect(readdirSync(dir).some((f) => f.includes('tmp-partial'))).toBe(false);
  });

  it('a bad row fails with a DataError naming the file and byte, and leaves no partial cache', async () => {
    const t = tmpCorpus({ 'bad.jsonl': `${lines.slice(0, 100).join('\n')}\n{"txt":"no"}\n${lines.slice(0, 100).join('\n')}\n` });
    cleanups.push(t.remove);
    const path = join(t.dir, 'bad.jsonl');
    const units = await planTokenizeUnits([{ path, label: 'bad.jsonl', size: statSync(path).size }], 1000);
    const err = await tokenizeInParallel({ fingerprint: { files: [], textColumn: 'text', normalize: 'nfc', maxDocs: 0 }, tokenizer: tok, textColumn: 'text', normalize: 'nfc', units, workers: 1, dir: join(t.dir, 'c') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/^bad\.jsonl \(line at byte \d+\): no key "text"/);
    expect(readdirSync(t.dir)).toEqual(['bad.jsonl']);
  });
});
