/**
 * The typed event union: the only thing sinks (reporters, TUI, WebSocket feed, files) see.
 * Every event carries the training `step` it belongs to and a wall-clock `time` in milliseconds.
 * Plain JSON: no tensors, no class instances, so any event can be sent over the wire as is.
 */

/** What one cleaning filter did to a corpus (docs/data.md): rows it saw, dropped and (strip_apparatus) changed. */
export interface FilterReport {
  readonly filter: string;
  readonly seen: number;
  readonly dropped: number;
  readonly changed?: number;
}

/** A mixture source's share of the training rows (data: as a list): planned at run/start, drawn by run/end. */
export interface MixtureShare {
  readonly name: string;
  readonly weight: number;
  /** Rows drawn from it over the run (run/start: the whole run; run/end: the steps done). */
  readonly rows: number;
  /** rows / all rows. */
  readonly share: number;
  readonly trainExamples: number;
  readonly valTokens: number;
}

export interface RunStartEvent {
  readonly type: 'run/start';
  readonly step: number;
  readonly time: number;
  readonly name: string;
  /** The resolved config (snake_case keys, as in the YAML files). */
  readonly config: Readonly<Record<string, unknown>>;
  readonly params: number;
  /** Backend the run got, e.g. `wasm`, and a human description of the device. */
  readonly backend: string;
  readonly device: string;
  readonly data: string;
  readonly totalSteps: number;
  readonly trainTokens: number;
  readonly valTokens: number;
  readonly vocabSize: number;
  readonly resumedFrom?: string;
  /** Token cache used for the corpus: hit = read back instead of re-tokenizing; path null when off. */
  readonly tokenCache?: { readonly hit: boolean; readonly path: string | null };
  /** A mixture's sources and the share of the run's rows each will give (seeded: exactly what the run draws). */
  readonly mixture?: readonly MixtureShare[];
  /** The cleaning filters in use and what each dropped, in the order they run (per source for a mixture: filter `name/filter`). */
  readonly filters?: readonly FilterReport[];
  /** webgpu only: fused kernels in use, and the fused-vs-stock timings autotuning took at start. */
  readonly kernels?: {
    readonly inUse: readonly string[];
    readonly tuned: readonly { readonly kernel: string; readonly fusedMs: number; readonly stockMs: number; readonly chosen: 'fused' | 'stock'; readonly error?: string; readonly note?: string }[];
  };
}

export interface TrainStepEvent {
  readonly type: 'train/step';
  readonly step: number;
  readonly time: number;
  readonly epoch: number;
  readonly loss: number;
  readonly lr: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
  /** Non-padding tokens seen since the run (or resume) started. */
  readonly tokens: number;
  readonly tokPerSec: number;
  /** Milliseconds per step, averaged over the steps since the previous log. */
  readonly ms: number;
  /**
   * Of `ms`, the JavaScript time per step spent issuing the step's work. On CPU backends the work runs
   * inside it (≈ ms); on a GPU, hostMs ≈ ms means the run is bound by dispatch overhead and hostMs ≪ ms
   * that the GPU is the bottleneck (it is busy while JavaScript waits).
   */
  readonly hostMs?: number;
  /**
   * webgpu, every 10th logged step: the share of a step's wall time (smoothed ms) the GPU spends in
   * kernels, from timestamp queries on that step (0..1). Low with hostMs ≈ ms: dispatch-bound.
   */
  readonly gpuBusy?: number;
  readonly elapsedS: number;
  readonly etaS: number;
  readonly totalSteps: number;
  /** Bytes the backend holds (tf.memory().numBytes) and live tensors. */
  readonly memBytes: number;
  readonly numTensors: number;
  /** webgpu only: bytes of GPU buffers the backend holds (its buffer pool, free buffers included). */
  readonly gpuBytes?: number;
  /**
   * With the step guard on (max_bad_steps > 0): steps of this run (or resume) not applied because their
   * loss or gradient was not finite, or their loss spiked (loss_spike_factor); read at log points.
   */
  readonly skippedSteps?: number;
}

export interface EvalEvent {
  readonly type: 'eval';
  readonly step: number;
  readonly time: number;
  readonly valLoss: number;
  readonly ppl: number;
  readonly bestValLoss: number;
  /** A mixture (data: as a list): each source's validation loss by name (val_loss_<name>); valLoss is over all of them, token-weighted. */
  readonly valLossBySource?: Readonly<Record<string, number>>;
}

/**
 * A watermark evaluation during training (operator watermarkEvalEvery): watermarked generations vs
 * held-out texts, scored by the detector's z (see src/eval/watermarkMetrics.ts).
 */
export interface WatermarkEvalEvent {
  readonly type: 'eval/watermark';
  readonly step: number;
  readonly time: number;
  /** ROC AUC of z, generated vs real (a tie counts one half); NaN when a class is empty. */
  readonly auc: number;
  /** F1 at the z threshold (positive = z ≥ threshold). */
  readonly f1: number;
  readonly meanZGenerated: number;
  readonly meanZReal: number;
}

/**
 * A preference-tuning step (train --task kto|dpo), every log_every steps: TRL's logged quantities.
 * Rewards are β · summed log-ratio (log π − log π_ref) averaged over the chosen (desirable) or
 * rejected (undesirable) rows of the step; `logRatio` is the mean per-token log-ratio the drift
 * guard watches.
 */
export interface PrefStepEvent {
  readonly type: 'pref/step';
  readonly step: number;
  readonly time: number;
  readonly task: 'kto' | 'dpo';
  readonly loss: number;
  readonly lr: number;
  readonly gradNorm: number;
  /** NaN (null on the wire) when the step had no row of that kind. */
  readonly rewardsChosen: number;
  readonly rewardsRejected: number;
  /** rewardsChosen − rewardsRejected: the chosen-minus-rejected log-ratio gap, × β. */
  readonly margin: number;
  /** Mean summed log-probs of the chosen and rejected completions under the policy. */
  readonly logpsChosen: number;
  readonly logpsRejected: number;
  readonly logRatio: number;
  /** dpo: share of the step's pairs the policy already prefers the right way. */
  readonly accuracy?: number;
  /** kto: the reference point the loss used, and z_ref after the step (ema) or the batch KL (batch_kl). */
  readonly z?: number;
  readonly zRef?: number;
  readonly kl?: number;
  /** Milliseconds per step, averaged since the previous log; seconds since start; estimated seconds left. */
  readonly ms: number;
  readonly elapsedS: number;
  readonly etaS: number;
  readonly totalSteps: number;
}

/**
 * A preference evaluation on the held-out pairs: how often the policy prefers the chosen completion
 * (its log-ratio above the rejected one's), and the generation-quality check (behaviour metrics of
 * fixed prompts, src/eval/behaviour.ts) that picks the best checkpoint.
 */
export interface PrefEvalEvent {
  readonly type: 'eval/pref';
  readonly step: number;
  readonly time: number;
  /** NaN (null on the wire) with no held-out pair. */
  readonly accuracy: number;
  /** Mean β · (chosen − rejected) summed log-ratio over the held-out pairs. */
  readonly margin: number;
  readonly logRatio: number;
  readonly pairs: number;
  /** Generation quality: completion_rate − loop_rate − repeated_4gram_rate (higher is better), and its parts; absent when off. */
  readonly quality?: {
    readonly score: number;
    /** NaN (null on the wire) when not measurable (see BehaviourMetrics). */
    readonly loopRate: number;
    readonly repeated4gramRate: number;
    readonly completionRate: number;
    readonly distinct2: number;
  };
  /** The best quality score so far (this run). */
  readonly bestQuality?: number;
}

export interface CheckpointEvent {
  readonly type: 'checkpoint';
  readonly step: number;
  readonly time: number;
  readonly path: string;
  readonly bytes: number;
}

export interface SampleEvent {
  readonly type: 'sample';
  readonly step: number;
  readonly time: number;
  readonly prompt: string;
  readonly text: string;
}

export interface WarningEvent {
  readonly type: 'warning';
  readonly step: number;
  readonly time: number;
  readonly message: string;
}

/**
 * How far the preparation of the corpus has got (reading and tokenizing it into the token cache):
 * emitted about once a second while it runs and once at the end (`done`). Before the run's first step,
 * so `step` is the step the run starts at.
 */
export interface DataProgressEvent {
  readonly type: 'data/progress';
  readonly step: number;
  readonly time: number;
  /** What the pass does: `tokenize` (into the token cache) or `vocab` (listing a char vocabulary). */
  readonly phase: 'tokenize' | 'vocab';
  /** Documents read so far. */
  readonly rows: number;
  /** Corpus bytes read so far, as stored on disk (compressed bytes for .gz/.zst). */
  readonly bytes: number;
  /** The corpus's bytes on disk (all its files). */
  readonly totalBytes: number;
  /** Tokens written so far (0 in the vocab phase). */
  readonly tokens: number;
  readonly elapsedS: number;
  readonly rowsPerSec: number;
  /** Megabytes (10⁶ bytes) of corpus read per second. */
  readonly mbPerSec: number;
  /** Seconds left at this pace; NaN until it can be estimated. */
  readonly etaS: number;
  /** Worker threads tokenizing (1 = in the main thread). */
  readonly workers: number;
  readonly done: boolean;
}

export interface RunEndEvent {
  readonly type: 'run/end';
  readonly step: number;
  readonly time: number;
  readonly reason: 'completed' | 'stopped' | 'error';
  readonly elapsedS: number;
  readonly finalLoss?: number;
  readonly finalValLoss?: number;
  readonly checkpoint?: string;
  /** A mixture's rows drawn per source up to the last step. */
  readonly mixture?: readonly MixtureShare[];
  readonly message?: string;
}

export type TrainEvent =
  | RunStartEvent
  | TrainStepEvent
  | EvalEvent
  | WatermarkEvalEvent
  | PrefStepEvent
  | PrefEvalEvent
  | CheckpointEvent
  | SampleEvent
  | WarningEvent
  | DataProgressEvent
  | RunEndEvent;

export type TrainEventType = TrainEvent['type'];

export const EVENT_TYPES: readonly TrainEventType[] = [
  'run/start',
  'train/step',
  'eval',
  'eval/watermark',
  'pref/step',
  'eval/pref',
  'checkpoint',
  'sample',
  'warning',
  'data/progress',
  'run/end',
];
