import type { EvalEvent, PrefEvalEvent, PrefStepEvent, RunStartEvent, TrainEvent, TrainEventType, TrainStepEvent, WatermarkEvalEvent } from '../../core/events.ts';
import { emptySeries, pushPoint, seriesPoints, type Series } from '../../core/series.ts';
import type { SnapshotMessage } from './feedProtocol.ts';

/**
 * What the feed remembers of a run for late joiners and /metrics: the run/start event, the last N
 * events of each type, the latest step and eval, and the loss curves bounded by `Series` (≤ 1000 points).
 * Memory is O(7·N + 2000) whatever the run length. Mutated in place by `recordEvent`: one owner, no sharing.
 */
export interface FeedState {
  readonly snapshotSize: number;
  run: RunStartEvent | null;
  step: number;
  lastStep: TrainStepEvent | null;
  /** webgpu: the latest sampled gpuBusy (only some train/step events carry it). */
  lastGpuBusy?: number;
  lastEval: EvalEvent | null;
  /** The latest eval/watermark event (for /metrics). */
  lastWatermarkEval?: WatermarkEvalEvent;
  /** Preference runs (kto, dpo): the latest pref/step and eval/pref (for /metrics). */
  lastPref?: PrefStepEvent;
  lastPrefEval?: PrefEvalEvent;
  readonly last: Map<TrainEventType, TrainEvent[]>;
  loss: Series;
  valLoss: Series;
}

/** Points per curve in the snapshot; the protocol promises ≤ 1000. */
export const SNAPSHOT_POINTS = 1000;
// A series shows its stored points plus one partial bucket.
const CAP = SNAPSHOT_POINTS - 1;

export function createFeedState(snapshotSize: number): FeedState {
  return { snapshotSize, run: null, step: 0, lastStep: null, lastEval: null, last: new Map(), loss: emptySeries(CAP), valLoss: emptySeries(CAP) };
}

export function recordEvent(s: FeedState, e: TrainEvent): void {
  if (e.type === 'run/start') {
    // a new run (or a resume) starts new curves; older events would mislead a late joiner
    s.run = e;
    s.last.clear();
    s.loss = emptySeries(CAP);
    s.valLoss = emptySeries(CAP);
    s.lastStep = null;
    s.lastGpuBusy = undefined;
    s.lastEval = null;
    s.lastWatermarkEval = undefined;
    s.lastPref = undefined;
    s.lastPrefEval = undefined;
  } else if (e.type === 'train/step') {
    s.lastStep = e;
    if (e.gpuBusy !== undefined) s.lastGpuBusy = e.gpuBusy;
    s.loss = pushPoint(s.loss, e.step, e.loss);
  } else if (e.type === 'eval') {
    s.lastEval = e;
    s.valLoss = pushPoint(s.valLoss, e.step, e.valLoss);
  } else if (e.type === 'eval/watermark') {
    s.lastWatermarkEval = e;
  } else if (e.type === 'pref/step') {
    s.lastPref = e;
    s.loss = pushPoint(s.loss, e.step, e.loss);
  } else if (e.type === 'eval/pref') {
    s.lastPrefEval = e;
  }
  s.step = e.step;
  if (s.snapshotSize > 0) {
    const list = s.last.get(e.type) ?? [];
    list.push(e);
    if (list.length > s.snapshotSize) list.shift();
    s.last.set(e.type, list);
  }
}

/** The `snapshot` message a client gets on connect. */
export function snapshotMessage(s: FeedState, now: number): SnapshotMessage {
  return {
    type: 'snapshot',
    step: s.step,
    time: now,
    run: s.run,
    last: Object.fromEntries([...s.last].map(([k, v]) => [k, [...v]])),
    loss: seriesPoints(s.loss).map((p) => [p[0], p[1]]),
    valLoss: seriesPoints(s.valLoss).map((p) => [p[0], p[1]]),
  };
}
