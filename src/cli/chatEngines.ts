import type { GenerateConnection } from '../streams/feed/generateClient.ts';
import type { TokenSource } from '../streams/feed/generateServer.ts';
import type { ChatAnswer, ChatEngine } from './chatSession.ts';

/** Answers from a model in this process; cancel stops before the next token. `chat`: the model has the chat tokens. */
export function localEngine(source: TokenSource, close: () => void = () => undefined, chat = false): ChatEngine {
  return {
    chat,
    generate(prompt, options, onText): ChatAnswer {
      let cancelled = false;
      const t0 = performance.now();
      const done = (async () => {
        let tokens = 0;
        let finish = 'length';
        for await (const t of source(prompt, options)) {
          if (cancelled) break;
          tokens++;
          finish = t.finish ?? finish;
          onText(t.text);
        }
        const s = (performance.now() - t0) / 1000;
        return { tokens, tokPerSec: s > 0 ? tokens / s : 0, finish: cancelled ? 'cancelled' : finish };
      })();
      return { done, cancel: () => void (cancelled = true) };
    },
    close,
  };
}

/** Answers from `versiflow serve` over an open connection. */
export function remoteEngine(conn: GenerateConnection): ChatEngine {
  return {
    chat: conn.hello.model.chat === true,
    generate(prompt, options, onText): ChatAnswer {
      const { id, done } = conn.generate(prompt, options, (t) => onText(t.text));
      return { done, cancel: () => conn.cancel(id) };
    },
    close: () => conn.close(),
  };
}
