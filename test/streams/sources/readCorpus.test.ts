import { resolve } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { lastValueFrom, take, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors/ConfigError.ts';
import { DataError } from '../../../src/core/errors/DataError.ts';
import { fromAsyncIterable } from '../../../src/streams/sources/fromAsyncIterable.ts';
import { corpusRows, readCorpus, type ReadCorpusOptions } from '../../../src/streams/sources/readCorpus.ts';
import type { CorpusRow } from '../../../src/core/corpusDoc.ts';
import { tmpCorpus } from './tmpCorpus.ts';

const tmp = tmpCorpus({
  'poems.jsonl': [
    '{"text": "first\\nline", "author": "A", "title": "One"}',
    '',
    '   ',
    '{"text": "second", "author": "B", "title": null}',
    '{"body": "third", "other": 1}',
  ].join('\n'),
  'crlf.jsonl': '{"text": "x"}\r\n{"text": "y"}\r\n',
  'input.txt': 'To be,\nor not to be.\n',
  'bad-json.jsonl': '{"text": "ok"}\n{"text": "oops",}\n',
  'no-key.jsonl': '{"text": "ok"}\n\n{"body": "no text"}\n',
  'not-string.jsonl': '{"text": 42}\n',
  'not-object.jsonl': '["text"]\n',
  'body.parquet': parquetWriteBuffer({
    columnData: [
      { name: 'body', data: ['p0', 'p1', 'p2', 'p3', 'p4'], type: 'STRING' },
      { name: 'lang', data: ['ru', 'fr', 'en', 'ru', 'fr'], type: 'STRING' },
    ],
    rowGroupSize: 2,
  }),
  'nulls.parquet': parquetWriteBuffer({ columnData: [{ name: 'text', data: ['a', null], type: 'STRING' }] }),
  'fake.parquet': 'not parquet at all',
  'notes.md': '# not a corpus',
});
afterAll(() => tmp.remove());
const cwd = tmp.dir;

// filePos (bytes read so far, for progress) is checked in compressedCorpora.test.ts
const all = (spec: string, opts: ReadCorpusOptions = {}) => lastValueFrom(readCorpus(spec, { cwd, ...opts }).pipe(toArray())).then((rows) => rows.map(({ filePos: _, ...r }) => r));
const failure = (spec: string, opts: ReadCorpusOptions = {}) => all(spec, opts).then(() => undefined, (e: unknown) => e as Error);

describe('readCorpus / corpusRows', () => {
  it('reads the shipped Parquet file row group by row group, with author and title', async () => {
    const rows = await lastValueFrom(readCorpus('data/ru_poetry.parquet').pipe(toArray()));
    expect(rows).toHaveLength(2175);
    expect(rows.map((r) => r.index)).toEqual(rows.map((_, i) => i));
    expect(rows[0]).toMatchObject({ index: 0, source: 'data/ru_poetry.parquet', author: 'Александр Пушкин', title: '19 октября 1828' });
    expect(rows[0].text.startsWith('Усердно помолившись богу,')).toBe(true);
    // rows 255 and 256 straddle the first row-group boundary: both present, distinct, non-empty
    expect(rows[255].text).not.toBe(rows[256].text);
    expect(rows.every((r) => r.text.length > 0 && typeof r.author === 'string')).toBe(true);
  });

  it('reads JSONL line by line, skipping blank lines, keeping author and null titles', async () => {
    const rows = await all('poems.jsonl', { maxDocs: 2 });
    expect(rows).toEqual([
      { text: 'first\nline', author: 'A', title: 'One', index: 0, source: 'poems.jsonl', file: 0 },
      { text: 'second', author: 'B', title: null, index: 1, source: 'poems.jsonl', file: 0 },
    ]);
  });

  it('reads CRLF JSONL', async () => {
    expect((await all('crlf.jsonl')).map((r) => r.text)).toEqual(['x', 'y']);
  });

  it('reads a .txt file as one document, unchanged', async () => {
    expect(await all('input.txt')).toEqual([{ text: 'To be,\nor not to be.\n', index: 0, source: 'input.txt', file: 0 }]);
  });

  it('uses textColumn for Parquet and JSONL, omitting author/title when the file has none', async () => {
    const rows = await all('body.parquet', { textColumn: 'body' });
    expect(rows).toEqual(['p0', 'p1', 'p2', 'p3', 'p4'].map((text, index) => ({ text, index, source: 'body.parquet', file: 0 })));
  });

  it('numbers documents globally across comma-separated files', async () => {
    const rows = await all('input.txt, crlf.jsonl,input.txt');
    expect(rows.map((r) => [r.index, r.source, r.text.slice(0, 5)])).toEqual([
      [0, 'input.txt', 'To be'],
      [1, 'crlf.jsonl', 'x'],
      [2, 'crlf.jsonl', 'y'],
      [3, 'input.txt', 'To be'],
    ]);
  });

  it('stops at maxDocs across files and does not open the files after it', async () => {
    // fake.parquet is not Parquet: reaching it would fail
    const rows = await all('crlf.jsonl, input.txt, fake.parquet', { maxDocs: 3 });
    expect(rows.map((r) => r.text)).toEqual(['x', 'y', 'To be,\nor not to be.\n']);
  });

  it('is lazy: nothing is read before the first pull', async () => {
    const it = corpusRows('missing.jsonl', { cwd });
    const err = await it.next().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
  });

  it.each([
    ['bad-json.jsonl', {}, /^bad-json\.jsonl:2: malformed JSON \(.+\); each line must be one JSON object$/],
    ['no-key.jsonl', {}, /^no-key\.jsonl:3: no key "text" \(keys: body\); every line needs a string "text"$/],
    ['not-string.jsonl', {}, /^not-string\.jsonl:1: "text" is number;/],
    ['not-object.jsonl', {}, /^not-object\.jsonl:1: expected a JSON object, got an array$/],
    ['poems.jsonl', {}, /^poems\.jsonl:5: no key "text" \(keys: body, other\)/],
    ['body.parquet', {}, /^body\.parquet: no column "text"; the file has columns \[body, lang\]/],
    [resolve('data/ru_poetry.parquet'), { textColumn: 'poem' }, /no column "poem"; the file has columns \[text, author, title\]/],
    ['nulls.parquet', {}, /^nulls\.parquet: row 1 has no value in column "text"/],
    ['fake.parquet', {}, /^fake\.parquet: not a readable Parquet file/],
    ['missing.parquet', {}, /corpus path "missing.parquet" does not exist/],
    ['nothing/*.jsonl', {}, /corpus glob "nothing\/\*\.jsonl" matched no/],
    ['notes.md', {}, /corpus file "notes.md" has an unsupported extension "\.md"/],
  ])('%s %j fails with a DataError naming file, line or column', async (spec, opts, message) => {
    const err = await failure(spec, opts);
    expect(err).toBeInstanceOf(DataError);
    expect(err?.message).toMatch(message);
  });

  it('resolves the shipped parquet from cwd (the repository) when no cwd is given', async () => {
    const err = await failure('data/ru_poetry.parquet', { cwd: undefined, maxDocs: 1 });
    expect(err).toBeUndefined();
  });

  it.each([{ maxDocs: -1 }, { maxDocs: 1.5 }, { textColumn: '' }])('rejects option %j with a ConfigError', async (opts) => {
    expect(await failure('input.txt', opts)).toBeInstanceOf(ConfigError);
  });

  it('stops reading when unsubscribed after 3 rows (pulls no 4th row, closes the reader)', async () => {
    let pulled = 0;
    let closed!: () => void;
    const closedP = new Promise<void>((r) => (closed = r));
    async function* counted(): AsyncGenerator<CorpusRow> {
      try {
        for await (const row of corpusRows('data/tinyshakespeare.parquet')) {
          pulled++;
          yield row;
        }
      } finally {
        closed();
      }
    }
    const rows = await lastValueFrom(fromAsyncIterable(counted).pipe(take(3), toArray()));
    expect(rows.map((r) => r.index)).toEqual([0, 1, 2]);
    await closedP; // the generator's finally ran: iterator.return() reached it
    expect(pulled).toBe(3);
  }, 20_000); // without iterator.return() the finally never runs and closedP never settles

  it('readCorpus itself completes after take(3) on a 7,222-row file', async () => {
    const rows = await lastValueFrom(readCorpus('data/tinyshakespeare.parquet').pipe(take(3), toArray()));
    expect(rows.map((r) => r.text.split('\n')[0])).toEqual(['First Citizen:', 'All:', 'First Citizen:']);
  });
});
