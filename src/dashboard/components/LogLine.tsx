import { Box, Text } from 'ink';
import type { LogEntry } from '../dashboardReducer.ts';
import { formatEvent } from '../formatEvent.ts';

/** One line of the append-only log; samples as a wrapped block. */
export function LogLine({ entry }: { readonly entry: LogEntry }) {
  const e = entry.event;
  if (e.type === 'sample') {
    return (
      <Box flexDirection="column" marginY={0}>
        <Text color="magenta">{`sample @ step ${e.step}`}</Text>
        <Text wrap="wrap">
          <Text dimColor>{e.prompt}</Text>
          {e.text}
        </Text>
      </Box>
    );
  }
  const color = e.type === 'warning' ? 'yellow' : e.type === 'checkpoint' ? 'blue' : e.type === 'run/end' ? 'cyan' : undefined;
  return <Text color={color}>{formatEvent(e)}</Text>;
}
