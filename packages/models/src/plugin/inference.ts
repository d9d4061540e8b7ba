/**
 * Inference for every kind of model: what a trained model answers — item scores,
 * category scores, ratings — and the batched top-K and rating calls that `rec eval`,
 * `rec recommend`, the server and the browser all go through.
 */
import { gather, mul, runKernel, type Tensor, tensor, tidy } from '@rec/core';
import type { UserItemCSR } from '@rec/data';
import { type RankUsers, topKIndices } from '@rec/eval';
import { type MaybePromise, readAndDispose } from '../training/read.js';
import type { ModelOutput } from './data.js';

/**
 * A model that scores users against the whole catalogue (output `items`).
 * @example
 * ```ts
 * const scores = await model.scoreUsers(Int32Array.of(0, 1)); // 2 × numItems, row-major
 * ```
 */
export interface Recommender {
  /** Size of the item index space the scores cover. */
  readonly numItems: number;
  /**
   * Scores of `users` against every item, row-major `users.length × numItems`;
   * higher is better. Evaluation masks training items itself.
   */
  scoreUsers(users: Int32Array): Float32Array | Promise<Float32Array>;
  /**
   * Optional, for models whose score is a dot product: the tables with scoreUsers(u)[i] =
   * ⟨users[u], items[i]⟩ (f32 rows on the model's backend), or `undefined` while the scores
   * are not such a product (e.g. mid-training, before derived tables are computed). With it,
   * evaluation and top-K go through the `rank_topk` kernel, which scores, masks and selects in
   * one pass without the users × items score matrix (on Tmall's 41,314 test users × 11,953 items
   * that matrix is 2 GB of scores, copied and sorted in JS). Callers call it inside `tidy`, so
   * a model may compute small derived tensors here (GMF's h, NMTR's summed item biases) and
   * they are freed with the scope; the model's own tables, made outside it, are not. Do not
   * dispose or write what it returns.
   */
  dotProductFactors?(): DotProductFactors | undefined;
  /**
   * Optional: each item's vector, f32 `[numItems, d]` on the model's backend, for "similar
   * items" (cosine between rows), where the model has one and no dot-product factors (a
   * sequence model's shared item embeddings). Callers call it inside `tidy`, so it may return
   * a derived tensor (a slice of a table); do not dispose or write what it returns.
   */
  itemEmbeddings?(): Tensor;
}

/**
 * The tables of a dot-product scorer: user u's score of item i is
 * ⟨users[u] ⊙ userWeights, items[i]⟩ + itemBias[i] (without the optional parts,
 * ⟨users[u], items[i]⟩).
 * @example
 * ```ts
 * const factors = model.dotProductFactors?.(); // { users: [numUsers, d], items: [numItems, d] }
 * ```
 */
export interface DotProductFactors {
  readonly users: Tensor;
  readonly items: Tensor;
  /** f32 [d]: weights applied to each user row before the product (GMF's output layer h, eq. 10 of NCF). */
  readonly userWeights?: Tensor;
  /** f32 [numItems]: a score added per item (NMTR's item biases b_i of eq. 9). */
  readonly itemBias?: Tensor;
}

/**
 * A model that scores users against every category (output `categories`, CCRec).
 * @example
 * ```ts
 * const scores = await model.scoreCategories(Int32Array.of(0)); // 1 × numCategories
 * ```
 */
export interface CategoryScorer {
  readonly numCategories: number;
  /** Scores of `users` against every category, row-major `users.length × numCategories`; higher is better. */
  scoreCategories(users: Int32Array): Float32Array | Promise<Float32Array>;
}

/**
 * A model that predicts explicit ratings of (user, item) pairs (output `ratings`, RnR).
 * @example
 * ```ts
 * const r = await model.predictRatings(Int32Array.of(0, 0), Int32Array.of(3, 7)); // 2 ratings
 * ```
 */
export interface RatingPredictor {
  /** The predicted rating of each aligned (users[k], items[k]) pair. */
  predictRatings(users: Int32Array, items: Int32Array): Float32Array | Promise<Float32Array>;
}

/**
 * A model that scores a user it was not trained on from their items alone: a sequence
 * model runs its encoder over them (fold-in for models without a user row; factor models
 * fold in through {@link DotProductFactors} instead, see `foldInUsers`).
 * @example
 * ```ts
 * const scores = await model.scoreHistories([Int32Array.of(4, 9, 2)]); // 1 × numItems
 * ```
 */
export interface HistoryScorer {
  /** Scores of each history (item indexes, oldest first) against every item, row-major `histories.length × numItems`. */
  scoreHistories(histories: readonly Int32Array[]): Float32Array | Promise<Float32Array>;
}

/** Any trained model: it implements the interface of each output it declares. */
export type Predictor = Partial<Recommender> & Partial<CategoryScorer> & Partial<RatingPredictor> & Partial<HistoryScorer>;

/** One user's top K: indexes best first, with their scores. */
export interface TopK {
  readonly items: Int32Array;
  readonly scores: Float32Array;
}

/** Each user's excluded items, sorted ascending (a `UserItemCSR` is one). */
type Excluded = Pick<UserItemCSR, 'rowOf'>;

/**
 * The top `k` of each of `users` by the model's dot-product factors through `rank_topk`, each
 * user's row of `exclude` masked: the kernel's [indexes i32 [B, width], scores f32 [B, width]]
 * (−1 and −∞ past the unmasked items) and the width (`k`, or the number of items when
 * `clampToItems` and there are fewer), on the factors' backend; undefined when the model has
 * no factors now. The factors are asked for once, inside the scope (derived ones are freed
 * with it). The caller reads what it needs and disposes both tensors.
 */
function rankTopK(model: Predictor, users: Int32Array, k: number, exclude: Excluded | undefined, clampToItems = false): [Tensor, Tensor, number] | undefined {
  const excluded = Array.from(users, (u) => exclude?.rowOf(u) ?? EMPTY);
  return tidy(() => {
    const factors = factorsOf(model);
    if (!factors) return undefined;
    const width = clampToItems ? Math.min(k, factors.items.shape[0]!) : k;
    const block = gather(factors.users, tensor(users, undefined, { backend: factors.users.backend }));
    const [top, scores] = rankRows(block, factors.items, excluded, width, factors);
    return [top, scores, width] as [Tensor, Tensor, number];
  });
}

/**
 * `rank_topk` of the rows of `block` [B, d] against `items` [N, d]: row b's score of item i is
 * ⟨block[b] ⊙ userWeights, items[i]⟩ + itemBias[i], `excluded[b]` (sorted indexes) masked.
 * Returns the kernel's [indexes i32 [B, k], scores f32 [B, k]]; call inside `tidy`.
 */
function rankRows(block: Tensor, items: Tensor, excluded: readonly Int32Array[], k: number, extra: Pick<DotProductFactors, 'userWeights' | 'itemBias'> = {}): [Tensor, Tensor] {
  const indptr = new Int32Array(excluded.length + 1);
  excluded.forEach((row, b) => (indptr[b + 1] = indptr[b]! + row.length));
  const indices = new Int32Array(indptr[excluded.length]!);
  excluded.forEach((row, b) => indices.set(row, indptr[b]));
  const backend = items.backend;
  const rows = extra.userWeights ? mul(block, extra.userWeights) : block;
  const inputs = [rows, items, tensor(indptr, undefined, { backend }), tensor(indices, undefined, { backend })];
  if (extra.itemBias) inputs.push(extra.itemBias);
  return runKernel('rank_topk', inputs, { k }) as [Tensor, Tensor];
}

/** The item side of a `rank_topk` scoring: rows, and optionally GMF's weights and an item bias. */
export type RankTables = Pick<DotProductFactors, 'items' | 'userWeights' | 'itemBias'>;

/**
 * The top `k` items of each row of `vectors` (f32 `[B · d]`, host) through `rank_topk`, row
 * b's `excluded[b]` (sorted item indexes) left out: score ⟨vectors[b] ⊙ userWeights,
 * items[i]⟩ + itemBias[i]. `tables` is called inside the kernel's scope, so it may derive
 * tensors (a model's `dotProductFactors`). What fold-in (a new user's solved vector) and
 * similar items (a normalised item row against normalised rows) rank by.
 * @throws Error when `k` is not a positive integer or `vectors` is not whole rows of d.
 * @example
 * ```ts
 * const [top] = await topKOfVectors(Float32Array.of(0.1, 0.2), () => ({ items: itemTable }), 10, [Int32Array.of(3)]);
 * ```
 */
export async function topKOfVectors(vectors: Float32Array, tables: () => RankTables, k: number, excluded: readonly Int32Array[]): Promise<TopK[]> {
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`topK: k must be a positive integer, got ${k}`);
  const batch = excluded.length;
  let width = 0;
  const [top, scores] = tidy(() => {
    const t = tables();
    const [numItems, d] = t.items.shape as [number, number];
    if (vectors.length !== batch * d) throw new Error(`topKOfVectors: ${vectors.length} values are not ${batch} rows of ${d}`);
    width = Math.min(k, numItems);
    return rankRows(tensor(vectors, [batch, d], { backend: t.items.backend }), t.items, excluded, width, t);
  });
  return unpackTopK(await Promise.all([readAndDispose<Int32Array>(top), readAndDispose<Float32Array>(scores)]), batch, width);
}

/** The kernel's padded [B, width] indexes and scores as one {@link TopK} per row, cut at the first −1. */
function unpackTopK([items, values]: [Int32Array, Float32Array], batch: number, width: number): TopK[] {
  return Array.from({ length: batch }, (_, b) => {
    const row = items.subarray(b * width, (b + 1) * width);
    const padded = row.indexOf(-1);
    const n = padded === -1 ? width : padded;
    return { items: row.slice(0, n), scores: values.slice(b * width, b * width + n) };
  });
}

const EMPTY = new Int32Array(0);

/** The model's dot-product factors now, or undefined (it scores otherwise, or not yet); call inside `tidy`. */
export function factorsOf(model: Predictor): DotProductFactors | undefined {
  return typeof model.dotProductFactors === 'function' ? model.dotProductFactors() : undefined;
}

/** Whether the model scores by dot-product factors now (its derived tensors freed at once). */
export function hasFactors(model: Predictor): boolean {
  return typeof model.dotProductFactors === 'function' && tidy(() => factorsOf(model) !== undefined);
}

/**
 * A masked top-K ranker for `model` when its scores are a dot product (it gives
 * {@link Recommender.dotProductFactors}), else `undefined` (rank with `scoreUsers` then).
 * Each call gathers the block's user rows and runs `rank_topk` against the item table,
 * masking each user's row of `exclude` (sorted indexes); the result is what
 * `evaluateFullRanking`'s `rankUsers` takes (row-major users × k, best first, −1 past the
 * unmasked items).
 *
 * Scores agree with `scoreUsers` up to f32 rounding (`rank_topk` and matmul may sum in
 * different orders), so two items within a rounding of each other may swap places; exact
 * ties go to the lower index on both paths.
 *
 * @example
 * ```ts
 * const rankUsers = maskedRanker(model, trainMask);
 * const ranking = rankUsers ? { rankUsers } : { scoreUsers: (u: Int32Array) => model.scoreUsers!(u) };
 * const result = await evaluateFullRanking({ numItems, testItems, trainMask, ks: [10], ...ranking });
 * ```
 */
export function maskedRanker(model: Predictor, exclude: Excluded): RankUsers | undefined {
  if (!hasFactors(model)) return undefined;
  return (users, k) => {
    const ranked = rankTopK(model, users, k, exclude);
    if (!ranked) throw new Error('rank: the model no longer gives dot-product factors (it was trained since the ranker was made)');
    const [top, scores] = ranked;
    scores.dispose(); // evaluation needs the order only
    return readAndDispose<Int32Array>(top);
  };
}

/**
 * `evaluateFullRanking`'s ranking options for `model`: `rankUsers` through `rank_topk` when
 * its scores are a dot product, else its `scoreUsers`.
 * @example
 * ```ts
 * await evaluateFullRanking({ numItems, testItems, trainMask, ks: [100], ...rankingOf(model, trainMask) });
 * ```
 */
export function rankingOf(model: Predictor, exclude: Excluded): { rankUsers: RankUsers } | { scoreUsers: (users: Int32Array) => MaybePromise<Float32Array> } {
  const rankUsers = maskedRanker(model, exclude);
  if (rankUsers) return { rankUsers };
  if (typeof model.scoreUsers !== 'function') throw new Error('rankingOf: the model scores no items (no scoreUsers)');
  return { scoreUsers: (users) => model.scoreUsers!(users) };
}

const METHOD_OF = { items: 'scoreUsers', categories: 'scoreCategories', ratings: 'predictRatings' } as const;

/**
 * Checks that `model` implements `output` (the method of its interface exists).
 * @param name - the model's name, for the message.
 * @throws Error naming the model, the output and the outputs it has.
 * @example
 * ```ts
 * requireOutput(model, 'categories', 'bpr', ['items']); // Error: bpr predicts items, not categories
 * ```
 */
export function requireOutput(model: Predictor, output: ModelOutput, name: string, outputs: readonly ModelOutput[]): void {
  if (!outputs.includes(output) || typeof model[METHOD_OF[output]] !== 'function') {
    throw new Error(`${name} predicts ${outputs.join(' and ')}, not ${output}`);
  }
}

/**
 * The top `k` of each of `users` over items or categories, excluding each user's row of
 * `exclude` (sorted indexes, e.g. the training purchases), scored in one batch.
 * Ties go to the lower index.
 *
 * @param output - `items` (needs {@link Recommender}) or `categories` (needs {@link CategoryScorer}).
 * @throws Error when a user index or `k` is invalid or the model lacks the output.
 * @example
 * ```ts
 * const [top] = await topKFor(model, 'items', Int32Array.of(5), 10, trainPurchases);
 * top.items; // the 10 best items of user 5 not bought in training
 * ```
 */
export async function topKFor(
  model: Predictor, output: 'items' | 'categories', users: Int32Array, k: number, exclude?: Pick<UserItemCSR, 'rowOf'>,
): Promise<TopK[]> {
  for (const user of users) if (!Number.isInteger(user) || user < 0) throw new Error(`topK: user must be a non-negative integer index, got ${user}`);
  if (output === 'items' && typeof model.dotProductFactors === 'function') {
    if (!(Number.isInteger(k) && k >= 1)) throw new Error(`topK: k must be a positive integer, got ${k}`);
    const ranked = rankTopK(model, users, k, exclude, true);
    if (ranked) {
      const [top, scores, width] = ranked;
      return unpackTopK(await Promise.all([readAndDispose<Int32Array>(top), readAndDispose<Float32Array>(scores)]), users.length, width);
    }
  }
  const scores = output === 'items' ? await model.scoreUsers!(users) : await model.scoreCategories!(users);
  const width = users.length ? scores.length / users.length : 0;
  return Array.from(users, (user, b) => {
    const row = scores.subarray(b * width, (b + 1) * width);
    const items = topKIndices(row, k, exclude?.rowOf(user));
    return { items, scores: Float32Array.from(items, (i) => row[i]) };
  });
}

/**
 * The top `k` items for one user from any {@link Recommender}, excluding the items in
 * `seen` (sorted ascending, e.g. a `UserItemCSR` row of the user's training purchases).
 * Ties go to the lower item index.
 *
 * @throws Error when the user index or `k` is invalid, or `seen` is unsorted or out of range.
 * @example
 * ```ts
 * const { items, scores } = await recommendTopK(model, 5, 10, trainPurchases.rowOf(5));
 * ```
 */
export async function recommendTopK(model: Recommender, user: number, k: number, seen?: Int32Array): Promise<TopK> {
  const [top] = await topKFor(model, 'items', Int32Array.of(user), k, seen ? { rowOf: () => seen } : undefined);
  return top;
}
