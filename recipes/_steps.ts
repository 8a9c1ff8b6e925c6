/**
 * Shared pieces of the recipes: a command function run in-process as a stage step, and a training stage.
 * Not a recipe (the leading underscore keeps it out of `versiflow recipe --list`).
 */
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { exportHf, loadConfig, type RecipeContext, type RecipeIO, type RecipeStage, writeReport } from '../src/index.ts';
import { evalCommand } from '../src/cli/evalCommand.ts';
import { generateEntry } from '../src/cli/generateBatchCommand.ts';
import { tokenizerCommand } from '../src/cli/tokenizerCommand.ts';
import { trainCommand } from '../src/cli/trainCommand.ts';
export { defineRecipe, type RecipeContext, type RecipeStage } from '../src/index.ts';

/** A CLI command's function: argv in, exit code out (the same function `versiflow VERB` runs). */
export type CommandFn = (args: readonly string[], io: RecipeIO & { stdout: { write(s: string): boolean }; stderr: { write(s: string): boolean } }) => Promise<number>;

const asCliIO = (io: RecipeIO) => ({ stdout: { write: (s: string) => (io.stdout.write(s), true) }, stderr: { write: (s: string) => (io.stderr.write(s), true) } });

/** Runs a command function in this process; a non-zero exit is an error naming the command line. */
export async function command(ctx: RecipeContext, verb: string, fn: CommandFn, args: readonly string[]): Promise<void> {
  const code = await fn(args, asCliIO(ctx.io));
  if (code !== 0) throw new Error(`${verb} ${args.join(' ')} exited with ${code}; its message is above`);
}

/** Runs a command function with --json and writes what it printed (one JSON document) to OUT/file. */
export async function commandJson(ctx: RecipeContext, verb: string, fn: CommandFn, args: readonly string[], file: string): Promise<unknown> {
  let printed = '';
  const io = { stdout: { write: (s: string) => ((printed += s), true) }, stderr: asCliIO(ctx.io).stderr };
  const code = await fn([...args, '--json'], io);
  if (code !== 0) throw new Error(`${verb} ${args.join(' ')} --json exited with ${code}; its message is above`);
  const value = JSON.parse(printed) as unknown;
  mkdirSync(dirname(ctx.path(file)), { recursive: true });
  writeFileSync(ctx.path(file), `${JSON.stringify(value, null, 2)}\n`);
  return value;
}

/** Config keys as `--key value` flags. */
export const asFlags = (flags: Readonly<Record<string, string | number>>): string[] => Object.entries(flags).flatMap(([k, v]) => [`--${k}`, String(v)]);

/** OUT-relative path of a run's final checkpoint: DIR/checkpoints/step-NNNNNNN. */
export const finalCheckpoint = (dir: string, steps: number): string => join(dir, 'checkpoints', `step-${String(steps).padStart(7, '0')}`);

export interface TrainStageOptions {
  readonly name: string;
  readonly does: string;
  /** A config in configs/ or a YAML path. */
  readonly config: string;
  /** Config keys (kebab-case) over the config. */
  readonly flags: Readonly<Record<string, string | number | undefined>>;
  /** OUT-relative run directory. */
  readonly dir: string;
  /** The plan's vocabulary for a char tokenizer (vocab_size 0). */
  readonly vocabGuess?: number;
  /** The config the plan reads the model's shape from when the run takes it from init_from. */
  readonly architecture?: string;
  /** OUT-relative config file the run trains with when an earlier stage writes it (the plan reads `config`). */
  readonly runConfig?: string;
}

/**
 * A `train` stage: trainCommand with the config and flags, into OUT/dir, plain reporter, no live feed.
 * Its output is the final checkpoint; a run stopped halfway continues from its latest checkpoint
 * (--resume latest) when the recipe is run again.
 */
export function trainStage(ctx: RecipeContext, o: TrainStageOptions): RecipeStage & { checkpoint: string } {
  const flags = Object.fromEntries(Object.entries(o.flags).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])));
  const steps = loadConfig(o.config, flags).maxSteps;
  // a run whose length is set by epochs (max_steps 0) names its final checkpoint only when it ends: then the run directory stands for it
  const checkpoint = steps > 0 ? finalCheckpoint(o.dir, steps) : o.dir;
  return {
    name: o.name,
    does: o.does,
    outputs: [...(steps > 0 ? [join(checkpoint, 'state.json')] : []), join(o.dir, 'history.csv')],
    training: { config: o.config, flags, vocabGuess: o.vocabGuess, architecture: o.architecture },
    checkpoint,
    async run(c) {
      const dir = c.path(o.dir);
      // the run reached its last step before (only its marker is gone): nothing left to train
      if (steps > 0 && existsSync(c.path(join(checkpoint, 'state.json'))) && existsSync(join(dir, 'history.csv'))) return;
      const resume = existsDir(join(dir, 'checkpoints')) ? ['--resume', 'latest'] : [];
      await command(c, 'train', (a, io) => trainCommand(a, io, new EventEmitter()), ['--config', o.runConfig ? c.path(o.runConfig) : o.config, ...asFlags(flags), '--out', dir, '--reporter', c.scale === 'smoke' ? 'none' : 'plain', '--no-ws', ...resume]);
    },
  };
}

const existsDir = (p: string): boolean => existsSync(p) && readdirSync(p).length > 0;

/** `generate --n N --prompts-from val --out FILE`: N continuations of held-out texts' first tokens, one JSON line each. */
export function generateStage(run: string, o: { n: number; maxNewTokens: number; out?: string; flags?: readonly string[]; does?: string }): RecipeStage {
  const out = o.out ?? 'gen/generations.jsonl';
  return {
    name: 'generate',
    does: o.does ?? `${o.n} continuations of held-out texts' first tokens`,
    outputs: [out],
    run: (c) => command(c, 'generate', generateEntry, ['--checkpoint', c.path(run), '--n', String(o.n), '--prompts-from', 'val', '--max-new-tokens', String(o.maxNewTokens), '--seed', '7', ...(o.flags ?? []), '--out', c.path(out)]),
  };
}

/** `eval perplexity --json` on the run's validation split → RUN/eval/perplexity.json. */
export function perplexityStage(run: string): RecipeStage {
  const out = join(run, 'eval', 'perplexity.json');
  return {
    name: 'perplexity',
    does: 'validation loss and perplexity of the final checkpoint',
    outputs: [out],
    run: async (c) => void (await commandJson(c, 'eval perplexity', evalCommand, ['perplexity', '--checkpoint', c.path(run)], out)),
  };
}

/** writeReport: the run as one HTML page (RUN/report/index.html). */
export function reportStage(run: string): RecipeStage {
  return {
    name: 'report',
    does: 'the run as one HTML page: config, curves, evaluations, samples',
    outputs: [join(run, 'report', 'index.html')],
    run: async (c) => void (await writeReport(c.path(run), { samples: 3 })),
  };
}

/** exportHf: a Transformers folder of the run's final checkpoint. */
export function exportStage(run: string, o: { out?: string; language: readonly string[] }): RecipeStage {
  const out = o.out ?? 'export/hf';
  return {
    name: 'export',
    does: 'a Hugging Face Transformers folder (safetensors, config, tokenizer, model card)',
    outputs: [join(out, 'config.json'), join(out, 'model.safetensors'), join(out, 'tokenizer.json')],
    run: async (c) => void (await exportHf({ checkpoint: c.path(run), out: c.path(out), language: o.language, force: true })),
  };
}

/** `tokenizer train` with a config's tokenizer settings (type, vocabulary, normalisation, sp_bpe options) → OUT/file. */
export function tokenizerStage(o: { config: string; data: string; out: string; vocabSize?: number; maxDocs?: number; chat?: boolean }): RecipeStage {
  const cfg = loadConfig(o.config);
  const vocab = o.vocabSize ?? cfg.vocabSize;
  const sp = cfg.tokenizerType === 'sp_bpe';
  return {
    name: 'tokenizer',
    does: `${sp ? 'SentencePiece-style (character-initial)' : 'byte-level'} BPE of ${vocab} tokens on ${o.data}${o.chat ? ', with the chat tokens' : ''}${cfg.bosToken ? `, a BOS (${sp ? '<s>' : '[BOS]'}) before each document` : ''}`,
    outputs: [o.out],
    run: (c) =>
      command(c, 'tokenizer train', tokenizerCommand, [
        'train', '--data', o.data, '--vocab-size', String(vocab), '--out', c.path(o.out), '--normalize', cfg.normalize || 'none',
        ...(o.maxDocs ? ['--max-docs', String(o.maxDocs)] : []),
        ...(o.chat ? ['--chat'] : []),
        ...(cfg.bosToken ? ['--bos'] : []),
        ...(sp ? ['--type', 'sp_bpe', '--character-coverage', String(cfg.characterCoverage), '--byte-fallback', cfg.byteFallback, ...(cfg.userDefinedSymbols ? ['--user-symbols', cfg.userDefinedSymbols] : [])] : []),
      ]),
  };
}
