import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../../../../src/core/errors/CheckpointError.ts';
import { readTorchCheckpoint, TorchTensor } from '../../../../src/model/formats/torch/torchCheckpoint.ts';
import { readZip } from '../../../../src/model/formats/torch/zipArchive.ts';
import { writeZip } from './zipWriter.ts';

const fixture = (f: string) => new Uint8Array(readFileSync(new URL(`../../../fixtures/torch/${f}`, import.meta.url)));
const expected = JSON.parse(readFileSync(new URL('../../../fixtures/torch/tensors.json', import.meta.url), 'utf8')) as Record<string, { shape: number[]; values: number[]; dtype: string }>;

describe('readTorchCheckpoint (fixtures written by torch.save, scripts/make_torch_fixtures.py)', () => {
  for (const file of ['tensors.pt', 'tensors-big.pt']) {
    it(`${file}: every dtype, storage offsets and strides (views of one storage) give torch's values`, () => {
      const sd = readTorchCheckpoint(fixture(file), file) as Map<string, unknown>;
      for (const [name, e] of Object.entries(expected)) {
        const t = sd.get(name) as TorchTensor;
        expect(t, name).toBeInstanceOf(TorchTensor);
        expect(t.dtype, name).toBe(e.dtype);
        expect([...t.shape], name).toEqual(e.shape);
        expect([...t.values()], name).toEqual(e.values);
      }
      const base = sd.get('base') as TorchTensor;
      expect((sd.get('transposed') as TorchTensor).storageKey).toBe(base.storageKey);
      expect((sd.get('rows') as TorchTensor).offset).toBe(4);
      expect((sd.get('transposed') as TorchTensor).stride).toEqual([1, 4]);
    });
  }

  it('rebuilds plain containers: lists, tuples, bytes (protocol 2\'s _codecs.encode), ints beyond 2^53 as bigint', () => {
    const sd = readTorchCheckpoint(fixture('tensors.pt'), 'tensors.pt') as Map<string, unknown>;
    const nested = sd.get('nested') as Map<string, unknown>;
    expect(nested.get('list')).toEqual([1, 2.5, 'x', null, true]);
    expect(nested.get('tuple')).toEqual([3, 'y']);
    expect([...(nested.get('bytes') as Uint8Array)]).toEqual([0, 255, 97, 98]);
    expect(nested.get('big')).toBe(2n ** 70n);
    expect(nested.get('neg')).toBe(-(2 ** 33));
  });

  it('refuses a checkpoint whose pickle calls os.system, naming the global, before anything runs', () => {
    let err: unknown;
    try {
      readTorchCheckpoint(fixture('evil.pt'), 'evil.pt');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).toMatch(/evil\.pt.*the global "posix\.system", which this reader does not allow/);
    expect((err as Error).message).toMatch(/Nothing was executed/);
  });

  it('names a legacy (pre-zip) file, a file that is not a zip, and a missing storage', () => {
    expect(() => readTorchCheckpoint(Uint8Array.of(0x80, 0x02, 0x8a, 0x0a), 'old.pt')).toThrow(/old\.pt: a legacy \(pre-1\.6, non-zip\)/);
    expect(() => readTorchCheckpoint(new TextEncoder().encode('hello, not a zip at all, long enough'), 'x.pt')).toThrow(/x\.pt: not a readable zip archive/);
    const entries = [...readZip(fixture('tensors.pt'), 'tensors.pt')].map(([name, data]) => ({ name, data }));
    const without = writeZip(entries.filter((e) => e.name !== 'archive/data/0'));
    expect(() => readTorchCheckpoint(without, 'cut.pt')).toThrow(/cut\.pt: storage archive\/data\/0 is missing/);
    const deflated = writeZip(entries.map((e) => (e.name.endsWith('data.pkl') ? { ...e, method: 8 } : e)));
    expect(() => readTorchCheckpoint(deflated, 'z.pt')).toThrow(/z\.pt: zip entry "archive\/data\.pkl" is compressed \(method 8\)/);
    expect(() => readTorchCheckpoint(writeZip([{ name: 'x/y.txt', data: new Uint8Array(3) }]), 'n.pt')).toThrow(/expected one <name>\/data\.pkl/);
  });

  it('reads a zip written by another writer (no 64-byte alignment) the same', () => {
    const entries = [...readZip(fixture('tensors.pt'), 'tensors.pt')].map(([name, data]) => ({ name, data }));
    const sd = readTorchCheckpoint(writeZip(entries), 'rezipped.pt') as Map<string, TorchTensor>;
    expect([...sd.get('transposed')!.values()]).toEqual(expected.transposed.values);
  });
});
