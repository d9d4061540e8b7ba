import { describe, expect, it } from 'vitest';
import {
  compactInteractions,
  kCore,
  keepMultiBehaviorUsers,
  mergeDuplicates,
  minInteractionsPerItem,
  minInteractionsPerUser,
  ratingsToImplicit,
  sampleUsers,
  selectUsers,
} from './filters.js';
import { createInteractions, IdMap, selectInteractions, type Interactions } from './interactions.js';
import { readMovieLens100K } from './readers/movielens.js';
import { generateSyntheticInteractions } from './synthetic.js';
import { requireDataset } from './testing/index.js';

function rowKeys(log: Interactions): string[] {
  return Array.from({ length: log.length }, (_, r) => {
    let key = `${log.users[r]}:${log.items[r]}`;
    if (log.behaviors) key += `:${log.behaviors[r]}`;
    if (log.timestamps) key += `@${log.timestamps[r]}`;
    if (log.ratings) key += `*${log.ratings[r]}`;
    return key;
  });
}

/** k-core by the definition: repeat full passes until nothing changes. */
function naiveKCore(log: Interactions, userK: number, itemK: number): Interactions {
  let current = log;
  for (;;) {
    const uc = new Int32Array(log.numUsers);
    const ic = new Int32Array(log.numItems);
    for (let r = 0; r < current.length; r++) {
      uc[current.users[r]!]++;
      ic[current.items[r]!]++;
    }
    const rows: number[] = [];
    for (let r = 0; r < current.length; r++) if (uc[current.users[r]!]! >= userK && ic[current.items[r]!]! >= itemK) rows.push(r);
    if (rows.length === current.length) return current;
    current = selectInteractions(current, Int32Array.from(rows));
  }
}

describe('kCore', () => {
  it('peels until every user and item has k rows, cascading', () => {
    // Users 0–2 share items 0–2 (a 3-core); user 3 has items 0, 1, 3; item 3 has only user 3,
    // so removing item 3 leaves user 3 with 2 rows, and then user 3 goes too.
    const log = createInteractions({
      users: Int32Array.of(0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3),
      items: Int32Array.of(0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 3),
    });
    const core = kCore(log, 3);
    expect(core.length).toBe(9);
    expect(Array.from(new Set(core.users))).toEqual([0, 1, 2]);
    expect(core.numUsers).toBe(4); // index spaces kept
    expect(core.numItems).toBe(4);
    expect(kCore(log, { userK: 3, itemK: 1 }).length).toBe(12);
    expect(kCore(log, { k: 3, itemK: 1 }).length).toBe(12);
  });

  it('matches the definition on random logs, for separate user and item minimums', () => {
    for (const seed of [1, 2, 3]) {
      const { interactions } = generateSyntheticInteractions({
        numUsers: 200,
        numItems: 150,
        numClusters: 8,
        interactionsPerUser: 6 + seed,
        seed,
        popularityExponent: 1.2,
      });
      for (const [userK, itemK] of [
        [5, 5],
        [7, 3],
        [2, 10],
      ] as const) {
        const core = kCore(interactions, { userK, itemK });
        expect(rowKeys(core)).toEqual(rowKeys(naiveKCore(interactions, userK, itemK)));
      }
    }
  });

  it('refuses a negative minimum', () => {
    const log = createInteractions({ users: Int32Array.of(0), items: Int32Array.of(0) });
    expect(() => kCore(log, -1)).toThrow('kCore: userK must be an integer ≥ 0, got -1');
  });

  it('leaves a 10-core of ml-100k in which every user and item has 10 ratings', async (ctx) => {
    const dir = requireDataset(ctx, 'ml-100k');
    const { interactions } = await readMovieLens100K(dir);
    const core = kCore(interactions, 10);
    const uc = new Int32Array(core.numUsers);
    const ic = new Int32Array(core.numItems);
    for (let r = 0; r < core.length; r++) {
      uc[core.users[r]!]++;
      ic[core.items[r]!]++;
    }
    expect(uc.every((c) => c === 0 || c >= 10)).toBe(true);
    expect(ic.every((c) => c === 0 || c >= 10)).toBe(true);
    expect(core.length).toBeGreaterThan(95_000);
    expect(core.length).toBeLessThan(100_000);
    expect(rowKeys(core)).toEqual(rowKeys(naiveKCore(interactions, 10, 10)));
  });
});

describe('minimum interactions per user and per item', () => {
  const log = createInteractions({
    users: Int32Array.of(0, 0, 0, 1, 1, 2),
    items: Int32Array.of(0, 1, 2, 0, 1, 0),
  });

  it('drops users with too few rows in one pass', () => {
    expect(Array.from(minInteractionsPerUser(log, 2).users)).toEqual([0, 0, 0, 1, 1]);
    expect(minInteractionsPerUser(log, 4).length).toBe(0);
    expect(minInteractionsPerUser(log, 0).length).toBe(6);
  });

  it('drops items with too few rows in one pass', () => {
    expect(Array.from(minInteractionsPerItem(log, 2).items)).toEqual([0, 1, 0, 1, 0]);
    expect(Array.from(minInteractionsPerItem(log, 3).items)).toEqual([0, 0, 0]);
    expect(() => minInteractionsPerItem(log, 1.5)).toThrow('minInteractionsPerItem: min must be an integer ≥ 0, got 1.5');
  });
});

describe('ratingsToImplicit', () => {
  const log = createInteractions({
    users: Int32Array.of(0, 0, 1, 1),
    items: Int32Array.of(0, 1, 0, 2),
    ratings: Float32Array.of(5, 2, 4, 3.5),
    timestamps: Float64Array.of(1, 2, 3, 4),
  });

  it('keeps ratings at or above the threshold and drops the column', () => {
    const liked = ratingsToImplicit(log, { threshold: 4 });
    expect(rowKeys(liked)).toEqual(['0:0@1', '1:0@3']);
    expect(liked.ratings).toBeUndefined();
    expect('ratings' in liked).toBe(false);
    expect(liked.numItems).toBe(3);
  });

  it('keeps the column when asked', () => {
    expect(Array.from(ratingsToImplicit(log, { threshold: 3.5, keepRatings: true }).ratings!)).toEqual([5, 4, 3.5]);
  });

  it('needs ratings', () => {
    const implicit = createInteractions({ users: Int32Array.of(0), items: Int32Array.of(0) });
    expect(() => ratingsToImplicit(implicit, { threshold: 1 })).toThrow('ratingsToImplicit: the log has no ratings column');
  });
});

describe('mergeDuplicates', () => {
  // user 0: view 1 @5 and @3 (keep @3), buy 1 @9, view 2 @4 and @4 (tie: first row);
  // user 1: buy 0 @2
  const log = createInteractions({
    users: Int32Array.of(0, 0, 0, 0, 0, 1),
    items: Int32Array.of(1, 1, 1, 2, 2, 0),
    timestamps: Float64Array.of(5, 3, 9, 4, 4, 2),
    ratings: Float32Array.of(1, 2, 3, 4, 5, 6),
    behaviors: Uint8Array.of(0, 0, 1, 0, 0, 1),
    behaviorNames: ['view', 'buy'],
  });

  it('keeps the earliest row of each (user, item, behaviour), in row order', () => {
    expect(rowKeys(mergeDuplicates(log))).toEqual(['0:1:0@3*2', '0:1:1@9*3', '0:2:0@4*4', '1:0:1@2*6']);
  });

  it('merges across behaviours when asked', () => {
    expect(rowKeys(mergeDuplicates(log, { perBehavior: false }))).toEqual(['0:1:0@3*2', '0:2:0@4*4', '1:0:1@2*6']);
  });

  it('keeps the first row when there are no timestamps', () => {
    const untimed = createInteractions({ users: Int32Array.of(0, 0, 0), items: Int32Array.of(4, 2, 4), ratings: Float32Array.of(1, 2, 3) });
    expect(rowKeys(mergeDuplicates(untimed))).toEqual(['0:4*1', '0:2*2']);
  });
});

describe('keepMultiBehaviorUsers', () => {
  const log = createInteractions({
    users: Int32Array.of(0, 0, 1, 1, 2, 2, 2),
    items: Int32Array.of(0, 0, 1, 2, 0, 1, 2),
    behaviors: Uint8Array.of(0, 2, 0, 0, 0, 1, 2),
    behaviorNames: ['view', 'cart', 'buy'],
  });

  it('keeps users with more than one behaviour type', () => {
    expect(Array.from(keepMultiBehaviorUsers(log).users)).toEqual([0, 0, 2, 2, 2]);
    expect(Array.from(keepMultiBehaviorUsers(log, { minTypes: 3 }).users)).toEqual([2, 2, 2]);
  });

  it('needs behaviours', () => {
    const plain = createInteractions({ users: Int32Array.of(0), items: Int32Array.of(0) });
    expect(() => keepMultiBehaviorUsers(plain)).toThrow('keepMultiBehaviorUsers: the log has no behaviour types');
  });
});

describe('selectUsers and sampleUsers', () => {
  const { interactions: log } = generateSyntheticInteractions({
    numUsers: 300,
    numItems: 100,
    numClusters: 5,
    interactionsPerUser: 4,
    seed: 8,
  });

  it('selects the rows of given users', () => {
    const part = selectUsers(log, [5, 2, 5]);
    expect(new Set(part.users)).toEqual(new Set([2, 5]));
    expect(part.length).toBe(8);
    expect(() => selectUsers(log, [300])).toThrow('selectUsers: users[0] = 300 is outside [0, numUsers = 300)');
  });

  it('samples whole users, reproducibly and independently of row order', () => {
    const sample = sampleUsers(log, { count: 40, seed: 1 });
    expect(new Set(sample.users).size).toBe(40);
    expect(sample.length).toBe(160);
    expect(rowKeys(sampleUsers(log, { count: 40, seed: 1 }))).toEqual(rowKeys(sample));
    const reversed = selectInteractions(log, Int32Array.from({ length: log.length }, (_, r) => log.length - 1 - r));
    expect(new Set(sampleUsers(reversed, { count: 40, seed: 1 }).users)).toEqual(new Set(sample.users));
    expect(new Set(sampleUsers(log, { count: 40, seed: 2 }).users)).not.toEqual(new Set(sample.users));
    // The sample with more users contains the smaller one (same keys).
    const bigger = new Set(sampleUsers(log, { count: 80, seed: 1 }).users);
    for (const u of sample.users) expect(bigger.has(u)).toBe(true);
    expect(() => sampleUsers(log, { count: 301 })).toThrow('sampleUsers: count must be an integer in [0, 300] (the users with a row), got 301');
  });
});

describe('compactInteractions', () => {
  it('renumbers users and items densely, with index maps and new IdMaps', () => {
    const log = createInteractions({
      users: Int32Array.of(3, 1, 3),
      items: Int32Array.of(4, 0, 2),
      ratings: Float32Array.of(5, 4, 3),
      numUsers: 5,
      numItems: 6,
    });
    const userIds = new IdMap(['a', 'b', 'c', 'd', 'e']);
    const itemIds = new IdMap([10, 11, 12, 13, 14, 15]);
    const { interactions, users, items, userIds: newUsers, itemIds: newItems } = compactInteractions(log, { userIds, itemIds });
    expect(interactions.numUsers).toBe(2);
    expect(interactions.numItems).toBe(3);
    expect(Array.from(interactions.users)).toEqual([1, 0, 1]);
    expect(Array.from(interactions.items)).toEqual([2, 0, 1]);
    expect(Array.from(interactions.ratings!)).toEqual([5, 4, 3]);
    expect(Array.from(users.oldOf)).toEqual([1, 3]);
    expect(Array.from(users.newOf)).toEqual([-1, 0, -1, 1, -1]);
    expect(Array.from(items.oldOf)).toEqual([0, 2, 4]);
    expect(newUsers!.toArray()).toEqual(['b', 'd']);
    expect(newItems!.toArray()).toEqual([10, 12, 14]);
    expect(compactInteractions(log).userIds).toBeUndefined();
    expect(() => compactInteractions(log, { itemIds: new IdMap([1]) })).toThrow(
      'compactInteractions: itemIds has 1 ids but the log has numItems = 6',
    );
  });
});
