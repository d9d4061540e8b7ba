/**
 * The evaluation protocols of the papers @rec reproduces, one splitter each: the
 * second-hand paper's random 8:1:1, MRLR's 5-fold cross-validation and cold-start users,
 * NMTR's leave-one-out on the target behaviour and its user groups by purchase count, and
 * CCRec's past/future split of category events, with RnR's n ({@link RNR_HELD_OUT_USERS}).
 * (Plain leave-one-out, last or random, is {@link leaveLastOut} in `split.ts`; RnR's
 * "all but last one" over n users is `allButLastOne` in `all-but-last-one.ts`.)
 *
 * What every splitter guarantees, and its tests check:
 * - outputs are over the input's index spaces (same `numUsers`, `numItems`), each a
 *   subset of the input's rows in the input's row order unless stated;
 * - no evaluated (user, item) pair is in train: a pair's rows all go to the same side,
 *   and a held-out pair's other rows leave train (for NMTR, under the target behaviour;
 *   see {@link MultiBehaviorLeaveOneOutOptions.auxiliary});
 * - randomness comes from `@rec/core`'s Philox on one documented stream per use (see
 *   {@link SPLIT_STREAMS}); each user's draws start at a word reserved for that user, so
 *   a user's assignment is a pure function of the seed, the user and the user's own
 *   rows, whatever the other users' rows or the row order.
 */
import { Philox } from '@rec/core';
import { UserItemCSR } from './csr.js';
import { categoryItemIndex, resolveBehavior, rowsByUser, userActivity } from './indexes.js';
import { createInteractions, selectInteractions, type Interactions } from './interactions.js';
import type { ItemCategories } from './side-info/item-categories.js';
import { chooseHeldOutRows, type LeaveOutMode, type TrainTestSplit } from './split.js';

/**
 * Philox streams of the splitters, one per use, in the `0xda7a_02xx` block of the
 * `0xda7a_xxxx` range `@rec/data` keeps for itself (see `LEAVE_LAST_OUT_STREAM`), so a
 * seed shared with another split, the synthetic generator or a model never yields
 * correlated draws. Per-user draws start at word `u · 2^22` (`u · 2^16` for the
 * single-draw uses); see each splitter.
 * @example
 * ```ts
 * new Philox({ seed: 1, stream: SPLIT_STREAMS.kFold }); // the draws behind assignFolds(log, { seed: 1 })
 * ```
 */
export const SPLIT_STREAMS = {
  /** {@link randomRatioSplit}: per user, a rounding offset and a shuffle of the user's items. */
  randomRatio: 0xda7a_0202,
  /** {@link assignFolds}: per user, a fold rotation and a shuffle of the user's items. */
  kFold: 0xda7a_0203,
  /** {@link multiBehaviorLeaveOneOut}: per user, the validation row. */
  multiBehaviorValidation: 0xda7a_0204,
} as const;

/** Words reserved per user for a shuffle: word `u · 2^22` onwards; `u < 2^31` keeps counters safe integers. */
const SHUFFLE_WORDS_PER_USER = 2 ** 22;
/** Largest item set a user may have in a shuffling splitter: half its word range, so rejections never overflow it. */
const MAX_ITEMS_PER_USER = 2 ** 21;
/** Words reserved per user for a single bounded draw (as in `leaveLastOut`). */
const DRAW_WORDS_PER_USER = 2 ** 16;

/**
 * Train, validation and test parts of a split, over the same index spaces as the input.
 * @example
 * ```ts
 * const { train, valid, test }: TrainValidTestSplit = randomRatioSplit(log, { seed: 1 });
 * ```
 */
export interface TrainValidTestSplit {
  readonly train: Interactions;
  readonly valid: Interactions;
  readonly test: Interactions;
}

function checkSeed(seed: number, caller: string): void {
  if (!Number.isSafeInteger(seed)) throw new Error(`${caller}: seed must be a safe integer, got ${String(seed)}`);
}

/** A shuffled `0..n-1` drawn from `rng` at its current position. */
function shuffledOrder(rng: Philox, n: number): Int32Array {
  return rng.shuffle(Int32Array.from({ length: n }, (_, i) => i));
}

/** Throws unless user `u` can be shuffled inside its own word range. */
function checkUserSize(u: number, n: number, caller: string): void {
  if (n > MAX_ITEMS_PER_USER) {
    throw new Error(`${caller}: user ${u} has ${n} distinct items; at most 2^21 = ${MAX_ITEMS_PER_USER} per user are supported`);
  }
}

/** Position of `item` in user `u`'s row of `csr` (which must hold it): binary search. */
function pairPosition(csr: UserItemCSR, u: number, item: number): number {
  let lo = csr.indptr[u];
  let hi = csr.indptr[u + 1] - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (csr.indices[mid] < item) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The rows whose part is `part`, in row order. */
function rowsOfPart(partOfRow: Int32Array, part: number): Int32Array {
  let count = 0;
  for (let r = 0; r < partOfRow.length; r++) if (partOfRow[r] === part) count++;
  const rows = new Int32Array(count);
  for (let r = 0, w = 0; r < partOfRow.length; r++) if (partOfRow[r] === part) rows[w++] = r;
  return rows;
}

/** Each row's part, read from its (user, item) pair's part. */
function partsOfRows(interactions: Interactions, csr: UserItemCSR, partOfPair: Int32Array): Int32Array {
  const { users, items, length } = interactions;
  const out = new Int32Array(length);
  for (let r = 0; r < length; r++) out[r] = partOfPair[pairPosition(csr, users[r], items[r])];
  return out;
}

// ---------------------------------------------------------------------------------------
// RnR: the n of all but (last) one (the protocol is `allButLastOne`, all-but-last-one.ts)

/**
 * The n of RnR §5.3 per dataset: "n = 5,000 in the MovieLens experiments and n = 50,000
 * in Yelp experiments" (MovieLens 1M with 6,040 users; the Yelp 2018 challenge dump).
 * @example
 * ```ts
 * allButLastOne(ml1m.interactions, {
 *   users: RNR_HELD_OUT_USERS.movielens1m, seed: 1, heldOut: { published: ml1m.splits.last! },
 * });
 * ```
 */
export const RNR_HELD_OUT_USERS = { movielens1m: 5_000, yelp: 50_000 } as const;

// ---------------------------------------------------------------------------------------
// Second-hand paper: random 8:1:1

/**
 * Options of {@link randomRatioSplit}.
 * @example
 * ```ts
 * const options: RandomRatioSplitOptions = { ratios: [8, 1, 1], seed: 3 };
 * ```
 */
export interface RandomRatioSplitOptions {
  /** Relative sizes of train, validation and test; default `[8, 1, 1]`. Finite, ≥ 0, train > 0. */
  ratios?: readonly [number, number, number];
  /**
   * Seed, any safe integer; default 0. User `u`'s draws start at word `u · 2^22` of
   * {@link SPLIT_STREAMS}.randomRatio: one uniform rounding offset, then a Fisher–Yates
   * shuffle of the user's distinct items in ascending item order.
   */
  seed?: number;
}

/**
 * The second-hand paper's protocol: "We randomly split each sampled sub-dataset into
 * training, validation, and testing sets with 8:1:1 ratio". The unit is the (user, item)
 * pair: all rows of a pair go to the same part, so no evaluated pair is in train.
 *
 * Choices where the paper is vague, and why:
 * - **Per user.** Each user's distinct items are split 8:1:1 on their own (stratified by
 *   user), because the paper's metrics (Accuracy@K, NDCG@K, F1@K) average over users:
 *   every user with enough items has train, validation and test items, and none loses
 *   all of their history to test by chance.
 * - **Rounding.** A user with n items gets `⌊0.8n + o⌋` train items and
 *   `⌊0.9n + o⌋ − ⌊0.8n + o⌋` validation items, the rest test, with `o` a per-user
 *   uniform offset: each part's size is the floor or ceiling of its share and exactly its
 *   share in expectation, so the 8:1:1 ratio holds over the dataset even when users have
 *   few items (a fixed rounding would send small users' items all to train). A user with
 *   a single item therefore lands wholly in one part (train with probability 0.8).
 *
 * Parts keep the input's row order. Cost: O(length log(items per user)).
 *
 * @throws Error on bad ratios or seed, or a user with more than 2^21 distinct items.
 * @example
 * ```ts
 * const { train, valid, test } = randomRatioSplit(log, { seed: 2020 });
 * train.length / log.length; // ≈ 0.8
 * ```
 * @see Yu & Gan, Personalized Item Recommendation for Second-hand Trading Platform, §4.2.
 */
export function randomRatioSplit(interactions: Interactions, options: RandomRatioSplitOptions = {}): TrainValidTestSplit {
  const seed = options.seed ?? 0;
  checkSeed(seed, 'randomRatioSplit');
  const ratios = options.ratios ?? [8, 1, 1];
  if (ratios.length !== 3 || ratios.some((x) => !Number.isFinite(x) || x < 0) || !(ratios[0] > 0)) {
    throw new Error(`randomRatioSplit: ratios must be three finite numbers ≥ 0 with train > 0, got [${ratios.join(', ')}]`);
  }
  const total = ratios[0] + ratios[1] + ratios[2];
  const trainShare = ratios[0] / total;
  const validShare = (ratios[0] + ratios[1]) / total;

  const csr = UserItemCSR.fromInteractions(interactions);
  const partOfPair = new Int32Array(csr.nnz);
  const rng = new Philox({ seed, stream: SPLIT_STREAMS.randomRatio });
  for (let u = 0; u < csr.numUsers; u++) {
    const begin = csr.indptr[u];
    const n = csr.indptr[u + 1] - begin;
    if (n === 0) continue;
    checkUserSize(u, n, 'randomRatioSplit');
    rng.skipTo(u * SHUFFLE_WORDS_PER_USER);
    const offset = rng.uniform();
    const order = shuffledOrder(rng, n);
    const trainEnd = Math.min(n, Math.floor(n * trainShare + offset));
    const validEnd = Math.min(n, Math.max(trainEnd, Math.floor(n * validShare + offset)));
    for (let p = 0; p < n; p++) partOfPair[begin + order[p]] = p < trainEnd ? 0 : p < validEnd ? 1 : 2;
  }
  const partOfRow = partsOfRows(interactions, csr, partOfPair);
  return {
    train: selectInteractions(interactions, rowsOfPart(partOfRow, 0)),
    valid: selectInteractions(interactions, rowsOfPart(partOfRow, 1)),
    test: selectInteractions(interactions, rowsOfPart(partOfRow, 2)),
  };
}

// ---------------------------------------------------------------------------------------
// MRLR: k-fold cross-validation and cold-start users

/**
 * Options of {@link assignFolds} and {@link kFoldSplit}.
 * @example
 * ```ts
 * const options: KFoldOptions = { k: 5, seed: 1 };
 * ```
 */
export interface KFoldOptions {
  /** Number of folds, an integer ≥ 2; default 5 (MRLR §4.1). */
  k?: number;
  /**
   * Seed, any safe integer; default 0. User `u`'s draws start at word `u · 2^22` of
   * {@link SPLIT_STREAMS}.kFold: a fold rotation `int(k)`, then a Fisher–Yates shuffle
   * of the user's distinct items in ascending item order.
   */
  seed?: number;
}

function checkK(k: number, caller: string): void {
  if (!Number.isInteger(k) || k < 2 || k > 0x7fffffff) throw new Error(`${caller}: k must be an integer ≥ 2, got ${String(k)}`);
}

/**
 * The fold (0 … k−1) of every row for k-fold cross-validation: the folds partition the
 * rows, and all rows of a (user, item) pair share a fold. Each user's distinct items are
 * shuffled and dealt round-robin over the folds from a random starting fold, so every
 * fold holds ⌊n/k⌋ or ⌈n/k⌉ of a user's n items (stratified by user; a plain random
 * partition would leave some users with no training data in some folds) and each fold
 * is the same size in expectation. Materialise the folds with {@link kFoldSplit}, or one
 * at a time from this array. Cost: O(length log(items per user)).
 *
 * @returns Int32Array of length `interactions.length`.
 * @throws Error on a bad `k` or seed, or a user with more than 2^21 distinct items.
 * @example
 * ```ts
 * const foldOfRow = assignFolds(log, { k: 5, seed: 1 });
 * const testRowsOfFold2 = foldOfRow.reduce<number[]>((acc, f, r) => (f === 2 ? [...acc, r] : acc), []);
 * ```
 * @see MRLR (multi-level representation learning for personalized ranking), §4.1.
 */
export function assignFolds(interactions: Interactions, options: KFoldOptions = {}): Int32Array {
  const k = options.k ?? 5;
  const seed = options.seed ?? 0;
  checkK(k, 'assignFolds');
  checkSeed(seed, 'assignFolds');
  const csr = UserItemCSR.fromInteractions(interactions);
  const foldOfPair = new Int32Array(csr.nnz);
  const rng = new Philox({ seed, stream: SPLIT_STREAMS.kFold });
  for (let u = 0; u < csr.numUsers; u++) {
    const begin = csr.indptr[u];
    const n = csr.indptr[u + 1] - begin;
    if (n === 0) continue;
    checkUserSize(u, n, 'assignFolds');
    rng.skipTo(u * SHUFFLE_WORDS_PER_USER);
    const rotation = rng.int(k);
    const order = shuffledOrder(rng, n);
    for (let p = 0; p < n; p++) foldOfPair[begin + order[p]] = (p + rotation) % k;
  }
  return partsOfRows(interactions, csr, foldOfPair);
}

/**
 * MRLR's evaluation: "Standard 5-fold cross validation is adopted to evaluate all the
 * methods." Fold `i`'s test is the rows {@link assignFolds} puts in fold `i` and its train
 * is every other row, so the k tests partition the log and no test pair is in its train.
 * MRLR reports AUC on each fold's test; average over the folds.
 *
 * Returns k splits (k copies of the log in all); for large logs, build one fold at a
 * time from {@link assignFolds}. Parts keep the input's row order.
 *
 * @throws Error on a bad `k` or seed.
 * @example
 * ```ts
 * for (const { train, test } of kFoldSplit(log, { k: 5, seed: 1 })) {
 *   // train a model on train, report AUC on test
 * }
 * ```
 * @see MRLR (multi-level representation learning for personalized ranking), §4.1.
 */
export function kFoldSplit(interactions: Interactions, options: KFoldOptions = {}): TrainTestSplit[] {
  const k = options.k ?? 5;
  checkK(k, 'kFoldSplit');
  const foldOfRow = assignFolds(interactions, options);
  const trainOf = new Int32Array(foldOfRow.length);
  const splits: TrainTestSplit[] = [];
  for (let fold = 0; fold < k; fold++) {
    for (let r = 0; r < foldOfRow.length; r++) trainOf[r] = foldOfRow[r] === fold ? 1 : 0;
    splits.push({
      train: selectInteractions(interactions, rowsOfPart(trainOf, 0)),
      test: selectInteractions(interactions, rowsOfPart(trainOf, 1)),
    });
  }
  return splits;
}

/**
 * Options of {@link coldStartUsers}.
 * @example
 * ```ts
 * const options: ColdStartOptions = { fewerThan: 5 };
 * ```
 */
export interface ColdStartOptions {
  /** A user is cold when their train rows are fewer than this; default 5 (MRLR §4.3). */
  fewerThan?: number;
  /**
   * …and at least this many; default 1. A user with no train rows has no learned
   * representation at all, which is a different (new-user) problem; set 0 to include them.
   */
  minTrainInteractions?: number;
}

/**
 * The users of a split and its test restricted to them.
 * @example
 * ```ts
 * const { users, test }: UserSubset = coldStartUsers(split);
 * ```
 */
export interface UserSubset {
  /** The users, ascending. */
  readonly users: Int32Array;
  /** The test rows of those users, in the test's row order. */
  readonly test: Interactions;
}

/**
 * MRLR's "Cold Start" view: "only users with less than 5 ratings are involved in the
 * test data". Counts each test user's rows in `split.train` (repeats count each time; a
 * rating log has one row per rating) and keeps the users with
 * `minTrainInteractions ≤ count < fewerThan`, and their test rows. The test stays a
 * subset of the split's test, so the split's guarantee (no test pair in train) holds.
 *
 * Choice where the paper is vague: "less than 5 ratings" is read as fewer than 5
 * *training* ratings — what the model knows of the user when it is tested — and users
 * with none are left out by default (see {@link ColdStartOptions.minTrainInteractions}).
 *
 * @throws Error when the thresholds are not integers with `0 ≤ min < fewerThan`.
 * @example
 * ```ts
 * const folds = kFoldSplit(log, { k: 5, seed: 1 });
 * const cold = coldStartUsers(folds[0]);
 * cold.users.length; // users of fold 0's test with 1–4 train ratings
 * ```
 * @see MRLR (multi-level representation learning for personalized ranking), §4.3 and Table 2.
 */
export function coldStartUsers(split: TrainTestSplit, options: ColdStartOptions = {}): UserSubset {
  const fewerThan = options.fewerThan ?? 5;
  const min = options.minTrainInteractions ?? 1;
  if (!Number.isInteger(fewerThan) || !Number.isInteger(min) || min < 0 || min >= fewerThan) {
    throw new Error(
      `coldStartUsers: need integers 0 ≤ minTrainInteractions < fewerThan, got minTrainInteractions = ${min}, fewerThan = ${fewerThan}`,
    );
  }
  const { train, test } = split;
  if (train.numUsers !== test.numUsers) {
    throw new Error(`coldStartUsers: train has ${train.numUsers} users but test has ${test.numUsers}; they must share an index space`);
  }
  const trainCount = userActivity(train);
  const inTest = new Uint8Array(test.numUsers);
  for (let r = 0; r < test.length; r++) inTest[test.users[r]] = 1;
  const isCold = new Uint8Array(test.numUsers);
  const users: number[] = [];
  for (let u = 0; u < test.numUsers; u++) {
    if (inTest[u] && trainCount[u] >= min && trainCount[u] < fewerThan) {
      isCold[u] = 1;
      users.push(u);
    }
  }
  const rows: number[] = [];
  for (let r = 0; r < test.length; r++) if (isCold[test.users[r]]) rows.push(r);
  return { users: Int32Array.from(users), test: selectInteractions(test, Int32Array.from(rows)) };
}

// ---------------------------------------------------------------------------------------
// NMTR: leave-one-out on the target behaviour, and user groups by purchase count

/**
 * Options of {@link multiBehaviorLeaveOneOut}.
 * @example
 * ```ts
 * const options: MultiBehaviorLeaveOneOutOptions = { targetBehavior: 'buy', seed: 1, validation: true };
 * ```
 */
export interface MultiBehaviorLeaveOneOutOptions {
  /** The behaviour to hold out and evaluate (name or index); default the last of `behaviorNames`. */
  targetBehavior?: string | number;
  /**
   * Seed, any safe integer; default 0. The test row is chosen as in {@link leaveLastOut}
   * among the user's target rows; the validation row at word `u · 2^16` of
   * {@link SPLIT_STREAMS}.multiBehaviorValidation.
   */
  seed?: number;
  /** `'last'` (default): the latest target interaction is the test; `'random'`: a uniform one. */
  mode?: LeaveOutMode;
  /**
   * Also hold out one random remaining target interaction per user as validation, as NMTR
   * §IV-A3 does to tune hyper-parameters; default false. Users whose train would be left
   * without a target item get none.
   */
  validation?: boolean;
  /**
   * What happens to auxiliary-behaviour rows (views, carts) of a held-out (user, item)
   * pair: `'keep'` (default) leaves them in train, `'drop'` removes them too.
   */
  auxiliary?: 'keep' | 'drop';
}

/**
 * A train/test split with an optional validation part.
 * @example
 * ```ts
 * const { train, valid, test }: MultiBehaviorSplit = multiBehaviorLeaveOneOut(log, { validation: true });
 * ```
 */
export interface MultiBehaviorSplit extends TrainTestSplit {
  readonly valid?: Interactions;
}

/**
 * NMTR's protocol on multi-behaviour data: "We applied the widely used leave-one-out
 * technique to obtain the training set and test set, which means for every user, there
 * is a test item", held out from the target behaviour (purchase), and "each algorithm
 * ranks all items that the user has not interacted before". Apply NMTR's pre-processing
 * first: `mergeDuplicates` then `keepMultiBehaviorUsers`.
 *
 * Choices where the paper is vague, and why:
 * - **Auxiliary rows of the test pair stay in train** (`auxiliary: 'keep'`). NMTR's
 *   premise is the cascade "a user must view a product in order to purchase it": the
 *   view and cart of the item later bought are the signal the model learns from, and
 *   Beibei's published split (GHCF/EHCF, the same data as NMTR Table I) keeps every cart
 *   row, 13,525 of which are carts of a test purchase. The target behaviour's rows of a
 *   held-out pair always leave train. Consequence for evaluation: mask with the target
 *   behaviour's train positives (`positivesByBehavior(train)[target]`), not with all
 *   train rows, or the held-out item — viewed in train — is masked out of its own ranking.
 * - **Which purchase.** The latest (`mode: 'last'`), as in the NCF leave-one-out NMTR
 *   builds on, ties and logs without time broken by the seed; `'random'` is offered.
 * - **Who is held out.** Users whose target rows cover at least 2 distinct items, so
 *   that train keeps a target item (same rule as {@link leaveLastOut}).
 * - **Validation** (opt-in): "We randomly selected a training instance for each user as
 *   the validation set" — a uniform random remaining target row, for users with at
 *   least 2 distinct remaining target items; handled like the test pair.
 *
 * Train keeps the input's row order; test and validation have one row per user, in user
 * order. Cost: O(length).
 *
 * @throws Error when the log has no behaviour types, the target is unknown, or the
 * seed or mode is invalid.
 * @example
 * ```ts
 * const log = keepMultiBehaviorUsers(mergeDuplicates(beibei));
 * const { train, test } = multiBehaviorLeaveOneOut(log, { targetBehavior: 'buy', seed: 1 });
 * const mask = positivesByBehavior(train).buy; // mask these when ranking for test users
 * ```
 * @see Gao et al., Learning Recommender Systems from Multi-Behavior Data (NMTR), §IV-A.
 */
export function multiBehaviorLeaveOneOut(
  interactions: Interactions,
  options: MultiBehaviorLeaveOneOutOptions = {},
): MultiBehaviorSplit {
  const caller = 'multiBehaviorLeaveOneOut';
  const seed = options.seed ?? 0;
  const auxiliary = options.auxiliary ?? 'keep';
  if (auxiliary !== 'keep' && auxiliary !== 'drop') {
    throw new Error(`${caller}: auxiliary must be 'keep' or 'drop', got ${String(auxiliary)}`);
  }
  const target = resolveBehavior(interactions, options.targetBehavior, caller);
  const { users, items, length, numUsers } = interactions;
  const behaviors = interactions.behaviors!;
  const candidates = new Uint8Array(length);
  for (let r = 0; r < length; r++) candidates[r] = behaviors[r] === target ? 1 : 0;
  const testRow = chooseHeldOutRows(interactions, { seed, mode: options.mode ?? 'last', candidates, caller });

  const validRow = new Int32Array(numUsers).fill(-1);
  if (options.validation) {
    const rng = new Philox({ seed, stream: SPLIT_STREAMS.multiBehaviorValidation });
    const { indptr, indices } = rowsByUser(interactions);
    const seen = new Set<number>();
    for (let u = 0; u < numUsers; u++) {
      if (testRow[u] < 0) continue;
      const testItem = items[testRow[u]];
      let count = 0;
      seen.clear();
      for (let p = indptr[u]; p < indptr[u + 1]; p++) {
        const r = indices[p];
        if (candidates[r] && items[r] !== testItem) {
          count++;
          seen.add(items[r]);
        }
      }
      if (seen.size < 2) continue;
      rng.skipTo(u * DRAW_WORDS_PER_USER);
      let pick = rng.int(count);
      for (let p = indptr[u]; p < indptr[u + 1]; p++) {
        const r = indices[p];
        if (candidates[r] && items[r] !== testItem && pick-- === 0) {
          validRow[u] = r;
          break;
        }
      }
    }
  }

  const trainRows: number[] = [];
  for (let r = 0; r < length; r++) {
    const u = users[r];
    const held =
      (testRow[u] >= 0 && items[r] === items[testRow[u]]) || (validRow[u] >= 0 && items[r] === items[validRow[u]]);
    if (!held || (auxiliary === 'keep' && behaviors[r] !== target)) trainRows.push(r);
  }
  const split: { train: Interactions; test: Interactions; valid?: Interactions } = {
    train: selectInteractions(interactions, Int32Array.from(trainRows)),
    test: selectInteractions(interactions, testRow.filter((r) => r >= 0)),
  };
  if (options.validation) split.valid = selectInteractions(interactions, validRow.filter((r) => r >= 0));
  return split;
}

/**
 * NMTR §IV-D's user groups: lower bounds of "[5-8, 9-12, 13-16, 17-20, >20]" purchase
 * records. Group g holds counts in `[bounds[g], bounds[g+1] − 1]`, the last group
 * `≥ bounds[last]`.
 * @example
 * ```ts
 * userGroupsByCount(train, { bounds: NMTR_PURCHASE_GROUP_BOUNDS });
 * ```
 */
export const NMTR_PURCHASE_GROUP_BOUNDS: readonly number[] = [5, 9, 13, 17, 21];

/**
 * Options of {@link userGroupsByCount}.
 * @example
 * ```ts
 * const options: UserGroupOptions = { behavior: 'buy', bounds: [5, 9, 13, 17, 21] };
 * ```
 */
export interface UserGroupOptions {
  /**
   * Behaviour whose rows are counted (name or index); default the last of
   * `behaviorNames` (the target). Must be undefined for a log without behaviour types,
   * where every row counts.
   */
  behavior?: string | number;
  /** Strictly increasing lower bounds of the groups; default {@link NMTR_PURCHASE_GROUP_BOUNDS}. */
  bounds?: readonly number[];
}

/**
 * One group of {@link userGroupsByCount}.
 * @example
 * ```ts
 * const group: UserGroup = userGroupsByCount(train).groups[0]; // { label: '5-8', min: 5, max: 8, users }
 * ```
 */
export interface UserGroup {
  /** `'5-8'`, …, `'>20'` (NMTR's labels). */
  readonly label: string;
  /** Smallest count in the group. */
  readonly min: number;
  /** Largest count in the group (Infinity for the last). */
  readonly max: number;
  /** The users, ascending. */
  readonly users: Int32Array;
}

/**
 * Users grouped by a count, as {@link userGroupsByCount} returns them.
 * @example
 * ```ts
 * const { groupOfUser, groups }: UserGroups = userGroupsByCount(train);
 * ```
 */
export interface UserGroups {
  /** Each user's group index, −1 for users below the first bound. */
  readonly groupOfUser: Int32Array;
  readonly groups: readonly UserGroup[];
}

/**
 * NMTR's sparsity analysis (RQ3): "we divided all users of the Beibei dataset into
 * several groups according to the number of purchase records: [5-8, 9-12, 13-16, 17-20,
 * >20]", then reports HR@100 and NDCG@100 per group. Counts each user's rows of
 * `behavior` in `interactions` (after NMTR's merge of duplicates, rows are distinct
 * purchased items) and places the user by {@link UserGroupOptions.bounds}. Evaluate a
 * group by restricting the test to its users (`selectUsers(test, group.users)`): the
 * split's guarantee carries over to every subset.
 *
 * Choice where the paper is vague: pass the *train* log, so a user's group is what the
 * model saw of them; this reproduces the published Beibei groups of GHCF
 * (`sparsity.split`), which count training purchases — except that GHCF puts a count of
 * 20 in the last group, where NMTR's "17-20, >20" puts it in the fourth, which we follow.
 *
 * @throws Error on bad bounds, an unknown behaviour, or a behaviour given for a log
 * without behaviour types.
 * @example
 * ```ts
 * const { train, test } = multiBehaviorLeaveOneOut(log, { targetBehavior: 'buy' });
 * for (const group of userGroupsByCount(train, { behavior: 'buy' }).groups) {
 *   const groupTest = selectUsers(test, group.users); // HR@100 per group
 * }
 * ```
 * @see Gao et al., Learning Recommender Systems from Multi-Behavior Data (NMTR), §IV-D and Fig. 5.
 */
export function userGroupsByCount(interactions: Interactions, options: UserGroupOptions = {}): UserGroups {
  const bounds = options.bounds ?? NMTR_PURCHASE_GROUP_BOUNDS;
  if (bounds.length === 0 || bounds.some((b, g) => !Number.isInteger(b) || b < 0 || (g > 0 && b <= bounds[g - 1]))) {
    throw new Error(`userGroupsByCount: bounds must be strictly increasing integers ≥ 0, got [${bounds.join(', ')}]`);
  }
  const { users, length, numUsers } = interactions;
  const counts = new Int32Array(numUsers);
  if (interactions.behaviors === undefined) {
    if (options.behavior !== undefined) {
      throw new Error(`userGroupsByCount: behaviour ${String(options.behavior)} given, but the log has no behaviour types`);
    }
    for (let r = 0; r < length; r++) counts[users[r]]++;
  } else {
    const b = resolveBehavior(interactions, options.behavior, 'userGroupsByCount');
    const behaviors = interactions.behaviors;
    for (let r = 0; r < length; r++) if (behaviors[r] === b) counts[users[r]]++;
  }
  const groupOfUser = new Int32Array(numUsers).fill(-1);
  const members: number[][] = bounds.map(() => []);
  for (let u = 0; u < numUsers; u++) {
    let g = -1;
    while (g + 1 < bounds.length && counts[u] >= bounds[g + 1]) g++;
    groupOfUser[u] = g;
    if (g >= 0) members[g].push(u);
  }
  const groups = bounds.map((min, g): UserGroup => {
    const last = g === bounds.length - 1;
    const max = last ? Infinity : bounds[g + 1] - 1;
    const label = last ? `>${min - 1}` : min === max ? `${min}` : `${min}-${max}`;
    return { label, min, max, users: Int32Array.from(members[g]) };
  });
  return { groupOfUser, groups };
}

// ---------------------------------------------------------------------------------------
// CCRec: past and future category events around a cutoff

/** Five days in seconds: CCRec's grouping window. */
export const CCREC_EVENT_WINDOW_SECONDS = 5 * 86_400;

/**
 * Options of {@link temporalCategorySplit}.
 * @example
 * ```ts
 * const options: TemporalCategorySplitOptions = {
 *   cutoff: Date.UTC(2023, 2, 1) / 1000, categories: itemLeafCategory, maxPastEvents: 2,
 * };
 * ```
 */
export interface TemporalCategorySplitOptions {
  /** Unix seconds: rows with `timestamp < cutoff` are past, the rest future. Required. */
  cutoff: number;
  /**
   * Each item's categories: an {@link ItemCategories} (an item with several categories
   * takes part in an event of each) or one category per item (−1 for none), e.g. a
   * level of the tree from `itemCategoryAtDepth`. Rows of items without a category
   * belong to no event and are left out of both sides.
   */
  categories: ItemCategories | Int32Array;
  /** Size of the category space with an Int32Array; default its largest category + 1. */
  numCategories?: number;
  /** Grouping window in seconds; default {@link CCREC_EVENT_WINDOW_SECONDS} (5 days). */
  windowSeconds?: number;
  /** Keep at most this many past events per user, the most recent; default no limit. */
  maxPastEvents?: number;
  /** Keep at most this many future events per user, the earliest; default no limit. */
  maxFutureEvents?: number;
  /**
   * `'novel'` (default): future events of a category the user has among their kept past
   * events are dropped, so no evaluated (user, category) pair is in the past; `'all'`:
   * they are kept (the past/future split by time still holds, but the known-category
   * guarantee does not).
   */
  future?: 'novel' | 'all';
}

/**
 * A user–category event log: one row per event.
 * @example
 * ```ts
 * const { events, ends, sizes }: CategoryEvents = temporalCategorySplit(log, options).pastEvents;
 * events.items[0]; // the category of the first event
 * ```
 */
export interface CategoryEvents {
  /**
   * The events as an {@link Interactions} whose "items" are category indexes
   * (`numItems` = number of categories) and whose timestamps are each event's first
   * interaction, so CSR indexes, samplers and metrics work on categories unchanged.
   * Rows are by user, then by start time.
   */
  readonly events: Interactions;
  /** Time of each event's last interaction. */
  readonly ends: Float64Array;
  /** Number of item-level rows grouped into each event. */
  readonly sizes: Int32Array;
}

/**
 * What {@link temporalCategorySplit} returns.
 * @example
 * ```ts
 * const { past, pastEvents, futureEvents, users }: TemporalCategorySplit = temporalCategorySplit(log, options);
 * ```
 */
export interface TemporalCategorySplit {
  /** Item-level rows of the kept past events (CCRec's π), in the input's row order. */
  readonly past: Interactions;
  /** Item-level rows of the kept future events, in the input's row order. */
  readonly future: Interactions;
  /** Past category events (CCRec's δ): the model's input. */
  readonly pastEvents: CategoryEvents;
  /** Future category events (CCRec's γ): the targets. */
  readonly futureEvents: CategoryEvents;
  /** Users with at least one kept past and one kept future event, ascending: the ones to evaluate. */
  readonly users: Int32Array;
}

function checkLimit(value: number | undefined, what: string): number {
  if (value === undefined) return Infinity;
  if (value !== Infinity && (!Number.isInteger(value) || value < 1)) {
    throw new Error(`temporalCategorySplit: ${what} must be an integer ≥ 1 (or Infinity), got ${String(value)}`);
  }
  return value;
}

/** Growable event columns of one side. */
class EventColumns {
  users: number[] = [];
  categories: number[] = [];
  starts: number[] = [];
  ends: number[] = [];
  sizes: number[] = [];
  /** (row, event) memberships: which rows make up which event. */
  memberRows: number[] = [];
  memberEvents: number[] = [];
}

/**
 * CCRec's protocol: interactions before a cutoff date are a user's past, those after
 * their future ("We designate March 1, 2023, as the cutoff date, categorizing
 * interactions before this date as past interactions and those after as future
 * interactions"), and "we group interactions from the same category within 5 days as
 * one interaction and limit users to a maximum of 2 known interactions" (RetailRocket;
 * Tmall: 10 known and 3 future). A model sees each user's past category events and item
 * rows and is scored on the categories of their future events.
 *
 * Choices where the paper is vague, and why:
 * - **The window** is anchored at an event's first interaction: an interaction with
 *   category c joins the user's latest c-event when it is less than `windowSeconds`
 *   after that event's start, and opens a new event otherwise. Anchoring bounds an
 *   event's span at 5 days (a gap-based rule could chain a daily habit into one event
 *   lasting months), matching the paper's "if and only if the interactions take place in
 *   a short period". Events never straddle the cutoff: each side is grouped on its own.
 * - **Limits** keep the *most recent* past events (the known interactions closest to the
 *   prediction time) and the *earliest* future events (the next ones). The item-level
 *   `past` / `future` logs keep only rows of kept events; CCRec's Table 2 counts "past
 *   actions" per user above the event limit (2.21 for a limit of 2), consistent with
 *   several rows per event.
 * - **Novel future categories** by default (see {@link TemporalCategorySplitOptions.future}):
 *   category recommendation is for "exploration", and dropping future events of known
 *   categories is what keeps the rule that no evaluated (user, category) pair is in the
 *   input. "Known" means the kept past events: with a limit, a category the user only
 *   had before their kept events counts as new, as it would for the cold user simulated.
 *
 * Cost: O(length log(rows per user) + events).
 *
 * @throws Error when the log has no timestamps, the categories do not cover the log's
 * items, or an option is out of range.
 * @example
 * ```ts
 * const split = temporalCategorySplit(tmall, {
 *   cutoff: Date.UTC(2014, 10, 1) / 1000, categories: itemCategory,
 *   maxPastEvents: 10, maxFutureEvents: 3,
 * });
 * split.futureEvents.events.items; // the categories to predict, per row of users
 * ```
 * @see Wang, Akash et al., On Recommending Category: A Cascading Approach (CCRec), §4.1 and §6.1.
 */
export function temporalCategorySplit(interactions: Interactions, options: TemporalCategorySplitOptions): TemporalCategorySplit {
  const caller = 'temporalCategorySplit';
  const { cutoff } = options;
  const window = options.windowSeconds ?? CCREC_EVENT_WINDOW_SECONDS;
  const maxPast = checkLimit(options.maxPastEvents, 'maxPastEvents');
  const maxFuture = checkLimit(options.maxFutureEvents, 'maxFutureEvents');
  const futureMode = options.future ?? 'novel';
  if (!Number.isFinite(cutoff)) throw new Error(`${caller}: cutoff must be a finite Unix time in seconds, got ${String(cutoff)}`);
  if (!(Number.isFinite(window) && window > 0)) throw new Error(`${caller}: windowSeconds must be > 0, got ${String(window)}`);
  if (futureMode !== 'novel' && futureMode !== 'all') throw new Error(`${caller}: future must be 'novel' or 'all', got ${String(futureMode)}`);
  const timestamps = interactions.timestamps;
  if (timestamps === undefined) throw new Error(`${caller}: the log has no timestamps; a temporal split needs them`);
  const index = categoryItemIndex(options.categories, options.categories instanceof Int32Array ? options.numCategories : undefined);
  if (index.numItems !== interactions.numItems) {
    throw new Error(`${caller}: categories cover ${index.numItems} items, the log has numItems = ${interactions.numItems}`);
  }
  const { indptr: catPtr, indices: catOf } = index.itemToCategories;
  const numCategories = index.numCategories;
  const { numUsers, items } = interactions;

  const past = new EventColumns();
  const future = new EventColumns();
  // Per category, the user's open event on each side; `openStamp` marks whose it is.
  const openEvent = [new Int32Array(numCategories), new Int32Array(numCategories)];
  const openStamp = [new Int32Array(numCategories).fill(-1), new Int32Array(numCategories).fill(-1)];
  const knownStamp = new Int32Array(numCategories).fill(-1);
  const keptPast: number[] = [];
  const keptFuture: number[] = [];
  const evaluated: number[] = [];

  const { indptr, indices } = rowsByUser(interactions, { byTime: true });
  for (let u = 0; u < numUsers; u++) {
    const firstPast = past.users.length;
    const firstFuture = future.users.length;
    for (let p = indptr[u]; p < indptr[u + 1]; p++) {
      const r = indices[p];
      const t = timestamps[r];
      const side = t < cutoff ? 0 : 1;
      const events = side === 0 ? past : future;
      for (let k = catPtr[items[r]]; k < catPtr[items[r] + 1]; k++) {
        const c = catOf[k];
        let e = openStamp[side][c] === u ? openEvent[side][c] : -1;
        if (e >= 0 && t - events.starts[e] < window) {
          events.sizes[e]++;
          events.ends[e] = t;
        } else {
          e = events.users.length;
          events.users.push(u);
          events.categories.push(c);
          events.starts.push(t);
          events.ends.push(t);
          events.sizes.push(1);
          openEvent[side][c] = e;
          openStamp[side][c] = u;
        }
        events.memberRows.push(r);
        events.memberEvents.push(e);
      }
    }
    // Past: the most recent maxPast events (events are created in start order).
    const pastEnd = past.users.length;
    const pastStart = Math.max(firstPast, pastEnd - maxPast);
    for (let e = pastStart; e < pastEnd; e++) {
      keptPast.push(e);
      knownStamp[past.categories[e]] = u;
    }
    // Future: the earliest maxFuture events, after dropping known categories when novel.
    let futureKept = 0;
    for (let e = firstFuture; e < future.users.length && futureKept < maxFuture; e++) {
      if (futureMode === 'novel' && knownStamp[future.categories[e]] === u) continue;
      keptFuture.push(e);
      futureKept++;
    }
    if (pastEnd > pastStart && futureKept > 0) evaluated.push(u);
  }

  const materialise = (events: EventColumns, kept: number[]): { log: CategoryEvents; rows: Interactions } => {
    const keep = new Uint8Array(events.users.length);
    for (const e of kept) keep[e] = 1;
    const rowKept = new Uint8Array(interactions.length);
    for (let m = 0; m < events.memberRows.length; m++) if (keep[events.memberEvents[m]]) rowKept[events.memberRows[m]] = 1;
    const rows: number[] = [];
    for (let r = 0; r < interactions.length; r++) if (rowKept[r]) rows.push(r);
    const log: CategoryEvents = {
      events: createInteractions({
        users: Int32Array.from(kept, (e) => events.users[e]),
        items: Int32Array.from(kept, (e) => events.categories[e]),
        timestamps: Float64Array.from(kept, (e) => events.starts[e]),
        numUsers,
        numItems: numCategories,
      }),
      ends: Float64Array.from(kept, (e) => events.ends[e]),
      sizes: Int32Array.from(kept, (e) => events.sizes[e]),
    };
    return { log, rows: selectInteractions(interactions, Int32Array.from(rows)) };
  };
  const pastSide = materialise(past, keptPast);
  const futureSide = materialise(future, keptFuture);
  return {
    past: pastSide.rows,
    future: futureSide.rows,
    pastEvents: pastSide.log,
    futureEvents: futureSide.log,
    users: Int32Array.from(evaluated),
  };
}
