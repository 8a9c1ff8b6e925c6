import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { stackExamples } from '../../../src/model/nn/batch.ts';
import { forward, initWeights } from '../../../src/model/nn/gpt.ts';
import { type MaskedDoc, packMasked, truncateMasked } from '../../../src/model/nn/maskedExamples.ts';
import { batchLoss } from '../../../src/model/nn/step.ts';
import { trainBpe } from '../../../src/model/tokenizer/bpeTrainer.ts';
import { CHAT_TOKENS, type ChatTurn, encodeChat } from '../../../src/model/tokenizer/chatTemplate.ts';
import { tiny } from './tiny.ts';

beforeAll(async () => {
  await setupBackend('cpu');
});

const DIALOGUES: ChatTurn[][] = [
  [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'How long to boil an egg?' }, { role: 'assistant', content: 'Seven minutes.' }],
  [{ role: 'user', content: 'Привет!' }, { role: 'assistant', content: 'Привет, чем помочь?' }, { role: 'user', content: 'Ничем, спасибо.' }, { role: 'assistant', content: 'Хорошего дня!' }],
  [{ role: 'user', content: 'Name a colour.' }, { role: 'assistant', content: 'Green.' }],
  [{ role: 'system', content: 'Answer in Russian.' }, { role: 'user', content: 'What is seven times eight?' }, { role: 'assistant', content: 'Пятьдесят шесть.' }],
];

const tok = trainBpe(DIALOGUES.flat().map((t) => t.content), { vocabSize: 320, specialTokens: ['[PAD]', '[EOS]', '[UNK]', ...CHAT_TOKENS] });
const id = (s: string) => tok.tokenToId(s);

/**
 * Which stream tokens are assistant tokens, found without the mask: a state machine over the ids —
 * after <|assistant|> and its newline, every token up to and including the next <|end|>.
 */
function assistantTokens(ids: readonly number[]): boolean[] {
  const nl = tok.encode('\n')[0];
  const out: boolean[] = [];
  let state: 'out' | 'header' | 'in' = 'out';
  for (const t of ids) {
    if (state === 'in') {
      out.push(true);
      if (t === id('<|end|>')) state = 'out';
    } else if (state === 'header') {
      expect(t).toBe(nl);
      out.push(false);
      state = 'in';
    } else {
      out.push(false);
      if (t === id('<|assistant|>')) state = 'header';
    }
  }
  return out;
}

describe('assistant-only loss masks', () => {
  const docs: MaskedDoc[] = DIALOGUES.map((d) => encodeChat(tok, d));
  const stream = docs.flatMap((d) => Array.from(d.ids));
  const isAssistant = assistantTokens(stream);

  it('packing carries the mask with the tokens (targets = assistant tokens of the stream)', () => {
    const T = 16;
    const ex = packMasked(docs, T);
    expect(ex.length).toBe(Math.floor((stream.length - 1) / T));
    ex.forEach((e, i) => {
      expect(Array.from(e.ids)).toEqual(stream.slice(i * T, i * T + T + 1));
      expect(Array.from(e.mask)).toEqual(isAssistant.slice(i * T + 1, i * T + T + 1).map(Number));
    });
  });

  it('the masked loss of a packed batch equals the float64 loss over assistant tokens alone', () => {
    const T = 12;
    const ex = packMasked(docs, T);
    const batch = stackExamples(ex);
    const c = tiny({ vocabSize: tok.vocabSize, context: T, initStd: 0.5 });
    const w = initWeights(c, 3);
    const loss = tf.tidy(() => batchLoss(w, c, batch).dataSync()[0]);
    const logits = tf.tidy(() => forward(tf.tensor2d(batch.x, [batch.B, T], 'int32'), w, c).dataSync());
    // reference: mean over the stream positions whose target is an assistant token, in float64
    let sum = 0;
    let n = 0;
    let skipped = 0;
    for (let r = 0; r < batch.B; r++) {
      for (let t = 0; t < T; t++) {
        if (!isAssistant[r * T + t + 1]) {
          skipped++;
          continue;
        }
        const row = Array.from(logits.subarray((r * T + t) * c.vocabSize, (r * T + t + 1) * c.vocabSize), Number);
        const max = Math.max(...row);
        const lse = max + Math.log(row.reduce((a, z) => a + Math.exp(z - max), 0));
        sum += lse - row[batch.y[r * T + t]];
        n++;
      }
    }
    expect(n).toBeGreaterThan(10);
    expect(skipped).toBeGreaterThan(n); // system/user tokens dominate: the mask matters
    expect(n).toBe(batch.tokens);
    expect(loss).toBeCloseTo(sum / n, 5);
    // and it differs from the loss over every token
    const all = tf.tidy(() => batchLoss(w, c, { ...batch, mask: new Float32Array(batch.mask.length).fill(1), tokens: batch.mask.length }).dataSync()[0]);
    expect(Math.abs(all - loss)).toBeGreaterThan(1e-3);
    for (const v of w.values()) v.dispose();
  });

  it('truncate layout: one conversation per row, mask shifted to targets, padding and overflow dropped', () => {
    const T = 24; // cuts some conversations inside or before their assistant turn
    const ex = truncateMasked(docs, T, id('[PAD]'));
    const kept = docs.map((_, k) => k).filter((k) => assistantTokens(Array.from(docs[k].ids)).slice(1, T + 1).some(Boolean));
    expect(kept.length).toBeGreaterThanOrEqual(2);
    expect(kept.length).toBeLessThan(docs.length);
    expect(ex.length).toBe(kept.length);
    ex.forEach((e, i) => {
      const k = kept[i];
      const ids = Array.from(docs[k].ids);
      const n = Math.min(ids.length, T + 1);
      expect(Array.from(e.ids.subarray(0, n))).toEqual(ids.slice(0, n));
      expect(Array.from(e.mask)).toEqual(Array.from({ length: T }, (_, t) => (t + 1 < n && assistantTokens(ids)[t + 1] ? 1 : 0)));
    });
    // a conversation whose assistant tokens all lie past the window counts nothing and is dropped
    expect(truncateMasked([docs[0]], 4, id('[PAD]'))).toEqual([]);
  });
});
