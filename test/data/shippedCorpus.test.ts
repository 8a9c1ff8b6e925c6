import { readFileSync } from 'node:fs';
import { asyncBufferFromFile, parquetMetadataAsync, parquetSchema } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { corpusRows } from '../../src/streams/sources/readCorpus.ts';

/** `| file | records | chars | bytes | sha256 |` rows of data/SOURCES.md, keyed by the parquet name. */
function sourceTable(): Map<string, { records: number; chars: number }> {
  const md = readFileSync('data/SOURCES.md', 'utf8');
  const table = new Map<string, { records: number; chars: number }>();
  for (const m of md.matchAll(/^\| ([\w.-]+)\.jsonl \| ([\d,]+) \| ([\d,]+) \|/gm)) {
    table.set(`${m[1]}.parquet`, { records: Number(m[2].replaceAll(',', '')), chars: Number(m[3].replaceAll(',', '')) });
  }
  return table;
}

describe('shipped corpus (data/*.parquet)', () => {
  it('lists the four files with the record counts of SOURCES.md', () => {
    const t = sourceTable();
    expect([...t.entries()].map(([f, s]) => [f, s.records])).toEqual([
      ['ru_poetry.parquet', 2175],
      ['fr_poetry.parquet', 1244],
      ['en_poetry.parquet', 1548],
      ['tinyshakespeare.parquet', 7222],
    ]);
  });

  it.each([...sourceTable().entries()])('%s has the rows, columns and row groups promised', async (name, { records }) => {
    const metadata = await parquetMetadataAsync(await asyncBufferFromFile(`data/${name}`));
    expect(Number(metadata.num_rows)).toBe(records);
    expect(parquetSchema(metadata).children.map((c) => [c.element.name, c.element.repetition_type])).toEqual([
      ['text', 'REQUIRED'],
      ['author', 'REQUIRED'],
      ['title', 'OPTIONAL'],
    ]);
    expect(metadata.row_groups.length).toBe(Math.ceil(records / 256));
    expect(metadata.row_groups[0].columns[0].meta_data?.codec).toBe('GZIP');
  });

  it('holds exactly the text of the jsonl files: code points per file match SOURCES.md', async () => {
    const t = sourceTable();
    for (const [name, { records, chars }] of t) {
      let n = 0;
      let total = 0;
      for await (const row of corpusRows(`data/${name}`)) {
        n++;
        for (const _ of row.text) total++;
      }
      expect([name, n, total]).toEqual([name, records, chars]);
    }
  });

  it('starts ru_poetry with Pushkin\'s "19 октября 1828"', async () => {
    const first = await corpusRows('data/ru_poetry.parquet').next();
    expect(first.value).toMatchObject({ index: 0, author: 'Александр Пушкин', title: '19 октября 1828' });
    expect(first.value?.text.startsWith('Усердно помолившись богу,')).toBe(true);
  });

  it('keeps null titles (Tiny Shakespeare has none)', async () => {
    const first = await corpusRows('data/tinyshakespeare.parquet').next();
    expect(first.value).toMatchObject({ author: 'William Shakespeare', title: null });
    expect(first.value?.text.startsWith('First Citizen:\nBefore we proceed any further, hear me speak.')).toBe(true);
  });
});
