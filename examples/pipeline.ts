import { concatMap, from, lastValueFrom, pipe, tap, toArray } from 'rxjs';
import {
  AdamW, CharTokenizer, evaluateLoss, initWeights, normalizeConfig, normalizeText, pack, paramSpecs, plainReporter,
  pullThrough, readCorpus, resolveGptConfig, batchSchedule, setupBackend, stackExamples, tokenize, trainStep, validateEvery,
} from 'versiflow';

await setupBackend('wasm');

// source → operators: 200 poems, NFC-normalised, char-tokenized, packed into 64-token windows
const rows = await lastValueFrom(readCorpus('data/ru_poetry.parquet', { maxDocs: 200 }).pipe(normalizeText({ nfc: true }), toArray()));
const tokenizer = CharTokenizer.fromTexts(rows.map((r) => r.text));
const examples = await lastValueFrom(from(rows).pipe(tokenize(tokenizer), pack(64), toArray()));
const val = [stackExamples(examples.splice(0, 16))];

// model: any config key (defaults documented in `versiflow config`), vocabulary from the tokenizer
const config = resolveGptConfig({ ...normalizeConfig({ context: 64, layers: 2, hidden: 64, heads: 4, kv_heads: 2 }), vocabSize: tokenizer.vocabSize });
const weights = initWeights(config, 1);
const decay = new Set(paramSpecs(config).filter((p) => p.decay).map((p) => p.name));
const optimizer = new AdamW(weights, decay, { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 });
const schedule = { kind: 'cosine', lr: 3e-3, minLr: 3e-4, warmup: 5, total: 40 } as const;

// the step loop: batches are pulled one at a time, only when the previous step is done
const events = await lastValueFrom(
  pullThrough(
    batchSchedule(examples, { batchSize: 8, seed: 1, startStep: 0, totalSteps: 40 }),
    pipe(
      trainStep({ weights, config, optimizer, schedule, totalSteps: 40, logEvery: 10, seed: 1 }),
      validateEvery(20, () => evaluateLoss(weights, config, val)),
    ),
  ).pipe(
    concatMap((state) => state.events), // the typed event stream sinks subscribe to
    tap(plainReporter()),
    toArray(),
  ),
);
export default events;
