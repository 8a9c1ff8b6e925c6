import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataSourcesOf } from '../../../src/core/config/dataSources.ts';
import { normalizeConfig } from '../../../src/core/config/normalizeConfig.ts';
import { loadConfig } from '../../../src/pipeline/loadConfig.ts';
import { mixtureSources } from '../../../src/pipeline/data/prepareMixture.ts';

describe('data: as a list (a mixture)', () => {
  it('keeps data as the joined paths and data_sources as the canonical list; names default to the file stem', () => {
    const cfg = normalizeConfig({ data: [{ path: 'data/ru_poetry.parquet', weight: 3, name: 'ru' }, 'data/en_poetry.parquet'] });
    expect(cfg.data).toBe('data/ru_poetry.parquet,data/en_poetry.parquet');
    expect(dataSourcesOf(cfg)).toEqual([
      { name: 'ru', path: 'data/ru_poetry.parquet', weight: 3 },
      { name: 'en_poetry', path: 'data/en_poetry.parquet', weight: 1 },
    ]);
    // round trip: the normalised config (as state.json keeps it) normalises to itself
    expect(normalizeConfig({ data: cfg.data, data_sources: cfg.dataSources })).toEqual(cfg);
    // data_mix: balanced gives every source weight 1
    expect(mixtureSources({ ...cfg, dataMix: 'balanced' }).map((s) => s.weight)).toEqual([1, 1]);
    // a plain string stays a single corpus
    expect(dataSourcesOf(normalizeConfig({ data: 'data/ru_poetry.parquet' }))).toEqual([]);
  });

  it('refuses bad entries, naming the entry', () => {
    const bad = (data: unknown) => () => normalizeConfig({ data }, 'my.yaml');
    expect(bad([{ path: 'a.jsonl', weight: 0 }])).toThrow(/my\.yaml: data\[0\] \(a\.jsonl\): weight must be a number > 0, got 0/);
    expect(bad([{ path: 'a.jsonl', weight: -1 }])).toThrow(/weight must be a number > 0/);
    expect(bad([{ path: 'a.jsonl', name: 'x' }, { path: 'b.jsonl', name: 'x' }])).toThrow(/data\[1\] \(b\.jsonl\): name "x" is also entry 0's \(a\.jsonl\)/);
    expect(bad([{ path: 'en/a.jsonl' }, { path: 'it/a.jsonl' }])).toThrow(/name "a" is also entry 0's/);
    expect(bad([{ path: 'a.jsonl', name: 'e-n' }])).toThrow(/name must be letters, digits or _/);
    expect(bad([{ weight: 1 }])).toThrow(/data\[0\]: path must be a non-empty string/);
    expect(bad([{ path: 'a.jsonl', wieght: 2 }])).toThrow(/data\[0\]: unknown key "wieght"/);
    expect(bad([])).toThrow(/data: an empty list/);
    expect(() => normalizeConfig({ data: 'x.jsonl', data_sources: '[{"path":"y.jsonl"}]' }, 'cli')).toThrow(/data "x\.jsonl" is not the mixture's paths "y\.jsonl"/);
  });

  it('--data on the command line replaces a config file\'s mixture', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vf-mixcfg-'));
    const file = join(dir, 'mix.yaml');
    writeFileSync(file, 'data:\n  - {path: data/ru_poetry.parquet, weight: 2, name: ru}\n  - {path: data/en_poetry.parquet, name: en}\n');
    expect(dataSourcesOf(loadConfig(file)).map((s) => s.name)).toEqual(['ru', 'en']);
    const single = loadConfig(file, { data: 'data/fr_poetry.parquet' });
    expect([single.data, single.dataSources]).toEqual(['data/fr_poetry.parquet', '']);
  });
});
