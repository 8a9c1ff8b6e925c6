/**
 * The sliding rule. While the cache has room, the next token is fed alone. When it is full
 * (`context` positions), the cache is rebuilt from the last `keep` ids, keep = context − max(1,
 * ⌊context/4⌋): one prefill of 3/4 of the context, then ⌊context/4⌋ cheap steps before the next
 * rebuild. Right after a rebuild the logits equal an uncached forward over those `keep` ids; the
 * uncached path (`--no-cache`) always sees the last `context` ids, so the two agree exactly until
 * the context first fills and differ only in how much history they see afterwards.
 */
export function slideKeep(context: number): number {
  return Math.max(1, context - Math.max(1, Math.floor(context / 4)));
}
