import { defer, type Observable } from 'rxjs';
import type { Config } from '../../core/config/schema.ts';
import type { TrainEvent, WarningEvent } from '../../core/events.ts';
import type { BackendReport } from '../../model/backend/setupBackend.ts';
import { stackExamples } from '../../model/nn/batch.ts';
import type { Weights } from '../../model/nn/gpt.ts';
import type { GptConfig } from '../../core/config/gptConfig.ts';
import { measureThroughput } from '../../model/nn/throughput.ts';
import type { PreparedData } from '../data/prepareData.ts';
import { SentencePieceBpeTokenizer } from '../../model/tokenizer/sentencePieceBpeTokenizer.ts';

export interface StartupFacts {
  /** Messages from earlier steps (resume), said first. */
  readonly extra?: readonly string[];
  readonly config: Pick<Config, 'batchSize' | 'microBatch' | 'backend' | 'data'>;
  readonly backend: BackendReport;
  readonly data: PreparedData;
  /** The tokenizer.json a BPE was trained into at start, if one was. */
  readonly trainedTokenizer?: string;
  readonly microBatch: number;
  /** On a CPU backend: blocks recomputed in the backward, of the model's layers (planCpuStep). */
  readonly recompute?: { readonly blocks: number; readonly layers: number };
  readonly validationBatches: number;
  readonly step: number;
  readonly time: number;
}

/** What a user should know before step 1: cache rebuilds, a trained tokenizer, micro-batching, no validation, skipped backends. */
export function startupWarnings(f: StartupFacts): WarningEvent[] {
  const messages: string[] = [...(f.extra ?? []), ...f.data.cache.warnings];
  const cfg = f.config;
  if (f.trainedTokenizer) messages.push(`trained a ${f.data.tokenizer.vocabSize}-token ${f.data.tokenizer instanceof SentencePieceBpeTokenizer ? 'SentencePiece-style' : 'byte-level'} BPE tokenizer on ${cfg.data} → ${f.trainedTokenizer}`);
  if (f.microBatch > 0 && f.microBatch < cfg.batchSize && !cfg.microBatch)
    messages.push(
      `batch ${cfg.batchSize} does not fit the ${f.backend.name} backend's memory at once: accumulating gradients over micro-batches of ${f.microBatch}` +
        (f.recompute ? `, ${Math.min(f.recompute.blocks, f.recompute.layers)} of ${f.recompute.layers} blocks recomputed in the backward (the fastest split that fits)` : ''),
    );
  if (f.validationBatches === 0) messages.push('no validation data (val_fraction is 0 or the corpus is too small): eval is skipped');
  for (const s of f.backend.skipped) if (cfg.backend === 'auto' && s.name !== 'tensorflow' && s.name !== 'webgpu') messages.push(`backend ${s.name} skipped: ${s.reason}`);
  return messages.map((message) => ({ type: 'warning', step: f.step, time: f.time, message }));
}

export interface SpeedProbeOptions {
  readonly weights: Weights;
  readonly gpt: GptConfig;
  readonly params: number;
  readonly backend: string;
  readonly config: Pick<Config, 'context' | 'batchSize'>;
  readonly data: PreparedData;
  readonly steps: number;
  readonly step: number;
  readonly now: () => number;
}

/**
 * A first step can take hours on a CPU backend: for a model over 20M parameters on wasm or cpu, time
 * a short slice of one row (forward + backward, no update) and warn with tokens/s and an ETA before
 * it starts. Cold: runs when subscribed (after run/start has been seen); emits nothing otherwise.
 */
export function cpuSpeedProbe(o: SpeedProbeOptions): Observable<TrainEvent> {
  return defer(async function* () {
    if (!((o.backend === 'wasm' || o.backend === 'cpu') && o.params > 20e6)) return;
    const { context, batchSize } = o.config;
    const probeT = Math.min(context, 16);
    const row = o.data.train.at(0);
    const probe = stackExamples([{ ids: row.ids.subarray(0, probeT + 1), mask: row.mask.subarray(0, probeT) }]);
    const tokPerSec = await measureThroughput(o.weights, o.gpt, probe);
    const stepS = (batchSize * context) / tokPerSec;
    const message =
      `${(o.params / 1e6).toFixed(1)}M parameters on the ${o.backend} backend (CPU): measured ${tokPerSec.toPrecision(2)} tokens/s ` +
      `(${probeT} tokens, forward + backward), so about ${duration(stepS)} per step of ${batchSize}×${context} tokens and ` +
      `${duration(stepS * o.steps)} for ${o.steps} steps. Training anyway; use a GPU backend (--backend webgpu or tensorflow) for real runs.`;
    yield { type: 'warning', step: o.step, time: o.now(), message } satisfies WarningEvent;
  });
}

/** 42 → "42 s", 4000 → "67 min", 40000 → "11.1 h", 400000 → "4.6 days". */
export function duration(s: number): string {
  if (s < 120) return `${s.toFixed(0)} s`;
  if (s < 7200) return `${(s / 60).toFixed(0)} min`;
  if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} days`;
}
