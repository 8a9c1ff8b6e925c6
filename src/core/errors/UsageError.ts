/**
 * Thrown for a malformed command line that no config key explains: an unknown flag of a command with
 * a fixed flag set, a flag without its value, an extra positional argument. Commands report it with
 * their usage text and exit code 2.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super(message);
  }
}
