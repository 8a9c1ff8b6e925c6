import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A fresh directory under os.tmpdir() with the given files (path → content); remove() deletes it. */
export function tmpCorpus(files: Record<string, string | Uint8Array | ArrayBuffer>): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'versiflow-corpus-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content instanceof ArrayBuffer ? new Uint8Array(content) : content);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
