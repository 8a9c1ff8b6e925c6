import { CheckpointError } from '../../../core/errors/CheckpointError.ts';

/**
 * A restricted Python unpickler (protocols 0–5): it rebuilds plain data (None, bools, ints, floats,
 * str, bytes, lists, tuples, dicts, sets) and calls only the globals the caller allows. Any other
 * global (`os.system`, `builtins.eval`, `subprocess.Popen`, …) stops the load with an error naming it,
 * at the GLOBAL opcode, before anything could call it: there is no generic object construction here.
 *
 * Python values become: None → null, bool → boolean, int → number (bigint beyond 2^53), float →
 * number, str → string, bytes → Uint8Array, list and tuple → array, dict → Map, set → array.
 */

export type PyValue = unknown;

/** A global the caller allows: what REDUCE or NEWOBJ with it as the callable returns. */
export interface AllowedGlobal {
  readonly call: (args: readonly PyValue[]) => PyValue;
}

export interface UnpickleOptions {
  /** "module.name" → the allowed global. Everything else is refused. */
  readonly globals: Readonly<Record<string, AllowedGlobal>>;
  /** Resolves a persistent id (PERSID/BINPERSID); absent = persistent ids are refused. */
  readonly persistentLoad?: (pid: PyValue) => PyValue;
  /** Names the file in errors. */
  readonly where: string;
}

/** Marker for the stack's MARK. */
const MARK = Symbol('mark');

/** Python 2 module names pickle protocol 2 writes for Python 3 ones (pickle's fix_imports). */
const PY2_MODULES: Readonly<Record<string, string>> = { __builtin__: 'builtins', copy_reg: 'copyreg' };

export function unpickle(bytes: Uint8Array, opts: UnpickleOptions): PyValue {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder();
  const stack: PyValue[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PyValue>();
  let p = 0;
  const fail = (why: string): never => {
    throw new CheckpointError(`${opts.where}: ${why}`);
  };
  const need = (n: number) => {
    if (p + n > bytes.length) fail(`pickle data ends early (at byte ${p}, ${n} more needed)`);
  };
  const u8 = () => (need(1), bytes[p++]);
  const u16 = () => (need(2), (p += 2), v.getUint16(p - 2, true));
  const u32 = () => (need(4), (p += 4), v.getUint32(p - 4, true));
  const i32 = () => (need(4), (p += 4), v.getInt32(p - 4, true));
  const u64 = () => {
    need(8);
    p += 8;
    const n = v.getBigUint64(p - 8, true);
    if (n > BigInt(bytes.length)) fail(`a length of ${n} bytes runs past the end of the pickle`);
    return Number(n);
  };
  const take = (n: number) => (need(n), (p += n), bytes.subarray(p - n, p));
  const lineBytes = () => {
    const end = bytes.indexOf(0x0a, p);
    if (end < 0) fail('pickle text opcode without its newline');
    const b = bytes.subarray(p, end);
    p = end + 1;
    return b;
  };
  const line = () => text.decode(lineBytes());
  const pop = () => (stack.length === 0 ? fail('pickle stack underflow') : stack.pop());
  const top = () => (stack.length === 0 ? fail('pickle stack is empty') : stack[stack.length - 1]);
  const popMark = (): PyValue[] => {
    const m = marks.pop();
    if (m === undefined) fail('pickle MARK missing');
    return stack.splice(m!);
  };
  const global = (module: string, name: string): AllowedGlobal => {
    const full = `${PY2_MODULES[module] ?? module}.${name}`;
    const g = opts.globals[full] ?? opts.globals[`${module}.${name}`];
    if (!g) {
      fail(`the pickle refers to the global "${full}", which this reader does not allow: it only rebuilds tensors, OrderedDicts and plain containers (allowed: ${Object.keys(opts.globals).join(', ')}). Nothing was executed.`);
    }
    return g!;
  };
  const call = (fn: PyValue, args: PyValue, op: string): PyValue => {
    if (!fn || typeof (fn as AllowedGlobal).call !== 'function') fail(`${op} with a callable that is not an allowed global`);
    if (!Array.isArray(args)) fail(`${op} arguments are not a tuple`);
    return (fn as AllowedGlobal).call(args as PyValue[]);
  };
  const setItems = (d: PyValue, items: PyValue[]) => {
    if (!(d instanceof Map)) fail('SETITEM(S) on something that is not a dict');
    for (let i = 0; i + 1 < items.length; i += 2) (d as Map<PyValue, PyValue>).set(items[i], items[i + 1]);
  };
  const longFrom = (b: Uint8Array): number | bigint => {
    if (b.length === 0) return 0;
    let n = 0n;
    for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]);
    if (b[b.length - 1] & 0x80) n -= 1n << BigInt(8 * b.length);
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  };
  const int = (s: string): number | bigint | boolean => {
    if (s === '00') return false;
    if (s === '01') return true;
    const n = BigInt(s.replace(/L$/, ''));
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  };

  for (;;) {
    const at = p;
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: p += 8; break; // FRAME: a length hint
      case 0x2e: return pop(); // STOP '.'
      case 0x28: marks.push(stack.length); break; // MARK '('
      case 0x30: pop(); break; // POP '0'
      case 0x31: popMark(); break; // POP_MARK '1'
      case 0x32: stack.push(top()); break; // DUP '2'
      case 0x4e: stack.push(null); break; // NONE 'N'
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: stack.push(i32()); break; // BININT 'J'
      case 0x4b: stack.push(u8()); break; // BININT1 'K'
      case 0x4d: stack.push(u16()); break; // BININT2 'M'
      case 0x8a: stack.push(longFrom(take(u8()))); break; // LONG1
      case 0x8b: stack.push(longFrom(take(u32()))); break; // LONG4
      case 0x49: stack.push(int(line())); break; // INT 'I'
      case 0x4c: stack.push(int(line())); break; // LONG 'L'
      case 0x47: need(8); stack.push(v.getFloat64(p, false)); p += 8; break; // BINFLOAT 'G' (big-endian)
      case 0x46: stack.push(Number(line())); break; // FLOAT 'F'
      case 0x58: stack.push(text.decode(take(u32()))); break; // BINUNICODE 'X'
      case 0x8c: stack.push(text.decode(take(u8()))); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(text.decode(take(u64()))); break; // BINUNICODE8
      case 0x56: stack.push(rawUnicodeEscape(lineBytes())); break; // UNICODE 'V'
      case 0x54: stack.push(latin1(take(i32()))); break; // BINSTRING 'T' (Python 2 str)
      case 0x55: stack.push(latin1(take(u8()))); break; // SHORT_BINSTRING 'U'
      case 0x42: stack.push(take(u32()).slice()); break; // BINBYTES 'B'
      case 0x43: stack.push(take(u8()).slice()); break; // SHORT_BINBYTES 'C'
      case 0x8e: stack.push(take(u64()).slice()); break; // BINBYTES8
      case 0x96: stack.push(take(u64()).slice()); break; // BYTEARRAY8
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT '}'
      case 0x64: { // DICT 'd'
        const d = new Map<PyValue, PyValue>();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x73: { // SETITEM 's'
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: { // SETITEMS 'u'
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x5d: stack.push([]); break; // EMPTY_LIST ']'
      case 0x6c: stack.push(popMark()); break; // LIST 'l'
      case 0x61: { // APPEND 'a'
        const x = pop();
        const list = top();
        if (!Array.isArray(list)) fail('APPEND to something that is not a list');
        (list as PyValue[]).push(x);
        break;
      }
      case 0x65: { // APPENDS 'e'
        const items = popMark();
        const list = top();
        if (!Array.isArray(list)) fail('APPENDS to something that is not a list');
        (list as PyValue[]).push(...items);
        break;
      }
      case 0x29: stack.push([]); break; // EMPTY_TUPLE ')'
      case 0x74: stack.push(popMark()); break; // TUPLE 't'
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push([a, b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push([a, b, c]); break; } // TUPLE3
      case 0x8f: stack.push([]); break; // EMPTY_SET
      case 0x90: { // ADDITEMS
        const items = popMark();
        const s = top();
        if (!Array.isArray(s)) fail('ADDITEMS to something that is not a set');
        (s as PyValue[]).push(...items);
        break;
      }
      case 0x91: stack.push(popMark()); break; // FROZENSET
      case 0x70: memo.set(Number(line()), top()); break; // PUT 'p'
      case 0x71: memo.set(u8(), top()); break; // BINPUT 'q'
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT 'r'
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x67: stack.push(fromMemo(memo, Number(line()), fail)); break; // GET 'g'
      case 0x68: stack.push(fromMemo(memo, u8(), fail)); break; // BINGET 'h'
      case 0x6a: stack.push(fromMemo(memo, u32(), fail)); break; // LONG_BINGET 'j'
      case 0x63: { // GLOBAL 'c': module\nname\n
        const module = line();
        stack.push(global(module, line()));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL without two strings');
        stack.push(global(module as string, name as string));
        break;
      }
      case 0x52: { // REDUCE 'R'
        const args = pop();
        stack.push(call(pop(), args, 'REDUCE'));
        break;
      }
      case 0x81: { // NEWOBJ
        const args = pop();
        stack.push(call(pop(), args, 'NEWOBJ'));
        break;
      }
      case 0x92: { // NEWOBJ_EX
        const kwargs = pop();
        const args = pop();
        if (kwargs instanceof Map && kwargs.size > 0) fail('NEWOBJ_EX with keyword arguments is not supported');
        stack.push(call(pop(), args, 'NEWOBJ_EX'));
        break;
      }
      case 0x62: { // BUILD 'b': obj.__setstate__(state)
        const state = pop();
        const obj = top();
        // OrderedDict state dicts carry `_metadata` (module versions) as instance state: not needed
        if (obj instanceof Map) break;
        if (obj && typeof (obj as { setState?: unknown }).setState === 'function') (obj as { setState(s: PyValue): void }).setState(state);
        else fail(`BUILD (setting object state) on ${describe(obj)} is not supported`);
        break;
      }
      case 0x51: { // BINPERSID 'Q'
        if (!opts.persistentLoad) fail('the pickle has a persistent id, which this file kind does not use');
        stack.push(opts.persistentLoad!(pop()));
        break;
      }
      case 0x50: { // PERSID 'P'
        if (!opts.persistentLoad) fail('the pickle has a persistent id, which this file kind does not use');
        stack.push(opts.persistentLoad!(line()));
        break;
      }
      case 0x69: // INST 'i'
      case 0x6f: // OBJ 'o'
        fail(`pickle opcode ${String.fromCharCode(op)} (old-style object construction) is not supported`);
        break;
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${at}`);
    }
  }
}

function fromMemo(memo: Map<number, PyValue>, k: number, fail: (why: string) => never): PyValue {
  if (!memo.has(k)) fail(`pickle memo key ${k} is not set`);
  return memo.get(k);
}

/** Python's raw-unicode-escape: latin-1 bytes, with \\uXXXX and \\UXXXXXXXX escapes. */
function rawUnicodeEscape(b: Uint8Array): string {
  return latin1(b).replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, u: string | undefined, U: string | undefined) => String.fromCodePoint(parseInt(u ?? U!, 16)));
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return s;
}

function describe(x: PyValue): string {
  if (x === null) return 'None';
  if (Array.isArray(x)) return 'a list/tuple';
  return typeof x === 'object' ? (x.constructor?.name ?? 'an object') : typeof x;
}

/** Builtins that rebuild plain data in protocol-2 pickles, safe to allow anywhere. */
export const PLAIN_GLOBALS: Readonly<Record<string, AllowedGlobal>> = {
  'collections.OrderedDict': {
    call: (args) => {
      const m = new Map<PyValue, PyValue>();
      const items = args[0];
      if (Array.isArray(items)) for (const kv of items) if (Array.isArray(kv)) m.set(kv[0], kv[1]);
      return m;
    },
  },
  'builtins.set': { call: (args) => (Array.isArray(args[0]) ? [...args[0]] : []) },
  'builtins.frozenset': { call: (args) => (Array.isArray(args[0]) ? [...args[0]] : []) },
  // protocol 2 writes bytes as _codecs.encode(str, 'latin1')
  '_codecs.encode': {
    call: (args) => {
      const [s, enc] = args;
      if (typeof s !== 'string' || (enc !== 'latin1' && enc !== 'latin-1')) throw new CheckpointError(`_codecs.encode is allowed only to rebuild bytes (latin1); got encoding ${String(enc)}`);
      return Uint8Array.from(s, (c) => c.charCodeAt(0));
    },
  },
};
