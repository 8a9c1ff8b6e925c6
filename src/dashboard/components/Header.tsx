import { Box, Text } from 'ink';
import type { RunStartEvent } from '../../core/events.ts';
import { fmtCompact } from '../fmtCompact.ts';

/** Run identity from `run/start`: name, size, vocab, backend and device, data source. */
export function Header({ run }: { readonly run: RunStartEvent | null }) {
  if (run === null) return <Text dimColor>versiflow · waiting for run/start…</Text>;
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold color="cyan">versiflow · {run.name}</Text>
        {` · ${fmtCompact(run.params)} params · vocab ${run.vocabSize} · ${run.backend} (${run.device})`}
      </Text>
      <Text dimColor>
        {`data ${run.data} · ${fmtCompact(run.trainTokens)} train / ${fmtCompact(run.valTokens)} val tokens`}
        {run.resumedFrom ? ` · resumed from ${run.resumedFrom}` : ''}
      </Text>
    </Box>
  );
}
