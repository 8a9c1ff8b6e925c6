import type { MixtureShare, TrainEvent } from '../core/events.ts';

/** `ru 74.0% (w 3), en 26.0% (w 1)`: each mixture source's share of the rows, and its weight. */
const formatShares = (m: readonly MixtureShare[]): string => m.map((s) => `${s.name} ${(100 * s.share).toFixed(1)}% (w ${s.weight})`).join(', ');

/** One plain line per event (no escape codes); null for events a plain log skips. */
export function formatEvent(e: TrainEvent): string | null {
  switch (e.type) {
    case 'run/start':
      return [
        `run ${e.name}: ${fmtInt(e.params)} parameters, vocab ${e.vocabSize}, backend ${e.backend} (${e.device})`,
        `data ${e.data}: ${fmtInt(e.trainTokens)} train / ${fmtInt(e.valTokens)} val tokens, ${fmtInt(e.totalSteps)} steps` +
          (e.resumedFrom ? `, resumed from ${e.resumedFrom} at step ${e.step}` : '') +
          (e.tokenCache?.path ? ` (token cache ${e.tokenCache.hit ? 'hit' : 'written'}: ${e.tokenCache.path})` : ''),
        ...(e.filters?.length ? [`filters: ${e.filters.map((f) => `${f.filter} dropped ${fmtInt(f.dropped)}${f.changed ? ` (changed ${fmtInt(f.changed)})` : ''} of ${fmtInt(f.seen)}`).join('; ')}`] : []),
        ...(e.mixture ? [`mixture: ${formatShares(e.mixture)} of ${fmtInt(e.mixture.reduce((n, m) => n + m.rows, 0))} rows`] : []),
        ...(e.kernels
          ? [
              `fused kernels: ${e.kernels.inUse.join(', ') || 'none'}` +
                e.kernels.tuned.map((t) => `; ${t.kernel} ${t.chosen} (${t.error ? `fused failed: ${t.error}` : `fused ${t.fusedMs.toFixed(1)} ms`}, stock ${t.stockMs.toFixed(1)} ms${t.note ? `; ${t.note}` : ''})`).join(''),
            ]
          : []),
      ].join('\n');
    case 'train/step':
      return (
        `step ${e.step}/${e.totalSteps} | epoch ${e.epoch.toFixed(2)} | loss ${e.loss.toFixed(4)} | lr ${e.lr.toExponential(2)} | ` +
        `${fmtInt(Math.round(e.tokPerSec))} tok/s | ${e.ms.toFixed(0)} ms/step${e.gpuBytes !== undefined && e.hostMs !== undefined ? ` (host ${e.hostMs.toFixed(0)} ms${e.gpuBusy !== undefined ? `, GPU busy ${(100 * e.gpuBusy).toFixed(0)}%` : ''})` : ''} | ETA ${fmtDuration(e.etaS)}`
      );
    case 'eval':
      return (
        `eval step ${e.step} | val loss ${e.valLoss.toFixed(4)} | ppl ${e.ppl.toFixed(2)} | best ${e.bestValLoss.toFixed(4)}` +
        Object.entries(e.valLossBySource ?? {})
          .map(([k, v]) => ` | ${k} ${fmtNum(v, 4)}`)
          .join('')
      );
    case 'eval/watermark':
      return `watermark eval step ${e.step} | AUC ${e.auc.toFixed(3)} | F1 ${e.f1.toFixed(3)} | mean z generated ${e.meanZGenerated.toFixed(2)} / real ${e.meanZReal.toFixed(2)}`;
    case 'pref/step':
      return (
        `${e.task} step ${e.step}/${e.totalSteps} | loss ${e.loss.toFixed(4)} | margin ${fmtNum(e.margin, 3)} (chosen ${fmtNum(e.rewardsChosen, 3)}, rejected ${fmtNum(e.rewardsRejected, 3)}) | ` +
        `log-ratio ${e.logRatio.toFixed(3)}/token${e.z !== undefined ? ` | z ${e.z.toFixed(3)}` : ''}${e.zRef !== undefined ? ` | z_ref ${e.zRef.toFixed(3)}` : ''}${e.kl !== undefined ? ` | kl ${e.kl.toFixed(3)}` : ''}` +
        `${e.accuracy !== undefined ? ` | acc ${e.accuracy.toFixed(2)}` : ''} | lr ${e.lr.toExponential(2)} | ${e.ms.toFixed(0)} ms/step | ETA ${fmtDuration(e.etaS)}`
      );
    case 'eval/pref':
      return (
        `pref eval step ${e.step} | accuracy ${fmtNum(e.accuracy, 3)} on ${e.pairs} pairs | margin ${fmtNum(e.margin, 3)} | log-ratio ${fmtNum(e.logRatio, 3)}/token` +
        (e.quality
          ? ` | quality ${e.quality.score.toFixed(3)} (loops ${fmtNum(e.quality.loopRate, 2)}, repeated 4-grams ${fmtNum(e.quality.repeated4gramRate, 2)}, completed ${fmtNum(e.quality.completionRate, 2)}; best ${fmtNum(e.bestQuality ?? null, 3)})`
          : '')
      );
    case 'checkpoint':
      return `checkpoint step ${e.step} → ${e.path} (${(e.bytes / 1e6).toFixed(1)} MB)`;
    case 'sample':
      return `sample at step ${e.step}:\n${e.prompt}${e.text}\n---`;
    case 'warning':
      return `warning: ${e.message}`;
    case 'data/progress':
      return (
        `${e.phase === 'vocab' ? 'reading the vocabulary' : 'tokenizing'}${e.done ? ' done' : ''}: ${fmtInt(e.rows)} rows, ${(e.bytes / 1e6).toFixed(1)}/${(e.totalBytes / 1e6).toFixed(1)} MB` +
        (e.tokens > 0 ? `, ${fmtInt(e.tokens)} tokens` : '') +
        ` | ${fmtInt(Math.round(e.rowsPerSec))} rows/s | ${e.mbPerSec.toFixed(1)} MB/s` +
        (e.workers > 1 ? ` | ${e.workers} workers` : '') +
        (e.done ? ` | ${fmtDuration(e.elapsedS)}` : ` | ETA ${fmtDuration(e.etaS)}`)
      );
    case 'run/end':
      return (
        `run ${e.reason} at step ${e.step} after ${fmtDuration(e.elapsedS)}` +
        (e.finalValLoss !== undefined ? ` | final val loss ${e.finalValLoss.toFixed(4)}` : '') +
        (e.checkpoint ? ` | checkpoint ${e.checkpoint}` : '') +
        (e.mixture ? ` | drawn ${formatShares(e.mixture)}` : '') +
        (e.message ? ` | ${e.message}` : '')
      );
  }
}

/** A figure with `digits` decimals; "–" for null or NaN. */
export function fmtNum(n: number | null, digits: number): string {
  return n === null || !Number.isFinite(n) ? '–' : n.toFixed(digits);
}

export function fmtInt(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 3725 → "1h02m05s"; 65 → "1m05s"; non-finite → "?". */
export function fmtDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  const pad = (n: number) => n.toString().padStart(2, '0');
  if (h > 0) return `${h}h${pad(m)}m${pad(sec)}s`;
  if (m > 0) return `${m}m${pad(sec)}s`;
  return `${sec}s`;
}
