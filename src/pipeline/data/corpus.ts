import type { Observable } from 'rxjs';
import type { Config } from '../../core/config/schema.ts';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import type { NormalizeOptions } from '../../model/tokenizer/normalize.ts';
import { normalizeText } from '../../operators/normalizeText.ts';
import { readCorpus } from '../../streams/sources/readCorpus.ts';
import type { CorpusRow } from '../../core/corpusDoc.ts';
import type { FilterReport } from '../../core/events.ts';
import { cleaning, type CleaningConfig } from './cleaning.ts';

const NORMALIZERS = ['nfc', 'yo', 'quotes', 'dashes', 'ellipsis'] as const;

/** `normalize` config value ("none" or a comma list such as "nfc,yo") → options. */
export function normalizeOptions(spec: string): NormalizeOptions {
  if (spec === 'none' || spec === '') return {};
  const opts: Record<string, boolean> = {};
  for (const part of spec.split(',').map((s) => s.trim())) {
    if (!(NORMALIZERS as readonly string[]).includes(part)) throw new ConfigError(`normalize: unknown normaliser "${part}"; use none or a comma list of ${NORMALIZERS.join(', ')}`);
    opts[part] = true;
  }
  return opts;
}

/** The keys that say which corpus text a run reads (the cleaning filters' keys when set). */
export type CorpusConfig = Pick<Config, 'data' | 'textColumn' | 'maxDocs' | 'normalize'> & Partial<CleaningConfig>;

/**
 * The corpus rows of a config, normalised and cleaned (see cleaning.ts; each filter tells `report`
 * what it dropped when the stream ends): a cold, lazy stream (each subscription reads again).
 */
export function corpus$(cfg: CorpusConfig, report?: (r: FilterReport) => void): Observable<CorpusRow> {
  return readCorpus(cfg.data, { textColumn: cfg.textColumn, maxDocs: cfg.maxDocs }).pipe(normalizeText(normalizeOptions(cfg.normalize)), cleaning(cfg, report));
}
