import { Observable, type OperatorFunction } from 'rxjs';
import type { Example } from '../core/batch.ts';
import type { TokenizedDoc } from '../core/corpusDoc.ts';

/**
 * nanoGPT-style packing: documents are concatenated into one token stream and cut into windows of
 * T+1 tokens with stride T (each window's last token is the next one's first input), all positions
 * counted in the loss. The tail shorter than a window is dropped at completion.
 *
 * @example
 * docs$.pipe(pack(256)) // Observable<Example>
 */
export function pack(T: number): OperatorFunction<TokenizedDoc, Example> {
  return (source) =>
    new Observable<Example>((subscriber) => {
      let buf = new Int32Array(0); // tokens not yet emitted (holds < T+1 between docs)
      const mask = new Float32Array(T).fill(1);
      return source.subscribe({
        next: (doc) => {
          const joined = new Int32Array(buf.length + doc.ids.length);
          joined.set(buf);
          joined.set(doc.ids, buf.length);
          let start = 0;
          while (joined.length - start >= T + 1) {
            subscriber.next({ ids: joined.slice(start, start + T + 1), mask });
            start += T;
          }
          buf = joined.slice(start);
        },
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
}
