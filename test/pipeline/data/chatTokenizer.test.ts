import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { CHAT_TOKENS } from '../../../src/model/tokenizer/chatTemplate.ts';
import { captureIO } from '../../cli/checkpointFixture.ts';

const SMALL = ['--config', 'tiny', '--context', '32', '--layers', '1', '--hidden', '32', '--batch-size', '4', '--backend', 'wasm', '--no-ws', '--reporter', 'json', '--sample-tokens', '0', '--eval-every', '3', '--max-steps', '3'];

describe('task sft without init_from', () => {
  it('trains a BPE with the chat tokens on the dialogues when the tokenizer file is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vf-sft-tok-'));
    const c = captureIO();
    const code = await main(['train', ...SMALL, '--task', 'sft', '--data', 'data/dialogues.jsonl', '--tokenizer', join(dir, 'chat.json'), '--vocab-size', '400', '--out', join(dir, 'run')], c.io);
    expect(code, c.err()).toBe(0);
    const doc = JSON.parse(readFileSync(join(dir, 'chat.json'), 'utf8'));
    expect(doc.added_tokens.map((t: { content: string }) => t.content)).toEqual(['[PAD]', '[EOS]', '[UNK]', ...CHAT_TOKENS]);
    expect(c.out()).toMatch(/trained a 400-token byte-level BPE tokenizer on data\/dialogues\.jsonl/);
    expect(existsSync(join(dir, 'run', 'checkpoints'))).toBe(true);
  });

  it('refuses a char tokenizer or a tokenizer.json without the chat tokens, saying what to do', async () => {
    const a = captureIO();
    expect(await main(['train', ...SMALL, '--task', 'sft', '--data', 'data/dialogues.jsonl', '--out', join(tmpdir(), 'vf-never')], a.io)).not.toBe(0);
    expect(a.err()).toMatch(/task sft needs a byte-level BPE tokenizer with the chat tokens: set init_from/);
  });
});
