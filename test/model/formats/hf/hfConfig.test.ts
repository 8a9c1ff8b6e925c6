import { describe, expect, it } from 'vitest';
import { archToConfigKeys, generationConfigJson, hfConfigJson, importHfConfig } from '../../../../src/model/formats/hf/hfConfig.ts';
import { normalizeConfig } from '../../../../src/core/config/normalizeConfig.ts';
import { resolveGptConfig } from '../../../../src/model/nn/gptConfig.ts';
import { small } from './variants.ts';

const IDS = { bos: 1, eos: 1, pad: 0 };

describe('hfConfigJson', () => {
  it('Llama: every key that changes the computation is written (GQA heads, head_dim, biases, theta, eps, tying)', () => {
    const c = small({ headDim: 6, attnBias: true, mlpBias: true, tied: false, ropeTheta: 500000, normEps: 1e-6 });
    expect(hfConfigJson('llama', c, IDS)).toMatchObject({
      architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: 43, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 2,
      num_attention_heads: 4, num_key_value_heads: 2, head_dim: 6, hidden_act: 'silu', max_position_embeddings: 8, rms_norm_eps: 1e-6,
      rope_theta: 500000, rope_scaling: null, attention_bias: true, mlp_bias: true, tie_word_embeddings: false, bos_token_id: 1, eos_token_id: 1, pad_token_id: 0,
    });
  });

  it('GPT-2: gelu_new, n_inner, the context as n_positions, scaled attention', () => {
    const c = small({ norm: 'layer', positions: 'learned', attention: 'mha', kvHeads: 0, mlp: 'gelu', dropout: 0.1 });
    expect(hfConfigJson('gpt2', c, IDS)).toMatchObject({
      architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', n_embd: 16, n_layer: 2, n_head: 4, n_inner: 24, n_positions: 8, activation_function: 'gelu_new',
      layer_norm_epsilon: 1e-5, scale_attn_weights: true, scale_attn_by_inverse_layer_idx: false, resid_pdrop: 0.1, tie_word_embeddings: true,
    });
    // gelu: exact is Transformers' "gelu" (nn.functional.gelu, the erf form)
    expect(hfConfigJson('gpt2', { ...c, gelu: 'exact' }, IDS)).toMatchObject({ activation_function: 'gelu' });
  });

  it('generation_config.json carries the special ids and the run\'s sampling settings (greedy: no sampling keys)', () => {
    expect(generationConfigJson(IDS, { temperature: 0.8, topK: 40 }, 128)).toMatchObject({ bos_token_id: 1, eos_token_id: 1, pad_token_id: 0, do_sample: true, temperature: 0.8, top_k: 40, max_length: 128 });
    expect(generationConfigJson(IDS, { temperature: 0, topK: 40 }, 128)).not.toHaveProperty('temperature');
  });
});

describe('importHfConfig', () => {
  it('reads what hfConfigJson writes back into the same architecture (Llama and GPT-2), as valid Versiflow config keys', () => {
    for (const [family, c] of [['llama', small({ headDim: 6, attnBias: true })], ['gpt2', small({ norm: 'layer', positions: 'learned', attention: 'mha', kvHeads: 0, mlp: 'gelu', normBias: true, attnBias: true, mlpBias: true })]] as const) {
      const { arch, family: f } = importHfConfig(JSON.parse(JSON.stringify(hfConfigJson(family, c, IDS))));
      expect(f).toBe(family);
      const again = resolveGptConfig(normalizeConfig(archToConfigKeys(arch)) as never);
      for (const k of ['vocabSize', 'context', 'layers', 'hidden', 'norm', 'normEps', 'normBias', 'positions', 'ropeTheta', 'heads', 'kvHeads', 'headDim', 'attnBias', 'mlp', 'ffn', 'mlpBias', 'tied'] as const) {
        expect(again[k], k).toEqual(c[k]);
      }
    }
  });

  it('fills Transformers\' defaults (Llama: kv heads = heads, untied, eps 1e-6; GPT-2: n_inner 4·C, tied) and reads 5.x\'s rope_parameters', () => {
    const { arch } = importHfConfig({ model_type: 'llama', vocab_size: 10, hidden_size: 8, intermediate_size: 16, num_hidden_layers: 1, num_attention_heads: 2, rope_parameters: { rope_type: 'default', rope_theta: 1e6 } });
    expect(arch).toMatchObject({ kvHeads: 2, headDim: 4, tied: false, normEps: 1e-6, ropeTheta: 1e6, attention: 'mha', context: 2048 });
    const g = importHfConfig({ model_type: 'gpt2', vocab_size: 10, n_embd: 8, n_layer: 1, n_head: 2 });
    expect(g.arch).toMatchObject({ ffn: 32, tied: true, context: 1024, normBias: true, dropout: 0.1 });
    expect(g.warnings).toEqual([]);
  });

  it('refuses what Versiflow would compute differently, naming the key', () => {
    const llama = { model_type: 'llama', vocab_size: 10, hidden_size: 8, intermediate_size: 16, num_hidden_layers: 1, num_attention_heads: 2 };
    expect(() => importHfConfig({ ...llama, rope_scaling: { rope_type: 'llama3', factor: 8 } })).toThrow(/rope_scaling/);
    expect(() => importHfConfig({ ...llama, hidden_act: 'gelu' })).toThrow(/hidden_act/);
    expect(() => importHfConfig({ ...llama, pretraining_tp: 2 })).toThrow(/pretraining_tp/);
    expect(() => importHfConfig({ ...llama, model_type: 'mistral' })).toThrow(/model_type "mistral" is not supported/);
    const gpt2 = { model_type: 'gpt2', vocab_size: 10, n_embd: 8, n_layer: 1, n_head: 2 };
    expect(() => importHfConfig({ ...gpt2, activation_function: 'relu' })).toThrow(/activation_function "relu"/);
    expect(() => importHfConfig({ ...gpt2, scale_attn_by_inverse_layer_idx: true })).toThrow(/scale_attn_by_inverse_layer_idx/);
    expect(() => importHfConfig({ ...gpt2, n_embd: 9 })).toThrow(/not a multiple/);
  });

  it('imports GPT-2\'s activation_function "gelu" as gelu: exact, the tanh forms as gelu: tanh, without warnings', () => {
    const doc = { model_type: 'gpt2', vocab_size: 10, n_embd: 8, n_layer: 1, n_head: 2 };
    const exact = importHfConfig({ ...doc, activation_function: 'gelu' });
    expect(exact.arch.gelu).toBe('exact');
    expect(exact.warnings).toEqual([]);
    expect(importHfConfig({ ...doc, activation_function: 'gelu_new' }).arch.gelu).toBe('tanh');
    expect(importHfConfig({ ...doc, activation_function: 'gelu_pytorch_tanh' }).arch.gelu).toBe('tanh');
  });
});
