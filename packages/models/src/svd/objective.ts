import { add, mean, square, sub, tensor, type Tensor } from '@rec/core';
import type { Interactions } from '@rec/data';
import { EpochOrder, type Objective } from '../training/objectives.js';
import type { RatingRegressor } from '../training/squared.js';

/** The observed (user, item, rating) triples a rating model is fitted on, row-aligned. */
export interface RatingLog {
  readonly numUsers: number;
  readonly numItems: number;
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly ratings: Float32Array;
}

/**
 * The rating log of training interactions: every row with its rating (a pair rated twice
 * is two cases, as in the rating file).
 * @throws Error when the interactions have no ratings or none at all.
 * @example
 * ```ts
 * const log = ratingLog(split.train); // ml-100k: 99,057 rated rows
 * ```
 */
export function ratingLog(train: Interactions): RatingLog {
  if (!train.ratings) throw new Error('ratingLog: the training rows have no ratings (explicit feedback is needed)');
  if (train.length === 0) throw new Error('ratingLog: there are no training rows');
  return { numUsers: train.numUsers, numItems: train.numItems, users: train.users, items: train.items, ratings: train.ratings };
}

/** One batch of rated cases. */
export interface RatingRows {
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly ratings: Float32Array;
}

/** Options of {@link RatingObjective}. */
export interface RatingObjectiveOptions {
  /** Rated cases per batch (default 256). */
  readonly batchSize?: number;
  /** Seed of the per-epoch order (default 0). */
  readonly seed?: number;
}

/**
 * Squared error on explicit ratings: the mean over a batch of observed (u, i, r) of
 * (r̂_ui − r)², plus the model's own prior when it gives one (Koren et al. 2009 eq. 5 in
 * per-case form, see `BiasedMF.predictRows`). Only the observed ratings are cases: no
 * negatives are sampled (a missing rating is unknown, not a zero).
 *
 * Choices: an epoch visits every rated row once in a seeded random order (Philox stream
 * 2³¹ + epoch, as the other objectives), so a resumed run continues as the uninterrupted
 * one; the loss is a mean over rows so the learning rate does not depend on the batch size.
 *
 * @example
 * ```ts
 * const objective = new RatingObjective(svd, ratingLog(train), { batchSize: 256, seed: 1 });
 * await new Trainer(svd, objective, { optimizer: 'adagrad', learningRate: 0.05, l2: 0 }).fit();
 * ```
 * @see RnR §5.1 (SVD "learned to minimize the squared error of the reconstructed ratings").
 */
export class RatingObjective implements Objective<RatingRows> {
  readonly #order: EpochOrder;

  constructor(readonly model: RatingRegressor, readonly log: RatingLog, options: RatingObjectiveOptions = {}) {
    const batchSize = options.batchSize ?? 256;
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`RatingObjective: batchSize must be a positive integer, got ${batchSize}`);
    if (log.users.length === 0) throw new Error('RatingObjective: the rating log is empty');
    if (log.items.length !== log.users.length || log.ratings.length !== log.users.length) {
      throw new Error(`RatingObjective: users, items and ratings must be aligned, got ${log.users.length}, ${log.items.length} and ${log.ratings.length} rows`);
    }
    this.#order = new EpochOrder(Int32Array.from({ length: log.users.length }, (_, k) => k), options.seed ?? 0, batchSize);
  }

  batches(): number {
    return this.#order.batches();
  }

  prepare(epoch: number, index: number): RatingRows {
    const ids = this.#order.batch(epoch, index);
    const { users, items, ratings } = this.log;
    return {
      users: Int32Array.from(ids, (k) => users[k]),
      items: Int32Array.from(ids, (k) => items[k]),
      ratings: Float32Array.from(ids, (k) => ratings[k]),
    };
  }

  batch(_epoch: number, _index: number, rows: RatingRows): { loss: Tensor; examples: number } {
    const { prediction, penalty } = this.model.predictRows(rows.users, rows.items);
    const loss = mean(square(sub(prediction, tensor(rows.ratings))));
    return { loss: penalty ? add(loss, penalty) : loss, examples: rows.users.length };
  }
}
