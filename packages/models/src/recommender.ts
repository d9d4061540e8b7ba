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
