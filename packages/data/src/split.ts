/**
 * Train/test splitters. Each returns index-aligned `Interactions` (same `numUsers`,
 * `numItems`) so models trained on `train` score the ids that appear in `test`.
 * Leave-one-out lives here; the papers' other protocols (8:1:1, k-fold, NMTR, CCRec)
 * are in `splitters.ts`, NMTR's sharing {@link chooseHeldOutRows}; RnR's all-but-last-one
 * is `allButLastOne` in `all-but-last-one.ts`.
 */
import { Philox } from '@rec/core';
import { rowsByUser } from './indexes.js';
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
 * How {@link leaveLastOut} picks each user's held-out interaction:
 * - `'last'`: the chronologically last row (ties, and logs without timestamps, by a
 *   seeded uniform choice) — NCF's protocol (RnR's, `allButLastOne`, breaks ties by
 *   row order instead);
 * - `'random'`: a seeded uniform choice among all of the user's rows, timestamps or not
 *   — the "random" leave-one-out of papers that do not order by time.
 * @example
 * ```ts
 * const mode: LeaveOutMode = 'random';
 * ```
 */
export type LeaveOutMode = 'last' | 'random';

/**
 * Options of {@link leaveLastOut}.
 * @example
 * ```ts
 * leaveLastOut(interactions, { seed: 42, mode: 'last' } satisfies LeaveLastOutOptions);
 * ```
 */
export interface LeaveLastOutOptions {
  /**
   * Seed for breaking ties between interactions with the same latest timestamp (and
   * for the choice when the log has no timestamps, or in `'random'` mode). Default 0.
   * Any safe integer (negative ones included) is accepted. Each user's choice is a pure
   * function of `(seed, user)`: the unbiased `Philox.int` draw at word `u · 2^16` of
   * stream {@link LEAVE_LAST_OUT_STREAM} of `@rec/core`'s Philox, picking among the
   * user's tied rows (or, in `'random'` mode, all of the user's rows) in file order, so
   * it does not depend on the other users' rows or on where the user's rows sit in the log.
   */
  seed?: number;
  /** Which row is held out: `'last'` (default) or `'random'`; see {@link LeaveOutMode}. */
  mode?: LeaveOutMode;
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
 * Options of {@link chooseHeldOutRows}.
 * @internal shared with `splitters.ts`; not exported from the package.
 * @example
 * ```ts
 * const options: HeldOutRowOptions = { seed: 1, mode: 'last', caller: 'multiBehaviorLeaveOneOut' };
 * ```
 */
export interface HeldOutRowOptions {
  seed: number;
  mode: LeaveOutMode;
  /** Rows that may be held out and count towards eligibility (all rows when absent). */
  candidates?: Uint8Array;
  /** The public function's name, for error messages. */
  caller: string;
}

/**
 * Per user, the row {@link leaveLastOut} holds out, or −1 for a user who keeps all of
 * their rows: a user is held out from only when their candidate rows cover at least 2
 * distinct items, so that train keeps one. The choice among the user's candidates is
 * the one documented on {@link LeaveLastOutOptions.seed}.
 *
 * @internal shared with `splitters.ts` (NMTR's protocol holds out the same row); not
 * exported from the package.
 * @throws Error when `seed` is not a safe integer or `mode` is unknown.
 * @example
 * ```ts
 * const heldOut = chooseHeldOutRows(log, { seed: 1, mode: 'last', caller: 'multiBehaviorLeaveOneOut' });
 * heldOut[7]; // the row leaveLastOut(log, { seed: 1 }) holds out for user 7, or −1
 * ```
 */
export function chooseHeldOutRows(interactions: Interactions, options: HeldOutRowOptions): Int32Array {
  const { seed, mode, candidates, caller } = options;
  if (!Number.isSafeInteger(seed)) {
    throw new Error(`${caller}: seed must be a safe integer, got ${String(seed)}`);
  }
  if (mode !== 'last' && mode !== 'random') {
    throw new Error(`${caller}: mode must be 'last' or 'random', got ${String(mode)}`);
  }
  const rng = new Philox({ seed, stream: LEAVE_LAST_OUT_STREAM });
  /** Uniform index in `[0, n)` for user `u`: a pure function of `(seed, u, n)`. */
  const pickFor = (u: number, n: number): number => {
    rng.skipTo(u * WORDS_PER_USER);
    return rng.int(n);
  };
  const { numUsers, items, length } = interactions;
  const timestamps = mode === 'last' ? interactions.timestamps : undefined;
  const isCandidate = (r: number): boolean => candidates === undefined || candidates[r] === 1;
  if (candidates !== undefined && candidates.length !== length) {
    throw new Error(`${caller}: candidates has ${candidates.length} entries, the log has ${length} rows`);
  }

  // Each user's rows in file order (a stable counting sort).
  const { indptr: start, indices: byUser } = rowsByUser(interactions);
  const chosenRows = new Int32Array(numUsers).fill(-1);

  for (let u = 0; u < numUsers; u++) {
    const begin = start[u];
    const end = start[u + 1];
    let count = 0;
    for (let p = begin; p < end; p++) if (isCandidate(byUser[p])) count++;
    if (count < 2) continue;

    let chosen = -1;
    if (timestamps === undefined) {
      let pick = pickFor(u, count);
      for (let p = begin; p < end; p++) {
        if (isCandidate(byUser[p]) && pick-- === 0) {
          chosen = byUser[p];
          break;
        }
      }
    } else {
      let latest = -Infinity;
      let ties = 0;
      for (let p = begin; p < end; p++) {
        if (!isCandidate(byUser[p])) continue;
        const t = timestamps[byUser[p]];
        if (t > latest) {
          latest = t;
          ties = 1;
        } else if (t === latest) {
          ties++;
        }
      }
      let pick = ties === 1 ? 0 : pickFor(u, ties);
      for (let p = begin; p < end; p++) {
        const r = byUser[p];
        if (isCandidate(r) && timestamps[r] === latest && pick-- === 0) {
          chosen = r;
          break;
        }
      }
    }

    const heldItem = items[chosen];
    let othersRemain = false;
    for (let p = begin; p < end; p++) {
      const r = byUser[p];
      if (isCandidate(r) && items[r] !== heldItem) {
        othersRemain = true;
        break;
      }
    }
    // One distinct candidate item: keep the user whole in train.
    if (othersRemain) chosenRows[u] = chosen;
  }
  return chosenRows;
}

/**
 * Leave-one-out split: for each user, one interaction is the test interaction and the
 * rest is train. With `mode: 'last'` (the default) it is the chronologically last one:
 * the protocol of He et al., "Neural Collaborative Filtering" (WWW 2017), §4.1 (after
 * Rendle et al. 2009 and He et al. 2016): the latest interaction of each user is held
 * out, and a model ranks it against the items the user has not interacted with. With
 * `mode: 'random'` it is a seeded uniform choice among the user's rows.
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
 * - **Behaviours.** Every row counts, whatever its behaviour type; for a split on a
 *   target behaviour that keeps auxiliary rows, use `multiBehaviorLeaveOneOut`.
 *
 * Train keeps the input's row order; test has one row per held-out user, in user
 * order. Cost: O(length) plus a counting sort.
 *
 * @throws Error when `seed` is not a safe integer or `mode` is unknown.
 * @example
 * ```ts
 * const { interactions } = await readMovieLens100K(dir);
 * const { train, test } = leaveLastOut(interactions, { seed: 1 });
 * test.length; // 943: one per user
 * const random = leaveLastOut(interactions, { seed: 1, mode: 'random' });
 * ```
 * @see He, Liao, Zhang, Nie, Hu, Chua. Neural Collaborative Filtering. WWW 2017, §4.1.
 */
export function leaveLastOut(interactions: Interactions, options: LeaveLastOutOptions = {}): TrainTestSplit {
  const chosen = chooseHeldOutRows(interactions, {
    seed: options.seed ?? 0,
    mode: options.mode ?? 'last',
    caller: 'leaveLastOut',
  });
  const { users, items, length } = interactions;
  let trainCount = 0;
  for (let r = 0; r < length; r++) {
    const c = chosen[users[r]];
    if (c < 0 || items[r] !== items[c]) trainCount++;
  }
  const trainRows = new Int32Array(trainCount);
  for (let r = 0, w = 0; r < length; r++) {
    const c = chosen[users[r]];
    if (c < 0 || items[r] !== items[c]) trainRows[w++] = r;
  }
  return {
    train: selectInteractions(interactions, trainRows),
    test: selectInteractions(interactions, chosen.filter((r) => r >= 0)),
  };
}
