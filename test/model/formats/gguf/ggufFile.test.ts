import { describe, expect, it } from 'vitest';
import { decodeQ8_0, encodeF16, encodeQ8_0 } from '../../../../src/model/formats/gguf/ggmlQuantize.ts';
import { decodeGguf, encodeGguf } from '../../../../src/model/formats/gguf/ggufFile.ts';
import { permuteRopeRows } from '../../../../src/model/formats/gguf/ggufModel.ts';
import { ggufTokenizerKv, TOKEN_TYPE } from '../../../../src/model/formats/gguf/ggufTokenizer.ts';
import { floatToHalf, halfToFloat } from '../../../../src/model/formats/hf/floatDtypes.ts';
import { trainBpe } from '../../../../src/model/tokenizer/bpeTrainer.ts';
import { CharTokenizer } from '../../../../src/model/tokenizer/charTokenizer.ts';

describe('GGUF container', () => {
  it('writes magic, version 3, counts, typed metadata and 32-byte aligned tensor data that read back', () => {
    const b = new Uint8Array(8).fill(9);
    const bytes = encodeGguf(
      [
        { key: 'general.architecture', type: 'string', value: 'llama' },
        { key: 'x.f', type: 'float32', value: 1e-5 },
        { key: 'x.arr', type: 'array', elem: 'int32', value: [1, -2, 3] },
        { key: 'x.b', type: 'bool', value: true },
      ],
      [
        { name: 'a', ne: [3], type: 'F32', data: new Uint8Array(12) }, // 12 bytes: the next tensor starts at offset 32
        { name: 'b', ne: [2, 2], type: 'F16', data: b },
      ],
    );
    const d = new DataView(bytes.buffer);
    expect(d.getUint32(0, true)).toBe(0x46554747);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('GGUF');
    expect(d.getUint32(4, true)).toBe(3);
    expect(Number(d.getBigUint64(8, true))).toBe(2); // tensors
    expect(Number(d.getBigUint64(16, true))).toBe(5); // 4 keys + general.alignment
    const g = decodeGguf(bytes);
    expect(g.kv.get('general.architecture')).toBe('llama');
    expect(g.kv.get('x.f')).toBeCloseTo(1e-5, 10);
    expect(g.kv.get('x.arr')).toEqual([1, -2, 3]);
    expect(g.kv.get('x.b')).toBe(true);
    expect(g.kv.get('general.alignment')).toBe(32);
    expect(g.tensors.map((t) => [t.name, t.ne, t.type, t.offset])).toEqual([['a', [3], 0, 0], ['b', [2, 2], 1, 32]]);
    expect([...g.tensors[1].data]).toEqual([...b]);
    expect((bytes.length - 64) % 32).toBe(0); // the data section starts aligned (and ends padded)
    expect(g.tensors[1].data.byteOffset % 32).toBe(0);
  });

  it('refuses a tensor whose bytes do not match its type and shape, and Q8_0 rows that are not multiples of 32', () => {
    expect(() => encodeGguf([], [{ name: 'w', ne: [4, 2], type: 'F32', data: new Uint8Array(16) }])).toThrow(/has 16 bytes, F32 \[4,2\] needs 32/);
    expect(() => encodeQ8_0(new Float32Array(31))).toThrow(/multiple of 32/);
  });
});

describe('ggml encodings', () => {
  it('F16 rounds to nearest even, keeps subnormals, saturates to Inf', () => {
    expect(floatToHalf(1)).toBe(0x3c00);
    expect(floatToHalf(-2)).toBe(0xc000);
    expect(floatToHalf(65504)).toBe(0x7bff);
    expect(floatToHalf(70000)).toBe(0x7c00);
    expect(floatToHalf(2 ** -24)).toBe(1); // smallest subnormal
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // tie → even (1.0)
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (1 + 2⁻⁹)
    const x = Float32Array.from([0.1, -3.3, 1e-6]);
    const back = [0, 1, 2].map((i) => halfToFloat(new DataView(encodeF16(x).buffer).getUint16(i * 2, true)));
    back.forEach((v, i) => expect(Math.abs(v - x[i])).toBeLessThanOrEqual(Math.abs(x[i]) * 2 ** -11 + 2 ** -25));
  });

  it('Q8_0: d = amax/127 as half, q = round(x/d); values within d/2', () => {
    const x = new Float32Array(64).map((_, i) => (i < 32 ? (i - 16) / 8 : 0));
    const q = encodeQ8_0(x);
    expect(q.length).toBe(68);
    const d = halfToFloat(new DataView(q.buffer).getUint16(0, true));
    expect(d).toBeCloseTo(2 / 127, 4); // amax = 16/8 = 2
    expect(new Int8Array(q.buffer, 2, 32)[0]).toBe(-127); // x = -2
    expect(new Int8Array(q.buffer, 2, 32)[20]).toBe(Math.round(0.5 / (2 / 127))); // x = 0.5 → 32
    expect(new DataView(q.buffer).getUint16(34, true)).toBe(0); // an all-zero block has d = 0
    const back = decodeQ8_0(q, 64);
    for (let i = 0; i < 64; i++) expect(Math.abs(back[i] - x[i])).toBeLessThanOrEqual(d / 2 + 1e-6);
  });

  it('permuteRopeRows turns half-split rows (i, i + d/2) into adjacent pairs (2i, 2i+1) per head', () => {
    // 2 heads, d = 4, one column: row values are their hf row index
    const w = Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    expect([...permuteRopeRows(w, 2, 4, 1)]).toEqual([0, 2, 1, 3, 4, 6, 5, 7]);
    // two columns move together
    const w2 = Float32Array.from([0, 10, 1, 11, 2, 12, 3, 13]);
    expect([...permuteRopeRows(w2, 1, 4, 2)]).toEqual([0, 10, 2, 12, 1, 11, 3, 13]);
  });
});

describe('tokenizer metadata', () => {
  it('a char tokenizer: specials CONTROL ([UNK] UNKNOWN), characters USER_DEFINED with raw text, no merges, padded to the model vocab', () => {
    const t = new CharTokenizer(['a', 'б', '\n']);
    const kv = new Map(ggufTokenizerKv(t, 8).kv.map((e) => [e.key, e.value]));
    expect(kv.get('tokenizer.ggml.model')).toBe('gpt2');
    expect(kv.get('tokenizer.ggml.tokens')).toEqual(['[PAD]', '[EOS]', '[UNK]', 'a', 'б', '\n', '[UNUSED_6]', '[UNUSED_7]']);
    expect(kv.get('tokenizer.ggml.token_type')).toEqual([3, 3, 2, 4, 4, 4, 5, 5]);
    expect(kv.get('tokenizer.ggml.merges')).toEqual([]);
    expect([kv.get('tokenizer.ggml.bos_token_id'), kv.get('tokenizer.ggml.eos_token_id'), kv.get('tokenizer.ggml.padding_token_id')]).toEqual([1, 1, 0]);
    expect(() => ggufTokenizerKv(t, 5)).toThrow(/smaller than the tokenizer's 6 tokens/);
  });

  it('a byte-level BPE: HF byte-level strings, "a b" merges in rank order, specials CONTROL, pre-tokenizer gpt-2', () => {
    const t = trainBpe(['hello hello world', 'hello there'], { vocabSize: 270, specialTokens: ['[PAD]', '[EOS]', '[UNK]'] });
    const m = new Map(ggufTokenizerKv(t, t.vocabSize).kv.map((e) => [e.key, e.value]));
    const tokens = m.get('tokenizer.ggml.tokens') as string[];
    const types = m.get('tokenizer.ggml.token_type') as number[];
    expect(m.get('tokenizer.ggml.pre')).toBe('gpt-2');
    expect(tokens.slice(0, 3)).toEqual(['[PAD]', '[EOS]', '[UNK]']);
    expect(types.slice(0, 4)).toEqual([TOKEN_TYPE.CONTROL, TOKEN_TYPE.CONTROL, TOKEN_TYPE.UNKNOWN, TOKEN_TYPE.NORMAL]);
    expect(t.encode(' there').map((id) => tokens[id]).join('')).toBe('Ġthere'); // the space as byte-level Ġ
    const merges = m.get('tokenizer.ggml.merges') as string[];
    expect(merges.length).toBe(t.spec.merges.length);
    expect(merges[0]).toBe(t.spec.merges[0].join(' '));
    for (const mg of merges) expect(tokens).toContain(mg.replace(' ', ''));
  });
});
