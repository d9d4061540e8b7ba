/**
 * Train/test splitters. Each returns index-aligned `Interactions` (same `numUsers`,
 * `numItems`) so models trained on `train` score the ids that appear in `test`.
 */
import { selectInteractions, type Interactions } from './interactions.js';
import { hashUint32, seedToUint32, uint32ToIndex } from './random.js';

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
   * for the choice when the log has no timestamps). Default 0. Each user's choice is a
   * pure function of `(seed, user)`, so it does not depend on row order.
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
 *   interaction is a seeded uniform choice among all of the user's rows.
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
  const seed32 = seedToUint32(options.seed ?? 0, 'leaveLastOut: seed');
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
      chosen = byUser[begin + uint32ToIndex(hashUint32(seed32, u), end - begin)];
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
      let pick = ties === 1 ? 0 : uint32ToIndex(hashUint32(seed32, u), ties);
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
