import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { behaviourMetrics } from '../../src/eval/behaviour.ts';
import { rankRows, type SweepRow, sweepScore } from '../../src/eval/decodingSweep.ts';
import { parseGenJsonl } from '../../src/eval/genRecords.ts';
import { captureIO } from './checkpointFixture.ts';

/** A tiny char model trained 40 steps on 300 poems of the shipped corpus. */
const run = mkdtempSync(join(tmpdir(), 'vf-sweep-'));
const TRAIN = ['train', '--config', 'tiny', '--max-steps', '40', '--out', run, '--max-docs', '300', '--context', '64', '--batch-size', '8', '--layers', '2', '--hidden', '64',
  '--eval-every', '0', '--eval-batches', '1', '--log-every', '20', '--sample-tokens', '0', '--backend', 'wasm', '--no-ws'];

const cli = async (...args: string[]) => {
  const c = captureIO();
  const code = await main(args, c.io);
  return { code, out: c.out(), err: c.err() };
};

beforeAll(async () => {
  const r = await cli(...TRAIN);
  expect(r.code).toBe(0);
}, 60_000);

const PROMPTS = ['--prompts-from', 'val', '--n', '6', '--prompt-tokens', '3', '--max-new-tokens', '40', '--backend', 'wasm'];

describe('versiflow eval sweep', () => {
  it('scores each setting by the stated objective over the behaviour metrics of exactly what generate makes; re-runs the top ones held out; writes the four files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vf-sweep-files-'));
    const holdoutFile = join(dir, 'holdout.txt');
    writeFileSync(holdoutFile, 'Я помню\nМы\nНочь, улица\n');
    // the same generations through `generate` + behaviour metrics, for the focused preset
    const gen = join(dir, 'focused.jsonl');
    expect((await cli('generate', '--checkpoint', run, ...PROMPTS, '--temperature', '0.7', '--top-k', '20', '--top-p', '0.9', '--repetition-penalty', '1.1', '--no-repeat-ngram', '3', '--out', gen)).code).toBe(0);
    const focused = behaviourMetrics(parseGenJsonl(readFileSync(gen, 'utf8')));

    const r = await cli('eval', 'sweep', '--checkpoint', run, ...PROMPTS, '--presets', 'focused,balanced', '--grid', 'temperature=0.5,1.2', 'top_k=20', '--holdout-prompts', holdoutFile, '--top', '2', '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out) as { recommended: Record<string, unknown>; tuning: SweepRow[]; holdout: SweepRow[] };
    expect(res.tuning.map((x) => x.name).sort()).toEqual(['balanced', 'focused', 't0.5_k20_p1_rp1_nr0', 't1.2_k20_p1_rp1_nr0']);
    const f = res.tuning.find((x) => x.name === 'focused')!;
    expect({ texts: f.texts, distinct_2: f.distinct_2, repeated_4gram_rate: f.repeated_4gram_rate, loop_rate: f.loop_rate, completion_rate: f.completion_rate }).toEqual(focused);
    for (const row of [...res.tuning, ...res.holdout]) expect(row.score).toBe(sweepScore(row));
    expect(res.tuning.map((x) => x.score)).toEqual([...res.tuning.map((x) => x.score)].sort((a, b) => b - a));
    // the top 2 of tuning re-run on the 3 held-out prompts; the best there is recommended
    expect(res.holdout.map((x) => x.name).sort()).toEqual(rankRows(res.tuning).slice(0, 2).map((x) => x.name).sort());
    expect(res.holdout.every((x) => x.texts === 3)).toBe(true);
    const best = res.holdout[0];
    expect(res.recommended).toMatchObject({ name: best.name, temperature: best.temperature, top_k: best.top_k, top_p: best.top_p, repetition_penalty: best.repetition_penalty, no_repeat_ngram_size: best.no_repeat_ngram_size, max_new_tokens: 40, prompts: { tuning: 6, holdout: 3 }, step: 40 });

    // files in the run directory (the default --out)
    const csv = readFileSync(join(run, 'tuning_leaderboard.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('rank,name,score,distinct_2,repeated_4gram_rate,loop_rate,completion_rate,temperature,top_k,top_p,repetition_penalty,no_repeat_ngram_size,texts,tokens,seconds');
    expect(csv).toHaveLength(5);
    expect(csv[1].split(',').slice(0, 2)).toEqual(['1', res.tuning[0].name]);
    expect(readFileSync(join(run, 'holdout_leaderboard.csv'), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(JSON.parse(readFileSync(join(run, 'recommended_decoding.json'), 'utf8'))).toEqual(res.recommended);
    const gc = JSON.parse(readFileSync(join(run, 'generation_config.json'), 'utf8'));
    expect(gc).toMatchObject({ do_sample: best.temperature > 0, repetition_penalty: best.repetition_penalty, no_repeat_ngram_size: best.no_repeat_ngram_size, max_new_tokens: 40, max_length: 64 });
    expect(Object.keys(gc)).toEqual(expect.arrayContaining(['bos_token_id', 'eos_token_id', 'pad_token_id']));
  }, 90_000);

  it('generate takes recommended_decoding.json in the run as its defaults (said on stderr); explicit flags win; export writes it into generation_config.json', async () => {
    const rec = JSON.parse(readFileSync(join(run, 'recommended_decoding.json'), 'utf8'));
    const file = join(run, 'recommended_decoding.json');
    const byDefault = await cli('generate', '--checkpoint', join(run, 'checkpoints', 'step-0000040'), '--prompt', 'Я', '--max-new-tokens', '30', '--seed', '3', '--backend', 'wasm');
    expect(byDefault.err).toContain(`decoding defaults from ${file}: --temperature ${rec.temperature} --top-k ${rec.top_k} --top-p ${rec.top_p} --repetition-penalty ${rec.repetition_penalty} --no-repeat-ngram ${rec.no_repeat_ngram_size}\n`);
    const explicit = await cli('generate', '--checkpoint', run, '--prompt', 'Я', '--max-new-tokens', '30', '--seed', '3', '--backend', 'wasm',
      '--temperature', String(rec.temperature), '--top-k', String(rec.top_k), '--top-p', String(rec.top_p), '--repetition-penalty', String(rec.repetition_penalty), '--no-repeat-ngram', String(rec.no_repeat_ngram_size));
    expect(explicit.err).toContain('none (every setting given as a flag)');
    expect(byDefault.out).toBe(explicit.out);
    const greedy = await cli('generate', '--checkpoint', run, '--prompt', 'Я', '--max-new-tokens', '30', '--temperature', '0', '--backend', 'wasm');
    expect(greedy.err).toMatch(/decoding defaults from .*: --top-k/);
    expect(greedy.err).not.toMatch(/--temperature/);

    const out = mkdtempSync(join(tmpdir(), 'vf-sweep-hf-'));
    expect((await cli('export', '--checkpoint', run, '--format', 'hf', '--out', out, '--force')).code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'generation_config.json'), 'utf8'))).toMatchObject({ repetition_penalty: rec.repetition_penalty, no_repeat_ngram_size: rec.no_repeat_ngram_size });
  }, 60_000);

  it('refuses an unknown grid key, a stray argument and both holdout flags', async () => {
    expect((await cli('eval', 'sweep', '--checkpoint', run, ...PROMPTS, '--grid', 'beams=2')).err).toMatch(/grid axis "beams=2"/);
    expect((await cli('eval', 'sweep', '--checkpoint', run, ...PROMPTS, 'oops')).err).toMatch(/unexpected argument "oops"/);
    expect((await cli('eval', 'sweep', '--checkpoint', run, ...PROMPTS, '--holdout-prompts', 'x', '--holdout-fraction', '0.2')).err).toMatch(/not both/);
  });
});
