import type { Example, ExampleSet } from '../../core/batch.ts';
import type { DocStore } from '../../core/corpusDoc.ts';
import { countedLength } from './batch.ts';

/**
 * A list of token spans of a {@link DocStore}, in order: span k is tokens [from[k], from[k] + len[k])
 * of document doc[k] (from null: every span starts at its document's first token). A split is one
 * list (the training documents, or the validation ones); a corpus of one document is split inside it
 * (from ≠ 0). 8 bytes per whole-document span, nothing per token.
 */
export interface Spans {
  readonly doc: Uint32Array;
  readonly from: Float64Array | null;
  readonly len: Uint32Array;
}

/** Whole documents `docs` of `store` as spans. */
export function docSpans(store: Pick<DocStore, 'length'>, docs: ArrayLike<number>): Spans {
  const n = docs.length;
  const s = { doc: Uint32Array.from(docs), from: null, len: new Uint32Array(n) };
  for (let k = 0; k < n; k++) s.len[k] = store.length(s.doc[k]);
  return s;
}

/**
 * nanoGPT packing, read on demand: the spans concatenated into one stream of N tokens and cut into
 * ⌊(N−1)/T⌋ windows of T+1 tokens with stride T (the next window starts on the last token of this
 * one), every target counted. The same examples, in the same order, as the `pack` operator over the
 * same documents. Resident: one Float64 running offset per span.
 */
export function packedExamples(store: DocStore, spans: Spans, T: number): ExampleSet {
  const n = spans.len.length;
  const start = new Float64Array(n + 1); // stream offset of each span
  for (let k = 0; k < n; k++) start[k + 1] = start[k] + spans.len[k];
  const N = start[n];
  const length = N >= T + 1 ? Math.floor((N - 1) / T) : 0;
  const mask = new Float32Array(T).fill(1);
  return {
    length,
    tokens: length * T,
    countedLength: () => T,
    at(i) {
      checkIndex(i, length);
      const ids = new Int32Array(T + 1);
      let pos = i * T;
      let k = spanAt(start, pos);
      let at = 0;
      while (at < T + 1) {
        const off = pos - start[k];
        const take = Math.min(spans.len[k] - off, T + 1 - at);
        store.read(spans.doc[k], (spans.from?.[k] ?? 0) + off, take, ids, at);
        at += take;
        pos += take;
        k++;
      }
      return { ids, mask };
    },
  };
}

/**
 * One span per row, read on demand: its first T+1 tokens right-padded with `padId`, the mask 1 where
 * the target is a real token; spans shorter than 2 tokens are skipped. The same examples as the
 * `truncate` operator. Resident: one Uint32 per kept span.
 */
export function truncatedExamples(store: DocStore, spans: Spans, T: number, padId: number): ExampleSet {
  let kept = 0;
  for (let k = 0; k < spans.len.length; k++) if (spans.len[k] >= 2) kept++;
  const rows = new Uint32Array(kept);
  let tokens = 0;
  for (let k = 0, r = 0; k < spans.len.length; k++) {
    if (spans.len[k] < 2) continue;
    rows[r++] = k;
    tokens += Math.min(spans.len[k], T + 1) - 1;
  }
  return {
    length: kept,
    tokens,
    countedLength: (i) => Math.min(spans.len[rows[i]], T + 1) - 1,
    at(i) {
      checkIndex(i, kept);
      const k = rows[i];
      const n = Math.min(spans.len[k], T + 1);
      const ids = new Int32Array(T + 1).fill(padId);
      store.read(spans.doc[k], spans.from?.[k] ?? 0, n, ids, 0);
      const mask = new Float32Array(T);
      mask.fill(1, 0, n - 1);
      return { ids, mask };
    },
  };
}

/** Examples already in memory, as a set (tests, small evaluation sets). */
export function exampleArray(examples: readonly Example[]): ExampleSet {
  return {
    length: examples.length,
    tokens: examples.reduce((n, e) => n + e.mask.reduce((a, b) => a + b, 0), 0),
    countedLength: (i) => countedLength(examples[i].mask),
    at: (i) => (checkIndex(i, examples.length), examples[i]),
  };
}

/** Examples [start, end) of a set, as a set (no copy). */
export function sliceExamples(set: ExampleSet, start: number, end: number): ExampleSet {
  const length = Math.max(0, Math.min(end, set.length) - start);
  let tokens = 0;
  for (let i = 0; i < length; i++) tokens += set.countedLength(start + i); // every layout's mask is a prefix of ones
  return { length, tokens, countedLength: (i) => set.countedLength(start + i), at: (i) => (checkIndex(i, length), set.at(start + i)) };
}

/** `set` if it is one, else the array wrapped by {@link exampleArray}. */
export function asExampleSet(examples: ExampleSet | readonly Example[]): ExampleSet {
  return Array.isArray(examples) ? exampleArray(examples as readonly Example[]) : (examples as ExampleSet);
}

/** The span holding stream position `pos`: the last k with start[k] ≤ pos (binary search). */
function spanAt(start: Float64Array, pos: number): number {
  let lo = 0;
  let hi = start.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (start[mid] <= pos) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function checkIndex(i: number, n: number): void {
  if (!(Number.isInteger(i) && i >= 0 && i < n)) throw new RangeError(`example ${i} is outside 0..${n - 1}`);
}
