import type {
  CheckpointEvent, DataProgressEvent, EvalEvent, PrefEvalEvent, PrefStepEvent, RunEndEvent, RunStartEvent, SampleEvent, TrainEvent, TrainStepEvent, WarningEvent, WatermarkEvalEvent,
} from '../core/events.ts';
import { emptySeries, pushPoint, type Series } from '../core/series.ts';

/** An event that goes to the append-only log, numbered so the TUI prints each exactly once. */
export interface LogEntry {
  readonly seq: number;
  readonly event: EvalEvent | WatermarkEvalEvent | PrefEvalEvent | CheckpointEvent | SampleEvent | WarningEvent | DataProgressEvent | RunEndEvent;
}

/** Everything the TUI draws; built only by `dashboardReducer`. */
export interface DashboardState {
  readonly run: RunStartEvent | null;
  readonly lastStep: TrainStepEvent | null;
  /** Exponential moving average of tokens/s (α = TOK_EMA_ALPHA); null before the first step. */
  readonly tokPerSecEma: number | null;
  /** webgpu: the latest sampled share of a step the GPU is busy (train/step gpuBusy, every 10th log). */
  readonly gpuBusy: number | null;
  readonly loss: Series;
  readonly valLoss: Series;
  readonly lastEval: EvalEvent | null;
  /** Preference runs (kto, dpo): the latest pref/step and eval/pref. */
  readonly lastPref: PrefStepEvent | null;
  readonly lastPrefEval: PrefEvalEvent | null;
  readonly best: { readonly step: number; readonly valLoss: number } | null;
  /** The newest LOG_KEEP log entries; older ones were printed long ago. */
  readonly log: readonly LogEntry[];
  readonly logSeq: number;
  readonly warnings: number;
  readonly end: RunEndEvent | null;
  /** The latest live data/progress while the corpus is prepared (before run/start); null once the run starts. */
  readonly preparing: DataProgressEvent | null;
}

/** Weight of the newest tokens/s reading: ~10 log intervals of memory, smooths eval/checkpoint stalls. */
export const TOK_EMA_ALPHA = 0.1;
/** Entries kept for printing; a flush every 100 ms never needs more. Bounds memory on long runs. */
export const LOG_KEEP = 500;
/** Chart history per series; charts downsample further to the terminal width. */
export const SERIES_CAP = 1000;

export const initialDashboardState: DashboardState = {
  run: null,
  lastStep: null,
  tokPerSecEma: null,
  gpuBusy: null,
  loss: emptySeries(SERIES_CAP),
  valLoss: emptySeries(SERIES_CAP),
  lastEval: null,
  lastPref: null,
  lastPrefEval: null,
  best: null,
  log: [],
  logSeq: 0,
  warnings: 0,
  end: null,
  preparing: null,
};

/**
 * Folds one training event into the dashboard state. Pure, so the TUI can apply events as fast as they
 * come and render a snapshot of the result at its own pace. A new `run/start` resets the run's figures
 * but keeps the log numbering, so already printed lines are never printed again.
 */
export function dashboardReducer(state: DashboardState, e: TrainEvent): DashboardState {
  switch (e.type) {
    case 'run/start':
      return { ...initialDashboardState, run: e, log: state.log, logSeq: state.logSeq };
    case 'train/step':
      return {
        ...state,
        lastStep: e,
        tokPerSecEma: state.tokPerSecEma === null ? e.tokPerSec : state.tokPerSecEma + TOK_EMA_ALPHA * (e.tokPerSec - state.tokPerSecEma),
        gpuBusy: e.gpuBusy ?? state.gpuBusy,
        loss: pushPoint(state.loss, e.step, e.loss),
      };
    case 'eval': {
      const improved = state.best === null || e.valLoss < state.best.valLoss;
      return {
        ...appendLog(state, e),
        lastEval: e,
        valLoss: pushPoint(state.valLoss, e.step, e.valLoss),
        best: improved ? { step: e.step, valLoss: e.valLoss } : state.best,
      };
    }
    case 'warning':
      return { ...appendLog(state, e), warnings: state.warnings + 1 };
    case 'run/end':
      return { ...appendLog(state, e), end: e };
    case 'pref/step':
      return { ...state, lastPref: e, loss: pushPoint(state.loss, e.step, e.loss) };
    case 'eval/pref':
      return { ...appendLog(state, e), lastPrefEval: e };
    case 'checkpoint':
    case 'sample':
    case 'eval/watermark':
      return appendLog(state, e);
    case 'data/progress':
      // the corpus preparation: its summary is one log line; the live figures show until run/start
      return e.done ? appendLog(state, e) : state.run === null ? { ...state, preparing: e } : state;
  }
}

function appendLog(state: DashboardState, event: LogEntry['event']): DashboardState {
  const seq = state.logSeq + 1;
  const log = state.log.length >= LOG_KEEP ? [...state.log.slice(state.log.length - LOG_KEEP + 1), { seq, event }] : [...state.log, { seq, event }];
  return { ...state, log, logSeq: seq };
}
