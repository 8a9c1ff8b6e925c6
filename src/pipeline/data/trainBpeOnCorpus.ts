import { lastValueFrom, reduce } from 'rxjs';
import type { Config } from '../../core/config/schema.ts';
import type { BpeTokenizer } from '../../model/tokenizer/bpeTokenizer.ts';
import { type BpeTrainOptions, bpeTrainer } from '../../model/tokenizer/bpeTrainer.ts';
import { type CorpusConfig, corpus$ } from './corpus.ts';

/**
 * Trains a byte-level BPE on a config's corpus (data, text column, max docs, normalisers) in one
 * streaming pass: the trainer keeps word counts, never the texts. Used by `train` when its
 * tokenizer.json is missing and by `versiflow tokenizer train`, so both give the same tokenizer.
 */
export async function trainBpeOnCorpus(cfg: CorpusConfig, opts: BpeTrainOptions): Promise<{ tokenizer: BpeTokenizer; docs: number }> {
  const trainer = bpeTrainer(opts);
  const docs = await lastValueFrom(corpus$(cfg).pipe(reduce((n, row) => (trainer.feed(row.text), n + 1), 0)));
  return { tokenizer: trainer.finish(), docs };
}
