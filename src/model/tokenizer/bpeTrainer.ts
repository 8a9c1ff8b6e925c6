import { alphabetByCodePoint, toByteLevel } from './byteLevel.ts';
import { BOS_NAMES } from './bosTemplate.ts';
import { BpeTokenizer } from './bpeTokenizer.ts';
import { MaxHeap } from './maxHeap.ts';
import { type AddedToken, addedTokenMatcher, literalAlternation, preTokenize, splitAddedTokens } from './pretokenize.ts';

/** Options of {@link trainBpe}. */
export interface BpeTrainOptions {
  /** Final vocabulary size, specials and the 256 byte symbols included. */
  readonly vocabSize: number;
  /** Pairs seen fewer times are never merged. @default 2 */
  readonly minFrequency?: number;
  /** Special tokens, given ids 0, 1, ... in this order (e.g. ['[PAD]', '[EOS]', '[UNK]']). @default [] */
  readonly specialTokens?: readonly string[];
  /**
   * Symbols kept whole (e.g. «, », —, …): an isolating Split cuts them out of the text before the GPT-2
   * regex, so no merge crosses them, and merges building each one are put first, so it is always one token.
   * Implemented this way, not as HF added tokens, because an added token "«" would collide with the byte
   * symbol "«" (0xAB) and decode to U+FFFD in HF. @default []
   */
  readonly userSymbols?: readonly string[];
  /** @default false */
  readonly addPrefixSpace?: boolean;
  /**
   * Put a BOS before every document (the bos_token key): `[BOS]` is added to the specials unless one of
   * them is a BOS already (BOS_NAMES), and the tokenizer adds it (see withBos). @default false
   */
  readonly bos?: boolean;
}

interface Entry {
  pair: number;
  count: number;
  pos: Set<number>;
}

/**
 * Trains a byte-level BPE the way HF's `BpeTrainer` does (tokenizers/src/models/bpe/trainer.rs), so the
 * same corpus gives the same merges: specials first, then all 256 byte symbols in code-point order; words
 * counted after pre-tokenization; pair counts kept incrementally with a max-heap (highest count, then
 * smallest (id_a, id_b)) whose entries carry the words to update and are re-pushed lazily when stale.
 * Texts are consumed one at a time (only word counts are kept). Specials inside texts are cut out and not
 * counted. Cost: one pass over the corpus, then per merge O(words containing the pair · word length).
 */
export function trainBpe(texts: Iterable<string>, opts: BpeTrainOptions): BpeTokenizer {
  const trainer = bpeTrainer(opts);
  for (const text of texts) trainer.feed(text);
  return trainer.finish();
}

/** {@link trainBpe} for async sources (e.g. a file read line by line). */
export async function trainBpeAsync(texts: AsyncIterable<string> | Iterable<string>, opts: BpeTrainOptions): Promise<BpeTokenizer> {
  const trainer = bpeTrainer(opts);
  for await (const text of texts) trainer.feed(text);
  return trainer.finish();
}

/** The two phases of {@link trainBpe}: `feed` counts one text's words (the text is not kept), `finish` merges. */
export function bpeTrainer(opts: BpeTrainOptions): { feed(text: string): void; finish(): BpeTokenizer } {
  const minFrequency = opts.minFrequency ?? 2;
  const specials = [...new Set(opts.specialTokens ?? [])];
  const bosToken = opts.bos ? (specials.find((s) => BOS_NAMES.includes(s)) ?? '[BOS]') : null;
  if (bosToken !== null && !specials.includes(bosToken)) specials.push(bosToken);
  const userSymbols = [...new Set(opts.userSymbols ?? [])].filter((s) => s.length > 0);
  const addedTokens: AddedToken[] = specials.map((content, id) => ({
    id,
    content,
    special: true,
    singleWord: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
  }));
  const isolatePattern = userSymbols.length ? literalAlternation(userSymbols) : null;
  const pre = {
    addPrefixSpace: opts.addPrefixSpace ?? false,
    useRegex: true,
    isolate: isolatePattern ? new RegExp(isolatePattern, 'gu') : null,
  };

  // 1. word counts, keyed by raw pre-token (converted to byte symbols once per distinct word below)
  const rawCounts = new Map<string, number>();
  const matcher = addedTokenMatcher(addedTokens);
  const byContent = new Map(addedTokens.map((t) => [t.content, t]));
  const count = (w: string): void => {
    rawCounts.set(w, (rawCounts.get(w) ?? 0) + 1);
  };
  const feed = (text: string): void => {
    const clean = /\p{Cs}/u.test(text) ? text.replace(/\p{Cs}/gu, '\uFFFD') : text;
    for (const seg of splitAddedTokens(clean, matcher, byContent)) if (seg.id === undefined) preTokenize(seg.text, pre, count);
  };
  return { feed, finish: () => learn(rawCounts, specials, userSymbols, addedTokens, isolatePattern, pre.addPrefixSpace, opts.vocabSize, minFrequency, bosToken) };
}

function learn(
  rawCounts: Map<string, number>,
  specials: readonly string[],
  userSymbols: readonly string[],
  addedTokens: AddedToken[],
  isolatePattern: string | null,
  addPrefixSpace: boolean,
  vocabSize: number,
  minFrequency: number,
  bosToken: string | null,
): BpeTokenizer {

  // 2. initial vocabulary: specials, then the byte alphabet in code-point order (HF compute_alphabet)
  const idToWord: string[] = [];
  const wordToId = new Map<string, number>();
  const intern = (tok: string): number => {
    let id = wordToId.get(tok);
    if (id === undefined) {
      id = idToWord.push(tok) - 1;
      wordToId.set(tok, id);
    }
    return id;
  };
  for (const s of specials) intern(s);
  for (const c of alphabetByCodePoint()) intern(c);

  const words: number[][] = [];
  const counts: number[] = [];
  for (const [raw, n] of rawCounts) {
    const w: number[] = [];
    for (const ch of toByteLevel(raw)) w.push(wordToId.get(ch)!);
    words.push(w);
    counts.push(n);
  }
  rawCounts.clear();

  // 3. forced merges that build each user symbol, applied before any learned merge
  const merges: [number, number][] = [];
  const noChanges: number[] = [];
  for (const sym of userSymbols) {
    const chars = [...toByteLevel(sym)];
    let cur = chars[0];
    for (const ch of chars.slice(1)) {
      const a = wordToId.get(cur)!;
      const b = wordToId.get(ch)!;
      const id = intern(cur + ch);
      merges.push([a, b]);
      for (let i = 0; i < words.length; i++) words[i] = mergeInWord(words[i], a, b, id, noChanges, i, 1);
      noChanges.length = 0;
      cur += ch;
    }
  }

  // 4. pair counts and where each pair occurs; keys a * K + b stay small integers while K² < 2^31
  const K = Math.max(vocabSize, idToWord.length) + 1;
  const pairCounts = new Map<number, number>();
  let where = new Map<number, Set<number>>();
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    for (let j = 0; j + 1 < w.length; j++) {
      const key = w[j] * K + w[j + 1];
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + counts[i]);
      let s = where.get(key);
      if (!s) where.set(key, (s = new Set()));
      s.add(i);
    }
  }
  const queue = new MaxHeap<Entry>((x, y) => x.count > y.count || (x.count === y.count && x.pair < y.pair));
  for (const [pair, pos] of where) {
    const c = pairCounts.get(pair)!;
    if (c > 0) queue.push({ pair, count: c, pos });
  }
  where = new Map();

  // 5. merge loop (HF do_train step 5)
  const changes: number[] = []; // flat triples: pair key, delta, word index
  while (wordToId.size < vocabSize) {
    const top = queue.pop();
    if (!top) break;
    const current = pairCounts.get(top.pair) ?? 0;
    if (top.count !== current) {
      top.count = current;
      queue.push(top);
      continue;
    }
    if (top.count < 1 || minFrequency > top.count) break;
    const a = Math.floor(top.pair / K);
    const b = top.pair % K;
    const newId = intern(idToWord[a] + idToWord[b]);
    merges.push([a, b]);
    for (const i of top.pos) words[i] = mergeInWord(words[i], a, b, newId, changes, i, K);
    for (let c = 0; c < changes.length; c += 3) {
      const pair = changes[c];
      const delta = changes[c + 1];
      const i = changes[c + 2];
      pairCounts.set(pair, (pairCounts.get(pair) ?? 0) + delta * counts[i]);
      if (delta > 0) {
        let s = where.get(pair);
        if (!s) where.set(pair, (s = new Set()));
        s.add(i);
      }
    }
    changes.length = 0;
    for (const [pair, pos] of where) {
      const c = pairCounts.get(pair)!;
      if (c > 0) queue.push({ pair, count: c, pos });
    }
    where.clear();
  }

  // HF keeps merges in a map, so a pair merged twice (possible when a token string is reachable by two
  // different merges) is written once, at its last rank.
  const lastRank = new Map<number, number>();
  merges.forEach(([a, b], r) => lastRank.set(a * K + b, r));
  const mergeStrings = merges
    .filter(([a, b], r) => lastRank.get(a * K + b) === r)
    .map(([a, b]): [string, string] => [idToWord[a], idToWord[b]]);
  return new BpeTokenizer({
    vocab: wordToId,
    merges: mergeStrings,
    addedTokens,
    addPrefixSpace,
    isolatePattern,
    bosToken,
  });
}

/**
 * Replaces every non-overlapping (a, b) in `w`, left to right, by `rep` (HF `Word::merge`), appending
 * (pair key, ±1, word index) for each pair that disappears or appears. Returns the merged word.
 */
function mergeInWord(w: number[], a: number, b: number, rep: number, changes: number[], wi: number, K: number): number[] {
  let out = 0;
  const n = w.length;
  for (let r = 0; r < n; r++) {
    if (w[r] === a && r + 1 < n && w[r + 1] === b) {
      if (out > 0) {
        const prev = w[out - 1];
        changes.push(prev * K + a, -1, wi, prev * K + rep, 1, wi);
      }
      if (r + 2 < n) {
        const next = w[r + 2];
        changes.push(b * K + next, -1, wi, rep * K + next, 1, wi);
      }
      w[out++] = rep;
      r++;
    } else {
      w[out++] = w[r];
    }
  }
  w.length = out;
  return w;
}
