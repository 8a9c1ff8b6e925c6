import { lastValueFrom, reduce } from 'rxjs';
import type { Config } from '../../core/config/schema.ts';
import { DataError } from '../../core/errors/DataError.ts';
import { expandCorpusPaths, validationFiles } from '../../streams/sources/expandCorpusPaths.ts';
import { isValidationDoc, splitSingleText } from '../../streams/sources/split.ts';
import { type CorpusConfig, corpus$ } from './corpus.ts';

/** What {@link heldOutTexts} reads: the corpus and its split. */
export type HeldOutConfig = CorpusConfig & Pick<Config, 'seed' | 'valFraction'>;

/**
 * The validation texts of a run's corpus, normalised as training read them, in corpus order: the
 * documents the run held out (same seed and val_fraction, so none was trained on). A corpus of one
 * document (a .txt) holds out its last val_fraction; that tail is cut at blank lines (stanzas,
 * speeches) into separate texts. One streaming pass over the corpus.
 * @throws DataError when nothing is held out (val_fraction 0, or a corpus too small).
 */
export async function heldOutTexts(cfg: HeldOutConfig): Promise<string[]> {
  const heldOut = validationFiles(await expandCorpusPaths(cfg.data));
  const { texts, docs, first } = await lastValueFrom(
    corpus$(cfg).pipe(
      reduce(
        (acc, r) => {
          if (r.index === 0) acc.first = r.text;
          if (heldOut.size > 0 ? heldOut.has(r.file ?? -1) : isValidationDoc(r.index, cfg.seed, cfg.valFraction)) acc.texts.push(r.text);
          acc.docs++;
          return acc;
        },
        { texts: [] as string[], docs: 0, first: null as string | null },
      ),
    ),
  );
  if (docs === 1 && first !== null) {
    const tail = splitSingleText(first, cfg.valFraction).val;
    const parts = tail.split(/\n\s*\n/).map((s) => s.trim()).filter((s) => s.length > 0);
    if (parts.length > 0) return parts;
  } else if (texts.length > 0) return texts;
  throw new DataError(`${cfg.data}: no held-out (validation) texts at val_fraction ${cfg.valFraction}; evaluation needs texts the model was not trained on`);
}
