import { resolve } from 'node:path';
import { catchError, concat, concatMap, defer, finalize, from, identity, type Observable, of, pipe, tap, throwError } from 'rxjs';
import type { Config } from '../../core/config/schema.ts';
import type { RunControls } from '../../core/controls.ts';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import type { DataProgressEvent, TrainEvent } from '../../core/events.ts';
import type { StepState } from '../../core/stepState.ts';
import type { BackendReport } from '../../model/backend/setupBackend.ts';
import { TRIM_MULTIPLE } from '../../model/nn/batch.ts';
import { evaluateLoss } from '../../model/nn/evaluate.ts';
import { countParams, resolveGptConfig } from '../../model/nn/gptConfig.ts';
import { recomputeLayers } from '../../model/nn/gpt.ts';
import { tuneForRun } from '../../model/tuners/tuneForRun.ts';
import { cutRunLogs, cutRunLogsMessage } from '../../dashboard/cutRunLogs.ts';
import { checkpointEvery } from '../../operators/checkpointEvery.ts';
import { sampleEvery } from '../../operators/sampleEvery.ts';
import { trainStep } from '../../operators/trainStep.ts';
import { validateEvery } from '../../operators/validateEvery.ts';
import { watermarkEvalEvery } from '../../operators/watermarkEvalEvery.ts';
import { batchSchedule } from '../../streams/sources/batchSchedule.ts';
import { mixtureSchedule } from '../../streams/sources/mixtureSchedule.ts';
import { mixtureShares } from './mixtureReport.ts';
import { pullThrough } from '../../streams/sources/pullThrough.ts';
import { prepareChatData, dialogueReport } from '../data/prepareChatData.ts';
import { prepareData } from '../data/prepareData.ts';
import { runValidation } from './sourceValidation.ts';
import { checkpointWriter } from './checkpointWriter.ts';
import { planCpuStep } from './cpuStep.ts';
import { readResume, resumeWarnings, runTokenizer } from './resume.ts';
import { openDecayTail } from './decayTail.ts';
import { corpusDigest } from '../data/corpusDigest.ts';
import { earlyStopping } from '../../operators/earlyStopping.ts';
import { assignInitWeights, initFromReport, readInitFrom } from './initFrom.ts';
import { createRunControls } from './runControls.ts';
import { runEndEvent, runErrorEvent, runStartEvent } from './runEvents.ts';
import { scheduleOf, totalStepsOf } from './runPlan.ts';
import { sampler } from './sampler.ts';
import { cpuSpeedProbe, startupWarnings } from './startupWarnings.ts';
import { trainingModel } from './trainingModel.ts';
import { watermarkEvaluator } from './watermarkEvaluator.ts';

export interface TrainRun {
  /** Cold: subscribing starts training; share it between sinks. */
  readonly events$: Observable<TrainEvent>;
  readonly controls: RunControls;
  readonly runDir: string;
  readonly config: Config;
  readonly params: number;
  /** Steps already trained: the resumed checkpoint's step, 0 for a fresh run. */
  readonly startStep: number;
}

/** runs/<name> unless `out` is set. */
export const runDirOf = (cfg: Pick<Config, 'out' | 'name'>): string => resolve(cfg.out || `runs/${cfg.name}`);

/**
 * `versiflow train`'s composition root. Before the first step: resume state, tokenizer, data, model,
 * plan (steps, schedule, micro-batches), WebGPU autotuning, validation set, controls. Then one cold
 * observable framed by run/start (+ warnings) and run/end:
 *   batchSchedule ─ trainStep ─ validateEvery ─ sampleEvery ─ watermarkEvalEvery ─ checkpointEvery ─ events
 */
export interface TrainRunHooks {
  /** data/progress events while the corpus is read and tokenized, before run/start (the CLI prints them). */
  readonly onDataProgress?: (e: DataProgressEvent) => void;
}

export async function createTrainRun(cfg: Config, backend: BackendReport, now: () => number = Date.now, hooks: TrainRunHooks = {}): Promise<TrainRun> {
  const tail = cfg.decayFrom ? await openDecayTail(cfg) : null; // WSD decay-only tail: the stable checkpoint's state, its own run dir
  const runDir = tail?.runDir ?? runDirOf(cfg);
  const resume = tail?.resume ?? (await readResume(cfg, runDir));
  const init = await readInitFrom(cfg); // init_from: the checkpoint's architecture, tokenizer (+ chat tokens for sft) and weights
  if (init) cfg = init.config;
  // the preparation's summaries (done) follow run/start, so every sink sees what it cost
  const prepared: DataProgressEvent[] = [];
  const onProgress = (e: DataProgressEvent) => (e.done && prepared.push(e), hooks.onDataProgress?.(e));
  if (cfg.dataSources && cfg.groupByLength) throw new ConfigError('group_by_length does not work with a mixture (data: as a list) yet; set group_by_length: 0');
  const { tokenizer, trained } = init ? { tokenizer: init.tokenizer, trained: undefined } : await runTokenizer(cfg, resume, { onProgress });
  const data = cfg.task === 'sft' ? await prepareChatData(cfg, tokenizer) : await prepareData(cfg, tokenizer, { onProgress });
  const corpusFingerprint = await corpusDigest(cfg);
  const vocabSize = cfg.vocabSize || tokenizer.vocabSize;
  if (vocabSize < tokenizer.vocabSize) throw new ConfigError(`vocab_size ${vocabSize} is smaller than the tokenizer's ${tokenizer.vocabSize} tokens`);
  const gpt = resolveGptConfig({ ...cfg, vocabSize });
  const params = countParams(gpt);
  const totalSteps = tail?.totalSteps ?? totalStepsOf(cfg, data.train.length);
  const { microBatch, recompute } = planCpuStep(gpt, cfg.batchSize, cfg.context, cfg.microBatch, backend.name, backend.maxBindingBytes);
  recomputeLayers(recompute); // on wasm/cpu as few as fit: each costs a second forward of its block
  const model = trainingModel(gpt, cfg, tokenizer, totalSteps, resume);
  if (init) assignInitWeights(model, init);
  const { weights, optimizer, startStep } = model;
  // webgpu, kernels: auto: keep each tunable fused kernel only where it beats the stock ops here
  const tuned = backend.name === 'webgpu' ? await tuneForRun(weights, gpt, Math.min(cfg.batchSize, microBatch || cfg.batchSize)) : [];
  const validation = runValidation(data, cfg, (batches) => evaluateLoss(weights, gpt, batches, microBatch));
  const watermarkEval = await watermarkEvaluator(weights, gpt, tokenizer, cfg).catch((e: unknown) => (model.dispose(), Promise.reject(e)));
  const run = createRunControls();
  // history.csv and metrics.jsonl: lines past the step this run starts at go aside (one trajectory per file)
  let logsCut: string | null;
  try {
    logsCut = cutRunLogsMessage(cutRunLogs(runDir, { step: startStep, fresh: !resume || !!tail, time: now() }), { step: startStep, fresh: !resume || !!tail });
  } catch (e) {
    model.dispose();
    throw e;
  }

  const time = now();
  const start = runStartEvent({ config: cfg, vocabSize, params, backend, data, startStep, totalSteps, resumedFrom: resume?.dir ?? null, tuned, time });
  const warnings = startupWarnings({ extra: [...resumeWarnings(resume, corpusFingerprint), ...(logsCut ? [logsCut] : []), ...(init ? [initFromReport(init)] : []), ...dialogueReport(cfg, data)], config: cfg, backend, data, trainedTokenizer: trained, microBatch, recompute: backend.name === 'wasm' || backend.name === 'cpu' ? { blocks: recompute, layers: gpt.layers } : undefined, validationBatches: validation.batches, step: startStep, time });
  const probe$ = cpuSpeedProbe({ weights, gpt, params, backend: backend.name, config: cfg, data, steps: totalSteps - startStep, step: startStep, now });

  const trimTo = cfg.trimPadding ? TRIM_MULTIPLE : 0;
  const scheduleOpts = { batchSize: cfg.batchSize, seed: cfg.seed, startStep, totalSteps, shouldStop: run.stopRequested, shouldEnd: run.halted, trimTo, groupByLength: cfg.groupByLength };
  const steps$ = pullThrough(
    data.sources ? mixtureSchedule(data.sources.map((s) => ({ name: s.name, weight: s.weight, examples: s.train })), scheduleOpts) : batchSchedule(data.train, scheduleOpts),
    pipe(
      trainStep({ weights, config: gpt, optimizer, schedule: tail?.schedule ?? scheduleOf(cfg, totalSteps), totalSteps, logEvery: cfg.logEvery, seed: cfg.seed, now, logFirst: true, microBatch, guard: { maxBadSteps: cfg.maxBadSteps, spikeFactor: cfg.lossSpikeFactor } }),
      validateEvery(cfg.evalEvery, validation.evaluate, now, model.bestValLoss ?? Infinity),
      earlyStopping(validation.batches ? cfg.earlyStopPatience : 0, run.halt, model.bestValLoss ?? Infinity, now),
      cfg.sampleTokens > 0 ? sampleEvery(cfg.evalEvery, sampler(weights, gpt, tokenizer, cfg), { now, requested: run.takeSampleRequest }) : identity,
      watermarkEval ? watermarkEvalEvery(cfg.watermarkEvalEvery, watermarkEval, now) : identity,
      checkpointEvery(
        cfg.checkpointEvery,
        checkpointWriter({ runDir, config: cfg, vocabSize, params, trainExamples: data.train.length, weights, optimizer, tokenizer, bestValLoss: model.bestValLoss, corpusFingerprint, now }),
        { now, onlyOnImprovement: !cfg.alwaysSaveCheckpoint, initialBest: model.bestValLoss ?? Infinity },
      ),
    ),
    { gate: run.gate },
  );

  let last: StepState | null = null;
  const t0 = performance.now();
  const elapsedS = () => (performance.now() - t0) / 1000;
  const events$ = concat(
    from([start, ...prepared, ...warnings]),
    probe$,
    steps$.pipe(
      tap((s) => (last = s)),
      concatMap((s) => s.events),
    ),
    defer(() => of(runEndEvent(last, { startStep, totalSteps, stopped: run.stopRequested() || run.halted(), elapsedS: elapsedS(), time: now(), mixture: data.sources && mixtureShares(data.sources, cfg.seed, (last?.step ?? startStep) * cfg.batchSize) }))),
  ).pipe(
    catchError((e: unknown) => concat(of(runErrorEvent(last, e, { startStep, elapsedS: elapsedS(), time: now() })), throwError(() => e))),
    finalize(() => {
      model.dispose();
      data.close();
    }),
  );
  return { events$, controls: run.controls, runDir, config: cfg, params, startStep };
}
