/**
 * CCRec's protocol (§6.1, §6.3) on a log with timestamps: a cutoff splits each user's log
 * into past and future, category events group a user's interactions with one category
 * within 5 days, and users are split into those the models learn from, warm test users
 * and cold test users, by folds so that small data still evaluates every user once.
 */
import { Philox } from '@rec/core';
import { createInteractions, type Interactions, type ItemCategories, selectInteractions, temporalCategorySplit, type TemporalCategorySplit } from '@rec/data';
import type { CategoryTask } from '../plugin/category-task.js';

/** Options of {@link ccrecSplit}. */
export interface CcrecSplitOptions {
  /** Unix seconds: rows before it are the past. */
  readonly cutoff: number;
  /** Each item's categories (multi-label), in the task's category space. */
  readonly itemCategories: ItemCategories;
  /** k: past events kept per user, the most recent (default 10, §6.1). */
  readonly maxPast?: number;
  /** Future events kept per user, the earliest (default 3, as §6.1 caps Tmall). */
  readonly maxFuture?: number;
  /** Past events a cold test user keeps (default 2, RetailRocket's limit in §6.1). */
  readonly coldPast?: number;
  /** Folds of the users (default 10: warm test users are 10 % of the users, §6.3). */
  readonly folds?: number;
  /** Seed of the users' fold order. */
  readonly seed?: number;
  /** Grouping window in seconds (default 5 days). */
  readonly windowSeconds?: number;
}

/** One fold: the task the models train on and the users tested. */
export interface CcrecFold {
  /** Past events of every user (cold test users' cut to `coldPast`), futures of the learning users and the validation users. */
  readonly task: CategoryTask;
  /** Item-level rows of the past events in `task` (CCRec's π): the models' `train`. */
  readonly train: Interactions;
  /** Warm test users: a fold of the evaluated users, with their whole kept past. */
  readonly warm: Int32Array;
  /** Cold test users: the next fold, their past cut to the last `coldPast` events. */
  readonly cold: Int32Array;
  /** Validation users: the fold after, neither learned from nor tested. */
  readonly validate: Int32Array;
}

/** What {@link ccrecSplit} returns. */
export interface CcrecSplit {
  /** The split with k past events per user. */
  readonly split: TemporalCategorySplit;
  /** The evaluated users (a past and a future event each), in seeded fold order. */
  readonly order: Int32Array;
  readonly folds: number;
  /** Every user's future categories (test targets), rows by user. */
  readonly future: Interactions;
  /** Fold `f` (0-based). */
  fold(f: number): CcrecFold;
}

/** The rows of `log` whose user `keep` accepts. */
function rowsWhere(log: Interactions, keep: (user: number) => boolean): number[] {
  const rows: number[] = [];
  for (let r = 0; r < log.length; r++) if (keep(log.users[r]!)) rows.push(r);
  return rows;
}

/** Rows `a` of `x` then rows `b` of `y` (same index spaces) as one log. */
function concatRows(x: Interactions, a: number[], y: Interactions, b: number[]): Interactions {
  const pick = <T extends Int32Array | Float64Array | Float32Array>(cx: T | undefined, cy: T | undefined, make: (n: number) => T): T | undefined => {
    if (!cx || !cy) return undefined;
    const out = make(a.length + b.length);
    a.forEach((r, i) => (out[i] = cx[r]!));
    b.forEach((r, i) => (out[a.length + i] = cy[r]!));
    return out;
  };
  const timestamps = pick(x.timestamps, y.timestamps, (n) => new Float64Array(n));
  const ratings = pick(x.ratings, y.ratings, (n) => new Float32Array(n));
  return createInteractions({
    users: pick(x.users, y.users, (n) => new Int32Array(n))!,
    items: pick(x.items, y.items, (n) => new Int32Array(n))!,
    numUsers: x.numUsers,
    numItems: x.numItems,
    ...(timestamps ? { timestamps } : {}),
    ...(ratings ? { ratings } : {}),
  });
}

/**
 * Splits `log` for CCRec: the cutoff and 5-day grouping of `temporalCategorySplit`
 * (future events of known categories are kept: returning to a category is a hit here,
 * as CCRec's released final model scores the user's past categories among its
 * candidates), the evaluated users in a seeded order cut into `folds` folds. Fold f
 * tests warm users of fold f and cold users of fold f + 1 (their past cut to the last
 * `coldPast` events: §6.1's simulation of a cold start), validates on fold f + 2 and
 * learns from the rest; over all folds every evaluated user is tested once warm and once
 * cold.
 *
 * @throws Error when fewer users than folds can be evaluated, or an option is out of range.
 * @example
 * ```ts
 * const ccrec = ccrecSplit(ml.interactions, { cutoff, itemCategories: ml.itemCategories });
 * const { task, train, warm, cold } = ccrec.fold(0);
 * ```
 */
export function ccrecSplit(log: Interactions, options: CcrecSplitOptions): CcrecSplit {
  const folds = options.folds ?? 10;
  if (!(Number.isInteger(folds) && folds >= 3)) throw new Error(`ccrecSplit: folds must be an integer ≥ 3 (test, cold and validation folds), got ${folds}`);
  const common = {
    cutoff: options.cutoff, categories: options.itemCategories, maxFutureEvents: options.maxFuture ?? 3, future: 'all' as const,
    ...(options.windowSeconds !== undefined ? { windowSeconds: options.windowSeconds } : {}),
  };
  const split = temporalCategorySplit(log, { ...common, maxPastEvents: options.maxPast ?? 10 });
  const coldSplit = temporalCategorySplit(log, { ...common, maxPastEvents: options.coldPast ?? 2 });
  if (split.users.length < folds) throw new Error(`ccrecSplit: only ${split.users.length} users have both a past and a future event at this cutoff; ${folds} folds need at least ${folds}`);
  const order = Array.from(split.users);
  new Philox({ seed: options.seed ?? 0, stream: 31 }).shuffle(order);
  const foldOf = new Int32Array(log.numUsers).fill(-1);
  order.forEach((u, i) => (foldOf[u] = i % folds));
  const membersOf = (f: number): Int32Array => Int32Array.from(order.filter((u) => foldOf[u] === f)).sort();
  const future = split.futureEvents.events;
  return {
    split,
    order: Int32Array.from(order),
    folds,
    future,
    fold(f: number): CcrecFold {
      if (!(Number.isInteger(f) && f >= 0 && f < folds)) throw new Error(`ccrecSplit: fold must be an integer in 0..${folds - 1}, got ${f}`);
      const coldFold = (f + 1) % folds;
      const validFold = (f + 2) % folds;
      const isCold = (u: number): boolean => foldOf[u] === coldFold;
      const learns = (u: number): boolean => foldOf[u] >= 0 && foldOf[u] !== f && !isCold(u) && foldOf[u] !== validFold;
      const pastEvents = concatRows(
        split.pastEvents.events, rowsWhere(split.pastEvents.events, (u) => !isCold(u)),
        coldSplit.pastEvents.events, rowsWhere(coldSplit.pastEvents.events, isCold),
      );
      const train = concatRows(split.past, rowsWhere(split.past, (u) => !isCold(u)), coldSplit.past, rowsWhere(coldSplit.past, isCold));
      const select = (keep: (u: number) => boolean): Interactions => selectInteractions(future, Int32Array.from(rowsWhere(future, keep)));
      const task: CategoryTask = {
        numCategories: options.itemCategories.numCategories,
        itemCategories: options.itemCategories,
        past: pastEvents,
        future: select(learns),
        validFuture: select((u) => foldOf[u] === validFold),
      };
      return { task, train, warm: membersOf(f), cold: membersOf(coldFold), validate: membersOf(validFold) };
    },
  };
}
