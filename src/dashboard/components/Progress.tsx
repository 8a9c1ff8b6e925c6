import { Box, Text } from 'ink';
import type { TrainStepEvent } from '../../core/events.ts';
import { fmtDuration, fmtInt } from '../formatEvent.ts';
import { ProgressBar } from './ProgressBar.tsx';
import { fmtCompact } from '../fmtCompact.ts';

export interface ProgressProps {
  readonly last: TrainStepEvent | null;
  readonly tokPerSecEma: number | null;
  /** webgpu: latest sampled GPU busy share, or null. */
  readonly gpuBusy?: number | null;
  readonly width: number;
}

/** Progress bar and the live figures of the latest `train/step`. */
export function Progress({ last, tokPerSecEma, gpuBusy, width }: ProgressProps) {
  if (last === null) return <Text dimColor>no training step yet</Text>;
  const total = Math.max(1, last.totalSteps);
  const frac = Math.min(1, Math.max(0, last.step / total));
  const counter = ` ${last.step}/${last.totalSteps} (${(frac * 100).toFixed(1)}%)`;
  return (
    <Box flexDirection="column">
      <ProgressBar frac={frac} counter={counter} width={width} />
      <Text>
        {`epoch ${last.epoch.toFixed(2)} · elapsed ${fmtDuration(last.elapsedS)} · ETA ${fmtDuration(last.etaS)} · ` +
          `${fmtInt(tokPerSecEma ?? last.tokPerSec)} tok/s · ${last.ms.toFixed(0)} ms/step` +
          (last.gpuBytes !== undefined && last.hostMs !== undefined ? ` (host ${last.hostMs.toFixed(0)} ms${gpuBusy != null ? `, GPU ${(100 * gpuBusy).toFixed(0)}%` : ''})` : '')}
      </Text>
      <Text>
        {`loss ${last.loss.toFixed(4)} · lr ${last.lr.toExponential(2)} · grad norm ${last.gradNorm.toFixed(2)} · ` +
          `mem ${fmtCompact(last.memBytes, 'B')} in ${fmtInt(last.numTensors)} tensors` +
          (last.gpuBytes !== undefined ? ` · GPU pool ${fmtCompact(last.gpuBytes, 'B')}` : '')}
      </Text>
    </Box>
  );
}
