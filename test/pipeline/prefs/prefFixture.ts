import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A plain-text preference file in TRL's paired layout for the char-level test checkpoint
 * (a–z, space, punctuation): 12 prompts, chosen a short sentence, rejected a loop.
 */
export function writePairedPrefs(): string {
  const dir = mkdtempSync(join(tmpdir(), 'versiflow-prefs-'));
  const subjects = ['the moon', 'a river', 'the wind', 'my heart', 'the sea', 'a bird', 'the night', 'old trees', 'the snow', 'a star', 'the road', 'spring'];
  const rows = subjects.map((s) => ({ prompt: `tell me of ${s}.\n`, chosen: `${s} is calm and bright.`, rejected: 'la la la la la la la la' }));
  const path = join(dir, 'prefs.jsonl');
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return path;
}
