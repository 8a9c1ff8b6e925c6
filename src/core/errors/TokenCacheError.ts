/**
 * Thrown when a token cache on disk cannot be used: index.json missing or malformed, a shard file
 * missing, truncated or failing its sha256, or an index built for another corpus or tokenizer.
 * The pipeline catches it, warns and rebuilds the cache from the corpus; it reaches users only from
 * direct calls to the cache reader. Deleting the named directory is always safe.
 */
export class TokenCacheError extends Error {
  override readonly name = 'TokenCacheError';
  constructor(message: string) {
    super(message);
  }
}
