/**
 * MRLR (Sun et al., "Multi-level Representation Learning for Ranking-based
 * Recommendation" — the paper in `mrlr-multi-level-representation-learning-ranking.txt`)
 * and its variants of Fig. 1: user, item and category embeddings learned from item
 * co-rated triples (eq. 5) and user-specific ranking triples (eq. 6), with the
 * multi-level item vector of eq. 7, by SGD with negative sampling (eq. 8, 9, Algorithm 1).
 *
 * Parameters Θ = {u, v, v', c}: user vectors u_p, item input vectors v_i (the context of
 * eq. 5), item output vectors v'_k (the predicted side of eq. 3–6) and category vectors
 * c_l. The multi-level item vector of eq. 7 is ṽ'_k = v'_k + α3/|C_k|·Σ_{l∈C_k} c_l.
 *
 * - eq. 5 with eq. 9 (D_c): ln σ((α1·u_p + α2·v_i)·ṽ'_k) + Σ_g ln σ(−(α1·u_p + α2·v_i)·ṽ'_g),
 *   through the fused `skipgram_step` kernel (contextA = users, contextB = item inputs,
 *   output = item outputs, extra = categories with β = α3).
 * - eq. 6 with negative sampling (D_r): ln σ(u_p·(ṽ'_i − ṽ'_j)) per ranking triple,
 *   through the fused `bpr_step` kernel on (users, item outputs, categories).
 * - Regulariser Ω(Θ) = ‖Θ‖², as λ·θ on every row a step touches (the SGD form of eq. 8).
 *
 * Choices where the paper is open, and why:
 * - **Which item vector eq. 7 replaces.** "By replacing the item embedding in Eq. 5 and 6":
 *   the category term is added to the output vectors ṽ', the only item vectors eq. 6
 *   has, so the ranking and co-rated terms share one multi-level item vector; the
 *   context item v_i of eq. 5 stays a plain input vector (word2vec's two tables).
 * - **Eq. 9 drops α1, α2** (it writes σ(u·v'_k + v_i·v'_k)); eq. 5 defines them, and
 *   Fig. 2 varies α1, so the context is α1·u + α2·v_i with α2 = 1 − α1 everywhere.
 * - **Negatives** (`sampler.ts`): D⁻_c = D_r gives items the user has not rated; the
 *   negatives of a ranking triple are opposite triples, i.e. more ranking triples.
 * - **Ranking a user's items.** Eq. 4–6 score u_p·ṽ'_k; the variants with eq. 5 also
 *   learned v_i for the user's items, and P(v_k | u, v_i) over the user's items has the
 *   logit (α1·u_p + α2·v_i)·ṽ'_k. A user's score for item k is that logit at the mean of
 *   their training items, (α1·u_p + α2·v̄_p)·ṽ'_k; PR (no eq. 5) scores u_p·ṽ'_k.
 * - **Initialisation** ("small values", Algorithm 1 line 1): N(0, 0.01²) for every table,
 *   LearnBPR's. With N(0, 0.1²), PR on a 3,000-user Amazon Toys slice (fold 1 of 5, 30
 *   epochs) reached AUC 0.640 against 0.698 with 0.01: rarely updated items keep their
 *   random start and rank at random.
 * - **Stopping**: a fixed number of epochs (the paper's "until J converges"), chosen on
 *   a validation split by the reproduction.
 *
 * @see mrlr-multi-level-representation-learning-ranking.txt §3.2 (eq. 5), §3.3 (eq. 6),
 * §3.4 (eq. 7), §3.5 (eq. 8, 9, Algorithm 1), §4.1 (d = 10), Fig. 1 (the variants).
 */
import { add, Embedding, gather, matmul, MAX_PARTS, Module, mul, noGrad, runKernel, tensor, type Tensor, tidy } from '@rec/core';
import type { DotProductFactors, Recommender } from '../plugin/inference.js';
import type { Objective } from '../training/objectives.js';
import { type MaybePromise, readAndDispose } from '../training/read.js';
import { type ItemLists, rowMeans } from '../training/row-means.js';
import { MrlrSampler, type MrlrBatch } from './sampler.js';

/** The four variants of Fig. 1: which terms of eq. 8 train, and whether eq. 7 adds categories. */
export type MrlrVariant = 'rl' | 'pr' | 'rlr' | 'mrlr';

/** What each variant trains. */
export const VARIANT_TERMS: Readonly<Record<MrlrVariant, { coRated: boolean; ranking: boolean; categories: boolean }>> = {
  rl: { coRated: true, ranking: false, categories: false },
  pr: { coRated: false, ranking: true, categories: false },
  rlr: { coRated: true, ranking: true, categories: false },
  mrlr: { coRated: true, ranking: true, categories: true },
};

/** Sizes and weights of an {@link MRLR}. */
export interface MRLRConfig {
  readonly variant: MrlrVariant;
  readonly numUsers: number;
  readonly numItems: number;
  /** Category rows (MRLR only). */
  readonly numCategories?: number;
  /** d (§4.1: 10). */
  readonly dim: number;
  /** α1 of eq. 5 (α2 = 1 − α1). */
  readonly alpha1: number;
  /** α3 of eq. 7. */
  readonly alpha3: number;
  readonly seed: number;
}

/** Initial std of every table (Algorithm 1 line 1, "small values"). */
const INIT_STD = 0.01;

/** A user → items (or item → categories) list in CSR form. */
export type RowLists = ItemLists;

/**
 * The MRLR family's model. After `fit` the scoring vectors (each user's context vector
 * and each item's multi-level vector) are frozen into `profiles` and `itemVectors`, so a
 * saved model scores without its training data; while training, {@link live} computes
 * them from the current tables.
 *
 * @example
 * ```ts
 * const model = new MRLR({ variant: 'mrlr', numUsers, numItems, numCategories, dim: 10, alpha1: 0.8, alpha3: 0.1, seed: 1 });
 * ```
 */
export class MRLR extends Module implements Recommender {
  readonly users: Embedding;
  readonly itemsIn: Embedding;
  readonly itemsOut: Embedding;
  readonly categories: Embedding | undefined;
  /** Frozen α1·u + α2·v̄ per user (u for PR). */
  readonly profiles: Embedding;
  /** Frozen ṽ' per item (eq. 7). */
  readonly itemVectors: Embedding;
  readonly numItems: number;
  #live: { userItems: RowLists; itemCategories: RowLists | undefined } | undefined;

  constructor(readonly config: MRLRConfig) {
    super();
    const { numUsers, numItems, dim, seed, variant } = config;
    this.numItems = numItems;
    this.users = new Embedding(numUsers, dim, { seed, stream: 0, std: INIT_STD });
    this.itemsIn = new Embedding(numItems, dim, { seed, stream: 1, std: INIT_STD });
    this.itemsOut = new Embedding(numItems, dim, { seed, stream: 2, std: INIT_STD });
    if (VARIANT_TERMS[variant].categories) {
      if (!config.numCategories) throw new Error('mrlr: the model needs item categories (numCategories ≥ 1)');
      this.categories = new Embedding(config.numCategories, dim, { seed, stream: 3, std: INIT_STD });
    }
    this.profiles = new Embedding(numUsers, dim, { seed, stream: 4, std: 0 });
    this.itemVectors = new Embedding(numItems, dim, { seed, stream: 5, std: 0 });
  }

  /** α2 = 1 − α1 for the variants with eq. 5; PR's context is the user alone. */
  get alpha2(): number {
    return VARIANT_TERMS[this.config.variant].coRated ? 1 - this.config.alpha1 : 0;
  }

  /** The weight of u_p in the scoring context: α1, or 1 for PR. */
  get userWeight(): number {
    return VARIANT_TERMS[this.config.variant].coRated ? this.config.alpha1 : 1;
  }

  /** Score from the current tables (during training) with these lists. */
  live(userItems: RowLists, itemCategories: RowLists | undefined): void {
    this.#live = { userItems, itemCategories };
  }

  /** ṽ'_k for every item from the current tables (eq. 7). */
  #currentItemVectors(): Tensor {
    const lists = this.#live?.itemCategories;
    if (!this.categories || !lists) return this.itemsOut.weight;
    const all = new Int32Array(this.numItems);
    for (let i = 0; i < all.length; i++) all[i] = i;
    return add(this.itemsOut.weight, mul(rowMeans(this.categories.weight, lists, all), this.config.alpha3));
  }

  /** α1·u_p + α2·v̄_p for `users` from the current tables. */
  #currentProfiles(users: Int32Array): Tensor {
    const u = mul(gather(this.users.weight, tensor(users)), this.userWeight);
    if (this.alpha2 === 0) return u;
    return add(u, mul(rowMeans(this.itemsIn.weight, this.#live!.userItems, users), this.alpha2));
  }

  /** Freezes the scoring vectors from the current tables and stops live scoring. */
  async freeze(): Promise<void> {
    if (!this.#live) return;
    const all = new Int32Array(this.profiles.count);
    for (let u = 0; u < all.length; u++) all[u] = u;
    const [profiles, items] = tidy(() => noGrad(() => [this.#currentProfiles(all), this.#currentItemVectors()]));
    const [p, v] = await Promise.all([profiles.read(), items.read()]);
    if (items !== this.itemsOut.weight) items.dispose();
    profiles.dispose();
    this.profiles.weight.assign(p as Float32Array);
    this.itemVectors.weight.assign(v as Float32Array);
    this.#live = undefined;
  }

  /** Scores of `users` against every item, row-major; a promise on `webgpu`. */
  scoreUsers(users: Int32Array): MaybePromise<Float32Array> {
    const scores = tidy(() =>
      noGrad(() =>
        this.#live
          ? matmul(this.#currentProfiles(users), this.#currentItemVectors(), { transposeB: true })
          : matmul(gather(this.profiles.weight, tensor(users)), this.itemVectors.weight, { transposeB: true }),
      ),
    );
    return readAndDispose(scores);
  }

  /**
   * The score is ⟨profiles[u], itemVectors[i]⟩ once the derived tables are computed; while
   * training (the tables are derived on each call) `undefined`, so rankers use scoreUsers.
   */
  dotProductFactors(): DotProductFactors | undefined {
    return this.#live ? undefined : { users: this.profiles.weight, items: this.itemVectors.weight };
  }
}

/** Options of {@link MrlrObjective}. */
export interface MrlrObjectiveOptions {
  /** γ, the SGD step. */
  readonly learningRate: number;
  /** λ_Θ. */
  readonly l2: number;
  /** Native kernels run Hogwild (not reproducible) instead of the row-ordered schedule. */
  readonly hogwild: boolean;
  /** `skipgram_step`'s f32 variant on native (`fast`) for the D_c examples; `bpr_step` has none. */
  readonly fastMath?: boolean;
  /**
   * The kernels' `parts` (each part of a batch updates its own copy of the category rows).
   * Default: the backend's thread count, so that the same REC_THREADS gives the same model and
   * one thread (and js, webgpu) is the serial semantics; `bench:mrlr-threads` sets it to
   * compare schedules.
   */
  readonly parts?: number;
}

/**
 * Algorithm 1's parameter update (lines 6–11) as one fused objective: each batch runs
 * `skipgram_step` over its D_c examples and `bpr_step` over its D_r triples, in place.
 * The loss is the sum of the two terms' per-example means.
 */
export class MrlrObjective implements Objective<MrlrBatch> {
  readonly fused = true;
  readonly #extra: Tensor[];

  constructor(
    readonly model: MRLR,
    readonly sampler: MrlrSampler,
    itemCategories: RowLists | undefined,
    readonly options: MrlrObjectiveOptions,
  ) {
    if (!(options.learningRate > 0)) throw new Error(`mrlr: learningRate must be > 0, got ${options.learningRate}`);
    if (!(options.l2 >= 0)) throw new Error(`mrlr: l2 must be ≥ 0, got ${options.l2}`);
    this.#extra = model.categories && itemCategories ? [model.categories.weight, tensor(itemCategories.indptr), tensor(itemCategories.indices)] : [];
  }

  batches(): number {
    return this.sampler.batches();
  }

  prepare(epoch: number, index: number): MaybePromise<MrlrBatch> {
    return this.sampler.batch(epoch, index);
  }

  batch(_epoch: number, _index: number, b: MrlrBatch): { loss: Tensor | number; examples: number } {
    const { model } = this;
    const { learningRate: lr, l2: reg, hogwild, fastMath = false } = this.options;
    const parts = this.options.parts ?? Math.min(model.users.weight.backend.threads?.() ?? 1, MAX_PARTS);
    const losses: Tensor[] = [];
    const N = this.sampler.options.negatives;
    if (b.coUsers.length > 0) {
      const [loss] = runKernel(
        'skipgram_step',
        [model.users.weight, model.itemsIn.weight, model.itemsOut.weight, tensor(b.coUsers), tensor(b.coItems), tensor(b.coTargets), tensor(b.coNegatives, [b.coUsers.length, N]), ...this.#extra],
        { alpha1: model.config.alpha1, alpha2: 1 - model.config.alpha1, extraWeight: model.config.alpha3, lr, reg, hogwild, fast: fastMath, parts },
      );
      losses.push(loss);
    }
    if (b.rankUsers.length > 0) {
      const [loss] = runKernel(
        'bpr_step',
        [model.users.weight, model.itemsOut.weight, tensor(b.rankUsers), tensor(b.rankPositives), tensor(b.rankNegatives), ...this.#extra],
        { lr, reg, hogwild, extraWeight: model.config.alpha3, parts },
      );
      losses.push(loss);
    }
    return { loss: losses.length === 2 ? add(losses[0], losses[1]) : losses[0], examples: b.coUsers.length + b.rankUsers.length };
  }
}
