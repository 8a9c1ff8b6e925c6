import { type BackendChoice, CONFIG_SPEC, isChoice } from '../core/config/schema.ts';
import { ConfigError } from '../core/errors/ConfigError.ts';
import { UsageError } from '../core/errors/UsageError.ts';

export interface ParsedArgs {
  readonly positional: string[];
  /** `--key value` pairs in order; `--flag` alone is "true", `--no-flag` is "false". A repeated flag keeps its last value here. */
  readonly flags: Record<string, string>;
  /** Every value of each flag, in order (for flags that may repeat, e.g. `--stop a --stop b`). */
  readonly all: Record<string, string[]>;
}

/**
 * Splits argv into positionals and `--key value` flags. `--key=value` works too. A flag followed by
 * another flag (or nothing) is boolean true. `booleanFlags` never take a value. `literalFlags` are
 * names that begin with "no-" themselves (e.g. `no-repeat-ngram`): they take a value and are not negations.
 */
export function parseArgs(argv: readonly string[], booleanFlags: readonly string[] = [], literalFlags: readonly string[] = []): ParsedArgs {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  const all: Record<string, string[]> = {};
  const set = (k: string, v: string) => {
    flags[k] = v;
    (all[k] ??= []).push(v);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const key = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (key === '') throw new ConfigError('command line: empty flag "--"');
    if (eq > 0) set(key, a.slice(eq + 1));
    else if (key.startsWith('no-') && !literalFlags.includes(key)) set(key.slice(3), 'false');
    else if (booleanFlags.includes(key) || i + 1 >= argv.length || (argv[i + 1].startsWith('--') && argv[i + 1].length > 2)) set(key, 'true');
    else set(key, argv[++i]);
  }
  return { positional, flags, all };
}

/** Removes and returns the given flags, so the rest can be checked as config keys. */
export function takeFlags(flags: Record<string, string>, names: readonly string[]): Record<string, string> {
  const taken: Record<string, string> = {};
  for (const n of names) {
    if (n in flags) {
      taken[n] = flags[n];
      delete flags[n];
    }
  }
  return taken;
}

/** Throws a ConfigError naming the first flag `verb` does not take, and the ones it does. */
export function rejectUnknownFlags(flags: Readonly<Record<string, string>>, known: readonly string[], verb: string): void {
  for (const k of Object.keys(flags)) if (!known.includes(k)) throw new ConfigError(`${verb}: unknown flag --${k}; known: ${known.map((x) => `--${x}`).join(' ')}`);
}

/** The flags a command with a fixed flag set takes (parseStrict). */
export interface StrictFlags {
  /** Flags that take a value; '*' = any lower-case name (a command that passes config keys through). */
  readonly values: readonly string[] | '*';
  /** Flags that never take a value; present = "true". `-h` counts as `--help` when `help` is one. */
  readonly booleans?: readonly string[];
  /** Most positional arguments. @default 0 */
  readonly positionals?: number;
}

/**
 * Parses the command line of a command with a fixed flag set: `--name value` or `--name=value` for
 * value flags, bare `--name` for boolean ones, up to `positionals` other arguments. Throws a
 * UsageError naming the first problem: an unknown flag (and the allowed ones), a value flag with no
 * value (missing, or the next argument is a flag), an unexpected argument.
 */
export function parseStrict(args: readonly string[], spec: StrictFlags): { flags: Record<string, string>; positional: string[] } {
  const flags: Record<string, string> = {};
  const positional: string[] = [];
  const booleans = spec.booleans ?? [];
  const allowed = () => [...(spec.values === '*' ? ['KEY'] : spec.values), ...booleans].map((f) => `--${f}`).join(', ');
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-h' && booleans.includes('help')) {
      flags.help = 'true';
      continue;
    }
    if (!a.startsWith('--')) {
      if (positional.length >= (spec.positionals ?? 0)) throw new UsageError(`unexpected argument "${a}"`);
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq > 0 ? eq : undefined);
    if (booleans.includes(name)) {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      flags[name] = 'true';
      continue;
    }
    const known = spec.values === '*' ? /^[a-z][a-z0-9_-]*$/.test(name) : spec.values.includes(name);
    if (!known) throw new UsageError(`unknown flag "${a}" (allowed: ${allowed()})`);
    const value = eq > 0 ? a.slice(eq + 1) : args[i + 1];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    if (eq < 0) i++;
    flags[name] = value;
  }
  return { flags, positional };
}

/** `--backend X` (default auto), checked against the config's backends. */
export function backendFlag(flags: Readonly<Record<string, string>>, verb: string): BackendChoice {
  const v = flags.backend ?? 'auto';
  if (!isChoice('backend', v)) throw new ConfigError(`${verb}: --backend must be one of ${CONFIG_SPEC.backend.oneOf.join(', ')}; got "${v}"`);
  return v;
}
