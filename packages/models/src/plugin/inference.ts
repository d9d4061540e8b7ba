/**
 * Inference for every kind of model: what a trained model answers — item scores,
 * category scores, ratings — and the batched top-K and rating calls that `rec eval`,
 * `rec recommend`, the server and the browser all go through.
 */
import type { UserItemCSR } from '@rec/data';
import { topKIndices } from '@rec/eval';
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

/** Any trained model: it implements the interface of each output it declares. */
export type Predictor = Partial<Recommender> & Partial<CategoryScorer> & Partial<RatingPredictor>;

/** One user's top K: indexes best first, with their scores. */
export interface TopK {
  readonly items: Int32Array;
  readonly scores: Float32Array;
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
