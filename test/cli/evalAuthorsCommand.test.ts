import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureIO, writeTestCheckpoint } from './checkpointFixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'vf-authors-'));
const corpus = join(dir, 'poems.jsonl');
// alpha: 6 texts of letters, beta: 5 of other letters, gamma: 2 (under --min-texts 3), one row without an author
const ALPHA = ['the cat sat on the mat.', 'a cat and a hat.', 'the mat is flat.', 'that cat ran fast.', 'a rat, a bat.', 'sat, sang, and sank.'];
const BETA = ['over the hill we go,', 'snow on the road,', 'slow, low, so.', 'go home, go on.', 'old rope, old road.'];
const rows = [...ALPHA.map((text) => ({ text, author: 'alpha' })), ...BETA.map((text) => ({ text, author: 'beta' })), { text: 'one.', author: 'gamma' }, { text: 'two.', author: 'gamma' }, { text: 'none.' }];
writeFileSync(corpus, rows.map((r) => JSON.stringify(r)).join('\n'));
let ckpt = '';

const cli = async (...args: string[]) => {
  const c = captureIO();
  const code = await main(args, c.io);
  return { code, out: c.out(), err: c.err() };
};
const gen = (name: string, texts: string[]) => {
  const f = join(dir, name);
  writeFileSync(f, texts.map((text, id) => JSON.stringify({ id, prompt: text.slice(0, 2), text: text.slice(2), token_ids: [] })).join('\n'));
  return f;
};

beforeAll(async () => {
  ckpt = await writeTestCheckpoint();
});

describe('versiflow eval authors (tiny random checkpoint, cpu)', () => {
  it('generated texts identical to the real ones: distance 0, p = 1; files and counts', async () => {
    const out = join(dir, 'same');
    const r = await cli('eval', 'authors', '--checkpoint', ckpt, '--data', corpus, '--texts', gen('same.jsonl', [...ALPHA, ...BETA]), '--min-texts', '3', '--max-per-author', '10', '--permutations', '199', '--backend', 'cpu', '--out', out, '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(readFileSync(join(out, 'author_pca_stats.json'), 'utf8'));
    expect(s).toMatchObject({ author_count: 2, real_count: 11, generated_count: 11, permutations: 199, authors: { alpha: 6, beta: 5 }, min_texts: 3, max_per_author: 10 });
    expect(s.mean_distance).toBeLessThan(1e-6); // same vectors, only the summation order differs
    expect(s.p_value).toBe(1); // every shuffle is at least as far apart as 0
    expect(s.explained_variance).toHaveLength(2);
    expect(s.explained_variance[0]).toBeGreaterThanOrEqual(s.explained_variance[1]);
    expect(s.explained_variance[0] + s.explained_variance[1]).toBeLessThanOrEqual(1 + 1e-9);
    expect(JSON.parse(r.out)).toEqual(s);
    const csv = readFileSync(join(out, 'author_pca_points.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('kind,author,x,y');
    const kinds = csv.slice(1).map((l) => l.split(',').slice(0, 2).join(','));
    expect(kinds.filter((k) => k === 'real,alpha')).toHaveLength(6);
    expect(kinds.filter((k) => k === 'generated,generated')).toHaveLength(11);
    expect(kinds.filter((k) => k.startsWith('centroid,'))).toEqual(['centroid,alpha', 'centroid,beta', 'centroid,generated']);
    // a copy of the real texts: the generated centroid sits on the real texts' mean, the PCA's origin
    const g = csv.find((l) => l.startsWith('centroid,generated'))!.split(',').map(Number);
    expect(Math.abs(g[2])).toBeLessThan(1e-5);
    expect(Math.abs(g[3])).toBeLessThan(1e-5);
  });

  it('generated texts unlike any author (digits): small p; --max-per-author samples', async () => {
    const out = join(dir, 'far');
    const digits = ['0123 4567 89', '9876 5432 10', '1111 2222 3333', '4040 5050 6060', '7 77 777 7777', '12 34 56 78 90'];
    const r = await cli('eval', 'authors', '--checkpoint', ckpt, '--data', corpus, '--texts', gen('far.jsonl', digits), '--min-texts', '3', '--max-per-author', '4', '--permutations', '199', '--backend', 'cpu', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/8 texts of 2 authors vs 6 generated/);
    const s = JSON.parse(readFileSync(join(out, 'author_pca_stats.json'), 'utf8'));
    expect(s.authors).toEqual({ alpha: 4, beta: 4 });
    expect(s.p_value).toBeLessThan(0.05); // a random-weight model: 2 of 199 shuffles here (C(14, 6) = 3003 splits)
    expect(s.mean_distance).toBeGreaterThan(0.1);
  });

  it('--generate N generates on the spot', async () => {
    const out = join(dir, 'gen');
    const r = await cli('eval', 'authors', '--checkpoint', ckpt, '--data', corpus, '--generate', '4', '--max-new-tokens', '12', '--min-texts', '3', '--permutations', '50', '--backend', 'cpu', '--out', out, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ generated_count: 4, real_count: 11, permutations: 50 });
  });

  it('says what is wrong: no author column, no author with enough texts, both or neither generated side', async () => {
    const plain = join(dir, 'plain.jsonl');
    writeFileSync(plain, '{"text":"abc"}\n');
    const g = gen('g.jsonl', ['abc']);
    let r = await cli('eval', 'authors', '--checkpoint', ckpt, '--data', plain, '--texts', g, '--backend', 'cpu');
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/no author column/);
    r = await cli('eval', 'authors', '--checkpoint', ckpt, '--data', corpus, '--texts', g, '--min-texts', '50', '--backend', 'cpu');
    expect(r.err).toMatch(/no author has 50 or more texts; lower --min-texts/);
    r = await cli('eval', 'authors', '--checkpoint', ckpt, '--data', corpus, '--backend', 'cpu');
    expect(r.err).toMatch(/give one of --texts gen.jsonl or --generate N/);
  });
});
