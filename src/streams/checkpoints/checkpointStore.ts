import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { CheckpointError } from '../../core/errors/CheckpointError.ts';
import { decodeSafetensors, encodeSafetensors, type NamedArray } from '../../model/formats/safetensors.ts';

/** state.json: everything besides tensors needed to continue a run exactly. */
export interface CheckpointState {
  readonly format: 'versiflow-checkpoint';
  readonly version: 1;
  readonly step: number;
  readonly epoch: number;
  /** Resolved config, snake_case keys. */
  readonly config: Record<string, unknown>;
  /** Data position: batches are a pure function of (seed, step), so step + seed locate the data. */
  readonly data: { readonly seed: number; readonly step: number; readonly trainExamples: number };
  /** AdamW bias-correction counter. */
  readonly optimizerStep: number;
  readonly bestValLoss: number | null;
  readonly tokenizerHash: string;
  readonly params: number;
  readonly savedAt: string;
}

export interface CheckpointFiles {
  readonly model: readonly NamedArray[];
  readonly optimizer: readonly NamedArray[];
  readonly state: CheckpointState;
  readonly tokenizer: Record<string, unknown>;
}

const STEP_DIR = /^step-(\d+)$/;

/**
 * Writes `<runDir>/checkpoints/step-NNNNNNN/` with model.safetensors, optimizer.safetensors,
 * state.json and tokenizer.json. Files go to a temporary sibling directory that is renamed into
 * place, so a crash never leaves a half checkpoint. Then keeps the newest `keep` (0 = all).
 */
export async function saveCheckpoint(runDir: string, files: CheckpointFiles, keep = 0): Promise<{ path: string; bytes: number }> {
  const root = join(runDir, 'checkpoints');
  const name = `step-${String(files.state.step).padStart(7, '0')}`;
  const final = join(root, name);
  const tmp = join(root, `.${name}.tmp-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const model = encodeSafetensors(files.model, { format: 'pt', producer: 'versiflow' });
  const optimizer = encodeSafetensors(files.optimizer, { t: String(files.state.optimizerStep) });
  await writeFile(join(tmp, 'model.safetensors'), model);
  await writeFile(join(tmp, 'optimizer.safetensors'), optimizer);
  await writeFile(join(tmp, 'tokenizer.json'), JSON.stringify(files.tokenizer));
  await writeFile(join(tmp, 'state.json'), `${JSON.stringify(files.state, null, 2)}\n`);
  if (existsSync(final)) await rm(final, { recursive: true, force: true });
  await rename(tmp, final);
  if (keep > 0) await prune(root, keep);
  return { path: final, bytes: model.length + optimizer.length };
}

async function prune(root: string, keep: number): Promise<void> {
  const dirs = (await listCheckpoints(root)).slice(0, -keep);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
}

/** Complete checkpoint directories under `root`, oldest first. */
export async function listCheckpoints(root: string): Promise<string[]> {
  if (!existsSync(root)) return [];
  const names = (await readdir(root)).filter((n) => STEP_DIR.test(n));
  names.sort((a, b) => Number(STEP_DIR.exec(a)![1]) - Number(STEP_DIR.exec(b)![1]));
  return names.map((n) => join(root, n));
}

/** `latest` → newest checkpoint of the run at `runDir`; anything else is a checkpoint (or run) directory. */
export async function resolveCheckpoint(spec: string, runDir: string): Promise<string> {
  if (spec === 'latest') {
    const all = await listCheckpoints(join(runDir, 'checkpoints'));
    if (all.length === 0) throw new CheckpointError(`--resume latest: no checkpoint under ${join(runDir, 'checkpoints')}; train without --resume first`);
    return all[all.length - 1];
  }
  const p = resolve(spec);
  if (!existsSync(p)) throw new CheckpointError(`checkpoint ${spec} does not exist`);
  if (existsSync(join(p, 'state.json'))) return p;
  const inRun = await listCheckpoints(join(p, 'checkpoints'));
  if (inRun.length > 0) return inRun[inRun.length - 1];
  throw new CheckpointError(`${spec} is neither a checkpoint directory (no state.json) nor a run directory with checkpoints/`);
}

/** Reads and validates a checkpoint directory. Errors name the file and what is wrong. */
export async function loadCheckpoint(dir: string): Promise<{ model: Map<string, NamedArray>; optimizer: Map<string, NamedArray>; state: CheckpointState; tokenizer: Record<string, unknown> }> {
  const read = async (file: string) => {
    try {
      return await readFile(join(dir, file));
    } catch {
      throw new CheckpointError(`${join(dir, file)} is missing: ${basename(dir)} is not a complete checkpoint`);
    }
  };
  const json = async (file: string) => {
    try {
      return JSON.parse((await read(file)).toString('utf8')) as Record<string, unknown>;
    } catch (e) {
      if (e instanceof CheckpointError) throw e;
      throw new CheckpointError(`${join(dir, file)}: not valid JSON (${(e as Error).message})`);
    }
  };
  const tensors = async (file: string) => {
    try {
      return decodeSafetensors(new Uint8Array(await read(file))).tensors;
    } catch (e) {
      if (e instanceof CheckpointError) throw e;
      throw new CheckpointError(`${join(dir, file)}: ${(e as Error).message}`);
    }
  };
  const state = (await json('state.json')) as unknown as CheckpointState;
  if (state.format !== 'versiflow-checkpoint') throw new CheckpointError(`${join(dir, 'state.json')}: not a Versiflow checkpoint state (format "${String(state.format)}")`);
  return { model: await tensors('model.safetensors'), optimizer: await tensors('optimizer.safetensors'), state, tokenizer: await json('tokenizer.json') };
}
