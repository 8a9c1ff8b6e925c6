import { Box, Text } from 'ink';
import { seriesPoints, type Series } from '../../core/series.ts';
import { lineChart } from '../lineChart.ts';

export interface LossChartsProps {
  readonly loss: Series;
  readonly valLoss: Series;
  readonly best: { readonly step: number; readonly valLoss: number } | null;
  readonly lr: number | null;
  readonly width: number;
}

/** Train loss and val loss over steps, each downsampled to the terminal width; best val loss marked. */
export function LossCharts({ loss, valLoss, best, lr, width }: LossChartsProps) {
  const marker = best ? { step: best.step, caption: `best ${best.valLoss.toFixed(4)} @ step ${best.step}` } : undefined;
  return (
    <Box flexDirection="column">
      <Text bold>
        train loss<Text dimColor>{lr === null ? '' : `  (lr ${lr.toExponential(2)})`}</Text>
      </Text>
      <Text>{lineChart(seriesPoints(loss), { width, height: 8 }).join('\n')}</Text>
      <Text bold>val loss</Text>
      <Text>{lineChart(seriesPoints(valLoss), { width, height: 5, marker }).join('\n')}</Text>
    </Box>
  );
}
