import { BOS_NAMES, bosTemplate } from './bosTemplate.ts';
import { BpeTokenizer } from './bpeTokenizer.ts';
import { CharTokenizer } from './charTokenizer.ts';
import { SentencePieceBpeTokenizer } from './sentencePieceBpeTokenizer.ts';
import type { Tokenizer } from './types.ts';

/**
 * `tokenizer` putting its BOS token before every document and prompt (the `bos_token` config key): the
 * same vocabulary and ids, with HF's TemplateProcessing post_processor added to its tokenizer.json, so
 * its hash (and with it the token cache's key and the checkpoint's record) differs from the tokenizer
 * without BOS, and HF `tokenizers`/transformers.js add the BOS on encode too. The BOS is the special
 * token named as BOS_NAMES lists (a byte-level BPE: `<|endoftext|>` last, as GPT-2); a char tokenizer
 * gets `[BOS]` after its characters (`{bos: true}` in its document). A tokenizer that already adds one
 * is returned as it is.
 *
 * @throws Error when a BPE tokenizer has no BOS token (train one with bos: the trainers add `[BOS]` or
 * `<s>`).
 */
export function withBos(tokenizer: Tokenizer): Tokenizer {
  if (tokenizer.addBos) return tokenizer;
  if (tokenizer instanceof SentencePieceBpeTokenizer || tokenizer instanceof BpeTokenizer) {
    if (tokenizer.bosId < 0) {
      throw new Error(`the tokenizer has no BOS token (${BOS_NAMES.join(', ')}): train one with bos_token: true (\`versiflow tokenizer train --bos\`), or set bos_token: false`);
    }
    const content = tokenContent(tokenizer);
    if (tokenizer instanceof SentencePieceBpeTokenizer) return SentencePieceBpeTokenizer.fromJSON({ ...tokenizer.spec.doc, post_processor: bosTemplate(content, tokenizer.bosId) });
    return new BpeTokenizer({ ...tokenizer.spec, bosToken: content });
  }
  if (tokenizer instanceof CharTokenizer) return new CharTokenizer(tokenizer.chars, { bos: true });
  throw new Error(`a ${tokenizer.kind} tokenizer has no BOS token: bos_token needs a BPE or char tokenizer`);
}

function tokenContent(t: BpeTokenizer | SentencePieceBpeTokenizer): string {
  const found = t.spec.addedTokens.find((a) => a.id === t.bosId);
  if (found) return found.content;
  for (const [tok, id] of t.spec.vocab) if (id === t.bosId) return tok;
  throw new Error(`no token has the BOS id ${t.bosId}`);
}
