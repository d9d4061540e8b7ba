import type { Recommender } from '../plugin/inference.js';

/** The training data a popularity baseline needs. */
export interface ItemLog {
  readonly numItems: number;
  readonly items: Int32Array;
}

/**
 * Most-popular: every user gets the items ranked by their number of training
 * interactions. The trivial baseline every personalised model must beat.
 *
 * @example
 * ```ts
 * const pop = MostPopular.fit(train);
 * const scores = pop.scoreUsers(Int32Array.of(0, 1)); // two identical rows of counts
 * ```
 */
export class MostPopular implements Recommender {
  private constructor(readonly numItems: number, readonly counts: Float32Array) {}

  /** Counts each item's training interactions. */
  static fit(log: ItemLog): MostPopular {
    const counts = new Float32Array(log.numItems);
    for (const item of log.items) counts[item] += 1;
    return new MostPopular(log.numItems, counts);
  }

  /**
   * From per-item counts already made (e.g. `itemPopularityByBehavior(train).buy`,
   * or a saved model's counts); one count per item, copied.
   */
  static fromCounts(counts: ArrayLike<number>): MostPopular {
    return new MostPopular(counts.length, Float32Array.from(counts));
  }

  scoreUsers(users: Int32Array): Float32Array {
    const out = new Float32Array(users.length * this.numItems);
    for (let r = 0; r < users.length; r++) out.set(this.counts, r * this.numItems);
    return out;
  }
}
