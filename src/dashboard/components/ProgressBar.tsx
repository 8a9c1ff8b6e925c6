import { Text } from 'ink';

export interface ProgressBarProps {
  /** Done share, clamped to [0, 1]. */
  readonly frac: number;
  /** Text after the bar, e.g. ` 40/60 (66.7%)`; the bar takes what is left of `width` (10 to 60 cells). */
  readonly counter: string;
  readonly width: number;
  /** @default 'green' */
  readonly color?: string;
}

/** One line: a bar of █ (done) and ░ (to do), then the counter. */
export function ProgressBar({ frac, counter, width, color = 'green' }: ProgressBarProps) {
  const barWidth = Math.max(10, Math.min(60, width - counter.length - 2));
  const filled = Math.round(Math.min(1, Math.max(0, frac)) * barWidth);
  return (
    <Text>
      <Text color={color}>{'█'.repeat(filled)}</Text>
      <Text dimColor>{'░'.repeat(barWidth - filled)}</Text>
      {counter}
    </Text>
  );
}
