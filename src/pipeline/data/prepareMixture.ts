import type { ExampleSet } from '../../core/batch.ts';
import { type DataSource, dataSourcesOf } from '../../core/config/dataSources.ts';
import type { Config } from '../../core/config/schema.ts';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import { DataError } from '../../core/errors/DataError.ts';
import type { Tokenizer } from '../../model/tokenizer/types.ts';
import { expandCorpusPaths } from '../../streams/sources/expandCorpusPaths.ts';
import type { PreparedData, PrepareDataConfig, PrepareDataOptions } from './prepareData.ts';

/** One source of a mixture, prepared: its own training and validation examples. */
export interface PreparedSource {
  readonly name: string;
  readonly path: string;
  /** Its sampling weight as used (1 for every source with data_mix: balanced). */
  readonly weight: number;
  readonly train: ExampleSet;
  readonly val: ExampleSet;
  readonly trainTokens: number;
  readonly valTokens: number;
  readonly docs: { readonly train: number; readonly val: number };
}

/** The mixture's sources with the weights `data_mix` gives them. */
export function mixtureSources(cfg: Pick<Config, 'data'> & Partial<Pick<Config, 'dataSources' | 'dataMix'>>): readonly DataSource[] {
  const sources = dataSourcesOf({ data: cfg.data, dataSources: cfg.dataSources ?? '' });
  return cfg.dataMix === 'balanced' ? sources.map((s) => ({ ...s, weight: 1 })) : sources;
}

/**
 * Each source of a mixture prepared as a corpus of its own (`one`: prepareData on `{...cfg, data:
 * path}`, so each has its token cache, split and layout), then put side by side: `train` and `val`
 * are all sources' examples back to back (the mixed validation loss is over every source's
 * validation tokens), `sources` each one's. A source whose path names nothing is a ConfigError
 * naming the entry.
 */
export async function prepareMixture(
  cfg: PrepareDataConfig,
  tokenizer: Tokenizer,
  opts: PrepareDataOptions,
  one: (cfg: PrepareDataConfig, tokenizer: Tokenizer, opts: PrepareDataOptions) => Promise<PreparedData>,
): Promise<PreparedData> {
  const sources = mixtureSources(cfg);
  for (const [i, s] of sources.entries()) {
    await expandCorpusPaths(s.path).catch((e: unknown) => {
      throw e instanceof DataError ? new ConfigError(`data[${i}] (${s.name}): ${e.message}`) : e;
    });
  }
  const done: PreparedData[] = [];
  try {
    for (const s of sources) done.push(await one({ ...cfg, data: s.path, dataSources: '' }, tokenizer, opts));
  } catch (e) {
    for (const d of done) d.close();
    throw e;
  }
  const prepared: PreparedSource[] = done.map((d, k) => ({ name: sources[k].name, path: sources[k].path, weight: sources[k].weight, train: d.train, val: d.val, trainTokens: d.trainTokens, valTokens: d.valTokens, docs: d.docs }));
  const train = concatExamples(done.map((d) => d.train));
  const val = concatExamples(done.map((d) => d.val));
  const filters = done.flatMap((d, k) => (d.filters ?? []).map((f) => ({ ...f, filter: `${sources[k].name}/${f.filter}` })));
  return {
    tokenizer,
    train,
    val,
    trainTokens: train.tokens,
    valTokens: val.tokens,
    docs: { train: done.reduce((n, d) => n + d.docs.train, 0), val: done.reduce((n, d) => n + d.docs.val, 0) },
    cache: { hit: done.every((d) => d.cache.hit), path: done[0].cache.path, warnings: done.flatMap((d) => d.cache.warnings) },
    sources: prepared,
    ...(filters.length ? { filters } : {}),
    close: () => done.forEach((d) => d.close()),
  };
}

/** Example sets back to back, as one (no copy). */
export function concatExamples(sets: readonly ExampleSet[]): ExampleSet {
  const start = new Float64Array(sets.length + 1);
  sets.forEach((s, k) => (start[k + 1] = start[k] + s.length));
  const length = start[sets.length];
  const locate = (i: number): [ExampleSet, number] => {
    if (!(i >= 0 && i < length)) throw new RangeError(`example ${i} is out of range 0..${length - 1}`);
    let k = 0;
    while (i >= start[k + 1]) k++;
    return [sets[k], i - start[k]];
  };
  return {
    length,
    tokens: sets.reduce((n, s) => n + s.tokens, 0),
    at: (i) => {
      const [s, j] = locate(i);
      return s.at(j);
    },
    countedLength: (i) => {
      const [s, j] = locate(i);
      return s.countedLength(j);
    },
  };
}
