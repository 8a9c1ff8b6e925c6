import { useEffect, useState } from 'react';
import { useStdout } from 'ink';

/** Columns of the output stream, updated on its `resize` event (80 when it is not a terminal). */
export function useTerminalWidth(): number {
  const { stdout } = useStdout();
  const [width, setWidth] = useState(stdout.columns || 80);
  useEffect(() => {
    const onResize = () => setWidth(stdout.columns || 80);
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return width;
}
