import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { corpusRows } from '../src/streams/sources/readCorpus.ts';

/** The shipped corpora's poems, read once (≈2.7 MB of text). */
export async function shippedPoems(files = ['data/ru_poetry.parquet', 'data/en_poetry.parquet', 'data/fr_poetry.parquet']): Promise<{ text: string; author?: string; title?: string | null }[]> {
  const out: { text: string; author?: string; title?: string | null }[] = [];
  for (const f of files) for await (const r of corpusRows(f)) out.push({ text: r.text, author: r.author, title: r.title ?? null });
  return out;
}

/**
 * Writes a synthetic JSONL corpus of about `bytes` bytes: the shipped poems in seeded shuffles, each
 * line's stanzas rotated so repeats are not byte-identical. Deterministic for a seed.
 */
export async function writeSyntheticJsonl(path: string, bytes: number, seed = 1): Promise<{ rows: number; bytes: number }> {
  const poems = await shippedPoems();
  const out = createWriteStream(path);
  let s = seed >>> 0 || 1;
  const rnd = () => ((s = Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0) / 2 ** 32;
  let written = 0;
  let rows = 0;
  while (written < bytes) {
    const p = poems[Math.floor(rnd() * poems.length)];
    const stanzas = p.text.split('\n\n');
    const k = Math.floor(rnd() * stanzas.length);
    const text = [...stanzas.slice(k), ...stanzas.slice(0, k)].join('\n\n');
    const line = `${JSON.stringify({ text, author: p.author ?? null, title: p.title ?? null })}\n`;
    written += Buffer.byteLength(line);
    rows++;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { rows, bytes: written };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [path, mb] = process.argv.slice(2);
  console.log(await writeSyntheticJsonl(path, Number(mb) * 1e6));
}
