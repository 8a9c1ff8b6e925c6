import { concatMap, Observable, type OperatorFunction } from 'rxjs';
import { type GenerateModel, type GenerateOptions, generateTokens, type Token } from '../model/nn/generate.ts';

export type { Token } from '../model/nn/generate.ts';

/**
 * The tokens after one prompt, as an Observable: each token is emitted as soon as it is sampled,
 * then the stream completes (EOS, maxNewTokens or a stop string). Unsubscribing sets a flag the
 * generator checks between tokens, so no forward pass starts after it; the KV cache is freed.
 *
 * @example
 * generate$(model, 'Autumn', { maxNewTokens: 64, temperature: 0.8, topK: 40 })
 *   .subscribe((t) => process.stdout.write(t.text))
 */
export function generate$(model: GenerateModel, prompt: string | readonly number[], opts: GenerateOptions): Observable<Token> {
  return new Observable<Token>((subscriber) => {
    let stopped = false;
    const tokens = generateTokens(model, prompt, opts);
    (async () => {
      for await (const t of tokens) {
        if (stopped) break; // return() on the generator: no further forward pass, cache disposed
        subscriber.next(t);
        // on cpu/wasm a token's read resolves without a macrotask: yield so timers and I/O that
        // unsubscribe (takeUntil(timer), a closed socket) run between tokens
        await new Promise((r) => setImmediate(r));
        if (stopped) break;
      }
      subscriber.complete();
    })().catch((e: unknown) => subscriber.error(e));
    return () => {
      stopped = true;
    };
  });
}

/**
 * Prompts in, tokens out: each prompt's tokens in order, one prompt after another (concatMap, so
 * a model never runs two generations at once).
 *
 * @example
 * of('Autumn', 'Winter').pipe(generate(model, { maxNewTokens: 32, temperature: 0 }))
 */
export function generate(model: GenerateModel, opts: GenerateOptions): OperatorFunction<string, Token> {
  return concatMap((prompt) => generate$(model, prompt, opts));
}
