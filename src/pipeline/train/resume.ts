import type { Config } from '../../core/config/schema.ts';
import { tokenizerFromJSON } from '../../model/tokenizer/loadTokenizer.ts';
import type { Tokenizer } from '../../model/tokenizer/types.ts';
import { loadCheckpoint, resolveCheckpoint } from '../../streams/checkpoints/checkpointStore.ts';
import { resolveTokenizer } from '../data/prepareData.ts';

/** The checkpoint a run continues from. */
export interface Resume {
  readonly dir: string;
  readonly checkpoint: Awaited<ReturnType<typeof loadCheckpoint>>;
}

/** `resume: latest` or a checkpoint directory → the loaded checkpoint; null when resume is empty. */
export async function readResume(cfg: Pick<Config, 'resume'>, runDir: string): Promise<Resume | null> {
  if (!cfg.resume) return null;
  const dir = await resolveCheckpoint(cfg.resume, runDir);
  return { dir, checkpoint: await loadCheckpoint(dir) };
}

/**
 * The run's tokenizer: a resumed run keeps its checkpoint's; a fresh one resolves the config's
 * (char vocabulary, a tokenizer.json, or a BPE trained now: `trained` names the file written).
 */
export async function runTokenizer(cfg: Parameters<typeof resolveTokenizer>[0], resume: Resume | null): Promise<{ tokenizer: Tokenizer; trained?: string }> {
  return resume ? { tokenizer: tokenizerFromJSON(resume.checkpoint.tokenizer) } : resolveTokenizer(cfg);
}
