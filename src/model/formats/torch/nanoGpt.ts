import { CheckpointError } from '../../../core/errors/CheckpointError.ts';
import type { HfArch } from '../hf/hfFamily.ts';
import { sliceColumns, transpose } from '../hf/matrixOps.ts';
import type { NamedArray } from '../safetensors.ts';
import type { PyValue } from './pickle.ts';
import { TorchTensor } from './torchCheckpoint.ts';

/**
 * nanoGPT's `ckpt.pt` (karpathy/nanoGPT train.py: {'model': state_dict, 'optimizer', 'model_args',
 * 'iter_num', 'best_val_loss', 'config'}) → a GPT-2-family Versiflow model. nanoGPT's GPT: LayerNorm
 * (bias optional), learned positions, nn.Linear layers ([out, in]: transposed here), c_attn = q|k|v,
 * GELU MLP 4×, lm_head tied to wte. Keys saved from a torch.compile'd model carry `_orig_mod.`.
 */

export interface NanoGptImport {
  readonly arch: HfArch;
  /** Versiflow tensors in paramSpecs order. */
  readonly tensors: NamedArray[];
  /** Training-recipe config keys (snake_case) taken from nanoGPT's `config`. */
  readonly recipe: Record<string, unknown>;
  readonly iterNum: number | null;
  readonly bestValLoss: number | null;
  readonly warnings: string[];
}

type PyDict = Map<PyValue, PyValue>;

const isDict = (x: PyValue): x is PyDict => x instanceof Map;

function scalar(x: PyValue): number | null {
  if (typeof x === 'number') return x;
  if (x instanceof TorchTensor && x.numel === 1) return x.values()[0];
  return null;
}

export function nanoGptToVersiflow(ckpt: PyValue, where: string): NanoGptImport {
  if (!isDict(ckpt) || !isDict(ckpt.get('model')) || !isDict(ckpt.get('model_args'))) {
    throw new CheckpointError(`${where}: not a nanoGPT checkpoint (expected a dict with "model" (the state dict) and "model_args")`);
  }
  const args = ckpt.get('model_args') as PyDict;
  const arg = (k: string): number => {
    const v = scalar(args.get(k) ?? null);
    if (v === null) throw new CheckpointError(`${where}: model_args["${k}"] is missing or not a number`);
    return v;
  };
  const state = new Map<string, TorchTensor>();
  for (const [k, v] of ckpt.get('model') as PyDict) {
    if (typeof k !== 'string' || !(v instanceof TorchTensor)) continue;
    state.set(k.startsWith('_orig_mod.') ? k.slice('_orig_mod.'.length) : k, v);
  }
  const C = arg('n_embd');
  const H = arg('n_head');
  const L = arg('n_layer');
  const T = arg('block_size');
  const V = arg('vocab_size');
  const bias = args.get('bias') !== false; // nanoGPT's default is bias=True
  const used = new Set<string>();
  const take = (name: string, shape: readonly number[]): Float32Array => {
    const t = state.get(name);
    if (!t) throw new CheckpointError(`${where}: state dict has no "${name}"`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) throw new CheckpointError(`${where}: "${name}" has shape [${t.shape}], model_args imply [${shape}]`);
    used.add(name);
    return t.toFloat32();
  };
  const out: NamedArray[] = [];
  const put = (name: string, shape: number[], data: Float32Array) => out.push({ name, shape, data });
  const linear = (to: string, from: string, inF: number, outF: number) => {
    put(to, [inF, outF], transpose(take(`${from}.weight`, [outF, inF]), outF, inF));
    if (bias) put(`${to}.bias`, [outF], take(`${from}.bias`, [outF]));
  };
  const norm = (to: string, from: string) => {
    put(to, [C], take(`${from}.weight`, [C]));
    if (bias) put(`${to}.bias`, [C], take(`${from}.bias`, [C]));
  };
  put('wte', [V, C], take('transformer.wte.weight', [V, C]));
  put('wpe', [T, C], take('transformer.wpe.weight', [T, C]));
  for (let i = 0; i < L; i++) {
    const p = `h.${i}.`;
    const o = `transformer.h.${i}.`;
    norm(`${p}attn_norm`, `${o}ln_1`);
    const qkv = transpose(take(`${o}attn.c_attn.weight`, [3 * C, C]), 3 * C, C); // [C, 3C]
    const qkvBias = bias ? take(`${o}attn.c_attn.bias`, [3 * C]) : null;
    ['wq', 'wk', 'wv'].forEach((n, j) => {
      put(`${p}attn.${n}`, [C, C], sliceColumns(qkv, C, 3 * C, j * C, C));
      if (qkvBias) put(`${p}attn.${n}.bias`, [C], qkvBias.slice(j * C, (j + 1) * C));
    });
    linear(`${p}attn.wo`, `${o}attn.c_proj`, C, C);
    norm(`${p}mlp_norm`, `${o}ln_2`);
    linear(`${p}mlp.up`, `${o}mlp.c_fc`, C, 4 * C);
    linear(`${p}mlp.down`, `${o}mlp.c_proj`, 4 * C, C);
    if (state.has(`${o}attn.bias`)) used.add(`${o}attn.bias`); // the causal-mask buffer (no flash attention)
  }
  norm('norm_f', 'transformer.ln_f');
  const head = state.get('lm_head.weight');
  const wte = state.get('transformer.wte.weight')!;
  let tied = true;
  if (head) {
    used.add('lm_head.weight');
    tied = head.storageKey === wte.storageKey && head.offset === wte.offset;
    if (!tied) put('lm_head', [C, V], transpose(take('lm_head.weight', [V, C]), V, C));
  }
  const extra = [...state.keys()].filter((k) => !used.has(k));
  if (extra.length) throw new CheckpointError(`${where}: state dict has tensors nanoGPT's GPT does not: ${extra.slice(0, 5).join(', ')}`);
  const dropout = scalar(args.get('dropout') ?? 0) ?? 0;
  const arch: HfArch = {
    vocabSize: V, context: T, layers: L, hidden: C, norm: 'layer', normEps: 1e-5, normBias: bias, positions: 'learned', ropeTheta: 10000, ropeStyle: 'half',
    attention: 'mha', heads: H, kvHeads: H, headDim: C / H, kvLatent: 0, attnBias: bias, mlp: 'gelu', gelu: 'exact', ffn: 4 * C, mlpBias: bias, fusedGateUp: false, tied,
    initStd: 0.02, dropout, residualInitScale: true, // nanoGPT scales c_proj's init by 1/sqrt(2·n_layer)
  };
  const config = ckpt.get('config');
  return {
    arch,
    tensors: out,
    recipe: isDict(config) ? recipeOf(config) : {},
    iterNum: scalar(ckpt.get('iter_num') ?? null),
    bestValLoss: scalar(ckpt.get('best_val_loss') ?? null),
    warnings: [],
  };
}

/** nanoGPT's train.py globals → Versiflow's recipe keys, where both say the same thing. */
function recipeOf(cfg: PyDict): Record<string, unknown> {
  const n = (k: string) => scalar(cfg.get(k) ?? null);
  const r: Record<string, unknown> = {};
  const set = (key: string, v: number | null) => {
    if (v !== null && Number.isFinite(v)) r[key] = v;
  };
  set('lr', n('learning_rate'));
  set('batch_size', n('batch_size'));
  set('max_steps', n('max_iters'));
  set('warmup_steps', n('warmup_iters'));
  set('weight_decay', n('weight_decay'));
  set('beta1', n('beta1'));
  set('beta2', n('beta2'));
  set('grad_clip', n('grad_clip'));
  set('eval_every', n('eval_interval'));
  set('eval_batches', n('eval_iters'));
  const lr = n('learning_rate');
  const minLr = n('min_lr');
  if (lr && minLr !== null) set('min_lr_ratio', minLr / lr);
  if (cfg.get('decay_lr') === false) r.schedule = 'constant';
  else if (cfg.get('decay_lr') === true) r.schedule = 'cosine';
  return r;
}

/**
 * nanoGPT's character vocabulary (data/<set>/meta.pkl: {'vocab_size', 'itos': {id: ch}, 'stoi'}) →
 * the characters in id order.
 */
export function nanoGptChars(meta: PyValue, where: string): string[] {
  const itos = isDict(meta) ? meta.get('itos') : null;
  if (!isDict(itos)) throw new CheckpointError(`${where}: not a nanoGPT meta.pkl (expected a dict with "itos")`);
  const chars: string[] = [];
  for (const [id, ch] of itos) {
    if (typeof id !== 'number' || typeof ch !== 'string') throw new CheckpointError(`${where}: itos must map int ids to one-character strings`);
    chars[id] = ch;
  }
  if (chars.some((c) => c === undefined) || chars.length !== itos.size) throw new CheckpointError(`${where}: itos ids are not 0..${itos.size - 1}`);
  return chars;
}

/**
 * Versiflow's char tokenizer puts [PAD], [EOS], [UNK] at ids 0..2 before the characters; nanoGPT has
 * no specials. The embedding rows (and an untied head's columns) move up by 3 and the 3 new rows are
 * zeros: every character keeps its vector, and the specials get logit 0 (see the import's warning).
 */
export function shiftForSpecials(arch: HfArch, tensors: readonly NamedArray[], specials: number): { arch: HfArch; tensors: NamedArray[] } {
  const { hidden: C, vocabSize: V } = arch;
  const out = tensors.map((t) => {
    if (t.name === 'wte') {
      const d = new Float32Array((V + specials) * C);
      d.set(t.data as Float32Array, specials * C);
      return { name: 'wte', shape: [V + specials, C], data: d };
    }
    if (t.name === 'lm_head') {
      const d = new Float32Array(C * (V + specials));
      for (let r = 0; r < C; r++) d.set((t.data as Float32Array).subarray(r * V, (r + 1) * V), r * (V + specials) + specials);
      return { name: 'lm_head', shape: [C, V + specials], data: d };
    }
    return t;
  });
  return { arch: { ...arch, vocabSize: V + specials }, tensors: out };
}
