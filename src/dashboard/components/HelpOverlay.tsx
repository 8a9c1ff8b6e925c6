import { Box, Text } from 'ink';

/** Key bindings; shown in place of the charts while open. */
export function HelpOverlay({ hasControls }: { readonly hasControls: boolean }) {
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Text bold>keys</Text>
      <Text>{hasControls ? 'q  stop: finish the step, checkpoint, end the run' : 'q  close the dashboard'}</Text>
      <Text>{`s  sample now${hasControls ? '' : ' (unavailable: no run controls)'}`}</Text>
      <Text>{`p  pause / resume${hasControls ? '' : ' (unavailable: no run controls)'}`}</Text>
      <Text>?  toggle this help</Text>
    </Box>
  );
}
