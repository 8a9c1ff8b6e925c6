import { Box, Text } from 'ink';
import type { PrefEvalEvent, PrefStepEvent } from '../../core/events.ts';
import { fmtDuration, fmtNum } from '../formatEvent.ts';
import { ProgressBar } from './ProgressBar.tsx';

export interface PreferencePanelProps {
  readonly last: PrefStepEvent;
  readonly lastEval: PrefEvalEvent | null;
  readonly width: number;
}

/** Progress and the live figures of a preference run (kto, dpo): its latest pref/step and eval/pref. */
export function PreferencePanel({ last, lastEval, width }: PreferencePanelProps) {
  const frac = Math.min(1, Math.max(0, last.step / Math.max(1, last.totalSteps)));
  const counter = ` ${last.task} ${last.step}/${last.totalSteps} (${(frac * 100).toFixed(1)}%)`;
  const ref = last.kl !== undefined ? `kl ${last.kl.toFixed(3)}` : last.zRef !== undefined ? `z_ref ${last.zRef.toFixed(3)}` : null;
  return (
    <Box flexDirection="column">
      <ProgressBar frac={frac} counter={counter} width={width} />
      <Text>{`elapsed ${fmtDuration(last.elapsedS)} · ETA ${fmtDuration(last.etaS)} · ${last.ms.toFixed(0)} ms/step · lr ${last.lr.toExponential(2)} · grad norm ${last.gradNorm.toFixed(2)}`}</Text>
      <Text>
        {`loss ${last.loss.toFixed(4)} · margin ${fmtNum(last.margin, 3)} (chosen ${fmtNum(last.rewardsChosen, 3)} / rejected ${fmtNum(last.rewardsRejected, 3)}) · `}
        <Text color={Math.abs(last.logRatio) > 1 ? 'yellow' : undefined}>{`log-ratio ${last.logRatio.toFixed(3)}/token`}</Text>
        {ref ? ` · ${ref}` : ''}
      </Text>
      {lastEval ? (
        <Text>
          {`val accuracy ${fmtNum(lastEval.accuracy, 3)} (${lastEval.pairs} pairs, step ${lastEval.step})` +
            (lastEval.quality ? ` · quality ${lastEval.quality.score.toFixed(3)} (loops ${fmtNum(lastEval.quality.loopRate, 2)}, completed ${fmtNum(lastEval.quality.completionRate, 2)})` : '')}
        </Text>
      ) : null}
    </Box>
  );
}
