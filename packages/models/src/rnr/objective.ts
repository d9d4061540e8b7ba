import type { Interactions } from '@rec/data';
import type { Tensor } from '@rec/core';
import type { BehaviorLog } from '../training/log.js';
import { type Objective, PairwiseObjective, type Triples } from '../training/objectives.js';
import { andThen, type MaybePromise } from '../training/read.js';
import type { RankAndRate, RnrBatch } from './rnr.js';

/** Options of {@link RnrObjective}. */
export interface RnrObjectiveOptions {
  /** Rated pairs per batch (default 1024). */
  readonly batchSize?: number;
  readonly seed?: number;
}

/**
 * The rating of each pair of `log.pairs`, keyed u·numItems + i, from the training rows: a
 * pair rated twice gets the mean of its ratings.
 * @throws Error when the rows have no ratings, or a pair of the log has none.
 */
export function pairRatings(log: BehaviorLog, train: Interactions): Map<number, number> {
  if (!train.ratings) throw new Error('RnrObjective: the training rows have no ratings');
  const sums = new Map<number, { total: number; count: number }>();
  for (let r = 0; r < train.length; r++) {
    const key = train.users[r]! * log.numItems + train.items[r]!;
    const s = sums.get(key);
    if (s) {
      s.total += train.ratings[r]!;
      s.count++;
    } else sums.set(key, { total: train.ratings[r]!, count: 1 });
  }
  const out = new Map<number, number>();
  const { users, items } = log.pairs;
  for (let k = 0; k < users.length; k++) {
    const key = users[k]! * log.numItems + items[k]!;
    const s = sums.get(key);
    if (!s) throw new Error(`RnrObjective: pair (user ${users[k]}, item ${items[k]}) of the log has no rating in the training rows`);
    out.set(key, s.total / s.count);
  }
  return out;
}

/**
 * RnR's pass over the data (§4: "we go over all tuples (u, i, r) ∈ D. For each, we first
 * invoke R … We then invoke P"): every rated pair once per epoch in a seeded order, with
 * one uniformly drawn unrated item j for BPR's triple (u, i, j) (Rendle et al. 2009 §4.3),
 * the pair's rating for SVD, and {@link RankAndRate.loss} on the batch. The order and the
 * negatives are {@link PairwiseObjective}'s sampler's.
 *
 * @example
 * ```ts
 * const objective = new RnrObjective(model, behaviorLog(train), train, { batchSize: 1024, seed: 1 });
 * ```
 */
export class RnrObjective implements Objective<RnrBatch> {
  readonly #sampler: PairwiseObjective;
  readonly #ratings: Map<number, number>;
  readonly #tuples: number;

  constructor(readonly model: RankAndRate, readonly log: BehaviorLog, train: Interactions, options: RnrObjectiveOptions = {}) {
    const unused = (): never => {
      throw new Error('RnrObjective: the sampler never scores');
    };
    this.#sampler = new PairwiseObjective({ score: unused }, log, { batchSize: options.batchSize ?? 1024, negatives: 1, seed: options.seed ?? 0, sampler: { kind: 'uniform' } });
    this.#ratings = pairRatings(log, train);
    this.#tuples = log.pairs.users.length;
  }

  batches(): number {
    return this.#sampler.batches();
  }

  prepare(epoch: number, index: number): MaybePromise<RnrBatch> {
    return andThen(this.#sampler.prepare(epoch, index), (t: Triples) => ({
      users: t.users,
      positives: t.positives,
      negatives: t.negatives,
      ratings: Float32Array.from(t.users, (u, k) => this.#ratings.get(u * this.log.numItems + t.positives[k]!)!),
      share: t.users.length / this.#tuples,
    }));
  }

  batch(_epoch: number, _index: number, b: RnrBatch): { loss: Tensor; examples: number } {
    return { loss: this.model.loss(b), examples: b.users.length };
  }
}
