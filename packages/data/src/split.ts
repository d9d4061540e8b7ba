/**
 * Train/test splitters. Each returns index-aligned `Interactions` (same `numUsers`,
 * `numItems`) so models trained on `train` score the ids that appear in `test`.
 */
import { Philox } from '@rec/core';
import { selectInteractions, type Interactions } from './interactions.js';

/**
 * Philox stream of {@link leaveLastOut}'s per-user choices (`0xda7a_0001`). Every
 * random use in `@rec/data` has its own stream in the `0xda7a_xxxx` range, so a seed
 * shared with other uses (the synthetic generator, model initialisation, which uses
 * small stream ids) never yields correlated draws.
 */
export const LEAVE_LAST_OUT_STREAM = 0xda7a_0001;

/**
 * Philox words reserved for each user in {@link LEAVE_LAST_OUT_STREAM}: user `u`'s
 * choice is `Philox.int(n)` read from word `u · 2^16`. `int` usually reads one word
 * and each rejection (probability `< n / 2^32`) one more, so the draw stays inside the
 * user's own range; with `u < 2^31` the counter stays below 2^47, a safe integer.
 */
const WORDS_PER_USER = 0x1_0000;

/**
 * Options of {@link leaveLastOut}.
 * @example
 * ```ts
 * leaveLastOut(interactions, { seed: 42 } satisfies LeaveLastOutOptions);
 * ```
 */
export interface LeaveLastOutOptions {
  /**
   * Seed for breaking ties between interactions with the same latest timestamp (and
   * for the choice when the log has no timestamps). Default 0. Any safe integer
   * (negative ones included) is accepted. Each user's choice is a pure function of
   * `(seed, user)`: the unbiased `Philox.int` draw at word `u · 2^16` of stream
   * {@link LEAVE_LAST_OUT_STREAM} of `@rec/core`'s Philox, picking among the user's
   * tied rows in file order, so it does not depend on the other users' rows or on where
   * the user's rows sit in the log.
   */
  seed?: number;
}

/**
 * The two halves of a split, over the same index spaces as the input.
 * @example
 * ```ts
 * const { train, test }: TrainTestSplit = leaveLastOut(interactions);
 * ```
 */
export interface TrainTestSplit {
  readonly train: Interactions;
  readonly test: Interactions;
}

/**
 * Leave-one-out split by time: for each user, the chronologically last interaction is
 * the test interaction and the rest is train. This is the protocol of He et al.,
 * "Neural Collaborative Filtering" (WWW 2017), §4.1 (after Rendle et al. 2009 and He et
 * al. 2016): the latest interaction of each user is held out, and a model ranks it
 * against the items the user has not interacted with.
 *
 * Choices where the paper is silent, and why:
 * - **Who is held out.** Users with at least 2 distinct items. A user with one item (or
 *   one item repeated) would be left with an empty train history, which no
 *   collaborative model can rank for; their rows all stay in train.
 * - **Ties.** Several interactions at the latest timestamp (common at 1-second
 *   resolution) are broken by a seeded uniform choice; without timestamps the test
 *   interaction is a seeded uniform choice among all of the user's rows. Both come
 *   from `@rec/core`'s Philox (see {@link LeaveLastOutOptions.seed}), unbiased, and
 *   depend only on the seed and the user.
 * - **Repeats.** No test (user, item) pair appears in train: if the user interacted with
 *   the test item earlier too, those earlier rows are dropped from train as well.
 *   Otherwise train-item masking would remove the test item from the ranking, or a
 *   model would be scored on an item it was trained on.
 *
 * Train keeps the input's row order; test has one row per held-out user, in user
 * order. Cost: O(length) plus a counting sort.
 *
 * @throws Error when `seed` is not a safe integer.
 * @example
 * ```ts
 * const { interactions } = await readMovieLens100K(dir);
 * const { train, test } = leaveLastOut(interactions, { seed: 1 });
 * test.length; // 943: one per user
 * ```
 * @see He, Liao, Zhang, Nie, Hu, Chua. Neural Collaborative Filtering. WWW 2017, §4.1.
 */
export function leaveLastOut(interactions: Interactions, options: LeaveLastOutOptions = {}): TrainTestSplit {
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) {
    throw new Error(`leaveLastOut: seed must be a safe integer, got ${String(seed)}`);
  }
  const rng = new Philox({ seed, stream: LEAVE_LAST_OUT_STREAM });
  /** Uniform index in `[0, n)` for user `u`: a pure function of `(seed, u, n)`. */
  const pickFor = (u: number, n: number): number => {
    rng.skipTo(u * WORDS_PER_USER);
    return rng.int(n);
  };
  const { numUsers, users, items, timestamps, length } = interactions;

  // Counting sort of row numbers by user; stable, so each user's rows stay in file order.
  const start = new Int32Array(numUsers + 1);
  for (let r = 0; r < length; r++) start[users[r] + 1]++;
  for (let u = 0; u < numUsers; u++) start[u + 1] += start[u];
  const byUser = new Int32Array(length);
  const cursor = start.slice(0, numUsers);
  for (let r = 0; r < length; r++) byUser[cursor[users[r]]++] = r;

  const TRAIN = 0;
  const TEST = 1;
  const DROPPED = 2;
  const role = new Uint8Array(length); // all TRAIN
  const testRows: number[] = [];

  for (let u = 0; u < numUsers; u++) {
    const begin = start[u];
    const end = start[u + 1];
    if (end - begin < 2) continue;

    let chosen: number;
    if (timestamps === undefined) {
      chosen = byUser[begin + pickFor(u, end - begin)];
    } else {
      let latest = -Infinity;
      let ties = 0;
      for (let p = begin; p < end; p++) {
        const t = timestamps[byUser[p]];
        if (t > latest) {
          latest = t;
          ties = 1;
        } else if (t === latest) {
          ties++;
        }
      }
      let pick = ties === 1 ? 0 : pickFor(u, ties);
      chosen = -1;
      for (let p = begin; p < end; p++) {
        if (timestamps[byUser[p]] === latest && pick-- === 0) {
          chosen = byUser[p];
          break;
        }
      }
    }

    const testItem = items[chosen];
    let othersRemain = false;
    for (let p = begin; p < end; p++) {
      if (items[byUser[p]] !== testItem) {
        othersRemain = true;
        break;
      }
    }
    if (!othersRemain) continue; // one distinct item: keep the user whole in train

    for (let p = begin; p < end; p++) {
      const r = byUser[p];
      if (items[r] === testItem) role[r] = DROPPED;
    }
    role[chosen] = TEST;
    testRows.push(chosen);
  }

  let trainCount = 0;
  for (let r = 0; r < length; r++) if (role[r] === TRAIN) trainCount++;
  const trainRows = new Int32Array(trainCount);
  for (let r = 0, w = 0; r < length; r++) if (role[r] === TRAIN) trainRows[w++] = r;

  return {
    train: selectInteractions(interactions, trainRows),
    test: selectInteractions(interactions, Int32Array.from(testRows)),
  };
}
