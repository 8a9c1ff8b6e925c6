import type * as tf from '@tensorflow/tfjs';
import { autotune, timeWork, type TuneResult } from './autotune.ts';
import { setKernel } from '../kernels/select.ts';
import { type FlashLanes, setFlashLanes } from '../kernels/webgpu/flashAttention.ts';

/**
 * Times attention's `work` with the stock ops and with flash attention at each lane count in
 * `lanes` (threads per row: 1 first, then 2 and 4 where the device and head dim allow them), and
 * keeps the fastest: flash at its best lane count when that beats stock. The result's `note` lists
 * each lane count's time. A lane count that fails to run is left out, with its error in the note.
 */
export async function tuneAttention(work: () => tf.Tensor[], lanes: readonly FlashLanes[], reps = 3): Promise<TuneResult> {
  setFlashLanes(1);
  const one = await autotune('attention', work, reps);
  if (one.error || lanes.length <= 1) return one;
  const times = new Map<FlashLanes, number>([[1, one.fusedMs]]);
  const failed: string[] = [];
  setKernel('attention', true);
  for (const P of lanes.filter((p) => p !== 1)) {
    setFlashLanes(P);
    try {
      times.set(P, await timeWork(work, reps));
    } catch (e) {
      failed.push(`${P} lanes failed: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const [best, fusedMs] = [...times].reduce((a, b) => (b[1] < a[1] ? b : a));
  setFlashLanes(best);
  const chosen = fusedMs <= one.stockMs ? 'fused' : 'stock';
  setKernel('attention', chosen === 'fused');
  const list = [...times].map(([P, ms]) => `${P}: ${ms.toFixed(1)} ms`).join(', ');
  return { kernel: 'attention', fusedMs, stockMs: one.stockMs, chosen, note: [`lanes per row ${best} (${list})`, ...failed].join('; ') };
}
