import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countParams, resolveGptConfig } from '../../../src/model/nn/gptConfig.ts';
import { loadConfig } from '../../../src/pipeline/loadConfig.ts';
import { estimateTraining, MEASURED_SPEEDS, planRecipe } from '../../../src/pipeline/recipes/planRecipe.ts';
import { defineRecipe, type Recipe } from '../../../src/pipeline/recipes/recipe.ts';
import { recipeContext, runRecipe, stageMarker } from '../../../src/pipeline/recipes/runRecipe.ts';
import { StageError } from '../../../src/pipeline/recipes/StageError.ts';

const quiet = { stdout: { write: () => true }, stderr: { write: () => true } };

/** Two stages writing text files; counts how often each ran. */
function counting(fail?: 'throw' | 'no-output'): { recipe: Recipe; runs: Record<string, number> } {
  const runs: Record<string, number> = { a: 0, b: 0 };
  const recipe = defineRecipe({
    name: 'two',
    summary: 'two stages',
    published: '-',
    stages: () => [
      { name: 'a', does: 'writes a.txt', outputs: ['a.txt'], run: async (c) => void (runs.a++, writeFileSync(c.path('a.txt'), 'a'.repeat(runs.a))) },
      {
        name: 'b',
        does: 'reads a.txt, writes b/b.txt',
        outputs: ['b/b.txt'],
        async run(c) {
          runs.b++;
          if (fail === 'throw') throw new Error('disk full');
          if (fail !== 'no-output') writeFileSync(c.path('b/b.txt'), readFileSync(c.path('a.txt'), 'utf8').toUpperCase());
        },
      },
    ],
  });
  return { recipe, runs };
}

describe('runRecipe', () => {
  it('runs stages in order, then skips complete ones; a missing or changed output runs its stage again', async () => {
    const out = mkdtempSync(join(tmpdir(), 'recipe-'));
    const { recipe, runs } = counting();
    const first = await runRecipe(recipe, { out, scale: 'smoke', io: quiet });
    expect(first.map((o) => [o.stage, o.status])).toEqual([['a', 'ran'], ['b', 'ran']]);
    expect(readFileSync(join(out, 'b/b.txt'), 'utf8')).toBe('A');
    expect((await runRecipe(recipe, { out, scale: 'smoke', io: quiet })).map((o) => o.status)).toEqual(['skipped', 'skipped']);
    rmSync(join(out, 'b/b.txt'));
    expect((await runRecipe(recipe, { out, scale: 'smoke', io: quiet })).map((o) => o.status)).toEqual(['skipped', 'ran']);
    writeFileSync(join(out, 'a.txt'), 'truncated?'); // another size than the marker recorded
    expect((await runRecipe(recipe, { out, scale: 'smoke', io: quiet })).map((o) => o.status)).toEqual(['ran', 'skipped']);
    expect(runs).toEqual({ a: 2, b: 2 });
  });

  it('a failing stage is a StageError naming recipe and stage, leaves no marker, and the next run starts there', async () => {
    const out = mkdtempSync(join(tmpdir(), 'recipe-'));
    const bad = counting('throw');
    const err = await runRecipe(bad.recipe, { out, scale: 'smoke', io: quiet }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StageError);
    expect((err as Error).message).toMatch(/^recipe two: stage b failed: disk full; .*run the same command again/);
    expect(existsSync(stageMarker(out, 'a'))).toBe(true);
    expect(existsSync(stageMarker(out, 'b'))).toBe(false);
    const good = counting();
    expect((await runRecipe(good.recipe, { out, scale: 'smoke', io: quiet })).map((o) => o.status)).toEqual(['skipped', 'ran']);
    const silent = await runRecipe(counting('no-output').recipe, { out: mkdtempSync(join(tmpdir(), 'recipe-')), scale: 'smoke', io: quiet }).catch((e: unknown) => e);
    expect((silent as Error).message).toMatch(/stage b failed: it finished without writing b\/b\.txt/);
  });
});

describe('planRecipe', () => {
  it('sizes a training stage from its config: steps × batch × context tokens, 6·N·D FLOP, time at each measured speed', () => {
    const e = estimateTraining('train', { config: 'char-10m', flags: {} });
    const cfg = loadConfig('char-10m');
    expect(e.params).toBe(countParams(resolveGptConfig({ ...cfg, vocabSize: 201 })));
    expect([e.steps, e.tokensPerStep, e.tokens]).toEqual([5000, 64 * 256, 5000 * 64 * 256]);
    expect(e.flops).toBe(6 * e.params * e.tokens);
    expect(e.seconds).toEqual([e.flops / (82 * 6 * 74_899_072), e.flops / 25.8e12]);
    expect(MEASURED_SPEEDS.every((m) => m.source.startsWith('docs/benchmarks.md'))).toBe(true);
    // a decay-only tail is its decay_steps long
    expect(estimateTraining('tail', { config: 'gpt2-preln-136m', flags: { 'decay-from': '/nowhere', 'decay-steps': '400', 'max-steps': '2000' } }).steps).toBe(400);
  });

  it('prints every stage, the training sizes and where the speeds come from', () => {
    const recipe = defineRecipe({
      name: 'p',
      summary: '-',
      published: 'nanoGPT',
      stages: () => [
        { name: 'train', does: 'trains', outputs: [], training: { config: 'char-10m', flags: { 'max-steps': '100' } }, run: async () => undefined },
        { name: 'report', does: 'reports', outputs: [], run: async () => undefined },
      ],
    });
    const { lines } = planRecipe(recipe, recipeContext({ out: '/tmp/p', scale: 'full', io: quiet }));
    expect(lines[0]).toBe('recipe p at full scale → /tmp/p');
    expect(lines).toContain('2. report: reports');
    expect(lines.join('\n')).toMatch(/100 steps × 16,384 tokens = 1\.64M tokens/);
    expect(lines.filter((l) => l.includes('expected on'))).toHaveLength(2);
    expect(lines.join('\n')).toContain('H200');
  });
});
