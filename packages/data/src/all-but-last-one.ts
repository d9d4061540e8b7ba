/**
 * RnR's evaluation protocol, "All But (Last) One", as one splitter that takes a rated log
 * as it is read and returns train, validation and test with their ratings:
 *
 * > Users with less than 4 interactions were omitted. […] we remove the last rated item
 * > for n users from the training set, and put half of the removed items in the
 * > validation set and the other half in the test set. We used n = 5,000 in the
 * > MovieLens experiments and n = 50,000 in Yelp experiments. (RnR §5.2–5.3)
 *
 * It is the one implementation of the protocol: `resolveSplit`'s `rnr` / `rnr:<n>`
 * (`protocols.ts`) calls it. Unlike `leaveLastOut`, the minimum is part of the protocol,
 * ties are broken by row order (S3-Rec's tie-break on Amazon Toys), not by the seed, and
 * the held-out item can come from a published split, which is the only way to find "the
 * last" on this project's ml-1m (its folds have no timestamps; `last_ratings.tsv` does).
 *
 * Pure: no Node built-in; read the dataset with `readDataset` (`@rec/data/node`).
 */
import { Philox } from '@rec/core';
import type { PublishedSplit } from './dataset.js';
import { rowsByUser, userActivity } from './indexes.js';
import { selectInteractions, type Interactions } from './interactions.js';
import type { TrainValidTestSplit } from './splitters.js';

/**
 * Philox streams of {@link allButLastOne}, in the `0xda7a_04xx` block of the
 * `0xda7a_xxxx` range `@rec/data` keeps for itself (see `LEAVE_LAST_OUT_STREAM`,
 * `SPLIT_STREAMS`, `SAMPLE_USERS_STREAM`), so a seed shared with another split never
 * yields correlated draws.
 * @example
 * ```ts
 * Philox.u32At(seed, ALL_BUT_LAST_ONE_STREAMS.users, 42); // user 42's sampling key
 * ```
 */
export const ALL_BUT_LAST_ONE_STREAMS = {
  /** Word `u` is user `u`'s key: the n smallest keys are held out, the first ⌊n/2⌋ of them (by key) to validation. */
  users: 0xda7a_0401,
  /** `heldOut: 'random'`: user `u`'s row is `Philox.int(rows of u)` read from word `u · 2^16`. */
  heldOut: 0xda7a_0402,
} as const;

/** Words reserved per user for the `'random'` draw (as in `leaveLastOut`): `u < 2^31` keeps counters safe integers. */
const DRAW_WORDS_PER_USER = 2 ** 16;

/**
 * RnR §5.2: "Users with less than 4 interactions were omitted." The default of
 * {@link AllButLastOneOptions.minInteractions}, and what `resolveSplit`'s `rnr` passes.
 * @internal shared with `protocols.ts`; not exported from the package.
 * @example
 * ```ts
 * allButLastOne(log, { users: 500, minInteractions: RNR_MIN_INTERACTIONS });
 * ```
 */
export const RNR_MIN_INTERACTIONS = 4;

/**
 * Which of a user's interactions {@link allButLastOne} holds out:
 * - `'last'`: the chronologically last row (largest timestamp; among rows tied at that
 *   time, the one latest in the log's row order). Needs timestamps.
 * - `'random'`: a seeded uniform choice among the user's rows, for logs without time
 *   (yelp-core40).
 * - `{ published }`: the user's row in `published.test`, a split the dataset publishes
 *   with one last row per user (ml-1m's `last`, from `last_ratings.tsv`).
 * @example
 * ```ts
 * const choice: HeldOutChoice = { published: ml1m.splits.last! };
 * ```
 */
export type HeldOutChoice = 'last' | 'random' | { readonly published: PublishedSplit };

/**
 * Options of {@link allButLastOne}.
 * @example
 * ```ts
 * const options: AllButLastOneOptions = { users: 5000, seed: 1, minInteractions: 4, heldOut: 'last' };
 * ```
 */
export interface AllButLastOneOptions {
  /**
   * n: how many users lose their last interaction (RnR: 5,000 on MovieLens 1M, 50,000
   * on Yelp; see `RNR_HELD_OUT_USERS`), or `'all'` for every eligible user. Required.
   * At most the number of eligible users (see {@link AllButLastOneCounts.eligibleUsers}).
   */
  readonly users: number | 'all';
  /**
   * Seed, any safe integer; default 0. It picks the n users and their halves (stream
   * {@link ALL_BUT_LAST_ONE_STREAMS}.users) and, with `heldOut: 'random'`, each user's
   * row; it never changes which row is "last". Each user's key and draw depend only on
   * (seed, user), not on the other users or on where the user's rows sit in the log.
   */
  readonly seed?: number;
  /**
   * Users with fewer rows than this are dropped from every part (RnR §5.2); default 4.
   * An integer ≥ 2, so that a held-out user keeps at least one training row. Rows are
   * counted as `minInteractionsPerUser` counts them (a repeated pair counts each time).
   */
  readonly minInteractions?: number;
  /** How the held-out row is chosen; default `'last'`. See {@link HeldOutChoice}. */
  readonly heldOut?: HeldOutChoice;
}

/**
 * What {@link allButLastOne} did, in users and rows. The rows add up:
 * input rows = `droppedRows` + `train` + `valid` + `test` + `droppedRepeatRows`.
 * @example
 * ```ts
 * const { counts }: AllButLastOneSplit = allButLastOne(log, { users: 'all' });
 * counts.eligibleUsers === counts.valid + counts.test; // true with users: 'all'
 * ```
 */
export interface AllButLastOneCounts {
  /** Users with at least one row in the input. */
  readonly users: number;
  /** Users with fewer than `minInteractions` rows, dropped from every part. */
  readonly droppedUsers: number;
  /** Their rows. */
  readonly droppedRows: number;
  /** Remaining users that have a held-out row and an item besides it: those n is drawn from. */
  readonly eligibleUsers: number;
  /**
   * Remaining users that cannot be held out and keep all their rows in train: with
   * `{ published }`, users the split gives no last row (ml-1m's 3 ambiguous users);
   * otherwise, users whose rows are all one item (holding it out would empty their train).
   */
  readonly ineligibleUsers: number;
  /** n: users whose held-out row went to validation or test. */
  readonly heldOutUsers: number;
  /** Rows in train. */
  readonly train: number;
  /** Rows (= users) in validation: ⌊n/2⌋. */
  readonly valid: number;
  /** Rows (= users) in test: ⌈n/2⌉. */
  readonly test: number;
  /** Other rows of a held-out (user, item) pair (the pair repeated in the log): removed from train, in no part. */
  readonly droppedRepeatRows: number;
}

/**
 * Train, validation and test of {@link allButLastOne}, with {@link AllButLastOneCounts}.
 * @example
 * ```ts
 * const { train, valid, test, counts }: AllButLastOneSplit = allButLastOne(log, { users: 500, seed: 1 });
 * ```
 */
export interface AllButLastOneSplit extends TrainValidTestSplit {
  readonly counts: AllButLastOneCounts;
}

const CALLER = 'allButLastOne';

function fail(what: string): Error {
  return new Error(`${CALLER}: ${what}`);
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object without a published split';
  return String(value);
}

/**
 * Per user, the row of `published.test` (−1 where it has none) as a row of `log`: the
 * last row of that (user, item) pair in the log's row order with the test row's rating
 * (and time, where both have one). A user with no rows in `log` is skipped (filtered out
 * before the split); a user with rows but not the pair is an error, as is a second test
 * row for a user or a rating that no row of the pair has.
 */
function publishedRows(log: Interactions, published: PublishedSplit, byUser: { indptr: Int32Array; indices: Int32Array }): Int32Array {
  const test = published?.test;
  if (test === undefined || !(test.users instanceof Int32Array)) {
    throw fail('heldOut.published must be a published split with a test part (e.g. dataset.splits.last)');
  }
  if (test.numUsers !== log.numUsers || test.numItems !== log.numItems) {
    throw fail(
      `heldOut.published is over ${test.numUsers} users and ${test.numItems} items, the log over ${log.numUsers} and ` +
        `${log.numItems}; expected a split of the same dataset`,
    );
  }
  const { indptr, indices } = byUser;
  const heldRow = new Int32Array(log.numUsers).fill(-1);
  const testRowOf = new Int32Array(log.numUsers).fill(-1);
  for (let q = 0; q < test.length; q++) {
    const u = test.users[q];
    const item = test.items[q];
    if (testRowOf[u] >= 0) {
      throw fail(`heldOut.published has test rows ${testRowOf[u]} and ${q} for user ${u}; expected at most one last row per user`);
    }
    testRowOf[u] = q;
    if (indptr[u + 1] === indptr[u]) continue;
    // The pair's last row in row order that agrees with the test row's rating (and time,
    // where both have one); a pair the log repeats may hold several ratings.
    let pairRow = -1;
    let row = -1;
    for (let p = indptr[u]; p < indptr[u + 1]; p++) {
      const r = indices[p];
      if (log.items[r] !== item) continue;
      pairRow = r;
      const sameRating = test.ratings === undefined || test.ratings[q] === log.ratings![r];
      const sameTime = test.timestamps === undefined || log.timestamps === undefined || test.timestamps[q] === log.timestamps[r];
      if (sameRating && sameTime) row = r;
    }
    if (pairRow < 0) {
      throw fail(`heldOut.published: test row ${q} (user ${u}, item ${item}) is not among the log's rows; expected a split of this log's dataset`);
    }
    if (row < 0) {
      const timed = test.timestamps !== undefined && log.timestamps !== undefined;
      throw fail(
        `heldOut.published: test row ${q} (user ${u}, item ${item}) has rating ${test.ratings?.[q]}` +
          `${timed ? ` at time ${test.timestamps![q]}` : ''}, which no log row of that pair has (e.g. rating ` +
          `${log.ratings![pairRow]}${timed ? ` at time ${log.timestamps![pairRow]}` : ''}); expected a split of this log's dataset`,
      );
    }
    heldRow[u] = row;
  }
  return heldRow;
}

/**
 * RnR's "All But (Last) One" protocol (§5.2–5.3): drop users with fewer than
 * `minInteractions` interactions, pick n of the remaining users at random, take each
 * one's last interaction out of train, and put half of those held-out rows in
 * validation and half in test, with their ratings.
 *
 * Choices where the paper is vague, and why:
 * - **Ties on the latest time** (`heldOut: 'last'`) go to the row **latest in the log's
 *   row order**: deterministic and seed-free, so the held-out item is a property of the
 *   data, not of the seed. On `amazon-s3rec/Toys_and_Games-ratings` (day-resolution
 *   times; 9,518 users' last two reviews share a day) the rows are in S3-Rec's sequence
 *   order, so this reproduces S3-Rec's own test item; on ml-100k it is `u.data`'s order.
 *   (`leaveLastOut` breaks the same ties with the seed instead.)
 * - **ml-1m** (`heldOut: { published: ml.splits.last }`): this copy's ratings have no
 *   timestamps, so the last item comes from `last_ratings.tsv`. Its 3 users whose last
 *   movie is ambiguous between two candidates (46, 2533, 4277; the split has no row for
 *   them) are **not eligible** and keep all their ratings in train: holding out either
 *   candidate might evaluate a movie that is not their last, and dropping them would
 *   remove ratings the protocol does not ask to remove. n is drawn from the other 6,037.
 * - **Repeated pairs**: no held-out (user, item) pair is in that user's train rows. When
 *   the pair occurs more than once, the held-out row goes to validation or test and the
 *   pair's other rows leave train and go nowhere (`counts.droppedRepeatRows`); a user whose
 *   rows are all one item is not eligible.
 * - **Which n users, which half**: user u's key is word u of
 *   {@link ALL_BUT_LAST_ONE_STREAMS}.users; the n eligible users with the smallest keys
 *   (ties by index) are held out, a uniform random n-subset, and in key order the first
 *   ⌊n/2⌋ go to validation, the other ⌈n/2⌉ to test, so the halves are random, disjoint in
 *   users and differ in size by at most 1. Users outside the n keep all their rows in train.
 *
 * Train keeps the input's row order (less dropped rows) and every column; validation and
 * test hold one row per user, in user order. All parts keep the input's index spaces.
 * Cost: O(length + numUsers log numUsers).
 *
 * @param interactions a rated log (`ratings` required), e.g. `dataset.interactions`.
 * @param options n, the seed, the minimum and the held-out choice; see {@link AllButLastOneOptions}.
 * @throws Error, one line naming the input or option: a log without ratings; `users` not a
 * positive integer or `'all'`, or more than the eligible users; `minInteractions` not an
 * integer ≥ 2; `seed` not a safe integer; `heldOut` unknown, `'last'` on a log without
 * timestamps, or a published split that does not fit the log.
 * @example
 * ```ts
 * const ml = await readDataset('ml-1m'); // ratings from the folds, no timestamps
 * const { train, valid, test, counts } = allButLastOne(ml.interactions, {
 *   users: 5000, seed: 1, heldOut: { published: ml.splits.last! },
 * });
 * [valid.length, test.length]; // [2500, 2500]
 * counts.ineligibleUsers;      // 3: users 46, 2533, 4277
 * allButLastOne(ml100k.interactions, { users: 'all', seed: 1 }); // 'last' by timestamp
 * allButLastOne(yelp.interactions, { users: 1000, seed: 1, heldOut: 'random' });
 * ```
 * @see RnR (Rank and Rate multi-task), §5.2 (users with fewer than 4 interactions omitted) and §5.3.
 */
export function allButLastOne(interactions: Interactions, options: AllButLastOneOptions): AllButLastOneSplit {
  const log = interactions;
  if (log.ratings === undefined) {
    throw fail("the log has no ratings; RnR's protocol keeps each held-out rating for rating prediction, so it needs a rated log (Interactions.ratings)");
  }
  const { users: n } = options;
  if (n !== 'all' && (!Number.isSafeInteger(n) || n < 1)) {
    throw fail(`users must be a positive integer or 'all', got ${describeValue(n)}`);
  }
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) throw fail(`seed must be a safe integer, got ${describeValue(seed)}`);
  const min = options.minInteractions ?? RNR_MIN_INTERACTIONS;
  if (!Number.isSafeInteger(min) || min < 2) {
    throw fail(`minInteractions must be an integer ≥ 2 (a held-out user must keep a training row), got ${describeValue(min)}`);
  }
  const heldOut = options.heldOut ?? 'last';
  const published = typeof heldOut === 'object' && heldOut !== null && 'published' in heldOut ? heldOut.published : undefined;
  if (heldOut !== 'last' && heldOut !== 'random' && published === undefined) {
    throw fail(`heldOut must be 'last', 'random' or { published: <split> }, got ${describeValue(heldOut)}`);
  }
  const timestamps = log.timestamps;
  if (heldOut === 'last' && timestamps === undefined) {
    throw fail(
      "heldOut 'last' needs timestamps and the log has none; use heldOut: { published: dataset.splits.last } where the " +
        "dataset publishes each user's last item (ml-1m), or heldOut: 'random'",
    );
  }

  const { numUsers, users, items, length } = log;
  const activity = userActivity(log);
  const byUser = rowsByUser(log);
  const { indptr, indices } = byUser;
  const candidate = published !== undefined ? publishedRows(log, published, byUser) : new Int32Array(numUsers).fill(-1);
  const rng = new Philox({ seed, stream: ALL_BUT_LAST_ONE_STREAMS.heldOut });

  let presentUsers = 0;
  let droppedUsers = 0;
  let droppedRows = 0;
  const kept = new Uint8Array(numUsers);
  const heldRow = new Int32Array(numUsers).fill(-1);
  const eligible: number[] = [];
  for (let u = 0; u < numUsers; u++) {
    const count = activity[u];
    if (count === 0) continue;
    presentUsers++;
    if (count < min) {
      droppedUsers++;
      droppedRows += count;
      continue;
    }
    kept[u] = 1;
    const begin = indptr[u];
    const end = indptr[u + 1];
    let row = -1;
    if (published !== undefined) {
      row = candidate[u];
    } else if (heldOut === 'random') {
      rng.skipTo(u * DRAW_WORDS_PER_USER);
      row = indices[begin + rng.int(end - begin)];
    } else {
      // `>=`: among rows tied at the latest time, the one latest in row order wins.
      let latest = -Infinity;
      for (let p = begin; p < end; p++) {
        const r = indices[p];
        if (timestamps![r] >= latest) {
          latest = timestamps![r];
          row = r;
        }
      }
    }
    if (row < 0) continue;
    let otherItem = false;
    for (let p = begin; p < end && !otherItem; p++) otherItem = items[indices[p]] !== items[row];
    if (!otherItem) continue;
    heldRow[u] = row;
    eligible.push(u);
  }
  const keptUsers = presentUsers - droppedUsers;

  const count = n === 'all' ? eligible.length : n;
  if (count > eligible.length) {
    throw fail(
      `users = ${count} is more than the ${eligible.length} eligible users (at least ${min} interactions and a held-out row ` +
        `besides another item); use at most ${eligible.length}, or 'all'`,
    );
  }
  const key = new Float64Array(numUsers);
  for (const u of eligible) key[u] = Philox.u32At(seed, ALL_BUT_LAST_ONE_STREAMS.users, u);
  eligible.sort((a, b) => key[a] - key[b] || a - b);
  const half = Math.floor(count / 2);
  const validUsers = eligible.slice(0, half).sort((a, b) => a - b);
  const testUsers = eligible.slice(half, count).sort((a, b) => a - b);
  const isHeldOut = new Uint8Array(numUsers);
  for (const u of validUsers) isHeldOut[u] = 1;
  for (const u of testUsers) isHeldOut[u] = 1;

  const trainRows: number[] = [];
  let droppedRepeatRows = 0;
  for (let r = 0; r < length; r++) {
    const u = users[r];
    if (!kept[u]) continue;
    const h = isHeldOut[u] ? heldRow[u] : -1;
    if (h < 0 || items[r] !== items[h]) trainRows.push(r);
    else if (r !== h) droppedRepeatRows++;
  }
  const train = selectInteractions(log, Int32Array.from(trainRows));
  const valid = selectInteractions(log, Int32Array.from(validUsers, (u) => heldRow[u]));
  const test = selectInteractions(log, Int32Array.from(testUsers, (u) => heldRow[u]));
  return {
    train,
    valid,
    test,
    counts: {
      users: presentUsers,
      droppedUsers,
      droppedRows,
      eligibleUsers: eligible.length,
      ineligibleUsers: keptUsers - eligible.length,
      heldOutUsers: count,
      train: train.length,
      valid: valid.length,
      test: test.length,
      droppedRepeatRows,
    },
  };
}
