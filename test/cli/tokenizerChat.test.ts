import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { CHAT_TOKENS, encodeChat, hasChatTokens } from '../../src/model/tokenizer/chatTemplate.ts';
import { tokenizerFromJSON } from '../../src/model/tokenizer/loadTokenizer.ts';
import { captureIO } from './checkpointFixture.ts';

describe('versiflow tokenizer train --chat', () => {
  it('trains the chat tokens in as specials after [PAD] [EOS] [UNK]; chat text containing them is not split', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vf-tokchat-'));
    writeFileSync(join(dir, 'c.jsonl'), ['<|user|>\nHello there<|end|>\n<|assistant|>\nHi!<|end|>', 'Hello again, hello there.'].map((text) => JSON.stringify({ text })).join('\n') + '\n');
    const c = captureIO();
    expect(await main(['tokenizer', 'train', '--data', join(dir, 'c.jsonl'), '--vocab-size', '300', '--chat', '--out', join(dir, 't.json')], c.io), c.err()).toBe(0);
    const doc = JSON.parse(readFileSync(join(dir, 't.json'), 'utf8'));
    expect(doc.added_tokens.map((t: { id: number; content: string; special: boolean }) => [t.id, t.content, t.special])).toEqual(
      ['[PAD]', '[EOS]', '[UNK]', ...CHAT_TOKENS].map((s, i) => [i, s, true]),
    );
    const tok = tokenizerFromJSON(doc);
    expect(hasChatTokens(tok)).toBe(true);
    // the specials were cut out of the training text, so no merge learned pieces of them
    expect(Object.keys(doc.model.vocab).filter((t) => !(CHAT_TOKENS as readonly string[]).includes(t) && (t.includes('<|') || t.includes('|>')))).toEqual([]);
    expect(encodeChat(tok, [{ role: 'user', content: 'Hello there' }]).ids.slice(0, 2)).toEqual([4, ...tok.encode('\n')]);
    const bad = captureIO();
    expect(await main(['tokenizer', 'train', '--data', join(dir, 'c.jsonl'), '--vocab-size', '300', '--chat=yes', '--out', join(dir, 'u.json')], bad.io)).toBe(2);
    expect(bad.err()).toMatch(/--chat takes no value/);
  });
});
