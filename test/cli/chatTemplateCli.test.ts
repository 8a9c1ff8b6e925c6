import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { chatCommand } from '../../src/cli/chatCommand.ts';
import { type ChatEngine, runChat } from '../../src/cli/chatSession.ts';
import { main } from '../../src/cli/main.ts';
import { serveCommand } from '../../src/cli/serveCommand.ts';
import { configToSnake, normalizeConfig } from '../../src/core/config/normalizeConfig.ts';
import { setupBackend } from '../../src/model/backend/setupBackend.ts';
import { readTensors } from '../../src/model/nn/checkpoint.ts';
import { disposeWeights, forward, initWeights } from '../../src/model/nn/gpt.ts';
import { countParams, resolveGptConfig } from '../../src/model/nn/gptConfig.ts';
import { trainBpe } from '../../src/model/tokenizer/bpeTrainer.ts';
import { chatPromptIds } from '../../src/model/tokenizer/chatPrompt.ts';
import { CHAT_TOKENS } from '../../src/model/tokenizer/chatTemplate.ts';
import { saveCheckpoint } from '../../src/streams/checkpoints/checkpointStore.ts';
import { connectGenerate } from '../../src/streams/feed/generateClient.ts';
import type { GeneratePrompt } from '../../src/streams/feed/generateProtocol.ts';
import { loadModel } from '../../src/pipeline/withModel.ts';
import { captureIO, writeTestCheckpoint } from './checkpointFixture.ts';

/** A random-weight checkpoint whose BPE tokenizer has the chat tokens (context 64). */
async function writeChatCheckpoint(): Promise<string> {
  const tokenizer = trainBpe(['Hello there, how are you? I am fine, thank you.', 'Привет! Как дела? Всё хорошо.'], { vocabSize: 300, specialTokens: ['[PAD]', '[EOS]', '[UNK]', ...CHAT_TOKENS] });
  const config = normalizeConfig({ context: 64, layers: 1, hidden: 32, heads: 4, kv_heads: 2, ffn: 64, vocab_size: tokenizer.vocabSize, init_std: 0.3, backend: 'cpu' }, 'test');
  const gpt = resolveGptConfig({ ...config, vocabSize: tokenizer.vocabSize });
  const w = initWeights(gpt, 7);
  const model = await readTensors(w);
  disposeWeights(w);
  const { path } = await saveCheckpoint(mkdtempSync(join(tmpdir(), 'versiflow-chat-')), {
    model, optimizer: [], tokenizer: tokenizer.toJSON(),
    state: { format: 'versiflow-checkpoint', version: 1, step: 0, epoch: 0, config: configToSnake(config), data: { seed: 1, step: 0, trainExamples: 0 }, optimizerStep: 0, bestValLoss: null, tokenizerHash: tokenizer.hash, params: countParams(gpt), savedAt: new Date(0).toISOString() },
  });
  return path;
}

let chatCkpt = '';
let charCkpt = '';
beforeAll(async () => {
  await setupBackend('cpu');
  chatCkpt = await writeChatCheckpoint();
  charCkpt = await writeTestCheckpoint();
});

/** The greedy first answer token computed directly: argmax of the logits after the rendered conversation. */
async function firstGreedyToken(prompt: { messages: { role: 'user'; content: string }[]; system?: string }): Promise<number> {
  const m = await loadModel(chatCkpt);
  try {
    const { ids } = chatPromptIds(m.tokenizer, prompt, 32);
    return tf.tidy(() => forward(tf.tensor2d(ids, [1, ids.length], 'int32'), m.weights, m.gpt).slice([0, ids.length - 1, 0], [1, 1, m.gpt.vocabSize]).reshape([-1]).argMax().dataSync()[0]);
  } finally {
    disposeWeights(m.weights);
  }
}

describe('chat sessions keep turns for chat models', () => {
  it('sends the turns with the system prompt, answers appended; /system and /reset change them', async () => {
    const seen: GeneratePrompt[] = [];
    const engine: ChatEngine = {
      chat: true,
      generate(prompt, _o, onText) {
        seen.push(JSON.parse(JSON.stringify(prompt)));
        onText(`answer ${seen.length}`);
        return { done: Promise.resolve({ tokens: 2, tokPerSec: 1, finish: 'eos' }), cancel: () => undefined };
      },
      close: () => undefined,
    };
    async function* lines() {
      yield* ['hi', 'how are you?', '/system Be brief.', 'bye', '/reset', 'again', '/system off', 'plain'];
    }
    await runChat(lines(), { write: () => true }, engine, { temperature: 0, topK: 0, topP: 1, maxTokens: 5, watermark: false, seed: 1, system: 'You are kind.' });
    expect(seen).toEqual([
      { messages: [{ role: 'user', content: 'hi' }], system: 'You are kind.' },
      { messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'answer 1' }, { role: 'user', content: 'how are you?' }], system: 'You are kind.' },
      { messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'answer 1' }, { role: 'user', content: 'how are you?' }, { role: 'assistant', content: 'answer 2' }, { role: 'user', content: 'bye' }], system: 'Be brief.' },
      { messages: [{ role: 'user', content: 'again' }], system: 'Be brief.' },
      { messages: [{ role: 'user', content: 'again' }, { role: 'assistant', content: 'answer 4' }, { role: 'user', content: 'plain' }] },
    ]);
  });
});

describe('chat, generate --chat and serve apply the chat template', () => {
  it('generate --chat renders the user message and prints only the answer; its first greedy token is the model\'s argmax after the template', async () => {
    const c = captureIO();
    const code = await main(['generate', '--checkpoint', chatCkpt, '--chat', '--system', 'Be brief.', '--prompt', 'Hello there', '--max-new-tokens', '1', '--temperature', '0', '--backend', 'cpu'], c.io);
    expect(code, c.err()).toBe(0);
    const expected = await firstGreedyToken({ messages: [{ role: 'user', content: 'Hello there' }], system: 'Be brief.' });
    const m = await loadModel(chatCkpt);
    const text = m.tokenizer.decode([expected]);
    disposeWeights(m.weights);
    expect(c.out()).toBe(`${text}\n`);
    expect(c.out()).not.toContain('Hello there');
  });

  it('generate --chat refuses a model without chat tokens, and --system without --chat', async () => {
    const a = captureIO();
    expect(await main(['generate', '--checkpoint', charCkpt, '--chat', '--prompt', 'x', '--backend', 'cpu'], a.io)).not.toBe(0);
    expect(a.err()).toMatch(/has no chat tokens .*versiflow train --task sft --init-from/);
    const b = captureIO();
    expect(await main(['generate', '--checkpoint', chatCkpt, '--system', 'x', '--backend', 'cpu'], b.io)).not.toBe(0);
    expect(b.err()).toMatch(/--system needs --chat/);
  });

  it('chat --checkpoint on a chat model answers like generate --chat for the same first message', async () => {
    const input = new PassThrough();
    const c = captureIO();
    const done = chatCommand(['--checkpoint', chatCkpt, '--backend', 'cpu', '--system', 'Be brief.', '--temperature', '0', '--max-new-tokens', '6'], c.io, input);
    input.end('Hello there\nHow are you?\n');
    expect(await done, c.err()).toBe(0);
    const g = captureIO();
    await main(['generate', '--checkpoint', chatCkpt, '--chat', '--system', 'Be brief.', '--prompt', 'Hello there', '--max-new-tokens', '6', '--temperature', '0', '--backend', 'cpu'], g.io);
    const firstAnswer = c.out().split('> ')[1].replace(/\n\(\d+ tokens.*$/s, '');
    expect(firstAnswer).toBe(g.out().replace(/\n$/, ''));
    expect(c.out().match(/tok\/s/g)?.length).toBe(2);
  });

  it('serve takes conversations for a chat model (hello says chat) and refuses them for a plain one', async () => {
    const serve = async (ckpt: string, body: (url: string) => Promise<void>) => {
      const c = captureIO();
      let failure: unknown;
      const code = await serveCommand(['--checkpoint', ckpt, '--port', '0', '--backend', 'cpu'], c.io, { until: (h) => body(h.url).catch((e: unknown) => void (failure = e)) });
      if (failure) throw failure;
      expect(code).toBe(0);
    };
    await serve(chatCkpt, async (url) => {
      const conn = await connectGenerate(url);
      expect(conn.hello.model.chat).toBe(true);
      const texts: string[] = [];
      const r = await conn.generate({ messages: [{ role: 'user', content: 'Hello there' }], system: 'Be brief.' }, { maxNewTokens: 6, temperature: 0 }, (t) => texts.push(t.text)).done;
      expect(r.tokens).toBeGreaterThan(0);
      const g = captureIO();
      await main(['generate', '--checkpoint', chatCkpt, '--chat', '--system', 'Be brief.', '--prompt', 'Hello there', '--max-new-tokens', '6', '--temperature', '0', '--backend', 'cpu'], g.io);
      expect(texts.join('')).toBe(g.out().replace(/\n$/, ''));
      conn.close();
    });
    await serve(charCkpt, async (url) => {
      const conn = await connectGenerate(url);
      expect(conn.hello.model.chat).toBe(false);
      await expect(conn.generate({ messages: [{ role: 'user', content: 'x' }] }, {}, () => undefined).done).rejects.toThrow(/this model has no chat tokens/);
      conn.close();
    });
  });
});
