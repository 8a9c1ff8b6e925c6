import { createReadStream } from 'node:fs';
import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';

/** How a corpus file is compressed, from its name: `poems.jsonl.gz` → gzip, `poems.jsonl.zst` → zstd. */
export type Codec = 'none' | 'gzip' | 'zstd';

export function codecOf(path: string): Codec {
  const p = path.toLowerCase();
  return p.endsWith('.gz') ? 'gzip' : p.endsWith('.zst') || p.endsWith('.zstd') ? 'zstd' : 'none';
}

/** The name without its compression suffix: `a.jsonl.zst` → `a.jsonl`. */
export function withoutCodec(path: string): string {
  return path.replace(/\.(gz|zst|zstd)$/i, '');
}

/**
 * The bytes of a corpus file, decompressed as they stream (64 KiB reads): gzip through zlib, zstd
 * through fzstd's streaming decoder, so memory holds a chunk and the decoder's window, never the file.
 * A read or decoding error fails the stream (and so the `for await` reading it).
 */
export function decodedStream(path: string): Readable & { readonly fileBytesRead: () => number } {
  const file = createReadStream(path, { highWaterMark: 64 * 1024 });
  const codec = codecOf(path);
  const out = codec === 'none' ? file : pipeline(file, codec === 'gzip' ? createGunzip() : zstdDecoder(), () => undefined);
  // bytes of the file on disk read so far (compressed bytes for .gz/.zst): what progress is measured in
  return Object.assign(out, { fileBytesRead: () => file.bytesRead });
}

/** fzstd's Decompress as a Transform. */
function zstdDecoder(): Transform {
  let out: Transform;
  const z = new Decompress((chunk) => out.push(Buffer.from(chunk)));
  out = new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      try {
        z.push(chunk);
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
    flush(cb: TransformCallback) {
      try {
        z.push(new Uint8Array(0), true);
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
  });
  return out;
}

/**
 * The lines of a byte stream as UTF-8 strings (a trailing "\r" removed, the last line yielded even
 * without a final newline). Holds one chunk and one partial line.
 */
export async function* textLines(stream: Readable): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  try {
    for await (const chunk of stream) {
      const text = rest + decoder.decode(chunk as Buffer, { stream: true });
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        yield text.charCodeAt(nl - 1) === 13 && nl > start ? text.slice(start, nl - 1) : text.slice(start, nl);
        start = nl + 1;
      }
      rest = text.slice(start);
    }
    rest += decoder.decode();
    if (rest !== '') yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
  } finally {
    stream.destroy();
  }
}
