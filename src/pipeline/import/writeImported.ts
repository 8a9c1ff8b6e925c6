import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { configToSnake, normalizeConfig } from '../../core/config/normalizeConfig.ts';
import { archToConfigKeys } from '../../model/formats/hf/hfConfig.ts';
import type { HfArch } from '../../model/formats/hf/hfFamily.ts';
import type { NamedArray } from '../../model/formats/safetensors.ts';
import { countParams, resolveGptConfig } from '../../model/nn/gptConfig.ts';
import type { Tokenizer } from '../../model/tokenizer/types.ts';
import { saveCheckpoint } from '../../streams/checkpoints/checkpointStore.ts';

export interface ImportedModel {
  readonly arch: HfArch;
  /** Versiflow tensors (paramSpecs names and shapes). */
  readonly tensors: readonly NamedArray[];
  readonly tokenizer: Tokenizer;
  /** Training-recipe keys (snake_case) the source states. */
  readonly recipe?: Readonly<Record<string, unknown>>;
  /** What the source was, for config.yaml's header. */
  readonly source: string;
}

export interface WrittenImport {
  /** The run directory (generate/eval/chat take it as --checkpoint). */
  readonly out: string;
  /** The checkpoint directory inside it. */
  readonly checkpoint: string;
  readonly configFile: string;
  readonly params: number;
}

/**
 * Writes an imported model as a Versiflow run directory: `checkpoints/step-0000000/` (a regular
 * checkpoint: the weights, AdamW moments at zero with step 0, which is exactly a fresh optimizer, the
 * tokenizer and state.json), `tokenizer.json`, and `config.yaml` (the architecture, the source's
 * recipe where it states one, `out` = this directory and `resume: latest`), so
 * `versiflow train --config OUT/config.yaml --data CORPUS` fine-tunes from the imported weights.
 */
export async function writeImported(outDir: string, m: ImportedModel, name: string): Promise<WrittenImport> {
  const out = resolve(outDir);
  const tokenizerFile = join(out, 'tokenizer.json');
  const keys = { ...m.recipe, name, ...archToConfigKeys(m.arch), tokenizer: tokenizerFile, out, resume: 'latest' };
  const config = normalizeConfig(keys, `import of ${m.source}`);
  const gpt = resolveGptConfig(config);
  const params = countParams(gpt);
  await mkdir(out, { recursive: true });
  const snake = configToSnake(config);
  const { path } = await saveCheckpoint(out, {
    model: m.tensors,
    optimizer: m.tensors.flatMap((t) => ['m.', 'v.'].map((p) => ({ name: p + t.name, shape: t.shape, data: new Float32Array(t.data.length) }))),
    tokenizer: m.tokenizer.toJSON(),
    state: {
      format: 'versiflow-checkpoint',
      step: 0,
      epoch: 0,
      config: { ...snake, resume: '' },
      data: { seed: config.seed, step: 0, trainExamples: 0 },
      optimizerStep: 0,
      bestValLoss: null,
      valLoss: null,
      tokenizerHash: m.tokenizer.hash,
      params,
      savedAt: new Date().toISOString(),
    },
  });
  await writeFile(tokenizerFile, JSON.stringify(m.tokenizer.toJSON()));
  const configFile = join(out, 'config.yaml');
  const modelKeys = Object.keys(archToConfigKeys(m.arch));
  const picked = Object.fromEntries(['name', 'out', 'resume', 'tokenizer', ...Object.keys(m.recipe ?? {}).filter((k) => k !== 'name'), ...modelKeys].map((k) => [k, snake[k]]));
  await writeFile(
    configFile,
    `# Imported by \`versiflow import\` from ${m.source}.\n# Fine-tune: versiflow train --config ${configFile} --data CORPUS [--max-steps N]\n# (resume: latest starts from the imported weights in checkpoints/, with a fresh AdamW)\n${stringify(picked)}`,
  );
  return { out, checkpoint: path, configFile, params };
}
