import { createHash } from 'node:crypto';
import { corpusFingerprint } from '../../streams/cache/tokenCacheFingerprint.ts';
import type { CorpusConfig } from './corpus.ts';
import { readingSpec } from './cleaning.ts';

/**
 * A short digest of which corpus a run reads: its files (absolute paths and sizes) and the reading
 * options that change the tokens. Recorded in checkpoints so that resuming on other data can warn.
 * Modification times are left out: touching a file is not a different corpus.
 */
export async function corpusDigest(cfg: CorpusConfig): Promise<string> {
  const fp = await corpusFingerprint(cfg.data, { textColumn: cfg.textColumn, normalize: readingSpec(cfg), maxDocs: cfg.maxDocs });
  const key = { files: fp.files.map((f) => [f.path, f.size]), textColumn: fp.textColumn, normalize: fp.normalize, maxDocs: fp.maxDocs };
  return createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 16);
}
