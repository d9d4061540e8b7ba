/**
 * Filters: pure functions from a log to a smaller log, the pre-processing steps of the
 * papers' experimental sections (k-core, minimum activity, rating thresholds, NMTR's
 * duplicate merge and multi-behaviour users, the second-hand paper's user sample).
 *
 * Every filter keeps the index spaces: its output has the input's `numUsers` and
 * `numItems`, and a user or item whose rows are all dropped simply has none. That keeps
 * the id maps, item side information (categories, features) and any split made earlier
 * valid, and lets filters chain in any order. Call {@link compactInteractions} once at
 * the end to renumber users and items densely when a model's embedding tables should not
 * hold rows for absent ids; it returns the index maps (and the new IdMaps) it used.
 * Filters keep the input's row order and every column (ratings, times, behaviours).
 */
import { Philox } from '@rec/core';
import { itemPopularity } from './csr.js';
import { resolveBehavior, rowsByUser, userActivity } from './indexes.js';
import { IdMap, selectInteractions, type Interactions, type RawId } from './interactions.js';

/**
 * Philox stream of {@link sampleUsers} (`0xda7a_0301`): user `u`'s key is word `u`. In
 * the `0xda7a_03xx` block of the range `@rec/data` keeps for itself (see
 * `LEAVE_LAST_OUT_STREAM`, `SPLIT_STREAMS`).
 * @example
 * ```ts
 * Philox.u32At(seed, SAMPLE_USERS_STREAM, 42); // user 42's key in sampleUsers(log, { seed, … })
 * ```
 */
export const SAMPLE_USERS_STREAM = 0xda7a_0301;

/** The rows with `keep[r] === 1`. */
function keepRows(interactions: Interactions, keep: Uint8Array): Interactions {
  let count = 0;
  for (let r = 0; r < keep.length; r++) count += keep[r];
  const rows = new Int32Array(count);
  for (let r = 0, w = 0; r < keep.length; r++) if (keep[r]) rows[w++] = r;
  return selectInteractions(interactions, rows);
}

function checkMinimum(value: number, what: string, caller: string): void {
  if (!Number.isInteger(value) || value < 0) throw new Error(`${caller}: ${what} must be an integer ≥ 0, got ${String(value)}`);
}

/**
 * Options of {@link kCore}: the minimum for users and for items, separately.
 * @example
 * ```ts
 * kCore(log, { userK: 5, itemK: 10 } satisfies KCoreOptions);
 * ```
 */
export interface KCoreOptions {
  /** Minimum rows per user and per item, unless overridden below; default 1. */
  k?: number;
  /** Minimum rows per remaining user; default `k`. */
  userK?: number;
  /** Minimum rows per remaining item; default `k`. */
  itemK?: number;
}

/**
 * The k-core of a log: repeatedly drops users with fewer than `userK` rows and items with
 * fewer than `itemK` rows until every remaining user and item has enough (dropping an
 * item can push a user under the minimum, and so on). The result is the largest sub-log
 * with that property, whatever order the peeling happens in.
 *
 * This is the "usual" pre-processing the second-hand paper describes — "They usually
 * first filter out items and users that appear less than five times at preprocessing
 * step" — and argues against for second-hand data, where 99 % of items have fewer than
 * five users; it is how the Amazon and Yelp 5-core logs MRLR and the sequential papers
 * use were made. Rows are counted with repeats, as "appear … times" reads; run
 * {@link mergeDuplicates} first to count distinct neighbours. Cost: O(length) (each row
 * is removed at most once).
 *
 * @param k a single minimum for both sides, or {@link KCoreOptions}.
 * @throws Error when a minimum is not an integer ≥ 0.
 * @example
 * ```ts
 * const core = kCore(log, 5);                       // 5-core
 * const asymmetric = kCore(log, { userK: 5, itemK: 2 });
 * ```
 * @see Yu & Gan, Personalized Item Recommendation for Second-hand Trading Platform, §1 and §2.2.
 */
export function kCore(interactions: Interactions, k: number | KCoreOptions): Interactions {
  const options = typeof k === 'number' ? { k } : k;
  const userK = options.userK ?? options.k ?? 1;
  const itemK = options.itemK ?? options.k ?? 1;
  checkMinimum(userK, 'userK', 'kCore');
  checkMinimum(itemK, 'itemK', 'kCore');
  const { numUsers, numItems, users, items, length } = interactions;
  const byUser = rowsByUser(interactions);
  // Rows of each item (counting sort), for peeling an item.
  const itemPtr = new Int32Array(numItems + 1);
  for (let r = 0; r < length; r++) itemPtr[items[r] + 1]++;
  for (let i = 0; i < numItems; i++) itemPtr[i + 1] += itemPtr[i];
  const itemRows = new Int32Array(length);
  const cursor = itemPtr.slice(0, numItems);
  for (let r = 0; r < length; r++) itemRows[cursor[items[r]]++] = r;

  const userCount = userActivity(interactions);
  const itemCount = itemPopularity(interactions);
  const alive = new Uint8Array(length).fill(1);
  const userGone = new Uint8Array(numUsers);
  const itemGone = new Uint8Array(numItems);
  // Stack of entities to remove: users as u, items as −(i + 1).
  const stack: number[] = [];
  for (let u = 0; u < numUsers; u++) if (userCount[u] > 0 && userCount[u] < userK) stack.push(u);
  for (let i = 0; i < numItems; i++) if (itemCount[i] > 0 && itemCount[i] < itemK) stack.push(-(i + 1));
  while (stack.length > 0) {
    const entity = stack.pop()!;
    if (entity >= 0) {
      if (userGone[entity]) continue;
      userGone[entity] = 1;
      for (let p = byUser.indptr[entity]; p < byUser.indptr[entity + 1]; p++) {
        const r = byUser.indices[p];
        if (!alive[r]) continue;
        alive[r] = 0;
        const i = items[r];
        if (--itemCount[i] > 0 && itemCount[i] < itemK && !itemGone[i]) stack.push(-(i + 1));
      }
    } else {
      const i = -entity - 1;
      if (itemGone[i]) continue;
      itemGone[i] = 1;
      for (let p = itemPtr[i]; p < itemPtr[i + 1]; p++) {
        const r = itemRows[p];
        if (!alive[r]) continue;
        alive[r] = 0;
        const u = users[r];
        if (--userCount[u] > 0 && userCount[u] < userK && !userGone[u]) stack.push(u);
      }
    }
  }
  return keepRows(interactions, alive);
}

/**
 * Keeps the rows of users with at least `min` rows (in one pass: items are not
 * re-checked, unlike {@link kCore}). RnR's pre-processing: "Users with less than 4
 * interactions were omitted" — `minInteractionsPerUser(log, 4)`.
 *
 * @throws Error when `min` is not an integer ≥ 0.
 * @example
 * ```ts
 * const log = minInteractionsPerUser(ml1m, 4); // RnR §5.2
 * ```
 * @see RnR (Rank and Rate multi-task), §5.2.
 */
export function minInteractionsPerUser(interactions: Interactions, min: number): Interactions {
  checkMinimum(min, 'min', 'minInteractionsPerUser');
  const counts = userActivity(interactions);
  const keep = new Uint8Array(interactions.length);
  for (let r = 0; r < interactions.length; r++) keep[r] = counts[interactions.users[r]] >= min ? 1 : 0;
  return keepRows(interactions, keep);
}

/**
 * Keeps the rows of items with at least `min` rows, in one pass (users are not
 * re-checked, unlike {@link kCore}): the item half of the "appear less than five times"
 * filter the second-hand paper describes and, for its data, rejects.
 *
 * @throws Error when `min` is not an integer ≥ 0.
 * @example
 * ```ts
 * const log = minInteractionsPerItem(raw, 5);
 * ```
 * @see Yu & Gan, Personalized Item Recommendation for Second-hand Trading Platform, §2.2.
 */
export function minInteractionsPerItem(interactions: Interactions, min: number): Interactions {
  checkMinimum(min, 'min', 'minInteractionsPerItem');
  const counts = itemPopularity(interactions);
  const keep = new Uint8Array(interactions.length);
  for (let r = 0; r < interactions.length; r++) keep[r] = counts[interactions.items[r]] >= min ? 1 : 0;
  return keepRows(interactions, keep);
}

/**
 * Options of {@link ratingsToImplicit}.
 * @example
 * ```ts
 * ratingsToImplicit(log, { threshold: 4 } satisfies RatingsToImplicitOptions);
 * ```
 */
export interface RatingsToImplicitOptions {
  /** Keep rows with `rating ≥ threshold`. Required (a finite number). */
  threshold: number;
  /**
   * Keep the ratings column on the kept rows; default false. The default drops it, so
   * the result is an implicit log that no model or metric can mistake for explicit
   * feedback; keep it when a multi-task model (RnR) still needs the stars of positives.
   */
  keepRatings?: boolean;
}

/**
 * Turns explicit ratings into implicit positives: keeps the rows rated at least
 * `threshold` and, by default, drops the ratings column (see
 * {@link RatingsToImplicitOptions.keepRatings}). None of the five papers thresholds
 * ratings: RnR (§4) treats every rated item as chosen and learns the stars as a second
 * task, and MRLR ranks rated items above unrated ones, as NCF does (threshold 1 on a 1–5
 * scale keeps every row). This serves the common "liked items" variant (rating ≥ 4) and
 * the conversion of a rating log to implicit feedback.
 *
 * @throws Error when the log has no ratings or the threshold is not finite.
 * @example
 * ```ts
 * const liked = ratingsToImplicit(ml100k, { threshold: 4 });
 * liked.ratings; // undefined
 * ```
 * @see RnR (Rank and Rate multi-task), §4 (the choice to interact, then the rating).
 */
export function ratingsToImplicit(interactions: Interactions, options: RatingsToImplicitOptions): Interactions {
  const { threshold } = options;
  const ratings = interactions.ratings;
  if (ratings === undefined) throw new Error('ratingsToImplicit: the log has no ratings column');
  if (!Number.isFinite(threshold)) throw new Error(`ratingsToImplicit: threshold must be a finite number, got ${String(threshold)}`);
  const keep = new Uint8Array(interactions.length);
  for (let r = 0; r < interactions.length; r++) keep[r] = ratings[r] >= threshold ? 1 : 0;
  const kept = keepRows(interactions, keep);
  if (options.keepRatings) return kept;
  const { ratings: _dropped, ...implicit } = kept;
  return implicit;
}

/**
 * Options of {@link mergeDuplicates}.
 * @example
 * ```ts
 * mergeDuplicates(log, { perBehavior: false } satisfies MergeDuplicatesOptions);
 * ```
 */
export interface MergeDuplicatesOptions {
  /**
   * Duplicates are rows with the same (user, item, behaviour) — default true, so a view
   * and a later purchase of the same item both stay (NMTR's cascade needs both) — or,
   * when false, the same (user, item) whatever the behaviour.
   */
  perBehavior?: boolean;
}

/**
 * NMTR's duplicate merge: "we merged the duplicated user-item interactions by keeping the
 * earliest one … the rationality here is to test the performance of a method in
 * recommending novel items that a user did not consume before". Of each group of
 * duplicates the row with the earliest timestamp stays (ties, and logs without
 * timestamps: the first in row order) with all its columns; the others go.
 *
 * Choice where the paper is vague: duplicates are per behaviour type by default (see
 * {@link MergeDuplicatesOptions.perBehavior}): merging across behaviours would keep only
 * the view of a bought item and erase the purchase NMTR predicts.
 * Cost: O(length log(rows per user)).
 *
 * @example
 * ```ts
 * const merged = mergeDuplicates(beibei); // one row per (user, item, behaviour)
 * ```
 * @see Gao et al., Learning Recommender Systems from Multi-Behavior Data (NMTR), §IV-A1.
 */
export function mergeDuplicates(interactions: Interactions, options: MergeDuplicatesOptions = {}): Interactions {
  const perBehavior = (options.perBehavior ?? true) && interactions.behaviors !== undefined;
  const { items, timestamps, length } = interactions;
  const behaviors = interactions.behaviors;
  const { indptr, indices } = rowsByUser(interactions);
  const keep = new Uint8Array(length);
  for (let u = 0; u + 1 < indptr.length; u++) {
    const rows = indices.subarray(indptr[u], indptr[u + 1]);
    if (rows.length === 0) continue;
    rows.sort(
      (a, b) =>
        items[a] - items[b] ||
        (perBehavior ? behaviors![a] - behaviors![b] : 0) ||
        (timestamps ? timestamps[a] - timestamps[b] : 0) ||
        a - b,
    );
    keep[rows[0]] = 1;
    for (let p = 1; p < rows.length; p++) {
      const a = rows[p - 1];
      const b = rows[p];
      if (items[a] !== items[b] || (perBehavior && behaviors![a] !== behaviors![b])) keep[b] = 1;
    }
  }
  return keepRows(interactions, keep);
}

/**
 * Options of {@link keepMultiBehaviorUsers}.
 * @example
 * ```ts
 * keepMultiBehaviorUsers(log, { minTypes: 3 } satisfies MultiBehaviorUserOptions);
 * ```
 */
export interface MultiBehaviorUserOptions {
  /** Minimum number of distinct behaviour types a kept user has; default 2 ("more than one"). */
  minTypes?: number;
}

/**
 * NMTR's user filter: "we focused on users with more than one type of behavior". Keeps
 * the rows of users with at least `minTypes` distinct behaviour types (default 2).
 *
 * @throws Error when the log has no behaviour types or `minTypes` is not an integer ≥ 1.
 * @example
 * ```ts
 * const log = keepMultiBehaviorUsers(mergeDuplicates(tmall));
 * ```
 * @see Gao et al., Learning Recommender Systems from Multi-Behavior Data (NMTR), §IV-A1.
 */
export function keepMultiBehaviorUsers(interactions: Interactions, options: MultiBehaviorUserOptions = {}): Interactions {
  const minTypes = options.minTypes ?? 2;
  if (!Number.isInteger(minTypes) || minTypes < 1) {
    throw new Error(`keepMultiBehaviorUsers: minTypes must be an integer ≥ 1, got ${String(minTypes)}`);
  }
  resolveBehavior(interactions, undefined, 'keepMultiBehaviorUsers');
  const behaviors = interactions.behaviors!;
  const { indptr, indices } = rowsByUser(interactions);
  const seenBy = new Int32Array(interactions.behaviorNames!.length).fill(-1);
  const keepUser = new Uint8Array(interactions.numUsers);
  for (let u = 0; u < interactions.numUsers; u++) {
    let types = 0;
    for (let p = indptr[u]; p < indptr[u + 1]; p++) {
      const b = behaviors[indices[p]];
      if (seenBy[b] !== u) {
        seenBy[b] = u;
        types++;
      }
    }
    keepUser[u] = types >= minTypes ? 1 : 0;
  }
  const keep = new Uint8Array(interactions.length);
  for (let r = 0; r < interactions.length; r++) keep[r] = keepUser[interactions.users[r]];
  return keepRows(interactions, keep);
}

/**
 * Keeps the rows of the given users (an array of user indexes, in any order, repeats
 * allowed). Restricting a test set to a group of users (cold-start users, NMTR's
 * purchase-count groups) keeps every guarantee of the split it came from.
 *
 * @throws Error naming the first user index outside `[0, numUsers)`.
 * @example
 * ```ts
 * const groupTest = selectUsers(test, group.users);
 * ```
 */
export function selectUsers(interactions: Interactions, users: ArrayLike<number>): Interactions {
  const wanted = new Uint8Array(interactions.numUsers);
  for (let k = 0; k < users.length; k++) {
    const u = users[k];
    if (!Number.isInteger(u) || u < 0 || u >= interactions.numUsers) {
      throw new Error(`selectUsers: users[${k}] = ${u} is outside [0, numUsers = ${interactions.numUsers})`);
    }
    wanted[u] = 1;
  }
  const keep = new Uint8Array(interactions.length);
  for (let r = 0; r < interactions.length; r++) keep[r] = wanted[interactions.users[r]];
  return keepRows(interactions, keep);
}

/**
 * Options of {@link sampleUsers}.
 * @example
 * ```ts
 * sampleUsers(log, { count: 1000, seed: 1 } satisfies SampleUsersOptions);
 * ```
 */
export interface SampleUsersOptions {
  /** How many users to keep, at most the number of users with a row. Required. */
  count: number;
  /**
   * Seed, any safe integer; default 0. The kept users are the `count` users (with at
   * least one row) of smallest key, user `u`'s key being word `u` of
   * {@link SAMPLE_USERS_STREAM}: a uniform random subset, and whether a user is kept
   * depends only on the seed and the keys of the users present, not on row order.
   */
  seed?: number;
}

/**
 * The second-hand paper's sub-sampling: "we first randomly sample 1,000 users … And then
 * we select the items that have been interacted by the selected users, and all the
 * interaction data related to the selected users and items" — which is exactly the rows
 * of the sampled users. Keeps all rows of a uniform random subset of `count` users
 * among those with at least one row.
 *
 * @throws Error when `count` is not an integer in `[0, users present]` or the seed is
 * not a safe integer.
 * @example
 * ```ts
 * const men = sampleUsers(mercariMen, { count: 1000, seed: 1 });
 * ```
 * @see Yu & Gan, Personalized Item Recommendation for Second-hand Trading Platform, §4.1.
 */
export function sampleUsers(interactions: Interactions, options: SampleUsersOptions): Interactions {
  const { count } = options;
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) throw new Error(`sampleUsers: seed must be a safe integer, got ${String(seed)}`);
  const activity = userActivity(interactions);
  const present: number[] = [];
  for (let u = 0; u < interactions.numUsers; u++) if (activity[u] > 0) present.push(u);
  if (!Number.isInteger(count) || count < 0 || count > present.length) {
    throw new Error(`sampleUsers: count must be an integer in [0, ${present.length}] (the users with a row), got ${String(count)}`);
  }
  const key = new Float64Array(interactions.numUsers);
  for (const u of present) key[u] = Philox.u32At(seed, SAMPLE_USERS_STREAM, u);
  present.sort((a, b) => key[a] - key[b] || a - b);
  return selectUsers(interactions, present.slice(0, count));
}

/**
 * A renumbering of one index space: new index `k` is old index `oldOf[k]`; `newOf[old]`
 * is its new index, or −1 for an old index that had no rows.
 * @example
 * ```ts
 * const { items }: { items: IndexRemap } = compactInteractions(log);
 * itemFeatures.rowOf(items.oldOf[k]); // side information of new item k
 * ```
 */
export interface IndexRemap {
  readonly oldOf: Int32Array;
  readonly newOf: Int32Array;
}

/**
 * What {@link compactInteractions} returns.
 * @example
 * ```ts
 * const { interactions, users, items, userIds, itemIds }: CompactedInteractions = compactInteractions(log, ids);
 * ```
 */
export interface CompactedInteractions<UserId extends RawId = RawId, ItemId extends RawId = RawId> {
  /** The log over the new, dense index spaces; rows and columns unchanged otherwise. */
  readonly interactions: Interactions;
  readonly users: IndexRemap;
  readonly items: IndexRemap;
  /** The new user IdMap, when one was given. */
  readonly userIds?: IdMap<UserId>;
  /** The new item IdMap, when one was given. */
  readonly itemIds?: IdMap<ItemId>;
}

function remapOf(values: Int32Array, size: number): IndexRemap {
  const newOf = new Int32Array(size).fill(-1);
  for (let r = 0; r < values.length; r++) newOf[values[r]] = 0;
  let next = 0;
  for (let old = 0; old < size; old++) if (newOf[old] === 0) newOf[old] = next++;
  const oldOf = new Int32Array(next);
  for (let old = 0; old < size; old++) if (newOf[old] >= 0) oldOf[newOf[old]] = old;
  return { oldOf, newOf };
}

/**
 * Renumbers users and items densely over those with at least one row, keeping their
 * relative order (so ids encoded in sorted raw-id order stay sorted), after filtering.
 * Returns the index maps and, when the IdMaps are given, new IdMaps over the kept ids;
 * item side information is re-indexed with `items.oldOf` (e.g.
 * `Int32Array.from(items.oldOf, (i) => itemLeafCategory[i])`). Everything split or
 * indexed before compacting must be rebuilt after it.
 *
 * @throws Error when a given IdMap's size is not the log's numUsers / numItems.
 * @example
 * ```ts
 * const filtered = kCore(dataset.interactions, 5);
 * const { interactions, userIds, itemIds, items } = compactInteractions(filtered, dataset);
 * interactions.numItems === itemIds!.size; // true
 * ```
 */
export function compactInteractions<UserId extends RawId = RawId, ItemId extends RawId = RawId>(
  interactions: Interactions,
  ids: { userIds?: IdMap<UserId>; itemIds?: IdMap<ItemId> } = {},
): CompactedInteractions<UserId, ItemId> {
  const { userIds, itemIds } = ids;
  if (userIds !== undefined && userIds.size !== interactions.numUsers) {
    throw new Error(`compactInteractions: userIds has ${userIds.size} ids but the log has numUsers = ${interactions.numUsers}`);
  }
  if (itemIds !== undefined && itemIds.size !== interactions.numItems) {
    throw new Error(`compactInteractions: itemIds has ${itemIds.size} ids but the log has numItems = ${interactions.numItems}`);
  }
  const users = remapOf(interactions.users, interactions.numUsers);
  const items = remapOf(interactions.items, interactions.numItems);
  const log: { -readonly [K in keyof Interactions]: Interactions[K] } = {
    ...interactions,
    numUsers: users.oldOf.length,
    numItems: items.oldOf.length,
    users: Int32Array.from(interactions.users, (u) => users.newOf[u]),
    items: Int32Array.from(interactions.items, (i) => items.newOf[i]),
  };
  const out: { -readonly [K in keyof CompactedInteractions<UserId, ItemId>]: CompactedInteractions<UserId, ItemId>[K] } = {
    interactions: log,
    users,
    items,
  };
  if (userIds !== undefined) out.userIds = new IdMap(Array.from(users.oldOf, (u) => userIds.idOf(u)));
  if (itemIds !== undefined) out.itemIds = new IdMap(Array.from(items.oldOf, (i) => itemIds.idOf(i)));
  return out;
}
