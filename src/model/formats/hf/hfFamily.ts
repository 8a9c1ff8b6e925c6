import type { GptConfig } from '../../../core/config/gptConfig.ts';
import { ConfigError } from '../../../core/errors/ConfigError.ts';

/** The resolved architecture an export reads (core's GptConfig, which model/nn resolves). */
export type HfArch = GptConfig;

/** The Transformers classes an export can be: LlamaForCausalLM or GPT2LMHeadModel. */
export type HfFamily = 'llama' | 'gpt2';

/**
 * Which Transformers class computes exactly what this model computes, or a ConfigError naming every
 * key that has no equivalent (and what would make it exportable).
 *
 * - llama: RMSNorm without bias, RoPE (half-split is Llama's rotate_half; interleaved is exported by
 *   permuting q/k rows per head, which leaves q·k unchanged), SwiGLU (fused gate_up split in two),
 *   MHA or GQA; latent K/V is linear, so kv_down·k_up and kv_down·v_up fold into k_proj and v_proj;
 *   attention_bias (q, k, v, o) and mlp_bias (gate, up, down) from attn_bias and mlp_bias.
 * - gpt2: LayerNorm, learned positions, GELU MLP (activation_function gelu_new for gelu: tanh, gelu for
 *   gelu: exact), one K/V head per query head,
 *   head_dim = hidden / heads; GPT-2 always has biases: missing ones are exported as zeros (exact).
 */
export function hfFamilyOf(a: HfArch): HfFamily {
  const family: HfFamily = a.norm === 'rms' ? 'llama' : 'gpt2';
  const problems = family === 'llama' ? llamaProblems(a) : gpt2Problems(a);
  if (problems.length === 0) return family;
  const cls = family === 'llama' ? 'LlamaForCausalLM (chosen by norm: rms)' : 'GPT2LMHeadModel (chosen by norm: layer)';
  throw new ConfigError(
    `export --format hf: this model has no faithful Transformers equivalent: ${problems.join('; ')}. ` +
      `The closest class is ${cls}. Exportable are: norm rms + positions rope + mlp swiglu (Llama), or norm layer + positions learned + mlp gelu + kv_heads = heads (GPT-2).`,
  );
}

function llamaProblems(a: HfArch): string[] {
  const p: string[] = [];
  if (a.normBias) p.push('norm_bias: true (Llama\'s RMSNorm has a scale only)');
  if (a.positions !== 'rope') p.push(`positions: ${a.positions} (Llama has rotary positions only, no position table)`);
  if (a.mlp !== 'swiglu') p.push(`mlp: ${a.mlp} (Llama's MLP is gated, down(act(gate·x) ⊙ up·x); a plain GELU MLP with RMSNorm matches no Transformers class)`);
  return p;
}

function gpt2Problems(a: HfArch): string[] {
  const p: string[] = [];
  if (a.positions !== 'learned') p.push(`positions: ${a.positions} (GPT-2 adds a learned position table; it has no rotary positions)`);
  if (a.mlp !== 'gelu') p.push(`mlp: ${a.mlp} (GPT-2's MLP is c_proj(gelu(c_fc·x)), not gated)`);
  if (a.kvHeads !== a.heads) p.push(`kv_heads: ${a.kvHeads} with heads: ${a.heads} (GPT-2 has one K/V head per query head)`);
  if (a.headDim * a.heads !== a.hidden) p.push(`head_dim: ${a.headDim} (GPT-2's head width is hidden / heads = ${a.hidden / a.heads})`);
  return p;
}
