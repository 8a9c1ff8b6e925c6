import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/core/errors/ConfigError.ts';
import { hfFamilyOf } from '../../../../src/model/formats/hf/hfFamily.ts';
import { resolveGptConfig } from '../../../../src/model/nn/gptConfig.ts';
import { CONFIG_DIR, loadConfig } from '../../../../src/pipeline/loadConfig.ts';
import { small } from './variants.ts';

/** Every shipped config and the Transformers class it exports to (null = refused, with the key named). */
const ZOO: Readonly<Record<string, 'llama' | 'gpt2' | { refused: RegExp }>> = {
  '25m': 'llama',
  '75m': 'llama',
  'char-10m': 'gpt2',
  'classics-46m': 'gpt2',
  'french-40m': 'llama',
  'gpt2-preln-136m': 'gpt2',
  'minitron-48m': { refused: /positions: learned \(Llama has rotary positions only.*mlp: gelu \(Llama's MLP is gated/ },
  'smollm2-135m': 'llama',
  tiny: 'llama',
};

describe('hfFamilyOf', () => {
  it('covers every shipped config that defines a model (kto/dpo runs take theirs from init_from)', () => {
    const names = readdirSync(CONFIG_DIR).map((f) => f.replace(/\.yaml$/, ''));
    expect(names.filter((n) => loadConfig(n).task === 'pretrain').sort()).toEqual(Object.keys(ZOO).sort());
  });

  for (const [name, want] of Object.entries(ZOO)) {
    it(`configs/${name}.yaml → ${typeof want === 'string' ? want : 'refused'}`, () => {
      const cfg = loadConfig(name);
      const gpt = resolveGptConfig({ ...cfg, vocabSize: cfg.vocabSize || 100 });
      if (typeof want === 'string') expect(hfFamilyOf(gpt)).toBe(want);
      else expect(() => hfFamilyOf(gpt)).toThrow(want.refused);
    });
  }

  it('refuses with every key that has no equivalent, and names what would export', () => {
    const err = (() => {
      try {
        hfFamilyOf(small({ norm: 'layer', positions: 'rope', mlp: 'swiglu', kvHeads: 2 }));
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toMatch(/positions: rope/);
    expect(err!.message).toMatch(/mlp: swiglu/);
    expect(err!.message).toMatch(/kv_heads: 2 with heads: 4/);
    expect(err!.message).toMatch(/GPT2LMHeadModel \(chosen by norm: layer\)/);
    expect(() => hfFamilyOf(small({ normBias: true }))).toThrow(/norm_bias: true/);
    expect(() => hfFamilyOf(small({ positions: 'learned' }))).toThrow(/positions: learned/);
    expect(() => hfFamilyOf(small({ norm: 'layer', positions: 'learned', mlp: 'gelu', attention: 'mha', kvHeads: 0, headDim: 8 }))).toThrow(/head_dim: 8/);
  });
});
