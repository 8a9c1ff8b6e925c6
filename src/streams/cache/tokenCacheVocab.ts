import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type CorpusFingerprint, sameFingerprint } from '../../model/formats/tokenCacheFormat.ts';

/**
 * The tokenizer document cached at `path` for this corpus fingerprint, or null when there is none,
 * it does not parse, or it was written for another fingerprint (the caller then rebuilds it).
 */
export async function readCachedVocab(path: string, fingerprint: CorpusFingerprint): Promise<Record<string, unknown> | null> {
  try {
    const doc = JSON.parse(await readFile(path, 'utf8')) as { fingerprint?: CorpusFingerprint; tokenizer?: Record<string, unknown> };
    if (!doc.fingerprint || !doc.tokenizer || !sameFingerprint(doc.fingerprint, fingerprint)) return null;
    return doc.tokenizer;
  } catch {
    return null;
  }
}

/** Writes `{fingerprint, tokenizer}` to `path` atomically (a temp file renamed over it). */
export async function writeCachedVocab(path: string, fingerprint: CorpusFingerprint, tokenizer: Record<string, unknown>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, JSON.stringify({ fingerprint, tokenizer }));
    await rename(tmp, path);
  } finally {
    await rm(tmp, { force: true });
  }
}
