/**
 * What every tokenizer (char-level, byte-level BPE) offers the rest of Versiflow.
 * Ids of special tokens are -1 where a tokenizer has none.
 */
export interface Tokenizer {
  readonly kind: 'char' | 'bpe';
  readonly vocabSize: number;
  readonly padId: number;
  readonly eosId: number;
  readonly unkId: number;
  /** Id of the BOS token (by name: `<s>`, `[BOS]`, ...; see BOS_NAMES), or -1. */
  readonly bosId: number;
  /**
   * Whether documents and prompts start with `bosId` (HF: a post_processor that puts BOS first; set by
   * the `bos_token` config key, see withBos). `encode` never adds it: encodeDocument and promptIds do.
   */
  readonly addBos: boolean;
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /**
   * An incremental decoder for streaming generation: feed ids one at a time, get the text they add.
   * Byte-level tokens that end inside a UTF-8 character return '' until the character is complete.
   */
  decoder(): (id: number) => string;
  /** The tokenizer.json document (Hugging Face format for BPE; `{type: "char", ...}` for char). */
  toJSON(): Record<string, unknown>;
  /** sha256 of the canonical tokenizer.json, hex; recorded in checkpoints and token caches. */
  readonly hash: string;
}
