import type { Config } from '../../core/config/schema.ts';
import type { PreferenceData } from './preferenceData.ts';

export interface PrefStartFacts {
  readonly config: Pick<Config, 'lr' | 'ktoLambdaD' | 'ktoLambdaU'>;
  readonly task: 'kto' | 'dpo';
  readonly data: Pick<PreferenceData, 'kto'>;
}

/** Above this peak rate a preference run is almost surely using a pretraining lr (the reference run: 5e-6). */
export const PREF_LR_WARN = 1e-4;

/**
 * Settings a user should hear about before a preference run starts: those that contradict the reference run or TRL's checks (a pretraining learning rate; KTO's weights rule
 * λ_D·n_D / (λ_U·n_U) ∈ [1, 4/3] from the KTO paper, which TRL warns about).
 */
export function prefStartWarnings(f: PrefStartFacts): string[] {
  const out: string[] = [];
  if (f.config.lr > PREF_LR_WARN) out.push(`lr ${f.config.lr} is a pretraining rate; preference tuning moves a trained model a little (the reference KTO run used 5e-6, as configs/${f.task}.yaml does): expect the drift guard to fire`);
  if (f.task === 'kto') {
    const nD = f.data.kto.filter((r) => r.desirable).length;
    const nU = f.data.kto.length - nD;
    const ratio = (f.config.ktoLambdaD * nD) / (f.config.ktoLambdaU * nU);
    if (nD === 0 || nU === 0) out.push(`kto: the training rows are all ${nD === 0 ? 'undesirable' : 'desirable'}; KTO needs both kinds`);
    else if (ratio < 1 || ratio > 4 / 3) {
      out.push(`kto: λ_D·n_D / (λ_U·n_U) = ${f.config.ktoLambdaD}·${nD} / (${f.config.ktoLambdaU}·${nU}) = ${ratio.toFixed(3)}, outside [1, 4/3] (the KTO paper's rule): set kto_lambda_d / kto_lambda_u so the ratio falls inside`);
    }
  }
  return out;
}
