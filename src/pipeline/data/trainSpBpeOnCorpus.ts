import { lastValueFrom, reduce } from 'rxjs';
import type { Config } from '../../core/config/schema.ts';
import { type SpBpeTrainOptions, type SpBpeTrainResult, spBpeTrainer } from '../../model/tokenizer/sentencePieceBpeTrainer.ts';
import { type CorpusConfig, corpus$ } from './corpus.ts';

/**
 * Trains a SentencePiece-style BPE (sentencePieceBpeTrainer) on a config's corpus in one streaming
 * pass, normalised as training normalises; only word counts are kept. Used by `train` when its
 * tokenizer.json is missing and tokenizer_type is sp_bpe, and by `versiflow tokenizer train --type sp_bpe`.
 */
export async function trainSpBpeOnCorpus(cfg: CorpusConfig, opts: SpBpeTrainOptions): Promise<SpBpeTrainResult & { docs: number }> {
  const trainer = spBpeTrainer(opts);
  const docs = await lastValueFrom(corpus$(cfg).pipe(reduce((n, row) => (trainer.feed(row.text), n + 1), 0)));
  return { ...trainer.finish(), docs };
}

/** The sp_bpe config keys as trainer options. */
export function spBpeOptions(cfg: Pick<Config, 'vocabSize' | 'characterCoverage' | 'byteFallback' | 'userDefinedSymbols'>): SpBpeTrainOptions {
  return {
    vocabSize: cfg.vocabSize,
    characterCoverage: cfg.characterCoverage,
    byteFallback: cfg.byteFallback === 'auto' ? 'auto' : cfg.byteFallback === 'on',
    userDefinedSymbols: splitSymbols(cfg.userDefinedSymbols),
  };
}

/** A comma list of symbols; "\n" and "\t" written as escapes stand for the newline and the tab. */
export function splitSymbols(list: string): string[] {
  return list
    .split(',')
    .map((s) => s.trim().replaceAll('\\n', '\n').replaceAll('\\t', '\t'))
    .filter(Boolean);
}
