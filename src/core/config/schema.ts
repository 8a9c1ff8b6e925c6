/**
 * Every config key, its type, its default and what it means. YAML files and `--key value` flags use the
 * snake_case names (`max_steps`, or `--max-steps` on the command line); code reads the camelCase
 * `Config` that `normalizeConfig` builds from this table. A key that is not here is an error.
 */

type Spec<T> = {
  readonly default: T;
  readonly doc: string;
  /** Allowed values for string enums. */
  readonly oneOf?: readonly string[];
  /** For comma-list strings: the values each entry may take. */
  readonly listOf?: readonly string[];
  /** Inclusive numeric bounds. */
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
};

const num = (d: number, doc: string, extra: Partial<Spec<number>> = {}): Spec<number> => ({ default: d, doc, ...extra });
const int = (d: number, doc: string, min = 0, max = Number.MAX_SAFE_INTEGER): Spec<number> => ({ default: d, doc, min, max, integer: true });
const str = (d: string, doc: string): Spec<string> => ({ default: d, doc });
/** A string key with a fixed set of values: its `Config` type is the literal union of `values`. */
const oneOf = <const V extends readonly string[]>(d: V[number], doc: string, values: V): Spec<V[number]> & { readonly oneOf: V } => ({ default: d, doc, oneOf: values });
const bool = (d: boolean, doc: string): Spec<boolean> => ({ default: d, doc });

export const CONFIG_SPEC = {
  // --- run ---
  name: str('tiny', 'Run name; outputs go to runs/<name>/ unless `out` is set.'),
  out: str('', 'Output directory (history.csv, metrics.jsonl, checkpoints/). Empty = runs/<name>.'),
  seed: int(1337, 'Seed for weight init, data order, dropout and samples.'),
  backend: oneOf('auto', 'Tensor backend; auto tries tensorflow, webgpu, wasm, then cpu.', ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu']),
  kernels: {
    ...str('auto', 'WebGPU kernels: auto or fused = Versiflow\'s fused WGSL kernels (adamw, rmsnorm, layernorm, cross_entropy, attention, rope, swiglu, dropout, matmul, sum_rows); stock = tfjs\'s own; or a comma list of those names. Other backends ignore it.'),
    listOf: ['auto', 'fused', 'stock', 'adamw', 'rmsnorm', 'layernorm', 'cross_entropy', 'attention', 'rope', 'swiglu', 'dropout', 'matmul', 'sum_rows'],
  },
  matmulTiles: str('', 'webgpu matmul kernel tiles "bm x bn x bk : tm x tn" (e.g. 128x128x16:8x8); empty = the default 128x64x16:8x4, and kernels: auto also tries 128x128x16:8x8, 64x64x16:4x4, 128x64x32:8x4, and 128x128x16:8x8 with subgroups, per matmul shape. Set, it is the only tile setting used, plain and with subgroups (bench/matmulKernel.ts sweeps them).'),
  cpuMatmul: oneOf('auto', 'Matrix products on the CPU backends (wasm, cpu): onnxruntime = onnxruntime-node\'s native CPU GEMM (MLAS, AVX2/AVX-512, all cores; about 3.5× XNNPACK on a 2-core AVX-512 machine, docs/backends.md); xnnpack = tfjs\'s own kernels (XNNPACK\'s wasm SIMD on wasm, JavaScript on cpu); auto = onnxruntime when it is installed and passes its start-up check, else xnnpack.', ['auto', 'onnxruntime', 'xnnpack']),
  reporter: oneOf('auto', 'auto = tui on a TTY, plain otherwise.', ['auto', 'plain', 'tui', 'json', 'none']),
  resume: str('', '`latest` or a checkpoint directory to continue from. Empty = start fresh.'),
  ws: bool(true, 'Serve the run\'s events on a WebSocket feed (`--no-ws` turns it off).'),
  wsPort: int(7447, 'WebSocket/HTTP port of the live feed; 0 = any free port (printed at start).', 0, 65535),
  wsHost: str('127.0.0.1', 'Address the feed binds; anything but loopback requires ws_token.'),
  wsToken: str('', 'Token clients must present (?token= or Authorization: Bearer) when set.'),
  wsOrigins: str('', 'Browser origins allowed to open the feed besides its own (http://127.0.0.1:PORT, http://localhost:PORT): a comma list of scheme://host[:port], or * for any. Clients without an Origin header (the monitor, scripts) are always allowed; other origins get HTTP 403.'),
  wsMaxClients: int(64, 'Most clients connected to the feed at once; the next one gets HTTP 503 (try again later).', 1, 100_000),

  // --- data ---
  data: str('data/ru_poetry.parquet', 'Corpus: a .parquet, .jsonl or .txt file, a directory, or a glob; or, in YAML, a list of sources `{path, weight, name}` to mix (docs/data.md).'),
  dataSources: str('', 'The mixture a YAML `data:` list sets: its sources as a JSON list of {name, path, weight} (empty = one corpus). Each source is validated on its own and reported as val_loss_<name>.'),
  dataMix: oneOf('weights', 'How a mixture picks each training row\'s source: weights = in proportion to the sources\' weights; balanced = the same share for every source (weights ignored).', ['weights', 'balanced']),
  textColumn: str('text', 'Column (Parquet) or key (JSONL) holding the text.'),
  valFraction: num(0.05, 'Share of documents held out for validation (deterministic by seed).', { min: 0, max: 0.5 }),
  maxDocs: int(0, 'Read at most this many documents (0 = all). For quick runs.'),
  layout: oneOf('pack', 'pack = contiguous windows across documents (nanoGPT); truncate = one document per row, padded (Poetru).', ['pack', 'truncate']),
  groupByLength: int(0, 'Batches of similar lengths (HF group_by_length): each epoch\'s shuffle is cut into mega-batches of N batches, each sorted by length before it is cut into batches, and the batches are visited in a seeded random order; with trim_padding, short poems stop paying for long ones. 0 = off (plain shuffle).', 0),
  trimPadding: bool(true, 'Cut each batch to its longest row, rounded up to 64 tokens (truncate layout: short poems padded to the context cost no compute). Exact for these causal models: the losses and gradients are the same. Validation and `eval perplexity` also batch their examples by length (the same token-weighted loss). `--no-trim-padding` turns it off.'),
  tokenizer: str('char', '`char` builds a character vocabulary from the corpus; or a path to a tokenizer.json.'),
  tokenizerType: oneOf('byte_bpe', 'The BPE trained when `tokenizer` names a missing tokenizer.json (with vocab_size): byte_bpe = byte-level (GPT-2 style, at least 259 tokens); sp_bpe = SentencePiece-style character-initial BPE (Metaspace, byte fallback; any size from about 100 tokens; docs/tokenizers.md).', ['byte_bpe', 'sp_bpe']),
  characterCoverage: num(0.9995, 'sp_bpe: share of the corpus\'s characters its initial alphabet covers (SentencePiece\'s character_coverage; 1.0 for small alphabets); rarer characters go to byte fallback or <unk>.', { min: 0.5, max: 1 }),
  byteFallback: oneOf('auto', 'sp_bpe: <0x00>…<0xFF> tokens for characters outside the alphabet; auto = on when the vocabulary holds the 256 byte tokens, else off (<unk> instead).', ['auto', 'on', 'off']),
  userDefinedSymbols: str('', 'sp_bpe: comma list of pieces kept whole (SentencePiece\'s user_defined_symbols, e.g. "«,»,—,…"); empty = none.'),
  bosToken: bool(false, 'Start every document and generation prompt with the tokenizer\'s BOS token (HF add_bos_token): a trained BPE gets one ([BOS] byte-level, <s> sp_bpe), a char vocabulary [BOS] after its characters, a loaded tokenizer.json uses its own (<s>, [BOS], <|startoftext|>, <bos>, <|begin_of_text|>; GPT-2\'s <|endoftext|>). Recorded in the tokenizer.json (a TemplateProcessing post_processor), so the token cache, checkpoints and exports follow it; a tokenizer.json that adds BOS itself is used so even when false. docs/tokenizers.md#bos.'),
  normalize: str('nfc', 'Text normalisers before tokenizing: none, or a comma list of nfc, yo (ё→е), quotes, dashes, ellipsis.'),
  tokenCache: bool(true, 'Keep the tokenized corpus on disk and reuse it while the corpus files, text column, normalisation, max_docs and tokenizer are unchanged (`--no-token-cache` turns it off).'),
  tokenCacheKeep: int(8, 'Keep the N most recently used token caches (and char vocabularies) in cache_dir, deleting older ones; 0 = keep all.'),
  cacheDir: str('.cache/versiflow/tokens', 'Directory of token caches, one subdirectory per corpus fingerprint and tokenizer hash (relative to the working directory).'),
  minChars: int(0, 'Cleaning: drop documents shorter than this many characters (Unicode code points, after normalisation); 0 = no bound. Cleaning keys are part of the token cache\'s fingerprint; docs/data.md#cleaning-filters.'),
  maxChars: int(0, 'Cleaning: drop documents longer than this many characters; 0 = no bound.'),
  minTokens: int(0, 'Cleaning: leave out documents of fewer tokens (EOS not counted), read from the token cache\'s index (no re-tokenizing when changed); 0 = no bound.'),
  maxTokens: int(0, 'Cleaning: leave out documents of more tokens (EOS not counted); 0 = no bound.'),
  dedupe: bool(false, 'Cleaning: drop documents whose text (after normalisation and strip_apparatus) equals an earlier one\'s.'),
  nearDupeThreshold: num(0, 'Cleaning: drop near-duplicates, documents whose character shingles have an estimated Jaccard similarity ≥ this with an earlier kept one (MinHash, 128 hashes, LSH bands; seeded by seed); 0 = off, 0.8 a usual value.', { min: 0, max: 1 }),
  nearDupeShingle: int(5, 'Cleaning: characters per shingle of the near-duplicate filter (lowercased, whitespace collapsed).', 1, 64),
  script: str('', 'Cleaning: keep documents whose letters are mostly in these Unicode scripts, a comma list of \\p{Script} names (Cyrillic, Latin, Greek, …); empty = off.'),
  scriptMinShare: num(0.5, 'Cleaning: with script set, the share of a document\'s letters that must be in those scripts.', { min: 0, max: 1 }),
  languages: str('', 'Cleaning: keep documents whose `language` column is one of these (comma list, case-insensitive); documents without the column are kept. Empty = off.'),
  authors: str('', 'Cleaning: keep only documents by these authors (comma list of `author` column values); empty = all.'),
  excludeAuthors: str('', 'Cleaning: drop documents by these authors (comma list).'),
  stripApparatus: bool(false, 'Cleaning: remove editorial apparatus from the text: footnote markers ([1], [*], word*, word¹) and page numbers alone on a line (12, — 12 —, с. 12); a document left empty is dropped.'),
  stripPattern: str('', 'Cleaning: a further regular expression (JavaScript, flags gmu) whose matches are removed from every document, with strip_apparatus\'s rules or alone.'),
  tokenizeWorkers: int(0, 'Worker threads tokenizing a corpus of more than 32 MB into the token cache (each takes 32 MB pieces; an interrupted run resumes at the pieces not done); 0 = one per CPU core, 1 = in the main thread. max_docs > 0 tokenizes in the main thread.'),

  // --- model (defaults = the Poetru-75M family: RMSNorm, half-split RoPE, GQA, SwiGLU, no biases, tied) ---
  vocabSize: int(0, 'Vocabulary size; 0 = take it from the tokenizer.'),
  context: int(128, 'Context length T in tokens (also the size of the learned position table).', 1),
  layers: int(4, 'Transformer blocks.', 1),
  hidden: int(128, 'Model width C.', 1),
  norm: oneOf('rms', 'Normalisation: rms = RMSNorm (Llama, Poetru), layer = LayerNorm (GPT-2, nanoGPT).', ['rms', 'layer']),
  normEps: num(1e-6, 'Epsilon inside the norm\'s square root.', { min: 0 }),
  normBias: bool(false, 'Learned bias after the norm scale (GPT-2 LayerNorm has one; nanoGPT bias=False and RMSNorm do not).'),
  positions: oneOf('rope', 'Positions: rope = rotary on queries and keys, learned = a [context, hidden] table added to the embedding (GPT-2).', ['rope', 'learned']),
  ropeTheta: num(10000, 'RoPE base θ: pair i turns by pos · θ^(−2i/d).', { min: 1 }),
  ropeStyle: oneOf('half', 'RoPE pairing: half = dims (i, i + d/2) (GPT-NeoX, Llama, Poetru); interleaved = dims (2i, 2i + 1) (GPT-J, original RoFormer).', ['half', 'interleaved']),
  attention: oneOf('gqa', 'mha = one K/V head per query head; gqa = kv_heads K/V heads shared by groups of query heads (kv_heads 0 = heads, i.e. MHA); latent = K and V are up-projected from one shared kv_latent-wide down-projection of x (Poetru).', ['mha', 'gqa', 'latent']),
  heads: int(4, 'Query heads.', 1),
  kvHeads: int(0, 'Key/value heads (gqa, latent); 0 = heads. Must divide heads.'),
  headDim: int(0, 'Dimension per head; 0 = hidden / heads.'),
  kvLatent: int(0, 'latent attention only: width of the shared K/V down-projection; 0 = hidden.'),
  attnBias: bool(false, 'Biases on every attention projection (q, k, v or kv_down/k_up/v_up, and o).'),
  mlp: oneOf('swiglu', 'MLP: swiglu = down(silu(x·Wg) ⊙ x·Wu) (Llama); gelu = down(gelu(x·Wu)) with the GELU form `gelu` names.', ['swiglu', 'gelu']),
  gelu: oneOf('tanh', 'mlp gelu only: tanh = the tanh approximation (GPT-2\'s gelu_new, what GGUF runtimes compute); exact = x·Φ(x) with erf (PyTorch nn.GELU(), nanoGPT, HF "gelu"). They differ by at most 4.7e-4 per activation.', ['tanh', 'exact']),
  ffn: int(0, 'MLP inner width F; 0 = the multiple of 64 nearest 8/3 · hidden for swiglu, 4 · hidden for gelu.'),
  mlpBias: bool(false, 'Biases on the MLP projections.'),
  fusedGateUp: bool(false, 'swiglu only: one [hidden, 2·ffn] gate_up matrix (gate = first half, up = second) instead of two; same maths, one matmul.'),
  tied: bool(true, 'Tie the output head to the token embedding (no separate lm_head).'),
  dropout: num(0, 'Dropout on embeddings, attention output and MLP output while training.', { min: 0, max: 0.9 }),
  initStd: num(0.02, 'Std of the normal init of weight matrices and embeddings; biases start at 0, norm scales at 1.', { min: 0 }),
  residualInitScale: bool(false, 'Scale the init std of the output projections (attn o, mlp down) by 1/sqrt(2·layers) (GPT-2, SmolLM2), so the residual stream keeps unit scale.'),

  // --- optimisation ---
  batchSize: int(16, 'Sequences per step.', 1),
  microBatch: int(0, 'Rows per forward/backward pass; gradients are accumulated over the batch. 0 = auto (whole batch, or what fits the CPU backends\' memory).'),
  maxSteps: int(0, 'Steps to train; 0 = `epochs` passes over the training data.'),
  epochs: num(1, 'Passes over the training data when max_steps is 0.', { min: 0 }),
  lr: num(3e-3, 'Peak learning rate.', { min: 0 }),
  schedule: oneOf('cosine', 'LR schedule after warmup: cosine, wsd (warmup-stable-decay), linear, constant.', ['cosine', 'wsd', 'linear', 'constant']),
  decayRatio: num(0.2, 'wsd only: fraction of the run spent decaying at the end.', { min: 0, max: 1 }),
  decayFrom: str('', 'WSD decay-only tail: a stable-phase checkpoint (or a run directory: its newest) to continue from, weights and AdamW state, running only the linear decay from that checkpoint\'s learning rate to min_lr_ratio · lr over decay_steps steps, into its own run directory (out, or <the stable run>-tail-<step>-<decay_steps>), so several tails branch from one checkpoint. Empty = off.'),
  decaySteps: int(0, 'With decay_from: the tail\'s length in steps (the run ends at the checkpoint\'s step + decay_steps).'),
  minLrRatio: num(0.1, 'Floor of the decaying schedules as a fraction of lr.', { min: 0, max: 1 }),
  warmupSteps: int(0, 'Linear warmup steps; 0 = use warmup_ratio.'),
  warmupRatio: num(0.02, 'Warmup as a fraction of the total steps, when warmup_steps is 0.', { min: 0, max: 1 }),
  weightDecay: num(0.1, 'AdamW decoupled weight decay (applied to matrices, not norms or biases).', { min: 0 }),
  beta1: num(0.9, 'AdamW β1.', { min: 0, max: 1 }),
  beta2: num(0.95, 'AdamW β2.', { min: 0, max: 1 }),
  adamEps: num(1e-8, 'AdamW ε.', { min: 0 }),
  gradClip: num(1.0, 'Clip the global gradient norm to this; 0 = off.', { min: 0 }),
  maxBadSteps: int(5, 'Step guard: a step whose loss or gradient is NaN or infinite is skipped (weights and AdamW moments unchanged, decided on the device) and counted (`skippedSteps` on train/step, read at log points); N skipped steps in a row stop the run with a DivergenceError, noticed at the next log step. 0 = no guard: the first non-finite loss at a log step stops the run.'),
  lossSpikeFactor: num(0, 'With the step guard on: also skip a step whose loss exceeds this many times the running mean of the applied steps\' losses (after 20 of them); such steps count towards max_bad_steps. Decided on the device: no extra sync. 0 = off.', { min: 0 }),

  // --- preference tuning (train --task kto|dpo; docs/chat.md#preference-tuning) ---
  prefBeta: num(0.1, 'β of the KTO and DPO losses (the reference run and TRL: 0.1).', { min: 0 }),
  ktoLambdaD: num(1.0, 'KTO: weight λ_D of desirable rows (TRL desirable_weight).', { min: 0 }),
  ktoLambdaU: num(1.0, 'KTO: weight λ_U of undesirable rows (TRL undesirable_weight).', { min: 0 }),
  ktoReferencePoint: oneOf('ema', 'KTO reference point z_ref: ema = 0.99·z_ref + 0.01·mean log-ratio after each step, loss with max(0, z_ref) (the reference work); batch_kl = TRL\'s estimate from mismatched pairs in the step (completions rotated by one), detached, clamped at 0 (needs ≥ 2 rows per step).', ['ema', 'batch_kl']),
  ktoLengthNormalise: bool(true, 'KTO: divide each log-ratio by its completion\'s token count (the reference work); `--no-kto-length-normalise` = TRL\'s summed log-ratios.'),
  dpoLabelSmoothing: num(0, 'DPO: label smoothing ε of the conservative loss −(1−ε)·log σ(βΔ) − ε·log σ(−βΔ); 0 = plain DPO.', { min: 0, max: 0.5 }),
  prefDriftBound: num(1.0, 'Drift guard: a warning when the mean per-token log-ratio log π − log π_ref of a step leaves ±this many nats (the reference run\'s failure: validation accuracy 1.000 while z_ref fell to −37 and the model wrote nonsense). 0 = off.', { min: 0 }),
  prefQualityPrompts: int(8, 'Generation-quality check at each evaluation: behaviour metrics (loop_rate, repeated_4gram_rate, completion_rate) of this many fixed validation prompts; the checkpoint with the best score is kept as best/ (not the best accuracy). 0 = off.'),
  prefQualityTokens: int(64, 'Tokens generated per prompt by the generation-quality check.', 1),

  // --- cadence ---
  logEvery: int(10, 'Read the loss from the device and emit a train/step event every N steps.', 1),
  evalEvery: int(100, 'Validate every N steps (and at the end); 0 = only at the end.'),
  evalBatches: int(8, 'Validation batches per evaluation (0 = the whole validation set).'),
  checkpointEvery: int(0, 'Write a checkpoint every N steps; 0 = only at the end.'),
  keepCheckpoints: int(3, 'Keep the newest N checkpoints (0 = keep all).'),
  keepBest: int(0, 'Also keep the N checkpoints with the lowest validation loss, whatever their age (with keep_checkpoints > 0).'),
  alwaysSaveCheckpoint: bool(true, 'Write the periodic checkpoints whatever the validation loss; `--no-always-save-checkpoint` writes them only at evaluations that improve on the best (nanoGPT\'s always_save_checkpoint = False). The final checkpoint (end of run, stop) is always written.'),
  earlyStopPatience: int(0, 'Stop the run (with a checkpoint) after N evaluations in a row without a new best validation loss; 0 = never.'),

  // --- samples ---
  sampleTokens: int(200, 'Tokens in the sample generated at each evaluation; 0 = no samples.'),
  samplePrompt: str('', 'Prompt for samples; empty = start of a line.'),
  temperature: num(0.8, 'Sampling temperature.', { min: 0 }),
  topK: int(40, 'Sample among the K likeliest tokens; 0 = all.'),

  // --- watermark evaluation during training (operator watermarkEvalEvery; generations use temperature and top_k) ---
  watermarkEvalEvery: int(-1, 'Watermark evaluation every N steps: watermark_eval_n watermarked generations from the first tokens of held-out texts vs those texts\' own continuations, an eval/watermark event (AUC, F1, mean z). 0 = only at the end; -1 = off.', -1),
  watermarkEvalN: int(16, 'Generated and real texts per watermark evaluation (each).', 2),
  watermarkEvalMaxNewTokens: int(200, 'Tokens generated per watermark evaluation text (EOS banned until then); real texts are cut to the same length.', 1),
  watermarkEvalPromptTokens: int(2, 'Leading ids of each held-out text that prompt its watermarked generation.', 1),
  watermarkEvalScheme: oneOf('poetru', 'Green-list scheme of the watermark evaluation (as `generate --watermark`).', ['poetru', 'keyed', 'lefthash']),
  watermarkEvalKey: str('', 'Secret key of the keyed scheme (as `generate --watermark-key`); required with watermark_eval_scheme keyed.'),
  watermarkEvalThreshold: num(4, 'z at or above which a text counts as watermarked (for F1).'),
  watermarkEvalBatchSize: int(8, 'Generations per forward pass in the watermark evaluation.', 1),

  // --- chat models (docs/chat.md) ---
  task: oneOf('pretrain', 'What a run trains: pretrain = next token on every text token; sft = supervised fine-tuning on conversations (`data` holds dialogues, the loss counts assistant tokens and their <|end|> only); kto, dpo = preference tuning of init_from against a frozen copy of it (`data` holds TRL\'s unpaired {prompt, completion, label} or paired {prompt, chosen, rejected} rows; docs/chat.md).', ['pretrain', 'sft', 'kto', 'dpo']),
  initFrom: str('', 'Checkpoint (or run directory: its newest) whose weights and tokenizer a fresh run starts from; sft adds the chat tokens to the tokenizer and grows the embeddings. Its architecture is kept: a model key set to something else fails. Ignored when resuming.'),
  chatColumn: str('', 'Column (Parquet) or key (JSONL) holding a conversation, a list of {role, content} (or ShareGPT {from, value}) turns; empty = `conversation` or `messages`, whichever the data has.'),
  filter: str('', 'Rows of a dialogue corpus to keep: an expression over its columns such as `overall_score >= 6 and safety >= 8 and pii_leak == 0` (and/or/not, parentheses, == != < <= > >=, `in [..]`; no code is run). Empty = all rows.'),
} as const;

export type ConfigKey = keyof typeof CONFIG_SPEC;

type ValueOf<S> = S extends { readonly oneOf: readonly (infer V)[] } ? V : S extends Spec<infer T> ? (T extends string ? string : T extends number ? number : boolean) : never;

/** The complete, validated configuration. Produced only by `normalizeConfig`. */
export type Config = { readonly [K in ConfigKey]: ValueOf<(typeof CONFIG_SPEC)[K]> };

export const CONFIG_KEYS = Object.keys(CONFIG_SPEC) as ConfigKey[];

/**
 * The config in sections, one per concern; every key is in exactly one (a test checks it). A stage
 * takes the slice it reads (`Pick<Config, ...>` of these keys), not the whole bag, so its signature
 * says what it depends on and a test can build it from a few keys.
 */
export const CONFIG_SECTIONS = {
  run: ['name', 'out', 'seed', 'backend', 'kernels', 'matmulTiles', 'cpuMatmul', 'reporter', 'resume', 'ws', 'wsPort', 'wsHost', 'wsToken', 'wsOrigins', 'wsMaxClients'],
  data: ['data', 'dataSources', 'dataMix', 'textColumn', 'valFraction', 'maxDocs', 'layout', 'groupByLength', 'trimPadding', 'tokenizer', 'tokenizerType', 'characterCoverage', 'byteFallback', 'userDefinedSymbols', 'bosToken', 'normalize', 'tokenCache', 'tokenCacheKeep', 'cacheDir', 'tokenizeWorkers',
    'minChars', 'maxChars', 'minTokens', 'maxTokens', 'dedupe', 'nearDupeThreshold', 'nearDupeShingle', 'script', 'scriptMinShare', 'languages', 'authors', 'excludeAuthors', 'stripApparatus', 'stripPattern',
  ],
  model: [
    'vocabSize', 'context', 'layers', 'hidden', 'norm', 'normEps', 'normBias', 'positions', 'ropeTheta', 'ropeStyle', 'attention', 'heads', 'kvHeads',
    'headDim', 'kvLatent', 'attnBias', 'mlp', 'gelu', 'ffn', 'mlpBias', 'fusedGateUp', 'tied', 'dropout', 'initStd', 'residualInitScale',
  ],
  optim: ['batchSize', 'microBatch', 'maxSteps', 'epochs', 'lr', 'schedule', 'decayRatio', 'decayFrom', 'decaySteps', 'minLrRatio', 'warmupSteps', 'warmupRatio', 'weightDecay', 'beta1', 'beta2', 'adamEps', 'gradClip', 'maxBadSteps', 'lossSpikeFactor'],
  preference: ['prefBeta', 'ktoLambdaD', 'ktoLambdaU', 'ktoReferencePoint', 'ktoLengthNormalise', 'dpoLabelSmoothing', 'prefDriftBound', 'prefQualityPrompts', 'prefQualityTokens'],
  cadence: ['logEvery', 'evalEvery', 'evalBatches', 'checkpointEvery', 'keepCheckpoints', 'keepBest', 'alwaysSaveCheckpoint', 'earlyStopPatience'],
  samples: ['sampleTokens', 'samplePrompt', 'temperature', 'topK'],
  watermarkEval: ['watermarkEvalEvery', 'watermarkEvalN', 'watermarkEvalMaxNewTokens', 'watermarkEvalPromptTokens', 'watermarkEvalScheme', 'watermarkEvalKey', 'watermarkEvalThreshold', 'watermarkEvalBatchSize'],
  chat: ['task', 'initFrom', 'chatColumn', 'filter'],
} as const satisfies Record<string, readonly ConfigKey[]>;

export type ConfigSection = keyof typeof CONFIG_SECTIONS;
/** The keys of one section: `ConfigSlice<'optim'>` = batch size, lr, schedule, AdamW, ... */
export type ConfigSlice<S extends ConfigSection> = Pick<Config, (typeof CONFIG_SECTIONS)[S][number]>;
export type RunConfig = ConfigSlice<'run'>;
export type DataConfig = ConfigSlice<'data'>;
export type ModelConfig = ConfigSlice<'model'>;
export type OptimConfig = ConfigSlice<'optim'>;
export type CadenceConfig = ConfigSlice<'cadence'>;
export type SampleConfig = ConfigSlice<'samples'>;
export type WatermarkEvalConfig = ConfigSlice<'watermarkEval'>;

// The enum keys' values, as literal unions (from the table above, so they cannot drift).
export type BackendChoice = Config['backend'];
export type CpuMatmulChoice = Config['cpuMatmul'];
export type ReporterChoice = Config['reporter'];
export type LayoutKind = Config['layout'];
export type NormKind = Config['norm'];
export type PositionsKind = Config['positions'];
export type AttentionKind = Config['attention'];
export type MlpKind = Config['mlp'];
/** Which GELU a gelu MLP computes: tanh (gelu_new) or exact (erf). */
export type GeluKind = Config['gelu'];
export type ScheduleKind = Config['schedule'];
/** How rotary embeddings pair a head's dimensions (see model/nn/rope.ts). */
export type RopeStyle = Config['ropeStyle'];

/** Whether `value` is one of `key`'s allowed values (for flags parsed outside normalizeConfig). */
export function isChoice<K extends ConfigKey>(key: K, value: string): value is Extract<Config[K], string> {
  const spec: Spec<unknown> = CONFIG_SPEC[key];
  return !!spec.oneOf && spec.oneOf.includes(value);
}

/** `maxSteps` → `max_steps`. */
export const toSnake = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** `max_steps` or `max-steps` → `maxSteps`. */
export const toCamel = (key: string): string => key.replace(/[-_]([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export type { Spec };
