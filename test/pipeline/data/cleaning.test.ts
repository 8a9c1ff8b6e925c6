import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { normalizeConfig } from '../../../src/core/config/normalizeConfig.ts';
import type { RunStartEvent } from '../../../src/core/events.ts';
import { formatEvent } from '../../../src/dashboard/formatEvent.ts';
import { cleaningSpec } from '../../../src/pipeline/data/cleaning.ts';
import { FILTERS_FILE } from '../../../src/pipeline/data/filterReports.ts';
import { prepareData, resolveTokenizer } from '../../../src/pipeline/data/prepareData.ts';
import { tmpCorpus } from '../../streams/sources/tmpCorpus.ts';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

const POEM = 'Мой дядя самых честных правил, когда не в шутку занемог, он уважать себя заставил и лучше выдумать не мог';
const rows = [
  { text: POEM, author: 'Пушкин' }, // kept
  { text: POEM, author: 'Пушкин' }, // exact duplicate
  { text: `${POEM}!`, author: 'Пушкин' }, // near-duplicate
  { text: 'Белеет парус одинокой в тумане моря голубом[1]', author: 'Лермонтов' }, // kept, marker removed
  { text: 'The sail is white and lonely in the blue sea mist', author: 'Lermontov' }, // Latin
  { text: 'Коротко', author: 'Тютчев' }, // 7 characters
  { text: 'Умом Россию не понять, аршином общим не измерить', author: 'Графоман' }, // excluded author
  { text: '[2]\n12', author: 'Тютчев' }, // apparatus only: emptied
  { text: 'Люблю грозу в начале мая, когда весенний первый гром', author: 'Тютчев' }, // kept
];
const jsonl = rows.map((r) => JSON.stringify(r)).join('\n');

describe('cleaning filters in data preparation', () => {
  it('runs each filter in order, reports its drops, records them beside the token cache, and keys the cache by them', async () => {
    const t = tmpCorpus({ 'poems.jsonl': jsonl });
    cleanups.push(t.remove);
    const cfg = normalizeConfig({
      data: join(t.dir, 'poems.jsonl'),
      cache_dir: join(t.dir, 'cache'),
      val_fraction: 0,
      context: 16,
      strip_apparatus: true,
      min_chars: 10,
      script: 'Cyrillic',
      exclude_authors: 'Графоман',
      dedupe: true,
      near_dupe_threshold: 0.8,
    });
    const { tokenizer } = await resolveTokenizer(cfg);
    expect([...tokenizer.decode(tokenizer.encode('[]'))]).not.toContain('['); // the vocabulary never saw the removed markers
    const cold = await prepareData(cfg, tokenizer);
    const expected = [
      { filter: 'strip_apparatus', seen: 9, dropped: 1, changed: 1 },
      { filter: 'length_chars', seen: 8, dropped: 1 },
      { filter: 'script', seen: 7, dropped: 1 },
      { filter: 'authors', seen: 6, dropped: 1 },
      { filter: 'dedupe', seen: 5, dropped: 1 },
      { filter: 'near_dupes', seen: 4, dropped: 1 },
    ];
    expect(cold.filters).toEqual(expected);
    expect(cold.docs).toEqual({ train: 3, val: 0 });
    expect(cold.cache.hit).toBe(false);
    expect(existsSync(join(cold.cache.path!, FILTERS_FILE))).toBe(true);
    cold.close();

    // warm: the same documents from the cache, and the recorded reports
    const warm = await prepareData(cfg, tokenizer);
    expect([warm.cache.hit, warm.cache.path, warm.filters, warm.docs]).toEqual([true, cold.cache.path, expected, cold.docs]);
    warm.close();

    // another filter setting is another cache; token bounds are read from the index, the cache reused
    const other = await prepareData({ ...cfg, dedupe: false, nearDupeThreshold: 0 }, tokenizer);
    expect(other.cache.path).not.toBe(cold.cache.path);
    expect(other.docs.train).toBe(5);
    other.close();
    const bounded = await prepareData({ ...cfg, minTokens: 50 }, tokenizer);
    expect(bounded.cache.hit).toBe(true);
    // char tokens = characters: the kept texts have 103, 44 (marker removed) and 51
    expect(bounded.filters!.at(-1)).toEqual({ filter: 'length_tokens', seen: 3, dropped: 1 });
    expect(bounded.docs.train).toBe(2);
    bounded.close();
  });

  it('names the filters in the fingerprint, prints them at start, and refuses a bad script or pattern', async () => {
    expect(cleaningSpec(normalizeConfig({}))).toBe('');
    expect(cleaningSpec(normalizeConfig({ dedupe: true, min_chars: 5, near_dupe_threshold: 0.7, seed: 3 }))).toBe('chars=5..0; dedupe; near_dupes=0.7/5/seed 3');
    const start = { type: 'run/start', step: 0, time: 0, name: 'x', config: {}, params: 1, backend: 'cpu', device: 'cpu', data: 'd', totalSteps: 1, trainTokens: 1, valTokens: 1, vocabSize: 2, filters: [{ filter: 'strip_apparatus', seen: 2175, dropped: 0, changed: 41 }, { filter: 'dedupe', seen: 2175, dropped: 3 }] } as RunStartEvent;
    expect(formatEvent(start)).toContain('filters: strip_apparatus dropped 0 (changed 41) of 2,175; dedupe dropped 3 of 2,175');
    const t = tmpCorpus({ 'p.jsonl': jsonl });
    cleanups.push(t.remove);
    const base = { data: join(t.dir, 'p.jsonl'), token_cache: false };
    await expect(resolveTokenizer(normalizeConfig({ ...base, script: 'Cyrilic' }))).rejects.toThrow(/script: unknown Unicode script "Cyrilic"/);
    await expect(resolveTokenizer(normalizeConfig({ ...base, strip_pattern: '[' }))).rejects.toThrow(/strip_pattern: not a regular expression/);
  });
});
