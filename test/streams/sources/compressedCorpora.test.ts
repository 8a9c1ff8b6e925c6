import { statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../../src/core/errors/DataError.ts';
import { expandCorpusPaths, validationFiles } from '../../../src/streams/sources/expandCorpusPaths.ts';
import { corpusRows } from '../../../src/streams/sources/readCorpus.ts';
import { tmpCorpus } from './tmpCorpus.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/compressed');
const rows = async (spec: string, cwd?: string) => {
  const out = [];
  for await (const r of corpusRows(spec, { cwd })) out.push(r);
  return out;
};
const POEMS = [
  { text: 'Мороз и солнце; день чудесный!', author: 'Пушкин', title: 'Зимнее утро', language: 'ru' },
  { text: 'Tyger Tyger, burning bright,\r\nIn the forests of the night', author: 'Blake', title: null, language: 'en' },
  { text: 'Il pleure dans mon cœur' },
];
const jsonl = POEMS.map((p) => JSON.stringify(p)).join('\n') + '\n';
const parquet = (texts: string[]) => parquetWriteBuffer({ columnData: [{ name: 'text', data: texts, type: 'STRING' }] });

const t = tmpCorpus({
  'poems.jsonl.gz': gzipSync(jsonl),
  'hamlet.txt.gz': gzipSync('To be, or not to be'),
  'broken.jsonl.gz': gzipSync(jsonl).subarray(0, 40),
  'hf/README.md': '# a dataset card',
  'hf/data/train-00000-of-00002.parquet': parquet(['t0', 't1', 't2']),
  'hf/data/train-00001-of-00002.parquet': parquet(['t3', 't4']),
  'hf/data/validation-00000-of-00001.parquet': parquet(['v0', 'v1']),
  'hf/data/test-00000-of-00001.parquet': parquet(['never read']),
});
afterAll(() => t.remove());

describe('compressed and sharded corpora', () => {
  it('reads .jsonl.zst (a committed fixture made with the zstd CLI) row by row with author, title and language', async () => {
    const got = await rows(join(FIXTURES, 'poems.jsonl.zst'));
    expect(got.map(({ text, author, title, language }) => ({ text, author, title, language }))).toEqual(POEMS.map((p) => ({ author: undefined, title: undefined, language: undefined, ...p })));
    expect(got.map((r) => [r.index, r.file, r.filePos])).toEqual([[0, 0, 227], [1, 0, 227], [2, 0, 227]]); // filePos: compressed bytes read (one chunk)
  });

  it('reads a multi-frame .zst (frames concatenated, as split compressors write them)', async () => {
    expect((await rows(join(FIXTURES, 'two-frames.jsonl.zst'))).map((r) => r.text)).toEqual(['frame one', 'frame two']);
  });

  it('reads .jsonl.gz like the plain file, and .txt.gz / .txt.zst as one document', async () => {
    expect((await rows('poems.jsonl.gz', t.dir)).map((r) => r.text)).toEqual(POEMS.map((p) => p.text));
    expect((await rows('hamlet.txt.gz', t.dir)).map((r) => r.text)).toEqual(['To be, or not to be']);
    expect((await rows(join(FIXTURES, 'hamlet.txt.zst'))).map((r) => r.text)).toEqual(['To be, or not to be, that is the question.\nWhether tis nobler in the mind to suffer\n']);
  });

  it('fails on a truncated .gz with a DataError naming the file', async () => {
    const err = await rows('broken.jsonl.gz', t.dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/^broken\.jsonl\.gz: cannot read .*compression/);
  });

  it('globs compressed files with the plain ones, numbering files in order', async () => {
    const files = await expandCorpusPaths(`*.gz,${join(FIXTURES, '*.zst')}`, t.dir);
    expect(files.map((f) => f.split('/').pop())).toEqual(['broken.jsonl.gz', 'hamlet.txt.gz', 'poems.jsonl.gz', 'hamlet.txt.zst', 'poems.jsonl.zst', 'two-frames.jsonl.zst']);
  });

  it('reads a Hugging Face dataset directory: data/train-* then data/validation-*, test-* left out', async () => {
    const files = await expandCorpusPaths('hf', t.dir);
    expect(files).toEqual(['hf/data/train-00000-of-00002.parquet', 'hf/data/train-00001-of-00002.parquet', 'hf/data/validation-00000-of-00001.parquet']);
    expect([...validationFiles(files)]).toEqual([2]);
    expect(validationFiles(['a.parquet', 'validation.parquet']).size).toBe(0); // no train-*: not the layout
    const got = await rows('hf', t.dir);
    expect(got.map((r) => `${r.text}@${r.file}`)).toEqual(['t0@0', 't1@0', 't2@0', 't3@1', 't4@1', 'v0@2', 'v1@2']);
    const size = statSync(join(t.dir, files[0])).size;
    expect(got.slice(0, 3).map((r) => r.filePos)).toEqual([1, 2, 3].map((k) => Math.round((size * k) / 3))); // Parquet: by rows read
  });
});
