import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { DataError } from '../../core/errors/DataError.ts';
import { parseCsv } from '../../eval/report/parseCsv.ts';
import type { CsvTable, Found, ReportInput } from '../../eval/report/reportInput.ts';
import { parseHistoryCsv, parseMetricsJsonl, parsePcaPoints } from '../../eval/report/runFiles.ts';
import { parseScoresCsv } from '../../eval/watermarkMetrics.ts';

type Obj = Readonly<Record<string, unknown>>;

/** Evaluation files the report knows by name; any other .json/.csv in the evaluation folders is shown as a table. */
const KNOWN = {
  watermarkMetrics: /^watermark_metrics\.json$/,
  watermarkScores: /^watermark_scores\.csv$/,
  lengthStats: /^token_length_stats\.json$/,
  behaviour: /^behaviou?r.*\.json$/,
  poetry: /^poetry.*\.json$/,
  probes: /^probe_generations\.jsonl$/,
  authorStats: /^author_pca_stats\.json$/,
  authorPoints: /^(author.*points|author_pca.*|pca.*points).*\.csv$/,
};

/**
 * Reads what a run directory holds into a ReportInput: history.csv and metrics.jsonl at its top, the
 * newest checkpoint's state.json (config fallback), and evaluation files by name in RUN/eval, RUN and
 * RUN/eval/* (first found wins for a known name). A file that cannot be parsed is noted in
 * `problems`, not thrown: a report of a half-evaluated or crashed run is still useful.
 * @throws DataError when `runDir` is not a directory or holds none of a run's files.
 */
export function readRunDir(runDir: string): ReportInput {
  if (!existsSync(runDir) || !statSync(runDir).isDirectory()) throw new DataError(`${runDir}: no such run directory (give the folder \`versiflow train --out\` wrote, e.g. runs/tiny)`);
  const problems: string[] = [];
  const read = <T>(path: string, parse: (text: string, where: string) => T): T | undefined => {
    try {
      return parse(readFileSync(path, 'utf8'), relative(runDir, path));
    } catch (e) {
      problems.push(`${relative(runDir, path)}: ${(e as Error).message}`);
      return undefined;
    }
  };
  const history = existsSync(join(runDir, 'history.csv')) ? (read(join(runDir, 'history.csv'), parseHistoryCsv) ?? []) : [];
  const events = existsSync(join(runDir, 'metrics.jsonl')) ? (read(join(runDir, 'metrics.jsonl'), parseMetricsJsonl) ?? null) : null;
  if (events && events.badLines > 0) problems.push(`metrics.jsonl: ${events.badLines} line(s) that are not events were skipped`);
  const config = events?.lastStart?.config ?? newestCheckpointConfig(runDir, read);

  const files = evalFiles(runDir);
  const taken = new Set<string>();
  const first = (re: RegExp) => {
    const f = files.find((p) => re.test(basename(p)));
    if (f) taken.add(f);
    return f;
  };
  const found = <T>(path: string | undefined, parse: (text: string, where: string) => T): Found<T> | undefined => {
    if (!path) return undefined;
    const value = read(path, parse);
    return value === undefined ? undefined : { file: relative(runDir, path), value };
  };
  const json = (text: string) => JSON.parse(text) as unknown;
  const object = (text: string, where: string): Obj => {
    const v = json(text);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new DataError(`${where}: expected a JSON object`);
    return v as Obj;
  };
  const jsonl = (text: string, where: string): Obj[] => text.split('\n').filter((l) => l.trim()).map((l, i) => object(l, `${where} line ${i + 1}`));

  const watermarkMetrics = found(first(KNOWN.watermarkMetrics), object);
  const watermarkScores = found(first(KNOWN.watermarkScores), parseScoresCsv);
  const lengthStats = found(first(KNOWN.lengthStats), object);
  const probes = found(first(KNOWN.probes), jsonl);
  const poetry = found(first(KNOWN.poetry), object);
  const authorStats = found(first(KNOWN.authorStats), object);
  const authorPoints = found(first(KNOWN.authorPoints), (text, where) => {
    const points = parsePcaPoints(text);
    if (!points) throw new DataError(`${where}: no pc1/pc2 (or x/y) columns`);
    return points;
  });
  const behaviour = files.filter((p) => KNOWN.behaviour.test(basename(p))).flatMap((p) => {
    taken.add(p);
    return found(p, object) ?? [];
  });
  const rest = files.filter((p) => !taken.has(p));
  const tables = rest.filter((p) => p.endsWith('.csv')).flatMap((p) => found(p, csvTable) ?? []);
  const others = rest.filter((p) => p.endsWith('.json')).flatMap((p) => found(p, json) ?? []);

  if (!events && history.length === 0 && !config && files.length === 0) {
    throw new DataError(`${runDir}: not a run directory (no history.csv, metrics.jsonl, checkpoints/*/state.json or eval/ files)`);
  }
  const name = events?.lastStart?.name ?? (typeof config?.name === 'string' ? config.name : basename(runDir));
  return { name, runDir, events, config, history, watermarkMetrics, watermarkScores, lengthStats, behaviour, poetry, probes, authorStats, authorPoints, tables, json: others, problems };
}

/** Evaluation .json/.csv/.jsonl files: RUN/eval first, then RUN's top level, then RUN/eval's subfolders; sorted by name within each. */
function evalFiles(runDir: string): string[] {
  const list = (dir: string) => (existsSync(dir) && statSync(dir).isDirectory() ? readdirSync(dir, { withFileTypes: true }) : []);
  const filesIn = (dir: string) => list(dir).filter((e) => e.isFile() && /\.(json|csv|jsonl)$/.test(e.name) && !['history.csv', 'metrics.jsonl'].includes(e.name)).map((e) => join(dir, e.name)).sort();
  const evalDir = join(runDir, 'eval');
  const subdirs = list(evalDir).filter((e) => e.isDirectory()).map((e) => join(evalDir, e.name)).sort();
  return [...filesIn(evalDir), ...filesIn(runDir), ...subdirs.flatMap(filesIn)].filter((p) => !p.endsWith('.jsonl') || KNOWN.probes.test(basename(p)));
}

function csvTable(text: string): CsvTable {
  const [header = [], ...rows] = parseCsv(text);
  return { header, rows };
}

/** The config in the newest checkpoint's state.json (checkpoints/step-N sorts by step), if any. */
function newestCheckpointConfig(runDir: string, read: <T>(path: string, parse: (text: string, where: string) => T) => T | undefined): Obj | null {
  const dir = join(runDir, 'checkpoints');
  if (!existsSync(dir)) return null;
  for (const name of readdirSync(dir).sort().reverse()) {
    const state = join(dir, name, 'state.json');
    if (!existsSync(state)) continue;
    const cfg = read(state, (t) => (JSON.parse(t) as { config?: Obj }).config);
    if (cfg) return cfg;
  }
  return null;
}
