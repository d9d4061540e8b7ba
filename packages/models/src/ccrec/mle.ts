/**
 * CCRec's MLE model M1 (§5.1, Fig. 4): the probability-weighted negative sampler's
 * scorer. The user's last k past categories δ_t are embedded (E1, or — MLE+VAE of §6.4.1 —
 * the user-distinctive category embeddings of §5.2 projected to the same width), the
 * sinusoidal positional encoding of Vaswani et al. §3.5 is added, one Transformer encoder
 * layer T reads the sequence, two fully connected layers map the flattened sequence to
 * |C| logits, and a LogSoftmax gives log P(c | δ_t):
 *
 *   M1(δ_t) = LogSoftmax(W₂·ReLU(W₁·flatten(T(PE + E1(δ_t))) + b₁) + b₂),
 *   L_MLE = Σ_t Σ_{c ∈ γ_t} NLL(M1(δ_t), c).
 *
 * Choices where §5.1 is vague, and why:
 * - **One encoder layer, 2 heads, FFN 4·d, post-LN, no dropout**: §5.1 says "a
 *   transformer" without depth; one layer is the smallest that is one, sequences are ≤ 10.
 * - **Right padding** to k with a padding category (its own embedding row), masked out
 *   of attention and zeroed before the flatten, as the authors' released MLE pads to k.
 * - **FC widths k·d → k·d/2 → |C|** (the released MLE's 640 → 320 → 72 at k = 10, d = 64).
 * - **One NLL term per future category** of a user (the sum over c_j ∈ Y_t above), so a
 *   user with three future categories is three examples.
 *
 * @see Wang, Akash et al., On Recommending Category: A Cascading Approach (CCRec), §5.1, §6.1, §6.4.1.
 */
import {
  add, Embedding, keyPaddingMask, Linear, logSoftmax, Module, mul, Philox, relu, reshape, type Tensor, tensor, TransformerEncoderLayer,
} from '@rec/core';

/** Sizes of a {@link CategoryMLE}. */
export interface CategoryMLEConfig {
  readonly numCategories: number;
  /** k: positions of the input sequence. */
  readonly maxPast: number;
  /** d₁: embedding and model width. */
  readonly dim: number;
  readonly heads: number;
  /** Width of the user-distinctive category embeddings fed instead of E1 (MLE+VAE); 0 for none. */
  readonly vaeDim: number;
  readonly seed: number;
}

/** The sinusoids of Vaswani et al. §3.5: PE(p, 2i) = sin(p / 10000^{2i/d}), PE(p, 2i+1) = cos(…). */
export function sinusoidalPositions(length: number, dim: number): Float32Array {
  const out = new Float32Array(length * dim);
  for (let p = 0; p < length; p++) {
    for (let i = 0; i < dim; i++) {
      const angle = p / Math.pow(10000, (2 * Math.floor(i / 2)) / dim);
      out[p * dim + i] = i % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return out;
}

/**
 * M1: log P(c | δ_t) over every category from a padded sequence of past categories.
 * @example
 * ```ts
 * const mle = new CategoryMLE({ numCategories: 19, maxPast: 10, dim: 64, heads: 2, vaeDim: 0, seed: 1 });
 * const logProbs = mle.forward(sequences, valid); // [B, 19]
 * ```
 */
export class CategoryMLE extends Module {
  readonly embedding: Embedding;
  /** W_v: user-distinctive embedding → model width (MLE+VAE only). */
  readonly vaeProjection: Linear | undefined;
  readonly encoder: TransformerEncoderLayer;
  readonly hidden: Linear;
  readonly output: Linear;
  readonly #positions: Float32Array;

  constructor(readonly config: CategoryMLEConfig) {
    super();
    const { numCategories: C, maxPast: k, dim: d } = config;
    const rng = new Philox({ seed: config.seed, stream: 41 });
    this.embedding = new Embedding(C + 1, d, { seed: rng.nextU32(), std: 0.1 });
    this.vaeProjection = config.vaeDim > 0 ? new Linear(config.vaeDim, d, rng) : undefined;
    this.encoder = new TransformerEncoderLayer(d, config.heads, 4 * d, rng);
    const width = Math.max(1, Math.floor((k * d) / 2));
    this.hidden = new Linear(k * d, width, rng);
    this.output = new Linear(width, C, rng);
    this.#positions = sinusoidalPositions(k, d);
  }

  /**
   * @param sequences i32 `[B, k]` categories, padding = numCategories
   * @param valid f32 `[B, k]`, 1 at real positions
   * @param vae f32 `[B, k, vaeDim]` user-distinctive embeddings of each position (MLE+VAE)
   * @returns log-probabilities `[B, numCategories]`
   */
  forward(sequences: Tensor, valid: Tensor, vae?: Tensor): Tensor {
    const { maxPast: k, dim: d } = this.config;
    const B = sequences.shape[0]!;
    let x = this.vaeProjection ? this.vaeProjection.forward(vae!) : this.embedding.forward(sequences);
    x = add(x, tensor(this.#positions, [k, d], { backend: x.backend }));
    const h = this.encoder.forward(x, { mask: keyPaddingMask(valid) });
    const kept = mul(h, reshape(valid, [B, k, 1]));
    return logSoftmax(this.output.forward(relu(this.hidden.forward(reshape(kept, [B, k * d])))), -1);
  }
}
