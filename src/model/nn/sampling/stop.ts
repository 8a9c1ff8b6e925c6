/**
 * Where generated text must be cut: the smallest index at which any stop string starts, or −1.
 * Empty stop strings are ignored. O(|text|·|stops|) via indexOf.
 *
 * @example findStop('Hello.\n\nNext', ['\n\n', '.']) // 5
 */
export function findStop(text: string, stops: readonly string[]): number {
  let best = -1;
  for (const s of stops) {
    if (s.length === 0) continue;
    const i = text.indexOf(s);
    if (i !== -1 && (best === -1 || i < best)) best = i;
  }
  return best;
}

/**
 * For streaming: how many trailing characters of `text` could be the start of a stop string and so
 * must be held back until more text arrives (0 if none). E.g. text 'abc\n', stops ['\n\n'] → 1.
 */
export function stopHoldback(text: string, stops: readonly string[]): number {
  let hold = 0;
  for (const s of stops) {
    for (let len = Math.min(s.length - 1, text.length); len > hold; len--) {
      if (text.endsWith(s.slice(0, len))) {
        hold = len;
        break;
      }
    }
  }
  return hold;
}
