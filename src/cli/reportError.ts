import { CheckpointError } from '../core/errors/CheckpointError.ts';
import { ConfigError } from '../core/errors/ConfigError.ts';
import { DataError } from '../core/errors/DataError.ts';
import { BackendError } from '../core/errors/BackendError.ts';
import { DivergenceError } from '../core/errors/DivergenceError.ts';
import type { CliIO } from './io.ts';

/** Prints an error for a user: typed errors as one clear line, anything else with its stack. Returns the exit code. */
export function reportError(e: unknown, io: CliIO): number {
  if (e instanceof ConfigError || e instanceof DataError || e instanceof CheckpointError || e instanceof DivergenceError || e instanceof BackendError) {
    io.stderr.write(`error (${e.name}): ${e.message}\n`);
    return 2;
  }
  const err = e as Error;
  io.stderr.write(`error: ${err?.stack ?? String(e)}\n`);
  return 1;
}
