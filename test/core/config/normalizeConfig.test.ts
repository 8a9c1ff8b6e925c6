import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/pipeline/loadConfig.ts';
import { normalizeConfig } from '../../../src/core/config/normalizeConfig.ts';
import { CONFIG_SPEC } from '../../../src/core/config/schema.ts';
import { ConfigError } from '../../../src/core/errors/ConfigError.ts';

describe('normalizeConfig', () => {
  it('fills every key with its documented default', () => {
    const c = normalizeConfig({});
    for (const [k, spec] of Object.entries(CONFIG_SPEC)) {
      expect((c as Record<string, unknown>)[k]).toEqual(spec.default);
      expect(spec.doc.length).toBeGreaterThan(5);
    }
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('accepts snake, kebab and camel keys and coerces strings from the command line', () => {
    const c = normalizeConfig({ max_steps: '50', 'log-every': '5', evalEvery: 7, tied: 'false', lr: '1e-3' });
    expect([c.maxSteps, c.logEvery, c.evalEvery, c.tied, c.lr]).toEqual([50, 5, 7, false, 1e-3]);
  });

  it('names the unknown key and its source', () => {
    expect(() => normalizeConfig({ max_stepz: 3 }, 'x.yaml')).toThrow(ConfigError);
    expect(() => normalizeConfig({ max_stepz: 3 }, 'x.yaml')).toThrow(/x\.yaml: unknown key "max_stepz" \(did you mean "max_steps"\?\)/);
  });

  it('rejects wrong types, out-of-range numbers and values outside an enum', () => {
    expect(() => normalizeConfig({ batch_size: 'many' })).toThrow(/batch_size must be a number/);
    expect(() => normalizeConfig({ batch_size: 2.5 })).toThrow(/batch_size must be an integer/);
    expect(() => normalizeConfig({ val_fraction: 0.9 })).toThrow(/val_fraction must be ≤ 0.5/);
    expect(() => normalizeConfig({ backend: 'cuda' })).toThrow(/backend must be one of auto, tensorflow, webgpu, wasm, cpu/);
  });

  it('loads the shipped tiny config, flags winning over the file', () => {
    const c = loadConfig('tiny', { 'max-steps': '7' });
    expect(c.name).toBe('tiny');
    expect(c.maxSteps).toBe(7);
    expect(c.kvHeads).toBe(2);
    expect(() => loadConfig('tiny', { 'no-such-key': '1' })).toThrow(/command line: unknown key "no-such-key"/);
    expect(() => loadConfig('does-not-exist')).toThrow(/config "does-not-exist" not found/);
  });
});
