import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';

/** Writes `text` to `path` and fsyncs it before returning. */
export function writeDurably(path: string, text: string): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fsync a directory so a rename survives a power loss (best effort). */
export function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // not every filesystem lets a directory be fsynced
  }
}

/** fsync an appended-to file, so its lines up to now survive a power loss (best effort). */
export function syncFile(path: string): void {
  try {
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // gone or not syncable: the next append recreates it
  }
}
