import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tokenizerCommand } from '../../src/cli/tokenizerCommand.ts';

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
    expect(t.err.join('')).toMatch(/bad\.jsonl:2: no "text" string/);
  });
});
