import {
  add, Embedding, gather, matmul, Module, mul, noGrad, Parameter, reshape, scatterAdd, square, sub, sum, tensor, type Tensor, tidy, zeros,
} from '@rec/core';
import { scoreInBlocks } from '../ncf/rows.js';
import type { Recommender } from '../plugin/inference.js';
import { andThen, type MaybePromise } from '../training/read.js';
import type { RatingRegressor } from '../training/squared.js';

/** Item → categories in CSR form: item i's categories are `indices[indptr[i] … indptr[i+1])`. */
export interface ItemCategoryLists {
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
}

/** Hyper-parameters of {@link FM}. */
export interface FMConfig {
  readonly numUsers: number;
  readonly numItems: number;
  readonly numCategories: number;
  /** Each item's categories (the multi-hot block of x), over `numItems` items. */
  readonly itemCategories: ItemCategoryLists;
  /** Factor size k (default 10, MRLR §4.1's d). */
  readonly dim?: number;
  readonly seed?: number;
  /** Standard deviation of the initial factors v (default 0.1, libFM's `init_stdev`); every w starts at 0. */
  readonly initStd?: number;
  /** λ_w, the 1-way (w_0 excepted) regularisation of {@link FM.predictRows}' penalty (default 0). */
  readonly l2Linear?: number;
  /** λ_v, the 2-way (factor) regularisation of {@link FM.predictRows}' penalty (default 0). */
  readonly l2Factors?: number;
}

/**
 * A 2-way factorization machine (Rendle, "Factorization Machines", ICDM 2010, §III eq. 1):
 *
 *   ŷ(x) = w_0 + Σ_j w_j x_j + Σ_{j<j'} ⟨v_j, v_j'⟩ x_j x_j'
 *
 * over x = [user one-hot | item one-hot | the item's categories], computed in O(k·n) by
 * Lemma 3.1 (eq. 5):
 *
 *   Σ_{j<j'} ⟨v_j, v_j'⟩ x_j x_j' = ½ Σ_f [ (Σ_j v_jf x_j)² − Σ_j v_jf² x_j² ].
 *
 * MRLR §4.1's FM is "factorization machine fusing item category", a rating prediction
 * method (§4.3); its grid tunes the "1/2-way regularization of FM".
 *
 * Choices:
 * - the categories are a multi-hot block with each of the item's |C_i| categories at
 *   1/|C_i|, the normalisation Rendle's own examples (and libFM's users) give a
 *   set-valued attribute so that every item's block sums to 1; an item without
 *   categories has an empty block;
 * - fitted as rating prediction on implicit feedback: least-squares regression (§III-B)
 *   on observed pairs (1) and sampled unobserved pairs (0), see `SquaredPointwiseObjective`;
 * - L2 regularisation (§III-B) with one λ per order, as libFM's `-regular r0,r1,r2` and
 *   its per-case SGD (§III-C) apply it: each row adds λ_w·w_j² and λ_v·‖v_j‖² for every
 *   feature j present in it (w_0 unregularised, libFM's default r0 = 0), so the trainer
 *   runs without weight decay;
 * - w start at 0 and v at N(0, 0.1²), libFM's defaults;
 * - the category lists of the items travel with the model (its saved state), since ŷ of
 *   (u, i) needs them; scoring all items precomputes, per item, q_i = v_i + Σ_c x_c v_c
 *   and b_i = w_i + Σ_c x_c w_c + ½(‖q_i‖² − ‖v_i‖² − Σ_c x_c²‖v_c‖²), so
 *   ŷ(u, i) = w_0 + w_u + b_i + ⟨v_u, q_i⟩ exactly (eq. 5 with the user's block expanded).
 *
 * @example
 * ```ts
 * const fm = new FM({ numUsers: 3, numItems: 4, numCategories: 2, itemCategories: { indptr: Int32Array.of(0, 1, 3, 3, 4), indices: Int32Array.of(0, 0, 1, 1) } });
 * const scores = await fm.scoreUsers(Int32Array.of(0)); // ŷ of user 0 against the 4 items
 * ```
 * @see MRLR §4.1 (baseline 3) and Table 2.
 */
export class FM extends Module implements Recommender, RatingRegressor {
  /** w_0. */
  readonly bias: Parameter;
  readonly userWeights: Embedding;
  readonly itemWeights: Embedding;
  readonly categoryWeights: Embedding;
  readonly userFactors: Embedding;
  readonly itemFactors: Embedding;
  readonly categoryFactors: Embedding;
  readonly numItems: number;
  readonly numBehaviors = 1;
  readonly itemCategories: ItemCategoryLists;

  constructor(readonly config: FMConfig) {
    super();
    const { numUsers, numItems, itemCategories } = config;
    const numCategories = Math.max(1, config.numCategories);
    const dim = config.dim ?? 10;
    const seed = config.seed ?? 0;
    const std = config.initStd ?? 0.1;
    if (itemCategories.indptr.length !== numItems + 1 || itemCategories.indptr[numItems] !== itemCategories.indices.length) {
      throw new Error(`FM: itemCategories must be a CSR over ${numItems} items (indptr of ${numItems + 1} entries ending at indices.length)`);
    }
    for (const c of itemCategories.indices) if (!(c >= 0 && c < numCategories)) throw new Error(`FM: an item has category ${c}, outside [0, ${numCategories})`);
    this.numItems = numItems;
    this.itemCategories = itemCategories;
    this.bias = new Parameter(new Float32Array(1), [1]);
    this.userWeights = new Embedding(numUsers, 1, { seed, stream: 0, std: 0 });
    this.itemWeights = new Embedding(numItems, 1, { seed, stream: 1, std: 0 });
    this.categoryWeights = new Embedding(numCategories, 1, { seed, stream: 2, std: 0 });
    this.userFactors = new Embedding(numUsers, dim, { seed, stream: 3, std });
    this.itemFactors = new Embedding(numItems, dim, { seed, stream: 4, std });
    this.categoryFactors = new Embedding(numCategories, dim, { seed, stream: 5, std });
  }

  /**
   * ŷ of each (users[r], items[r]) by the O(k·n) form (Lemma 3.1), and the mean over the
   * rows of λ_w·Σ_j w_j² + λ_v·Σ_j ‖v_j‖² over the features j present in each row (user,
   * item, the item's categories; libFM's per-case SGD regularisation).
   */
  predictRows(users: Int32Array, items: Int32Array): { prediction: Tensor; penalty: Tensor } {
    const n = users.length;
    const u = tensor(users);
    const i = tensor(items);
    const vu = this.userFactors.forward(u);
    const vi = this.itemFactors.forward(i);
    const wu = reshape(this.userWeights.forward(u), [n]);
    const wi = reshape(this.itemWeights.forward(i), [n]);
    const cats = this.#categoryBlocks(items);
    const s = add(add(vu, vi), cats.sum);
    const squares = add(add(sum(square(vu), 1), sum(square(vi), 1)), cats.squares);
    const pairwise = mul(sub(sum(square(s), 1), squares), 0.5);
    const prediction = add(add(add(wu, wi), cats.linear), add(pairwise, this.bias));
    const linearPrior = add(add(sum(square(wu)), sum(square(wi))), cats.weightPrior);
    const factorPrior = add(add(sum(square(vu)), sum(square(vi))), cats.factorPrior);
    const penalty = add(mul(linearPrior, (this.config.l2Linear ?? 0) / n), mul(factorPrior, (this.config.l2Factors ?? 0) / n));
    return { prediction, penalty };
  }

  /** ŷ(u, i) of `users` against every item, row-major; a promise on `webgpu`. */
  scoreUsers(users: Int32Array): MaybePromise<Float32Array> {
    const side = tidy(() => noGrad(() => this.#itemSide()));
    const scores = scoreInBlocks(users, this.numItems, 512, (block) => {
      const u = tensor(block);
      const userPart = add(reshape(gather(this.userWeights.weight, u), [block.length, 1]), this.bias);
      return add(add(matmul(gather(this.userFactors.weight, u), side.q, { transposeB: true }), side.b), userPart);
    });
    return andThen(scores, (values) => {
      side.q.dispose();
      side.b.dispose();
      return values;
    });
  }

  /** q_i = v_i + Σ_c x_c v_c `[I, k]` and b_i `[1, I]` of every item (see the class comment). */
  #itemSide(): { q: Tensor; b: Tensor } {
    const I = this.numItems;
    const all = new Int32Array(I);
    for (let i = 0; i < I; i++) all[i] = i;
    const cats = this.#categoryBlocks(all);
    const vi = this.itemFactors.weight;
    const q = add(vi, cats.sum);
    const own = mul(sub(sub(sum(square(q), 1), sum(square(vi), 1)), cats.squares), 0.5);
    return { q, b: reshape(add(add(reshape(this.itemWeights.weight, [I]), cats.linear), own), [1, I]) };
  }

  /**
   * The category block of x for each of `items` (one row each): Σ_c x_c v_c `[n, k]`,
   * Σ_c x_c²‖v_c‖² `[n]`, Σ_c x_c w_c `[n]`, and over all rows Σ w_c² and Σ ‖v_c‖²
   * (the priors of the categories present), with x_c = 1/|C_i|. Laid out on the host as
   * one flat list of (row, category, x) and summed per row by `scatterAdd`.
   */
  #categoryBlocks(items: Int32Array): { sum: Tensor; squares: Tensor; linear: Tensor; weightPrior: Tensor; factorPrior: Tensor } {
    const n = items.length;
    const { indptr, indices } = this.itemCategories;
    let nnz = 0;
    for (const i of items) nnz += indptr[i + 1] - indptr[i];
    const dim = this.userFactors.dim;
    if (nnz === 0) {
      const none = zeros([n]);
      return { sum: zeros([n, dim]), squares: none, linear: none, weightPrior: zeros([]), factorPrior: zeros([]) };
    }
    const flat = new Int32Array(nnz);
    const row = new Int32Array(nnz);
    const x = new Float32Array(nnz);
    // x repeated along the factor axis: a same-shape product is cheaper than a broadcast one.
    const xWide = new Float32Array(nnz * dim);
    // 1/x_c² = |C_i|², to read ‖v_c‖² off ‖x_c v_c‖² for the prior.
    const inverseSquare = new Float32Array(nnz);
    let at = 0;
    for (let r = 0; r < n; r++) {
      const lo = indptr[items[r]];
      const count = indptr[items[r] + 1] - lo;
      const value = 1 / count;
      for (let k = 0; k < count; k++, at++) {
        flat[at] = indices[lo + k];
        row[at] = r;
        x[at] = value;
        inverseSquare[at] = count * count;
        for (let f = at * dim; f < (at + 1) * dim; f++) xWide[f] = value;
      }
    }
    const c = tensor(flat);
    const rows = tensor(row);
    const vc = this.categoryFactors.forward(c);
    const wc = reshape(this.categoryWeights.forward(c), [nnz]);
    const xvc = mul(vc, tensor(xWide, [nnz, dim]));
    // ‖v_c‖² = ‖x_c v_c‖² / x_c²: the prior from the squares already taken, not a second pass over v.
    const squares = sum(square(xvc), 1);
    return {
      sum: scatterAdd(zeros([n, dim]), rows, xvc),
      squares: scatterAdd(zeros([n]), rows, squares),
      linear: scatterAdd(zeros([n]), rows, mul(wc, tensor(x))),
      weightPrior: sum(square(wc)),
      factorPrior: sum(mul(squares, tensor(inverseSquare))),
    };
  }
}
