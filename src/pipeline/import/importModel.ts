import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CheckpointError } from '../../core/errors/CheckpointError.ts';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import { type HfArch } from '../../model/formats/hf/hfFamily.ts';
import { importHfConfig } from '../../model/formats/hf/hfConfig.ts';
import { fromHfTensors } from '../../model/formats/hf/hfTensors.ts';
import { charDocFromHf } from '../../model/formats/hf/hfTokenizer.ts';
import { decodeSafetensorsFloat } from '../../model/formats/hf/floatDtypes.ts';
import type { NamedArray } from '../../model/formats/safetensors.ts';
import { nanoGptChars, nanoGptToVersiflow, shiftForSpecials } from '../../model/formats/torch/nanoGpt.ts';
import { PLAIN_GLOBALS, unpickle } from '../../model/formats/torch/pickle.ts';
import { readTorchCheckpoint, TorchTensor } from '../../model/formats/torch/torchCheckpoint.ts';
import { CHAR_SPECIALS, CharTokenizer } from '../../model/tokenizer/charTokenizer.ts';
import { tokenizerFromJSON } from '../../model/tokenizer/loadTokenizer.ts';
import type { Tokenizer } from '../../model/tokenizer/types.ts';
import { type ImportedModel, type WrittenImport, writeImported } from './writeImported.ts';

export interface ImportOptions {
  /** A Transformers folder (config.json + weights + tokenizer.json) or a nanoGPT ckpt.pt. */
  readonly from: string;
  /** The run directory to create. */
  readonly out: string;
  /** Tokenizer for sources without one: a tokenizer.json, or nanoGPT's meta.pkl (char models). */
  readonly tokenizer?: string;
  /** Run name in config.yaml; default: the out directory's name. */
  readonly name?: string;
}

export interface ImportResult extends WrittenImport {
  readonly kind: 'hf-llama' | 'hf-gpt2' | 'nanogpt';
  /** Where the imported model does not compute exactly what the source did, and why. */
  readonly warnings: readonly string[];
}

/**
 * `versiflow import`: a Transformers Llama-family or GPT-2-family folder, or a nanoGPT ckpt.pt, → a
 * Versiflow run directory with one checkpoint (see writeImported) that generate, eval, chat and
 * train (fine-tuning, `--config OUT/config.yaml`) use.
 */
export async function importModel(o: ImportOptions): Promise<ImportResult> {
  const from = resolve(o.from);
  if (!existsSync(from)) throw new ConfigError(`import: --from ${o.from} does not exist`);
  const name = o.name ?? basename(resolve(o.out));
  if (statSync(from).isDirectory()) {
    const { model, family, warnings } = await readHfFolder(from, o.tokenizer);
    return { ...(await writeImported(o.out, model, name)), kind: family === 'llama' ? 'hf-llama' : 'hf-gpt2', warnings };
  }
  const { model, warnings } = await readNanoGpt(from, o.tokenizer);
  return { ...(await writeImported(o.out, model, name)), kind: 'nanogpt', warnings };
}

async function readBytes(path: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(path));
}

async function readJson(path: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new CheckpointError(`${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : `not valid JSON (${(e as Error).message})`}`);
  }
}

/** State dict of a Transformers folder: model.safetensors, sharded safetensors (index), or pytorch_model.bin (a torch.save zip). */
async function readHfWeights(dir: string): Promise<Map<string, NamedArray>> {
  const single = join(dir, 'model.safetensors');
  if (existsSync(single)) return decodeSafetensorsFloat(await readBytes(single), single);
  const index = join(dir, 'model.safetensors.index.json');
  if (existsSync(index)) {
    const map = (await readJson(index)).weight_map as Record<string, string> | undefined;
    if (!map) throw new CheckpointError(`${index}: no weight_map`);
    const out = new Map<string, NamedArray>();
    for (const shard of new Set(Object.values(map))) for (const [k, v] of decodeSafetensorsFloat(await readBytes(join(dir, shard)), join(dir, shard))) out.set(k, v);
    return out;
  }
  const bin = join(dir, 'pytorch_model.bin');
  if (existsSync(bin)) {
    const sd = readTorchCheckpoint(await readBytes(bin), bin);
    if (!(sd instanceof Map)) throw new CheckpointError(`${bin}: not a state dict`);
    const out = new Map<string, NamedArray>();
    for (const [k, v] of sd) if (typeof k === 'string' && v instanceof TorchTensor) out.set(k, { name: k, shape: [...v.shape], data: v.toFloat32() });
    return out;
  }
  throw new CheckpointError(`${dir}: no model.safetensors, model.safetensors.index.json or pytorch_model.bin`);
}

/** A tokenizer document: Versiflow's char form of an exported char tokenizer, else the HF document (byte-level or SentencePiece-style BPE). */
function tokenizerOf(doc: Record<string, unknown>, where: string): Tokenizer {
  try {
    return tokenizerFromJSON(charDocFromHf(doc) ?? doc);
  } catch (e) {
    throw new CheckpointError(`${where}: ${(e as Error).message}`); // the tokenizer's message says what Versiflow reads
  }
}

async function readTokenizerFile(path: string): Promise<Tokenizer> {
  return tokenizerOf(await readJson(path), path);
}

function checkVocab(t: Tokenizer, a: HfArch, where: string): void {
  if (t.vocabSize > a.vocabSize) throw new CheckpointError(`${where}: the tokenizer has ${t.vocabSize} ids but the model only ${a.vocabSize} embedding rows`);
}

async function readHfFolder(dir: string, tokenizerPath?: string): Promise<{ model: ImportedModel; family: 'llama' | 'gpt2'; warnings: string[] }> {
  const cfgPath = join(dir, 'config.json');
  const { family, arch, warnings } = importHfConfig(await readJson(cfgPath), cfgPath);
  const weights = await readHfWeights(dir);
  let tensors: NamedArray[];
  try {
    tensors = fromHfTensors(family, arch, weights);
  } catch (e) {
    throw new CheckpointError(`${dir}: ${(e as Error).message}`);
  }
  const tokPath = tokenizerPath ?? join(dir, 'tokenizer.json');
  if (!existsSync(tokPath)) throw new CheckpointError(`${dir}: no tokenizer.json; pass --tokenizer PATH (a byte-level BPE tokenizer.json)`);
  const tokenizer = await readTokenizerFile(tokPath);
  checkVocab(tokenizer, arch, tokPath);
  return { model: { arch, tensors, tokenizer, source: `${dir} (${family === 'llama' ? 'LlamaForCausalLM' : 'GPT2LMHeadModel'})` }, family, warnings: [...warnings] };
}

async function readNanoGpt(file: string, tokenizerPath?: string): Promise<{ model: ImportedModel; warnings: string[] }> {
  const ck = nanoGptToVersiflow(readTorchCheckpoint(await readBytes(file), file), file);
  const warnings = [...ck.warnings];
  const meta = tokenizerPath ?? (existsSync(join(dirname(file), 'meta.pkl')) ? join(dirname(file), 'meta.pkl') : null);
  if (!meta) {
    throw new ConfigError(`import: ${file} is a nanoGPT checkpoint, which carries no tokenizer: pass --tokenizer data/<dataset>/meta.pkl (char models) or --tokenizer tokenizer.json (GPT-2's, for BPE models)`);
  }
  let { arch, tensors } = ck;
  let tokenizer: Tokenizer;
  if (meta.endsWith('.pkl')) {
    const chars = nanoGptChars(unpickle(await readBytes(meta), { globals: PLAIN_GLOBALS, where: meta }), meta);
    if (chars.length !== arch.vocabSize) throw new CheckpointError(`${meta}: ${chars.length} characters, but the checkpoint's vocab_size is ${arch.vocabSize}`);
    ({ arch, tensors } = shiftForSpecials(arch, tensors, CHAR_SPECIALS.length));
    tokenizer = new CharTokenizer(chars);
    warnings.push(
      `Versiflow's char tokenizer has [PAD], [EOS], [UNK] at ids 0..2: the ${chars.length} characters move to ids 3..${chars.length + 2} with their embeddings, and the 3 new embedding rows are zeros, so the specials get logit 0 (tied head) and take probability exp(0)·3 / (3 + Σ exp(logits)) from the characters`,
    );
  } else {
    tokenizer = await readTokenizerFile(meta);
    checkVocab(tokenizer, arch, meta);
  }
  const at = ck.iterNum !== null ? ` at iter ${ck.iterNum}${ck.bestValLoss !== null ? `, best val loss ${ck.bestValLoss.toFixed(4)}` : ''}` : '';
  return { model: { arch, tensors, tokenizer, recipe: ck.recipe, source: `${file} (nanoGPT${at})` }, warnings };
}
