import { CheckpointError } from '../../../core/errors/CheckpointError.ts';

/**
 * Reads the entries of a ZIP archive held in memory (what `torch.save` writes since PyTorch 1.6:
 * uncompressed "stored" entries, zip64 records for large files). Returns views into `bytes`, no copy.
 * Compressed entries are refused: torch.save never writes them.
 */
export function readZip(bytes: Uint8Array, where: string): Map<string, Uint8Array> {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (why: string): never => {
    throw new CheckpointError(`${where}: not a readable zip archive (${why}); PyTorch checkpoints are the zip files torch.save writes (PyTorch ≥ 1.6)`);
  };
  // end of central directory: 22 bytes + a comment of up to 65535
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (v.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail('no end-of-central-directory record');
  let count = v.getUint16(eocd + 10, true);
  let cdOffset = v.getUint32(eocd + 16, true);
  if (count === 0xffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20; // zip64 end-of-central-directory locator
    if (loc < 0 || v.getUint32(loc, true) !== 0x07064b50) fail('zip64 sizes without a zip64 locator');
    const z = Number(v.getBigUint64(loc + 8, true));
    if (v.getUint32(z, true) !== 0x06064b50) fail('bad zip64 end-of-central-directory record');
    count = Number(v.getBigUint64(z + 32, true));
    cdOffset = Number(v.getBigUint64(z + 48, true));
  }
  const out = new Map<string, Uint8Array>();
  let p = cdOffset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > bytes.length || v.getUint32(p, true) !== 0x02014b50) fail(`central directory entry ${k} is damaged`);
    const method = v.getUint16(p + 10, true);
    let size = v.getUint32(p + 20, true);
    let usize = v.getUint32(p + 24, true);
    const nameLen = v.getUint16(p + 28, true);
    const extraLen = v.getUint16(p + 30, true);
    const commentLen = v.getUint16(p + 32, true);
    let local = v.getUint32(p + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // zip64 extended information: the 8-byte fields present are those whose 4-byte field is 0xffffffff
    for (let e = p + 46 + nameLen; e + 4 <= p + 46 + nameLen + extraLen; ) {
      const id = v.getUint16(e, true);
      const len = v.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        if (usize === 0xffffffff) (usize = Number(v.getBigUint64(q, true))), (q += 8);
        if (size === 0xffffffff) (size = Number(v.getBigUint64(q, true))), (q += 8);
        if (local === 0xffffffff) local = Number(v.getBigUint64(q, true));
      }
      e += 4 + len;
    }
    if (method !== 0) throw new CheckpointError(`${where}: zip entry "${name}" is compressed (method ${method}); torch.save writes stored entries only, so re-save the file with torch.save`);
    if (size !== usize) fail(`entry "${name}" sizes differ`);
    if (local + 30 > bytes.length || v.getUint32(local, true) !== 0x04034b50) fail(`entry "${name}" has no local header`);
    const start = local + 30 + v.getUint16(local + 26, true) + v.getUint16(local + 28, true);
    if (start + size > bytes.length) fail(`entry "${name}" runs past the end of the file (truncated?)`);
    out.set(name, bytes.subarray(start, start + size));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}
