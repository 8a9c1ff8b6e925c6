import { join } from 'node:path';
import { catchError, concat, concatMap, defer, EMPTY, finalize, from, identity, of, pipe, tap, throwError } from 'rxjs';
import { configToSnake } from '../../core/config/normalizeConfig.ts';
import type { Config } from '../../core/config/schema.ts';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import type { PrefEvalEvent, RunStartEvent, WarningEvent } from '../../core/events.ts';
import type { StepState } from '../../core/stepState.ts';
import type { BackendReport } from '../../model/backend/setupBackend.ts';
import { AdamW } from '../../model/nn/adamw.ts';
import { countParams, paramSpecs } from '../../model/nn/gptConfig.ts';
import { dpoStep, type KtoRow, ktoStep, type PreferencePair } from '../../model/nn/preference/preferenceStep.ts';
import { deriveSeed } from '../../model/nn/rng.ts';
import { checkpointEvery } from '../../operators/checkpointEvery.ts';
import { driftGuard } from '../../operators/driftGuard.ts';
import { prefEvalEvery } from '../../operators/prefEvalEvery.ts';
import { prefStep } from '../../operators/prefStep.ts';
import { saveBestBy } from '../../operators/saveBestBy.ts';
import { prefSchedule } from '../../streams/sources/prefSchedule.ts';
import { pullThrough } from '../../streams/sources/pullThrough.ts';
import { checkpointWriter } from '../train/checkpointWriter.ts';
import { autoMicroBatch, preferenceMemory } from '../train/memoryPlan.ts';
import { recomputeLayers } from '../../model/nn/gpt.ts';
import { createRunControls } from '../train/runControls.ts';
import { runEndEvent, runErrorEvent } from '../train/runEvents.ts';
import { scheduleOf, totalStepsOf } from '../train/runPlan.ts';
import { runDirOf, type TrainRun } from '../train/trainRun.ts';
import { loadPolicyAndReference } from './initFromCheckpoint.ts';
import { preferenceData } from './preferenceData.ts';
import { prefEvaluator } from './prefEvaluator.ts';
import { prefStartWarnings } from './prefStartWarnings.ts';

/**
 * `versiflow train --task kto|dpo`'s composition root. Before the first step: the policy and its
 * frozen reference from init_from, the preference data (held-out pairs, quality prompts), AdamW over
 * the policy only, the plan. Then one cold observable framed by run/start (+ warnings, and an
 * eval/pref of the starting point at step 0) and run/end:
 *   prefSchedule ─ prefStep ─ driftGuard ─ prefEvalEvery ─ checkpointEvery ─ saveBestBy(quality) ─ events
 */
export async function createPrefRun(cfg: Config, backend: BackendReport, now: () => number = Date.now): Promise<TrainRun> {
  const task = cfg.task;
  if (task !== 'kto' && task !== 'dpo') throw new ConfigError(`createPrefRun runs task kto or dpo, not ${task}`);
  if (cfg.resume) throw new ConfigError(`resume is not supported for --task ${task}: start again from init_from (preference runs are short)`);
  if (task === 'kto' && cfg.ktoReferencePoint === 'batch_kl' && cfg.batchSize < 2) {
    throw new ConfigError('kto_reference_point batch_kl mismatches completions inside a step and needs batch_size ≥ 2 (micro_batch can stay 1); or use kto_reference_point ema');
  }
  const runDir = runDirOf(cfg);
  const init = await loadPolicyAndReference(cfg);
  const { gpt, tokenizer, weights: policy, reference } = init;
  let optimizer: AdamW | null = null;
  try {
    const data = await preferenceData(cfg, tokenizer, task);
    const items: readonly (KtoRow | PreferencePair)[] = task === 'kto' ? data.kto : data.dpo;
    const totalSteps = totalStepsOf(cfg, items.length);
    // rows per pass: a DPO pair is two rows
    const microBatch = cfg.microBatch || autoMicroBatch(gpt, task === 'dpo' ? 2 * cfg.batchSize : cfg.batchSize, gpt.context, backend.name, backend.maxBindingBytes);
    recomputeLayers(Infinity); // every block: its plan (preferenceMemory, with the reference model) assumes it
    const decay = new Set(paramSpecs(gpt).filter((s) => s.decay).map((s) => s.name));
    const opt = (optimizer = new AdamW(policy, decay, { beta1: cfg.beta1, beta2: cfg.beta2, eps: cfg.adamEps, weightDecay: cfg.weightDecay, gradClip: cfg.gradClip }));
    const params = countParams(gpt);
    // checkpoints carry the init checkpoint's architecture, so they load like any other
    const runConfig: Config = init.config;
    const pad = tokenizer.padId >= 0 ? tokenizer.padId : 0;
    let zRef = 0; // KTO ema: the reference point, carried from step to step
    const update =
      task === 'kto'
        ? async (rows: readonly (KtoRow | PreferencePair)[], lr: number, step: number) => {
            const r = await ktoStep(policy, reference, gpt, opt, rows as KtoRow[], {
              beta: cfg.prefBeta, lambdaD: cfg.ktoLambdaD, lambdaU: cfg.ktoLambdaU, referencePoint: cfg.ktoReferencePoint, lengthNormalise: cfg.ktoLengthNormalise, zRef,
              lr, seed: deriveSeed(cfg.seed, step), microBatch, pad,
            });
            zRef = r.zRef ?? zRef;
            return r;
          }
        : (rows: readonly (KtoRow | PreferencePair)[], lr: number, step: number) =>
            dpoStep(policy, reference, gpt, opt, rows as PreferencePair[], { beta: cfg.prefBeta, labelSmoothing: cfg.dpoLabelSmoothing, lr, seed: deriveSeed(cfg.seed, step), microBatch: microBatch && Math.max(1, Math.floor(microBatch / 2)), pad });
    const writer = (dir: string, keep: number) =>
      checkpointWriter({ runDir: dir, config: { ...runConfig, keepCheckpoints: keep, keepBest: 0 }, vocabSize: gpt.vocabSize, params, trainExamples: items.length, weights: policy, optimizer: opt, tokenizer, bestValLoss: null, now });
    const bestWriter = writer(join(runDir, 'best'), 1);
    const evaluate = prefEvaluator({
      policy, reference, gpt, tokenizer, val: data.val, qualityPrompts: data.qualityPrompts, qualityTokens: cfg.prefQualityTokens, beta: cfg.prefBeta,
      microBatch: microBatch && Math.max(1, Math.floor(microBatch / 2)), temperature: cfg.temperature, topK: cfg.topK, seed: cfg.seed,
    });
    const qualityOf = (s: StepState): number | null => {
      const e = s.events.find((x) => x.type === 'eval/pref');
      return e?.type === 'eval/pref' && e.quality ? e.quality.score : null;
    };
    const run = createRunControls();
    const memory = preferenceMemory(gpt, microBatch || cfg.batchSize, gpt.context);
    const tokens = items.reduce((n, r) => n + r.prompt.length + ('completion' in r ? r.completion.length : r.chosen.length + r.rejected.length), 0);
    const start: RunStartEvent = {
      type: 'run/start', step: 0, time: now(), name: cfg.name, config: { ...configToSnake(runConfig), vocab_size: gpt.vocabSize }, params, backend: backend.name, device: backend.device,
      data:
        `${cfg.data}: ${data.records} preference rows (${data.valRecords} held out: ${data.val.length} pairs for accuracy, ${data.qualityPrompts.length} quality prompts), ${items.length} training ${task === 'kto' ? 'rows' : 'pairs'}; ` +
        `policy and frozen reference from ${init.dir} (reference +${(memory.reference / 2 ** 20).toFixed(1)} MiB: no gradients, no optimizer state)`,
      totalSteps, trainTokens: tokens, valTokens: 0, vocabSize: gpt.vocabSize,
    };
    const warnings = prefStartWarnings({ config: cfg, task, data }).map((message) => ({ type: 'warning' as const, step: 0, time: now(), message }));

    const steps$ = pullThrough(
      prefSchedule(items, { batchSize: cfg.batchSize, seed: cfg.seed, totalSteps, shouldStop: run.stopRequested }),
      pipe(
        prefStep({ task, update, schedule: scheduleOf(cfg, totalSteps), totalSteps, logEvery: cfg.logEvery, now }),
        driftGuard(cfg.prefDriftBound, now),
        prefEvalEvery(cfg.evalEvery, evaluate, now),
        checkpointEvery(cfg.checkpointEvery, writer(runDir, cfg.keepCheckpoints), { now }),
        // after the regular checkpoint, so run/end names that one
        cfg.prefQualityPrompts > 0 ? saveBestBy(qualityOf, (st) => ((bestSaved = true), bestWriter(st)), now, () => startQuality) : identity,
      ),
      { gate: run.gate },
    );
    let last: StepState | null = null;
    const t0 = performance.now();
    const elapsedS = () => (performance.now() - t0) / 1000;
    // the starting point (policy = reference: margin 0, accuracy 0 as ties are not preferences) and its generation quality, for later evaluations to compare with
    let startQuality = -Infinity; // the starting point's quality score: best/ only takes checkpoints that beat it
    let bestSaved = false;
    const baseline$ = defer(async (): Promise<PrefEvalEvent> => {
      const r = await evaluate();
      startQuality = r.quality?.score ?? -Infinity;
      return { type: 'eval/pref', step: 0, time: now(), ...r };
    });
    // no evaluation beat init_from's generations: say so, the tuned checkpoints are all worse by this measure
    const qualityVerdict$ = defer(() =>
      cfg.prefQualityPrompts > 0 && !bestSaved && Number.isFinite(startQuality)
        ? of<WarningEvent>({
            type: 'warning', step: last?.step ?? 0, time: now(),
            message: `no evaluation beat the starting point's generation quality (${startQuality.toFixed(3)} at step 0), so best/ holds no checkpoint: by this measure ${init.dir} is still the best model; look at the drift warnings, lower lr or raise pref_beta`,
          })
        : EMPTY,
    );
    const events$ = concat(
      from([start, ...warnings]),
      baseline$,
      steps$.pipe(
        tap((s) => (last = s)),
        concatMap((s) => s.events),
      ),
      qualityVerdict$,
      defer(() => of(runEndEvent(last, { startStep: 0, totalSteps, stopped: run.stopRequested(), elapsedS: elapsedS(), time: now() }))),
    ).pipe(
      catchError((e: unknown) => concat(of(runErrorEvent(last, e, { startStep: 0, elapsedS: elapsedS(), time: now() })), throwError(() => e))),
      finalize(() => {
        opt.dispose();
        init.dispose();
      }),
    );
    return { events$, controls: run.controls, runDir, config: runConfig, params, startStep: 0 };
  } catch (e) {
    optimizer?.dispose();
    init.dispose();
    throw e;
  }
}
