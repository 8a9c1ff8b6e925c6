import { countParams, resolveGptConfig } from '../../model/nn/gptConfig.ts';
import { duration } from '../train/startupWarnings.ts';
import { loadConfig } from '../loadConfig.ts';
import type { Recipe, RecipeContext, TrainingPlan } from './recipe.ts';

/**
 * Measured speeds the plan scales from (docs/benchmarks.md), as effective training FLOP/s = tokens/s ×
 * 6 × parameters. A plan is an estimate: 6·N·D ignores attention's T² term, and models of other shapes run
 * at other efficiencies than the one measured.
 */
export const MEASURED_SPEEDS = [
  {
    machine: 'this machine (2 CPU cores, wasm)',
    flops: 82 * 6 * 74_899_072,
    source: 'docs/benchmarks.md: configs/75m.yaml (74,899,072 parameters) trains at 82 tokens/s at 1 × 512 on the wasm backend with the native GEMM (bench cpu) of the 2-core development machine',
  },
  {
    machine: 'one NVIDIA H200 (webgpu, Versiflow kernels)',
    flops: 25.8e12,
    source: 'docs/benchmarks.md: configs/75m.yaml at B=32 with kernels: auto, 51,958 tokens/s = 25.8 TFLOP/s on an H200',
  },
] as const;

export interface TrainingEstimate {
  readonly stage: string;
  readonly config: string;
  readonly params: number;
  readonly steps: number;
  readonly tokensPerStep: number;
  readonly tokens: number;
  readonly flops: number;
  /** Seconds on each of MEASURED_SPEEDS, in order. */
  readonly seconds: readonly number[];
}

/** Parameters, steps, tokens and time of one training stage at its config and flags. */
export function estimateTraining(stage: string, plan: TrainingPlan): TrainingEstimate {
  const cfg = loadConfig(plan.config, plan.flags);
  const shape = plan.architecture ? loadConfig(plan.architecture, plan.flags) : cfg;
  const vocabSize = shape.vocabSize > 0 ? shape.vocabSize : (plan.vocabGuess ?? 256);
  const params = countParams(resolveGptConfig({ ...shape, vocabSize }));
  const tokensPerStep = cfg.batchSize * shape.context;
  // a decay-only tail runs decay_steps steps from its checkpoint, whatever max_steps says
  const steps = cfg.decayFrom ? cfg.decaySteps : cfg.maxSteps;
  const tokens = steps * tokensPerStep;
  const flops = 6 * params * tokens;
  return { stage, config: plan.config, params, steps, tokensPerStep, tokens, flops, seconds: MEASURED_SPEEDS.map((m) => flops / m.flops) };
}

const millions = (n: number): string => (n >= 1e9 ? `${(n / 1e9).toFixed(2)}B` : `${(n / 1e6).toFixed(n < 1e7 ? 2 : 1)}M`);

/** The plan printout: every stage, and for training stages their size and expected time, with the figures' sources. */
export function planRecipe(recipe: Recipe, ctx: RecipeContext): { lines: string[]; estimates: TrainingEstimate[] } {
  const stages = recipe.stages(ctx);
  const estimates: TrainingEstimate[] = [];
  const lines = [`recipe ${recipe.name} at ${ctx.scale} scale → ${ctx.out}`, `published: ${recipe.published}`];
  for (const [i, s] of stages.entries()) {
    lines.push(`${i + 1}. ${s.name}: ${s.does}`);
    if (!s.training) continue;
    const e = estimateTraining(s.name, s.training);
    if (e.steps === 0) {
      lines.push(`   ${e.config}: ${millions(e.params)} parameters; its length is set by epochs over the corpus, so steps and time are known once the corpus is tokenized (train prints them at start)`);
      continue;
    }
    estimates.push(e);
    lines.push(
      `   ${e.config}: ${millions(e.params)} parameters, ${e.steps.toLocaleString('en-US')} steps × ${e.tokensPerStep.toLocaleString('en-US')} tokens = ${millions(e.tokens)} tokens, ${e.flops.toExponential(2)} FLOP (6·N·D)`,
      ...MEASURED_SPEEDS.map((m, j) => `   expected on ${m.machine}: ${duration(e.seconds[j])}`),
    );
  }
  if (estimates.length > 1) {
    lines.push(`all training: ${MEASURED_SPEEDS.map((m, j) => `${duration(estimates.reduce((t, e) => t + e.seconds[j], 0))} on ${m.machine}`).join(', ')}`);
  }
  lines.push('speeds from:', ...MEASURED_SPEEDS.map((m) => `   ${m.machine}: ${m.source}`));
  return { lines, estimates };
}
