import { add, Embedding, gather, matmul, Module, mul, square, sum, tensor, type Tensor } from '@rec/core';
import { scoreInBlocks } from '../ncf/rows.js';
import type { DotProductFactors, Recommender } from '../plugin/inference.js';
import type { MaybePromise } from '../training/read.js';
import type { RatingRegressor } from '../training/squared.js';

/** Hyper-parameters of {@link PMF}. */
export interface PMFConfig {
  readonly numUsers: number;
  readonly numItems: number;
  /** Latent size D (default 10, MRLR §4.1's d). */
  readonly dim?: number;
  readonly seed?: number;
  /** Standard deviation of the initial factors (default 0.1). */
  readonly initStd?: number;
  /** λ_U = λ_V of eq. 4, applied per row (default 0; see {@link PMF.predictRows}). */
  readonly l2?: number;
}

/**
 * Probabilistic matrix factorisation (Mnih & Salakhutdinov, "Probabilistic Matrix
 * Factorization", NIPS 2007, §2 eq. 1–4): R_ij ~ N(U_iᵀV_j, σ²) on the observed entries,
 * with zero-mean spherical Gaussian priors U_i ~ N(0, σ_U² I), V_j ~ N(0, σ_V² I).
 * Maximising the log-posterior is minimising
 *
 *   E = ½ Σ_ij I_ij (R_ij − U_iᵀV_j)² + λ_U/2 Σ_i ‖U_i‖² + λ_V/2 Σ_j ‖V_j‖²   (eq. 4)
 *
 * and the prediction is r̂_ui = ⟨p_u, q_i⟩. MRLR §4.1 uses it as the basic rating
 * prediction baseline ("PMF performs the worst, as it is the basic rating prediction
 * method", §4.3).
 *
 * Choices (the data is implicit: a binary R where every observed pair is 1):
 * - the indicator I_ij covers the observed pairs (target 1) and `negatives` unobserved
 *   items sampled per observed pair (target 0), redrawn every epoch: with observed pairs
 *   only, the constant U_iᵀV_j = 1 would fit E perfectly and rank nothing;
 * - one λ = λ_U = λ_V = `l2` (MRLR's grid has one λ_Θ), in eq. 4's per-case form: each row adds λ(‖p_u‖² + ‖q_i‖²) to its
 *   squared error, and the batch loss is the mean over its rows (so the learning rate
 *   and λ do not depend on the batch size, and λ means what it means in MRLR's grid and
 *   in per-case SGD). The optimizer's weight decay is not used for it: applied once per
 *   touched row per batch against a mean loss, it would weigh the prior batch-size times
 *   more than the data;
 * - no logistic g(·) of §2: it maps ratings 1…K onto [0, 1], and the targets are 0/1
 *   already (see `SquaredPointwiseObjective`);
 * - factors start at N(0, 0.1²) (the paper does not say; BPR-MF's default here): U = V = 0
 *   is a saddle where every gradient e·V vanishes, and a start close to it is slow to leave.
 *
 * @example
 * ```ts
 * const pmf = new PMF({ numUsers: 943, numItems: 1682, dim: 10, seed: 1 });
 * const scores = await pmf.scoreUsers(Int32Array.of(0)); // 1 × 1682
 * ```
 * @see MRLR §4.1 (baseline 1) and Table 2.
 */
export class PMF extends Module implements Recommender, RatingRegressor {
  readonly users: Embedding;
  readonly items: Embedding;
  readonly numItems: number;
  readonly numBehaviors = 1;

  constructor(readonly config: PMFConfig) {
    super();
    const dim = config.dim ?? 10;
    const seed = config.seed ?? 0;
    const std = config.initStd ?? 0.1;
    this.numItems = config.numItems;
    this.users = new Embedding(config.numUsers, dim, { seed, stream: 0, std });
    this.items = new Embedding(config.numItems, dim, { seed, stream: 1, std });
  }

  /**
   * r̂_ui = ⟨p_u, q_i⟩ of each aligned pair, f32 `[rows]`, and the priors of the rows'
   * factors, λ·(‖p_u‖² + ‖q_i‖²) averaged over the rows (eq. 4's per-case form).
   */
  predictRows(users: Int32Array, items: Int32Array): { prediction: Tensor; penalty: Tensor } {
    const p = this.users.forward(tensor(users));
    const q = this.items.forward(tensor(items));
    const prior = add(sum(square(p)), sum(square(q)));
    return { prediction: sum(mul(p, q), 1), penalty: mul(prior, (this.config.l2 ?? 0) / users.length) };
  }

  /** r̂ of `users` against every item, row-major; a promise on `webgpu`. */
  scoreUsers(users: Int32Array): MaybePromise<Float32Array> {
    return scoreInBlocks(users, this.numItems, 512, (block) => matmul(gather(this.users.weight, tensor(block)), this.items.weight, { transposeB: true }));
  }

  /** The score is ⟨users[u], items[i]⟩: these tables, for ranking through `rank_topk`. */
  dotProductFactors(): DotProductFactors {
    return { users: this.users.weight, items: this.items.weight };
  }
}
