import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { modelCard, runMetrics } from '../../../../src/model/formats/hf/modelCard.ts';
import { small } from './variants.ts';

const HISTORY = `step,epoch,loss,val_loss,lr,tokens_per_sec,elapsed_s
10,0,3.5,,0.001,1200,5
20,0,3.1,3.2,0.001,1300,10
30,0,2.9,,0.001,1250,15
40,0,2.7,3.4,0.001,1260,20
`;

describe('runMetrics', () => {
  it('takes the history up to the checkpoint\'s step: last train loss, last and best validation loss', () => {
    expect(runMetrics(30, { historyCsv: HISTORY })).toEqual({ step: 30, trainLoss: 2.9, valLoss: 3.2, bestValLoss: 3.2, tokensPerSec: 1250, elapsedS: 15, source: 'history.csv' });
    expect(runMetrics(40, { historyCsv: HISTORY })).toMatchObject({ valLoss: 3.4, bestValLoss: 3.2 });
  });

  it('falls back to metrics.jsonl (a torn last line skipped), and is null without rows', () => {
    const jsonl = ['{"type":"train/step","step":5,"loss":4,"tokPerSec":900,"elapsedS":2}', '{"type":"eval","step":5,"valLoss":4.5}', '{"type":"train/st'].join('\n');
    expect(runMetrics(10, { metricsJsonl: jsonl })).toMatchObject({ step: 5, trainLoss: 4, valLoss: 4.5, source: 'metrics.jsonl' });
    expect(runMetrics(10, {})).toBeNull();
    expect(runMetrics(5, { historyCsv: HISTORY })).toBeNull();
  });
});

describe('modelCard', () => {
  const card = modelCard({
    name: 'poetru-test', family: 'llama', arch: small(), params: 20000, exportedParams: 20500, step: 30,
    config: { data: 'data/ru_poetry.parquet', lr: 0.003, batch_size: 8, layers: 2, norm: 'rms' },
    tokenizer: { kind: 'char', vocabSize: 43 }, language: ['ru'], license: 'mit', datasets: ['ru_poetry'],
    metrics: runMetrics(30, { historyCsv: HISTORY }), checkpointValLoss: null, checkpointBestValLoss: null, notes: ['a note'],
  });

  it('opens with YAML front matter: language, license, tags, datasets', () => {
    const m = /^---\n([\s\S]*?)\n---\n/.exec(card);
    expect(m).not.toBeNull();
    const front = parse(m![1]);
    expect(front).toMatchObject({ language: ['ru'], license: 'mit', datasets: ['ru_poetry'], library_name: 'transformers', pipeline_tag: 'text-generation' });
    expect(front.tags).toEqual(expect.arrayContaining(['versiflow', 'llama', 'character-level']));
  });

  it('states parameters, the recipe, the metrics and how to detect the watermark', () => {
    expect(card).toContain('20,000 parameters');
    expect(card).toContain('| lr | 0.003 |');
    expect(card).toContain('| validation loss (last evaluation) | 3.2000 |');
    expect(card).toContain(`| validation perplexity | ${Math.exp(3.2).toFixed(3)} |`);
    expect(card).toContain('From the run\'s history.csv up to step 30.');
    expect(card).toContain('versiflow watermark detect --scheme poetru --vocab-size 43 --text-file texts.jsonl --tokenizer tokenizer.json');
    expect(card).toContain('- a note');
  });
});
