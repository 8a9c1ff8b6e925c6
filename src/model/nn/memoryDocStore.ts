import type { DocStore, TokenizedDoc } from '../../core/corpusDoc.ts';

/** Documents held in memory as a {@link DocStore} (token_cache off, tests). */
export function memoryDocStore(docs: readonly TokenizedDoc[]): DocStore {
  return {
    count: docs.length,
    tokens: docs.reduce((n, d) => n + d.ids.length, 0),
    corpusIndex: (d) => docs[d].index,
    file: (d) => docs[d].file ?? 0,
    length: (d) => docs[d].ids.length,
    read(d, from, n, out, at) {
      out.set(docs[d].ids.subarray(from, from + n), at);
    },
    close() {},
  };
}
