import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../../src/core/errors/DataError.ts';
import { expandCorpusPaths } from '../../../src/streams/sources/expandCorpusPaths.ts';
import { tmpCorpus } from './tmpCorpus.ts';

const tmp = tmpCorpus({
  'b.jsonl': '',
  'a.txt': '',
  'c.parquet': '',
  'notes.md': '',
  'sub/d.jsonl': '',
  'sub/e.csv': '',
  'only-md/readme.md': '',
});
afterAll(() => tmp.remove());
const cwd = tmp.dir;

describe('expandCorpusPaths', () => {
  it('keeps a single file as given', async () => {
    expect(await expandCorpusPaths('b.jsonl', cwd)).toEqual(['b.jsonl']);
  });

  it('lists a directory\'s supported files sorted, not recursively', async () => {
    expect(await expandCorpusPaths('.', cwd)).toEqual(['a.txt', 'b.jsonl', 'c.parquet']);
  });

  it('expands globs, keeping only supported files, sorted', async () => {
    expect(await expandCorpusPaths('**/*', cwd)).toEqual(['a.txt', 'b.jsonl', 'c.parquet', 'sub/d.jsonl']);
  });

  it('accepts absolute globs and returns absolute paths for them', async () => {
    expect(await expandCorpusPaths(join(cwd, '*.jsonl'), '/')).toEqual([join(cwd, 'b.jsonl')]);
  });

  it('joins comma-separated parts in order, without de-duplicating', async () => {
    expect(await expandCorpusPaths(' c.parquet , sub ,c.parquet', cwd)).toEqual(['c.parquet', join('sub', 'd.jsonl'), 'c.parquet']);
  });

  it.each([
    ['missing.jsonl', /corpus path "missing.jsonl" does not exist \(resolved to .*missing.jsonl\)/],
    ['*.bz2', /corpus glob "\*\.bz2" matched no \*\.parquet, \*\.jsonl, \*\.txt, \*\.jsonl\.gz, \*\.jsonl\.zst, \*\.txt\.gz, \*\.txt\.zst file under /],
    ['sub/*.csv', /corpus glob "sub\/\*\.csv" .*\(it matched 1 file\(s\), none of them/],
    ['only-md', /corpus directory "only-md" .* holds no \*\.parquet/],
    ['notes.md', /corpus file "notes.md" has an unsupported extension "\.md"; supported: \.parquet, \.jsonl, \.txt/],
    [' , ', /names no file, directory or glob/],
  ])('rejects %j with a DataError saying what and where', async (spec, message) => {
    const err = await expandCorpusPaths(spec, cwd).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(message);
  });
});
