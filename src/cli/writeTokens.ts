import type { Token } from '../model/nn/tokenPicker.ts';

/** What writing a generation cost: tokens, green ones (when watermarking) and wall seconds. */
export interface WrittenTokens {
  readonly n: number;
  readonly green: number;
  readonly seconds: number;
}

/**
 * Streams each token's text to `out` as it arrives, then a newline (`generate --prompt` and the
 * shipped poet's `--prompt`). No tfjs here: the poet bundles it.
 */
export async function writeTokens(tokens: AsyncIterable<Token>, out: { write(s: string): unknown }): Promise<WrittenTokens> {
  const t0 = performance.now();
  let n = 0;
  let green = 0;
  for await (const t of tokens) {
    out.write(t.text);
    n++;
    if (t.green) green++;
  }
  const seconds = (performance.now() - t0) / 1000;
  out.write('\n');
  return { n, green, seconds };
}
