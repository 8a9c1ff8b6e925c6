import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { CheckpointError } from '../../core/errors/CheckpointError.ts';
import { decodeSafetensors, encodeSafetensors, type NamedArray } from '../../model/formats/safetensors.ts';
import { bestCheckpointDir, isBestSpec } from './bestCheckpoint.ts';
import { entryOf, type Manifest, mismatch } from './checkpointManifest.ts';
import { checkpointsToDelete } from './checkpointPrune.ts';

/** state.json: everything besides tensors needed to continue a run exactly. */
export interface CheckpointState {
  readonly format: 'versiflow-checkpoint';
  /** 2 adds `files` (sizes and SHA-256, verified on load) and `valLoss`; 1 is read without verification. */
  readonly version: 1 | 2;
  readonly step: number;
  readonly epoch: number;
  /** Resolved config, snake_case keys. */
  readonly config: Record<string, unknown>;
  /** Data position: batches are a pure function of (seed, step), so step + seed locate the data. */
  readonly data: { readonly seed: number; readonly step: number; readonly trainExamples: number; readonly corpusFingerprint?: string };
  /** AdamW bias-correction counter. */
  readonly optimizerStep: number;
  /** Best validation loss of the run up to this step. */
  readonly bestValLoss: number | null;
  /** Validation loss measured at this step (keep_best ranks by it); null when there was no evaluation. */
  readonly valLoss?: number | null;
  readonly tokenizerHash: string;
  readonly params: number;
  readonly savedAt: string;
  /** Every other file of the checkpoint with its size and SHA-256 (written by saveCheckpoint). */
  readonly files?: Manifest;
}

export interface CheckpointFiles {
  readonly model: readonly NamedArray[];
  readonly optimizer: readonly NamedArray[];
  /** The state without `files`: saveCheckpoint fills them in. */
  readonly state: Omit<CheckpointState, 'files' | 'version'> & { readonly version?: 1 | 2 };
  readonly tokenizer: Record<string, unknown>;
}

export interface LoadedCheckpoint {
  readonly model: Map<string, NamedArray>;
  readonly optimizer: Map<string, NamedArray>;
  readonly state: CheckpointState;
  readonly tokenizer: Record<string, unknown>;
}

export interface SaveOptions {
  /** Keep the newest N checkpoints (0 = all). @default 0 */
  readonly keepLast?: number;
  /** Also keep the N with the lowest validation loss. @default 0 */
  readonly keepBest?: number;
}

const STEP_DIR = /^step-(\d+)$/;

/**
 * Writes `<runDir>/checkpoints/step-NNNNNNN/` with model.safetensors, optimizer.safetensors,
 * tokenizer.json and state.json, which lists every other file's size and SHA-256. Crash-consistent:
 * the files go to a temporary sibling directory, each is fsynced, and the directory is renamed into
 * place (then the parent is fsynced), so a crash or a full disk never leaves a half checkpoint under
 * a step-* name. Then prunes to keep_last + keep_best.
 *
 * @throws CheckpointError naming the directory and the cause (disk full, not writable); the
 *   temporary directory is removed and earlier checkpoints are untouched.
 */
export async function saveCheckpoint(runDir: string, files: CheckpointFiles, keep: number | SaveOptions = 0): Promise<{ path: string; bytes: number }> {
  const opts: SaveOptions = typeof keep === 'number' ? { keepLast: keep } : keep;
  const root = join(runDir, 'checkpoints');
  const name = `step-${String(files.state.step).padStart(7, '0')}`;
  const final = join(root, name);
  const tmp = join(root, `.${name}.tmp-${process.pid}`);
  const model = encodeSafetensors(files.model, { format: 'pt', producer: 'versiflow' });
  const optimizer = encodeSafetensors(files.optimizer, { t: String(files.state.optimizerStep) });
  const tokenizer = new TextEncoder().encode(JSON.stringify(files.tokenizer));
  const body: Record<string, Uint8Array> = { 'model.safetensors': model, 'optimizer.safetensors': optimizer, 'tokenizer.json': tokenizer };
  const manifest: Manifest = Object.fromEntries(Object.entries(body).map(([f, data]) => [f, entryOf(data)]));
  const state: CheckpointState = { ...files.state, version: 2, files: manifest };
  try {
    await mkdir(root, { recursive: true });
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp);
    for (const [f, data] of Object.entries(body)) await writeDurably(join(tmp, f), data);
    await writeDurably(join(tmp, 'state.json'), new TextEncoder().encode(`${JSON.stringify(state, null, 2)}\n`));
    await syncDir(tmp);
    if (existsSync(final)) await rm(final, { recursive: true, force: true });
    await rename(tmp, final);
    await syncDir(root);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOSPC' ? 'the disk is full' : err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS' ? 'the directory is not writable' : err.message;
    throw new CheckpointError(`cannot write checkpoint ${final}: ${why}${err.code ? ` (${err.code})` : ''}; earlier checkpoints are intact. Free space or choose another --out.`);
  }
  if ((opts.keepLast ?? 0) > 0) await prune(root, opts.keepLast!, opts.keepBest ?? 0, final);
  return { path: final, bytes: model.length + optimizer.length };
}

async function writeDurably(path: string, data: Uint8Array): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsync a directory so a rename or new entry in it survives a power loss (best effort: not every filesystem allows it). */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r').catch(() => null);
  if (!fh) return;
  await fh.sync().catch(() => undefined);
  await fh.close();
}

async function prune(root: string, keepLast: number, keepBest: number, protect: string): Promise<void> {
  const all = [];
  for (const dir of await listCheckpoints(root)) {
    const state = await readFile(join(dir, 'state.json'), 'utf8').then((t) => JSON.parse(t) as Partial<CheckpointState>).catch(() => null);
    all.push({ dir, step: Number(STEP_DIR.exec(basename(dir))![1]), valLoss: typeof state?.valLoss === 'number' ? state.valLoss : null });
  }
  for (const d of checkpointsToDelete(all, keepLast, keepBest, protect)) await rm(d, { recursive: true, force: true });
}

/** Checkpoint directories (step-NNNNNNN) under `root`, oldest first. Temporary ones are not listed. */
export async function listCheckpoints(root: string): Promise<string[]> {
  if (!existsSync(root)) return [];
  const names = (await readdir(root)).filter((n) => STEP_DIR.test(n));
  names.sort((a, b) => Number(STEP_DIR.exec(a)![1]) - Number(STEP_DIR.exec(b)![1]));
  return names.map((n) => join(root, n));
}

/** A checkpoint passed over while looking for the newest good one, and why. */
export interface SkippedCheckpoint {
  readonly dir: string;
  readonly reason: string;
}

/**
 * Opens a checkpoint: `latest` is the newest *good* checkpoint of the run at `runDir`, and a run
 * directory its newest good one: an incomplete or corrupt one is passed over (listed in `skipped`
 * with the reason) for the one before. A checkpoint directory named explicitly must itself be good.
 * `best` (the run at `runDir`) or RUN/best is the checkpoint RUN/best_validation.json names
 * (`versiflow eval checkpoints` writes it).
 */
export async function openCheckpoint(spec: string, runDir: string): Promise<{ dir: string; checkpoint: LoadedCheckpoint; skipped: SkippedCheckpoint[] }> {
  let root: string;
  if (isBestSpec(spec)) {
    const dir = bestCheckpointDir(spec, runDir);
    return { dir, checkpoint: await loadCheckpoint(dir), skipped: [] };
  }
  if (spec === 'latest') root = join(runDir, 'checkpoints');
  else {
    const p = resolve(spec);
    if (!existsSync(p)) throw new CheckpointError(`checkpoint ${spec} does not exist`);
    if (existsSync(join(p, 'state.json')) || STEP_DIR.test(basename(p))) return { dir: p, checkpoint: await loadCheckpoint(p), skipped: [] };
    root = join(p, 'checkpoints');
  }
  const all = await listCheckpoints(root);
  if (all.length === 0) {
    throw new CheckpointError(
      spec === 'latest' ? `--resume latest: no checkpoint under ${root}; train without --resume first` : `${spec} is neither a checkpoint directory (no state.json) nor a run directory with checkpoints/`,
    );
  }
  const skipped: SkippedCheckpoint[] = [];
  for (const dir of all.reverse()) {
    try {
      return { dir, checkpoint: await loadCheckpoint(dir), skipped };
    } catch (e) {
      if (!(e instanceof CheckpointError)) throw e;
      skipped.push({ dir, reason: e.message });
    }
  }
  throw new CheckpointError(`no usable checkpoint under ${root}: ${skipped.map((s) => s.reason).join('; ')}`);
}

/** `latest` → newest good checkpoint of the run at `runDir`; anything else is a checkpoint (or run) directory. */
export async function resolveCheckpoint(spec: string, runDir: string): Promise<string> {
  return (await openCheckpoint(spec, runDir)).dir;
}

/**
 * Reads and verifies a checkpoint directory: every file state.json lists must have its size and
 * SHA-256. Errors name the file and what is wrong.
 */
export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const read = async (file: string) => {
    try {
      return new Uint8Array(await readFile(join(dir, file)));
    } catch {
      throw new CheckpointError(`${join(dir, file)} is missing: ${basename(dir)} is not a complete checkpoint`);
    }
  };
  const parse = (file: string, data: Uint8Array) => {
    try {
      return JSON.parse(new TextDecoder().decode(data)) as Record<string, unknown>;
    } catch (e) {
      throw new CheckpointError(`${join(dir, file)}: not valid JSON (${(e as Error).message})`);
    }
  };
  const state = parse('state.json', await read('state.json')) as unknown as CheckpointState;
  if (state.format !== 'versiflow-checkpoint') throw new CheckpointError(`${join(dir, 'state.json')}: not a Versiflow checkpoint state (format "${String(state.format)}")`);
  const verified = async (file: string) => {
    const data = await read(file);
    const entry = state.files?.[file];
    if (state.version >= 2 && !entry) throw new CheckpointError(`${join(dir, 'state.json')} does not list ${file}: not a complete checkpoint`);
    const bad = entry ? mismatch(file, data, entry) : null;
    if (bad) throw new CheckpointError(`${dir}: ${bad}`);
    return data;
  };
  const tensors = async (file: string) => {
    const data = await verified(file);
    try {
      return decodeSafetensors(data).tensors;
    } catch (e) {
      throw new CheckpointError(`${join(dir, file)}: ${(e as Error).message}`);
    }
  };
  return { model: await tensors('model.safetensors'), optimizer: await tensors('optimizer.safetensors'), state, tokenizer: parse('tokenizer.json', await verified('tokenizer.json')) };
}
