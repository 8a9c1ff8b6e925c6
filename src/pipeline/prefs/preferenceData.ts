import type { Config } from '../../core/config/schema.ts';
import { DataError } from '../../core/errors/DataError.ts';
import type { KtoRow, PreferencePair } from '../../model/nn/preference/preferenceStep.ts';
import { permutation } from '../../model/nn/rng.ts';
import type { Tokenizer } from '../../model/tokenizer/types.ts';
import { preferenceEncoder } from './encodePreference.ts';
import { pairUp, type PreferenceRecord, readPreferenceRecords, unpair } from './preferenceRecords.ts';

/** A preference run's data, tokenised: training rows (KTO) or pairs (DPO), held-out pairs, quality prompts. */
export interface PreferenceData {
  readonly kto: readonly KtoRow[];
  readonly dpo: readonly PreferencePair[];
  /** Held-out pairs for the accuracy of preferring chosen (paired rows, or unpaired ones matched by prompt). */
  readonly val: readonly PreferencePair[];
  /** Distinct held-out prompts (training prompts when none is held out) for the generation-quality check. */
  readonly qualityPrompts: readonly (readonly number[])[];
  readonly records: number;
  readonly valRecords: number;
}

/**
 * Reads `data` (TRL's paired or unpaired rows), holds out val_fraction of its distinct prompts with
 * all their rows (seeded), and
 * tokenises: KTO trains on the unpaired view (a pair gives a desirable and an undesirable row), DPO
 * on the paired view (unpaired rows matched by prompt).
 * @throws DataError when the task finds nothing to train on (e.g. DPO over unpaired rows that never share a prompt).
 */
export async function preferenceData(cfg: Pick<Config, 'data' | 'valFraction' | 'seed' | 'prefQualityPrompts'>, tokenizer: Tokenizer, task: 'kto' | 'dpo'): Promise<PreferenceData> {
  const records = await readPreferenceRecords(cfg.data);
  // held out by prompt, so no prompt is both trained on and measured (generated data repeats each prompt once per preset)
  const groups = new Map<string, PreferenceRecord[]>();
  for (const r of records) {
    const key = JSON.stringify(r.prompt);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const prompts = [...groups.values()];
  const nVal = prompts.length > 1 ? Math.min(prompts.length - 1, Math.round(cfg.valFraction * prompts.length)) : 0;
  const val: PreferenceRecord[] = [];
  const train: PreferenceRecord[] = [];
  permutation(prompts.length, cfg.seed).forEach((i, k) => (k < nVal ? val : train).push(...prompts[i]));
  let encode: ReturnType<typeof preferenceEncoder>;
  try {
    encode = preferenceEncoder(tokenizer);
  } catch (e) {
    throw new DataError(`${cfg.data}: ${(e as Error).message}`);
  }
  const enc = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw e instanceof DataError ? e : new DataError(`${cfg.data}: ${(e as Error).message}`);
    }
  };
  const kto = task === 'kto' ? enc(() => unpair(train).map((r) => ({ ...encode(r.prompt, r.completion), desirable: r.label }))) : [];
  const pairsOf = (rs: readonly PreferenceRecord[]) =>
    enc(() =>
      pairUp(rs).map((p) => {
        const c = encode(p.prompt, p.chosen);
        return { prompt: c.prompt, chosen: c.completion, rejected: encode(p.prompt, p.rejected).completion };
      }),
    );
  const dpo = task === 'dpo' ? pairsOf(train) : [];
  if (task === 'dpo' && dpo.length === 0) throw new DataError(`${cfg.data}: no (prompt, chosen, rejected) pair to train DPO on; unpaired rows pair up only when a prompt has both a true and a false completion`);
  if (task === 'kto' && kto.length === 0) throw new DataError(`${cfg.data}: no training rows for KTO`);
  const seen = new Set<string>();
  const qualityPrompts: (readonly number[])[] = [];
  for (const r of val.length ? val : train) {
    const key = JSON.stringify(r.prompt);
    if (seen.has(key) || qualityPrompts.length >= cfg.prefQualityPrompts) continue;
    seen.add(key);
    qualityPrompts.push(enc(() => encode(r.prompt, typeof r.prompt === 'string' ? '' : [{ role: 'assistant', content: 'x' }]).prompt));
  }
  return { kto, dpo, val: pairsOf(val), qualityPrompts, records: records.length, valRecords: val.length };
}
