import { existsSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pruneTokenCaches, touchTokenCache } from '../../../src/streams/cache/tokenCachePrune.ts';

/** A fake cache dir `name` last used `ageS` seconds ago. */
function cache(root: string, name: string, ageS: number): string {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'index.json'), '{}');
  writeFileSync(join(dir, 'shard-00000.bin'), 'x');
  const t = new Date(Date.now() - ageS * 1000);
  utimesSync(join(dir, 'index.json'), t, t);
  return dir;
}

function vocab(root: string, name: string, ageS: number): string {
  const path = join(root, name);
  writeFileSync(path, '{}');
  const t = new Date(Date.now() - ageS * 1000);
  utimesSync(path, t, t);
  return path;
}

describe('pruneTokenCaches', () => {
  it('keeps the N most recently used caches and vocabularies, the protected one, and foreign files', async () => {
    const root = mkdtempSync(join(tmpdir(), 'vf-prune-'));
    const dirs = [50, 10, 40, 20, 30].map((age, i) => cache(root, `c${i}`, age));
    const vocabs = [5, 1, 3].map((age, i) => vocab(root, `char-${i}.json`, age));
    mkdirSync(join(root, 'notes')); // no index.json: not a cache
    writeFileSync(join(root, 'README.txt'), 'mine');
    const removed = await pruneTokenCaches(root, 2, [dirs[0]]);
    // newest caches: c1 (10 s), c3 (20 s); c0 is protected although oldest
    expect(dirs.map((d) => existsSync(d))).toEqual([true, true, false, true, false]);
    expect(vocabs.map((v) => existsSync(v))).toEqual([false, true, true]);
    expect(removed.sort()).toEqual([dirs[2], dirs[4], vocabs[0]].sort());
    expect(existsSync(join(root, 'notes'))).toBe(true);
    expect(existsSync(join(root, 'README.txt'))).toBe(true);
  });

  it('a touched cache counts as just used; keep 0 keeps everything; a missing root is fine', async () => {
    const root = mkdtempSync(join(tmpdir(), 'vf-prune-'));
    const old = cache(root, 'old', 100);
    const newer = cache(root, 'newer', 10);
    await touchTokenCache(old);
    expect(await pruneTokenCaches(root, 0)).toEqual([]);
    expect(await pruneTokenCaches(root, 1)).toEqual([newer]);
    expect(existsSync(old)).toBe(true);
    expect(await pruneTokenCaches(join(root, 'absent'), 1)).toEqual([]);
  });

  it('removes half-written caches of crashed runs older than a day', async () => {
    const root = mkdtempSync(join(tmpdir(), 'vf-prune-'));
    const crashed = join(root, 'abc.tmp-xyz');
    mkdirSync(crashed);
    const t = new Date(Date.now() - 2 * 86_400_000);
    utimesSync(crashed, t, t);
    const fresh = join(root, 'def.tmp-uvw');
    mkdirSync(fresh);
    expect(await pruneTokenCaches(root, 4)).toEqual([crashed]);
    expect(existsSync(fresh)).toBe(true);
  });
});
