/**
 * SentencePiece-style BPE tokenizer.json documents for tests, in the two forms HF tokenizers writes
 * for converted SentencePiece BPE models: Llama 2's legacy form (normalizer Prepend "▁" + Replace
 * " " → "▁", no pre-tokenizer, Replace/ByteFallback/Fuse/Strip decoder) and the Metaspace form
 * (pre-tokenizer and decoder Metaspace). Vocabulary as Llama's: <unk> <s> </s>, the 256 byte tokens
 * <0x00>..<0xFF>, the characters seen at least twice, then merged pieces from a small deterministic
 * BPE learner over Metaspace words (merges never cross a "▁" word start, as SentencePiece's).
 */

type Doc = Record<string, unknown>;

/** Greedy BPE over "▁word" pieces: the most frequent pair (ties: smallest pair string) `merges` times. */
export function learnSpBpe(texts: readonly string[], merges: number): { vocab: Record<string, number>; merges: [string, string][] } {
  const wordCounts = new Map<string, number>();
  const charCounts = new Map<string, number>();
  for (const t of texts) {
    const s = '▁' + t.replaceAll(' ', '▁');
    for (const w of s.split(/(?=▁)/)) wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1);
    for (const c of s) charCounts.set(c, (charCounts.get(c) ?? 0) + 1);
  }
  const vocab: Record<string, number> = { '<unk>': 0, '<s>': 1, '</s>': 2 };
  for (let b = 0; b < 256; b++) vocab[`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`] = 3 + b;
  let next = 259;
  const alphabet = [...charCounts].filter(([, n]) => n >= 2).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([c]) => c);
  for (const c of alphabet) vocab[c] = next++;
  // symbols as ids (-1 = not in the alphabet, never merged); pair key a·2^16 + b
  const sym: string[] = [];
  const idOf = new Map<string, number>();
  const intern = (x: string) => idOf.get(x) ?? (idOf.set(x, sym.length), sym.push(x), sym.length - 1);
  const words = [...wordCounts].map(([w, n]) => ({ s: [...w].map((c) => (c in vocab ? intern(c) : -1)), n }));
  const out: [string, string][] = [];
  const pairs = new Map<number, number>(); // counts kept up to date as merges apply
  const mergeable = (x: number, y: number) => x >= 0 && y >= 0 && !sym[y].startsWith('▁');
  const add = (x: number, y: number, n: number) => {
    if (mergeable(x, y)) pairs.set(x * 65536 + y, (pairs.get(x * 65536 + y) ?? 0) + n);
  };
  for (const { s, n } of words) for (let i = 0; i + 1 < s.length; i++) add(s[i], s[i + 1], n);
  const str = (k: number) => `${sym[Math.floor(k / 65536)]} ${sym[k % 65536]}`;
  for (let m = 0; m < merges; m++) {
    let bestKey = -1;
    let best = 1;
    for (const [k, n] of pairs) if (n > best || (n === best && bestKey >= 0 && str(k) < str(bestKey))) [bestKey, best] = [k, n];
    if (bestKey < 0) break;
    const [ia, ib] = [Math.floor(bestKey / 65536), bestKey % 65536];
    const [a, b] = [sym[ia], sym[ib]];
    out.push([a, b]);
    if (!((a + b) in vocab)) vocab[a + b] = next++;
    const merged = intern(a + b);
    for (const { s, n } of words) {
      for (let i = 0; i + 1 < s.length; i++) {
        if (s[i] !== ia || s[i + 1] !== ib) continue;
        if (i > 0) (add(s[i - 1], ia, -n), add(s[i - 1], merged, n));
        if (i + 2 < s.length) (add(ib, s[i + 2], -n), add(merged, s[i + 2], n));
        add(ia, ib, -n);
        s.splice(i, 2, merged);
      }
    }
  }
  return { vocab, merges: out };
}

const ADDED = ['<unk>', '<s>', '</s>'].map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));

function model(v: ReturnType<typeof learnSpBpe>): Doc {
  return {
    type: 'BPE', dropout: null, unk_token: '<unk>', continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: true, byte_fallback: true, ignore_merges: false,
    vocab: v.vocab, merges: v.merges.map(([a, b]) => `${a} ${b}`),
  };
}

/** Llama 2 / TinyLlama's tokenizer.json layout (legacy: the "▁" comes from the normalizer). */
export function llama2TokenizerJson(v: ReturnType<typeof learnSpBpe>): Doc {
  return {
    version: '1.0', truncation: null, padding: null, added_tokens: ADDED,
    normalizer: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: '▁' }, { type: 'Replace', pattern: { String: ' ' }, content: '▁' }] },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '<s>', type_id: 1 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: { type: 'Sequence', decoders: [{ type: 'Replace', pattern: { String: '▁' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' }, { type: 'Strip', content: ' ', start: 1, stop: 0 }] },
    model: model(v),
  };
}

/** The Metaspace layout (tokenizers ≥ 0.14: prepend_scheme "first", split as given). */
export function metaspaceTokenizerJson(v: ReturnType<typeof learnSpBpe>, split: boolean): Doc {
  const ms = { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split };
  return { version: '1.0', truncation: null, padding: null, added_tokens: ADDED, normalizer: null, pre_tokenizer: ms, post_processor: null, decoder: ms, model: model(v) };
}
