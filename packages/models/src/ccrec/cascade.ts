/**
 * CCRec's precision-centric recommender M2 (§5.3, Fig. 6) and its loss. For a user and a
 * candidate category c_j from the MLE's list r_t, an embedding layer E2 embeds the past
 * categories and c_j, the user-distinctive embeddings e_t of the past categories (§5.2) go
 * through an MLP, and everything concatenated goes through a two-layer MLP to one score
 * ŷ_j (CCRec; MLE+Cascading of §6.4.1 has no e_t part):
 *
 *   ŷ_j = w·ReLU(W₂·ReLU(W₁·[E2(δ_1..k); E2(c_j); W_e·e_{t,1..k}] + b₁) + b₂) + b
 *
 * trained with L_total = L_precision + L_MSE over the candidates (see {@link precisionLoss}).
 *
 * Choices where §5.3 is vague, and why:
 * - **Hidden widths 4·d and d** ("all the MLPs in our model have 2 layers", §6.1); the
 *   released model uses 1024 and 256 at d = 64, a 6× larger first layer for the same
 *   inputs; the smaller one trains in minutes on two cores.
 * - **The e_t MLP is one linear map 256 → d per position**, shared across positions (the
 *   released model's `vaeencoder`); padded positions give zeros.
 * - **A linear output** regressed on y ∈ {0, 1} by the squared errors of §5.3.
 *
 * @see Wang, Akash et al., On Recommending Category: A Cascading Approach (CCRec), §5.3, §6.1, §6.4.1.
 */
import { add, concat, Embedding, Linear, mean, Module, mul, Philox, relu, reshape, square, type Tensor } from '@rec/core';

/** Sizes of a {@link PrecisionRecommender}. */
export interface PrecisionRecommenderConfig {
  readonly numCategories: number;
  readonly maxPast: number;
  readonly dim: number;
  /** Width of the user-distinctive embeddings read (CCRec); 0 for none (MLE+Cascading). */
  readonly vaeDim: number;
  readonly seed: number;
}

/**
 * M2: a score per (user, candidate category).
 * @example
 * ```ts
 * const m2 = new PrecisionRecommender({ numCategories: 19, maxPast: 10, dim: 64, vaeDim: 256, seed: 1 });
 * const scores = m2.forward(pastSequences, candidates, vaeRows); // [B]
 * ```
 */
export class PrecisionRecommender extends Module {
  readonly embedding: Embedding;
  readonly vaeProjection: Linear | undefined;
  readonly hidden1: Linear;
  readonly hidden2: Linear;
  readonly output: Linear;

  constructor(readonly config: PrecisionRecommenderConfig) {
    super();
    const { numCategories: C, maxPast: k, dim: d } = config;
    const rng = new Philox({ seed: config.seed, stream: 47 });
    this.embedding = new Embedding(C + 1, d, { seed: rng.nextU32(), std: 0.1 });
    this.vaeProjection = config.vaeDim > 0 ? new Linear(config.vaeDim, d, rng) : undefined;
    const width = (k + 1) * d + (config.vaeDim > 0 ? k * d : 0);
    this.hidden1 = new Linear(width, 4 * d, rng);
    this.hidden2 = new Linear(4 * d, d, rng);
    this.output = new Linear(d, 1, rng);
  }

  /**
   * @param sequences i32 `[B, k]` each row's user's past categories (padding = numCategories)
   * @param candidates i32 `[B]` the candidate category of each row
   * @param vae f32 `[B, k, vaeDim]` the user-distinctive embeddings of the past positions (zeros at padding); CCRec only
   * @returns ŷ `[B]`
   */
  forward(sequences: Tensor, candidates: Tensor, vae?: Tensor): Tensor {
    const { maxPast: k, dim: d } = this.config;
    const B = sequences.shape[0]!;
    const parts = [reshape(this.embedding.forward(sequences), [B, k * d]), this.embedding.forward(candidates)];
    if (this.vaeProjection) {
      if (!vae) throw new Error('PrecisionRecommender: this model reads user-distinctive embeddings; pass vae [B, k, vaeDim]');
      parts.push(reshape(this.vaeProjection.forward(vae), [B, k * d]));
    }
    const h = relu(this.hidden2.forward(relu(this.hidden1.forward(concat(parts, 1)))));
    return reshape(this.output.forward(h), [B]);
  }
}

/**
 * L_total = L_precision + L_MSE of §5.3, averaged over the candidates:
 *
 *   L_precision = Σ_j ReLU(y^{M1}_j − y_j)² · ŷ_j²,   L_MSE = Σ_j (y_j − ŷ_j)²
 *
 * with y^{M1}_j the MLE's probability of candidate j, y_j ∈ {0, 1} whether it is among
 * the user's future categories, and ŷ_j the final model's score.
 *
 * §5.3 prints L_precision = Σ_t ReLU(y^{M1}_t − y_t)², which holds no parameter of M2
 * (y^{M1} comes from the already-trained MLE), so as printed it is a constant that moves
 * nothing; and the released code trains M2 with the MSE alone. The text asks for "a
 * higher loss for categories with a high likelihood in MLE" when they are false positives
 * and "zero loss" for true positives. We keep the printed factor as a per-candidate
 * weight on M2's own false-positive score ŷ_j²: it is zero for true positives (y^{M1} ≤ 1 =
 * y), grows with the MLE's probability for false positives, and equals the printed term
 * when M2 scores a candidate as a sure positive (ŷ = 1).
 *
 * @param predictions ŷ `[B]`
 * @param labels y `[B]` of 0/1
 * @param mleProbabilities y^{M1} `[B]`
 * @example
 * ```ts
 * precisionLoss(tensor(Float32Array.of(1, 1)), tensor(Float32Array.of(1, 0)), tensor(Float32Array.of(0.9, 0.9)));
 * // (0 + 0) + (0.81·1 + 1) over 2 candidates = 0.905
 * ```
 * @see CCRec §5.3 (L_precision, L_MSE, L_total).
 */
export function precisionLoss(predictions: Tensor, labels: Tensor, mleProbabilities: Tensor): Tensor {
  const falsePositive = square(relu(add(mleProbabilities, mul(labels, -1))));
  const precision = mul(falsePositive, square(predictions));
  const mse = square(add(labels, mul(predictions, -1)));
  return mean(add(precision, mse));
}

/** Host form of {@link precisionLoss} for one candidate: ReLU(p − y)²·ŷ² + (y − ŷ)². */
export function precisionLossOf(prediction: number, label: number, mleProbability: number): { precision: number; mse: number } {
  const gap = Math.max(0, mleProbability - label);
  return { precision: gap * gap * prediction * prediction, mse: (label - prediction) ** 2 };
}
