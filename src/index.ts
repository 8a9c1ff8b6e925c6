/**
 * Versiflow's public API for composing pipelines by hand (see README "Compose your own pipeline").
 * Sources and buses, operators, model maths, sinks.
 */
export { loadConfig } from './pipeline/loadConfig.ts';
export { normalizeConfig, configToSnake } from './core/config/normalizeConfig.ts';
export { CONFIG_SPEC, type Config } from './core/config/schema.ts';
export { ConfigError } from './core/errors/ConfigError.ts';
export { DataError } from './core/errors/DataError.ts';
export { CheckpointError } from './core/errors/CheckpointError.ts';

export { readCorpus, corpusRows } from './streams/sources/readCorpus.ts';
export { readDialogues, type Dialogue } from './streams/sources/readDialogues.ts';
export { compileFilter, parseFilter } from './streams/sources/rowFilter.ts';
export type { CorpusRow } from './core/corpusDoc.ts';
export { isValidationDoc, splitSingleText } from './streams/sources/split.ts';
export { pullThrough } from './streams/sources/pullThrough.ts';
export { batchSchedule, stepsPerEpoch } from './streams/sources/batchSchedule.ts';
export { saveCheckpoint, loadCheckpoint, resolveCheckpoint } from './streams/checkpoints/checkpointStore.ts';
export type { TrainEvent, WatermarkEvalEvent } from './core/events.ts';
export type { PrefStepEvent, PrefEvalEvent } from './core/events.ts';
export type { StepInput, StepState } from './core/stepState.ts';

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
export { watermarkEvalEvery, type WatermarkEvalFigures } from './operators/watermarkEvalEvery.ts';
export { prefStep } from './operators/prefStep.ts';
export { driftGuard } from './operators/driftGuard.ts';
export { prefEvalEvery } from './operators/prefEvalEvery.ts';
export { saveBestBy } from './operators/saveBestBy.ts';
export { ktoLosses } from './model/nn/preference/ktoLoss.ts';
export { dpoLosses } from './model/nn/preference/dpoLoss.ts';
export { sequenceLogps } from './model/nn/preference/sequenceLogps.ts';
export { ktoStep, dpoStep, type PreferenceStepResult } from './model/nn/preference/preferenceStep.ts';

export { setupBackend } from './model/backend/setupBackend.ts';
export { initWeights, forward, disposeWeights } from './model/nn/gpt.ts';
export { resolveGptConfig, countParams, paramSpecs } from './model/nn/gptConfig.ts';
export type { GptConfig } from './core/config/gptConfig.ts';
export { AdamW } from './model/nn/adamw.ts';
export { lrAt, type Schedule } from './model/nn/schedule.ts';
export { evaluateLoss } from './model/nn/evaluate.ts';
export { generateIds, generateTokens, type GenerateModel, type GenerateOptions, type Token } from './model/nn/generate.ts';
export { KvCache, feedCached, slideKeep } from './model/nn/kvCache.ts';
export { generateBatch, generateMany, type Generation, type GenerateBatchOptions, type GenerateManyOptions } from './model/nn/generateBatch.ts';
export { stackExamples } from './model/nn/batch.ts';
export type { Batch } from './core/batch.ts';
export type { Example } from './core/batch.ts';
export { Rng } from './model/nn/rng.ts';
export { CharTokenizer } from './model/tokenizer/charTokenizer.ts';
export { BpeTokenizer } from './model/tokenizer/bpeTokenizer.ts';
export { trainBpe } from './model/tokenizer/bpeTrainer.ts';
export { tokenizerFromJSON } from './model/tokenizer/loadTokenizer.ts';
export { CHAT_TEMPLATE, CHAT_TOKENS, type ChatRole, type ChatTurn, encodeChat, hasChatTokens, renderChat } from './model/tokenizer/chatTemplate.ts';
export { chatPromptIds, type ChatPrompt } from './model/tokenizer/chatPrompt.ts';
export { addSpecialTokens, withChatTokens } from './model/tokenizer/addSpecialTokens.ts';

export { watermarkMetrics, rocAuc, parseScoresCsv, formatScoresCsv, type ScoredText, type WatermarkMetrics } from './eval/watermarkMetrics.ts';
export { watermarkScores, watermarkEvalFigures, pickHeldOut, type WatermarkEvalOptions } from './eval/watermarkEval.ts';
export { behaviourMetrics, words, distinct2, hasRepeatedNgram, endsInLoop, type BehaviourMetrics } from './eval/behaviour.ts';
export { tokenLengthStats, percentile, type TokenLengthStats } from './eval/lengthStats.ts';
export { scoreProbe, scoreExpected, expectedLogits, summarizeProbes, type Probe, type ProbeScore } from './eval/probes.ts';
export { formatGenJsonl, parseGenJsonl, toGenRecords, type GenRecord } from './eval/genRecords.ts';
export { pca, project, type Pca, type PcaOptions } from './eval/pca.ts';
export { meanDistance, permutationTest, type PermutationResult } from './eval/permutationTest.ts';
export { authorSpace, selectAuthorTexts, formatPointsCsv, type AuthorPcaStats, type PcaPoint } from './eval/authorSpace.ts';
export { meanPooledStates } from './eval/meanPooled.ts';
export { lossSpec, chinchillaLossSpec, lrSpec, watermarkTrainingSpec, type HistoryPoint } from './eval/plots/lossPlots.ts';
export { rocSpec, confusionSpec, zHistogramSpec, type Confusion } from './eval/plots/watermarkPlots.ts';
export { pcaSpec, behaviourSpec, tokenLengthSpec, type ScatterPoint, type BehaviourBar } from './eval/plots/distributionPlots.ts';
export { renderSvg, svgToPng, type RenderedPlot } from './eval/plots/renderPlot.ts';
export type { PlotSpec } from './eval/plots/plotBase.ts';
export { rocCurve, rocArea, type RocPoint } from './eval/rocCurve.ts';
export { lengthHistogram, clippedHistogram, type HistogramBin } from './eval/lengthHistogram.ts';
export { writeReport, type WriteReportOptions, type WrittenReport } from './pipeline/report/writeReport.ts';
export { poemMetrics, poetryMetrics, poetryOfRecords, type PoemMetrics, type PoetryMetrics } from './eval/poetryMetrics.ts';
export { rhymeKey, rhymes } from './eval/poetryRhyme.ts';
export { lineSyllables } from './eval/poetrySyllables.ts';
export { detectLanguage, poemLines, type PoetryLanguage } from './eval/poetryText.ts';
export { heldOutTexts } from './pipeline/data/heldOutTexts.ts';
export { bestCheckpoint, CHECKPOINT_METRICS, type CheckpointMetric, type CheckpointScore } from './eval/checkpointComparison.ts';
export { compareCheckpoints, writeCheckpointComparison, type CheckpointComparison, type CompareCheckpointsOptions } from './pipeline/compareCheckpoints.ts';
export { runSweep, gridSettings, presetSettings, sweepScore, rankRows, leaderboardCsv, splitHoldout, DECODING_PRESETS, OBJECTIVE, type DecodingSetting, type SweepRow } from './eval/decodingSweep.ts';
export { readRecommendedDecoding, recommendedDecodingPath, type RecommendedDecoding } from './pipeline/recommendedDecoding.ts';
export { watermarkEvaluator } from './pipeline/train/watermarkEvaluator.ts';

export { plainReporter } from './dashboard/plainReporter.ts';
export { historyCsv } from './dashboard/historyCsv.ts';
export { metricsJsonl } from './dashboard/metricsJsonl.ts';
export { createTrainRun } from './pipeline/train/trainRun.ts';
export { createPrefRun } from './pipeline/prefs/prefRun.ts';
export { startGenerateServer } from './streams/feed/generateServer.ts';
export { connectGenerate } from './streams/feed/generateClient.ts';

export { exportHf, type ExportHfOptions, type ExportHfResult } from './pipeline/export/exportHf.ts';
export { importModel, type ImportOptions, type ImportResult } from './pipeline/import/importModel.ts';
export { hfFamilyOf, type HfFamily } from './model/formats/hf/hfFamily.ts';
export { readTorchCheckpoint, TorchTensor } from './model/formats/torch/torchCheckpoint.ts';
export { unpickle, PLAIN_GLOBALS, type AllowedGlobal } from './model/formats/torch/pickle.ts';
