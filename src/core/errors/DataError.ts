/**
 * Thrown when a corpus cannot be read or used: a missing file, a glob matching nothing, a malformed
 * JSONL line (with file and line number), a Parquet file without the requested text column, or a corpus
 * too small for the requested context and batch size.
 */
export class DataError extends Error {
  override readonly name = 'DataError';
  constructor(message: string) {
    super(message);
  }
}
