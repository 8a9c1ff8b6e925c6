import { Box, Text } from 'ink';
import { seriesPoints, type Series } from '../../core/series.ts';
import { lineChart } from '../lineChart.ts';

export interface LossChartsProps {
  readonly loss: Series;
  readonly valLoss: Series;
  readonly best: { readonly step: number; readonly valLoss: number } | null;
  readonly lr: number | null;
  readonly width: number;
  /** A mixture: each source's validation loss at the latest eval (val_loss_<name>). */
  readonly bySource?: Readonly<Record<string, number>>;
}

/** Train loss and val loss over steps, each downsampled to the terminal width; best val loss marked; a mixture's per-source val losses beside the title. */
export function LossCharts({ loss, valLoss, best, lr, width, bySource }: LossChartsProps) {
  const sources = Object.entries(bySource ?? {});
  const marker = best ? { step: best.step, caption: `best ${best.valLoss.toFixed(4)} @ step ${best.step}` } : undefined;
  return (
    <Box flexDirection="column">
      <Text bold>
        train loss<Text dimColor>{lr === null ? '' : `  (lr ${lr.toExponential(2)})`}</Text>
      </Text>
      <Text>{lineChart(seriesPoints(loss), { width, height: 8 }).join('\n')}</Text>
      <Text bold>
        val loss
        <Text dimColor>{sources.length ? `  (${sources.map(([k, v]) => `${k} ${typeof v === 'number' && Number.isFinite(v) ? v.toFixed(4) : '–'}`).join(' · ')})` : ''}</Text>
      </Text>
      <Text>{lineChart(seriesPoints(valLoss), { width, height: 5, marker }).join('\n')}</Text>
    </Box>
  );
}
