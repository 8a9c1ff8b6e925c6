import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_SPEC, toSnake } from '../src/core/config/schema.ts';
import type { TrainEvent } from '../src/core/events.ts';

const README = readFileSync('README.md', 'utf8');

describe('README', () => {
  it('shows the pipeline example exactly as examples/pipeline.ts, and that example trains', async () => {
    const example = readFileSync('examples/pipeline.ts', 'utf8');
    const block = /<!-- example: examples\/pipeline\.ts -->\n```ts\n([\s\S]*?)```/.exec(README);
    expect(block, 'README has the pipeline example block').not.toBeNull();
    expect(block![1]).toBe(example);
    // run it, resolving 'versiflow' to this checkout's sources
    const runnable = join(resolve('examples'), '.pipeline.run.ts');
    writeFileSync(runnable, example.replace("from 'versiflow'", `from '${resolve('src/index.ts')}'`));
    const events = (await import(runnable)).default as TrainEvent[];
    const steps = events.filter((e) => e.type === 'train/step');
    expect(steps.map((e) => e.step)).toEqual([10, 20, 30, 40]);
    const losses = steps.map((e) => (e.type === 'train/step' ? e.loss : NaN));
    expect(losses[3]).toBeLessThan(losses[0]);
    expect(events.filter((e) => e.type === 'eval').length).toBe(2);
  });

  it('documents every config key (in docs/config.md, which it links)', () => {
    expect(README).toContain('](docs/config.md)');
    const doc = readFileSync('docs/config.md', 'utf8');
    for (const key of Object.keys(CONFIG_SPEC)) expect(doc, `docs/config.md lists ${toSnake(key)}`).toContain(`| \`${toSnake(key)}\` |`);
  });

  it('names the two set-up commands', () => {
    expect(README).toContain('npm install && npm start');
    expect(README).toContain('npm test');
  });
});
