import { Box, Text } from 'ink';
import type { DataProgressEvent } from '../../core/events.ts';
import { fmtDuration, fmtInt } from '../formatEvent.ts';
import { ProgressBar } from './ProgressBar.tsx';

export interface DataPreparationProps {
  /** The latest live data/progress event. */
  readonly progress: DataProgressEvent;
  readonly width: number;
}

/** The corpus being prepared, before the run's first step: a bar over its bytes, rows, MB, rows/s, MB/s, ETA, workers. */
export function DataPreparation({ progress: e, width }: DataPreparationProps) {
  const frac = e.totalBytes > 0 ? Math.min(1, Math.max(0, e.bytes / e.totalBytes)) : 0;
  const counter = ` ${(e.bytes / 1e6).toFixed(1)}/${(e.totalBytes / 1e6).toFixed(1)} MB (${(frac * 100).toFixed(1)}%)`;
  return (
    <Box flexDirection="column">
      <ProgressBar frac={frac} counter={counter} width={width} color="cyan" />
      <Text>
        {`${e.phase === 'vocab' ? 'reading the vocabulary' : 'tokenizing'}: ${fmtInt(e.rows)} rows` +
          (e.tokens > 0 ? ` · ${fmtInt(e.tokens)} tokens` : '') +
          ` · ${fmtInt(Math.round(e.rowsPerSec))} rows/s · ${e.mbPerSec.toFixed(1)} MB/s · ETA ${fmtDuration(e.etaS)}` +
          ` · ${e.workers > 1 ? `${e.workers} workers` : '1 thread'}`}
      </Text>
    </Box>
  );
}
