/**
 * User-group breakdowns of per-user metrics: the mean of each metric within groups of
 * users (how active they are, which behaviour their test rows have, how popular their
 * test items are), with the group sizes, as a plain JSON-serialisable object.
 *
 * Input is the `perUser` output of `evaluateFullRanking` (users + one Float64Array per
 * metric key, aligned). A breakdown never recomputes a metric, so its groups' means,
 * weighted by their counts, give back the overall mean whenever each user is in exactly
 * one group (activity buckets); see each function for when a user can be in several.
 */
import type { ItemRows, PerUserMetrics } from './protocols/full-ranking.js';

/**
 * One group's size and metric means.
 * @example
 * ```ts
 * const group: GroupMeans = { group: '5-8', count: 4210, range: { min: 5, max: 8 }, means: { 'HR@100': 0.027 } };
 * ```
 */
export interface GroupMeans {
  /** The group's label, e.g. `<5`, `5-8`, `>20`, `buy`. */
  readonly group: string;
  /** Users in the group (each user once per group). */
  readonly count: number;
  /** For numeric buckets: the inclusive range of the bucketed quantity; `max: null` is unbounded. */
  readonly range?: { readonly min: number; readonly max: number | null };
  /** Mean of each metric over the group's users; `null` when the group is empty. */
  readonly means: Readonly<Record<string, number | null>>;
}

/**
 * A breakdown: per-group means plus the overall means they came from.
 * @example
 * ```ts
 * const b: Breakdown = breakdownByActivity(result.perUser!, trainCounts);
 * JSON.stringify(b); // plain data: strings, numbers, null, arrays, records
 * ```
 */
export interface Breakdown {
  /** What the users are grouped by: `activity`, `behavior`, `item-popularity`, or a caller's name. */
  readonly by: string;
  /** How the groups were formed, in words (thresholds included), for a report's caption. */
  readonly definition: string;
  readonly groups: readonly GroupMeans[];
  /** All users in `perUser`: the means a protocol reports. */
  readonly overall: { readonly count: number; readonly means: Readonly<Record<string, number>> };
  /** Users in `perUser` that fell in no group (e.g. no test row given for them). */
  readonly unassigned: number;
}

function checkPerUser(perUser: PerUserMetrics, fn: string): string[] {
  const keys = Object.keys(perUser.metrics);
  const n = perUser.users.length;
  for (const key of keys) {
    const values = perUser.metrics[key];
    if (values.length !== n) {
      throw new Error(`${fn}: perUser.metrics['${key}'] has ${values.length} values for ${n} users`);
    }
    for (let i = 0; i < n; i++) {
      if (values[i] !== values[i]) {
        throw new Error(
          `${fn}: perUser.metrics['${key}'][${i}] (user ${perUser.users[i]}) is NaN; ` +
            'leave users without a value out before breaking down',
        );
      }
    }
  }
  return keys;
}

interface GroupDef {
  readonly label: string;
  readonly range?: { readonly min: number; readonly max: number | null };
}

/**
 * Means per group, given each user's (index into perUser.users) group numbers.
 * `membership(i, add)` calls `add(g)` for every group g of user i; repeats are ignored.
 */
function summarise(
  perUser: PerUserMetrics,
  keys: readonly string[],
  defs: readonly GroupDef[],
  membership: (index: number, add: (group: number) => void) => void,
  by: string,
  definition: string,
): Breakdown {
  const n = perUser.users.length;
  const numGroups = defs.length;
  const counts = new Float64Array(numGroups);
  const sums = keys.map(() => new Float64Array(numGroups));
  const lastSeen = new Int32Array(numGroups).fill(-1); // dedupes a user's repeated groups
  let unassigned = 0;
  for (let i = 0; i < n; i++) {
    let assigned = false;
    membership(i, (g) => {
      if (lastSeen[g] === i) return;
      lastSeen[g] = i;
      assigned = true;
      counts[g]++;
      for (let k = 0; k < keys.length; k++) sums[k][g] += perUser.metrics[keys[k]][i];
    });
    if (!assigned) unassigned++;
  }
  const groups: GroupMeans[] = defs.map((def, g) => {
    const means: Record<string, number | null> = {};
    keys.forEach((key, k) => (means[key] = counts[g] === 0 ? null : sums[k][g] / counts[g]));
    // Key order group, count, range, means reads well in JSON.
    return def.range
      ? { group: def.label, count: counts[g], range: def.range, means }
      : { group: def.label, count: counts[g], means };
  });
  const overallMeans: Record<string, number> = {};
  for (const key of keys) {
    let sum = 0;
    for (const v of perUser.metrics[key]) sum += v;
    overallMeans[key] = n === 0 ? 0 : sum / n;
  }
  return { by, definition, groups, overall: { count: n, means: overallMeans }, unassigned };
}

/** Position of each evaluated user in perUser.users, or -1; indexed by user id. */
function indexOfUsers(users: Int32Array, fn: string): Int32Array {
  let max = -1;
  for (let i = 0; i < users.length; i++) {
    if (users[i] < 0) throw new Error(`${fn}: perUser.users[${i}] = ${users[i]} is negative`);
    if (users[i] > max) max = users[i];
  }
  const index = new Int32Array(max + 1).fill(-1);
  for (let i = 0; i < users.length; i++) {
    if (index[users[i]] !== -1) throw new Error(`${fn}: user ${users[i]} appears twice in perUser.users`);
    index[users[i]] = i;
  }
  return index;
}

/**
 * Integer buckets from ascending edges e_0 < e_1 < … < e_m: `<e_0`, `e_0-(e_1 − 1)`, …,
 * `>(e_m − 1)`. The NMTR edges [5, 9, 13, 17, 21] give `<5`, `5-8`, `9-12`, `13-16`,
 * `17-20`, `>20`.
 */
function integerBuckets(edges: readonly number[], fn: string, what: string): GroupDef[] {
  if (edges.length === 0) throw new Error(`${fn}: ${what} is empty; give at least one edge`);
  edges.forEach((e, j) => {
    if (!Number.isInteger(e) || e <= 0) {
      throw new Error(`${fn}: ${what}[${j}] = ${String(e)}; edges must be positive integers`);
    }
    if (j > 0 && e <= edges[j - 1]) {
      throw new Error(`${fn}: ${what} must be strictly ascending, but [${j - 1}] = ${edges[j - 1]} and [${j}] = ${e}`);
    }
  });
  const defs: GroupDef[] = [{ label: `<${edges[0]}`, range: { min: 0, max: edges[0] - 1 } }];
  for (let j = 0; j + 1 < edges.length; j++) {
    const lo = edges[j];
    const hi = edges[j + 1] - 1;
    defs.push({ label: lo === hi ? `${lo}` : `${lo}-${hi}`, range: { min: lo, max: hi } });
  }
  const last = edges[edges.length - 1];
  defs.push({ label: `>${last - 1}`, range: { min: last, max: null } });
  return defs;
}

/** Bucket of a count under ascending edges: the number of edges ≤ count. */
function bucketOf(count: number, edges: readonly number[]): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] <= count) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function checkCount(value: number, where: string, fn: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${fn}: ${where} = ${String(value)}; counts must be non-negative integers`);
  }
}

/**
 * Means per caller-defined group. `groupsOf(user)` returns the user's group label, or
 * several labels (the user then counts once in each), or `undefined` (counted in
 * `unassigned`).
 *
 * Groups named in `options.order` come first, in that order, and are listed even when
 * empty (count 0, means `null`), so that tables line up across runs; other groups follow
 * in ascending label order.
 *
 * @throws Error when a metric array's length differs from `users` or holds NaN.
 * @example
 * ```ts
 * const b = breakdownByGroup(perUser, (u) => (userCountry[u] === 0 ? 'domestic' : 'abroad'), {
 *   by: 'country',
 *   order: ['domestic', 'abroad'],
 * });
 * b.groups[0].means['NDCG@10'];
 * ```
 */
export function breakdownByGroup(
  perUser: PerUserMetrics,
  groupsOf: (user: number) => string | readonly string[] | undefined,
  options: { by: string; definition?: string; order?: readonly string[] },
): Breakdown {
  const keys = checkPerUser(perUser, 'breakdownByGroup');
  const n = perUser.users.length;
  const labelsOf: (readonly string[])[] = new Array(n);
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const g = groupsOf(perUser.users[i]);
    const list = g === undefined ? [] : typeof g === 'string' ? [g] : g;
    labelsOf[i] = list;
    for (const label of list) seen.add(label);
  }
  const order = Array.from(options.order ?? []);
  const ordered = new Set(order);
  const labels = [...order, ...[...seen].filter((l) => !ordered.has(l)).sort()];
  const position = new Map(labels.map((l, g) => [l, g]));
  return summarise(
    perUser,
    keys,
    labels.map((label) => ({ label })),
    (i, add) => {
      for (const label of labelsOf[i]) add(position.get(label) as number);
    },
    options.by,
    options.definition ?? `groups given by the caller (${options.by})`,
  );
}

/**
 * NMTR's purchase-count groups (§IV-D, Fig. 5: 5–8, 9–12, 13–16, 17–20, > 20), with the
 * users below 5 as the `<5` (cold-start) group: edges for {@link breakdownByActivity}.
 * @see nmtr-multi-behavior-cascade.txt §IV-D
 * @example
 * ```ts
 * breakdownByActivity(perUser, purchaseCounts, { edges: NMTR_ACTIVITY_EDGES });
 * ```
 */
export const NMTR_ACTIVITY_EDGES: readonly number[] = Object.freeze([5, 9, 13, 17, 21]);

/**
 * Means per activity bucket: users grouped by how many training interactions they
 * have. Default buckets are {@link NMTR_ACTIVITY_EDGES}: `<5` (cold start), `5-8`,
 * `9-12`, `13-16`, `17-20`, `>20`; `options.edges` [e_0, …, e_m] (ascending positive
 * integers) gives `<e_0`, `e_0-(e_1 − 1)`, …, `>(e_m − 1)`. Every bucket is listed, empty
 * ones with count 0 and means `null`. Each user is in exactly one bucket, so the
 * count-weighted bucket means give back `overall`.
 *
 * What is counted is the caller's choice and should be said in the report. NMTR groups
 * by the number of purchase (target-behaviour) records; pass those counts to reproduce
 * Fig. 5. Given CSR rows (`UserItemCSR` of the train split), the count is the row
 * length: distinct items, repeats not counted.
 *
 * @param perUser per-user metrics, e.g. `evaluateFullRanking(...).perUser`.
 * @param trainCounts per user id: a count array (`counts[user]`), or train CSR rows.
 * @param options.edges bucket edges (default NMTR's).
 * @throws Error when a user has no count (beyond the array or CSR), a count is not a
 * non-negative integer, edges are not ascending positive integers, or a metric array
 * is misaligned or holds NaN.
 * @see nmtr-multi-behavior-cascade.txt §IV-D (Fig. 5)
 * @example
 * ```ts
 * const { perUser } = await evaluateFullRanking({ ...options, perUser: true });
 * const b = breakdownByActivity(perUser!, UserItemCSR.fromInteractions(train));
 * b.groups.map((g) => `${g.group}: ${g.count} users, HR@10 ${g.means['HR@10']}`);
 * ```
 */
export function breakdownByActivity(
  perUser: PerUserMetrics,
  trainCounts: ArrayLike<number> | ItemRows,
  options: { edges?: readonly number[] } = {},
): Breakdown {
  const fn = 'breakdownByActivity';
  const keys = checkPerUser(perUser, fn);
  const edges = Array.from(options.edges ?? NMTR_ACTIVITY_EDGES);
  const defs = integerBuckets(edges, fn, 'edges');
  const rows = 'indptr' in trainCounts && trainCounts.indptr instanceof Int32Array ? (trainCounts as ItemRows) : undefined;
  const counts = rows ? undefined : (trainCounts as ArrayLike<number>);
  const numUsers = rows ? rows.indptr.length - 1 : (counts as ArrayLike<number>).length;
  const bucket = new Int32Array(perUser.users.length);
  for (let i = 0; i < perUser.users.length; i++) {
    const u = perUser.users[i];
    if (!(u >= 0 && u < numUsers)) {
      throw new Error(`${fn}: user ${u} has no training count (trainCounts covers users 0..${numUsers - 1})`);
    }
    const c = rows ? rows.indptr[u + 1] - rows.indptr[u] : (counts as ArrayLike<number>)[u];
    checkCount(c, `trainCounts[${u}]`, fn);
    bucket[i] = bucketOf(c, edges);
  }
  const source = rows ? 'distinct training items per user' : 'training interactions per user';
  return summarise(
    perUser,
    keys,
    defs,
    (i, add) => add(bucket[i]),
    'activity',
    `${source}; edges [${edges.join(', ')}]; '<${edges[0]}' is the cold-start group`,
  );
}

/**
 * Test rows with a behaviour type each: an `Interactions` test split from `@rec/data`
 * fits (matched structurally).
 * @example
 * ```ts
 * const rows: BehaviorRows = { users: Int32Array.of(0, 1), behaviors: Uint8Array.of(2, 0), behaviorNames: ['view', 'cart', 'buy'] };
 * ```
 */
export interface BehaviorRows {
  readonly users: Int32Array;
  readonly behaviors?: ArrayLike<number>;
  readonly behaviorNames?: readonly string[];
}

/**
 * Means per behaviour type of the users' test rows. A user is in the group of every
 * behaviour among their test rows (once per group, however many rows): under
 * leave-one-out that is one group, the behaviour of the held-out interaction. A user
 * with test rows of several behaviours is counted in each, because a per-user metric
 * cannot be split by row; group counts can then add up to more than `overall.count`.
 * Users without a test row here are counted in `unassigned`; rows of users not in
 * `perUser` are ignored.
 *
 * Groups follow `behaviorNames` order (funnel order in `@rec/data`), all listed;
 * without names the labels are `behavior 0`, `behavior 1`, ….
 *
 * @throws Error when `testRows` has no behaviours, the columns' lengths differ, a
 * behaviour is not an integer in range of `behaviorNames`, or a metric array is
 * misaligned or holds NaN.
 * @example
 * ```ts
 * const b = breakdownByBehavior(perUser, test); // test: Interactions with behaviors
 * b.groups.find((g) => g.group === 'buy')?.means['HR@10'];
 * ```
 */
export function breakdownByBehavior(perUser: PerUserMetrics, testRows: BehaviorRows): Breakdown {
  const fn = 'breakdownByBehavior';
  const keys = checkPerUser(perUser, fn);
  const { users, behaviors, behaviorNames } = testRows;
  if (behaviors === undefined) throw new Error(`${fn}: testRows has no behaviors column`);
  if (behaviors.length !== users.length) {
    throw new Error(`${fn}: testRows has ${users.length} users but ${behaviors.length} behaviors`);
  }
  let numBehaviors = behaviorNames?.length ?? 0;
  for (let r = 0; r < behaviors.length; r++) {
    const b = behaviors[r];
    if (!Number.isInteger(b) || b < 0 || (behaviorNames !== undefined && b >= behaviorNames.length)) {
      const names = behaviorNames ? ` (${behaviorNames.length} behaviorNames)` : '';
      throw new Error(`${fn}: testRows.behaviors[${r}] = ${String(b)} is not a behaviour index${names}`);
    }
    if (behaviorNames === undefined && b + 1 > numBehaviors) numBehaviors = b + 1;
  }
  const defs: GroupDef[] = Array.from({ length: numBehaviors }, (_, b) => ({
    label: behaviorNames?.[b] ?? `behavior ${b}`,
  }));
  const rowsOf = rowsByUser(perUser.users, users, fn);
  return summarise(
    perUser,
    keys,
    defs,
    (i, add) => {
      for (let p = rowsOf.start[i]; p < rowsOf.start[i + 1]; p++) add(behaviors[rowsOf.rows[p]]);
    },
    'behavior',
    'behaviour type of the user\'s test rows; a user with test rows of several behaviours counts in each',
  );
}

/** The test rows of each evaluated user (CSR over perUser order); rows of other users dropped. */
function rowsByUser(evaluated: Int32Array, rowUsers: Int32Array, fn: string): { start: Int32Array; rows: Int32Array } {
  const index = indexOfUsers(evaluated, fn);
  const start = new Int32Array(evaluated.length + 1);
  for (let r = 0; r < rowUsers.length; r++) {
    const u = rowUsers[r];
    const i = u >= 0 && u < index.length ? index[u] : -1;
    if (i >= 0) start[i + 1]++;
  }
  for (let i = 0; i < evaluated.length; i++) start[i + 1] += start[i];
  const fill = start.slice(0, evaluated.length);
  const rows = new Int32Array(start[evaluated.length]);
  for (let r = 0; r < rowUsers.length; r++) {
    const u = rowUsers[r];
    const i = u >= 0 && u < index.length ? index[u] : -1;
    if (i >= 0) rows[fill[i]++] = r;
  }
  return { start, rows };
}

/**
 * Test rows with an item each: an `Interactions` test split fits (matched structurally).
 * @example
 * ```ts
 * const rows: ItemTestRows = { users: Int32Array.of(0, 1), items: Int32Array.of(7, 3) };
 * ```
 */
export interface ItemTestRows {
  readonly users: Int32Array;
  readonly items: Int32Array;
}

/**
 * Means per item-popularity bucket: users grouped by how popular their test items were
 * in training (the item's training interaction count, `itemPopularity[item]`).
 *
 * Buckets are ranges of that count, `[t_j, t_{j+1} − 1]`:
 * - `options.thresholds` [t_1, …, t_m] (ascending positive integers) gives
 *   `<t_1`, `t_1-(t_2 − 1)`, …, `>(t_m − 1)`;
 * - otherwise `options.quantiles` q (default 5) derives the thresholds from the
 *   popularity of the evaluated users' test rows: sorted ascending as v_0 ≤ … ≤ v_{n−1},
 *   t_j = v_{⌊j·n/q⌋} for j = 1 … q − 1, repeats and thresholds ≤ v_0 dropped. Quantiles
 *   are taken over test rows, not over the catalogue, so each bucket holds about n/q
 *   test rows and its mean is about as precise as the others; catalogue quantiles would
 *   put nearly every test row in the top bucket, since test items are drawn in
 *   proportion to popularity. Ties in popularity (many items seen once) can merge
 *   buckets, so there may be fewer than q; `definition` lists the thresholds used.
 *
 * A user is in the bucket of each of their test items (once per bucket): one bucket
 * under leave-one-out. As with behaviours, a user whose test items fall in several
 * buckets counts in each. Users without a test row are `unassigned`; rows of users not
 * in `perUser` are ignored.
 *
 * @param itemPopularity training interaction count per item id.
 * @throws Error when the columns' lengths differ, an item has no popularity, a
 * popularity is not a non-negative integer, thresholds or quantiles are invalid, or a
 * metric array is misaligned or holds NaN.
 * @example
 * ```ts
 * const popularity = new Int32Array(numItems);
 * for (const item of train.items) popularity[item]++;
 * const b = breakdownByItemPopularity(perUser, test, popularity, { quantiles: 3 });
 * b.groups.map((g) => [g.group, g.means['Recall@20']]); // tail → head
 * ```
 */
export function breakdownByItemPopularity(
  perUser: PerUserMetrics,
  testRows: ItemTestRows,
  itemPopularity: ArrayLike<number>,
  options: { thresholds?: readonly number[]; quantiles?: number } = {},
): Breakdown {
  const fn = 'breakdownByItemPopularity';
  const keys = checkPerUser(perUser, fn);
  const { users, items } = testRows;
  if (items.length !== users.length) {
    throw new Error(`${fn}: testRows has ${users.length} users but ${items.length} items`);
  }
  if (options.thresholds !== undefined && options.quantiles !== undefined) {
    throw new Error(`${fn}: give thresholds or quantiles, not both`);
  }
  const rowsOf = rowsByUser(perUser.users, users, fn);
  const popularityOfRow = (r: number): number => {
    const item = items[r];
    if (!(item >= 0 && item < itemPopularity.length)) {
      throw new Error(`${fn}: test item ${item} (row ${r}) has no popularity (itemPopularity covers ${itemPopularity.length} items)`);
    }
    const c = itemPopularity[item];
    checkCount(c, `itemPopularity[${item}]`, fn);
    return c;
  };

  let thresholds: number[];
  let how: string;
  if (options.thresholds !== undefined) {
    thresholds = Array.from(options.thresholds);
    how = 'given thresholds';
  } else {
    const q = options.quantiles ?? 5;
    if (!Number.isInteger(q) || q < 2) throw new Error(`${fn}: quantiles must be an integer ≥ 2, got ${String(q)}`);
    const values = new Float64Array(rowsOf.rows.length);
    for (let p = 0; p < rowsOf.rows.length; p++) values[p] = popularityOfRow(rowsOf.rows[p]);
    values.sort();
    thresholds = [];
    const n = values.length;
    for (let j = 1; j < q && n > 0; j++) {
      const t = values[Math.floor((j * n) / q)];
      if (t > values[0] && (thresholds.length === 0 || t > thresholds[thresholds.length - 1])) thresholds.push(t);
    }
    how = `${q}-quantiles of the test rows' item popularity`;
    if (thresholds.length === 0) {
      // Every test row has the same popularity v_0: split at v_0 + 1, so all rows are in
      // the first bucket and the second is empty.
      thresholds = [(n > 0 ? values[0] : 0) + 1];
      how += ' (all equal, so every row is in the first bucket)';
    }
  }
  const defs = integerBuckets(thresholds, fn, 'thresholds');
  return summarise(
    perUser,
    keys,
    defs,
    (i, add) => {
      for (let p = rowsOf.start[i]; p < rowsOf.start[i + 1]; p++) add(bucketOf(popularityOfRow(rowsOf.rows[p]), thresholds));
    },
    'item-popularity',
    `training interactions of the test item; ${how}: thresholds [${thresholds.join(', ')}]; ` +
      'a user with test items in several buckets counts in each',
  );
}
