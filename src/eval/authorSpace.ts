import { permutation, deriveSeed } from '../model/nn/rng.ts';
import { pca, project } from './pca.ts';
import { permutationTest } from './permutationTest.ts';

/** A text with its author, as chosen by {@link selectAuthorTexts}. */
export interface AuthorText {
  readonly author: string;
  readonly text: string;
}

/**
 * The texts of every author with at least `minTexts` texts, at most `maxPerAuthor` each: an author
 * with more gets a seeded sample without replacement (the same seed and corpus give the same texts),
 * kept in corpus order. Rows without an author (or with an empty one) are skipped. Authors come out
 * in order of their names (code-point order), so the result does not depend on the corpus order of
 * authors.
 */
export function selectAuthorTexts(rows: Iterable<{ readonly author?: string; readonly text: string }>, minTexts: number, maxPerAuthor: number, seed: number): AuthorText[] {
  const by = new Map<string, string[]>();
  for (const r of rows) {
    if (!r.author) continue;
    const list = by.get(r.author) ?? [];
    list.push(r.text);
    by.set(r.author, list);
  }
  const authors = [...by.keys()].filter((a) => by.get(a)!.length >= minTexts).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  return authors.flatMap((author, k) => {
    const texts = by.get(author)!;
    if (texts.length <= maxPerAuthor) return texts.map((text) => ({ author, text }));
    const keep = Array.from(permutation(texts.length, deriveSeed(seed, k)).slice(0, maxPerAuthor)).sort((x, y) => x - y);
    return keep.map((i) => ({ author, text: texts[i] }));
  });
}

/** author_pca_stats.json. */
export interface AuthorPcaStats {
  readonly author_count: number;
  readonly generated_count: number;
  readonly real_count: number;
  /** Euclidean distance between the mean embedding of the authors' texts and that of the generated texts. */
  readonly mean_distance: number;
  readonly p_value: number;
  readonly permutations: number;
  /** Shuffles at least as far apart as the observed groups. */
  readonly exceedances: number;
  /** Share of the total variance along PC1 and PC2. */
  readonly explained_variance: readonly number[];
  /** Texts per author. */
  readonly authors: Readonly<Record<string, number>>;
}

/** One row of the points CSV: a text (real or generated) or a centroid, on PC1 and PC2. */
export interface PcaPoint {
  readonly kind: 'real' | 'generated' | 'centroid';
  /** The author; "generated" for generated texts and their centroid. */
  readonly author: string;
  readonly x: number;
  readonly y: number;
}

/**
 * Author space of a model: `real` embeddings with their authors vs `generated` embeddings. The mean
 * distance and its permutation test compare all real texts pooled with the generated ones; the PCA is
 * fitted on every text, real and generated, and the centroids (each author's mean, and the generated
 * texts' mean) are projected onto the same axes.
 */
export function authorSpace(
  real: readonly { readonly author: string; readonly vector: ArrayLike<number> }[],
  generated: readonly ArrayLike<number>[],
  opts: { readonly permutations: number; readonly seed: number },
): { stats: AuthorPcaStats; points: PcaPoint[] } {
  if (real.length === 0 || generated.length === 0) throw new RangeError(`authorSpace: needs real and generated texts (got ${real.length} and ${generated.length})`);
  const realVecs = real.map((r) => r.vector);
  const test = permutationTest(realVecs, generated, opts);
  const p = pca([...realVecs, ...generated], 2);
  const at = (v: ArrayLike<number>) => project(p, v);
  const points: PcaPoint[] = [];
  const authors: Record<string, number> = {};
  for (const r of real) {
    const [x, y] = at(r.vector);
    points.push({ kind: 'real', author: r.author, x, y });
    authors[r.author] = (authors[r.author] ?? 0) + 1;
  }
  for (const g of generated) {
    const [x, y] = at(g);
    points.push({ kind: 'generated', author: 'generated', x, y });
  }
  // projection is affine, so a centroid's point is the mean of its texts' points
  const centroid = (author: string, kind: 'real' | 'generated') => {
    const own = points.filter((q) => q.kind === kind && q.author === author);
    return { kind: 'centroid' as const, author, x: own.reduce((s, q) => s + q.x, 0) / own.length, y: own.reduce((s, q) => s + q.y, 0) / own.length };
  };
  for (const a of Object.keys(authors)) points.push(centroid(a, 'real'));
  points.push(centroid('generated', 'generated'));
  return {
    stats: {
      author_count: Object.keys(authors).length,
      generated_count: generated.length,
      real_count: real.length,
      mean_distance: test.observed,
      p_value: test.pValue,
      permutations: test.permutations,
      exceedances: test.exceedances,
      explained_variance: p.ratios,
      authors,
    },
    points,
  };
}

/** The points as CSV: header `kind,author,x,y`; an author with a comma, quote or newline is quoted (RFC 4180). */
export function formatPointsCsv(points: readonly PcaPoint[]): string {
  const field = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return `kind,author,x,y\n${points.map((q) => `${q.kind},${field(q.author)},${q.x},${q.y}\n`).join('')}`;
}
