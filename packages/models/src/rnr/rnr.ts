import { add, gather, logSigmoid, matmul, mean, mul, neg, square, sub, sum, tensor, type Tensor } from '@rec/core';
import { scoreInBlocks } from '../ncf/rows.js';
import { BiasedMF } from '../svd/svd.js';
import type { MaybePromise } from '../training/read.js';
import { type RnrActivation, RnrTransform } from './transform.js';

/** How the rating model P sees the shared embeddings. */
export type RnrCoupling =
  /** RnR (eq. 1): P rates with FCθ(p_u) and FCθ(q_i + q^d_i). */
  | 'rnr'
  /** The vanilla multi-task baseline (eq. 2): P rates with p_u and q_i as they are. */
  | 'vanilla';

/** Hyper-parameters of {@link RankAndRate}. */
export interface RankAndRateConfig {
  readonly numUsers: number;
  readonly numItems: number;
  /** Embedding size (§5.3: 50). */
  readonly dim?: number;
  readonly seed?: number;
  readonly coupling?: RnrCoupling;
  /** α of eq. 1 / eq. 2: the ranking loss's weight; 1 − α is the rating loss's. */
  readonly alpha?: number;
  /** λ of eq. 1 / eq. 2, per training tuple (see {@link RankAndRate.loss}). */
  readonly l2?: number;
  readonly activation?: RnrActivation;
}

/** One batch of training tuples (u, i, r) with a sampled negative j per tuple. */
export interface RnrBatch {
  readonly users: Int32Array;
  readonly positives: Int32Array;
  readonly negatives: Int32Array;
  /** r of each (u, i). */
  readonly ratings: Float32Array;
  /** The share of one epoch this batch is (its tuples over the epoch's), for θ's prior. */
  readonly share: number;
}

/**
 * Rank and Rate (RnR; Hadash, Sar Shalom & Osadchy, "Rank and Rate: Multi-task Learning for
 * Recommender Systems", RecSys 2018, §4 eq. 1) with BPR as the ranking model R and SVD as
 * the rating model P, and its vanilla multi-task baseline (§5, eq. 2).
 *
 * One user matrix U and one item matrix I are shared. R scores x̂_ui = ⟨p_u, q_i⟩ on the raw
 * rows (BPR, Rendle et al. 2009). P is biased MF (SVD, Paterek 2007; Koren et al. 2009
 * eq. 3): r̂_ui = μ + b_u + b_i + ⟨p̃_u, q̃_i⟩, where for RnR p̃_u = FCθ(p_u) and
 * q̃_i = FCθ(q_i + q^d_i) — the item deviation q^d_i (matrix I_d) gives the item's
 * post-consumption view, and the FC layer, tied between users and items, maps both into
 * the rating space — and for the vanilla baseline p̃_u = p_u, q̃_i = q_i. Each training
 * tuple (u, i, r) contributes α·(−ln σ(x̂_ui − x̂_uj)) with a sampled unrated j, and
 * (1 − α)·(r − r̂_ui)². The model ranks with R's x̂ (the paper's Table 1 ranks by the
 * ranking model) and rates with P's r̂.
 *
 * The rating head, its biases and μ, and SVD's prior are {@link BiasedMF}'s (this class is
 * one, with P's vectors in place of its own: `embed` returns p̃_u, q̃_i, so its
 * `predictRatings` rates as P does); R's scores come from the same U and I.
 *
 * Choices (the paper leaves them open):
 * - FCθ and I_d are {@link RnrTransform}'s (its notes give the layer's choices).
 * - μ is the training ratings' mean, fixed, as in `svd` (BiasedMF's notes say why).
 * - Initialisation as §5.3: U, I and W Glorot-uniform; I_d, θ's bias and the user and item
 *   biases zero.
 * - λ: each tuple adds λ(‖p_u‖² + ‖q_i‖² + ‖q_j‖² + ‖q^d_i‖² + b_u² + b_i²) (eq. 1's
 *   norms in per-case form on the raw rows, with SVD's bias terms, which eq. 1 omits but
 *   SVD has), and
 *   each batch λ‖θ‖² times its share of the epoch, so an epoch adds eq. 1's λ‖θ‖² once.
 *
 * @example
 * ```ts
 * const model = new RankAndRate({ numUsers: 943, numItems: 1682, dim: 50, alpha: 0.95, l2: 0.001 });
 * model.setGlobalMean(3.53);
 * const stars = await model.predictRatings(Int32Array.of(0), Int32Array.of(5));
 * ```
 */
export class RankAndRate extends BiasedMF {
  /** I_d and θ (RnR only; the vanilla model has neither). */
  readonly transform: RnrTransform | undefined;

  constructor(readonly options: RankAndRateConfig) {
    super({ numUsers: options.numUsers, numItems: options.numItems, dim: options.dim ?? 50, seed: options.seed ?? 0 });
    if ((options.coupling ?? 'rnr') === 'rnr') this.transform = new RnrTransform(options.numItems, this.dim, { seed: options.seed ?? 0, stream: 2 }, options.activation);
  }

  /** The rating model's vectors p̃_u, q̃_i (so SVD's `predictRatings` rates as P does). */
  override embed(users: Tensor, items: Tensor): { p: Tensor; q: Tensor } {
    const raw = super.embed(users, items);
    return this.transform ? this.transform.view(items, raw.p, raw.q) : raw;
  }

  /**
   * The batch's loss: α·mean(−ln σ(x̂_ui − x̂_uj)) + (1 − α)·mean((r − r̂_ui)²) plus the priors
   * (class notes), all per tuple and averaged over the batch.
   */
  loss(batch: RnrBatch): Tensor {
    const alpha = this.options.alpha ?? 0.95;
    const lambda = this.options.l2 ?? 0;
    const n = batch.users.length;
    const u = tensor(batch.users);
    const i = tensor(batch.positives);
    const j = tensor(batch.negatives);
    const raw = super.embed(u, i);
    const qj = gather(this.items, j);
    const ranking = neg(mean(logSigmoid(sum(mul(raw.p, sub(raw.q, qj)), 1))));
    const view = this.transform ? this.transform.view(i, raw.p, raw.q) : raw;
    const rating = mean(square(sub(this.rate(u, i, view.p, view.q), tensor(batch.ratings))));
    let loss = add(mul(ranking, alpha), mul(rating, 1 - alpha));
    if (lambda > 0) {
      // SVD's prior of the raw rows (p_u, q_i, b_u, b_i) and BPR's q_j, per tuple; then I_d and θ.
      loss = add(loss, mul(add(this.prior(u, i, raw.p, raw.q), sum(square(qj))), lambda / n));
      if (this.transform) loss = add(loss, this.transform.prior(i, lambda, n, batch.share));
    }
    return loss;
  }

  /** R's x̂ = ⟨p_u, q_i⟩ of `users` against every item (no biases: BPR's score), row-major; a promise on `webgpu`. */
  override scoreUsers(users: Int32Array): MaybePromise<Float32Array> {
    return scoreInBlocks(users, this.numItems, 512, (block) => matmul(gather(this.users, tensor(block)), this.items, { transposeB: true }));
  }
}
