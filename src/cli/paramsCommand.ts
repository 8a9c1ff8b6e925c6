import { existsSync, readFileSync } from 'node:fs';
import { loadConfig, resolveConfigPath } from '../pipeline/loadConfig.ts';
import type { Config } from '../core/config/schema.ts';
import { ConfigError } from '../core/errors/ConfigError.ts';
import { UsageError } from '../core/errors/UsageError.ts';
import { type ParamBreakdown, paramBreakdown, type TrainingMemory, trainingMemory } from '../model/nn/gptBreakdown.ts';
import { resolveGptConfig } from '../model/nn/gptConfig.ts';
import type { CliIO } from './io.ts';
import { parseStrict } from './parseArgs.ts';

const USAGE = `usage: versiflow params [--config NAME|PATH] [--json] [--vocab-size N] [--key value ...]
Prints the parameter count of a config by component (embeddings, each layer's parts, final norm,
head) and the fp32 memory to train it at the config's batch_size and context.
Any config key can be overridden (--layers 6, --hidden 512, ...).
`;

/**
 * `versiflow params`: parameters per component and training memory for a config, as a table or, with
 * `--json`, as `{"total": N, "components": {...}, "tensors": [...], "memory": {...}}`.
 * The vocabulary size is `vocab_size` (or `--vocab-size`); when it is 0 it is read from the
 * tokenizer.json the config names; a `char` tokenizer takes it from the corpus, so it must be given.
 * Returns the exit code: 0 done, 1 a config problem, 2 a usage problem.
 */
export async function paramsCommand(args: readonly string[], io: CliIO): Promise<number> {
  let parsed: ReturnType<typeof parseStrict>;
  try {
    parsed = parseStrict(args, { values: '*', booleans: ['json', 'help'] }); // any config key passes through
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`params: ${e.message}\n${USAGE}`);
    return 2;
  }
  const { config: configName = 'tiny', json, help, ...overrides } = parsed.flags;
  if (help) {
    io.stdout.write(USAGE);
    return 0;
  }
  try {
    const config = loadConfig(configName, overrides);
    const path = resolveConfigPath(configName);
    const vocabSize = vocabOf(config, path);
    const c = resolveGptConfig({ ...config, vocabSize });
    const b = paramBreakdown(c);
    const mem = trainingMemory(c, config.batchSize, c.context);
    io.stdout.write(json ? `${JSON.stringify(toJson(config, path, b, mem))}\n` : table(config, path, b, mem));
    return 0;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    io.stderr.write(`params: ${e.message}\n`);
    return 1;
  }
}

/** vocab_size, or the size of the tokenizer.json the config points at. */
function vocabOf(config: Config, configPath: string): number {
  if (config.vocabSize > 0) return config.vocabSize;
  if (config.tokenizer === 'char') {
    throw new ConfigError(
      `${configPath}: vocab_size is 0 and tokenizer is char, so the vocabulary comes from the corpus (${config.data}) and is not known before reading it; pass --vocab-size N or set vocab_size`,
    );
  }
  if (!existsSync(config.tokenizer)) {
    throw new ConfigError(`${configPath}: vocab_size is 0 and the tokenizer ${config.tokenizer} does not exist yet (train it with \`versiflow tokenizer train\`); pass --vocab-size N or set vocab_size`);
  }
  const tok = JSON.parse(readFileSync(config.tokenizer, 'utf8')) as { model?: { vocab?: Record<string, number> }; added_tokens?: { id: number }[] };
  const ids = [...Object.values(tok.model?.vocab ?? {}), ...(tok.added_tokens ?? []).map((t) => t.id)];
  if (ids.length === 0) throw new ConfigError(`${config.tokenizer}: no model.vocab in this tokenizer.json; pass --vocab-size N`);
  return Math.max(...ids) + 1;
}

const fmt = (n: number): string => n.toLocaleString('en');
const mb = (bytes: number): string => (bytes < 2 ** 30 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${(bytes / 2 ** 30).toFixed(2)} GiB`);

function table(config: Config, path: string, b: ParamBreakdown, mem: TrainingMemory): string {
  const lines: string[] = [`${config.name} (${path}): ${fmt(b.total)} parameters`, ''];
  const row = (label: string, shape: string, n: number | string) => lines.push(`${label.padEnd(30)}${shape.padEnd(18)}${String(typeof n === 'number' ? fmt(n) : n).padStart(14)}`);
  const tensors = (group: string) => b.rows.filter((r) => r.group === group).forEach((r) => row(`  ${r.name}`, r.shape.join(' × '), r.params));
  row('component', 'shape', 'parameters');
  lines.push('embeddings');
  tensors('embeddings');
  lines.push(`each layer (× ${b.layers})`);
  tensors('layer');
  row('  one layer', '', b.perLayer);
  row(`all ${b.layers} layers`, '', b.perLayer * b.layers);
  lines.push('final norm');
  tensors('final norm');
  lines.push('head');
  if (b.head === 0) row('  tied to wte', '', 0);
  else tensors('head');
  row('total', '', b.total);
  lines.push('', `memory to train at batch ${mem.batch} × context ${mem.context} (fp32):`);
  const memRow = (label: string, bytes: number) => lines.push(`  ${label.padEnd(28)}${mb(bytes).padStart(14)}`);
  memRow('weights', mem.weights);
  memRow('gradients', mem.grads);
  memRow('AdamW m + v', mem.adam);
  memRow('activations (estimate)', mem.activations);
  memRow('total (estimate)', mem.total);
  return `${lines.join('\n')}\n`;
}

function toJson(config: Config, path: string, b: ParamBreakdown, mem: TrainingMemory) {
  return {
    total: b.total,
    name: config.name,
    config: path,
    components: { embeddings: b.embeddings, perLayer: b.perLayer, layers: b.layers, allLayers: b.perLayer * b.layers, finalNorm: b.finalNorm, head: b.head },
    tensors: b.rows,
    memory: { batch: mem.batch, context: mem.context, weightsBytes: mem.weights, gradsBytes: mem.grads, adamBytes: mem.adam, activationsBytes: mem.activations, totalBytes: mem.total },
  };
}
