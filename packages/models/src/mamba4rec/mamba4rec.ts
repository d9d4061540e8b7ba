/**
 * Mamba4Rec: selective state space models for sequential recommendation (Liu, Lin, Wang,
 * Liu & Caverlee, "Mamba4Rec: Towards Efficient Sequential Recommendation with Selective
 * State Space Models", 2024, §3), over any vocabulary of V ids (items, or categories as
 * CCRec §6.2 uses its sequential baselines) with a pad id V.
 *
 *   E      = LN(Dropout(M_{s_t} · valid_t))                        §3.2 embedding layer (no position embedding)
 *   layer l (L layers), H = its input:
 *     S    = Mamba(H)                                               §3.3, Gu & Dao 2023 §3.4 Fig. 3
 *     H'   = LN(Dropout(S))            when L = 1                   the authors' code: one layer, no residual
 *     H'   = LN(H + Dropout(S))        when L > 1                   §3.3 stacked layers: residual connection
 *     H^{l+1} = LN(H' + Dropout(Dropout(GELU(H' W₁ + b₁)) W₂ + b₂)),  W₁ ∈ R^{d×4d}   §3.3 position-wise FFN
 *   r_{c,t} = ⟨F_t, M_c⟩                                             §3.4 prediction (shared embedding)
 *
 *   Mamba(H), E = expand · d channels, R = ⌈d / 16⌉, N = dState, K = dConv:
 *     [x, z] = H W_in                          W_in ∈ R^{d × 2E}, no bias
 *     u      = SiLU(causalConv_K(x · valid)) · valid                (see "Padding" below)
 *     [δ, B, C] = u W_x                          W_x ∈ R^{E × (R + 2N)}, no bias
 *     Δ      = softplus(δ W_Δ + b_Δ)             W_Δ ∈ R^{R × E}   (low-rank Δ, §3.6 "dt_rank")
 *     y      = SelectiveScan(u, Δ, A = −exp(A_log), B, C, D)        (selective-scan.ts)
 *     S      = (y ⊙ SiLU(z)) W_out              W_out ∈ R^{E × d}, no bias
 *
 * Everything is position-wise except the convolution and the scan, both causal, so F_t
 * depends on the ids at positions ≤ t only and every position of a window is a prediction.
 */
import { add, Dropout, exp, gather, LayerNorm, Linear, Module, mul, neg, normalInit, Parameter, Philox, slice, softplus, tensor, type Tensor, uniformInit } from '@rec/core';
import { gelu } from '../fmlp-rec/fmlp-rec.js';
import { checkEncoderSizes, checkWindows, type SequenceEncoder, validPositions } from '../sasrec/sequences.js';
import { causalDepthwiseConv, selectiveScan, silu } from './selective-scan.js';

/** The authors' LayerNorm ε (`nn.LayerNorm(hidden_size, eps=1e-12)`). */
const LAYER_NORM_EPSILON = 1e-12;
/** The authors' `_init_weights`: N(0, 0.02²) for the embedding and every linear weight. */
const INIT_STD = 0.02;

/**
 * Sizes of one {@link MambaBlock}.
 * @example
 * ```ts
 * const sizes: MambaBlockSizes = { dim: 64, dState: 32, dConv: 4, expand: 2 };
 * ```
 */
export interface MambaBlockSizes {
  /** d: the block's input and output width. */
  readonly dim: number;
  /** N: states per channel (Mamba4Rec §4.1: 32). Costs O(B·T·E·N) in the scan. */
  readonly dState: number;
  /** K: the causal convolution's width (Mamba4Rec §4.1: 4). */
  readonly dConv: number;
  /** E / d: the block's inner channels per input channel (Mamba4Rec §4.1: 2). */
  readonly expand: number;
}

/**
 * The Mamba block (Gu & Dao 2023, §3.4, Fig. 3): an input projection to E = expand · d
 * channels and a gate, a causal depthwise convolution, SiLU, the selective SSM (§3.2,
 * Algorithm 2) with input-dependent Δ, B and C, the SiLU-gated output and an output
 * projection back to d.
 *
 * Padding: the block reads a mask `valid` `[B, T, 1]` (1 on ids, 0 on pads). x is zeroed on
 * pads before the convolution, so a real position's window reads the zeros the
 * convolution's own causal padding would give, and u is zeroed on pads after it (the
 * convolution's bias and SiLU would otherwise make it non-zero), so Δ·B·u = 0 there and
 * the state stays at its zero start until the first id: the left padding of a window
 * cannot change a real position's output, and the block outputs zeros on pads.
 *
 * Initialisation (Mamba4Rec's released code, which applies its `_init_weights` to every
 * module after Mamba's own initialisation): the linear weights W_in, W_x, W_Δ, W_out are
 * N(0, 0.02²) and b_Δ is zero — so Δ starts near softplus(0) ≈ 0.69, not in Mamba's
 * [0.001, 0.1] (Mamba marks b_Δ `_no_reinit`, which Mamba4Rec's initialiser does not
 * read); A_log = log(n) for n = 1 … N in every channel (S4D-real, Mamba §3.6) and D = 1, as
 * Mamba sets them (the authors' initialiser leaves plain parameters alone); the
 * convolution's weight and bias are U(−1/√K, 1/√K), PyTorch's `Conv1d` default (fan-in K
 * for a depthwise kernel), which neither initialiser touches. Δ's rank is R = ⌈d/16⌉
 * (Mamba's `dt_rank="auto"`).
 *
 * Parameters: `inProjection.weight [d, 2E]`, `convWeight [K, E]`, `convBias [E]`,
 * `xProjection.weight [E, R + 2N]`, `dtProjection.{weight [R, E], bias [E]}`,
 * `aLog [E, N]`, `skip [E]` (D), `outProjection.weight [E, d]`.
 * @example
 * ```ts
 * const block = new MambaBlock({ dim: 8, dState: 4, dConv: 4, expand: 2 }, new Philox({ seed: 1 }));
 * const y = block.forward(x, valid); // x, y [B, T, 8]; valid [B, T, 1]
 * ```
 * @see Gu & Dao 2023, §3.2 (Algorithm 2), §3.4 (the block), §3.6 (parameterisation of Δ and A).
 */
export class MambaBlock extends Module {
  readonly inProjection: Linear;
  readonly convWeight: Parameter;
  readonly convBias: Parameter;
  readonly xProjection: Linear;
  readonly dtProjection: Linear;
  readonly aLog: Parameter;
  readonly skip: Parameter;
  readonly outProjection: Linear;
  /** E = expand · d. */
  readonly inner: number;
  /** R = ⌈d / 16⌉: the rank of Δ's projection. */
  readonly dtRank: number;

  /**
   * @param sizes - d, N, K and the expansion (see {@link MambaBlockSizes}).
   * @param rng - draws W_in, the convolution, W_x, W_Δ, W_out in that order.
   * @throws Error naming the size when one is not a positive integer.
   */
  constructor(readonly sizes: MambaBlockSizes, rng: Philox) {
    super();
    const { dim: d, dState: N, dConv: K, expand } = sizes;
    for (const [field, value] of Object.entries(sizes)) {
      if (!(Number.isInteger(value) && value >= 1)) throw new Error(`MambaBlock: ${field} must be a positive integer, got ${value}`);
    }
    const E = expand * d;
    const R = Math.ceil(d / 16);
    this.inner = E;
    this.dtRank = R;
    const linear = (inputs: number, outputs: number, bias: boolean): Linear => {
      const layer = new Linear(inputs, outputs, { seed: 0 }, { bias });
      layer.weight.assign(normalInit([inputs, outputs], INIT_STD, rng));
      return layer;
    };
    this.inProjection = linear(d, 2 * E, false);
    const bound = 1 / Math.sqrt(K);
    this.convWeight = new Parameter(uniformInit([K, E], -bound, bound, rng), [K, E]);
    this.convBias = new Parameter(uniformInit([E], -bound, bound, rng), [E]);
    this.xProjection = linear(E, R + 2 * N, false);
    this.dtProjection = linear(R, E, true);
    this.aLog = new Parameter(Float32Array.from({ length: E * N }, (_, j) => Math.log((j % N) + 1)), [E, N]);
    this.skip = new Parameter(new Float32Array(E).fill(1), [E]);
    this.outProjection = linear(E, d, false);
  }

  /**
   * S `[B, T, d]` from H `[B, T, d]`; zero on the positions where `valid` `[B, T, 1]` is 0.
   * Cost: B·T·(3·E·d + E·(2R + 2N)) multiply-adds in the projections, plus the scan's
   * O(B·T·E·N) work and memory.
   */
  forward(x: Tensor, valid: Tensor): Tensor {
    const [B, T] = x.shape as [number, number, number];
    const { inner: E, dtRank: R } = this;
    const N = this.sizes.dState;
    const xz = this.inProjection.forward(x);
    const gate = slice(xz, [0, 0, E], [B, T, E]);
    const conv = causalDepthwiseConv(mul(slice(xz, [0, 0, 0], [B, T, E]), valid), this.convWeight, this.convBias);
    const u = mul(silu(conv), valid);
    const projected = this.xProjection.forward(u);
    const delta = softplus(this.dtProjection.forward(slice(projected, [0, 0, 0], [B, T, R])));
    const Bt = slice(projected, [0, 0, R], [B, T, N]);
    const Ct = slice(projected, [0, 0, R + N], [B, T, N]);
    const y = selectiveScan(u, delta, neg(exp(this.aLog)), Bt, Ct, this.skip);
    return this.outProjection.forward(mul(y, silu(gate)));
  }
}

/**
 * One Mamba layer of Mamba4Rec (§3.3): the Mamba block, dropout, LayerNorm — with a
 * residual connection when layers are stacked — then the position-wise feed-forward
 * network (d → 4d → d, GELU, dropout, residual, LayerNorm).
 *
 * Choices where the paper leaves room (the authors' released `MambaLayer` decides each):
 * - A single layer has no residual around the Mamba block (`LN(Dropout(S))`), stacked
 *   layers have one (`LN(H + Dropout(S))`): the code's `num_layers == 1` branch.
 * - The FFN's inner width is 4d, its activation GELU (by its tanh form, see `gelu`), and
 *   dropout follows both the activation and the second linear, with one rate throughout.
 * - LayerNorm ε = 1e-12; the FFN's weights N(0, 0.02²), biases zero.
 *
 * Parameters: `mamba.*` ({@link MambaBlock}), `mambaNorm.*`, `feedForwardIn.*` (`d → 4d`),
 * `feedForwardOut.*` (`4d → d`), `feedForwardNorm.*`.
 * @example
 * ```ts
 * const layer = new MambaLayer({ dim: 8, dState: 4, dConv: 4, expand: 2 }, new Philox({ seed: 1 }), { dropout: 0.2, residual: false });
 * const h = layer.forward(x, valid); // [B, T, 8]
 * ```
 * @see Liu et al. 2024, §3.3 (Mamba layer, position-wise feed-forward network, stacking).
 */
export class MambaLayer extends Module {
  readonly mamba: MambaBlock;
  readonly mambaDropout: Dropout;
  readonly mambaNorm: LayerNorm;
  readonly feedForwardIn: Linear;
  readonly feedForwardOut: Linear;
  readonly activationDropout: Dropout;
  readonly feedForwardDropout: Dropout;
  readonly feedForwardNorm: LayerNorm;
  /** Whether the block's input is added back before its LayerNorm (stacked layers). */
  readonly residual: boolean;

  /**
   * @param sizes - the block's sizes.
   * @param rng - draws the block's weights, then W₁, W₂, then one word per dropout seed.
   * @param options - the dropout rate, and whether the block has a residual connection.
   */
  constructor(sizes: MambaBlockSizes, rng: Philox, options: { dropout: number; residual: boolean }) {
    super();
    const d = sizes.dim;
    this.residual = options.residual;
    this.mamba = new MambaBlock(sizes, rng);
    this.mambaNorm = new LayerNorm(d, LAYER_NORM_EPSILON);
    this.feedForwardIn = new Linear(d, 4 * d, { seed: 0 });
    this.feedForwardOut = new Linear(4 * d, d, { seed: 0 });
    this.feedForwardIn.weight.assign(normalInit([d, 4 * d], INIT_STD, rng));
    this.feedForwardOut.weight.assign(normalInit([4 * d, d], INIT_STD, rng));
    this.feedForwardNorm = new LayerNorm(d, LAYER_NORM_EPSILON);
    this.mambaDropout = new Dropout(options.dropout, { seed: rng.nextU32() });
    this.activationDropout = new Dropout(options.dropout, { seed: rng.nextU32() });
    this.feedForwardDropout = new Dropout(options.dropout, { seed: rng.nextU32() });
  }

  /** H^{l+1} `[B, T, d]` from H^l `[B, T, d]` and the mask `valid` `[B, T, 1]`. */
  forward(x: Tensor, valid: Tensor): Tensor {
    const mixed = this.mambaDropout.forward(this.mamba.forward(x, valid));
    const h = this.mambaNorm.forward(this.residual ? add(x, mixed) : mixed);
    const inner = this.activationDropout.forward(gelu(this.feedForwardIn.forward(h)));
    return this.feedForwardNorm.forward(add(h, this.feedForwardDropout.forward(this.feedForwardOut.forward(inner))));
  }
}

/**
 * Hyper-parameters of {@link Mamba4Rec}.
 * @example
 * ```ts
 * const config: Mamba4RecConfig = { vocabularySize: 1682, maxLength: 50, dim: 64, layers: 1, dState: 32, dConv: 4, expand: 2, dropout: 0.2 };
 * ```
 */
export interface Mamba4RecConfig {
  /** V: ids 0 … V − 1; V is the pad id. */
  readonly vocabularySize: number;
  /** T: positions of a window. Nothing is sized by T (no position embedding). */
  readonly maxLength: number;
  /** d: embedding and hidden width (default 64, Mamba4Rec §4.1). */
  readonly dim?: number;
  /** Mamba layers L (default 1, Mamba4Rec §4.1). */
  readonly layers?: number;
  /** N: SSM states per channel (default 32, §4.1 "SSM state expansion factor"). */
  readonly dState?: number;
  /** K: the causal convolution's width (default 4, §4.1). */
  readonly dConv?: number;
  /** The block's expansion E / d (default 2, §4.1 "block expansion factor"). */
  readonly expand?: number;
  /** Dropout of the embedding, the Mamba block's output and the FFN (default 0.2, §4.1 for MovieLens-1M). */
  readonly dropout?: number;
  /** Seed of the initial weights and of the dropout masks (default 0). */
  readonly seed?: number;
}

/**
 * Mamba4Rec (Liu et al. 2024, §3): an id embedding with dropout and LayerNorm, L Mamba
 * layers (the selective SSM block of Gu & Dao 2023 and a position-wise FFN), and scores
 * by dot product with the shared id embedding. It encodes windows of `maxLength` ids
 * left-padded with the pad id V; F_t depends on the ids at positions ≤ t only (a causal
 * convolution and a forward scan), so one pass scores every position of a training window.
 *
 * Choices where the paper leaves room:
 * - No position embedding (the authors' code has none: the convolution and the recurrence
 *   see order), so nothing in the model is sized by `maxLength`: the same weights read
 *   windows of any length.
 * - The embedding layer is Dropout then LayerNorm (the authors' `forward`), ε = 1e-12; M is
 *   N(0, 0.02²).
 * - Left padding (the repo's convention; RecBole pads on the right and reads position
 *   len − 1): pads are zero vectors and each Mamba block masks them before and after its
 *   convolution (see {@link MambaBlock}), so the number of pads before a sequence does not
 *   change its real positions' states. The states at padded positions (LayerNorm of zero
 *   plus the FFN) are never read.
 * - The sequential scan replaces Mamba's parallel hardware-aware scan (§3.3 of Gu & Dao):
 *   the same recurrence, O(T) steps, see `selectiveScan`.
 * - Defaults are §4.1's: d = 64, one layer, N = 32, K = 4, expand 2, dropout 0.2 (its
 *   MovieLens-1M rate; the released config's `dropout_prob`).
 *
 * Parameters: `embeddings [V + 1, d]`, `inputNorm.*`, `layers.i.*` ({@link MambaLayer}).
 * @example
 * ```ts
 * const mamba = new Mamba4Rec({ vocabularySize: 5, maxLength: 4, dim: 8, dState: 4, seed: 1 });
 * const hidden = mamba.encode(Int32Array.of(5, 5, 2, 4,  1, 3, 0, 2), 2); // [2, 4, 8]; 5 is the pad
 * ```
 * @see Liu, Lin, Wang, Liu & Caverlee 2024, "Mamba4Rec: Towards Efficient Sequential Recommendation with Selective State Space Models", §3.1–3.4, §4.1
 * @see Gu & Dao 2023, "Mamba: Linear-Time Sequence Modeling with Selective State Spaces", §3.2–3.4
 */
export class Mamba4Rec extends Module implements SequenceEncoder {
  /** M `[V + 1, d]`: the shared input/output embedding (row V is the pad's). */
  readonly embeddings: Parameter;
  readonly inputDropout: Dropout;
  readonly inputNorm: LayerNorm;
  readonly layers: MambaLayer[];
  readonly vocabularySize: number;
  readonly maxLength: number;
  readonly dim: number;
  readonly pad: number;

  /** @throws Error naming the field when a hyper-parameter is out of range. */
  constructor(readonly config: Mamba4RecConfig) {
    super();
    const { vocabularySize: V, maxLength: T } = config;
    const d = config.dim ?? 64;
    const layers = config.layers ?? 1;
    const sizes: MambaBlockSizes = { dim: d, dState: config.dState ?? 32, dConv: config.dConv ?? 4, expand: config.expand ?? 2 };
    const p = config.dropout ?? 0.2;
    checkEncoderSizes('Mamba4Rec', { vocabularySize: V, maxLength: T, dim: d, layers, dState: sizes.dState, dConv: sizes.dConv, expand: sizes.expand }, p);
    this.vocabularySize = V;
    this.maxLength = T;
    this.dim = d;
    this.pad = V;
    const rng = new Philox({ seed: config.seed ?? 0, stream: 0 });
    this.embeddings = new Parameter(normalInit([V + 1, d], INIT_STD, rng), [V + 1, d]);
    this.inputNorm = new LayerNorm(d, LAYER_NORM_EPSILON);
    this.layers = Array.from({ length: layers }, () => new MambaLayer(sizes, rng, { dropout: p, residual: layers > 1 }));
    this.inputDropout = new Dropout(p, { seed: rng.nextU32() });
  }

  /**
   * F `[B, T, d]` of `batch` left-padded windows (i32 `[B·T]`, ids 0 … V, V the pad).
   * Cost per layer: B·T·(3·E·d + E·(2R + 2N) + 8·d²) multiply-adds and the scan's
   * O(B·T·E·N) work and memory.
   * @throws Error when the windows do not hold `batch · maxLength` ids in 0 … V.
   */
  encode(windows: Int32Array, batch: number): Tensor {
    checkWindows(windows, batch, this, 'Mamba4Rec.encode');
    const T = this.maxLength;
    const valid = tensor(validPositions(windows, this.pad), [batch, T, 1]);
    let x = this.inputNorm.forward(this.inputDropout.forward(mul(gather(this.embeddings, tensor(windows, [batch, T])), valid)));
    for (const layer of this.layers) x = layer.forward(x, valid);
    return x;
  }
}
