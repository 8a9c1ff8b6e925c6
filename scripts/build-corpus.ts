/**
 * Builds the shipped corpus: converts each `<name>.jsonl` of the source directory into
 * `data/<name>.parquet` (same rows, same order) and copies SOURCES.md to `data/SOURCES.md` under a
 * header that says so.
 *
 * Usage: `npx tsx scripts/build-corpus.ts SRC_DIR [OUT_DIR]`
 * - SRC_DIR (required): a folder holding the curated `.jsonl` files and their original SOURCES.md
 *   (data/SOURCES.md without its first, quoted header). The `.jsonl` files are not in this repository:
 *   data/SOURCES.md says where each came from (public GitHub repositories at pinned commits:
 *   karpathy/char-rnn, d0rj/RusLit, rubyroidlabs/pushkin-contest-replit-template,
 *   astafyevai/python_final.project, morozovaolga/talk-to-esenin, MarionFech/French-Poetry-Corpus,
 *   facjure/public-domain-poetry), how they were cleaned and selected, and each file's record count
 *   and sha256. The shipped data/*.parquet hold exactly their rows (test/data/shippedCorpus.test.ts).
 * - OUT_DIR defaults to `data/` in the repository root.
 *
 * Each parquet file has the columns `text` (string, required), `author` (string, required) and
 * `title` (string, nullable), row groups of {@link ROW_GROUP_ROWS} rows so readers can stream one
 * group at a time, GZIP pages (about 40% smaller than the writer's default SNAPPY on this text, and
 * readable by hyparquet-compressors, pyarrow, DuckDB and polars). The output is byte-identical from run to
 * run: gzip headers from node:zlib carry no timestamp and no wall-clock value is written.
 *
 * Before writing, each source file's row count and sha256 are checked against the table in
 * SOURCES.md, so a changed or truncated source fails loudly instead of shipping silently.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parquetWriteFile } from 'hyparquet-writer';

/** Rows per row group: small enough to stream (a group of Russian poems is ~350 KB of text). */
const ROW_GROUP_ROWS = 256;

interface PoemRow {
  readonly text: string;
  readonly author: string;
  readonly title: string | null;
}

interface SourceStats {
  readonly records: number;
  readonly sha256: string;
}

const USAGE = `usage: npx tsx scripts/build-corpus.ts SRC_DIR [OUT_DIR]
  SRC_DIR  folder with the curated .jsonl files and their original SOURCES.md (not in this
           repository; data/SOURCES.md says where each file came from and its sha256)
  OUT_DIR  where the .parquet files and SOURCES.md go (default: data/ of the repository)`;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
if (args.length === 0 || args.length > 2 || args.some((a) => a === '-h' || a === '--help')) {
  console.error(args.length === 0 ? `build-corpus: SRC_DIR is required\n${USAGE}` : USAGE);
  process.exit(2);
}
const srcDir = resolve(args[0]);
const outDir = resolve(args[1] ?? join(repoRoot, 'data'));

main();

function main(): void {
  if (!existsSync(srcDir) || !statSync(srcDir).isDirectory()) fail(`SRC_DIR ${srcDir} is not a folder\n${USAGE}`);
  if (!existsSync(join(srcDir, 'SOURCES.md'))) fail(`no SOURCES.md in ${srcDir} (the original, with the table of record counts and sha256)\n${USAGE}`);
  const sourcesMd = readFileSync(join(srcDir, 'SOURCES.md'), 'utf8');
  const stats = parseSourceStats(sourcesMd);
  const names = readdirSync(srcDir).filter((f) => f.endsWith('.jsonl')).sort();
  if (names.length === 0) fail(`no .jsonl files in ${srcDir}`);
  mkdirSync(outDir, { recursive: true });

  for (const name of names) {
    const path = join(srcDir, name);
    const bytes = readFileSync(path);
    const rows = parseJsonl(bytes.toString('utf8'), path);
    const expected = stats.get(name);
    if (!expected) fail(`${name} is not listed in the table of ${join(srcDir, 'SOURCES.md')}`);
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (rows.length !== expected.records || sha !== expected.sha256) {
      fail(`${path}: ${rows.length} rows, sha256 ${sha}; SOURCES.md says ${expected.records} rows, sha256 ${expected.sha256}`);
    }
    const out = join(outDir, basename(name, '.jsonl') + '.parquet');
    writePoems(out, rows, name, sha);
    const size = statSync(out).size;
    console.log(`${relative(repoRoot, out)}: ${rows.length} rows, ${Math.ceil(rows.length / ROW_GROUP_ROWS)} row groups, ${size} bytes (jsonl ${bytes.length} bytes)`);
  }

  writeFileSync(join(outDir, 'SOURCES.md'), sourcesHeader(names) + sourcesMd);
  console.log(`${relative(repoRoot, join(outDir, 'SOURCES.md'))}: copied with header`);
}

function writePoems(filename: string, rows: readonly PoemRow[], sourceName: string, sourceSha: string): void {
  parquetWriteFile({
    filename,
    codec: 'GZIP',
    // level 9: the file is built once and read many times; decompression speed does not depend on level.
    compressors: { GZIP: (input: Uint8Array) => new Uint8Array(gzipSync(input, { level: 9 })) },
    rowGroupSize: ROW_GROUP_ROWS,
    createdBy: 'versiflow scripts/build-corpus.ts (hyparquet-writer)',
    kvMetadata: [
      { key: 'versiflow.source', value: sourceName },
      { key: 'versiflow.source_sha256', value: sourceSha },
    ],
    columnData: [
      { name: 'text', data: rows.map((r) => r.text), type: 'STRING', nullable: false },
      { name: 'author', data: rows.map((r) => r.author), type: 'STRING', nullable: false },
      { name: 'title', data: rows.map((r) => r.title), type: 'STRING', nullable: true },
    ],
  });
}

function parseJsonl(content: string, path: string): PoemRow[] {
  const rows: PoemRow[] = [];
  const lines = content.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      fail(`${path}:${i + 1}: ${(e as Error).message}`);
    }
    const r = v as Partial<PoemRow>;
    if (typeof r.text !== 'string' || typeof r.author !== 'string' || !(typeof r.title === 'string' || r.title === null)) {
      fail(`${path}:${i + 1}: expected {"text": string, "author": string, "title": string|null}`);
    }
    rows.push({ text: r.text, author: r.author, title: r.title });
  }
  return rows;
}

/** Reads `| file | records | chars | bytes | sha256 |` rows from the SOURCES.md table. */
function parseSourceStats(md: string): Map<string, SourceStats> {
  const stats = new Map<string, SourceStats>();
  for (const m of md.matchAll(/^\| ([\w.-]+\.jsonl) \| ([\d,]+) \| [^|]+ \| [^|]+ \| ([0-9a-f]{64}) \|$/gm)) {
    stats.set(m[1], { records: Number(m[2].replaceAll(',', '')), sha256: m[3] });
  }
  return stats;
}

function sourcesHeader(names: readonly string[]): string {
  const list = names.map((n) => `\`${basename(n, '.jsonl')}.parquet\``).join(', ');
  return `> **Versiflow's shipped corpus.** The files in this folder (${list}) are conversions of the
> \`.jsonl\` files described below: the same rows in the same order, one poem (or speech block) per
> row, with the columns \`text\` (string), \`author\` (string) and \`title\` (string, null where the
> source has none); row groups of ${ROW_GROUP_ROWS} rows; GZIP-compressed pages. The \`.jsonl\` files and
> \`tinyshakespeare.txt\` are not shipped. To rebuild, byte-identical, put the \`.jsonl\` files and the
> original SOURCES.md (this file without this header) in one folder and run
> \`npx tsx scripts/build-corpus.ts [THAT_FOLDER] [OUT_DIR=data]\`; it first checks each file's record
> count and sha256 against the table below.
>
> \`en_poetry.parquet\`: selection derived from facjure/public-domain-poetry (Facjure LLC); Zenup
> BSD-style licence (see section 4).

`;
}

function fail(message: string): never {
  console.error(`build-corpus: ${message}`);
  process.exit(1);
}
