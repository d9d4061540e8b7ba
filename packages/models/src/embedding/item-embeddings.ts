/**
 * The model of the item-embedding baselines, Item2Vec (Barkan & Koenigstein 2016) and
 * Meta-Prod2Vec (Vasile, Smirnova & Conneau 2016): word2vec's two tables over a
 * vocabulary (items, then Meta-Prod2Vec's categories), an input vector v_w and an
 * output vector v'_w per token, trained by skip-gram with negative sampling.
 *
 * Both papers learn item-to-item similarities and rank no user; MRLR (§4.3) ranks
 * users' items with them without saying how. The default score (`scoring: 'logit'`) is
 * the SGNS logit of "k co-occurs with i" — what training fits, Item2Vec eq. 1 —
 * averaged over the user's training items I_u:
 *
 *   s(u, k) = (1/|I_u|) Σ_{i∈I_u} ⟨v_i, v'_k⟩ = ⟨p_u, v'_k⟩,   p_u = (1/|I_u|) Σ_{i∈I_u} v_i
 *
 * The alternative `scoring: 'cosine'` is item-based CF with the papers' own item
 * similarity (Item2Vec §4 ranks neighbours by the cosine of the item vectors), averaged
 * over I_u: s(u, k) = (1/|I_u|) Σ_i cos(v_i, v_k) = ⟨(1/|I_u|) Σ_i v̂_i, v̂_k⟩, v̂ = v/‖v‖.
 * Reason for the default: on a 5-core slice of Amazon Toys both rank alike once trained
 * (AUC 0.783 each), but where the data has items seen only at test time the logit leaves
 * them at 0 (their output vector never moves: unigram weight 0, never a target), while
 * their random input vectors make the cosine noise (first 2,000 Toys users, no core:
 * 0.743 against 0.634). Undertrained, the logit ranks popular items low (they are the
 * commonest negatives, so a shifted PMI(i, k) pushes them down for every context they
 * do not co-occur with): give it the epochs or step to converge. Both are linear in a
 * per-user vector p_u, so scoring is one matrix product.
 *
 * While training, p_u is computed from the current tables and the user's item lists
 * ({@link ItemEmbeddings.live}); {@link ItemEmbeddings.freeze} then stores every p_u in
 * `profiles`, a parameter no step trains, so a saved model scores without its training
 * data. An item never seen in training keeps its initial vectors (never a target, never
 * a negative: its unigram weight is 0).
 *
 * Initialisation is word2vec's: input vectors U(−0.5/d, 0.5/d), output vectors 0
 * (`syn0` and `syn1neg` of word2vec.c, which both papers' implementations start from).
 *
 * @see Barkan & Koenigstein, "Item2Vec: Neural Item Embedding for Collaborative
 *   Filtering", MLSP 2016, §3 (eq. 1), §4; Vasile et al., "Meta-Prod2Vec", RecSys 2016, §3.
 */
import { add, div, gather, matmul, Module, noGrad, Parameter, slice, sqrt, square, sum, tensor, type Tensor, tidy, uniformInit } from '@rec/core';
import type { Recommender } from '../plugin/inference.js';
import { type MaybePromise, readAndDispose } from '../training/read.js';
import { type ItemLists, rowMeans } from '../training/row-means.js';

export type { ItemLists } from '../training/row-means.js';

/**
 * How a user's items are scored (see the file's header): the mean SGNS logit
 * ⟨v_i, v'_k⟩ over the user's items (`logit`), or the mean cosine of their input vectors
 * with the item's (`cosine`).
 */
export type EmbeddingScoring = 'cosine' | 'logit';

/** Sizes of an {@link ItemEmbeddings}. */
export interface ItemEmbeddingsConfig {
  readonly numUsers: number;
  readonly numItems: number;
  /** Tokens of the vocabulary: `numItems` for Item2Vec, `numItems + numCategories` for Meta-Prod2Vec (items first). */
  readonly vocabulary: number;
  /** d (MRLR §4.1: 10). */
  readonly dim: number;
  readonly seed: number;
  /** Default `logit`. */
  readonly scoring?: EmbeddingScoring;
}

/**
 * Each row of `x` divided by its Euclidean norm (a zero row stays 0).
 * @example
 * ```ts
 * unitRows(tensor([3, 4, 0, 0], [2, 2])); // [[0.6, 0.8], [0, 0]]
 * ```
 */
export function unitRows(x: Tensor): Tensor {
  return div(x, sqrt(add(sum(square(x), 1, { keepDims: true }), 1e-24)));
}

export { rowMeans } from '../training/row-means.js';

/**
 * Input and output vectors over a vocabulary of items (then categories), and the frozen
 * user profiles p_u that rank items (see the file's header).
 *
 * @example
 * ```ts
 * const model = new ItemEmbeddings({ numUsers: 100, numItems: 50, vocabulary: 50, dim: 10, seed: 1 });
 * model.live(userItems);            // score from the current tables while training
 * await model.freeze();             // store p_u; the model now scores without its data
 * const scores = await model.scoreUsers(Int32Array.of(0)); // 1 × 50
 * ```
 */
export class ItemEmbeddings extends Module implements Recommender {
  /** v_w, `[vocabulary, d]`: the context side of every SGNS example. */
  readonly input: Parameter;
  /** v'_w, `[vocabulary, d]`: the predicted side. */
  readonly output: Parameter;
  /** p_u, `[numUsers, d]`: each user's mean input item vector (of unit vectors, for cosine), set by {@link freeze}; never trained. */
  readonly profiles: Parameter;
  readonly numItems: number;
  #live: ItemLists | undefined;

  constructor(readonly config: ItemEmbeddingsConfig) {
    super();
    const { numUsers, numItems, vocabulary, dim, seed } = config;
    if (!(Number.isInteger(vocabulary) && vocabulary >= numItems)) throw new Error(`ItemEmbeddings: vocabulary must be an integer ≥ numItems (${numItems}), got ${vocabulary}`);
    this.numItems = numItems;
    this.input = new Parameter(uniformInit([vocabulary, dim], -0.5 / dim, 0.5 / dim, { seed, stream: 0 }), [vocabulary, dim]);
    this.output = new Parameter(new Float32Array(vocabulary * dim), [vocabulary, dim]);
    this.profiles = new Parameter(new Float32Array(numUsers * dim), [numUsers, dim]);
  }

  /** Scores from the current input table and these user → item lists until {@link freeze}. */
  live(userItems: ItemLists): void {
    if (userItems.indptr.length !== this.profiles.shape[0] + 1) throw new Error(`ItemEmbeddings.live: the user lists have ${userItems.indptr.length - 1} rows, the model ${this.profiles.shape[0]} users`);
    this.#live = userItems;
  }

  /** Stores p_u of every user from the current input table and stops live scoring. */
  async freeze(): Promise<void> {
    const lists = this.#live;
    if (!lists) return;
    const all = Int32Array.from({ length: this.profiles.shape[0] }, (_, u) => u);
    const profiles = tidy(() => noGrad(() => rowMeans(this.#profileRows(), lists, all)));
    const values = await profiles.read();
    profiles.dispose();
    this.profiles.assign(values as Float32Array);
    this.#live = undefined;
  }

  /** The items' rows of a vocabulary table (its first `numItems`). */
  #items(table: Tensor): Tensor {
    return table.shape[0] === this.numItems ? table : slice(table, [0, 0], [this.numItems, -1]);
  }

  /** What p_u averages over the user's items: v_i (logit) or v̂_i (cosine), one row per item. */
  #profileRows(): Tensor {
    return this.config.scoring === 'cosine' ? unitRows(this.#items(this.input)) : this.#items(this.input);
  }

  /** What p_u is multiplied with: v'_k (logit) or v̂_k (cosine), one row per item. */
  #itemRows(): Tensor {
    return this.config.scoring === 'cosine' ? unitRows(this.#items(this.input)) : this.#items(this.output);
  }

  /** ⟨p_u, v'_k⟩ (logit) or ⟨p_u, v̂_k⟩ (cosine) for `users` against every item, row-major; a promise on `webgpu`. */
  scoreUsers(users: Int32Array): MaybePromise<Float32Array> {
    const live = this.#live;
    const scores = tidy(() =>
      noGrad(() => {
        const p = live ? rowMeans(this.#profileRows(), live, users) : gather(this.profiles, tensor(users));
        return matmul(p, this.#itemRows(), { transposeB: true });
      }),
    );
    return readAndDispose(scores);
  }
}
