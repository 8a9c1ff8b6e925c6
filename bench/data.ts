/**
 * `npm run bench -- data [--sizes 100MB,1GB,3GB] [--formats jsonl,zst,parquet] [--dir DIR] [--workers N]`:
 * data at scale (docs/data.md). For synthetic corpora of each size (the shipped poems in seeded
 * shuffles, bench/syntheticCorpus.ts), as plain JSONL, JSONL.zst (the zstd CLI, when installed) and a
 * Hugging Face Parquet directory (data/train-NNNNN-of-NNNNN.parquet, 64 MB shards), it measures
 *  - cold tokenization MB/s (MB of the corpus as plain JSONL per second, whatever its form on disk:
 *    read, parse, normalise, tokenize, write the cache) against Hugging Face's Rust tokenizer
 *    (`tokenizers`, encodeBatch on all cores) reading and encoding that JSONL with the same tokenizer.json;
 *  - peak resident memory (process.resourceUsage in a child, bench/dataChild.ts) of a tiny run of 3
 *    steps on it, cold (tokenizing) and warm (from the cache), and its time to run/start;
 *  - the warm start of the data alone: prepareData on the warm cache, in this process.
 * Targets (issue 18): peak RSS < 1 GB and within 1.2× from the smallest size to the largest; warm start
 * < 2 s; cold tokenization ≥ HF's. Corpora are written under --dir (default the OS temp dir), removed after.
 * `--check` (bench/run.ts) only resolves the inputs; `--sizes 4MB` is a quick real run.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { Tokenizer as HfTokenizer } from 'tokenizers';
import { normalizeConfig } from '../src/core/config/normalizeConfig.ts';
import { BpeTokenizer } from '../src/model/tokenizer/bpeTokenizer.ts';
import { trainBpe } from '../src/model/tokenizer/bpeTrainer.ts';
import { prepareData } from '../src/pipeline/data/prepareData.ts';
import { tokenizedCorpus } from '../src/pipeline/data/tokenizedCorpus.ts';
import { textLines } from '../src/streams/sources/decodedStream.ts';
import { type BenchInput, corpusFile, packageInput, REPO_ROOT, repoFile, systemTool } from './inputs.ts';
import { shippedPoems, writeSyntheticJsonl } from './syntheticCorpus.ts';

export const DATA_OPTIONS = '[--sizes 100MB,1GB,3GB (100MB)] [--formats jsonl,zst,parquet (all)] [--dir DIR (OS temp)] [--workers N (0 = all cores)]';

export function dataInputs(): BenchInput[] {
  return [
    ...['ru_poetry', 'en_poetry', 'fr_poetry'].map((n) => corpusFile(`${n}.parquet`, 'text of the synthetic corpora')),
    repoFile('script', 'bench/dataChild.ts', 'the tiny run measured in a child process'),
    repoFile('script', 'bin/versiflow-dev.mjs', 'runs the sources through tsx (as the child does)'),
    packageInput('tokenizers', "HF's Rust tokenizer, the throughput baseline"),
    packageInput('hyparquet-writer', 'writes the Parquet corpora'),
    packageInput('tsx', 'runs the child and the tokenizing workers from the sources'),
    systemTool('zstd', 'compresses the JSONL.zst corpora (skipped without it)'),
  ];
}

interface Options {
  sizes: number[];
  formats: string[];
  dir: string;
  workers: number;
}

function parseOptions(args: readonly string[]): Options {
  const o: Options = { sizes: [100e6], formats: ['jsonl', 'zst', 'parquet'], dir: tmpdir(), workers: 0 };
  const bad = (k: string, v?: string) => new Error(`data: bad option "${k} ${v ?? ''}"; options: ${DATA_OPTIONS}`);
  for (let i = 0; i < args.length; i += 2) {
    const [k, v] = [args[i], args[i + 1]];
    if (v === undefined) throw bad(k);
    if (k === '--sizes') {
      o.sizes = v.split(',').map((s) => {
        const m = /^(\d+(?:\.\d+)?)(KB|MB|GB)$/i.exec(s.trim());
        if (!m) throw bad(k, v);
        return Number(m[1]) * { kb: 1e3, mb: 1e6, gb: 1e9 }[m[2].toLowerCase() as 'kb' | 'mb' | 'gb'];
      });
    } else if (k === '--formats') {
      o.formats = v.split(',');
      if (o.formats.some((f) => !['jsonl', 'zst', 'parquet'].includes(f))) throw bad(k, v);
    } else if (k === '--dir') o.dir = v;
    else if (k === '--workers' && /^\d+$/.test(v)) o.workers = Number(v);
    else throw bad(k, v);
  }
  return o;
}

const mbOf = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
const hasZstd = (): boolean => {
  try {
    execFileSync('zstd', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/**
 * A byte-level BPE of 4096 tokens ([PAD], [EOS], [UNK] first) trained by ours on the shipped poems,
 * saved as tokenizer.json: HF's Rust tokenizer loads the same file and gives the same ids.
 */
async function trainTokenizer(dir: string): Promise<string> {
  const tok = trainBpe((await shippedPoems()).map((p) => p.text), { vocabSize: 4096, specialTokens: ['[PAD]', '[EOS]', '[UNK]'] });
  const path = join(dir, 'tokenizer.json');
  writeFileSync(path, JSON.stringify(tok.toJSON()));
  return path;
}

/** The JSONL rewritten as Parquet shards of about 64 MB of text, in the Hugging Face layout. */
async function writeParquetDir(jsonl: string, dir: string): Promise<void> {
  mkdirSync(join(dir, 'data'), { recursive: true });
  let cur: { text: string[]; author: string[]; title: string[] } = { text: [], author: [], title: [] };
  let bytes = 0;
  const files: string[] = [];
  const flush = () => {
    if (cur.text.length === 0) return;
    const buf = parquetWriteBuffer({ columnData: [{ name: 'text', data: cur.text, type: 'STRING' }, { name: 'author', data: cur.author, type: 'STRING' }, { name: 'title', data: cur.title, type: 'STRING' }], rowGroupSize: 4096 });
    const f = join(dir, 'data', `part-${files.length}.tmp`);
    writeFileSync(f, new Uint8Array(buf));
    files.push(f);
    cur = { text: [], author: [], title: [] };
    bytes = 0;
  };
  for await (const line of textLines(createReadStream(jsonl))) {
    const r = JSON.parse(line) as { text: string; author: string | null; title: string | null };
    cur.text.push(r.text);
    cur.author.push(r.author ?? '');
    cur.title.push(r.title ?? '');
    bytes += r.text.length * 2;
    if (bytes > 64e6) flush();
  }
  flush();
  const n = String(files.length).padStart(5, '0');
  files.forEach((f, k) => renameSync(f, join(dir, 'data', `train-${String(k).padStart(5, '0')}-of-${n}.parquet`)));
}

/** HF Rust: read and parse the JSONL, encodeBatch 1024 texts at a time (Rust threads on all cores). */
async function hfThroughput(jsonl: string, tokenizerPath: string): Promise<{ s: number; tokens: number }> {
  const hf = HfTokenizer.fromFile(tokenizerPath);
  const t0 = performance.now();
  let tokens = 0;
  let batch: string[] = [];
  const run = async () => {
    for (const e of await hf.encodeBatch(batch)) tokens += e.getIds().length;
    batch = [];
  };
  for await (const line of textLines(createReadStream(jsonl, { highWaterMark: 1 << 20 }))) {
    if (line === '') continue;
    batch.push((JSON.parse(line) as { text: string }).text);
    if (batch.length === 1024) await run();
  }
  if (batch.length) await run();
  return { s: (performance.now() - t0) / 1000, tokens };
}

/** A 3-step tiny run in a child process: peak RSS, wall time, seconds to run/start. */
function tinyRun(data: string, tokenizer: string, cacheDir: string, out: string, workers: number): Promise<{ rssMB: number; wallS: number; toStartS: number }> {
  const args = ['--import', 'tsx', 'bench/dataChild.ts', 'train', '--config', 'tiny', '--data', data, '--tokenizer', tokenizer, '--max-steps', '3', '--eval-every', '3', '--sample-tokens', '0',
    '--reporter', 'json', '--no-ws', '--out', out, '--cache-dir', cacheDir, '--tokenize-workers', String(workers), '--normalize', 'none'];
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      const rss = /BENCH_MAXRSS_KB (\d+)/.exec(stderr);
      const wall = /BENCH_WALL_S ([\d.]+)/.exec(stderr);
      const start = stdout.split('\n').map((l) => (l.startsWith('{') ? JSON.parse(l) : null)).find((e) => e?.type === 'run/start');
      if (code !== 0 || !rss || !wall || !start) return reject(new Error(`tiny run on ${data} failed (exit ${code}): ${stderr.slice(-2000)}`));
      resolve({ rssMB: Number(rss[1]) / 1024, wallS: Number(wall[1]), toStartS: (start.time - t0) / 1000 });
    });
  });
}

export async function benchData(args: readonly string[], log: (s: string) => void = (s) => process.stdout.write(s + '\n')): Promise<void> {
  const o = parseOptions(args);
  const root = mkdtempSync(join(o.dir, 'versiflow-bench-data-'));
  const cores = availableParallelism();
  const workers = o.workers || cores;
  try {
    const tokenizerPath = await trainTokenizer(root);
    const tokenizer = BpeTokenizer.fromJSON(JSON.parse(readFileSync(tokenizerPath, 'utf8')));
    log(`bench data: ${cores} cores, ${workers} tokenizing workers; tokenizer: byte-level BPE of ${tokenizer.vocabSize} trained on the shipped poems, normalize none`);
    const rows: { size: string; format: string; mb: number; coldMBs: number; hfMBs: number | null; rssCold: number; rssWarm: number; startWarm: number; prepWarm: number }[] = [];
    for (const size of o.sizes) {
      const dir = join(root, mbOf(size).replace(' ', ''));
      mkdirSync(dir, { recursive: true });
      const jsonl = join(dir, 'corpus.jsonl');
      const made = await writeSyntheticJsonl(jsonl, size);
      log(`corpus ${mbOf(size)}: ${made.rows} rows, ${mbOf(made.bytes)} JSONL`);
      const hf = await hfThroughput(jsonl, tokenizerPath);
      const hfMBs = made.bytes / 1e6 / hf.s;
      log(`  HF tokenizers (Rust, encodeBatch): ${hf.tokens} tokens (no EOS) in ${hf.s.toFixed(1)} s = ${hfMBs.toFixed(2)} MB/s`);
      const corpora: [string, string][] = [];
      if (o.formats.includes('jsonl')) corpora.push(['jsonl', jsonl]);
      if (o.formats.includes('zst')) {
        if (hasZstd()) {
          execFileSync('zstd', ['-q', '-T0', '-3', jsonl, '-o', `${jsonl}.zst`]);
          corpora.push(['jsonl.zst', `${jsonl}.zst`]);
        } else log('  (no zstd CLI: JSONL.zst skipped)');
      }
      if (o.formats.includes('parquet')) {
        await writeParquetDir(jsonl, join(dir, 'hf'));
        corpora.push(['parquet (HF dir)', join(dir, 'hf')]);
      }
      for (const [format, path] of corpora) {
        const onDisk = statSync(path).isDirectory() ? sumSizes(join(path, 'data')) : statSync(path).size;
        // cold tokenization into a fresh cache, in this process
        const cfg = normalizeConfig({ data: path, tokenizer: tokenizerPath, normalize: 'none', cache_dir: join(dir, `cache-${format}`), tokenize_workers: workers, context: 128 });
        const t0 = performance.now();
        const got = await tokenizedCorpus(cfg, tokenizer, { keep: false });
        const coldS = (performance.now() - t0) / 1000;
        // MB/s of the same text as JSONL (the corpus as HF reads it), whatever its form on disk
        const coldMBs = made.bytes / 1e6 / coldS;
        // the data's warm start: prepareData on that cache
        const t1 = performance.now();
        const warm = await prepareData(cfg, tokenizer);
        const prepWarm = (performance.now() - t1) / 1000;
        warm.close();
        // tiny runs in a child: cold (own cache) then warm
        const cache = join(dir, `run-cache-${format}`);
        const cold = await tinyRun(path, tokenizerPath, cache, join(dir, 'run-cold'), workers);
        const hot = await tinyRun(path, tokenizerPath, cache, join(dir, 'run-warm'), workers);
        log(
          `  ${format} (${mbOf(onDisk)} on disk, ${got.docCount} docs, ${got.tokens} tokens): cold tokenization ${coldS.toFixed(1)} s = ${coldMBs.toFixed(2)} MB/s of JSONL text (${(coldMBs / hfMBs).toFixed(2)}× HF's) | ` +
            `warm prepareData ${prepWarm.toFixed(2)} s | tiny run peak RSS cold ${cold.rssMB.toFixed(0)} MB, warm ${hot.rssMB.toFixed(0)} MB; run/start after ${cold.toStartS.toFixed(1)} s cold, ${hot.toStartS.toFixed(1)} s warm`,
        );
        rows.push({ size: mbOf(size), format, mb: onDisk / 1e6, coldMBs, hfMBs, rssCold: cold.rssMB, rssWarm: hot.rssMB, startWarm: hot.toStartS, prepWarm });
        rmSync(cache, { recursive: true, force: true });
        rmSync(cfg.cacheDir, { recursive: true, force: true });
      }
      rmSync(dir, { recursive: true, force: true });
    }
    const rss = rows.map((r) => Math.max(r.rssCold, r.rssWarm));
    log(
      `summary: peak RSS ${Math.min(...rss).toFixed(0)}–${Math.max(...rss).toFixed(0)} MB (ratio ${(Math.max(...rss) / Math.min(...rss)).toFixed(2)}; target < 1024 MB, ≤ 1.2×) | ` +
        `warm prepareData ≤ ${Math.max(...rows.map((r) => r.prepWarm)).toFixed(2)} s (target < 2 s) | cold tokenization / HF: ${rows.map((r) => `${r.size} ${r.format} ${(r.coldMBs / r.hfMBs!).toFixed(2)}×`).join(', ')} (target ≥ 1)`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function sumSizes(dir: string): number {
  return execFileSync('find', [dir, '-type', 'f', '-printf', '%s\n'], { encoding: 'utf8' }).split('\n').filter(Boolean).reduce((n, s) => n + Number(s), 0);
}

