import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FilterReport } from '../../core/events.ts';
import { cleaningSpec, type CleaningConfig } from './cleaning.ts';
import type { TokenCacheInfo } from './tokenizedCorpus.ts';

/** Beside a token cache's shards: what its cleaning filters dropped when it was written. */
export const FILTERS_FILE = 'filters.json';

/**
 * The cleaning filters' reports of a prepared corpus: those of the pass just made (`fresh`, recorded
 * in the cache directory as filters.json, best effort), or on a cache hit the recorded ones. Empty
 * without filters, or for a cache written before its filters were recorded.
 */
export async function filterReports(cfg: Partial<CleaningConfig>, cache: TokenCacheInfo, fresh: readonly FilterReport[]): Promise<readonly FilterReport[]> {
  const spec = cleaningSpec(cfg);
  if (!spec) return [];
  const file = cache.path ? join(cache.path, FILTERS_FILE) : null;
  if (cache.hit && file) {
    try {
      const doc = JSON.parse(await readFile(file, 'utf8')) as { spec?: string; filters?: FilterReport[] };
      return doc.spec === spec && Array.isArray(doc.filters) ? doc.filters : [];
    } catch {
      return [];
    }
  }
  if (file && fresh.length) await writeFile(file, `${JSON.stringify({ spec, filters: fresh }, null, 1)}\n`).catch(() => undefined);
  return fresh;
}
