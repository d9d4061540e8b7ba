import { chiSquareCriticalValue, chiSquareStatistic } from '@rec/core';
import { describe, expect, it } from 'vitest';
import { createInteractions, type Interactions } from './interactions.js';
import { readMovieLens100K } from './readers/movielens.js';
import { leaveLastOut } from './split.js';
import { generateSyntheticInteractions } from './synthetic.js';
import { requireDataset } from './testing/index.js';

/** Checks the guarantees of leaveLastOut on any log. */
function checkSplit(log: Interactions, train: Interactions, test: Interactions): void {
  const count = new Int32Array(log.numUsers);
  const distinct = new Map<number, Set<number>>();
  for (let r = 0; r < log.length; r++) {
    count[log.users[r]!]++;
    const set = distinct.get(log.users[r]!) ?? new Set();
    set.add(log.items[r]!);
    distinct.set(log.users[r]!, set);
  }
  const testPairs = new Set<number>();
  const testsPerUser = new Int32Array(log.numUsers);
  for (let r = 0; r < test.length; r++) {
    testsPerUser[test.users[r]!]++;
    testPairs.add(test.users[r]! * log.numItems + test.items[r]!);
    if (log.timestamps) {
      // The test interaction is the user's latest.
      let latest = -Infinity;
      for (let q = 0; q < log.length; q++) if (log.users[q] === test.users[r]) latest = Math.max(latest, log.timestamps[q]!);
      expect(test.timestamps![r]).toBe(latest);
    }
  }
  for (let u = 0; u < log.numUsers; u++) {
    expect(testsPerUser[u]).toBe((distinct.get(u)?.size ?? 0) >= 2 ? 1 : 0);
  }
  for (let r = 0; r < train.length; r++) {
    expect(testPairs.has(train.users[r]! * log.numItems + train.items[r]!)).toBe(false);
  }
  expect(train.numUsers).toBe(log.numUsers);
  expect(test.numItems).toBe(log.numItems);
}

describe('leaveLastOut', () => {
  it('holds out the latest interaction and drops earlier repeats of it from train', () => {
    // user 0: item 5 @1, item 6 @3, item 5 @2 (repeat of the test item? no: latest is 6)
    // user 1: item 7 @1, item 8 @5, item 8 @2 → test is (1, 8)@5; the @2 repeat leaves train
    // user 2: one interaction → stays in train
    // user 3: item 9 twice → one distinct item, stays in train
    const log = createInteractions({
      users: Int32Array.of(0, 0, 0, 1, 1, 1, 2, 3, 3),
      items: Int32Array.of(5, 6, 5, 7, 8, 8, 1, 9, 9),
      timestamps: Float64Array.of(1, 3, 2, 1, 5, 2, 4, 1, 2),
      ratings: Float32Array.of(1, 2, 3, 4, 5, 1, 2, 3, 4),
    });
    const { train, test } = leaveLastOut(log, { seed: 0 });
    expect(Array.from(test.users)).toEqual([0, 1]);
    expect(Array.from(test.items)).toEqual([6, 8]);
    expect(Array.from(test.ratings!)).toEqual([2, 5]);
    // Train keeps the input's row order: rows 0, 2, 3, 6, 7, 8.
    expect(Array.from(train.users)).toEqual([0, 0, 1, 2, 3, 3]);
    expect(Array.from(train.items)).toEqual([5, 5, 7, 1, 9, 9]);
    checkSplit(log, train, test);
  });

  it('breaks ties at the latest time by the seed, reproducibly', () => {
    const n = 8;
    const log = createInteractions({
      users: new Int32Array(n),
      items: Int32Array.from({ length: n }, (_, i) => i),
      timestamps: Float64Array.from({ length: n }, (_, i) => (i < 2 ? 0 : 100)),
    });
    const picks = new Set<number>();
    for (let seed = 0; seed < 40; seed++) {
      const a = leaveLastOut(log, { seed }).test;
      const b = leaveLastOut(log, { seed }).test;
      expect(Array.from(a.items)).toEqual(Array.from(b.items));
      expect(a.items[0]).toBeGreaterThanOrEqual(2); // only the tied latest rows qualify
      picks.add(a.items[0]!);
    }
    expect(picks.size).toBeGreaterThan(3); // the seed really chooses among the ties
  });

  it('picks a seeded random row when there are no timestamps', () => {
    const log = createInteractions({
      users: Int32Array.of(0, 0, 0, 0, 1, 1),
      items: Int32Array.of(0, 1, 2, 3, 0, 1),
    });
    const first = leaveLastOut(log, { seed: 3 });
    expect(Array.from(leaveLastOut(log, { seed: 3 }).test.items)).toEqual(Array.from(first.test.items));
    expect(first.test.length).toBe(2);
    checkSplit(log, first.train, first.test);
  });

  it("makes each user's choice a pure function of (seed, user), whatever the other users' rows", () => {
    // 30 users, each with 5 rows tied at the latest time (and one earlier row).
    const numUsers = 30;
    const users: number[] = [];
    const items: number[] = [];
    const times: number[] = [];
    for (let u = 0; u < numUsers; u++) {
      for (let k = 0; k < 6; k++) {
        users.push(u);
        items.push(u * 6 + k);
        times.push(k === 0 ? 1 : 9);
      }
    }
    const build = (rows: number[]) =>
      createInteractions({
        users: Int32Array.from(rows, (r) => users[r]!),
        items: Int32Array.from(rows, (r) => items[r]!),
        timestamps: Float64Array.from(rows, (r) => times[r]!),
        numUsers,
        numItems: numUsers * 6,
      });
    const rows = Array.from({ length: users.length }, (_, r) => r);
    const reference = leaveLastOut(build(rows), { seed: 77 }).test;
    // Users interleaved round-robin (each user's own rows keep their relative order, which
    // is what the tie index counts in), and a log keeping only the odd users, give each
    // user the same item.
    const interleaved = [...rows].sort((r, q) => (r % 6) - (q % 6) || users[q]! - users[r]!);
    expect(interleaved[0]).not.toBe(0);
    const reordered = leaveLastOut(build(interleaved), { seed: 77 }).test;
    expect(Array.from(reordered.items)).toEqual(Array.from(reference.items));
    const odd = leaveLastOut(build(rows.filter((r) => users[r]! % 2 === 1)), { seed: 77 }).test;
    expect(Array.from(odd.users)).toEqual(Array.from(reference.users).filter((u) => u % 2 === 1));
    expect(Array.from(odd.items)).toEqual(Array.from(reference.items).filter((_, u) => u % 2 === 1));
  });

  it('breaks ties uniformly', () => {
    // 4000 users with 5 rows each, all at the same time: the pick position is uniform.
    const numUsers = 4000;
    const ties = 5;
    const log = createInteractions({
      users: Int32Array.from({ length: numUsers * ties }, (_, r) => Math.floor(r / ties)),
      items: Int32Array.from({ length: numUsers * ties }, (_, r) => r % ties),
      timestamps: new Float64Array(numUsers * ties),
    });
    const counts = new Float64Array(ties);
    for (const item of leaveLastOut(log, { seed: 9 }).test.items) counts[item]++;
    const expected = new Float64Array(ties).fill(numUsers / ties);
    expect(chiSquareStatistic(counts, expected)).toBeLessThan(chiSquareCriticalValue(ties - 1, 0.001));
  });

  it('accepts any safe integer seed', () => {
    const log = createInteractions({ users: Int32Array.of(0, 0, 0), items: Int32Array.of(0, 1, 2) });
    for (const seed of [-1, -(2 ** 53 - 1), 2 ** 32 + 1, Number.MAX_SAFE_INTEGER]) {
      expect(leaveLastOut(log, { seed }).test.length).toBe(1);
    }
    expect(() => leaveLastOut(log, { seed: 2 ** 53 })).toThrow(
      'leaveLastOut: seed must be a safe integer, got 9007199254740992',
    );
  });

  it('keeps every guarantee on a synthetic log', () => {
    const { interactions } = generateSyntheticInteractions({
      numUsers: 60,
      numItems: 40,
      numClusters: 4,
      interactionsPerUser: 8,
      seed: 11,
    });
    const { train, test } = leaveLastOut(interactions, { seed: 5 });
    expect(test.length).toBe(60);
    expect(train.length).toBe(60 * 7);
    checkSplit(interactions, train, test);
  });

  it('refuses a seed that is not an integer', () => {
    const log = createInteractions({ users: Int32Array.of(0), items: Int32Array.of(0) });
    expect(() => leaveLastOut(log, { seed: 0.5 })).toThrow('leaveLastOut: seed must be a safe integer, got 0.5');
  });

  it('holds out each ml-100k user\'s latest rating, reproducibly', async (ctx) => {
    const dir = requireDataset(ctx, 'ml-100k');
    const { interactions: log } = await readMovieLens100K(dir);
    const { train, test } = leaveLastOut(log, { seed: 2017 });
    expect(test.length).toBe(943); // every user has ≥ 20 ratings
    expect(train.length).toBe(100_000 - 943); // ml-100k has no repeated (user, item) pairs

    const latest = new Float64Array(log.numUsers).fill(-Infinity);
    const atLatest = new Int32Array(log.numUsers);
    for (let r = 0; r < log.length; r++) {
      const u = log.users[r]!;
      const t = log.timestamps![r]!;
      if (t > latest[u]!) {
        latest[u] = t;
        atLatest[u] = 1;
      } else if (t === latest[u]) {
        atLatest[u]!++;
      }
    }
    let mismatched = 0;
    const testPairs = new Set<number>();
    for (let r = 0; r < test.length; r++) {
      expect(test.users[r]).toBe(r); // one row per user, in user order
      if (test.timestamps![r] !== latest[r]) mismatched++;
      testPairs.add(test.users[r]! * log.numItems + test.items[r]!);
    }
    expect(mismatched).toBe(0);
    let leaked = 0;
    for (let r = 0; r < train.length; r++) if (testPairs.has(train.users[r]! * log.numItems + train.items[r]!)) leaked++;
    expect(leaked).toBe(0);

    // Same seed, same split; ties at the latest second are common, so another seed moves some.
    expect(Array.from(leaveLastOut(log, { seed: 2017 }).test.items)).toEqual(Array.from(test.items));
    const tiedUsers = atLatest.filter((n) => n > 1).length;
    expect(tiedUsers).toBeGreaterThan(100);
    const other = leaveLastOut(log, { seed: 2018 }).test.items;
    expect(other.some((item, u) => item !== test.items[u])).toBe(true);
  });
});
