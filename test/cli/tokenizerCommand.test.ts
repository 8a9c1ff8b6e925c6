import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tokenizerCommand } from '../../src/cli/tokenizerCommand.ts';
import { normalizeConfig } from '../../src/core/config/normalizeConfig.ts';
import { tokenizerFromJSON } from '../../src/model/tokenizer/loadTokenizer.ts';
import { prepareData, resolveTokenizer } from '../../src/pipeline/data/prepareData.ts';

const SHIPPED = join(import.meta.dirname, '../../data/ru_poetry.parquet');

function fakeIO() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } }, out, err };
}

describe('tokenizerCommand', () => {
  const dir = mkdtempSync(join(tmpdir(), 'versiflow-tokcli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const data = join(dir, 'poems.jsonl');
  writeFileSync(data, ['«Мороз и солнце»', 'день чудесный — день', 'Мороз и солнце…'].map((text) => JSON.stringify({ text })).join('\n') + '\n');
  const out = join(dir, 'tokenizer.json');

  it('trains, encodes and decodes through files', async () => {
    const t = fakeIO();
    const code = await tokenizerCommand(['train', '--data', data, '--vocab-size', '300', '--out', out, '--min-frequency', '1', '--user-symbols', '«,»,—,…'], t.io);
    expect(t.err.join('')).toBe('');
    expect(code).toBe(0);
    expect(t.out.join('')).toMatch(/trained \d+ tokens/);

    const e = fakeIO();
    expect(await tokenizerCommand(['encode', '--tokenizer', out, '--text', '«Мороз»'], e.io)).toBe(0);
    const ids = JSON.parse(e.out.join(''));
    expect(ids.every((x: unknown) => Number.isInteger(x))).toBe(true);
    expect(ids[0]).not.toBeLessThan(3); // specials [PAD],[EOS],[UNK] come first and are not produced

    const d = fakeIO();
    expect(await tokenizerCommand(['decode', '--tokenizer', out, '--ids', JSON.stringify(ids)], d.io)).toBe(0);
    expect(d.out.join('')).toBe('«Мороз»\n');
  });

  it('reads .txt line by line and --file for encode', async () => {
    const txt = join(dir, 'lines.txt');
    writeFileSync(txt, 'abc abc\nabd abd\n');
    const t = fakeIO();
    expect(await tokenizerCommand(['train', `--data=${txt}`, '--vocab-size=270', `--out=${join(dir, 't2.json')}`], t.io)).toBe(0);
    const e = fakeIO();
    expect(await tokenizerCommand(['encode', '--tokenizer', join(dir, 't2.json'), '--file', txt], e.io)).toBe(0);
    expect(JSON.parse(e.out.join('')).length).toBeGreaterThan(0);
  });

  it('rejects unknown flags and verbs with exit code 2', async () => {
    const a = fakeIO();
    expect(await tokenizerCommand(['train', '--data', data, '--vocab', '300'], a.io)).toBe(2);
    expect(a.err.join('')).toMatch(/unknown flag "--vocab"/);
    const b = fakeIO();
    expect(await tokenizerCommand(['frobnicate'], b.io)).toBe(2);
    const c = fakeIO();
    expect(await tokenizerCommand(['decode', '--tokenizer', out, '--ids', 'nope'], c.io)).toBe(2);
  });

  it('reports a malformed jsonl line with file and line number, exit code 1', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"text": "ok"}\n{"txt": "no"}\n');
    const t = fakeIO();
    expect(await tokenizerCommand(['train', '--data', bad, '--vocab-size', '300', '--out', join(dir, 'x.json')], t.io)).toBe(1);
    expect(t.err.join('')).toMatch(/bad\.jsonl:2: no key "text" \(keys: txt\)/);
  });

  it('trains from Parquet the same tokenizer that a run trains at start', async () => {
    const t = fakeIO();
    const tokOut = join(dir, 'ru.json');
    expect(await tokenizerCommand(['train', '--data', SHIPPED, '--max-docs', '40', '--vocab-size', '400', '--out', tokOut], t.io)).toBe(0);
    expect(t.out.join('')).toMatch(/trained 400 tokens on 40 documents/);
    const cli = tokenizerFromJSON(JSON.parse(readFileSync(tokOut, 'utf8')));
    const atStart = await resolveTokenizer(normalizeConfig({ data: SHIPPED, max_docs: 40, vocab_size: 400, tokenizer: join(dir, 'at-start.json') }));
    expect(atStart.trained).toBeDefined();
    expect(cli.hash).toBe(atStart.tokenizer.hash);
  });

  it('trains from a directory or glob with --text-column, and names the file and row of a bad row', async () => {
    const shards = join(dir, 'shards');
    mkdirSync(shards);
    writeFileSync(join(shards, 'a.jsonl'), JSON.stringify({ body: 'ab ab ab' }) + '\n');
    writeFileSync(join(shards, 'b.jsonl'), JSON.stringify({ body: 'ab cd cd' }) + '\n');
    for (const data of [shards, join(shards, '*.jsonl')]) {
      const t = fakeIO();
      expect(await tokenizerCommand(['train', '--data', data, '--text-column', 'body', '--vocab-size', '262', '--out', join(dir, 'g.json')], t.io)).toBe(0);
      expect(t.out.join('')).toMatch(/on 2 documents/);
    }
    const missing = fakeIO();
    expect(await tokenizerCommand(['train', '--data', shards, '--vocab-size', '262', '--out', join(dir, 'g.json')], missing.io)).toBe(1);
    expect(missing.err.join('')).toMatch(/a\.jsonl:1: no key "text" \(keys: body\)/);
    const parquet = fakeIO();
    expect(await tokenizerCommand(['train', '--data', SHIPPED, '--text-column', 'poem', '--vocab-size', '262', '--out', join(dir, 'g.json')], parquet.io)).toBe(1);
    expect(parquet.err.join('')).toMatch(/ru_poetry\.parquet: no column "poem"; the file has columns \[.*text.*\]/);
    const norm = fakeIO();
    expect(await tokenizerCommand(['train', '--data', shards, '--normalize', 'nfd', '--vocab-size', '262', '--out', join(dir, 'g.json')], norm.io)).toBe(2);
    expect(norm.err.join('')).toMatch(/unknown normaliser "nfd"/);
  });

  it('builds the token cache a run then reuses, and reports a hit the second time', async () => {
    const cacheDir = join(dir, 'token-cache');
    const args = ['cache', '--data', SHIPPED, '--max-docs', '25', '--tokenizer', 'char', '--cache-dir', cacheDir];
    const first = fakeIO();
    expect(await tokenizerCommand(args, first.io)).toBe(0);
    // no warning; the two passes' progress summaries (the corpus is read in well under a second)
    expect(first.err.join('').split('\n').filter(Boolean).map((l) => l.split(':')[0])).toEqual(['reading the vocabulary done', 'tokenizing done']);
    expect(first.err.join('')).toMatch(/tokenizing done: 25 rows, .* \| \d[\d,]* rows\/s/);
    expect(first.out.join('')).toMatch(/^token cache written: .*token-cache\/[0-9a-f]{32} \(25 documents, \d+ tokens, uint16\)/);
    const second = fakeIO();
    expect(await tokenizerCommand(args, second.io)).toBe(0);
    expect(second.out.join('')).toMatch(/^token cache hit: /);

    const cfg = normalizeConfig({ data: SHIPPED, max_docs: 25, tokenizer: 'char', cache_dir: cacheDir, context: 16 });
    const { tokenizer } = await resolveTokenizer(cfg);
    const noEncode = new Proxy(tokenizer, {
      get: (target, key) => (key === 'encode' ? () => expect.unreachable('encode called on a cache hit') : Reflect.get(target, key, target)),
    });
    const run = await prepareData(cfg, noEncode);
    expect(run.cache.hit).toBe(true);
    expect(first.out.join('')).toContain(run.cache.path!);
  });

  it('fails the cache command for a missing tokenizer file (1) and a bad flag value (2)', async () => {
    const a = fakeIO();
    expect(await tokenizerCommand(['cache', '--data', data, '--tokenizer', join(dir, 'nope.json'), '--cache-dir', join(dir, 'c2')], a.io)).toBe(1);
    expect(a.err.join('')).toMatch(/nope\.json does not exist/);
    const b = fakeIO();
    expect(await tokenizerCommand(['cache', '--data', data, '--tokenizer', 'char', '--max-docs', '-3'], b.io)).toBe(2);
    expect(b.err.join('')).toMatch(/max_docs must be ≥ 0/);
  });
});
