/**
 * Tokenizer benchmark, ours vs HF, in one process: BPE training time (real poetry corpus and a ~50 MB
 * synthetic one) and encoding throughput. Run: `npm run bench -- tokenizer` (or
 * `node --import tsx bench/tokenizer.ts`).
 * The corpus is the shipped ru, fr and en poetry (data/*.parquet, read with the project's own reader):
 * the same texts in the same order as the jsonl files they were built from (data/SOURCES.md), so the
 * figures compare with runs made on those. BENCH_DATA_DIR reads them from another folder.
 * HF's trainer is reachable from Node only with its defaults (vocab 30000, min_frequency 0), so the
 * ratio is taken at those settings; our 24k/min-frequency-2 run is printed too.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Tokenizer as JsTokenizer } from '@huggingface/tokenizers';
import { BPE, byteLevelPreTokenizer, Tokenizer as HfTokenizer } from 'tokenizers';
import { BpeTokenizer } from '../src/model/tokenizer/bpeTokenizer.ts';
import { trainBpe } from '../src/model/tokenizer/bpeTrainer.ts';
import { corpusRows } from '../src/streams/sources/readCorpus.ts';
import { benchDataDir, type BenchInput, corpusFile, packageInput } from './inputs.ts';

const FILES = ['ru_poetry.parquet', 'fr_poetry.parquet', 'en_poetry.parquet'];

/** What `npm run bench -- tokenizer --check` verifies. */
export function tokenizerInputs(): BenchInput[] {
  return [
    ...FILES.map((f) => corpusFile(f, 'the poetry corpus: training and encoding')),
    packageInput('tokenizers', 'HF tokenizers (Rust, native binding)'),
    packageInput('@huggingface/tokenizers', 'HF tokenizers (JavaScript)'),
  ];
}

/** The poems' texts, ru then fr then en, each file in row order. */
export async function loadTexts(dir: string = benchDataDir()): Promise<string[]> {
  const texts: string[] = [];
  for (const f of FILES) for await (const row of corpusRows(f, { cwd: dir })) texts.push(row.text);
  return texts;
}

/** ~`bytes` of text: the corpus repeated, poems in a seeded shuffled order each round. */
function synthetic(texts: string[], bytes: number): string[] {
  const out: string[] = [];
  let size = 0;
  let seed = 1;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  while (size < bytes) {
    const round = [...texts];
    for (let i = round.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [round[i], round[j]] = [round[j], round[i]];
    }
    for (const t of round) {
      out.push(t);
      size += Buffer.byteLength(t) + 1;
      if (size >= bytes) break;
    }
  }
  return out;
}

function time<T>(f: () => T): [T, number] {
  const t = performance.now();
  const r = f();
  return [r, (performance.now() - t) / 1000];
}

function hfTrain(texts: string[], dir: string): [string, number] {
  const file = join(dir, 'corpus.txt');
  writeFileSync(file, texts.join('\n'));
  const hf = new HfTokenizer(BPE.empty());
  hf.setPreTokenizer(byteLevelPreTokenizer(false, true));
  const [, s] = time(() => hf.train([file]));
  hf.save(join(dir, 'hf.json'));
  const doc = JSON.parse(readFileSync(join(dir, 'hf.json'), 'utf8'));
  doc.decoder = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return [JSON.stringify(doc), s];
}

function trainingRow(name: string, texts: string[], dir: string, log: (s: string) => void): string {
  const mb = texts.reduce((n, t) => n + Buffer.byteLength(t) + 1, 0) / 1e6;
  const lines = texts.join('\n').split(/(?<=\n)/);
  const [, ours24] = time(() => trainBpe(lines, { vocabSize: 24_000, specialTokens: ['[PAD]', '[EOS]', '[UNK]'] }));
  const [oursTok, ours30] = time(() => trainBpe(lines, { vocabSize: 30_000, minFrequency: 0 }));
  const [hfJson, hf30] = hfTrain(texts, dir);
  const hfMerges = (JSON.parse(hfJson).model.merges as string[][]).map((m) => m.join(' '));
  const ourMerges = (oursTok.toJSON().model as { merges: string[][] }).merges.map((m) => m.join(' '));
  let agree = 0;
  while (agree < Math.min(hfMerges.length, ourMerges.length) && hfMerges[agree] === ourMerges[agree]) agree++;
  // HF's alphabet holds only seen characters, ours all 256 bytes, so at equal vocab HF has a few more merges
  const same = `${agree} of first ${Math.min(hfMerges.length, ourMerges.length)} merges agree`;
  log(
    `train ${name} (${mb.toFixed(1)} MB): ours 24k ${ours24.toFixed(1)} s | at HF defaults (30k, min_freq 0): ` +
      `ours ${ours30.toFixed(1)} s, HF Rust ${hf30.toFixed(1)} s, ours/HF = ${(ours30 / hf30).toFixed(2)}x, ${same}`,
  );
  return hfJson;
}

export async function benchTokenizer(log: (s: string) => void = (s) => process.stdout.write(s + '\n')): Promise<void> {
  const texts = await loadTexts();
  const dir = mkdtempSync(join(tmpdir(), 'versiflow-bench-'));
  try {
    const hfJson = trainingRow('ru+fr+en poetry', texts, dir, log);
    trainingRow('synthetic', synthetic(texts, 50e6), dir, log);

    // encoding throughput with the same (HF-trained) tokenizer.json in all three
    const mb = texts.reduce((n, t) => n + Buffer.byteLength(t), 0) / 1e6;
    const oursTok = BpeTokenizer.fromJSON(JSON.parse(hfJson));
    const js = new JsTokenizer(JSON.parse(hfJson), {});
    const rust = HfTokenizer.fromString(hfJson);
    oursTok.encode(texts[0]);
    const [nOurs, tOurs] = time(() => texts.reduce((n, t) => n + oursTok.encode(t).length, 0));
    const [nJs, tJs] = time(() => texts.reduce((n, t) => n + js.encode(t, { add_special_tokens: false }).ids.length, 0));
    const t0 = performance.now();
    let nRust = 0;
    for (let i = 0; i < texts.length; i += 256) {
      for (const e of await rust.encodeBatch(texts.slice(i, i + 256))) nRust += e.getIds().length;
    }
    const tRust = (performance.now() - t0) / 1000;
    log(
      `encode ${mb.toFixed(1)} MB (${nOurs} tokens; js ${nJs}, rust ${nRust}): ours ${(mb / tOurs).toFixed(2)} MB/s, ` +
        `@huggingface/tokenizers ${(mb / tJs).toFixed(2)} MB/s, tokenizers (Rust, encodeBatch) ${(mb / tRust).toFixed(2)} MB/s; ` +
        `ours/js = ${(tJs / tOurs).toFixed(2)}x, ours/rust = ${(tRust / tOurs).toFixed(2)}x`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchTokenizer();
