import * as tf from '@tensorflow/tfjs';
import type { Weights } from '../gpt.ts';

/**
 * The reference model of preference tuning: a copy of `w` in non-trainable variables (same names),
 * so no optimizer ever holds it and tf.variableGrads over the trainable ones never reaches it. It
 * costs one more set of weights (memoryPlan's preferenceMemory counts it); no gradients, no moments.
 */
export function frozenCopy(w: Weights): Map<string, tf.Variable> {
  const out = new Map<string, tf.Variable>();
  for (const [name, v] of w) out.set(name, tf.variable(v, false));
  return out;
}
