import { resolve } from 'node:path';
import { kernelsInUse } from '../../model/kernels/select.ts';
import { tuneForRun } from '../../model/tuners/tuneForRun.ts';
import { catchError, concat, concatMap, defer, finalize, identity, type Observable, of, pipe, tap, throwError } from 'rxjs';
import { configToSnake } from '../../core/config/normalizeConfig.ts';
import type { Config } from '../../core/config/schema.ts';
import { CheckpointError } from '../../core/errors/CheckpointError.ts';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import { AdamW } from '../../model/nn/adamw.ts';
import { chunkBatches, lengthSortedBatches, stackExamples, TRIM_MULTIPLE } from '../../model/nn/batch.ts';
import type { Batch } from '../../core/batch.ts';
import { assignTensors, readTensors, restoreOptimizer, snapshotOptimizer } from '../../model/nn/checkpoint.ts';
import { evaluateLoss } from '../../model/nn/evaluate.ts';
import { measureThroughput } from '../../model/nn/throughput.ts';
import { generateIds } from '../../model/nn/generate.ts';
import { disposeWeights, initWeights } from '../../model/nn/gpt.ts';
import { trainingMemory } from '../../model/nn/gptBreakdown.ts';
import { countParams, type GptConfig, paramSpecs, resolveGptConfig } from '../../model/nn/gptConfig.ts';
import { deriveSeed, Rng } from '../../model/nn/rng.ts';
import type { Schedule } from '../../model/nn/schedule.ts';
import type { Tokenizer } from '../../model/tokenizer/types.ts';
import { checkpointEvery } from '../../operators/checkpointEvery.ts';
import { sampleEvery } from '../../operators/sampleEvery.ts';
import { trainStep } from '../../operators/trainStep.ts';
import { validateEvery } from '../../operators/validateEvery.ts';
import { batchSchedule, stepsPerEpoch } from '../../streams/sources/batchSchedule.ts';
import { type CheckpointState, loadCheckpoint, resolveCheckpoint, saveCheckpoint } from '../../streams/checkpoints/checkpointStore.ts';
import type { RunControls } from '../../core/controls.ts';
import type { RunEndEvent, RunStartEvent, TrainEvent, WarningEvent } from '../../core/events.ts';
import { pullThrough } from '../../streams/sources/pullThrough.ts';
import type { StepState } from '../../core/stepState.ts';
import type { BackendReport } from '../../model/backend/setupBackend.ts';
import { prepareData, resolveTokenizer } from '../data/prepareData.ts';
import { tokenizerFromJSON } from '../../model/tokenizer/loadTokenizer.ts';

export interface TrainRun {
  /** Cold: subscribing starts training; share it between sinks. */
  readonly events$: Observable<TrainEvent>;
  readonly controls: RunControls;
  readonly runDir: string;
  readonly config: Config;
  readonly params: number;
}

/** runs/<name> unless `out` is set. */
export const runDirOf = (cfg: Config): string => resolve(cfg.out || `runs/${cfg.name}`);

/**
 * Everything `versiflow train` does before the first step: tokenizer, data, model, optimizer,
 * resume; then the pipeline
 *   batchSchedule ─ trainStep ─ validateEvery ─ sampleEvery ─ checkpointEvery ─ events
 * as one cold observable, framed by run/start and run/end.
 */
export async function createTrainRun(cfg: Config, backend: BackendReport, now: () => number = Date.now): Promise<TrainRun> {
  const runDir = runDirOf(cfg);
  const resumeDir = cfg.resume ? await resolveCheckpoint(cfg.resume, runDir) : null;
  const ckpt = resumeDir ? await loadCheckpoint(resumeDir) : null;

  const resolved = ckpt ? { tokenizer: tokenizerFromJSON(ckpt.tokenizer) } : await resolveTokenizer(cfg);
  const tokenizer: Tokenizer = resolved.tokenizer;
  const data = await prepareData(cfg, tokenizer);
  const vocabSize = cfg.vocabSize || tokenizer.vocabSize;
  if (vocabSize < tokenizer.vocabSize) throw new ConfigError(`vocab_size ${vocabSize} is smaller than the tokenizer's ${tokenizer.vocabSize} tokens`);
  const gcfg: GptConfig = resolveGptConfig({ ...cfg, vocabSize });
  const params = countParams(gcfg);

  const E = stepsPerEpoch(data.train.length, cfg.batchSize);
  const totalSteps = cfg.maxSteps || Math.max(1, Math.ceil(cfg.epochs * E));
  const schedule: Schedule = {
    kind: cfg.schedule as Schedule['kind'],
    lr: cfg.lr,
    minLr: cfg.lr * cfg.minLrRatio,
    warmup: cfg.warmupSteps || Math.round(cfg.warmupRatio * totalSteps),
    total: totalSteps,
    decayFraction: cfg.decayRatio,
  };

  const microBatch = cfg.microBatch || autoMicroBatch(gcfg, cfg.batchSize, cfg.context, backend.name, backend.maxBindingBytes);
  const weights = initWeights(gcfg, cfg.seed);
  const decay = new Set(paramSpecs(gcfg).filter((s) => s.decay).map((s) => s.name));
  const optimizer = new AdamW(weights, decay, { beta1: cfg.beta1, beta2: cfg.beta2, eps: cfg.adamEps, weightDecay: cfg.weightDecay, gradClip: cfg.gradClip });
  let startStep = 0;
  let bestValLoss: number | null = null;
  if (ckpt && resumeDir) {
    if (ckpt.state.tokenizerHash !== tokenizer.hash) throw new CheckpointError(`${resumeDir}: tokenizer hash differs from the run's`);
    try {
      assignTensors(weights, ckpt.model);
      restoreOptimizer(optimizer, ckpt.optimizer, ckpt.state.optimizerStep);
    } catch (e) {
      disposeWeights(weights);
      optimizer.dispose();
      throw new CheckpointError(`${resumeDir}: ${(e as Error).message} (was it trained with another config?)`);
    }
    startStep = ckpt.state.step;
    bestValLoss = ckpt.state.bestValLoss;
    if (startStep >= totalSteps) throw new ConfigError(`${resumeDir} is at step ${startStep}; raise max_steps above it to continue`);
  }

  // webgpu, kernels: auto: keep each tunable fused kernel only where it beats the stock ops here
  const tuned = backend.name === 'webgpu' ? await tuneForRun(weights, gcfg, Math.min(cfg.batchSize, microBatch || cfg.batchSize)) : [];

  // Validation: a fixed, bounded set of full batches in order (one short batch if that is all there is).
  const n = data.val.length;
  const trimTo = cfg.trimPadding ? TRIM_MULTIPLE : 0;
  const valSet = (n >= cfg.batchSize ? data.val.slice(0, n - (n % cfg.batchSize)) : data.val).slice(0, cfg.evalBatches > 0 ? cfg.evalBatches * cfg.batchSize : undefined);
  // the same examples either way; trimmed, they are batched by length (the loss is token-weighted)
  const valBatches: Batch[] = trimTo ? lengthSortedBatches(valSet, cfg.batchSize, trimTo) : chunkBatches(valSet, cfg.batchSize);

  // Controls: stop after the next step (with a checkpoint), sample on demand, pause between steps.
  let stopRequested = false;
  let sampleRequested = false;
  let paused: { promise: Promise<void>; resume: () => void } | null = null;
  const controls: RunControls = {
    stop: () => {
      stopRequested = true;
      if (paused) controls.togglePause();
    },
    sampleNow: () => {
      sampleRequested = true;
    },
    togglePause: () => {
      if (paused) {
        paused.resume();
        paused = null;
        return false;
      }
      let resume = () => {};
      const promise = new Promise<void>((r) => (resume = r));
      paused = { promise, resume };
      return true;
    },
  };

  const promptIds = cfg.samplePrompt ? tokenizer.encode(cfg.samplePrompt) : [tokenizer.eosId >= 0 ? tokenizer.eosId : 0];
  const sample = async (s: StepState) => {
    const rng = new Rng(deriveSeed(cfg.seed, s.step, 0x5a));
    const ids = await generateIds(weights, gcfg, promptIds, cfg.sampleTokens, { temperature: cfg.temperature, topK: cfg.topK }, rng, tokenizer.eosId);
    return { prompt: cfg.samplePrompt, text: tokenizer.decode(ids) };
  };
  const snake = configToSnake(cfg);
  const save = async (s: StepState) => {
    const ev = s.events.find((e) => e.type === 'eval');
    if (ev?.type === 'eval') bestValLoss = ev.bestValLoss; // validateEvery keeps the running best
    const state: CheckpointState = {
      format: 'versiflow-checkpoint',
      version: 1,
      step: s.step,
      epoch: s.epoch,
      config: { ...snake, resume: '', vocab_size: vocabSize },
      data: { seed: cfg.seed, step: s.step, trainExamples: data.train.length },
      optimizerStep: optimizer.t,
      bestValLoss,
      tokenizerHash: tokenizer.hash,
      params,
      savedAt: new Date(now()).toISOString(),
    };
    return saveCheckpoint(runDir, { model: await readTensors(weights), optimizer: await snapshotOptimizer(optimizer), state, tokenizer: tokenizer.toJSON() }, cfg.keepCheckpoints);
  };

  const runStart: RunStartEvent = {
    type: 'run/start',
    step: startStep,
    time: now(),
    name: cfg.name,
    config: { ...snake, vocab_size: vocabSize },
    params,
    backend: backend.name,
    device: backend.device,
    data: cfg.data,
    totalSteps,
    trainTokens: data.trainTokens,
    valTokens: data.valTokens,
    vocabSize,
    ...(resumeDir ? { resumedFrom: resumeDir } : {}),
    tokenCache: { hit: data.cache.hit, path: data.cache.path },
    ...(backend.name === 'webgpu' ? { kernels: { inUse: [...kernelsInUse()], tuned } } : {}),
  };
  const warnings: WarningEvent[] = [];
  const warn = (message: string) => warnings.push({ type: 'warning', step: startStep, time: now(), message });
  // A first step can take hours on a CPU backend: after run/start, time a short slice of one row
  // (forward + backward, no update) so the user sees tokens/s and an ETA before it starts.
  const slowCpu = (backend.name === 'wasm' || backend.name === 'cpu') && params > 20e6;
  const probe$ = defer(async (): Promise<TrainEvent[]> => {
    if (!slowCpu) return [];
    const probeT = Math.min(cfg.context, 16);
    const row = data.train[0];
    const probe = stackExamples([{ ids: row.ids.subarray(0, probeT + 1), mask: row.mask.subarray(0, probeT) }]);
    const tokPerSec = await measureThroughput(weights, gcfg, probe);
    const stepS = (cfg.batchSize * cfg.context) / tokPerSec;
    const message =
      `${(params / 1e6).toFixed(1)}M parameters on the ${backend.name} backend (CPU): measured ${tokPerSec.toPrecision(2)} tokens/s ` +
      `(${probeT} tokens, forward + backward), so about ${hours(stepS)} per step of ${cfg.batchSize}×${cfg.context} tokens and ` +
      `${hours(stepS * (totalSteps - startStep))} for ${totalSteps - startStep} steps. Training anyway; use a GPU backend (--backend webgpu or tensorflow) for real runs.`;
    return [{ type: 'warning', step: startStep, time: now(), message }];
  }).pipe(concatMap((e) => e));
  for (const w of data.cache.warnings) warn(w);
  if (resolved.trained) warn(`trained a ${tokenizer.vocabSize}-token byte-level BPE tokenizer on ${cfg.data} → ${resolved.trained}`);
  if (microBatch > 0 && microBatch < cfg.batchSize && !cfg.microBatch) warn(`batch ${cfg.batchSize} does not fit the ${backend.name} backend's memory at once: accumulating gradients over micro-batches of ${microBatch}`);
  if (valBatches.length === 0) warn('no validation data (val_fraction is 0 or the corpus is too small): eval is skipped');
  for (const s of backend.skipped) if (cfg.backend === 'auto' && s.name !== 'tensorflow' && s.name !== 'webgpu') warn(`backend ${s.name} skipped: ${s.reason}`);

  let last: StepState | null = null;
  const t0 = performance.now();
  const steps$ = pullThrough(
    batchSchedule(data.train, { batchSize: cfg.batchSize, seed: cfg.seed, startStep, totalSteps, shouldStop: () => stopRequested, trimTo, groupByLength: cfg.groupByLength }),
    pipe(
      trainStep({ weights, config: gcfg, optimizer, schedule, totalSteps, logEvery: cfg.logEvery, seed: cfg.seed, now, logFirst: true, microBatch }),
      validateEvery(cfg.evalEvery, () => (valBatches.length ? evaluateLoss(weights, gcfg, valBatches, microBatch) : Promise.resolve(NaN)), now, bestValLoss ?? Infinity),
      cfg.sampleTokens > 0
        ? sampleEvery(cfg.evalEvery, sample, {
            now,
            requested: () => {
              const r = sampleRequested;
              sampleRequested = false;
              return r;
            },
          })
        : identity,
      checkpointEvery(cfg.checkpointEvery, save, now),
    ),
    { gate: () => paused?.promise ?? Promise.resolve() },
  );

  const events$ = concat(
    of<TrainEvent[]>([runStart, ...warnings]).pipe(concatMap((e) => e)),
    probe$,
    steps$.pipe(
      tap((s) => (last = s)),
      concatMap((s) => s.events),
    ),
    defer(() => {
      const ckptEvent = last?.events.find((e) => e.type === 'checkpoint');
      const end: RunEndEvent = {
        type: 'run/end',
        step: last?.step ?? startStep,
        time: now(),
        reason: stopRequested && (last?.step ?? 0) < totalSteps ? 'stopped' : 'completed',
        elapsedS: (performance.now() - t0) / 1000,
        ...(last?.loss !== undefined ? { finalLoss: last.loss } : {}),
        ...(last?.valLoss !== undefined && Number.isFinite(last.valLoss) ? { finalValLoss: last.valLoss } : {}),
        ...(ckptEvent?.type === 'checkpoint' ? { checkpoint: ckptEvent.path } : {}),
      };
      return of<TrainEvent>(end);
    }),
  ).pipe(
    // a failed run still tells its sinks (and remote monitors) how it ended, then fails
    catchError((e: unknown) =>
      concat(
        of<TrainEvent>({ type: 'run/end', step: last?.step ?? startStep, time: now(), reason: 'error', elapsedS: (performance.now() - t0) / 1000, message: (e as Error).message ?? String(e) }),
        throwError(() => e),
      ),
    ),
    finalize(() => {
      disposeWeights(weights);
      optimizer.dispose();
    }),
  );
  return { events$, controls, runDir, config: cfg, params };
}

/**
 * Rows per pass that keep the activation estimate within what a CPU backend holds: wasm has a 4 GiB
 * heap (2 GiB usable in practice; weights and AdamW state included), the JS cpu backend the machine's RAM. GPU backends
 * get the whole batch (0); set micro_batch to override.
 */
export function autoMicroBatch(c: GptConfig, batch: number, context: number, backend: string, maxBindingBytes = Infinity): number {
  const budget = backend === 'wasm' ? 1.5 * 2 ** 30 : backend === 'cpu' ? 6 * 2 ** 30 : Infinity;
  const perRow = trainingMemory(c, 1, context).activations;
  // A GPU binds each tensor whole: the largest one of a pass — the logits [rows·T, V], or the stock
  // attention's scores [rows, H, T, T] — must fit the adapter's storage binding limit.
  const largestPerRow = 4 * context * Math.max(c.vocabSize, c.heads * context);
  const rows = Math.min(Math.floor(budget / perRow), Math.floor(maxBindingBytes / largestPerRow));
  if (rows >= batch) return 0;
  // as few micro-batches as fit, of equal size where the batch allows (64 → 32 + 32, not 43 + 21):
  // the same passes, and one matmul shape for autotuning instead of two
  const parts = Math.ceil(batch / Math.max(1, rows));
  return Math.ceil(batch / parts);
}

/** wasm32 heap the tfjs wasm build can grow to (measured: a 2.2 GiB training step aborts). */
const WASM_HEAP = 2 * 2 ** 30;

/**
 * Backends `auto` should pass over for this config, with the reason: wasm when one training row of
 * the model (weights, grads, accumulated grads, AdamW m and v, activations) cannot fit its heap.
 */
export function backendVetoes(cfg: Config): Record<string, string> {
  const c = resolveGptConfig({ ...cfg, vocabSize: cfg.vocabSize || 256 });
  const m = trainingMemory(c, 1, cfg.context);
  const need = m.total + m.grads; // + the accumulation buffer of micro-batching
  if (need <= WASM_HEAP * 0.9) return {};
  return { wasm: `this model needs ≈${(need / 2 ** 30).toFixed(1)} GiB to train, more than wasm's ${WASM_HEAP / 2 ** 30} GiB heap` };
}

/** 42 → "42 s", 4000 → "1.1 h", 400000 → "4.6 days". */
function hours(s: number): string {
  if (s < 120) return `${s.toFixed(0)} s`;
  if (s < 7200) return `${(s / 60).toFixed(0)} min`;
  if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} days`;
}
