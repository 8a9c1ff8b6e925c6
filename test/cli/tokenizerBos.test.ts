import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { encodeDocument } from '../../src/model/tokenizer/documentIds.ts';
import { tokenizerFromJSON } from '../../src/model/tokenizer/loadTokenizer.ts';
import { captureIO } from './checkpointFixture.ts';

/** `versiflow tokenizer train --bos` (what a recipe's tokenizer stage passes for bos_token: true), both kinds. */
describe('tokenizer train --bos', () => {
  it.each([
    ['byte_bpe', 300, '[BOS]', 3],
    ['sp_bpe', 128, '<s>', 1],
  ] as const)('%s of %i tokens: the file adds its BOS %s (id %i) before each document', async (type, vocab, name, id) => {
    const out = join(mkdtempSync(join(tmpdir(), 'vf-tok-bos-')), 'tokenizer.json');
    const c = captureIO();
    expect(await main(['tokenizer', 'train', '--type', type, '--bos', '--data', 'data/fr_poetry.parquet', '--max-docs', '100', '--vocab-size', String(vocab), '--out', out], c.io), c.err()).toBe(0);
    const tok = tokenizerFromJSON(JSON.parse(readFileSync(out, 'utf8')));
    expect([tok.addBos, tok.bosId, tok.decode([id]), tok.vocabSize]).toEqual([true, id, '', vocab]);
    expect(encodeDocument(tok, 'Le vent se lève')[0]).toBe(id);
    expect(JSON.parse(readFileSync(out, 'utf8')).post_processor.special_tokens[name].ids).toEqual([id]);
  });
});
