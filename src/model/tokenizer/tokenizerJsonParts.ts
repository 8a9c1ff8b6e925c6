import type { AddedToken } from './pretokenize.ts';

/** A tokenizer.json object, or one of its parts. */
export type Doc = Record<string, unknown>;

/** `v` as an object, or an Error naming `where` in tokenizer.json. */
export function obj(v: unknown, where: string): Doc {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error(`tokenizer.json: "${where}" must be an object`);
  return v as Doc;
}

/** A part's `type`, or a short JSON of it, for error messages. */
export function typeName(v: unknown): string {
  return v && typeof v === 'object' ? String((v as Doc).type ?? JSON.stringify(v).slice(0, 80)) : String(v);
}

/**
 * The tables every BPE tokenizer.json has, byte-level or SentencePiece-style: `model.vocab` (non-negative
 * integer ids), `model.merges` ("a b" strings or [a, b] pairs) and `added_tokens`. A bad entry throws
 * naming its key or index.
 */
export function readBpeTables(doc: Doc, model: Doc): { vocab: Map<string, number>; merges: [string, string][]; addedTokens: AddedToken[] } {
  const vocab = new Map<string, number>();
  for (const [tok, id] of Object.entries(obj(model.vocab, 'model.vocab'))) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) throw new Error(`tokenizer.json: model.vocab["${tok}"] is not a non-negative integer id`);
    vocab.set(tok, id);
  }
  if (!Array.isArray(model.merges)) throw new Error('tokenizer.json: model.merges must be an array');
  const merges = model.merges.map((m: unknown, i: number): [string, string] => {
    if (typeof m === 'string') {
      const sp = m.indexOf(' ');
      if (sp < 0 || m.indexOf(' ', sp + 1) >= 0) throw new Error(`tokenizer.json: model.merges[${i}] "${m}" is not "a b"`);
      return [m.slice(0, sp), m.slice(sp + 1)];
    }
    if (Array.isArray(m) && m.length === 2 && typeof m[0] === 'string' && typeof m[1] === 'string') return [m[0], m[1]];
    throw new Error(`tokenizer.json: model.merges[${i}] is neither "a b" nor ["a", "b"]`);
  });
  const added = Array.isArray(doc.added_tokens) ? doc.added_tokens : [];
  const addedTokens = added.map((t: unknown, i: number): AddedToken => {
    const o = obj(t, `added_tokens[${i}]`);
    if (typeof o.id !== 'number' || typeof o.content !== 'string') throw new Error(`tokenizer.json: added_tokens[${i}] needs a numeric id and a string content`);
    return {
      id: o.id,
      content: o.content,
      special: o.special === true,
      singleWord: o.single_word === true,
      lstrip: o.lstrip === true,
      rstrip: o.rstrip === true,
      normalized: o.normalized === true,
    };
  });
  return { vocab, merges, addedTokens };
}
