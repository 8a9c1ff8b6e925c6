import { type Doc, obj } from './tokenizerJsonParts.ts';

/**
 * Names a BOS token goes by, in the order they are looked up: SentencePiece/Llama 2 `<s>`, Versiflow's
 * byte-level `[BOS]`, GPT-NeoX `<|startoftext|>`, Gemma `<bos>`, Llama 3 `<|begin_of_text|>`.
 */
export const BOS_NAMES: readonly string[] = ['<s>', '[BOS]', '<|startoftext|>', '<bos>', '<|begin_of_text|>'];

/**
 * HF's TemplateProcessing that puts `content` (id `id`) before each text, as Llama's tokenizer.json has it:
 * HF `tokenizers` and transformers.js then add it on `encode(text)` (add_special_tokens, their default).
 */
export function bosTemplate(content: string, id: number): Doc {
  const bos = (typeId: number) => ({ SpecialToken: { id: content, type_id: typeId } });
  const seq = (name: string, typeId: number) => ({ Sequence: { id: name, type_id: typeId } });
  return {
    type: 'TemplateProcessing',
    single: [bos(0), seq('A', 0)],
    pair: [bos(0), seq('A', 0), bos(1), seq('B', 1)],
    special_tokens: { [content]: { id: content, ids: [id], tokens: [content] } },
  };
}

/**
 * What a tokenizer.json's post_processor adds around a single text: `bos`, the special token it puts
 * first (null when none), and `exact`, whether that is all it does (false for a template that also
 * appends a token, or any other processor but ByteLevel). A Sequence of processors is read through.
 */
export function readBosTemplate(pp: unknown): { bos: string | null; exact: boolean } {
  if (pp == null) return { bos: null, exact: true };
  const p = obj(pp, 'post_processor');
  if (p.type === 'ByteLevel') return { bos: null, exact: true };
  if (p.type === 'Sequence' && Array.isArray(p.processors)) {
    const parts = p.processors.map((x: unknown) => readBosTemplate(x));
    const bos = parts.map((x) => x.bos).filter((b): b is string => b !== null);
    return { bos: bos[0] ?? null, exact: bos.length <= 1 && parts.every((x) => x.exact) };
  }
  if (p.type !== 'TemplateProcessing' || !Array.isArray(p.single)) return { bos: null, exact: false };
  const single = p.single.map((x: unknown) => obj(x, 'post_processor.single[]'));
  const special = (x: Doc): string | null => {
    const s = x.SpecialToken as Doc | undefined;
    return s && typeof s.id === 'string' ? s.id : null;
  };
  const first = single.length > 0 ? special(single[0]) : null;
  const rest = single.slice(first === null ? 0 : 1);
  return { bos: first, exact: rest.length === 1 && rest[0].Sequence !== undefined };
}
