import { describe, expect, it } from 'vitest';
import { generationOptions } from '../../src/cli/generationFlags.ts';
import { parseArgs } from '../../src/cli/parseArgs.ts';

describe('generation flags', () => {
  it('--stop may repeat: every stop string is kept, in order, with \\n escapes', () => {
    const { flags, all } = parseArgs(['--stop', '\\n\\n', '--temperature', '0.5', '--stop', 'THE END', '--stop=;'], [], ['no-repeat-ngram']);
    const o = generationOptions(flags, 100, 'generate', all);
    expect(o.stop).toEqual(['\n\n', 'THE END', ';']);
    expect(o.temperature).toBe(0.5);
  });

  it('one --stop, or none', () => {
    const one = parseArgs(['--stop', 'x']);
    expect(generationOptions(one.flags, 100, 'generate', one.all).stop).toEqual(['x']);
    expect(generationOptions({}, 100, 'generate').stop).toEqual([]);
  });

  it('parseArgs keeps the last value of a repeated flag in flags and all of them in all', () => {
    const p = parseArgs(['--seed', '1', '--seed', '2', '--no-cache']);
    expect(p.flags).toEqual({ seed: '2', cache: 'false' });
    expect(p.all).toEqual({ seed: ['1', '2'], cache: ['false'] });
  });
});
