/**
 * SVD: biased matrix factorisation for explicit ratings, the rating-prediction baseline
 * of RnR (Hadash, Sar Shalom & Osadchy, RecSys 2018, §5 and §5.1: "SVD [Paterek 2007] …
 * learned user and item biases … to minimize the squared error of the reconstructed
 * ratings"), in the form of Koren, Bell & Volinsky, "Matrix Factorization Techniques for
 * Recommender Systems", IEEE Computer 2009, eq. 3–5:
 *
 *   r̂_ui = μ + b_u + b_i + ⟨p_u, q_i⟩                                              (eq. 4)
 *   min Σ_(u,i,r)∈K (r − r̂_ui)² + λ(‖p_u‖² + ‖q_i‖² + b_u² + b_i²)                  (eq. 5)
 *
 * The embedding lookup ({@link BiasedMF.embed}) and the rating head
 * ({@link RatingHead.rate}) are separate methods, so a multi-task model (RnR eq. 1–2) can
 * rate with user and item vectors of its own (shared, transformed) and keep SVD's biases.
 */
import { add, gather, matmul, Module, mul, noGrad, Parameter, reshape, square, sum, tensor, type Tensor, tidy, xavierUniform } from '@rec/core';
import { scoreInBlocks } from '../ncf/rows.js';
import type { RatingPredictor, Recommender } from '../plugin/inference.js';
import { andThen, hostValues, type MaybePromise } from '../training/read.js';
import type { RatingRegressor } from '../training/squared.js';

/** Hyper-parameters of {@link BiasedMF}. */
export interface BiasedMFConfig {
  readonly numUsers: number;
  readonly numItems: number;
  /** Latent size (default 50, RnR §5.3's embedding size). */
  readonly dim?: number;
  /** Seed of the Xavier-initialised factors (default 0). */
  readonly seed?: number;
  /** λ of eq. 5, per rated case (default 0; see {@link BiasedMF.predictRows}). */
  readonly l2?: number;
  /** μ (default 0 until {@link BiasedMF.setGlobalMean}; the `svd` fit sets the training mean). */
  readonly globalMean?: number;
}

/**
 * SVD's rating head without its embedding tables: the biases b_u `[numUsers, 1]`, b_i
 * `[numItems, 1]` and the fixed μ `[1]`, and r̂ = μ + b_u + b_i + ⟨p, q⟩ for vectors p, q the
 * caller gives (Koren et al. 2009, eq. 4). {@link BiasedMF} is one with its own P and Q; a
 * multi-task model (RnR eq. 1–2) is one over the ranking model's shared tables, or holds
 * one beside them (RnR(CDAE, SVD)). Biases start at zero (RnR §5.3); μ is set, never
 * trained (see {@link BiasedMF} for why).
 *
 * @example
 * ```ts
 * const head = new RatingHead(943, 1682);
 * head.setGlobalMean(3.53);
 * ```
 */
export class RatingHead extends Module {
  /** b_u `[numUsers, 1]`. */
  readonly userBias: Parameter;
  /** b_i `[numItems, 1]`. */
  readonly itemBias: Parameter;
  /** μ `[1]`, fixed: no gradient. */
  readonly globalMean: Parameter;

  constructor(numUsers: number, numItems: number, globalMean = 0) {
    super();
    this.userBias = new Parameter(new Float32Array(numUsers), [numUsers, 1]);
    this.itemBias = new Parameter(new Float32Array(numItems), [numItems, 1]);
    this.globalMean = new Parameter(Float32Array.of(globalMean), [1]);
    this.globalMean.requiresGrad = false;
  }

  /**
   * Sets μ, e.g. to the mean training rating ({@link meanRating}).
   * @throws Error when `mu` is not finite.
   */
  setGlobalMean(mu: number): void {
    if (!Number.isFinite(mu)) throw new Error(`${this.constructor.name}: the global mean must be finite, got ${mu}`);
    this.globalMean.assign(Float32Array.of(mu));
  }

  /**
   * The rating head: r̂ = μ + b_u + b_i + ⟨p, q⟩ of aligned rows, f32 `[n]`, with the biases
   * of `users` and `items` (i32 `[n]`) and the given vectors `p`, `q` (`[n, d]`): SVD's own
   * or a multi-task model's (RnR's FCθ(p_u), FCθ(q_i + q^d_i)).
   */
  rate(users: Tensor, items: Tensor, p: Tensor, q: Tensor): Tensor {
    const biases = add(add(gather(this.userBias, users), gather(this.itemBias, items)), this.globalMean);
    return add(sum(mul(p, q), 1), reshape(biases, [biases.shape[0]]));
  }

  /**
   * Eq. 5's prior of the given rows, unscaled: Σ_rows ‖p‖² + ‖q‖² + b_u² + b_i², a scalar.
   * A caller multiplies it by λ / rows for the per-case form.
   */
  prior(users: Tensor, items: Tensor, p: Tensor, q: Tensor): Tensor {
    const biases = add(sum(square(gather(this.userBias, users))), sum(square(gather(this.itemBias, items))));
    return add(add(sum(square(p)), sum(square(q))), biases);
  }
}

/**
 * Biased matrix factorisation ("SVD" in the RnR paper's tables): r̂_ui = μ + b_u + b_i +
 * ⟨p_u, q_i⟩, fitted by squared error on the observed ratings with the per-case prior
 * λ(‖p_u‖² + ‖q_i‖² + b_u² + b_i²) (Koren et al. 2009, eq. 4–5). It predicts ratings, and
 * ranks every item by r̂ (how RnR's Table 1 evaluates SVD by Recall@10 and MRR@10).
 *
 * Choices (the papers leave them open):
 * - μ is the mean of the training ratings, fixed: eq. 4's "overall average rating", as
 *   Koren et al. define it and as Surprise's SVD does. It is a parameter without a
 *   gradient, so it is saved with the model. A μ learned from zero (RnR §5.3 initialises
 *   biases at zero) would need thousands of Adagrad steps at the paper's rate 0.001 to
 *   climb to 3.5 stars, and the factors would fit the mean meanwhile.
 * - p_u and q_i start Glorot/Xavier-uniform over their table ([numUsers, d] and
 *   [numItems, d], TensorFlow's `glorot_uniform` on an embedding variable), b_u and b_i at
 *   zero: RnR §5.3 ("biases with zeros … all other parameters … Xavier initialization").
 * - λ is applied per rated case, in eq. 5's form: each row adds λ(‖p_u‖² + ‖q_i‖² + b_u² +
 *   b_i²) to its squared error and the batch loss is the mean over its rows, so λ means
 *   what it means in per-case SGD and in RnR's grid λ ∈ {0.01, 0.001}, whatever the batch
 *   size. The optimizer's weight decay is not used for it (see PMF for why).
 *
 * @example
 * ```ts
 * const svd = new BiasedMF({ numUsers: 943, numItems: 1682, dim: 50, l2: 0.01, seed: 1 });
 * svd.setGlobalMean(3.53);
 * const stars = await svd.predictRatings(Int32Array.of(0, 0), Int32Array.of(3, 7)); // ≈ [3.53, 3.53] untrained
 * ```
 * @see Koren, Bell & Volinsky 2009, eq. 3–5; RnR §5.1 (SVD) and §5.3 (settings).
 */
export class BiasedMF extends RatingHead implements Recommender, RatingPredictor, RatingRegressor {
  /** P `[numUsers, d]`: p_u, the user embedding. */
  readonly users: Parameter;
  /** Q `[numItems, d]`: q_i, the item embedding. */
  readonly items: Parameter;
  readonly numItems: number;
  readonly numBehaviors = 1;
  readonly dim: number;

  constructor(readonly config: BiasedMFConfig) {
    super(config.numUsers, config.numItems, config.globalMean ?? 0);
    const { numUsers, numItems } = config;
    const d = config.dim ?? 50;
    const seed = config.seed ?? 0;
    if (!(Number.isInteger(d) && d >= 1)) throw new Error(`BiasedMF: dim must be a positive integer, got ${d}`);
    if (!((config.l2 ?? 0) >= 0)) throw new Error(`BiasedMF: l2 must be ≥ 0, got ${config.l2}`);
    this.dim = d;
    this.numItems = numItems;
    this.users = new Parameter(xavierUniform([numUsers, d], { seed, stream: 0 }), [numUsers, d]);
    this.items = new Parameter(xavierUniform([numItems, d], { seed, stream: 1 }), [numItems, d]);
  }

  /**
   * The embedding lookup: p_u and q_i of aligned `users` and `items` (i32 `[n]`), each
   * f32 `[n, d]`, differentiable (row-sparse gradients).
   */
  embed(users: Tensor, items: Tensor): { p: Tensor; q: Tensor } {
    return { p: gather(this.users, users), q: gather(this.items, items) };
  }

  /**
   * r̂ of aligned (users[k], items[k]), differentiable `[rows]`, and eq. 5's prior of those
   * rows in per-case form, λ/rows · Σ(‖p_u‖² + ‖q_i‖² + b_u² + b_i²) (no penalty when λ = 0).
   */
  predictRows(users: Int32Array, items: Int32Array): { prediction: Tensor; penalty?: Tensor } {
    const u = tensor(users);
    const i = tensor(items);
    const { p, q } = this.embed(u, i);
    const prediction = this.rate(u, i, p, q);
    const l2 = this.config.l2 ?? 0;
    return l2 > 0 ? { prediction, penalty: mul(this.prior(u, i, p, q), l2 / users.length) } : { prediction };
  }

  /** r̂ of aligned (users[k], items[k]); a promise on `webgpu`. */
  predictRatings(users: Int32Array, items: Int32Array): MaybePromise<Float32Array> {
    return predictPairs(users, items, 'BiasedMF.predictRatings', (u, i) => {
      const { p, q } = this.embed(u, i);
      return this.rate(u, i, p, q);
    });
  }

  /** r̂ of `users` against every item, row-major `users.length × numItems`; a promise on `webgpu`. */
  scoreUsers(users: Int32Array): MaybePromise<Float32Array> {
    const itemRow = (): Tensor => reshape(this.itemBias, [1, this.numItems]);
    return scoreInBlocks(users, this.numItems, 512, (block) => {
      const ids = tensor(block);
      const dots = matmul(gather(this.users, ids), this.items, { transposeB: true });
      return add(add(dots, itemRow()), add(gather(this.userBias, ids), this.globalMean));
    });
  }
}

/**
 * A rating model's `predictRatings`: `rate` of aligned (users[k], items[k]) as tensors, run
 * without a tape and read back to the host; a promise on `webgpu`. Shared by SVD and the
 * RnR models.
 * @param who - the caller, for the message.
 * @throws Error naming `who` when `users` and `items` differ in length.
 * @example
 * ```ts
 * const stars = await predictPairs(users, items, 'MyModel.predictRatings', (u, i) => model.rate(u, i, p, q));
 * ```
 */
export function predictPairs(users: Int32Array, items: Int32Array, who: string, rate: (users: Tensor, items: Tensor) => Tensor): MaybePromise<Float32Array> {
  if (users.length !== items.length) throw new Error(`${who}: ${users.length} users but ${items.length} items; give one item per user`);
  if (users.length === 0) return new Float32Array(0);
  const rated = tidy(() => noGrad(() => rate(tensor(users), tensor(items))));
  return andThen(hostValues(rated), (values) => {
    const out = Float32Array.from(values as Float32Array);
    rated.dispose();
    return out;
  });
}

/**
 * The mean of `ratings` (μ of eq. 4), accumulated in float64.
 * @throws Error when there are no ratings.
 * @example
 * ```ts
 * meanRating(Float32Array.of(3, 4, 5)); // 4
 * ```
 */
export function meanRating(ratings: ArrayLike<number>): number {
  if (ratings.length === 0) throw new Error('meanRating: no ratings to average');
  let total = 0;
  for (let k = 0; k < ratings.length; k++) total += ratings[k];
  return total / ratings.length;
}
