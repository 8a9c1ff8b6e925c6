import { identity, type OperatorFunction, pipe } from 'rxjs';
import type { Config } from '../../core/config/schema.ts';
import type { CorpusRow } from '../../core/corpusDoc.ts';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import type { FilterReport } from '../../core/events.ts';
import { dedupeExact } from '../../operators/dedupeExact.ts';
import { dedupeNear } from '../../operators/dedupeNear.ts';
import { filterAuthor } from '../../operators/filterAuthor.ts';
import { filterLanguage } from '../../operators/filterLanguage.ts';
import { filterLength } from '../../operators/filterLength.ts';
import { filterScript, scriptPattern } from '../../operators/filterScript.ts';
import { APPARATUS, stripApparatus } from '../../operators/stripApparatus.ts';

/** The config keys of the cleaning filters that read text (token bounds apply to the cache's index instead). */
export type CleaningConfig = Pick<
  Config,
  'minChars' | 'maxChars' | 'dedupe' | 'nearDupeThreshold' | 'nearDupeShingle' | 'script' | 'scriptMinShare' | 'languages' | 'authors' | 'excludeAuthors' | 'stripApparatus' | 'stripPattern' | 'seed'
>;

const list = (s: string | undefined): string[] => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);

/**
 * The active text filters as one canonical string ('' when none): what they do to the corpus, so it
 * goes into the token cache's fingerprint (a changed filter is another corpus reading).
 */
export function cleaningSpec(cfg: Partial<CleaningConfig>): string {
  const parts: string[] = [];
  if (cfg.stripApparatus) parts.push('strip_apparatus');
  if (cfg.stripPattern) parts.push(`strip_pattern=${cfg.stripPattern}`);
  if (cfg.minChars || cfg.maxChars) parts.push(`chars=${cfg.minChars ?? 0}..${cfg.maxChars ?? 0}`);
  if (cfg.script) parts.push(`script=${cfg.script}>=${cfg.scriptMinShare ?? 0.5}`);
  if (cfg.languages) parts.push(`languages=${list(cfg.languages).join(',')}`);
  if (cfg.authors) parts.push(`authors=${list(cfg.authors).join(',')}`);
  if (cfg.excludeAuthors) parts.push(`exclude_authors=${list(cfg.excludeAuthors).join(',')}`);
  if (cfg.dedupe) parts.push('dedupe');
  if (cfg.nearDupeThreshold) parts.push(`near_dupes=${cfg.nearDupeThreshold}/${cfg.nearDupeShingle ?? 5}/seed ${cfg.seed ?? 0}`);
  return parts.join('; ');
}

/** `normalize` as the token cache's fingerprint records it: the normalisers, then the filters. */
export const readingSpec = (cfg: { readonly normalize: string } & Partial<CleaningConfig>): string => {
  const spec = cleaningSpec(cfg);
  return spec ? `${cfg.normalize} | ${spec}` : cfg.normalize;
};

/**
 * The cleaning filters of a config as one operator, in a fixed order: strip_apparatus (and
 * strip_pattern), characters, script, languages, authors, exact dedupe, near-duplicates. Each reports
 * what it dropped to `report` when the stream ends. Bad script names and patterns are ConfigErrors.
 */
export function cleaning(cfg: Partial<CleaningConfig>, report?: (r: FilterReport) => void): OperatorFunction<CorpusRow, CorpusRow> {
  const ops: OperatorFunction<CorpusRow, CorpusRow>[] = [];
  let extra: RegExp[] = [];
  if (cfg.stripPattern) {
    try {
      extra = [new RegExp(cfg.stripPattern, 'gmu')];
    } catch (e) {
      throw new ConfigError(`strip_pattern: not a regular expression: ${(e as Error).message}`);
    }
  }
  if (cfg.stripApparatus) ops.push(stripApparatus([...APPARATUS, ...extra], report));
  else if (extra.length) ops.push(stripApparatus(extra, report, 'strip_pattern'));
  if (cfg.minChars || cfg.maxChars) ops.push(filterLength({ min: cfg.minChars ?? 0, max: cfg.maxChars ?? 0 }, report));
  if (cfg.script) {
    try {
      scriptPattern(cfg.script);
    } catch (e) {
      throw new ConfigError(`script: ${(e as Error).message}`);
    }
    ops.push(filterScript({ scripts: cfg.script, minShare: cfg.scriptMinShare ?? 0.5 }, report));
  }
  if (cfg.languages) ops.push(filterLanguage({ languages: list(cfg.languages) }, report));
  if (cfg.authors || cfg.excludeAuthors) ops.push(filterAuthor({ keep: list(cfg.authors), drop: list(cfg.excludeAuthors) }, report));
  if (cfg.dedupe) ops.push(dedupeExact(report));
  if (cfg.nearDupeThreshold) ops.push(dedupeNear({ threshold: cfg.nearDupeThreshold, shingle: cfg.nearDupeShingle ?? 5, seed: cfg.seed ?? 0 }, report));
  return ops.length === 0 ? identity : (ops.reduce((acc, op) => pipe(acc, op)) as OperatorFunction<CorpusRow, CorpusRow>);
}
