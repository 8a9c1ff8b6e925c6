import { readdir, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Keeps a cache directory from growing without bound: of the token caches in `root` (directories
 * holding an index.json) and the cached char vocabularies (char-*.json), keeps the `keep` most recently
 * used of each kind and deletes the rest. `protect` (absolute paths) are never deleted. Use is the
 * mtime of index.json / the vocabulary file: `touchTokenCache` marks a hit. keep = 0 keeps all.
 * Returns the deleted paths. Half-written caches (*.tmp-*) of crashed runs older than a day go too.
 */
export async function pruneTokenCaches(root: string, keep: number, protect: readonly string[] = []): Promise<string[]> {
  if (keep <= 0) return [];
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const caches: { path: string; used: number }[] = [];
  const vocabs: { path: string; used: number }[] = [];
  const stale: string[] = [];
  for (const name of names) {
    const path = join(root, name);
    try {
      if (name.includes('.tmp-')) {
        if (Date.now() - (await stat(path)).mtimeMs > 86_400_000) stale.push(path);
      } else if (name.startsWith('char-') && name.endsWith('.json')) {
        vocabs.push({ path, used: (await stat(path)).mtimeMs });
      } else {
        caches.push({ path, used: (await stat(join(path, 'index.json'))).mtimeMs });
      }
    } catch {
      /* not a cache (no index.json): leave it alone */
    }
  }
  const doomed = [...stale];
  for (const list of [caches, vocabs]) {
    list.sort((a, b) => b.used - a.used);
    for (const { path } of list.slice(keep)) if (!protect.includes(path)) doomed.push(path);
  }
  for (const path of doomed) await rm(path, { recursive: true, force: true });
  return doomed;
}

/** Marks a token cache (directory) or vocabulary file as just used. */
export async function touchTokenCache(path: string): Promise<void> {
  const now = new Date();
  const target = path.endsWith('.json') ? path : join(path, 'index.json');
  await utimes(target, now, now).catch(() => undefined);
}
