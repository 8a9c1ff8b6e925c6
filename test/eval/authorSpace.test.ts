import { describe, expect, it } from 'vitest';
import { authorSpace, formatPointsCsv, selectAuthorTexts } from '../../src/eval/authorSpace.ts';

describe('selectAuthorTexts', () => {
  const rows = [
    ...Array.from({ length: 6 }, (_, i) => ({ author: 'Блок', text: `b${i}` })),
    ...Array.from({ length: 3 }, (_, i) => ({ author: 'Fet', text: `f${i}` })),
    { author: 'Solo', text: 's0' },
    { text: 'anonymous' },
    { author: '', text: 'empty author' },
  ];

  it('keeps authors with ≥ min texts, in name order; samples at most max, in corpus order, the same for a seed', () => {
    const a = selectAuthorTexts(rows, 2, 4, 7);
    expect(a.filter((r) => r.author === 'Fet').map((r) => r.text)).toEqual(['f0', 'f1', 'f2']);
    const blok = a.filter((r) => r.author === 'Блок').map((r) => r.text);
    expect(blok).toHaveLength(4);
    expect([...blok].sort()).toEqual(blok);
    expect(a.map((r) => r.author)).toEqual(['Fet', 'Fet', 'Fet', 'Блок', 'Блок', 'Блок', 'Блок']);
    expect(selectAuthorTexts(rows, 2, 4, 7)).toEqual(a);
    expect(selectAuthorTexts(rows, 1, 10, 7).map((r) => r.author)).toContain('Solo');
  });
});

describe('authorSpace', () => {
  it('hand-made: two authors on a line and generated texts beyond them', () => {
    const real = [
      { author: 'a', vector: [0, 0] },
      { author: 'a', vector: [2, 0] },
      { author: 'b', vector: [4, 0] },
      { author: 'b', vector: [6, 0] },
    ];
    const { stats, points } = authorSpace(real, [[9, 0], [11, 0]], { permutations: 500, seed: 1 });
    expect(stats.mean_distance).toBe(7); // real mean (3, 0), generated mean (10, 0)
    expect(stats).toMatchObject({ author_count: 2, real_count: 4, generated_count: 2, authors: { a: 2, b: 2 }, permutations: 500 });
    // the pair {9, 11} vs the rest is the farthest of the C(6, 2) = 15 splits: p ≈ 1/15
    expect(stats.p_value).toBeGreaterThan(0.04);
    expect(stats.p_value).toBeLessThan(0.1);
    expect(stats.explained_variance[0]).toBeCloseTo(1, 12); // every point on the x axis
    // mean of all six x = 32/6; PC1 = (1, 0)
    const c = points.filter((p) => p.kind === 'centroid');
    expect(c.map((p) => p.author)).toEqual(['a', 'b', 'generated']);
    expect(c[0].x).toBeCloseTo(1 - 32 / 6, 12);
    expect(c[2].x).toBeCloseTo(10 - 32 / 6, 12);
    expect(points.filter((p) => p.kind === 'generated')).toHaveLength(2);
  });

  it('CSV quotes authors with commas and quotes', () => {
    expect(formatPointsCsv([{ kind: 'real', author: 'Smith, "J."', x: 1, y: -0.5 }])).toBe('kind,author,x,y\nreal,"Smith, ""J.""",1,-0.5\n');
  });
});
