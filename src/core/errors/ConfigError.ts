/**
 * Thrown when a config file, a `--key value` flag or a programmatic config is wrong: an unknown key,
 * a value of the wrong type, a number out of range or a value outside an enum. The message names the
 * key, where it came from (file path or "command line") and what is allowed.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(message: string) {
    super(message);
  }
}
