import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BPE, byteLevelPreTokenizer, Tokenizer as HfTokenizer } from 'tokenizers';

/**
 * Poems of the shipped fixture test/fixtures/poems-sample.jsonl: the first 200 ru, 50 fr and 50 en
 * rows of data/{ru,fr,en}_poetry.parquet.
 */
export function samplePoems(): string[] {
  const raw = readFileSync(new URL('../../fixtures/poems-sample.jsonl', import.meta.url), 'utf8');
  return raw.trim().split('\n').map((l) => JSON.parse(l).text as string);
}

/** Lines as HF's train_from_files feeds them: newline kept at the end of each line. */
export function asFileLines(texts: readonly string[]): string[] {
  return texts.join('\n').split(/(?<=\n)/);
}

/**
 * Trains a reference tokenizer with HF's Rust trainer through the `tokenizers` bindings. The bindings only
 * expose `train(files)` with the default BpeTrainer: vocab 30000, min_frequency 0, no specials, alphabet =
 * seen characters. The bindings have no ByteLevel decoder constructor, so it is added to the JSON here.
 */
export function trainHfReference(texts: readonly string[]): Record<string, any> {
  const dir = mkdtempSync(join(tmpdir(), 'versiflow-bpe-'));
  try {
    writeFileSync(join(dir, 'corpus.txt'), texts.join('\n'));
    const hf = new HfTokenizer(BPE.empty());
    hf.setPreTokenizer(byteLevelPreTokenizer(false, true));
    hf.train([join(dir, 'corpus.txt')]);
    hf.save(join(dir, 'tokenizer.json'));
    const doc = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
    doc.decoder = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
    return doc;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Texts covering the cases where byte-level BPE implementations usually disagree. */
export const TRICKY_TEXTS = [
  'Мороз и солнце; день чудесный!\nЕще ты дремлешь, друг прелестный —',
  "L'été, où l'on s'aimait… « Ô mon âme » ; c'est déjà l'aube, n'est-ce pas ?",
  "I'll say it's 'quoted' and you're sure we've done; they'd've MADE it.",
  'emoji 😀👍🏽 family 👨‍👩‍👧 flags 🇫🇷🇷🇺 and ✨sparkles✨',
  'mixed: Москва-Paris 東京 عربى हिन्दी ελληνικά ქართული',
  '  leading spaces\t\ttabs   and   runs\n\n\n  trailing   ',
  'digits 12345 3.14159 1,000,000 ٣٤٥ ²³ Ⅻ',
  'lone surrogates: \ud800 x \udfff y \ud83d',
  'specials inside: [EOS] and [PAD][UNK] glued',
  '\u0085nel\u00a0nbsp\ufeffbom\u2028ls\u3000ideo',
  '',
  ' ',
  'a',
];
