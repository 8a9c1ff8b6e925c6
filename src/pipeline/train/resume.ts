import type { Config } from '../../core/config/schema.ts';
import { tokenizerFromJSON } from '../../model/tokenizer/loadTokenizer.ts';
import type { Tokenizer } from '../../model/tokenizer/types.ts';
import { type LoadedCheckpoint, openCheckpoint, type SkippedCheckpoint } from '../../streams/checkpoints/checkpointStore.ts';
import { resolveChatTokenizer } from '../data/chatTokenizer.ts';
import { resolveTokenizer } from '../data/prepareData.ts';

/** The checkpoint a run continues from. */
export interface Resume {
  readonly dir: string;
  readonly checkpoint: LoadedCheckpoint;
  /** Newer checkpoints passed over because they were incomplete or corrupt. */
  readonly skipped: readonly SkippedCheckpoint[];
}

/**
 * `resume: latest` (the newest good checkpoint: incomplete or corrupt ones are skipped, see
 * openCheckpoint) or a checkpoint directory → the verified checkpoint; null when resume is empty.
 */
export async function readResume(cfg: Pick<Config, 'resume'>, runDir: string): Promise<Resume | null> {
  if (!cfg.resume) return null;
  return openCheckpoint(cfg.resume, runDir);
}

/**
 * The run's tokenizer: a resumed run keeps its checkpoint's; a fresh one resolves the config's
 * (char vocabulary, a tokenizer.json, or a BPE trained now: `trained` names the file written; for
 * task sft one with the chat tokens, trained on the dialogues: resolveChatTokenizer).
 */
export async function runTokenizer(
  cfg: Parameters<typeof resolveChatTokenizer>[0] & Partial<Pick<Config, 'task'>>,
  resume: Resume | null,
  opts: Parameters<typeof resolveTokenizer>[1] = {},
): Promise<{ tokenizer: Tokenizer; trained?: string }> {
  if (resume) return { tokenizer: tokenizerFromJSON(resume.checkpoint.tokenizer) };
  return cfg.task === 'sft' ? resolveChatTokenizer(cfg) : resolveTokenizer(cfg, opts);
}

/** What a user should hear about the resume: checkpoints skipped, and a corpus that is not the checkpoint's. */
export function resumeWarnings(resume: Resume | null, corpusFingerprint: string): string[] {
  if (!resume) return [];
  const out = resume.skipped.map((s) => `skipped checkpoint ${s.dir}: ${s.reason}; resuming from ${resume.dir}`);
  const was = resume.checkpoint.state.data.corpusFingerprint;
  if (was && was !== corpusFingerprint) out.push(`the corpus differs from the one ${resume.dir} was trained on (fingerprint ${was} then, ${corpusFingerprint} now): the data order after resume is not the original run's`);
  return out;
}
