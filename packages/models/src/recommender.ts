import { topKIndices } from '@rec/eval';

/**
 * What every model offers evaluation and serving: scores of users against the
 * whole catalogue.
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

/** One user's top K: item indexes best first, with their scores. */
export interface TopK {
  readonly items: Int32Array;
  readonly scores: Float32Array;
}

/**
 * The top `k` items for one user from any {@link Recommender}, excluding the
 * items in `seen` (sorted ascending, e.g. a `UserItemCSR` row of the user's
 * training purchases). Ties go to the lower item index.
 *
 * @throws Error when the user index or `k` is invalid, or `seen` is unsorted or out of range.
 * @example
 * ```ts
 * const { items, scores } = await recommendTopK(model, 5, 10, trainPurchases.rowOf(5));
 * ```
 */
export async function recommendTopK(model: Recommender, user: number, k: number, seen?: Int32Array): Promise<TopK> {
  if (!Number.isInteger(user) || user < 0) throw new Error(`recommendTopK: user must be a non-negative integer index, got ${user}`);
  const scores = await model.scoreUsers(Int32Array.of(user));
  const items = topKIndices(scores, k, seen);
  return { items, scores: Float32Array.from(items, (i) => scores[i]) };
}
