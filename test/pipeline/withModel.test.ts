import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { withModel } from '../../src/pipeline/withModel.ts';
import { writeTestCheckpoint } from '../cli/checkpointFixture.ts';

describe('withModel', () => {
  it('loads a checkpoint on the backend asked for and disposes its weights after use', async () => {
    const ckpt = await writeTestCheckpoint();
    const before = tf.memory().numTensors;
    const seen = await withModel(ckpt, { backend: 'cpu' }, async (m) => ({ backend: tf.getBackend(), step: m.step, vocab: m.gpt.vocabSize, tensors: tf.memory().numTensors }));
    expect(seen.backend).toBe('cpu');
    expect(seen.step).toBe(0);
    expect(seen.tensors).toBeGreaterThan(before);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('disposes them when the use throws, and passes the error on', async () => {
    const ckpt = await writeTestCheckpoint();
    await withModel(ckpt, { backend: 'cpu' }, async () => undefined); // warm: backend set up
    const before = tf.memory().numTensors;
    await expect(withModel(ckpt, { backend: 'cpu' }, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names a missing checkpoint', async () => {
    await expect(withModel('/nonexistent/run', { backend: 'cpu' }, async () => 0)).rejects.toThrow(/nonexistent/);
  });
});
