import { ConfigError } from '../core/errors/ConfigError.ts';
import { EVAL_AUTHORS_HELP, evalAuthorsCommand } from './evalAuthorsCommand.ts';
import { EVAL_BEHAVIOUR_HELP, evalBehaviourCommand } from './evalBehaviourCommand.ts';
import { EVAL_CHECKPOINTS_HELP, evalCheckpointsCommand } from './evalCheckpointsCommand.ts';
import { EVAL_SWEEP_HELP, evalSweepCommand } from './evalSweepCommand.ts';
import { EVAL_HELP, evalCommand } from './evalCommand.ts';
import { EVAL_POETRY_HELP, evalPoetryCommand } from './evalPoetryCommand.ts';
import { EVAL_PROBES_HELP, evalProbesCommand } from './evalProbesCommand.ts';
import { EVAL_WATERMARK_HELP, evalWatermarkCommand } from './evalWatermarkCommand.ts';
import type { CliIO } from './io.ts';
import { reportError } from './reportError.ts';

/** Every `versiflow eval` subcommand's usage. */
export const EVAL_ALL_HELP = [EVAL_HELP, EVAL_WATERMARK_HELP, EVAL_BEHAVIOUR_HELP, EVAL_PROBES_HELP, EVAL_AUTHORS_HELP, EVAL_POETRY_HELP, EVAL_CHECKPOINTS_HELP, EVAL_SWEEP_HELP].join('\n  ');

const SUBCOMMANDS: Readonly<Record<string, (args: readonly string[], io: CliIO) => Promise<number>>> = {
  perplexity: evalCommand,
  watermark: (args, io) => evalWatermarkCommand(args.slice(1), io),
  behaviour: (args, io) => evalBehaviourCommand(args.slice(1), io),
  behavior: (args, io) => evalBehaviourCommand(args.slice(1), io),
  probes: (args, io) => evalProbesCommand(args.slice(1), io),
  authors: (args, io) => evalAuthorsCommand(args.slice(1), io),
  poetry: (args, io) => evalPoetryCommand(args.slice(1), io),
  checkpoints: (args, io) => evalCheckpointsCommand(args.slice(1), io),
  sweep: (args, io) => evalSweepCommand(args.slice(1), io),
};

/** `versiflow eval perplexity|watermark|behaviour|probes|authors|poetry|checkpoints|sweep ...`: the subcommand is the first argument. */
export async function evalEntry(args: readonly string[], io: CliIO): Promise<number> {
  const sub = SUBCOMMANDS[args[0] ?? ''];
  if (!sub) return reportError(new ConfigError(`eval: expected one of perplexity, watermark, behaviour, probes, authors, poetry, checkpoints, sweep as the first argument; got ${args[0] === undefined ? 'nothing' : `"${args[0]}"`}\n  ${EVAL_ALL_HELP}`), io);
  return sub(args, io);
}
