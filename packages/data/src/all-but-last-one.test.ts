import { describe, expect, it } from 'vitest';
import { allButLastOne, type AllButLastOneSplit } from './all-but-last-one.js';
import { UserItemCSR } from './csr.js';
import type { PublishedSplit } from './dataset.js';
import { rowsByUser } from './indexes.js';
import { createInteractions, type Interactions } from './interactions.js';
import { readDataset } from './load.js';
import { readS3Rec, readS3RecToysRatings } from './readers/s3rec.js';
import { leaveLastOut } from './split.js';
import { requireDataset } from './testing/index.js';

// ---------------------------------------------------------------------------------------
// Helpers

/** Rows as `u:i=rating@time` strings, for comparing splits. */
function rowKeys(log: Interactions): string[] {
  return Array.from({ length: log.length }, (_, r) => `${log.users[r]}:${log.items[r]}=${log.ratings?.[r]}@${log.timestamps?.[r]}`);
}

/** Held-out (validation or test) rows whose (user, item) pair is in train. */
function leakedPairs(split: AllButLastOneSplit): number {
  const seen = UserItemCSR.fromInteractions(split.train);
  let leaks = 0;
  for (const part of [split.valid, split.test]) for (let r = 0; r < part.length; r++) if (seen.has(part.users[r]!, part.items[r]!)) leaks++;
  return leaks;
}

/** The users of validation and test, and the checks every split must pass. */
function checkSplit(log: Interactions, split: AllButLastOneSplit): Set<number> {
  const { train, valid, test, counts } = split;
  expect(leakedPairs(split)).toBe(0);
  expect(Math.abs(valid.length - test.length)).toBeLessThanOrEqual(1);
  expect(valid.length).toBe(Math.floor(counts.heldOutUsers / 2));
  expect([counts.train, counts.valid, counts.test]).toEqual([train.length, valid.length, test.length]);
  expect(counts.droppedRows + counts.train + counts.valid + counts.test + counts.droppedRepeatRows).toBe(log.length);
  for (const part of [train, valid, test]) {
    expect([part.numUsers, part.numItems]).toEqual([log.numUsers, log.numItems]);
    expect(part.ratings).toHaveLength(part.length);
  }
  const heldOut = new Set([...valid.users, ...test.users]);
  expect(heldOut.size).toBe(valid.length + test.length); // one row per user, halves disjoint
  return heldOut;
}

/** A rated log from `[user, item, rating, time]` rows. */
function toyLog(rows: readonly (readonly [number, number, number, number])[], withTime = true, numUsers?: number): Interactions {
  return createInteractions({
    ...(numUsers !== undefined ? { numUsers } : {}),
    users: Int32Array.from(rows, (row) => row[0]),
    items: Int32Array.from(rows, (row) => row[1]),
    ratings: Float32Array.from(rows, (row) => row[2]),
    ...(withTime ? { timestamps: Float64Array.from(rows, (row) => row[3]) } : {}),
    numItems: 10,
  });
}

// ---------------------------------------------------------------------------------------
// A toy log: every rule on rows one can check by hand

describe('allButLastOne on a toy log', () => {
  // User u has u + 1 rows (users 0…5); users 4 and 5 have rows interleaved with others.
  // user 3: items 0 1 2 3 at times 1 2 3 4 → last is item 3.
  // user 4: times 5 9 9 7 9 on items 4 5 6 7 8 → three rows tie at 9; the latest row (item 8) wins.
  // user 5: item 2 twice (times 1 and 8, the later is last), items 3 4 5 6 at 2…5.
  const rows: [number, number, number, number][] = [
    [0, 1, 5, 1],
    [1, 1, 4, 1], [1, 2, 3, 2],
    [2, 1, 4, 1], [2, 2, 3, 2], [2, 3, 2, 3],
    [3, 0, 1, 1], [3, 1, 2, 2], [3, 2, 3, 3], [3, 3, 4, 4],
    [4, 4, 5, 5], [5, 2, 1, 1], [4, 5, 4, 9], [4, 6, 3, 9], [5, 3, 2, 2], [4, 7, 2, 7],
    [5, 4, 3, 3], [4, 8, 1, 9], [5, 5, 4, 4], [5, 6, 5, 5], [5, 2, 2, 8],
  ];
  const log = toyLog(rows);

  it('drops exactly the users below minInteractions, from every part', () => {
    const byMin = [2, 3, 4, 5, 6, 7].map((minInteractions) => allButLastOne(log, { users: 'all', minInteractions }).counts);
    // Users 0…5 have 1…6 rows: minimum m drops users 0 … m − 2.
    expect(byMin.map((c) => c.droppedUsers)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(byMin.map((c) => c.droppedRows)).toEqual([1, 3, 6, 10, 15, 21]);
    expect(byMin.map((c) => c.eligibleUsers)).toEqual([5, 4, 3, 2, 1, 0]);
    const split = allButLastOne(log, { users: 'all' }); // minInteractions 4 by default (RnR §5.2)
    expect(split.counts).toEqual({
      users: 6, droppedUsers: 3, droppedRows: 6, eligibleUsers: 3, ineligibleUsers: 0, heldOutUsers: 3,
      train: 11, valid: 1, test: 2, droppedRepeatRows: 1,
    });
    for (const part of [split.train, split.valid, split.test]) expect([...part.users].filter((u) => u < 3)).toEqual([]);
    checkSplit(log, split);
  });

  it("holds out each user's last row: the latest in row order among ties, and a repeated pair's every row leaves train", () => {
    const { train, valid, test } = allButLastOne(log, { users: 'all', seed: 3 });
    const heldOut = [...rowKeys(valid), ...rowKeys(test)].sort();
    expect(heldOut).toEqual(['3:3=4@4', '4:8=1@9', '5:2=2@8']);
    // User 5's earlier row of item 2 is in no part; train keeps the input's row order.
    expect(rowKeys(train).filter((key) => key.startsWith('5:'))).toEqual(['5:3=2@2', '5:4=3@3', '5:5=4@4', '5:6=5@5']);
    expect(rowKeys(train).filter((key) => key.startsWith('4:'))).toEqual(['4:4=5@5', '4:5=4@9', '4:6=3@9', '4:7=2@7']);
    // The tie-break is the data's, not the seed's.
    for (const seed of [0, 1, 2, 99]) {
      const other = allButLastOne(log, { users: 'all', seed });
      expect([...rowKeys(other.valid), ...rowKeys(other.test)].sort()).toEqual(heldOut);
    }
  });

  it('samples n users by seed and leaves the others whole in train', () => {
    const split = allButLastOne(log, { users: 1, seed: 5 });
    expect([split.valid.length, split.test.length]).toEqual([0, 1]);
    const [u] = split.test.users;
    expect(split.train.length).toBe(15 - 1 - (u === 5 ? 1 : 0));
    const picked = new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((seed) => allButLastOne(log, { users: 1, seed }).test.users[0]));
    expect(picked.size).toBeGreaterThan(1);
  });

  it("depends on each user's own rows only: interleaving the users' rows otherwise gives the same split", () => {
    // Rows grouped by user, each user's rows in their original order (so ties and random draws see the same rows).
    const order = rows.map((_, r) => r).sort((a, b) => rows[a]![0] - rows[b]![0] || a - b);
    const grouped = rows.map((_, k) => rows[order[k]!]!);
    for (const [withTime, heldOut] of [[true, 'last'], [false, 'random']] as const) {
      for (const users of [1, 2, 'all'] as const) {
        for (const seed of [0, 1, 7]) {
          const a = allButLastOne(toyLog(rows, withTime), { users, seed, heldOut });
          const b = allButLastOne(toyLog(grouped, withTime), { users, seed, heldOut });
          expect(rowKeys(b.valid)).toEqual(rowKeys(a.valid));
          expect(rowKeys(b.test)).toEqual(rowKeys(a.test));
          expect(rowKeys(b.train).sort()).toEqual(rowKeys(a.train).sort());
          expect(b.counts).toEqual(a.counts);
        }
      }
    }
  });

  it('holds out a seeded random row per user without timestamps', () => {
    const untimed = toyLog(rows, false);
    const a = allButLastOne(untimed, { users: 'all', seed: 8, heldOut: 'random' });
    expect(rowKeys(allButLastOne(untimed, { users: 'all', seed: 8, heldOut: 'random' }).test)).toEqual(rowKeys(a.test));
    checkSplit(untimed, a);
    const draws = new Set(Array.from({ length: 20 }, (_, seed) => rowKeys(allButLastOne(untimed, { users: 'all', seed, heldOut: 'random' }).test).join()));
    expect(draws.size).toBeGreaterThan(1);
  });

  it("takes a published split's row, and keeps a user it has no row for (or one item only) whole in train", () => {
    // Published last rows: user 3 → item 1 (not its latest by time: the split decides); user 5 → item 2 with
    // 1 star, its earlier row of that pair (the log repeats it with 1 and 2 stars); user 4 none.
    const published: PublishedSplit = { train: log, test: toyLog([[3, 1, 2, 0], [5, 2, 1, 0]], false, 6), description: 'toy' };
    const split = allButLastOne(toyLog(rows, false), { users: 'all', seed: 1, heldOut: { published } });
    expect(split.counts).toMatchObject({ eligibleUsers: 2, ineligibleUsers: 1, droppedRepeatRows: 1 });
    expect([...rowKeys(split.valid), ...rowKeys(split.test)].sort()).toEqual(['3:1=2@undefined', '5:2=1@undefined']);
    expect([...split.train.users].filter((u) => u === 4)).toHaveLength(5);
    // A user whose rows are all one item cannot be held out.
    const oneItem = toyLog([[0, 4, 5, 1], [0, 4, 3, 2], [0, 4, 1, 3], [0, 4, 2, 4], ...rows.filter((row) => row[0] === 3)]);
    expect(allButLastOne(oneItem, { users: 'all' }).counts).toMatchObject({ eligibleUsers: 1, ineligibleUsers: 1, heldOutUsers: 1 });
  });

  it('refuses bad input with one line naming the option', () => {
    const { ratings: _, ...unrated } = log;
    const cases: [() => unknown, string][] = [
      [() => allButLastOne(unrated as Interactions, { users: 1 }), "allButLastOne: the log has no ratings; RnR's protocol keeps each held-out rating"],
      [() => allButLastOne(log, { users: 4 }), "allButLastOne: users = 4 is more than the 3 eligible users (at least 4 interactions and a held-out row besides another item); use at most 3, or 'all'"],
      [() => allButLastOne(log, { users: 0 }), "allButLastOne: users must be a positive integer or 'all', got 0"],
      [() => allButLastOne(log, { users: 1.5 }), "allButLastOne: users must be a positive integer or 'all', got 1.5"],
      [() => allButLastOne(log, { users: 'some' as 'all' }), 'allButLastOne: users must be a positive integer or \'all\', got "some"'],
      [() => allButLastOne(log, { users: 1, minInteractions: 1 }), 'allButLastOne: minInteractions must be an integer ≥ 2 (a held-out user must keep a training row), got 1'],
      [() => allButLastOne(log, { users: 1, minInteractions: 2.5 }), 'allButLastOne: minInteractions must be an integer ≥ 2'],
      [() => allButLastOne(log, { users: 1, seed: 0.5 }), 'allButLastOne: seed must be a safe integer, got 0.5'],
      [() => allButLastOne(log, { users: 1, heldOut: 'first' as 'last' }), 'allButLastOne: heldOut must be \'last\', \'random\' or { published: <split> }, got "first"'],
      [() => allButLastOne(log, { users: 1, heldOut: {} as { published: PublishedSplit } }), "allButLastOne: heldOut must be 'last', 'random' or { published: <split> }, got an object without a published split"],
      [() => allButLastOne(toyLog(rows, false), { users: 1 }), "allButLastOne: heldOut 'last' needs timestamps and the log has none; use heldOut: { published: dataset.splits.last }"],
    ];
    for (const [call, message] of cases) {
      expect(call).toThrow(message);
      try {
        call();
      } catch (error) {
        expect((error as Error).message).not.toContain('\n');
      }
    }
    const published = (test: Interactions): { published: PublishedSplit } => ({ published: { train: log, test, description: 'toy' } });
    expect(() => allButLastOne(log, { users: 1, heldOut: published(toyLog([[3, 1, 2, 0], [3, 2, 3, 0]], false, 6)) })).toThrow(
      'allButLastOne: heldOut.published has test rows 0 and 1 for user 3; expected at most one last row per user',
    );
    expect(() => allButLastOne(log, { users: 1, heldOut: published(toyLog([[3, 9, 2, 0]], false, 6)) })).toThrow(
      "allButLastOne: heldOut.published: test row 0 (user 3, item 9) is not among the log's rows",
    );
    expect(() => allButLastOne(log, { users: 1, heldOut: published(toyLog([[3, 1, 5, 0]], false, 6)) })).toThrow(
      'allButLastOne: heldOut.published: test row 0 (user 3, item 1) has rating 5, which no log row of that pair has (e.g. rating 2)',
    );
    expect(() => allButLastOne(log, { users: 1, heldOut: published(createInteractions({ users: Int32Array.of(3), items: Int32Array.of(1), numItems: 11 })) })).toThrow(
      'allButLastOne: heldOut.published is over 4 users and 11 items, the log over 6 and 10; expected a split of the same dataset',
    );
  });
});

// ---------------------------------------------------------------------------------------
// Real data

describe('allButLastOne on ml-100k (timestamps for every rating)', () => {
  it("holds out each sampled user's latest rating, none of them in train, halves within 1, seeded", async (ctx) => {
    requireDataset(ctx, 'ml-100k');
    const { interactions: log } = await readDataset('ml-100k', { cache: false });
    const split = allButLastOne(log, { users: 'all', seed: 2019 });
    expect(split.counts).toMatchObject({ users: 943, droppedUsers: 0, eligibleUsers: 943, heldOutUsers: 943, valid: 471, test: 472 });
    expect(checkSplit(log, split).size).toBe(943);

    // The held-out row is the user's max-timestamp row (ties: the latest in u.data's row order).
    const { indptr, indices } = rowsByUser(log);
    const times = log.timestamps!;
    let tiedUsers = 0;
    for (const part of [split.valid, split.test]) {
      for (let q = 0; q < part.length; q++) {
        const u = part.users[q]!;
        let expected = -1;
        let ties = 0;
        for (let p = indptr[u]!; p < indptr[u + 1]!; p++) {
          const r = indices[p]!;
          if (expected < 0 || times[r]! > times[expected]!) [expected, ties] = [r, 1];
          else if (times[r] === times[expected]) [expected, ties] = [r, ties + 1];
        }
        if (ties > 1) tiedUsers++;
        expect([part.items[q], part.ratings![q], part.timestamps![q]]).toEqual([log.items[expected], log.ratings![expected], times[expected]]);
      }
    }
    expect(tiedUsers).toBeGreaterThan(0); // ties at the latest second exist, and are resolved as documented

    // n = 500: same seed, same split; another seed, other users.
    const a = allButLastOne(log, { users: 500, seed: 1 });
    const b = allButLastOne(log, { users: 500, seed: 1 });
    const c = allButLastOne(log, { users: 500, seed: 2 });
    checkSplit(log, a);
    expect([a.valid.length, a.test.length, a.train.length]).toEqual([250, 250, 99_500]);
    for (const part of ['train', 'valid', 'test'] as const) expect(rowKeys(b[part])).toEqual(rowKeys(a[part]));
    const usersOf = (s: AllButLastOneSplit): number[] => [...s.valid.users, ...s.test.users].sort((x, y) => x - y);
    expect(usersOf(c)).not.toEqual(usersOf(a));
    const usersOfA = new Set(usersOf(a));
    expect(usersOf(c).filter((u) => usersOfA.has(u)).length).toBeLessThan(400); // ≈ 500 · 500/943 = 265 expected
  }, 60_000);
});

describe('allButLastOne on ml-1m (the folds have no timestamps; the last rating comes from the published split)', () => {
  it("holds out 5000 users' `last` ratings, and never the 3 users whose last movie is ambiguous", async (ctx) => {
    requireDataset(ctx, 'ml-1m');
    const ml = await readDataset('ml-1m', { cache: false });
    const log = ml.interactions;
    expect(log.timestamps).toBeUndefined();
    const last = ml.splits.last!;
    expect(last.test.length).toBe(6_037);
    expect(() => allButLastOne(log, { users: 5000 })).toThrow(/heldOut 'last' needs timestamps and the log has none/);

    const split = allButLastOne(log, { users: 5000, seed: 1, heldOut: { published: last } });
    expect(split.counts).toMatchObject({
      users: 6_040, droppedUsers: 0, eligibleUsers: 6_037, ineligibleUsers: 3, heldOutUsers: 5_000, valid: 2_500, test: 2_500,
      train: 1_000_209 - 5_000, droppedRepeatRows: 0,
    });
    checkSplit(log, split);
    // Each held-out row is that user's `last` row, rating included.
    const lastOf = new Map(Array.from(last.test.users, (u, q) => [u, `${last.test.items[q]}=${last.test.ratings![q]}`]));
    for (const part of [split.valid, split.test]) {
      for (let q = 0; q < part.length; q++) expect(`${part.items[q]}=${part.ratings![q]}`).toBe(lastOf.get(part.users[q]!));
    }
    // Users 46, 2533, 4277 (two candidate last movies each) are never held out and keep every rating in train.
    const all = allButLastOne(log, { users: 'all', seed: 1, heldOut: { published: last } });
    expect([all.valid.length, all.test.length]).toEqual([3_018, 3_019]);
    const heldOut = checkSplit(log, all);
    for (const id of [46, 2533, 4277]) {
      const u = ml.userIds.indexOf(id);
      expect(heldOut.has(u)).toBe(false);
      expect(all.train.users.filter((v) => v === u).length).toBe(log.users.filter((v) => v === u).length);
    }
    expect(() => allButLastOne(log, { users: 6_038, heldOut: { published: last } })).toThrow('allButLastOne: users = 6038 is more than the 6037 eligible users');
  }, 120_000);
});

describe("allButLastOne on yelp-core40 with heldOut: 'random' (no timestamps)", () => {
  it('is deterministic per seed and differs across seeds', async (ctx) => {
    requireDataset(ctx, 'yelp-core40');
    const { interactions: log } = await readDataset('yelp-core40', { cache: false });
    const a = allButLastOne(log, { users: 1000, seed: 4, heldOut: 'random' });
    const b = allButLastOne(log, { users: 1000, seed: 4, heldOut: 'random' });
    const c = allButLastOne(log, { users: 1000, seed: 5, heldOut: 'random' });
    expect(a.counts).toMatchObject({ users: 1_355, eligibleUsers: 1_355, valid: 500, test: 500, train: 100_409 - 1_000 });
    checkSplit(log, a);
    for (const part of ['train', 'valid', 'test'] as const) expect(rowKeys(b[part])).toEqual(rowKeys(a[part]));
    expect(rowKeys(c.test)).not.toEqual(rowKeys(a.test));
    // With every user held out, another seed still draws other rows for most users.
    const all = (seed: number): string[] => {
      const s = allButLastOne(log, { users: 'all', seed, heldOut: 'random' });
      return [...rowKeys(s.valid), ...rowKeys(s.test)].sort();
    };
    const [x, y] = [all(4), all(5)];
    expect(x.filter((key) => y.includes(key)).length).toBeLessThan(100);
  }, 60_000);
});

describe('allButLastOne on amazon-s3rec/Toys_and_Games-ratings (review days, ties by row order)', () => {
  it("holds out S3-Rec's own test item for every user", async (ctx) => {
    const dir = requireDataset(ctx, 'amazon-s3rec/Toys_and_Games-ratings');
    const [rated, positional] = await Promise.all([readS3RecToysRatings(dir), readS3Rec(dir, 'Toys_and_Games')]);
    const split = allButLastOne(rated.interactions, { users: 'all', seed: 1 });
    expect(split.counts).toMatchObject({ eligibleUsers: 19_412, valid: 9_706, test: 9_706 });
    checkSplit(rated.interactions, split);
    // S3-Rec's test item is the last of each sequence (positions as timestamps, so no ties).
    const s3rec = leaveLastOut(positional.interactions).test;
    const pairs = (part: Interactions): string[] => Array.from(part.users, (u, r) => `${u}:${part.items[r]}`);
    expect([...pairs(split.valid), ...pairs(split.test)].sort()).toEqual(pairs(s3rec).sort());
  }, 60_000);
});
