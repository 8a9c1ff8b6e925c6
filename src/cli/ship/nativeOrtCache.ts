import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { POET_ASSETS } from './shipManifest.ts';

/**
 * Writes onnxruntime-node's native library and binding (from `read`, the executable's assets) to
 * `$XDG_CACHE_HOME/versiflow-poet/onnxruntime-VERSION/` (~/.cache, or the temp directory when there
 * is no writable home) unless a file of the same size is there, and returns the binding's path. Each
 * file goes to a temporary name first and is renamed, so two poets starting at once never load half a file.
 */
export function nativeOrtDir(version: string, read: (key: string) => Uint8Array): string {
  const roots = [process.env.XDG_CACHE_HOME, homedir() ? join(homedir(), '.cache') : undefined, tmpdir()].filter((r): r is string => !!r);
  let lastError: unknown;
  for (const root of roots) {
    const dir = join(root, 'versiflow-poet', `onnxruntime-${version}-${process.platform}-${process.arch}`);
    try {
      mkdirSync(dir, { recursive: true });
      for (const key of [POET_ASSETS.ortLibrary, POET_ASSETS.ortBinding]) {
        const bytes = read(key);
        const file = join(dir, key);
        if (existsSync(file) && statSync(file).size === bytes.length) continue;
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, bytes, { mode: 0o755 });
        renameSync(tmp, file);
      }
      return join(dir, POET_ASSETS.ortBinding);
    } catch (e) {
      lastError = e;
    }
  }
  throw new Error(`poet: could not write onnxruntime's native library to a cache directory (tried ${roots.join(', ')}): ${(lastError as Error)?.message}; set XDG_CACHE_HOME to a writable directory`);
}
