import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { tokenizerFromJSON } from '../../src/model/tokenizer/loadTokenizer.ts';
import { captureIO } from './checkpointFixture.ts';

/** `versiflow tokenizer train --type sp_bpe` and a run whose config asks for a 128-token sp_bpe (french-40m). */
describe('sp_bpe from the command line and from a config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vf-spbpe-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('tokenizer train --type sp_bpe: 128 tokens on French poems, byte fallback off and said so, encode/decode round trip', async () => {
    const out = join(dir, 'fr128.json');
    const c = captureIO();
    const code = await main(['tokenizer', 'train', '--type', 'sp_bpe', '--data', 'data/fr_poetry.parquet', '--max-docs', '100', '--vocab-size', '128', '--out', out], c.io);
    expect(c.err()).toBe('');
    expect(code).toBe(0);
    expect(c.out()).toMatch(/^note: byte fallback off: 128 tokens cannot hold the 256 byte tokens/m);
    expect(c.out()).toMatch(/trained 128 tokens \(SentencePiece-style BPE: \d+ characters covering 99\.9\d\d%, \d+ merges, byte fallback off\) on 100 documents/);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.pre_tokenizer).toEqual({ type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: true });
    const e = captureIO();
    expect(await main(['tokenizer', 'encode', '--tokenizer', out, '--text', 'Le vent se lève'], e.io)).toBe(0);
    const d = captureIO();
    expect(await main(['tokenizer', 'decode', '--tokenizer', out, '--ids', e.out().trim()], d.io)).toBe(0);
    expect(d.out()).toBe('Le vent se lève\n');
  });

  it('user symbols and byte fallback on; sp_bpe flags refused for byte_bpe', async () => {
    const out = join(dir, 'ru.json');
    const c = captureIO();
    expect(await main(['tokenizer', 'train', '--type', 'sp_bpe', '--data', 'data/ru_poetry.parquet', '--max-docs', '60', '--vocab-size', '600', '--byte-fallback', 'on', '--character-coverage', '0.999', '--user-symbols', '«,»,—,…', '--out', out], c.io)).toBe(0);
    const tok = tokenizerFromJSON(JSON.parse(readFileSync(out, 'utf8')));
    expect(tok.vocabSize).toBe(600);
    expect(tok.encode('«Ж»').slice(0, 1)).toEqual([3]); // <unk> <s> </s>, then the user symbols
    expect(tok.decode(tok.encode('«Жёлтый» — 東'))).toBe('«Жёлтый» — 東'); // 東 by byte fallback
    const b = captureIO();
    expect(await main(['tokenizer', 'train', '--data', 'data/ru_poetry.parquet', '--vocab-size', '300', '--byte-fallback', 'on', '--out', out], b.io)).toBe(2);
    expect(b.err()).toMatch(/--byte-fallback is for --type sp_bpe/);
  });

  it('french-40m starts: its 128-token sp_bpe is trained from the corpus and one step runs (tiny width)', async () => {
    const out = join(dir, 'run');
    const tokPath = join(dir, 'french', 'tokenizer.json');
    const c = captureIO();
    const code = await main(
      ['train', '--config', 'configs/french-40m.yaml', '--tokenizer', tokPath, '--out', out, '--max-steps', '1', '--max-docs', '80', '--layers', '1', '--hidden', '32', '--heads', '2', '--head-dim', '16', '--ffn', '64', '--context', '32', '--batch-size', '2', '--eval-every', '1', '--eval-batches', '1', '--sample-tokens', '0', '--backend', 'wasm', '--no-ws', '--reporter', 'plain'],
      c.io,
    );
    expect(c.err()).toBe('');
    expect(code).toBe(0);
    expect(c.out()).toMatch(/vocab 128/);
    expect(c.out()).toMatch(/trained a 128-token SentencePiece-style BPE tokenizer on data\/fr_poetry\.parquet/);
    expect(existsSync(tokPath)).toBe(true);
    const tok = tokenizerFromJSON(JSON.parse(readFileSync(tokPath, 'utf8')));
    expect(tok.vocabSize).toBe(128);
    expect(tok.eosId).toBe(2);
  });

  it('task sft without init_from, tokenizer_type sp_bpe: the chat tokens are specials of the sp_bpe trained on the dialogues', async () => {
    const tokPath = join(dir, 'chat-sp.json');
    const c = captureIO();
    const args = ['train', '--config', 'tiny', '--task', 'sft', '--data', 'data/dialogues.jsonl', '--tokenizer', tokPath, '--tokenizer-type', 'sp_bpe', '--vocab-size', '400'];
    const small = ['--context', '32', '--layers', '1', '--hidden', '32', '--batch-size', '4', '--backend', 'wasm', '--no-ws', '--reporter', 'plain', '--sample-tokens', '0', '--eval-every', '2', '--max-steps', '2', '--out', join(dir, 'sft')];
    expect(await main([...args, ...small], c.io), c.err()).toBe(0);
    const doc = JSON.parse(readFileSync(tokPath, 'utf8'));
    expect(doc.added_tokens.map((t: { content: string }) => t.content)).toEqual(['<unk>', '<s>', '</s>', '<|system|>', '<|user|>', '<|assistant|>', '<|end|>']);
    expect(doc.pre_tokenizer.type).toBe('Metaspace');
    expect(c.out()).toMatch(/trained a 400-token SentencePiece-style BPE tokenizer/);
  });
});
