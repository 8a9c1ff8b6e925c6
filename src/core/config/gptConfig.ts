import type { AttentionKind, GeluKind, MlpKind, NormKind, PositionsKind, RopeStyle } from './schema.ts';

/**
 * The architecture part of a config, fully resolved (no 0 = "derive it" placeholders): what
 * model/nn's resolveGptConfig returns and every consumer of a model's shape (the maths, the export
 * formats) reads. The list of parameter tensors it implies is model/nn's paramSpecs.
 */
export interface GptConfig {
  readonly vocabSize: number;
  readonly context: number;
  readonly layers: number;
  readonly hidden: number;
  readonly norm: NormKind;
  readonly normEps: number;
  readonly normBias: boolean;
  readonly positions: PositionsKind;
  readonly ropeTheta: number;
  readonly ropeStyle: RopeStyle;
  readonly attention: AttentionKind;
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  /** Width of the shared K/V down-projection (latent attention; 0 otherwise). */
  readonly kvLatent: number;
  readonly attnBias: boolean;
  readonly mlp: MlpKind;
  /** The GELU form of a gelu MLP (ignored by swiglu). */
  readonly gelu: GeluKind;
  readonly ffn: number;
  readonly mlpBias: boolean;
  readonly fusedGateUp: boolean;
  readonly tied: boolean;
  readonly dropout: number;
  readonly initStd: number;
  readonly residualInitScale: boolean;
}
