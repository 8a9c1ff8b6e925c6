import { BOS_NAMES, bosTemplate } from './bosTemplate.ts';
import { MaxHeap } from './maxHeap.ts';
import { type AddedToken, addedTokenMatcher, splitAddedTokens } from './pretokenize.ts';
import { SentencePieceBpeTokenizer } from './sentencePieceBpeTokenizer.ts';
import { unicodeScript } from './unicodeScript.ts';

/** Options of {@link trainSentencePieceBpe}. */
export interface SpBpeTrainOptions {
  /** Final vocabulary size: specials, user-defined symbols, byte tokens, merged pieces and characters. */
  readonly vocabSize: number;
  /**
   * Share of the corpus's characters (▁ included, by frequency) the alphabet must cover; rarer ones
   * become byte tokens (byte fallback) or <unk>. SentencePiece's `character_coverage`: 0.9995 for rich
   * alphabets, 1.0 for small ones. @default 0.9995
   */
  readonly characterCoverage?: number;
  /**
   * `<0x00>`…`<0xFF>` tokens for characters outside the alphabet. `'auto'` turns it on when the
   * vocabulary holds the 256 byte tokens beside the specials and the alphabet, else off (characters
   * outside the alphabet become <unk>), and says so in `notes`. `true` with a vocabulary too small throws.
   * @default 'auto'
   */
  readonly byteFallback?: boolean | 'auto';
  /**
   * Pieces kept whole (SentencePiece's `user_defined_symbols`, e.g. «, », —, …, "\n\n"): given ids after
   * the specials, matched in the raw text before anything else (HF added tokens, not special), so no
   * merge crosses or builds them. @default []
   */
  readonly userDefinedSymbols?: readonly string[];
  /** Control tokens, ids 0, 1, ... in order; "<unk>" is put first when missing. @default ['<unk>', '<s>', '</s>'] */
  readonly specialTokens?: readonly string[];
  /** Metaspace's prepend_scheme: "▁" before the text's start only (SentencePiece's add_dummy_prefix) or before every segment. @default 'first' */
  readonly prependScheme?: 'first' | 'always';
  /** Longest piece, in characters (SentencePiece's max_sentencepiece_length). @default 16 */
  readonly maxPieceLength?: number;
  /**
   * Put a BOS before every document (the bos_token key; SentencePiece's own `<s>`): `<s>` is added to the
   * specials unless one of them is a BOS already, and the tokenizer.json gets Llama's TemplateProcessing. @default false
   */
  readonly bos?: boolean;
}

/** What {@link spBpeTrainer} gives back. */
export interface SpBpeTrainResult {
  readonly tokenizer: SentencePieceBpeTokenizer;
  /** Characters in the initial alphabet (▁ included). */
  readonly alphabet: number;
  /** Share of the corpus's characters the alphabet covers. */
  readonly coverage: number;
  readonly merges: number;
  readonly byteFallback: boolean;
  /** Decisions worth telling the user (byte fallback turned off, vocabulary not filled). */
  readonly notes: string[];
}

const WS = '▁';
const UNK_NAMES = ['<unk>', '[UNK]'];

/** {@link spBpeTrainer} over an iterable of texts. */
export function trainSentencePieceBpe(texts: Iterable<string>, opts: SpBpeTrainOptions): SpBpeTrainResult {
  const t = spBpeTrainer(opts);
  for (const text of texts) t.feed(text);
  return t.finish();
}

/**
 * The SentencePiece BPE algorithm (google/sentencepiece bpe_model_trainer.cc, trainer_interface.cc)
 * written as an HF tokenizer.json (model BPE with byte_fallback and fuse_unk, Metaspace pre-tokenizer,
 * Llama's Replace/ByteFallback/Fuse/Strip decoder), so HF `tokenizers` and Versiflow's
 * SentencePieceBpeTokenizer encode it the same way. Steps: spaces become "▁" and every text gets one in
 * front (Metaspace, split before each "▁"); word counts are kept, not texts; the alphabet is the most
 * frequent characters up to `characterCoverage`; then the most frequent adjacent pair is merged until the
 * vocabulary is full (ties: shorter piece, then smaller string), never making a piece that has "▁" past
 * its start, mixes Unicode scripts (letters with punctuation or digits), holds a character outside the
 * alphabet, or is longer than `maxPieceLength`. Differences from sentencepiece: a pair whose piece
 * already exists by another split is merged and listed again (as HF's conversion of a SentencePiece
 * model lists every split; sentencepiece skips it), there is no NFKC normaliser and no collapsing of
 * repeated spaces (Versiflow's `normalize` key normalises before), and the vocabulary's merged pieces are
 * applied by merge rank when encoding (HF's BPE), not by score.
 */
export function spBpeTrainer(opts: SpBpeTrainOptions): { feed(text: string): void; finish(): SpBpeTrainResult } {
  const specials = [...new Set(opts.specialTokens ?? ['<unk>', '<s>', '</s>'])];
  if (!specials.some((s) => UNK_NAMES.includes(s))) specials.unshift('<unk>');
  const bosToken = opts.bos ? (specials.find((s) => BOS_NAMES.includes(s)) ?? '<s>') : null;
  if (bosToken !== null && !specials.includes(bosToken)) specials.push(bosToken);
  const userSymbols = [...new Set(opts.userDefinedSymbols ?? [])].filter((s) => s.length > 0 && !specials.includes(s));
  const scheme = opts.prependScheme ?? 'first';
  const added: AddedToken[] = [...specials, ...userSymbols].map((content, id) => ({
    id,
    content,
    special: id < specials.length,
    singleWord: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
  }));
  const matcher = addedTokenMatcher(added);
  const byContent = new Map(added.map((t) => [t.content, t]));
  const wordCounts = new Map<string, number>();
  const count = (w: string) => wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1);

  // the encoder's segmentation exactly (SentencePieceBpeTokenizer.encodeSegment)
  const feed = (text: string): void => {
    const clean = /\p{Cs}/u.test(text) ? text.replace(/\p{Cs}/gu, '\uFFFD') : text;
    splitAddedTokens(clean, matcher, byContent).forEach((seg, i) => {
      if (seg.id !== undefined || !seg.text) return;
      let s = seg.text.replaceAll(' ', WS);
      if (!s.startsWith(WS) && (scheme === 'always' || i === 0)) s = WS + s;
      let from = 0;
      for (let j = s.indexOf(WS, 1); j >= 0; j = s.indexOf(WS, j + 1)) {
        if (j > from) count(s.slice(from, j));
        from = j;
      }
      count(s.slice(from));
    });
  };
  return { feed, finish: () => learn(wordCounts, specials, userSymbols, added, scheme, opts) };
}

function learn(wordCounts: Map<string, number>, specials: string[], userSymbols: string[], added: AddedToken[], scheme: 'first' | 'always', opts: SpBpeTrainOptions): SpBpeTrainResult {
  const coverageTarget = opts.characterCoverage ?? 0.9995;
  if (!(coverageTarget > 0 && coverageTarget <= 1)) throw new Error(`character_coverage must be in (0, 1] (got ${coverageTarget})`);
  const maxLen = opts.maxPieceLength ?? 16;
  const notes: string[] = [];

  // 1. alphabet: characters by frequency (ties: code point) until the coverage is reached
  const charCounts = new Map<string, number>();
  let total = 0;
  for (const [w, n] of wordCounts) for (const ch of w) (charCounts.set(ch, (charCounts.get(ch) ?? 0) + n), (total += n));
  const sorted = [...charCounts].sort((a, b) => b[1] - a[1] || a[0].codePointAt(0)! - b[0].codePointAt(0)!);
  const alphabet: string[] = [];
  let covered = 0;
  for (const [ch, n] of sorted) {
    if (total > 0 && covered / total >= coverageTarget) break;
    covered += n;
    alphabet.push(ch);
  }

  // 2. byte fallback when the vocabulary can hold it (sentencepiece: alphabet + meta pieces < vocab size)
  const metas = specials.length + userSymbols.length;
  const fits = metas + 256 + alphabet.length < opts.vocabSize;
  const want = opts.byteFallback ?? 'auto';
  if (want === true && !fits) throw new Error(`vocab_size ${opts.vocabSize} cannot hold the 256 byte-fallback tokens beside ${metas} specials and user symbols and ${alphabet.length} characters: raise vocab_size above ${metas + 256 + alphabet.length}, or turn byte_fallback off (rare characters then become <unk>)`);
  const byteFallback = want === 'auto' ? fits : want;
  if (want === 'auto' && !fits) notes.push(`byte fallback off: ${opts.vocabSize} tokens cannot hold the 256 byte tokens beside ${alphabet.length} characters; the ${charCounts.size - alphabet.length} rarer characters (${(100 * (1 - covered / Math.max(total, 1))).toFixed(3)}% of the text) become <unk>`);
  const budget = opts.vocabSize - metas - (byteFallback ? 256 : 0);
  if (alphabet.length >= budget) throw new Error(`vocab_size ${opts.vocabSize} is too small for the ${alphabet.length} characters that cover ${(100 * coverageTarget).toFixed(2)}% of the corpus (plus ${metas} specials and user symbols${byteFallback ? ' and 256 byte tokens' : ''}): raise vocab_size or lower character_coverage`);

  // 3. symbols: the alphabet first; words as symbol ids, -1 for a character outside it
  const pieces: string[] = [...alphabet];
  const pieceId = new Map(pieces.map((p, i) => [p, i]));
  const lens: number[] = pieces.map(() => 1);
  const scripts: (string | null)[] = pieces.map((p) => (p === WS ? null : unicodeScript(p)));
  const words: number[][] = [];
  const counts: number[] = [];
  for (const [w, n] of wordCounts) {
    words.push(Array.from(w, (ch) => pieceId.get(ch) ?? -1));
    counts.push(n);
  }
  wordCounts.clear();

  // a pair may merge when the piece stays valid (sentencepiece IsValidSentencePiece)
  const K = opts.vocabSize + alphabet.length + 1;
  const valid = (a: number, b: number): boolean =>
    a >= 0 && b >= 0 && lens[a] + lens[b] <= maxLen && !pieces[b].includes(WS) && (scripts[a] === null || scripts[b] === null || scripts[a] === scripts[b]);
  const pairCounts = new Map<number, number>();
  const where = new Map<number, Set<number>>();
  const bump = (key: number, delta: number, wi: number): void => {
    pairCounts.set(key, (pairCounts.get(key) ?? 0) + delta);
    if (delta > 0) {
      let s = where.get(key);
      if (!s) where.set(key, (s = new Set()));
      s.add(wi);
    }
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    for (let j = 0; j + 1 < w.length; j++) if (valid(w[j], w[j + 1])) bump(w[j] * K + w[j + 1], counts[i], i);
  }
  const pieceOf = (key: number) => pieces[Math.floor(key / K)] + pieces[key % K];
  const before = (x: { key: number; count: number; len: number }, y: { key: number; count: number; len: number }) =>
    x.count > y.count || (x.count === y.count && (x.len < y.len || (x.len === y.len && pieceOf(x.key) < pieceOf(y.key))));
  const queue = new MaxHeap<{ key: number; count: number; len: number }>(before);
  const entry = (key: number, c: number) => ({ key, count: c, len: lens[Math.floor(key / K)] + lens[key % K] });
  for (const [key, c] of pairCounts) if (c > 0) queue.push(entry(key, c));

  // 4. merge loop: the most frequent valid pair until the vocabulary is full
  const merges: [number, number][] = [];
  const mergedPieces: string[] = [];
  const mergedSet = new Set<number>();
  const taken = new Set<string>([...specials, ...userSymbols, ...alphabet]);
  const changes: number[] = [];
  while (alphabet.length + mergedPieces.length < budget) {
    const top = queue.pop();
    if (!top) break;
    const current = pairCounts.get(top.key) ?? 0;
    if (current <= 0) continue;
    if (top.count !== current) {
      queue.push(entry(top.key, current));
      continue;
    }
    const a = Math.floor(top.key / K);
    const b = top.key % K;
    const str = pieces[a] + pieces[b];
    let id = pieceId.get(str);
    if (id === undefined) {
      id = pieces.push(str) - 1;
      pieceId.set(str, id);
      lens.push(lens[a] + lens[b]);
      scripts.push(scripts[a] ?? scripts[b]);
    }
    if (!taken.has(str)) (taken.add(str), mergedPieces.push(str));
    if (!mergedSet.has(top.key)) (mergedSet.add(top.key), merges.push([a, b])); // HF would keep a repeated pair's last rank, Versiflow its first: write it once
    const pos = where.get(top.key)!;
    where.delete(top.key);
    pairCounts.delete(top.key);
    for (const i of pos) mergeInWord(words[i], a, b, id, changes, i, K);
    const touched = new Set<number>();
    for (let c = 0; c < changes.length; c += 3) {
      const key = changes[c];
      const x = Math.floor(key / K);
      const y = key % K;
      if (key === top.key || !valid(x, y)) continue;
      bump(key, changes[c + 1] * counts[changes[c + 2]], changes[c + 2]);
      if (changes[c + 1] > 0) touched.add(key);
    }
    changes.length = 0;
    for (const key of touched) {
      const c = pairCounts.get(key) ?? 0;
      if (c > 0) queue.push(entry(key, c));
    }
  }
  const vocabFilled = metas + (byteFallback ? 256 : 0) + alphabet.length + mergedPieces.length;
  if (vocabFilled < opts.vocabSize) notes.push(`the corpus ran out of pairs to merge: ${vocabFilled} tokens instead of ${opts.vocabSize}`);

  // 5. tokenizer.json: specials, user symbols, bytes, merged pieces, then the alphabet (sentencepiece's order)
  const vocab: Record<string, number> = {};
  const order = [...specials, ...userSymbols, ...(byteFallback ? Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`) : []), ...mergedPieces, ...alphabet];
  order.forEach((p, i) => (vocab[p] = i));
  const unk = specials.find((s) => UNK_NAMES.includes(s))!;
  const bosToken = opts.bos ? specials.find((s) => BOS_NAMES.includes(s))! : null;
  const metaspace = { type: 'Metaspace', replacement: WS, prepend_scheme: scheme, split: true };
  const doc = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added.map((t) => ({ id: t.id, content: t.content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: t.special })),
    normalizer: null,
    pre_tokenizer: metaspace,
    post_processor: bosToken !== null ? bosTemplate(bosToken, specials.indexOf(bosToken)) : null,
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: WS }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: unk,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: byteFallback,
      ignore_merges: false,
      vocab,
      merges: merges.map(([a, b]) => [pieces[a], pieces[b]]),
    },
  };
  return {
    tokenizer: SentencePieceBpeTokenizer.fromJSON(doc),
    alphabet: alphabet.length,
    coverage: total > 0 ? covered / total : 1,
    merges: merges.length,
    byteFallback,
    notes,
  };
}

/**
 * Replaces every non-overlapping (a, b) in `w`, left to right, by `rep`, appending (pair key, ±1, word
 * index) for each neighbouring pair that disappears or appears.
 */
function mergeInWord(w: number[], a: number, b: number, rep: number, changes: number[], wi: number, K: number): void {
  let out = 0;
  const n = w.length;
  for (let r = 0; r < n; r++) {
    if (w[r] === a && r + 1 < n && w[r + 1] === b) {
      if (out > 0) {
        const prev = w[out - 1];
        if (prev >= 0) changes.push(prev * K + a, -1, wi, prev * K + rep, 1, wi);
      }
      if (r + 2 < n) {
        const next = w[r + 2];
        if (next >= 0) changes.push(b * K + next, -1, wi, rep * K + next, 1, wi);
      }
      w[out++] = rep;
      r++;
    } else {
      w[out++] = w[r];
    }
  }
  w.length = out;
}
