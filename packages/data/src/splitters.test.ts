import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chiSquareCriticalValue, chiSquareStatistic } from '@rec/core';
import { describe, expect, it } from 'vitest';
import { UserItemCSR } from './csr.js';
import { selectUsers } from './filters.js';
import { createInteractions, selectInteractions, type Interactions } from './interactions.js';
import { ItemCategories } from './side-info/item-categories.js';
import { leaveLastOut } from './split.js';
import {
  assignFolds,
  coldStartUsers,
  kFoldSplit,
  multiBehaviorLeaveOneOut,
  NMTR_PURCHASE_GROUP_BOUNDS,
  randomRatioSplit,
  temporalCategorySplit,
  userGroupsByCount,
} from './splitters.js';
import { generateSyntheticInteractions } from './synthetic.js';
import { requireDataset } from './testing/index.js';

// ---------------------------------------------------------------------------------------
// Helpers

/** Rows of `log` as `u:i` strings (with behaviour and time when present), for set comparisons. */
function rowKeys(log: Interactions): string[] {
  return Array.from({ length: log.length }, (_, r) => {
    let key = `${log.users[r]}:${log.items[r]}`;
    if (log.behaviors) key += `:${log.behaviors[r]}`;
    if (log.timestamps) key += `@${log.timestamps[r]}`;
    return key;
  });
}

/** Number of (user, item) pairs of `evaluated` that `train` has (under `behavior` when given). */
function leakedPairs(train: Interactions, evaluated: Interactions, behavior?: number): number {
  const rows: number[] = [];
  for (let r = 0; r < train.length; r++) if (behavior === undefined || train.behaviors![r] === behavior) rows.push(r);
  const seen = UserItemCSR.fromInteractions(selectInteractions(train, Int32Array.from(rows)));
  let leaked = 0;
  for (let r = 0; r < evaluated.length; r++) if (seen.has(evaluated.users[r]!, evaluated.items[r]!)) leaked++;
  return leaked;
}

/** Asserts that the parts are over the input's index spaces and partition (or sub-partition) its rows. */
function expectParts(log: Interactions, parts: Interactions[], exact: boolean): void {
  const all = rowKeys(log).sort();
  const union = parts.flatMap(rowKeys).sort();
  for (const part of parts) {
    expect(part.numUsers).toBe(log.numUsers);
    expect(part.numItems).toBe(log.numItems);
  }
  if (exact) expect(union).toEqual(all);
  else {
    const pool = new Map<string, number>();
    for (const k of all) pool.set(k, (pool.get(k) ?? 0) + 1);
    for (const k of union) {
      expect(pool.get(k) ?? 0).toBeGreaterThan(0);
      pool.set(k, pool.get(k)! - 1);
    }
  }
}

/** A synthetic log with repeated pairs: every 7th row is repeated 100 s later. */
function logWithRepeats(seed: number, numUsers = 80): Interactions {
  const { interactions: base } = generateSyntheticInteractions({
    numUsers,
    numItems: 120,
    numClusters: 6,
    interactionsPerUser: 15,
    seed,
  });
  const rows = Int32Array.from({ length: base.length }, (_, r) => r);
  const repeats = rows.filter((r) => r % 7 === 0);
  const both = selectInteractions(base, Int32Array.from([...rows, ...repeats]));
  const timestamps = both.timestamps!.slice();
  for (let k = base.length; k < both.length; k++) timestamps[k] += 100;
  return createInteractions({ ...both, timestamps });
}

/** The same log with rows in another order (users interleaved and reversed). */
function shuffledRows(log: Interactions): Interactions {
  const order = Array.from({ length: log.length }, (_, r) => r).sort((a, b) => (a * 7919) % 1009 - (b * 7919) % 1009 || a - b);
  return selectInteractions(log, Int32Array.from(order));
}

/** A multi-behaviour log (view → cart → buy) built from a synthetic one: every row is a
 * view; every 2nd also a cart 5 s later; every 3rd also a buy 10 s later. */
function multiBehaviorLog(seed: number, numUsers = 60): Interactions {
  const { interactions: base } = generateSyntheticInteractions({
    numUsers,
    numItems: 90,
    numClusters: 5,
    interactionsPerUser: 18,
    seed,
  });
  const users: number[] = [];
  const items: number[] = [];
  const times: number[] = [];
  const behaviors: number[] = [];
  const push = (r: number, b: number, dt: number): void => {
    users.push(base.users[r]!);
    items.push(base.items[r]!);
    times.push(base.timestamps![r]! + dt);
    behaviors.push(b);
  };
  for (let r = 0; r < base.length; r++) {
    push(r, 0, 0);
    if (r % 2 === 0) push(r, 1, 5);
    if (r % 3 === 0) push(r, 2, 10);
  }
  return createInteractions({
    users: Int32Array.from(users),
    items: Int32Array.from(items),
    timestamps: Float64Array.from(times),
    behaviors: Uint8Array.from(behaviors),
    behaviorNames: ['view', 'cart', 'buy'],
    numUsers: base.numUsers,
    numItems: base.numItems,
  });
}

/** Per-user sorted `item` lists of a log, for per-user comparisons. */
function itemsByUser(log: Interactions): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (let r = 0; r < log.length; r++) {
    const list = out.get(log.users[r]!) ?? [];
    list.push(log.items[r]!);
    out.set(log.users[r]!, list);
  }
  for (const list of out.values()) list.sort((a, b) => a - b);
  return out;
}

// ---------------------------------------------------------------------------------------

describe("leaveLastOut's mode", () => {
  const log = logWithRepeats(3);

  it("defaults to 'last', which is the chronologically last row", () => {
    const byDefault = leaveLastOut(log, { seed: 4 });
    const last = leaveLastOut(log, { seed: 4, mode: 'last' });
    expect(rowKeys(last.test)).toEqual(rowKeys(byDefault.test));
    expect(rowKeys(last.train)).toEqual(rowKeys(byDefault.train));
  });

  it("'random' holds out a seeded uniform row, never leaving its pair in train", () => {
    const a = leaveLastOut(log, { seed: 4, mode: 'random' });
    const b = leaveLastOut(log, { seed: 4, mode: 'random' });
    expect(rowKeys(a.test)).toEqual(rowKeys(b.test));
    expect(a.test.length).toBe(log.numUsers);
    expect(leakedPairs(a.train, a.test)).toBe(0);
    expectParts(log, [a.train, a.test], false);
    const last = leaveLastOut(log, { seed: 4 }).test;
    const notLatest = Array.from(a.test.items).filter((item, u) => item !== last.items[u]).length;
    expect(notLatest).toBeGreaterThan(log.numUsers / 2); // most random picks are not the latest
    const other = leaveLastOut(log, { seed: 5, mode: 'random' }).test;
    expect(Array.from(other.items)).not.toEqual(Array.from(a.test.items));
  });

  it("'random' picks each of a user's rows equally often", () => {
    const numUsers = 3000;
    const rowsPerUser = 6;
    const uniform = createInteractions({
      users: Int32Array.from({ length: numUsers * rowsPerUser }, (_, r) => Math.floor(r / rowsPerUser)),
      items: Int32Array.from({ length: numUsers * rowsPerUser }, (_, r) => r % rowsPerUser),
      timestamps: Float64Array.from({ length: numUsers * rowsPerUser }, (_, r) => r % rowsPerUser),
    });
    const counts = new Float64Array(rowsPerUser);
    for (const item of leaveLastOut(uniform, { seed: 8, mode: 'random' }).test.items) counts[item]++;
    const expected = new Float64Array(rowsPerUser).fill(numUsers / rowsPerUser);
    expect(chiSquareStatistic(counts, expected)).toBeLessThan(chiSquareCriticalValue(rowsPerUser - 1, 0.001));
  });

  it('refuses an unknown mode', () => {
    // @ts-expect-error: not a mode
    expect(() => leaveLastOut(log, { mode: 'first' })).toThrow("leaveLastOut: mode must be 'last' or 'random', got first");
  });
});

describe('randomRatioSplit', () => {
  const log = logWithRepeats(7, 120);

  it('splits each user 8:1:1 by (user, item) pair, keeping repeats together', () => {
    const { train, valid, test } = randomRatioSplit(log, { seed: 1 });
    expectParts(log, [train, valid, test], true);
    expect(leakedPairs(train, valid)).toBe(0);
    expect(leakedPairs(train, test)).toBe(0);
    expect(leakedPairs(valid, test)).toBe(0);
    // Every user has 15 distinct items: 12 train, then 1–2 validation and 1–2 test.
    const perUser = [train, valid, test].map((part) => new Map(Array.from(itemsByUser(part), ([u, list]) => [u, new Set(list).size])));
    for (let u = 0; u < log.numUsers; u++) {
      expect(perUser[0]!.get(u)).toBe(12);
      expect(perUser[1]!.get(u) ?? 0).toBeGreaterThanOrEqual(1);
      expect(perUser[1]!.get(u) ?? 0).toBeLessThanOrEqual(2);
      expect((perUser[1]!.get(u) ?? 0) + (perUser[2]!.get(u) ?? 0)).toBe(3);
    }
  });

  it("shuffles which of a user's items go to each part", () => {
    // Rank of each test item among its user's distinct items: a shuffle spreads them over all ranks.
    const { test } = randomRatioSplit(log, { seed: 1 });
    const byUser = itemsByUser(log);
    const ranks = new Set<number>();
    for (let r = 0; r < test.length; r++) {
      const distinct = [...new Set(byUser.get(test.users[r]!))];
      ranks.add(distinct.indexOf(test.items[r]!));
    }
    expect(ranks.size).toBeGreaterThanOrEqual(12);
  });

  it('keeps the 8:1:1 ratio in expectation for users with few items', () => {
    // 3000 users with 3 items each: a fixed rounding would give no test at all.
    const numUsers = 3000;
    const small = createInteractions({
      users: Int32Array.from({ length: numUsers * 3 }, (_, r) => Math.floor(r / 3)),
      items: Int32Array.from({ length: numUsers * 3 }, (_, r) => r % 3),
    });
    const { train, valid, test } = randomRatioSplit(small, { seed: 5 });
    const observed = Float64Array.of(train.length, valid.length, test.length);
    const expected = Float64Array.of(0.8, 0.1, 0.1).map((p) => p * small.length);
    expect(chiSquareStatistic(observed, expected)).toBeLessThan(chiSquareCriticalValue(2, 0.001));
  });

  it("is reproducible and gives each user the same parts whatever the other users' rows", () => {
    const a = randomRatioSplit(log, { seed: 9 });
    const b = randomRatioSplit(shuffledRows(log), { seed: 9 });
    for (const part of ['train', 'valid', 'test'] as const) expect(rowKeys(b[part]).sort()).toEqual(rowKeys(a[part]).sort());
    const odd = Array.from({ length: log.numUsers }, (_, u) => u).filter((u) => u % 2 === 1);
    const c = randomRatioSplit(selectUsers(log, odd), { seed: 9 });
    expect(rowKeys(c.test)).toEqual(rowKeys(selectUsers(a.test, odd)));
    const d = randomRatioSplit(log, { seed: 10 });
    expect(rowKeys(d.test)).not.toEqual(rowKeys(a.test));
  });

  it('accepts other ratios and refuses bad ones', () => {
    const { valid, test } = randomRatioSplit(log, { ratios: [7, 0, 3], seed: 1 });
    expect(valid.length).toBe(0);
    expect(test.length).toBeGreaterThan(0);
    expect(() => randomRatioSplit(log, { ratios: [0, 1, 1] })).toThrow(
      'randomRatioSplit: ratios must be three finite numbers ≥ 0 with train > 0, got [0, 1, 1]',
    );
  });
});

describe('kFoldSplit and assignFolds', () => {
  const log = logWithRepeats(11, 90);

  it('partitions the rows into k folds, each test disjoint in pairs from its train', () => {
    const folds = kFoldSplit(log, { k: 5, seed: 3 });
    expect(folds.length).toBe(5);
    expectParts(
      log,
      folds.map((f) => f.test),
      true,
    );
    for (const { train, test } of folds) {
      expectParts(log, [train, test], true);
      expect(leakedPairs(train, test)).toBe(0);
    }
  });

  it("deals each user's items evenly over the folds", () => {
    const foldOfRow = assignFolds(log, { k: 4, seed: 3 });
    const perUserFold = new Map<number, Map<number, Set<number>>>();
    for (let r = 0; r < log.length; r++) {
      const folds = perUserFold.get(log.users[r]!) ?? new Map<number, Set<number>>();
      const set = folds.get(foldOfRow[r]!) ?? new Set<number>();
      set.add(log.items[r]!);
      folds.set(foldOfRow[r]!, set);
      perUserFold.set(log.users[r]!, folds);
    }
    for (const folds of perUserFold.values()) {
      const sizes = [0, 1, 2, 3].map((f) => folds.get(f)?.size ?? 0);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(15);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  it("shuffles a user's items before dealing them", () => {
    // Without a shuffle, a user's two smallest items would always sit in consecutive folds.
    const foldOfRow = assignFolds(log, { k: 5, seed: 4 });
    const byUser = itemsByUser(log);
    let consecutive = 0;
    for (const [u, list] of byUser) {
      const [first, second] = [...new Set(list)];
      const foldOf = (item: number): number => foldOfRow[Array.from(log.items).findIndex((x, r) => x === item && log.users[r] === u)]!;
      if (foldOf(second!) === (foldOf(first!) + 1) % 5) consecutive++;
    }
    expect(consecutive).toBeLessThan(byUser.size / 2);
  });

  it('is reproducible and independent of row order and of other users', () => {
    const a = assignFolds(log, { seed: 21 });
    expect(Array.from(assignFolds(log, { seed: 21 }))).toEqual(Array.from(a));
    const reordered = shuffledRows(log);
    const b = assignFolds(reordered, { seed: 21 });
    const foldOf = new Map<string, number>();
    rowKeys(log).forEach((key, r) => foldOf.set(key, a[r]!));
    rowKeys(reordered).forEach((key, r) => expect(b[r]).toBe(foldOf.get(key)));
    const firstHalf = selectUsers(log, Array.from({ length: 45 }, (_, u) => u));
    const c = assignFolds(firstHalf, { seed: 21 });
    rowKeys(firstHalf).forEach((key, r) => expect(c[r]).toBe(foldOf.get(key)));
    expect(Array.from(assignFolds(log, { seed: 22 }))).not.toEqual(Array.from(a));
  });

  it('refuses a bad k', () => {
    expect(() => kFoldSplit(log, { k: 1 })).toThrow('kFoldSplit: k must be an integer ≥ 2, got 1');
  });
});

describe('coldStartUsers', () => {
  // Users 0..39 have 2 + (u % 12) distinct items each.
  const users: number[] = [];
  const items: number[] = [];
  for (let u = 0; u < 40; u++) {
    for (let k = 0; k < 2 + (u % 12); k++) {
      users.push(u);
      items.push((u * 3 + k * 7) % 50);
    }
  }
  const log = createInteractions({ users: Int32Array.from(users), items: Int32Array.from(items), numItems: 50 });

  it('keeps the test users with 1–4 training rows, and only their test rows', () => {
    for (const split of kFoldSplit(log, { k: 5, seed: 1 })) {
      const { users: cold, test } = coldStartUsers(split);
      const trainCount = new Int32Array(40);
      for (const u of split.train.users) trainCount[u]++;
      const inTest = new Set(split.test.users);
      const expected = Array.from({ length: 40 }, (_, u) => u).filter((u) => inTest.has(u) && trainCount[u]! >= 1 && trainCount[u]! < 5);
      expect(Array.from(cold)).toEqual(expected);
      expect(rowKeys(test)).toEqual(rowKeys(split.test).filter((_, r) => expected.includes(split.test.users[r]!)));
      expect(leakedPairs(split.train, test)).toBe(0);
    }
  });

  it('takes other thresholds and refuses inconsistent ones', () => {
    const split = leaveLastOut(log);
    expect(coldStartUsers(split, { fewerThan: 3, minTrainInteractions: 0 }).users.length).toBe(
      Array.from({ length: 40 }, (_, u) => 2 + (u % 12) - 1).filter((n) => n < 3).length,
    );
    expect(() => coldStartUsers(split, { fewerThan: 2, minTrainInteractions: 2 })).toThrow(
      'coldStartUsers: need integers 0 ≤ minTrainInteractions < fewerThan, got minTrainInteractions = 2, fewerThan = 2',
    );
  });
});

describe('multiBehaviorLeaveOneOut', () => {
  // user 0: view 1@1, view 2@2, cart 2@3, buy 2@4, view 3@5, buy 3@6, buy 1@7 (latest buy: item 1)
  // user 1: view 4@1, buy 4@2 (one bought item: stays whole in train)
  // user 2: buy 5@1, buy 6@2, buy 6@3 (latest: 6; its earlier buy leaves train too)
  const log = createInteractions({
    users: Int32Array.of(0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 2),
    items: Int32Array.of(1, 2, 2, 2, 3, 3, 1, 4, 4, 5, 6, 6),
    timestamps: Float64Array.of(1, 2, 3, 4, 5, 6, 7, 1, 2, 1, 2, 3),
    behaviors: Uint8Array.of(0, 0, 1, 2, 0, 2, 2, 0, 2, 2, 2, 2),
    behaviorNames: ['view', 'cart', 'buy'],
  });

  it('holds out the latest purchase and keeps the auxiliary rows of that pair in train', () => {
    const { train, test, valid } = multiBehaviorLeaveOneOut(log, { seed: 0 });
    expect(valid).toBeUndefined();
    expect(rowKeys(test)).toEqual(['0:1:2@7', '2:6:2@3']);
    // user 0 keeps the view of item 1; user 2 loses both purchases of item 6.
    expect(rowKeys(train)).toEqual(['0:1:0@1', '0:2:0@2', '0:2:1@3', '0:2:2@4', '0:3:0@5', '0:3:2@6', '1:4:0@1', '1:4:2@2', '2:5:2@1']);
    expect(leakedPairs(train, test, 2)).toBe(0);
    expect(leakedPairs(train, test)).toBe(1); // the view of (0, 1), by design
  });

  it("drops the auxiliary rows with auxiliary: 'drop'", () => {
    const { train, test } = multiBehaviorLeaveOneOut(log, { auxiliary: 'drop' });
    expect(leakedPairs(train, test)).toBe(0);
    expect(rowKeys(train)).not.toContain('0:1:0@1');
  });

  it('holds out one random remaining purchase for validation', () => {
    const { train, test, valid } = multiBehaviorLeaveOneOut(log, { validation: true, seed: 3 });
    // Only user 0 has 2 distinct purchases left after the test (items 2 and 3).
    expect(valid!.length).toBe(1);
    expect(valid!.users[0]).toBe(0);
    expect([2, 3]).toContain(valid!.items[0]);
    expect(valid!.behaviors![0]).toBe(2);
    expect(leakedPairs(train, valid!, 2)).toBe(0);
    expect(leakedPairs(train, test, 2)).toBe(0);
  });

  it('keeps every guarantee on a larger log, reproducibly', () => {
    const big = multiBehaviorLog(13);
    for (const mode of ['last', 'random'] as const) {
      const a = multiBehaviorLeaveOneOut(big, { seed: 6, mode, validation: true });
      const b = multiBehaviorLeaveOneOut(big, { seed: 6, mode, validation: true });
      expect(rowKeys(a.test)).toEqual(rowKeys(b.test));
      expect(rowKeys(a.valid!)).toEqual(rowKeys(b.valid!));
      expect(rowKeys(a.train)).toEqual(rowKeys(b.train));
      expect(a.test.length).toBe(big.numUsers);
      expect(Array.from(a.test.behaviors!).every((x) => x === 2)).toBe(true);
      expect(Array.from(a.valid!.behaviors!).every((x) => x === 2)).toBe(true);
      expect(leakedPairs(a.train, a.test, 2) + leakedPairs(a.train, a.valid!, 2)).toBe(0);
      expect(leakedPairs(a.valid!, a.test)).toBe(0);
      expect(leakedPairs(a.train, a.test)).toBeGreaterThan(0); // views of the test purchases stay
      expectParts(big, [a.train, a.test, a.valid!], false);
      // Reordered rows give the same latest purchases.
      if (mode === 'last') expect(rowKeys(multiBehaviorLeaveOneOut(shuffledRows(big), { seed: 6 }).test).sort()).toEqual(rowKeys(a.test).sort());
      const c = multiBehaviorLeaveOneOut(big, { seed: 7, mode, validation: true });
      expect(rowKeys(c.valid!)).not.toEqual(rowKeys(a.valid!));
    }
  });

  it('needs a multi-behaviour log and a known target', () => {
    const plain = createInteractions({ users: Int32Array.of(0, 0), items: Int32Array.of(0, 1) });
    expect(() => multiBehaviorLeaveOneOut(plain)).toThrow('multiBehaviorLeaveOneOut: the log has no behaviour types');
    expect(() => multiBehaviorLeaveOneOut(log, { targetBehavior: 'like' })).toThrow(
      "multiBehaviorLeaveOneOut: unknown behaviour 'like'; the log has 'view', 'cart', 'buy'",
    );
  });
});

describe('userGroupsByCount', () => {
  it("places users by their purchase count into NMTR's groups", () => {
    // User u buys u items (and views one more), for u = 0..25.
    const users: number[] = [];
    const behaviors: number[] = [];
    for (let u = 0; u < 26; u++) {
      for (let k = 0; k < u; k++) {
        users.push(u);
        behaviors.push(1);
      }
      users.push(u);
      behaviors.push(0);
    }
    const log = createInteractions({
      users: Int32Array.from(users),
      items: Int32Array.from(users, (_, r) => r),
      behaviors: Uint8Array.from(behaviors),
      behaviorNames: ['view', 'buy'],
    });
    const { groupOfUser, groups } = userGroupsByCount(log);
    expect(groups.map((g) => g.label)).toEqual(['5-8', '9-12', '13-16', '17-20', '>20']);
    expect(groups.map((g) => Array.from(g.users))).toEqual([
      [5, 6, 7, 8],
      [9, 10, 11, 12],
      [13, 14, 15, 16],
      [17, 18, 19, 20],
      [21, 22, 23, 24, 25],
    ]);
    expect(Array.from(groupOfUser.subarray(0, 6))).toEqual([-1, -1, -1, -1, -1, 0]);
    expect(groups[4]!.max).toBe(Infinity);
    // Counting views instead, every user has 1.
    expect(userGroupsByCount(log, { behavior: 'view', bounds: [1] }).groups[0]!.users.length).toBe(26);
    expect(() => userGroupsByCount(log, { bounds: [5, 5] })).toThrow('userGroupsByCount: bounds must be strictly increasing integers ≥ 0, got [5, 5]');
  });

  it("reproduces GHCF's published Beibei groups from the training purchases", (ctx) => {
    const dir = requireDataset(ctx, 'beibei');
    const users: number[] = [];
    const items: number[] = [];
    for (const line of gunzipSync(readFileSync(join(dir, 'ghcf', 'train.txt.gz'))).toString('utf8').split('\n')) {
      const fields = line.trim().split(/\s+/).map(Number);
      if (fields.length < 2) continue;
      for (const item of fields.slice(1)) {
        users.push(fields[0]!);
        items.push(item);
      }
    }
    const train = createInteractions({ users: Int32Array.from(users), items: Int32Array.from(items) });
    expect(train.length).toBe(282_860);
    const lines = readFileSync(join(dir, 'ghcf', 'sparsity.split'), 'utf8').split('\n');
    const published = [0, 1, 2, 3, 4].map((g) => lines[2 * g + 1]!.trim().split(/\s+/).map(Number).sort((a, b) => a - b));
    const { groups } = userGroupsByCount(train, { bounds: NMTR_PURCHASE_GROUP_BOUNDS });
    const mine = groups.map((g) => Array.from(g.users));
    expect(mine.slice(0, 3)).toEqual(published.slice(0, 3));
    // GHCF puts a count of 20 in its last group; NMTR's "17-20" puts it in the fourth.
    const counts = new Int32Array(train.numUsers);
    for (const u of train.users) counts[u]++;
    const twenty = published[4]!.filter((u) => counts[u] === 20);
    expect(twenty.length).toBeGreaterThan(0);
    expect(mine[3]).toEqual([...published[3]!, ...twenty].sort((a, b) => a - b));
    expect(mine[4]).toEqual(published[4]!.filter((u) => counts[u] !== 20));
  });
});

describe('temporalCategorySplit', () => {
  const DAY = 86_400;
  const cutoff = 100 * DAY;
  // Items 0..5 → categories: 0→A(0), 1→A(0), 2→B(1), 3→C(2), 4→none(−1), 5→D(3)
  const itemCategory = Int32Array.of(0, 0, 1, 2, -1, 3);
  // user 0: A@d1, A@d3 (same event), A@d7 (new event: ≥ 5 days after d1), B@d8, none@d9,
  //         future: A@d100 (known: dropped when novel), C@d101, C@d104 (same event), D@d110
  // user 1: only future rows
  // user 2: B@d50, future B@d120 (known) only
  const rows: [number, number, number][] = [
    [0, 0, 1], [0, 1, 3], [0, 0, 7], [0, 2, 8], [0, 4, 9],
    [0, 0, 100], [0, 3, 101], [0, 3, 104], [0, 5, 110],
    [1, 2, 101],
    [2, 2, 50], [2, 2, 120],
  ];
  const log = createInteractions({
    users: Int32Array.from(rows, (r) => r[0]),
    items: Int32Array.from(rows, (r) => r[1]),
    timestamps: Float64Array.from(rows, (r) => r[2] * DAY),
    numItems: 6,
  });
  const events = (e: { events: Interactions }): string[] =>
    Array.from({ length: e.events.length }, (_, r) => `${e.events.users[r]}:${'ABCD'[e.events.items[r]!]}@${e.events.timestamps![r]! / DAY}`);

  it('groups same-category interactions within 5 days, and splits past from future at the cutoff', () => {
    const split = temporalCategorySplit(log, { cutoff, categories: itemCategory });
    expect(events(split.pastEvents)).toEqual(['0:A@1', '0:A@7', '0:B@8', '2:B@50']);
    expect(Array.from(split.pastEvents.sizes)).toEqual([2, 1, 1, 1]);
    expect(Array.from(split.pastEvents.ends, (t) => t / DAY)).toEqual([3, 7, 8, 50]);
    // Novel only: user 0's A@100 and user 2's B@120 are known categories.
    expect(events(split.futureEvents)).toEqual(['0:C@101', '0:D@110', '1:B@101']);
    expect(Array.from(split.futureEvents.sizes)).toEqual([2, 1, 1]);
    expect(split.pastEvents.events.numItems).toBe(4);
    expect(Array.from(split.users)).toEqual([0]);
    // Item-level rows: those of kept events (the uncategorised row is in none).
    expect(rowKeys(split.past)).toEqual(['0:0@86400', '0:1@259200', '0:0@604800', '0:2@691200', '2:2@4320000']);
    expect(rowKeys(split.future).length).toBe(4);
    for (const t of split.past.timestamps!) expect(t).toBeLessThan(cutoff);
    for (const t of split.future.timestamps!) expect(t).toBeGreaterThanOrEqual(cutoff);
    expect(leakedPairs(split.pastEvents.events, split.futureEvents.events)).toBe(0);
  });

  it('limits past events to the most recent and future events to the earliest', () => {
    const split = temporalCategorySplit(log, { cutoff, categories: itemCategory, maxPastEvents: 1, maxFutureEvents: 1, future: 'all' });
    expect(events(split.pastEvents)).toEqual(['0:B@8', '2:B@50']);
    expect(events(split.futureEvents)).toEqual(['0:A@100', '1:B@101', '2:B@120']);
    expect(Array.from(split.users)).toEqual([0, 2]);
    // With novel futures and only B known, user 0's A@100 is new again.
    const novel = temporalCategorySplit(log, { cutoff, categories: itemCategory, maxPastEvents: 1, maxFutureEvents: 2 });
    expect(events(novel.futureEvents)).toEqual(['0:A@100', '0:C@101', '1:B@101']);
    expect(leakedPairs(novel.pastEvents.events, novel.futureEvents.events)).toBe(0);
  });

  it('takes multi-label ItemCategories, an item joining an event of each of its categories', () => {
    const cats = ItemCategories.fromLists([[0], [0, 1], [1], [2], [], [3]], ['A', 'B', 'C', 'D']);
    const split = temporalCategorySplit(log, { cutoff, categories: cats, windowSeconds: 10 * DAY });
    expect(events(split.pastEvents)).toEqual(['0:A@1', '0:B@3', '2:B@50']);
    expect(Array.from(split.pastEvents.sizes)).toEqual([3, 2, 1]);
  });

  it('is deterministic and independent of row order', () => {
    const synthetic = generateSyntheticInteractions({ numUsers: 50, numItems: 60, numClusters: 5, interactionsPerUser: 20, seed: 2 }).interactions;
    const categories = Int32Array.from({ length: 60 }, (_, i) => i % 7);
    const times = synthetic.timestamps!;
    const cut = [...times].sort((a, b) => a - b)[Math.floor(times.length * 0.7)]!;
    const options = { cutoff: cut, categories, maxPastEvents: 10, maxFutureEvents: 3 };
    const a = temporalCategorySplit(synthetic, options);
    const b = temporalCategorySplit(shuffledRows(synthetic), options);
    expect(events(b.pastEvents)).toEqual(events(a.pastEvents));
    expect(events(b.futureEvents)).toEqual(events(a.futureEvents));
    expect(rowKeys(b.past).sort()).toEqual(rowKeys(a.past).sort());
    expect(leakedPairs(a.pastEvents.events, a.futureEvents.events)).toBe(0);
    const perUser = new Int32Array(50);
    for (const u of a.futureEvents.events.users) perUser[u]++;
    expect(Math.max(...perUser)).toBeLessThanOrEqual(3);
  });

  it('refuses a log without timestamps and categories of the wrong size', () => {
    const untimed = createInteractions({ users: Int32Array.of(0), items: Int32Array.of(0) });
    expect(() => temporalCategorySplit(untimed, { cutoff: 0, categories: Int32Array.of(0) })).toThrow(
      'temporalCategorySplit: the log has no timestamps; a temporal split needs them',
    );
    expect(() => temporalCategorySplit(log, { cutoff, categories: Int32Array.of(0, 1) })).toThrow(
      'temporalCategorySplit: categories cover 2 items, the log has numItems = 6',
    );
  });
});
