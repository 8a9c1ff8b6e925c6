import { configToSnake } from '../../core/config/normalizeConfig.ts';
import type { Config } from '../../core/config/schema.ts';
import type { RunEndEvent, RunStartEvent } from '../../core/events.ts';
import type { StepState } from '../../core/stepState.ts';
import type { BackendReport } from '../../model/backend/setupBackend.ts';
import { kernelsInUse } from '../../model/kernels/select.ts';
import type { PreparedData } from '../data/prepareData.ts';
import { mixtureShares } from './mixtureReport.ts';

export interface RunStartFacts {
  readonly config: Config;
  readonly vocabSize: number;
  readonly params: number;
  readonly backend: BackendReport;
  readonly data: PreparedData;
  readonly startStep: number;
  readonly totalSteps: number;
  readonly resumedFrom: string | null;
  /** WebGPU kernels autotuning kept (empty elsewhere). */
  readonly tuned: NonNullable<RunStartEvent['kernels']>['tuned'];
  readonly time: number;
}

/** The first event of a run: what it trains, on what, with which data and backend. */
export function runStartEvent(f: RunStartFacts): RunStartEvent {
  return {
    type: 'run/start',
    step: f.startStep,
    time: f.time,
    name: f.config.name,
    config: { ...configToSnake(f.config), vocab_size: f.vocabSize },
    params: f.params,
    backend: f.backend.name,
    device: f.backend.device,
    data: f.config.data,
    totalSteps: f.totalSteps,
    trainTokens: f.data.trainTokens,
    valTokens: f.data.valTokens,
    vocabSize: f.vocabSize,
    ...(f.resumedFrom ? { resumedFrom: f.resumedFrom } : {}),
    tokenCache: { hit: f.data.cache.hit, path: f.data.cache.path },
    ...(f.data.filters ? { filters: f.data.filters } : {}),
    ...(f.data.sources ? { mixture: mixtureShares(f.data.sources, f.config.seed, f.totalSteps * f.config.batchSize) } : {}),
    ...(f.backend.name === 'webgpu' ? { kernels: { inUse: [...kernelsInUse()], tuned: f.tuned } } : {}),
  };
}

/** The last event of a run that ended without an error: completed, or stopped before total_steps. */
export function runEndEvent(last: StepState | null, o: { startStep: number; totalSteps: number; stopped: boolean; elapsedS: number; time: number; mixture?: RunEndEvent['mixture'] }): RunEndEvent {
  const ckpt = last?.events.find((e) => e.type === 'checkpoint');
  return {
    type: 'run/end',
    step: last?.step ?? o.startStep,
    time: o.time,
    reason: o.stopped && (last?.step ?? 0) < o.totalSteps ? 'stopped' : 'completed',
    elapsedS: o.elapsedS,
    ...(last?.loss !== undefined ? { finalLoss: last.loss } : {}),
    ...(last?.valLoss !== undefined && Number.isFinite(last.valLoss) ? { finalValLoss: last.valLoss } : {}),
    ...(ckpt?.type === 'checkpoint' ? { checkpoint: ckpt.path } : {}),
    ...(o.mixture ? { mixture: o.mixture } : {}),
  };
}

/** The last event of a failed run, so sinks and remote monitors learn how it ended. */
export function runErrorEvent(last: StepState | null, e: unknown, o: { startStep: number; elapsedS: number; time: number }): RunEndEvent {
  return { type: 'run/end', step: last?.step ?? o.startStep, time: o.time, reason: 'error', elapsedS: o.elapsedS, message: (e as Error)?.message ?? String(e) };
}
