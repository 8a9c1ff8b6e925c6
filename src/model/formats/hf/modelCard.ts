import { stringify } from 'yaml';
import type { HfArch, HfFamily } from './hfFamily.ts';

/** What a run's files say about a checkpoint, at or before its step. */
export interface RunMetrics {
  readonly step: number;
  readonly trainLoss?: number;
  readonly valLoss?: number;
  readonly bestValLoss?: number;
  readonly tokensPerSec?: number;
  readonly elapsedS?: number;
  /** Which file they came from. */
  readonly source: string;
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * Metrics of the run up to `step`, from history.csv (`step,epoch,loss,val_loss,lr,tokens_per_sec,
 * elapsed_s`) or, without it, metrics.jsonl (train/step and eval events). Null when neither has a row.
 */
export function runMetrics(step: number, files: { readonly historyCsv?: string; readonly metricsJsonl?: string }): RunMetrics | null {
  let m: { trainLoss?: number; valLoss?: number; bestValLoss?: number; tokensPerSec?: number; elapsedS?: number; step: number } | null = null;
  const see = (s: number, loss?: number, val?: number, tps?: number, el?: number) => {
    if (s > step) return;
    m ??= { step: s };
    m.step = Math.max(m.step, s);
    if (finite(loss)) m.trainLoss = loss;
    if (finite(tps)) m.tokensPerSec = tps;
    if (finite(el)) m.elapsedS = el;
    if (finite(val)) {
      m.valLoss = val;
      m.bestValLoss = Math.min(m.bestValLoss ?? Infinity, val);
    }
  };
  if (files.historyCsv) {
    const [head, ...rows] = files.historyCsv.trim().split('\n');
    const cols = head.split(',');
    const at = (r: string[], c: string) => (cols.includes(c) && r[cols.indexOf(c)] !== '' ? Number(r[cols.indexOf(c)]) : undefined);
    for (const line of rows) {
      const r = line.split(',');
      const s = at(r, 'step');
      if (finite(s)) see(s, at(r, 'loss'), at(r, 'val_loss'), at(r, 'tokens_per_sec'), at(r, 'elapsed_s'));
    }
    if (m) return { ...(m as RunMetrics), source: 'history.csv' };
  }
  if (files.metricsJsonl) {
    for (const line of files.metricsJsonl.split('\n')) {
      let e: Record<string, unknown>;
      try {
        e = JSON.parse(line);
      } catch {
        continue; // a torn last line of a crashed run
      }
      if (!finite(e.step)) continue;
      if (e.type === 'train/step') see(e.step, e.loss as number, undefined, e.tokPerSec as number, e.elapsedS as number);
      if (e.type === 'eval') see(e.step, undefined, e.valLoss as number);
    }
    if (m) return { ...(m as RunMetrics), source: 'metrics.jsonl' };
  }
  return null;
}

export interface ModelCardInput {
  readonly name: string;
  readonly family: HfFamily;
  readonly arch: HfArch;
  /** Versiflow's parameter count, and the exported state dict's (tied embeddings once). */
  readonly params: number;
  readonly exportedParams: number;
  readonly step: number;
  /** The checkpoint's resolved config, snake_case keys. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly tokenizer: { readonly kind: 'char' | 'bpe'; readonly vocabSize: number };
  readonly language: readonly string[];
  readonly license: string;
  readonly datasets: readonly string[];
  readonly metrics: RunMetrics | null;
  /** The checkpoint's own validation losses (state.json). */
  readonly checkpointValLoss: number | null;
  readonly checkpointBestValLoss: number | null;
  /** How the export changed the weights' form (folds, permutations, zero biases). */
  readonly notes: readonly string[];
}

const RECIPE_KEYS = [
  'data', 'layout', 'tokenizer', 'normalize', 'context', 'batch_size', 'max_steps', 'epochs', 'lr', 'schedule', 'warmup_steps', 'warmup_ratio', 'decay_ratio',
  'min_lr_ratio', 'weight_decay', 'beta1', 'beta2', 'adam_eps', 'grad_clip', 'dropout', 'seed',
];
const ARCH_KEYS = [
  'vocab_size', 'context', 'layers', 'hidden', 'norm', 'norm_eps', 'norm_bias', 'positions', 'rope_theta', 'rope_style', 'attention', 'heads', 'kv_heads', 'head_dim', 'kv_latent',
  'attn_bias', 'mlp', 'gelu', 'ffn', 'mlp_bias', 'fused_gate_up', 'tied',
];

const fmt = (x: unknown): string => (typeof x === 'number' ? (Number.isInteger(x) ? x.toLocaleString('en-US') : String(Number(x.toPrecision(6)))) : `\`${String(x)}\``);
const fixed = (x: number | undefined | null, d = 4): string => (x === undefined || x === null ? '–' : x.toFixed(d));

/** README.md of an export: YAML front matter (language, license, tags, datasets) and the card. */
export function modelCard(c: ModelCardInput): string {
  const cls = c.family === 'llama' ? 'LlamaForCausalLM' : 'GPT2LMHeadModel';
  const front = stringify({
    language: [...c.language],
    license: c.license,
    library_name: 'transformers',
    pipeline_tag: 'text-generation',
    tags: ['versiflow', c.family, 'text-generation', c.tokenizer.kind === 'char' ? 'character-level' : 'byte-level-bpe', 'causal-lm'],
    datasets: [...c.datasets],
  });
  const row = (k: string, v: unknown) => `| ${k} | ${fmt(v)} |`;
  const arch = ARCH_KEYS.filter((k) => k in c.config).map((k) => row(k, c.config[k]));
  const recipe = RECIPE_KEYS.filter((k) => k in c.config).map((k) => row(k, c.config[k]));
  const m = c.metrics;
  const val = m?.valLoss ?? c.checkpointValLoss ?? undefined;
  const best = m?.bestValLoss ?? c.checkpointBestValLoss ?? undefined;
  const metrics = [
    '| metric | value |',
    '|---|---|',
    `| steps trained | ${c.step.toLocaleString('en-US')} |`,
    `| train loss (last logged) | ${fixed(m?.trainLoss)} |`,
    `| validation loss (last evaluation) | ${fixed(val)} |`,
    `| validation perplexity | ${val === undefined ? '–' : Math.exp(val).toFixed(3)} |`,
    `| best validation loss | ${fixed(best)} |`,
    ...(m?.tokensPerSec ? [`| training tokens/s (last logged) | ${Math.round(m.tokensPerSec).toLocaleString('en-US')} |`] : []),
    ...(m?.elapsedS ? [`| training time | ${(m.elapsedS / 60).toFixed(1)} min |`] : []),
  ];
  const V = c.arch.vocabSize;
  return `---
${front}---

# ${c.name}

A ${c.family === 'llama' ? 'Llama-architecture' : 'GPT-2-architecture'} causal language model trained from scratch with
Versiflow (TypeScript, RxJS, tfjs) and exported to Hugging Face
Transformers' \`${cls}\` (safetensors, float32). ${c.params.toLocaleString('en-US')} parameters in Versiflow's form;
${c.exportedParams.toLocaleString('en-US')} in this export's state dict (tied embeddings counted once).

\`\`\`python
from transformers import AutoModelForCausalLM, AutoTokenizer
tok = AutoTokenizer.from_pretrained("PATH")
model = AutoModelForCausalLM.from_pretrained("PATH")
ids = tok("${c.tokenizer.kind === 'char' ? 'Я помню' : 'Once'}", return_tensors="pt").input_ids
print(tok.decode(model.generate(ids, max_new_tokens=100, do_sample=True)[0], skip_special_tokens=True))
\`\`\`

Prompts are encoded without a BOS token, as the model was trained: documents end with the EOS token,
so a text starts after one (\`bos_token\` is the EOS token; to generate from nothing, start from it).
Tokenizer: ${c.tokenizer.kind === 'char' ? `character-level, ${c.tokenizer.vocabSize} ids ([PAD] 0, [EOS] 1, [UNK] 2, then one id per character; a literal "[EOS]" string in a text is the special token here, five characters in Versiflow)` : `byte-level BPE, ${c.tokenizer.vocabSize} ids (the same ids as Hugging Face tokenizers)`}.

## Architecture

| key | value |
|---|---|
${arch.join('\n')}
${c.notes.length ? `\nExport notes:\n${c.notes.map((n) => `- ${n}`).join('\n')}\n` : ''}
## Training recipe

From the checkpoint's config (step ${c.step.toLocaleString('en-US')}):

| key | value |
|---|---|
${recipe.join('\n')}

## Metrics

${metrics.join('\n')}
${m ? `\nFrom the run's ${m.source} up to step ${m.step.toLocaleString('en-US')}.` : '\nThe run\'s history.csv and metrics.jsonl were not found; the losses are those recorded in the checkpoint.'}

## Watermark

The weights carry no watermark. Versiflow can watermark text when it generates it
(\`versiflow generate --watermark poetru|keyed|lefthash [--watermark-key K]\`): a Kirchenbauer et al.
green-list watermark (γ = 0.25, δ = 2) over this model's ${V.toLocaleString('en-US')}-id vocabulary. Text generated
with Transformers from this export is not watermarked. To test a text for the watermark:

\`\`\`
versiflow watermark detect --scheme poetru --vocab-size ${V} --text-file texts.jsonl --tokenizer tokenizer.json
\`\`\`

(one JSON line per text: z-score, green count, p-value; watermarked when z ≥ 4; add \`--key K\` for the keyed schemes).
`;
}
