import type { ScatterPoint } from '../plots/distributionPlots.ts';
import type { HistoryPoint } from '../plots/lossPlots.ts';
import type { ScoredText } from '../watermarkMetrics.ts';
import type { RunEvents } from './runFiles.ts';

/** A file the report read: its path relative to the run directory, and what it held. */
export interface Found<T> {
  readonly file: string;
  readonly value: T;
}

/** A CSV shown as a table as it is (leaderboards and other evaluation CSVs). */
export interface CsvTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/**
 * Everything `versiflow report` found in a run directory, parsed: what the HTML and the plots are
 * built from. Absent files are absent fields (or empty lists), and their sections are left out.
 */
export interface ReportInput {
  /** The run's name (run/start's, else the directory's). */
  readonly name: string;
  readonly runDir: string;
  readonly events: RunEvents | null;
  /** The resolved config (snake_case keys): the last run/start's, else the newest checkpoint's state.json. */
  readonly config: Readonly<Record<string, unknown>> | null;
  readonly history: readonly HistoryPoint[];
  readonly watermarkMetrics?: Found<Readonly<Record<string, unknown>>>;
  readonly watermarkScores?: Found<readonly ScoredText[]>;
  readonly lengthStats?: Found<Readonly<Record<string, unknown>>>;
  /** One behaviour_*.json (an `eval behaviour --json` object) per file. */
  readonly behaviour: readonly Found<Readonly<Record<string, unknown>>>[];
  /** poetry*.json: an `eval poetry --json` object ({language, generated: {...}, real: {...} | null}). */
  readonly poetry?: Found<Readonly<Record<string, unknown>>>;
  /** probe_generations.jsonl records. */
  readonly probes?: Found<readonly Readonly<Record<string, unknown>>[]>;
  readonly authorStats?: Found<Readonly<Record<string, unknown>>>;
  readonly authorPoints?: Found<readonly ScatterPoint[]>;
  /** Other evaluation CSVs (tuning/holdout leaderboards, ...). */
  readonly tables: readonly Found<CsvTable>[];
  /** Other evaluation JSON files (comparison.json, best_validation.json, recommended decoding, ...). */
  readonly json: readonly Found<unknown>[];
  /** Files that were there but could not be read or parsed, with the reason: shown, never fatal. */
  readonly problems: readonly string[];
}
