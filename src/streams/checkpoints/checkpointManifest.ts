import { createHash } from 'node:crypto';

/** One file of a checkpoint as state.json records it. */
export interface FileEntry {
  readonly bytes: number;
  /** Hex SHA-256 of the file's contents. */
  readonly sha256: string;
}

/** Every file of a checkpoint but state.json itself, by name. */
export type Manifest = Readonly<Record<string, FileEntry>>;

export const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** The manifest entry of `data`. */
export const entryOf = (data: Uint8Array): FileEntry => ({ bytes: data.length, sha256: sha256(data) });

/**
 * Why `data` is not the file the manifest lists as `name` (size first: a truncated file says so),
 * or null when it is.
 */
export function mismatch(name: string, data: Uint8Array, entry: FileEntry): string | null {
  if (data.length !== entry.bytes) return `${name} has ${data.length} bytes, state.json lists ${entry.bytes} (truncated or overwritten)`;
  const got = sha256(data);
  if (got !== entry.sha256) return `${name} SHA-256 ${got.slice(0, 12)}… differs from state.json's ${entry.sha256.slice(0, 12)}… (corrupt)`;
  return null;
}
