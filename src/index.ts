/**
 * Versiflow's public API for composing pipelines by hand (see README "Compose your own pipeline").
 * Sources and buses, operators, model maths, sinks.
 */
export { loadConfig } from './config/loadConfig.ts';
export { normalizeConfig, configToSnake } from './config/normalizeConfig.ts';
export { CONFIG_SPEC, type Config } from './config/schema.ts';
export { ConfigError } from './errors/ConfigError.ts';
export { DataError } from './errors/DataError.ts';
export { CheckpointError } from './errors/CheckpointError.ts';

export { readCorpus, corpusRows, type CorpusRow } from './streams/readCorpus.ts';
export { isValidationDoc, splitSingleText } from './streams/split.ts';
export { pullThrough } from './streams/pullThrough.ts';
export { batchSchedule, stepsPerEpoch } from './streams/batchSchedule.ts';
export { saveCheckpoint, loadCheckpoint, resolveCheckpoint } from './streams/checkpointStore.ts';
export type { TrainEvent } from './streams/events.ts';
export type { StepInput, StepState } from './streams/stepState.ts';

export { normalizeText } from './operators/normalizeText.ts';
export { tokenize } from './operators/tokenize.ts';
export { truncate } from './operators/truncate.ts';
export { pack } from './operators/pack.ts';
export { shuffle } from './operators/shuffle.ts';
export { batch } from './operators/batch.ts';
export { trainStep } from './operators/trainStep.ts';
export { validateEvery } from './operators/validateEvery.ts';
export { sampleEvery } from './operators/sampleEvery.ts';
export { checkpointEvery } from './operators/checkpointEvery.ts';
export { generate, generate$ } from './operators/generate.ts';
export { evaluateWatermark } from './operators/evaluateWatermark.ts';

export { setupBackend } from './model/backend/setupBackend.ts';
export { initWeights, forward, disposeWeights } from './model/gpt.ts';
export { resolveGptConfig, countParams, paramSpecs, type GptConfig } from './model/gptConfig.ts';
export { AdamW } from './model/adamw.ts';
export { lrAt, type Schedule } from './model/schedule.ts';
export { evaluateLoss } from './model/evaluate.ts';
export { generateIds, generateTokens, type GenerateModel, type GenerateOptions, type Token } from './model/generate.ts';
export { KvCache, feedCached, slideKeep } from './model/kvCache.ts';
export { stackExamples, type Batch, type Example } from './model/batch.ts';
export { Rng } from './model/rng.ts';
export { CharTokenizer } from './model/tokenizer/charTokenizer.ts';
export { BpeTokenizer } from './model/tokenizer/bpeTokenizer.ts';
export { trainBpe } from './model/tokenizer/bpeTrainer.ts';
export { tokenizerFromJSON } from './model/tokenizer/loadTokenizer.ts';

export { plainReporter } from './dashboard/plainReporter.ts';
export { historyCsv } from './dashboard/historyCsv.ts';
export { metricsJsonl } from './dashboard/metricsJsonl.ts';
export { createTrainRun } from './pipeline/trainRun.ts';
export { startGenerateServer } from './streams/generateServer.ts';
export { connectGenerate } from './streams/generateClient.ts';
