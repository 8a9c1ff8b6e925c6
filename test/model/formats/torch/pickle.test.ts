import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../../../../src/core/errors/CheckpointError.ts';
import { PLAIN_GLOBALS, unpickle } from '../../../../src/model/formats/torch/pickle.ts';
import { hex } from './zipWriter.ts';

/*
 * Pickles written by CPython 3.11's pickle.dumps(obj, protocol=P) for
 *   obj = {'a': 1, 'b': [1, 2.5, -3, 2**40, -2**63, 2**64, None, True, False], 'c': ('x', 'ü€😀'),
 *          'd': {'nested': {1: 'one'}}, 'e': b'\x00\x01\xff', 'f': {1, 2}, 'g': OrderedDict([('k', 'v')]),
 *          'shared': None, 's1': l, 's2': l}   with l = [1, 2] (one object, memoized)
 */
const OBJ: Record<number, string> = {
  0: '286470300a56610a70310a49310a7356620a70320a286c70330a49310a6146322e350a61492d330a614c313039393531313632373737364c0a614c2d393232333337323033363835343737353830384c0a614c31383434363734343037333730393535313631364c0a614e614930310a614930300a617356630a70340a2856780a70350a56fc5c75323061635c5530303031663630300a70360a7470370a7356640a70380a286470390a566e65737465640a7031300a28647031310a49310a566f6e650a7031320a73737356650a7031330a635f636f646563730a656e636f64650a7031340a28565c753030303001ff0a7031350a566c6174696e310a7031360a747031370a527031380a7356660a7031390a635f5f6275696c74696e5f5f0a7365740a7032300a28286c7032310a49310a6149320a61747032320a527032330a7356670a7032340a63636f6c6c656374696f6e730a4f726465726564446963740a7032350a2874527032360a566b0a7032370a56760a7032380a7373567368617265640a7032390a4e735673310a7033300a286c7033310a49310a6149320a61735673320a7033320a6733310a732e',
  2: '80027d71002858010000006171014b0158010000006271025d7103284b014740040000000000004afdffffff8a060000000000018a0800000000000000808a090000000000000000014e888965580100000063710458010000007871055809000000c3bce282acf09f9880710686710758010000006471087d710958060000006e6573746564710a7d710b4b0158030000006f6e65710c7373580100000065710d635f636f646563730a656e636f64650a710e58040000000001c3bf710f58060000006c6174696e3171108671115271125801000000667113635f5f6275696c74696e5f5f0a7365740a71145d7115284b014b0265857116527117580100000067711863636f6c6c656374696f6e730a4f726465726564446963740a71192952711a58010000006b711b580100000076711c735806000000736861726564711d4e58020000007331711e5d711f284b014b0265580200000073327120681f752e',
  4: '800495d6000000000000007d94288c0161944b018c0162945d94284b014740040000000000004afdffffff8a060000000000018a0800000000000000808a090000000000000000014e8889658c0163948c0178948c09c3bce282acf09f98809486948c0164947d948c066e6573746564947d944b018c036f6e659473738c01659443030001ff948c0166948f94284b014b02908c0167948c0b636f6c6c656374696f6e73948c0b4f726465726564446963749493942952948c016b948c017694738c06736861726564944e8c027331945d94284b014b02658c02733294681a752e',
  5: '800595d6000000000000007d94288c0161944b018c0162945d94284b014740040000000000004afdffffff8a060000000000018a0800000000000000808a090000000000000000014e8889658c0163948c0178948c09c3bce282acf09f98809486948c0164947d948c066e6573746564947d944b018c036f6e659473738c01659443030001ff948c0166948f94284b014b02908c0167948c0b636f6c6c656374696f6e73948c0b4f726465726564446963749493942952948c016b948c017694738c06736861726564944e8c027331945d94284b014b02658c02733294681a752e',
};

/** os.system('true') at protocol 0 (GLOBAL "posix system"); eval('1+1') at protocol 4 (STACK_GLOBAL). */
const SYSTEM_P0 = '63706f7369780a73797374656d0a70300a2856747275650a70310a7470320a5270330a2e';
const EVAL_P4 = '8004951f000000000000008c086275696c74696e73948c046576616c9493948c03312b3194859452942e';

const load = (h: string) => unpickle(hex(h), { globals: PLAIN_GLOBALS, where: 'test.pkl' });

describe('unpickle', () => {
  for (const proto of [0, 2, 4, 5]) {
    it(`protocol ${proto}: ints (bool-like, negative, 2^40, -2^63, 2^64 as bigint), floats, str (non-BMP), bytes, tuples, sets, OrderedDict, memo`, () => {
      const o = load(OBJ[proto]) as Map<string, unknown>;
      expect(o.get('a')).toBe(1);
      expect(o.get('b')).toEqual([1, 2.5, -3, 2 ** 40, -(2n ** 63n), 2n ** 64n, null, true, false]);
      expect(o.get('c')).toEqual(['x', 'ü€😀']);
      expect((o.get('d') as Map<string, Map<number, string>>).get('nested')!.get(1)).toBe('one');
      expect([...(o.get('e') as Uint8Array)]).toEqual([0, 1, 255]);
      expect(o.get('f')).toEqual([1, 2]);
      expect(o.get('g')).toEqual(new Map([['k', 'v']]));
      expect(o.get('shared')).toBeNull();
      expect(o.get('s1')).toBe(o.get('s2')); // one object through the memo
    });
  }

  it('refuses os.system (GLOBAL) and builtins.eval (STACK_GLOBAL) by name, with the allowed list', () => {
    for (const [h, name] of [[SYSTEM_P0, 'posix.system'], [EVAL_P4, 'builtins.eval']]) {
      let err: unknown;
      try {
        load(h);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CheckpointError);
      expect((err as Error).message).toContain(`test.pkl: the pickle refers to the global "${name}", which this reader does not allow`);
      expect((err as Error).message).toContain('allowed: collections.OrderedDict');
    }
  });

  it('refuses _codecs.encode for anything but latin1 bytes, persistent ids without a loader, and unknown opcodes', () => {
    // _codecs.encode('x', 'rot13'): c _codecs\nencode\n ( V x\n V rot13\n t R .
    const rot = new TextEncoder().encode('c_codecs\nencode\n(Vx\nVrot13\ntR.');
    expect(() => unpickle(rot, { globals: PLAIN_GLOBALS, where: 't' })).toThrow(/only to rebuild bytes/);
    expect(() => unpickle(new TextEncoder().encode('(S\'x\'\ntQ.'), { globals: PLAIN_GLOBALS, where: 't' })).toThrow(/unsupported pickle opcode 0x53/);
    expect(() => unpickle(hex('80024b01515d2e'), { globals: PLAIN_GLOBALS, where: 't' })).toThrow(/persistent id/);
    expect(() => unpickle(hex('80027d'), { globals: PLAIN_GLOBALS, where: 't' })).toThrow(/ends early|underflow|empty/);
  });
});
