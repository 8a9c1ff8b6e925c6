import { describe, expect, it } from 'vitest';
import { expectTrainedAndExported, smokeRun } from './recipeFixture.ts';

describe('recipe smollm2-shakespeare (smoke)', () => {
  it('runs every stage and leaves a checkpoint, a validation loss below log V, a report and a loadable export', async () => {
    const r = await smokeRun('smollm2-shakespeare');
    expect(r.outcomes.every((o) => o.status === 'ran')).toBe(true);
    await expectTrainedAndExported(r, { steps: 24, family: 'hf-llama' });
  }, 120_000);
});
