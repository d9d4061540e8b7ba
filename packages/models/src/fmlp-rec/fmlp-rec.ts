/**
 * FMLP-Rec: Filter-enhanced MLP for sequential recommendation (Zhou, Yu, Zhao & Wen,
 * "Filter-enhanced MLP is All You Need for Sequential Recommendation", WWW 2022, §3), over
 * any vocabulary of V ids (items, or categories as CCRec §6.2 uses it) with a pad id V.
 *
 *   E      = Dropout(LN(M_{s_t}·valid_t + P_t))                                  §3.1, eq. 3–4
 *   block l (L blocks):
 *     F̃    = irfft(W^l ⊙ rfft(H^l))  along the sequence, W^l ∈ C^{K×d}            §3.2, eq. 5–7
 *     F̃    = LN(H^l + Dropout(F̃))                                               eq. 8
 *     H^{l+1} = LN(F̃ + Dropout(GELU(F̃ W₁ + b₁) W₂ + b₂)),  W₁ ∈ R^{d×4d}          eq. 9–10
 *   r_c    = ⟨F^L_{T−1}, M_c⟩  at the last position                               §3.3, eq. 11
 *   loss   = −log σ(r_{next}) − log(1 − σ(r_j)), one sampled j per prefix          §3.3, eq. 12
 *
 * The FFT and its inverse are products with constant DFT matrices (`real-dft.ts`): windows
 * are ≤ a few dozen positions here, where the O(n²) product costs what an FFT does.
 */
import { add, Dropout, gather, LayerNorm, Linear, Module, mul, normalInit, Parameter, Philox, tanh, tensor, type Tensor } from '@rec/core';
import { checkEncoderSizes, checkWindows, type SequenceEncoder, validPositions } from '../sasrec/sequences.js';
import { realDftTensors, type RealDftTensors, spectralFilter } from './real-dft.js';

/** The authors' LayerNorm ε (their code's TF-style `LayerNorm(eps=1e-12)`). */
const LAYER_NORM_EPSILON = 1e-12;
/** The authors' `initializer_range`: N(0, 0.02²) for embeddings, linear weights and filters. */
const INIT_STD = 0.02;

/**
 * Hyper-parameters of {@link FMLPRec}.
 * @example
 * ```ts
 * const config: FMLPRecConfig = { vocabularySize: 19, maxLength: 10, dim: 64, blocks: 2, dropout: 0.5 };
 * ```
 */
export interface FMLPRecConfig {
  /** V: ids 0 … V − 1; V is the pad id. */
  readonly vocabularySize: number;
  /** T = n: positions of a window; the filters have ⌊T/2⌋ + 1 frequency bins. */
  readonly maxLength: number;
  /** d: embedding and hidden width (default 64, CCRec §6.1 and FMLP-Rec's code). */
  readonly dim?: number;
  /** Filter-enhanced blocks L (default 2, the authors' code). */
  readonly blocks?: number;
  /** Dropout rate of the embedding layer and of each block's two sublayers (default 0.5, the authors' code). */
  readonly dropout?: number;
  /** Seed of the initial weights and of the dropout masks (default 0). */
  readonly seed?: number;
}

/**
 * GELU by its tanh form, 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), composed from
 * primitive ops so its gradient is theirs; within 1e-3 of the erf form the authors use.
 * @example
 * ```ts
 * gelu(tensor([-1, 0, 1])).readSync(); // ≈ [-0.159, 0, 0.841]
 * ```
 * @see Hendrycks & Gimpel 2016, "Gaussian Error Linear Units", §2 (the tanh approximation).
 */
export function gelu(x: Tensor): Tensor {
  const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return mul(mul(x, 0.5), add(tanh(inner), 1));
}

/**
 * One filter-enhanced block (§3.2): the learnable filter layer and the point-wise FFN, each
 * with dropout, a residual connection and post-LN.
 *
 * Parameters: `filterReal`, `filterImag` (`[K, d]`, the real and imaginary parts of W),
 * `filterNorm.*`, `feedForwardIn.*` (`d → 4d`), `feedForwardOut.*` (`4d → d`), `feedForwardNorm.*`.
 * @example
 * ```ts
 * const block = new FilterBlock(64, 10, new Philox({ seed: 1 }), 0.5);
 * const y = block.forward(x, realDftTensors(10)); // x, y [B, 10, 64]
 * ```
 * @see Zhou et al. 2022, §3.2, eq. 5–10.
 */
export class FilterBlock extends Module {
  readonly filterReal: Parameter;
  readonly filterImag: Parameter;
  readonly filterDropout: Dropout;
  readonly filterNorm: LayerNorm;
  readonly feedForwardIn: Linear;
  readonly feedForwardOut: Linear;
  readonly feedForwardDropout: Dropout;
  readonly feedForwardNorm: LayerNorm;

  /**
   * @param dim d
   * @param length n, the window's positions (K = ⌊n/2⌋ + 1 filter bins)
   * @param rng draws the weights (filter, then W₁, W₂), then one word per dropout seed
   * @param dropout the rate of both sublayers' dropouts
   */
  constructor(readonly dim: number, readonly length: number, rng: Philox, dropout: number) {
    super();
    const K = Math.floor(length / 2) + 1;
    this.filterReal = new Parameter(normalInit([K, dim], INIT_STD, rng), [K, dim]);
    this.filterImag = new Parameter(normalInit([K, dim], INIT_STD, rng), [K, dim]);
    this.filterNorm = new LayerNorm(dim, LAYER_NORM_EPSILON);
    this.feedForwardIn = new Linear(dim, 4 * dim, rng);
    this.feedForwardOut = new Linear(4 * dim, dim, rng);
    // The authors initialise linear weights N(0, 0.02²) too (Glorot is core's default).
    this.feedForwardIn.weight.assign(normalInit([dim, 4 * dim], INIT_STD, rng));
    this.feedForwardOut.weight.assign(normalInit([4 * dim, dim], INIT_STD, rng));
    this.feedForwardNorm = new LayerNorm(dim, LAYER_NORM_EPSILON);
    this.filterDropout = new Dropout(dropout, { seed: rng.nextU32() });
    this.feedForwardDropout = new Dropout(dropout, { seed: rng.nextU32() });
  }

  /** H^{l+1} `[B, n, d]` from H^l `[B, n, d]`. */
  forward(x: Tensor, dft: RealDftTensors): Tensor {
    const filtered = this.filterNorm.forward(add(x, this.filterDropout.forward(spectralFilter(x, this.filterReal, this.filterImag, dft))));
    const hidden = this.feedForwardOut.forward(gelu(this.feedForwardIn.forward(filtered)));
    return this.feedForwardNorm.forward(add(filtered, this.feedForwardDropout.forward(hidden)));
  }
}

/**
 * FMLP-Rec (Zhou et al. 2022, §3): id and learned position embeddings, LayerNorm and
 * dropout, then L blocks of a learnable frequency-domain filter and a point-wise FFN; the
 * hidden state at the last position scores every id by dot product with the shared
 * embedding. It reads windows of `maxLength` ids left-padded with the pad id V.
 *
 * The filter mixes every position of the window with every other (a circular convolution),
 * so F_t sees ids after t: only the last position is a prediction, and training scores one
 * prefix per window (`NextItemObjective` with `positions: 'last'`), as the authors' code does.
 *
 * Choices where the paper leaves room (the authors' released code decides each):
 * - Left padding with a zero vector for the pad (the code's `padding_idx = 0` and left
 *   padding), so the latest id is at position T − 1, where §3.3 predicts; padded positions
 *   still carry their position embedding into the filters, as in the code.
 * - The FFT is orthonormal (`norm='ortho'`), the filter has ⌊T/2⌋ + 1 complex bins per
 *   channel, stored as two real tensors, initialised N(0, 0.02²) like every weight.
 * - The FFN is d → 4d → d with GELU (by its tanh form, see {@link gelu}), no dropout inside.
 * - LayerNorm ε = 1e-12.
 * - The FFT is a product with constant DFT matrices (see `spectralFilter`), not an FFT.
 *
 * Parameters: `embeddings [V + 1, d]`, `positions [T, d]`, `inputNorm.*`, `blocks.i.*`.
 *
 * @example
 * ```ts
 * const fmlp = new FMLPRec({ vocabularySize: 5, maxLength: 4, dim: 8, seed: 1 });
 * const hidden = fmlp.encode(Int32Array.of(5, 5, 2, 4,  1, 3, 0, 2), 2); // [2, 4, 8]; 5 is the pad
 * ```
 * @see Zhou et al. 2022, "Filter-enhanced MLP is All You Need for Sequential Recommendation", WWW, §3.1–3.3
 */
export class FMLPRec extends Module implements SequenceEncoder {
  /** M `[V + 1, d]`: the shared input/output embedding (row V is the pad's). */
  readonly embeddings: Parameter;
  /** P `[T, d]`: the learned position embedding. */
  readonly positions: Parameter;
  readonly inputNorm: LayerNorm;
  readonly inputDropout: Dropout;
  readonly blocks: FilterBlock[];
  readonly vocabularySize: number;
  readonly maxLength: number;
  readonly dim: number;
  readonly pad: number;
  readonly #dft: RealDftTensors;

  /** @throws Error naming the field when a hyper-parameter is out of range. */
  constructor(readonly config: FMLPRecConfig) {
    super();
    const { vocabularySize: V, maxLength: T } = config;
    const d = config.dim ?? 64;
    const blocks = config.blocks ?? 2;
    const p = config.dropout ?? 0.5;
    checkEncoderSizes('FMLPRec', { vocabularySize: V, maxLength: T, dim: d, blocks }, p);
    this.vocabularySize = V;
    this.maxLength = T;
    this.dim = d;
    this.pad = V;
    const rng = new Philox({ seed: config.seed ?? 0, stream: 0 });
    this.embeddings = new Parameter(normalInit([V + 1, d], INIT_STD, rng), [V + 1, d]);
    this.positions = new Parameter(normalInit([T, d], INIT_STD, rng), [T, d]);
    this.inputNorm = new LayerNorm(d, LAYER_NORM_EPSILON);
    this.blocks = Array.from({ length: blocks }, () => new FilterBlock(d, T, rng, p));
    this.inputDropout = new Dropout(p, { seed: rng.nextU32() });
    this.#dft = realDftTensors(T);
  }

  /**
   * F^L `[B, T, d]` of `batch` left-padded windows (i32 `[B·T]`, ids 0 … V, V the pad).
   * Cost per block: 4·B·K·T·d (filter) + 8·B·T·d² (FFN) multiply-adds.
   * @throws Error when the windows do not hold `batch · maxLength` ids in 0 … V.
   */
  encode(windows: Int32Array, batch: number): Tensor {
    checkWindows(windows, batch, this, 'FMLPRec.encode');
    const T = this.maxLength;
    const valid = tensor(validPositions(windows, this.pad), [batch, T, 1]);
    const embedded = add(mul(gather(this.embeddings, tensor(windows, [batch, T])), valid), this.positions);
    let x = this.inputDropout.forward(this.inputNorm.forward(embedded));
    for (const block of this.blocks) x = block.forward(x, this.#dft);
    return x;
  }
}
