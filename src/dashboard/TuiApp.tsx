import { useEffect, useRef, useState } from 'react';
import { Box, Static, Text, useApp, useInput, useStdin } from 'ink';
import type { Observable } from 'rxjs';
import type { TrainEvent } from '../core/events.ts';
import type { RunControls } from '../core/controls.ts';
import { dashboardReducer, initialDashboardState, type LogEntry } from './dashboardReducer.ts';
import { useEvents } from './useEvents.ts';
import { useTerminalWidth } from './useTerminalWidth.ts';
import { Header } from './components/Header.tsx';
import { PreferencePanel } from './components/PreferencePanel.tsx';
import { Progress } from './components/Progress.tsx';
import { DataPreparation } from './components/DataPreparation.tsx';
import { LossCharts } from './components/LossCharts.tsx';
import { LogLine } from './components/LogLine.tsx';
import { HelpOverlay } from './components/HelpOverlay.tsx';

export interface TuiAppProps {
  readonly events$: Observable<TrainEvent>;
  readonly controls?: RunControls;
  /** @default 100 — at most one re-render per this many ms, however fast events come. */
  readonly throttleMs?: number;
}

/**
 * The live dashboard: header, progress, loss charts (or the help overlay) under an append-only log of
 * evals, checkpoints, warnings and samples. Keys work only when stdin is a TTY. Exits (resolving
 * `waitUntilExit`) once `events$` completes and the final state is drawn.
 */
export function TuiApp({ events$, controls, throttleMs = 100 }: TuiAppProps) {
  const { state, done, error } = useEvents(events$, dashboardReducer, initialDashboardState, throttleMs);
  const width = useTerminalWidth();
  const { isRawModeSupported } = useStdin();
  const { exit } = useApp();
  const [help, setHelp] = useState(false);
  const [paused, setPaused] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  useInput(
    (input, key) => {
      if (input === 'q' || (key.ctrl && input === 'c')) {
        // A second q (or q without controls) only closes the dashboard; the run goes on or ends by itself.
        if (!controls || notice === 'stopping…') return exit();
        controls.stop();
        setNotice('stopping…');
      } else if (input === 's' && controls) {
        controls.sampleNow();
        setNotice('sample requested');
      } else if (input === 'p' && controls) {
        setPaused(controls.togglePause());
      } else if (input === '?') {
        setHelp((h) => !h);
      } else if (key.escape) {
        setHelp(false);
      }
    },
    { isActive: isRawModeSupported === true },
  );

  useEffect(() => {
    if (!done) return;
    // One macrotask later, so <Static> has committed (and forgotten) the last log lines before the final
    // frame is drawn; exiting in this commit prints them twice.
    const t = setTimeout(() => exit(), 0);
    return () => clearTimeout(t);
  }, [done, exit]);

  const pending = useUnprinted(state.log);
  const inner = Math.max(20, width - 1);
  return (
    <>
      <Static key={pending[0]?.seq ?? 'idle'} items={pending as LogEntry[]}>
        {(entry) => <LogLine key={entry.seq} entry={entry} />}
      </Static>
      <Box flexDirection="column" width={inner}>
        <Header run={state.run} />
        {state.run === null && state.preparing ? (
          <DataPreparation progress={state.preparing} width={inner} />
        ) : state.lastPref ? (
          <PreferencePanel last={state.lastPref} lastEval={state.lastPrefEval} width={inner} />
        ) : (
          <Progress last={state.lastStep} tokPerSecEma={state.tokPerSecEma} gpuBusy={state.gpuBusy} width={inner} />
        )}
        {help ? (
          <HelpOverlay hasControls={controls !== undefined} />
        ) : (
          <LossCharts loss={state.loss} valLoss={state.valLoss} best={state.best} lr={state.lastStep?.lr ?? null} width={inner} bySource={state.lastEval?.valLossBySource} />
        )}
        <Text dimColor>
          {[
            paused ? 'PAUSED' : null,
            state.end ? `run ${state.end.reason}` : notice,
            error ? `event stream failed: ${error instanceof Error ? error.message : String(error)}` : null,
            state.warnings > 0 ? `${state.warnings} warning${state.warnings > 1 ? 's' : ''}` : null,
            isRawModeSupported && !state.end ? 'q stop · s sample · p pause · ? help' : null,
          ]
            .filter((x) => x !== null)
            .join(' · ')}
        </Text>
      </Box>
    </>
  );
}

/**
 * Log entries not yet handed to <Static>. Static prints its items once and remembers how many it
 * printed; since the state keeps only a window of the log, a fresh Static (new key) is mounted for each
 * batch of new entries instead of one ever-growing array.
 */
function useUnprinted(log: readonly LogEntry[]): readonly LogEntry[] {
  const printed = useRef(0);
  const pending = log.filter((e) => e.seq > printed.current);
  useEffect(() => {
    if (log.length > 0) printed.current = Math.max(printed.current, log[log.length - 1].seq);
  }, [log]);
  return pending;
}
