import { CheckpointError } from '../../../core/errors/CheckpointError.ts';
import { halfToFloat } from '../hf/floatDtypes.ts';
import { type AllowedGlobal, PLAIN_GLOBALS, type PyValue, unpickle } from './pickle.ts';
import { readZip } from './zipArchive.ts';

/**
 * PyTorch checkpoints as `torch.save` writes them (PyTorch ≥ 1.6): a zip with `<name>/data.pkl` (the
 * pickled object), `<name>/data/<key>` (one raw storage per key), `<name>/byteorder` ("little" or
 * "big"; absent = little) and `<name>/version`. Tensors are pickled as
 * `torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, hooks[, metadata])`
 * with the storage a persistent id `('storage', torch.FloatStorage, key, location, numel)`.
 *
 * Only those globals (and OrderedDict, sets, bytes) are allowed; anything else is refused by name.
 */

/** Storage element types by their torch class name. */
const STORAGES = {
  FloatStorage: { dtype: 'float32', bytes: 4 },
  DoubleStorage: { dtype: 'float64', bytes: 8 },
  HalfStorage: { dtype: 'float16', bytes: 2 },
  BFloat16Storage: { dtype: 'bfloat16', bytes: 2 },
  LongStorage: { dtype: 'int64', bytes: 8 },
  IntStorage: { dtype: 'int32', bytes: 4 },
  ShortStorage: { dtype: 'int16', bytes: 2 },
  CharStorage: { dtype: 'int8', bytes: 1 },
  ByteStorage: { dtype: 'uint8', bytes: 1 },
  BoolStorage: { dtype: 'bool', bytes: 1 },
} as const;

export type TorchDtype = (typeof STORAGES)[keyof typeof STORAGES]['dtype'];

class StorageType implements AllowedGlobal {
  constructor(
    readonly name: string,
    readonly dtype: TorchDtype,
    readonly bytes: number,
  ) {}

  call(): never {
    throw new CheckpointError(`torch.${this.name}(...) called in a pickle: storages are only read through persistent ids`);
  }
}

interface Storage {
  readonly type: StorageType;
  readonly data: Uint8Array;
  readonly key: string;
}

/**
 * A tensor of a PyTorch checkpoint: a view (offset, shape, strides in elements) of a storage. Values
 * are read only when asked for (an optimizer state the import skips is never decoded).
 */
export class TorchTensor {
  constructor(
    private readonly storage: Storage,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
    private readonly bigEndian: boolean,
  ) {
    const numel = shape.reduce((a, d) => a * d, 1);
    if (numel > 0) {
      const last = offset + shape.reduce((a, d, i) => a + (d - 1) * stride[i], 0);
      if (offset < 0 || last * storage.type.bytes + storage.type.bytes > storage.data.length) {
        throw new CheckpointError(`tensor of shape [${shape}] at offset ${offset} with strides [${stride}] reaches past its storage "${storage.key}" (${storage.data.length} bytes)`);
      }
    }
  }

  get dtype(): TorchDtype {
    return this.storage.type.dtype;
  }

  /** The storage the tensor views (tensors that share one, like tied weights, return the same key). */
  get storageKey(): string {
    return this.storage.key;
  }

  get numel(): number {
    return this.shape.reduce((a, d) => a * d, 1);
  }

  /** Row-major values as float64 numbers (exact for every dtype but int64 beyond 2^53). */
  values(): Float64Array {
    const { data, type } = this.storage;
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const le = !this.bigEndian;
    const read = (i: number): number => {
      const b = i * type.bytes;
      switch (type.dtype) {
        case 'float32': return view.getFloat32(b, le);
        case 'float64': return view.getFloat64(b, le);
        case 'float16': return halfToFloat(view.getUint16(b, le));
        case 'bfloat16': return new Float32Array(Uint32Array.of(view.getUint16(b, le) << 16).buffer)[0];
        case 'int64': return Number(view.getBigInt64(b, le));
        case 'int32': return view.getInt32(b, le);
        case 'int16': return view.getInt16(b, le);
        case 'int8': return view.getInt8(b);
        case 'uint8': return view.getUint8(b);
        case 'bool': return view.getUint8(b) ? 1 : 0;
      }
    };
    const n = this.numel;
    const out = new Float64Array(n);
    const rank = this.shape.length;
    const idx = new Array<number>(rank).fill(0);
    for (let k = 0; k < n; k++) {
      let e = this.offset;
      for (let d = 0; d < rank; d++) e += idx[d] * this.stride[d];
      out[k] = read(e);
      for (let d = rank - 1; d >= 0; d--) {
        if (++idx[d] < this.shape[d]) break;
        idx[d] = 0;
      }
    }
    return out;
  }

  /** Row-major float32 values (float16/bfloat16 widen exactly; float64 rounds). */
  toFloat32(): Float32Array {
    return Float32Array.from(this.values());
  }
}

const ints = (x: PyValue, what: string): number[] => {
  if (!Array.isArray(x) || !x.every((d) => typeof d === 'number' && Number.isInteger(d))) throw new CheckpointError(`_rebuild_tensor: ${what} is not a tuple of ints`);
  return x as number[];
};

/**
 * Parses a `torch.save` zip held in memory. Returns the unpickled object: dicts as Map, tensors as
 * TorchTensor. `where` names the file in errors.
 */
export function readTorchCheckpoint(bytes: Uint8Array, where: string): PyValue {
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] <= 5) {
    throw new CheckpointError(`${where}: a legacy (pre-1.6, non-zip) torch.save file; load and re-save it with a current PyTorch (torch.save writes zip files by default since 1.6)`);
  }
  const entries = readZip(bytes, where);
  const pkl = [...entries.keys()].filter((n) => n.endsWith('/data.pkl') && n.split('/').length === 2);
  if (pkl.length !== 1) throw new CheckpointError(`${where}: expected one <name>/data.pkl in the zip (found ${pkl.length}): not a torch.save checkpoint`);
  const prefix = pkl[0].slice(0, -'data.pkl'.length);
  const order = entries.get(`${prefix}byteorder`);
  const byteorder = order ? new TextDecoder().decode(order).trim() : 'little';
  if (byteorder !== 'little' && byteorder !== 'big') throw new CheckpointError(`${where}: byteorder "${byteorder}" is neither little nor big`);
  const bigEndian = byteorder === 'big';
  const storages = new Map<string, Storage>();

  const globals: Record<string, AllowedGlobal> = { ...PLAIN_GLOBALS };
  for (const [name, t] of Object.entries(STORAGES)) {
    // appears as the class itself in persistent ids (never called by torch.save's pickles)
    globals[`torch.${name}`] = new StorageType(name, t.dtype, t.bytes);
  }
  const rebuild = (args: readonly PyValue[]): TorchTensor => {
    const [storage, offset, size, stride] = args;
    if (!storage || !(storage as Storage).type) throw new CheckpointError(`${where}: _rebuild_tensor without a storage`);
    if (typeof offset !== 'number') throw new CheckpointError(`${where}: _rebuild_tensor: storage_offset is not an int`);
    return new TorchTensor(storage as Storage, offset, ints(size, 'size'), ints(stride, 'stride'), bigEndian);
  };
  globals['torch._utils._rebuild_tensor_v2'] = { call: rebuild };
  globals['torch._utils._rebuild_tensor'] = { call: rebuild };
  globals['torch._utils._rebuild_parameter'] = { call: (args) => args[0] }; // nn.Parameter(data): the data

  const persistentLoad = (pid: PyValue): Storage => {
    if (!Array.isArray(pid) || pid[0] !== 'storage') throw new CheckpointError(`${where}: unknown persistent id ${JSON.stringify(pid)}`);
    const [, type, key] = pid as [string, StorageType, string];
    if (!(type instanceof StorageType)) throw new CheckpointError(`${where}: storage ${String(key)} has no known storage type`);
    const cached = storages.get(String(key));
    if (cached) return cached;
    const data = entries.get(`${prefix}data/${key}`);
    if (!data) throw new CheckpointError(`${where}: storage ${prefix}data/${key} is missing from the zip`);
    const s: Storage = { type, data, key: String(key) };
    storages.set(String(key), s);
    return s;
  };
  return unpickle(entries.get(pkl[0])!, { globals, persistentLoad, where: `${where} (${pkl[0]})` });
}
