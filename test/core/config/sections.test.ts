import { describe, expect, expectTypeOf, it } from 'vitest';
import { normalizeConfig } from '../../../src/core/config/normalizeConfig.ts';
import { type BackendChoice, type Config, CONFIG_KEYS, CONFIG_SECTIONS, CONFIG_SPEC, isChoice, type OptimConfig, type ScheduleKind } from '../../../src/core/config/schema.ts';

describe('config sections and enum types', () => {
  it('every key is in exactly one section', () => {
    const all = Object.values(CONFIG_SECTIONS).flat();
    expect(new Set(all).size).toBe(all.length);
    expect([...all].sort()).toEqual([...CONFIG_KEYS].sort());
  });

  it('enum keys are literal unions of their allowed values', () => {
    expectTypeOf<Config['backend']>().toEqualTypeOf<'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu'>();
    expectTypeOf<BackendChoice>().toEqualTypeOf<Config['backend']>();
    expectTypeOf<ScheduleKind>().toEqualTypeOf<'cosine' | 'wsd' | 'linear' | 'constant'>();
    expectTypeOf<Config['name']>().toEqualTypeOf<string>();
    expectTypeOf<OptimConfig>().toHaveProperty('lr');
    // @ts-expect-error a slice holds only its own keys
    expectTypeOf<OptimConfig>().toHaveProperty('data');
    const cfg = normalizeConfig({ schedule: 'wsd' });
    const kind: ScheduleKind = cfg.schedule; // no cast
    expect(kind).toBe('wsd');
  });

  it('isChoice checks a string against a key’s values', () => {
    expect(isChoice('backend', 'wasm')).toBe(true);
    expect(isChoice('backend', 'cuda')).toBe(false);
    expect(isChoice('name', 'x')).toBe(false); // a free string key has no values
    expect(CONFIG_SPEC.backend.oneOf).toContain('webgpu');
  });
});
