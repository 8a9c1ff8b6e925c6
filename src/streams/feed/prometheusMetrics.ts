import type { FeedState } from './feedState.ts';

/** Feed counters shown next to the run's gauges. */
export interface FeedCounters {
  readonly clients: number;
  readonly dropped: number;
}

/**
 * The run's latest figures in Prometheus text exposition format 0.0.4, for `GET /metrics`. Every metric
 * has its HELP and TYPE lines; a gauge with no value yet (no eval before the first one) has no sample
 * line, which Prometheus reads as absent rather than as a misleading 0. Samples carry a `run` label
 * once run/start has been seen.
 */
export function prometheusMetrics(s: FeedState, feed: FeedCounters): string {
  const label = s.run ? `{run="${escapeLabel(s.run.name)}"}` : '';
  const out: string[] = [];
  const metric = (name: string, type: 'gauge' | 'counter', help: string, value: number | undefined) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    if (value !== undefined) out.push(`${name}${label} ${formatValue(value)}`);
  };
  metric('versiflow_step', 'gauge', 'Latest training step seen.', s.step);
  metric('versiflow_loss', 'gauge', 'Training loss at the latest logged step.', s.lastStep?.loss);
  metric('versiflow_val_loss', 'gauge', 'Validation loss at the latest eval.', s.lastEval?.valLoss);
  // a mixture: one sample per source, labelled by its name (1gpu-llm's val_loss_en, val_loss_it)
  out.push('# HELP versiflow_val_loss_source Validation loss of one mixture source at the latest eval.', '# TYPE versiflow_val_loss_source gauge');
  for (const [source, v] of Object.entries(s.lastEval?.valLossBySource ?? {})) out.push(`versiflow_val_loss_source{${s.run ? `run="${escapeLabel(s.run.name)}",` : ''}source="${escapeLabel(source)}"} ${formatValue(v)}`);
  metric('versiflow_watermark_auc', 'gauge', 'ROC AUC of watermarked generations vs held-out texts at the latest watermark evaluation.', s.lastWatermarkEval?.auc);
  metric('versiflow_watermark_f1', 'gauge', 'F1 of the watermark detector at the latest watermark evaluation.', s.lastWatermarkEval?.f1);
  metric('versiflow_watermark_mean_z_generated', 'gauge', 'Mean detector z of the watermarked generations at the latest watermark evaluation.', s.lastWatermarkEval?.meanZGenerated);
  metric('versiflow_watermark_mean_z_real', 'gauge', 'Mean detector z of the held-out texts at the latest watermark evaluation.', s.lastWatermarkEval?.meanZReal);
  metric('versiflow_pref_loss', 'gauge', 'Preference runs (kto, dpo): loss at the latest pref/step.', s.lastPref?.loss);
  metric('versiflow_pref_margin', 'gauge', 'Preference runs: rewards margin (β · chosen − rejected log-ratio) at the latest pref/step.', s.lastPref?.margin);
  metric('versiflow_pref_log_ratio', 'gauge', 'Preference runs: mean per-token log π − log π_ref at the latest pref/step (the drift guard watches it).', s.lastPref?.logRatio);
  metric('versiflow_pref_z_ref', 'gauge', 'KTO ema: z_ref after the latest pref/step.', s.lastPref?.zRef);
  metric('versiflow_pref_kl', 'gauge', 'KTO batch_kl: the batch KL estimate at the latest pref/step.', s.lastPref?.kl);
  metric('versiflow_pref_val_accuracy', 'gauge', 'Preference runs: share of held-out pairs preferred the right way at the latest eval/pref.', s.lastPrefEval?.accuracy);
  metric('versiflow_pref_quality', 'gauge', 'Preference runs: generation-quality score (completion − loop − repeated 4-gram rates) at the latest eval/pref.', s.lastPrefEval?.quality?.score);
  metric('versiflow_lr', 'gauge', 'Learning rate at the latest logged step.', s.lastStep?.lr);
  metric('versiflow_tokens_per_second', 'gauge', 'Training throughput in tokens per second at the latest logged step.', s.lastStep?.tokPerSec);
  metric('versiflow_memory_bytes', 'gauge', 'Bytes held by the tensor backend (tf.memory().numBytes).', s.lastStep?.memBytes);
  metric('versiflow_host_ms_per_step', 'gauge', 'JavaScript milliseconds per step spent issuing work (near ms/step: dispatch-bound).', s.lastStep?.hostMs);
  metric('versiflow_gpu_busy_ratio', 'gauge', 'webgpu: share of a step the GPU spends in kernels (sampled every 10th log).', s.lastGpuBusy);
  metric('versiflow_gpu_pool_bytes', 'gauge', 'webgpu: bytes of GPU buffers the backend holds, free ones included.', s.lastStep?.gpuBytes);
  metric('versiflow_feed_clients', 'gauge', 'WebSocket clients connected to the feed.', feed.clients);
  metric('versiflow_feed_dropped_events_total', 'counter', 'Events skipped for slow WebSocket clients.', feed.dropped);
  return `${out.join('\n')}\n`;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
