/**
 * GPT-2's reversible byte ↔ printable-character alphabet (`bytes_to_unicode` in openai/gpt-2, `bytes_char`
 * in HF tokenizers): printable Latin-1 bytes map to themselves, the other 68 bytes to U+0100..U+0143, so every
 * byte string becomes a string of 256 distinct visible symbols that BPE can merge.
 */

/** BYTE_TO_CHAR[b] is the symbol for byte b. */
export const BYTE_TO_CHAR: readonly string[] = buildAlphabet();

/** Symbol code point → byte; -1 for code points outside the alphabet (max code point is 0x143). */
const CHAR_TO_BYTE = new Int16Array(0x144).fill(-1);
BYTE_TO_CHAR.forEach((c, b) => (CHAR_TO_BYTE[c.charCodeAt(0)] = b));

function buildAlphabet(): string[] {
  const out = new Array<string>(256);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    out[b] = String.fromCharCode(printable ? b : 256 + n++);
  }
  return out;
}

const utf8 = new TextEncoder();

/** UTF-8 encodes `text` (lone surrogates become U+FFFD, as Rust strings would) and maps each byte to its symbol. */
export function toByteLevel(text: string): string {
  const bytes = utf8.encode(text);
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += BYTE_TO_CHAR[bytes[i]];
  return s;
}

/**
 * Appends the bytes a token stands for to `out`, like HF's ByteLevel decoder: the symbols' bytes when every
 * character is in the alphabet, otherwise the token's own UTF-8 (added tokens such as "—" or "[PAD]").
 */
export function pushTokenBytes(token: string, out: number[]): void {
  const start = out.length;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    const b = c < 0x144 ? CHAR_TO_BYTE[c] : -1;
    if (b < 0) {
      out.length = start;
      for (const x of utf8.encode(token)) out.push(x);
      return;
    }
    out.push(b);
  }
}

/** The 256 symbols sorted by code point: the order in which HF's trainer assigns their ids. */
export function alphabetByCodePoint(): string[] {
  return [...BYTE_TO_CHAR].sort((a, b) => a.charCodeAt(0) - b.charCodeAt(0));
}
