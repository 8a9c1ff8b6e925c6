import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { stackExamples } from '../../../src/model/nn/batch.ts';
import { disposeWeights } from '../../../src/model/nn/gpt.ts';
import { generateTokens } from '../../../src/model/nn/generate.ts';
import { packMasked } from '../../../src/model/nn/maskedExamples.ts';
import { batchLoss } from '../../../src/model/nn/step.ts';
import { trainBpe } from '../../../src/model/tokenizer/bpeTrainer.ts';
import { type ChatTurn, encodeChat, hasChatTokens, renderChat } from '../../../src/model/tokenizer/chatTemplate.ts';
import { normalizeConfig } from '../../../src/core/config/normalizeConfig.ts';
import type { GenerateModel } from '../../../src/model/nn/generate.ts';
import { initWeights } from '../../../src/model/nn/gpt.ts';
import { resolveGptConfig } from '../../../src/model/nn/gptConfig.ts';
import { assignInitWeights, readInitFrom } from '../../../src/pipeline/train/initFrom.ts';
import { loadModel } from '../../../src/pipeline/withModel.ts';
import { captureIO } from '../../cli/checkpointFixture.ts';

const FILTER = 'overall_score >= 6 and safety >= 8 and pii_leak == 0';
const rows = readFileSync('data/dialogues.jsonl', 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { conversation: ChatTurn[]; overall_score: number; safety: number; pii_leak: number });
/**
 * The same model keys for both runs (init_from keeps the architecture): 2 layers, width 64, context
 * 64, batch 16, a 500-token BPE; lr 1e-2 (tiny models take it). Tuned on 2 shared cores: batch 8
 * or a 400-token vocabulary left answers running on past 48 tokens; the truncate layout cuts most
 * conversations before their answer ends at this context.
 */
const MODEL = ['--config', 'tiny', '--context', '64', '--layers', '2', '--hidden', '64', '--heads', '4', '--kv-heads', '2', '--batch-size', '16', '--lr', '1e-2', '--warmup-steps', '10', '--backend', 'wasm', '--no-ws', '--reporter', 'json', '--sample-tokens', '0', '--log-every', '10'];
const PROMPTS = ['Привет! Как дела?', 'What is twelve times twelve?', 'Сколько будет семь умножить на восемь?', 'Who painted the Mona Lisa?', 'How long should I boil pasta?', 'Спасибо за помощь!'];
const MAX_ANSWER = 48;

/** Greedy answers to PROMPTS: for each, the tokens until <|end|> ('none' when it never came) and the text. */
async function answers(model: Required<GenerateModel>): Promise<{ ended: (number | 'none')[]; texts: string[] }> {
  const end = model.tokenizer.encode('<|end|>')[0];
  const ended: (number | 'none')[] = [];
  const texts: string[] = [];
  for (const q of PROMPTS) {
    const ids = model.tokenizer.encode(renderChat([{ role: 'user', content: q }], { addGenerationPrompt: true }));
    let n = 0;
    let finish: string | undefined;
    let text = '';
    for await (const t of generateTokens(model, ids, { maxNewTokens: MAX_ANSWER, temperature: 0, topK: 0, eosIds: [end] })) {
      n++;
      finish = t.finish;
      text += t.text;
    }
    ended.push(finish === 'eos' ? n : 'none');
    texts.push(text);
  }
  return { ended, texts };
}

const cyrillic = (s: string) => (s.match(/\p{Script=Cyrillic}/gu) ?? []).length > (s.match(/\p{Script=Latin}/gu) ?? []).length;

describe('train --task sft --init-from (done means of #15, SFT part)', () => {
  it('a tiny pretrained model learns to answer as the assistant and end its turn with <|end|>', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vf-sft-'));
    // 1. a byte-level BPE without chat tokens, and a short pretraining run on the sample's plain text
    const texts = rows.flatMap((r) => r.conversation.map((t) => t.content));
    writeFileSync(join(dir, 'plain.jsonl'), texts.map((text) => JSON.stringify({ text })).join('\n') + '\n');
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(trainBpe(texts, { vocabSize: 500, specialTokens: ['[PAD]', '[EOS]', '[UNK]'] }).toJSON()));
    const pre = captureIO();
    expect(await main(['train', ...MODEL, '--data', join(dir, 'plain.jsonl'), '--tokenizer', join(dir, 'tokenizer.json'), '--max-steps', '60', '--eval-every', '60', '--out', join(dir, 'pre')], pre.io), pre.err()).toBe(0);

    // 2. SFT from it on the dialogue sample, filtered as the reference model's corpus was
    const sft = captureIO();
    const code = await main(['train', ...MODEL, '--task', 'sft', '--init-from', join(dir, 'pre'), '--data', 'data/dialogues.jsonl', '--filter', FILTER, '--max-steps', '200', '--eval-every', '200', '--out', join(dir, 'sft')], sft.io);
    expect(code, sft.err()).toBe(0);
    const events = readFileSync(join(dir, 'sft', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const warnings = events.filter((e) => e.type === 'warning').map((e) => e.message as string);
    expect(warnings).toContainEqual(expect.stringMatching(/^dialogues: 96 of 110 rows kept, 14 dropped by filter "overall_score >= 6 and safety >= 8 and pii_leak == 0"/));
    expect(warnings).toContainEqual(expect.stringMatching(/^init_from: starting from .*pre.*added <\|system\|> <\|user\|> <\|assistant\|> <\|end\|> to the tokenizer \(embeddings grown to 504 rows/));

    // 3. the assistant-token loss fell: step 1 (the initial weights) → the last step, and on fixed packed examples
    const steps = events.filter((e) => e.type === 'train/step');
    const first = steps[0].loss as number;
    const last = steps[steps.length - 1].loss as number;
    const m = await loadModel(join(dir, 'sft'));
    try {
      expect(hasChatTokens(m.tokenizer)).toBe(true);
      const kept = rows.filter((r) => r.overall_score >= 6 && r.safety >= 8 && r.pii_leak === 0).map((r) => r.conversation);
      const fixed = packMasked(kept.map((t) => encodeChat(m.tokenizer, t)), 64).slice(0, 32);
      const fixedLoss = tf.tidy(() => batchLoss(m.weights, m.gpt, stackExamples(fixed)).dataSync()[0]);
      console.log(`sft: assistant-token loss ${first.toFixed(3)} at step 1 → ${last.toFixed(3)} at step ${steps[steps.length - 1].step}; ${fixedLoss.toFixed(3)} on 32 fixed packed examples after`);
      expect(last).toBeLessThan(first - 1);
      expect(fixedLoss).toBeLessThan(first - 0.8);

      // 4. greedy generation after a user turn ends the answer with <|end|>, in the user's script;
      //    the model SFT started from (pretrained weights, chat rows = mean) as the baseline
      const init = (await readInitFrom(normalizeConfig({ init_from: join(dir, 'pre'), task: 'sft' }, 'test')))!;
      const base = { weights: initWeights(resolveGptConfig(init.config), 0), dispose: () => undefined };
      assignInitWeights(base, init);
      const before = await answers({ weights: base.weights, config: resolveGptConfig(init.config), tokenizer: init.tokenizer });
      disposeWeights(base.weights);
      const after = await answers({ weights: m.weights, config: m.gpt, tokenizer: m.tokenizer });
      PROMPTS.forEach((q, i) => console.log(`sft: ${q} → ${JSON.stringify(after.texts[i])} (${after.ended[i]})`));
      const scriptOk = PROMPTS.filter((q, i) => cyrillic(q) === cyrillic(after.texts[i])).length;
      console.log(`sft: greedy answers ending with <|end|> within ${MAX_ANSWER} tokens: before SFT ${before.ended.join(', ')}; after ${after.ended.join(', ')}; answers in the prompt's script ${scriptOk}/6`);
      // all six ended (and matched the script) on the machine it was tuned on; one may differ elsewhere (other SIMD, other sums)
      expect(after.ended.filter((n) => n !== 'none').length).toBeGreaterThanOrEqual(5);
      expect(before.ended.filter((n) => n !== 'none').length).toBeLessThanOrEqual(1);
      expect(scriptOk).toBeGreaterThanOrEqual(5);
    } finally {
      disposeWeights(m.weights);
    }
  }, 300_000);
});
