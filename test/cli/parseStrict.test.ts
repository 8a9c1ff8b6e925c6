import { describe, expect, it } from 'vitest';
import { parseStrict } from '../../src/cli/parseArgs.ts';
import { UsageError } from '../../src/core/errors/UsageError.ts';

const spec = { values: ['data', 'vocab-size'], booleans: ['json', 'help'], positionals: 1 } as const;

describe('parseStrict (commands with a fixed flag set: tokenizer, params, monitor)', () => {
  it('reads --name value, --name=value, boolean flags, -h and positionals', () => {
    expect(parseStrict(['ws://x', '--data', 'a.txt', '--vocab-size=300', '--json', '-h'], spec)).toEqual({
      flags: { data: 'a.txt', 'vocab-size': '300', json: 'true', help: 'true' },
      positional: ['ws://x'],
    });
    expect(parseStrict(['--data=--odd'], spec).flags.data).toBe('--odd'); // = form takes anything
  });

  it('names an unknown flag and the allowed ones', () => {
    expect(() => parseStrict(['--vocab', '3'], spec)).toThrow(new UsageError('unknown flag "--vocab" (allowed: --data, --vocab-size, --json, --help)'));
  });

  it('says which flag lacks its value: at the end, or followed by another flag', () => {
    expect(() => parseStrict(['--data'], spec)).toThrow('--data needs a value');
    expect(() => parseStrict(['--data', '--json'], spec)).toThrow('--data needs a value');
    expect(() => parseStrict(['--json=yes'], spec)).toThrow('--json takes no value');
  });

  it('refuses positionals past the allowed count', () => {
    expect(() => parseStrict(['a', 'b'], spec)).toThrow('unexpected argument "b"');
    expect(() => parseStrict(['a'], { values: [] })).toThrow('unexpected argument "a"');
  });

  it("values: '*' passes any lower-case key through (config overrides) and still rejects odd names", () => {
    expect(parseStrict(['--layers', '3', '--kv_heads=2'], { values: '*' }).flags).toEqual({ layers: '3', kv_heads: '2' });
    expect(() => parseStrict(['--Layers', '3'], { values: '*' })).toThrow('unknown flag "--Layers" (allowed: --KEY)');
  });
});
