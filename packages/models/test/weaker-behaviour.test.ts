import { createInteractions, positivesByBehavior, selectInteractions, UserItemCSR, type Interactions } from '@rec/data';
import { readDataset } from '@rec/data/node';
import { requireDataset } from '@rec/data/testing';
import { evaluateFullRanking } from '@rec/eval';
import { describe, expect, it } from 'vitest';
import { MostPopular, WeakerBehaviorRule } from '../src/index.js';

const NAMES = ['view', 'cart', 'buy'];

/** Rows as [user, item, behaviour name]. */
function log(rows: readonly [number, number, string][], numUsers = 3, numItems = 6): Interactions {
  return createInteractions({
    users: Int32Array.from(rows, (r) => r[0]),
    items: Int32Array.from(rows, (r) => r[1]),
    behaviors: Uint8Array.from(rows, (r) => NAMES.indexOf(r[2])),
    behaviorNames: NAMES,
    numUsers,
    numItems,
  });
}

/** Item indexes by descending score (ties: lower index first, as evaluation does). */
function ranking(scores: Float32Array): number[] {
  return [...scores.keys()].sort((a, b) => scores[b] - scores[a] || a - b);
}

// Purchases per item: 0 → 3, 1 → 1, 2 → 1, others 0; rows over all behaviours:
// 0 → 4, 1 → 2, 2 → 2, 3 → 1, 4 → 3, 5 → 2. Popularity order: 0, 1, 2 (tie with 1
// on both counts: lower index), 4, 5, 3.
const train = log([
  [0, 0, 'buy'],
  [1, 0, 'buy'],
  [2, 0, 'buy'],
  [1, 1, 'buy'],
  [2, 2, 'buy'],
  [0, 1, 'view'],
  [0, 2, 'view'],
  [0, 5, 'cart'],
  [0, 5, 'view'],
  [0, 0, 'view'], // viewed and bought: not a seen-weaker item
  [1, 3, 'view'],
  [2, 4, 'view'],
  [2, 4, 'cart'],
  [1, 4, 'view'],
]);

describe('WeakerBehaviorRule on a hand-made log', () => {
  const rule = WeakerBehaviorRule.fit(train);

  it('orders items by purchases, then rows of all behaviours, then index', () => {
    expect([...rule.popularityOrder]).toEqual([0, 1, 2, 4, 5, 3]);
    expect([...rule.popularityScores]).toEqual([6, 5, 4, 1, 3, 2]);
  });

  it('puts what each user viewed or carted but did not buy first, most popular first', () => {
    expect([...rule.seenWeaker.rowOf(0)]).toEqual([1, 2, 5]);
    expect([...rule.seenWeaker.rowOf(1)]).toEqual([3, 4]);
    expect([...rule.seenWeaker.rowOf(2)]).toEqual([4]);
    const scores = rule.scoreUsers(Int32Array.of(0, 1, 2, 0));
    expect(scores).toHaveLength(4 * 6);
    const row = (b: number) => scores.subarray(b * 6, (b + 1) * 6);
    // Seen-weaker items score numItems + their popularity score; the others, it alone.
    expect([...row(0)]).toEqual([6, 11, 10, 1, 3, 8]);
    expect(ranking(row(0))).toEqual([1, 2, 5, 0, 4, 3]);
    expect(ranking(row(1))).toEqual([4, 3, 0, 1, 2, 5]);
    expect(ranking(row(2))).toEqual([4, 0, 1, 2, 5, 3]);
    expect([...row(3)]).toEqual([...row(0)]);
    expect(rule.numItems).toBe(6);
    expect(rule.target).toBe('buy');
  });

  it('takes another target: with cart as target, views and purchases are the weaker behaviours', () => {
    const byCart = WeakerBehaviorRule.fit(train, { target: 'cart' });
    expect(byCart.target).toBe('cart');
    // Carts: 5 → 1, 4 → 1; all rows break the tie (4 has 3, 5 has 2); then 0, 1, 2 (2 rows each), 3.
    expect([...byCart.popularityOrder]).toEqual([4, 5, 0, 1, 2, 3]);
    expect([...byCart.seenWeaker.rowOf(0)]).toEqual([0, 1, 2]); // 5 was carted
    expect([...byCart.seenWeaker.rowOf(2)]).toEqual([0, 2]); // 4 was carted
    expect(ranking(byCart.scoreUsers(Int32Array.of(0)))).toEqual([0, 1, 2, 4, 5, 3]);
  });

  it('keeps the tiers apart and every score distinct in float32 on a 100,000-item catalogue', () => {
    const numUsers = 50;
    const numItems = 100_000;
    let state = 12345;
    const next = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return Math.floor((state / 2 ** 32) * n); // the high bits: an LCG's low bits cycle
    };
    const rows: [number, number, string][] = [];
    for (let r = 0; r < 300_000; r++) {
      // Skewed items, so that purchase counts are large and tie often.
      const item = next(2) === 0 ? next(200) : next(numItems);
      rows.push([next(numUsers), item, NAMES[next(3)]]);
    }
    const big = log(rows, numUsers, numItems);
    const bigRule = WeakerBehaviorRule.fit(big);
    const bought = positivesByBehavior(big).buy;
    const buys = new Float64Array(numItems);
    const all = new Float64Array(numItems);
    for (const [, item, b] of rows) {
      all[item]++;
      if (b === 'buy') buys[item]++;
    }
    const users = Int32Array.of(0, 7, 49);
    const scores = bigRule.scoreUsers(users);
    users.forEach((u, b) => {
      const weaker = new Set<number>(bigRule.seenWeaker.rowOf(u));
      for (const item of weaker) expect(bought.has(u, item)).toBe(false);
      expect(weaker.size).toBeGreaterThan(1000);
      const expected = [...Array(numItems).keys()].sort(
        (x, y) => Number(weaker.has(y)) - Number(weaker.has(x)) || buys[y] - buys[x] || all[y] - all[x] || x - y,
      );
      const row = scores.subarray(b * numItems, (b + 1) * numItems);
      expect(new Set(row).size).toBe(numItems); // no two items tie
      expect(ranking(row)).toEqual(expected);
    });
  });

  it('rejects a log without behaviours, an unknown target, a catalogue past 2^23 items and users out of range', () => {
    const plain = createInteractions({ users: Int32Array.of(0), items: Int32Array.of(0) });
    expect(() => WeakerBehaviorRule.fit(plain)).toThrow(/WeakerBehaviorRule.fit: the log has no behaviour types/);
    expect(() => WeakerBehaviorRule.fit(train, { target: 'like' })).toThrow(/unknown behaviour 'like'/);
    expect(() => WeakerBehaviorRule.fit(log([[0, 0, 'buy']], 1, 2 ** 23 + 1))).toThrow(/exceed 2\^23/);
    expect(() => rule.scoreUsers(Int32Array.of(0, 3))).toThrow(/users\[1\] = 3 is outside \[0, numUsers = 3\)/);
  });
});

// Full ranking masking only training purchases, as the published splits need: most test
// purchases were viewed or carted in train and stay candidates. Measured values are
// asserted to ±0.005.
describe.each([
  {
    name: 'tmall/mbcgcn',
    expected: { 'HR@50': 0.7094, 'NDCG@50': 0.2243, 'HR@80': 0.7968, 'NDCG@80': 0.2389, 'HR@100': 0.818, 'NDCG@100': 0.2422, 'HR@200': 0.8479, 'NDCG@200': 0.2464 },
  },
  {
    name: 'beibei/ghcf',
    expected: { 'HR@50': 0.6568, 'NDCG@50': 0.2827, 'HR@80': 0.6766, 'NDCG@80': 0.286, 'HR@100': 0.6817, 'NDCG@100': 0.2868, 'HR@200': 0.7294, 'NDCG@200': 0.2933 },
  },
])('WeakerBehaviorRule on $name (default split, full ranking)', ({ name, expected }) => {
  it('beats most-popular on purchases at least 5-fold in HR@50 and NDCG@50', async (ctx) => {
    requireDataset(ctx, name);
    const { train, test } = (await readDataset(name)).splits.default;
    const options = {
      numItems: train.numItems,
      testItems: UserItemCSR.fromInteractions(test),
      trainMask: positivesByBehavior(train).buy,
      ks: [50, 80, 100, 200],
    };
    const rule = WeakerBehaviorRule.fit(train);
    const b = train.behaviorNames!.indexOf('buy');
    const purchases = selectInteractions(train, Int32Array.from(train.behaviors!.keys()).filter((r) => train.behaviors![r] === b));
    const pop = MostPopular.fit(purchases);
    const ours = await evaluateFullRanking({ ...options, scoreUsers: (users) => rule.scoreUsers(users) });
    const baseline = await evaluateFullRanking({ ...options, scoreUsers: (users) => pop.scoreUsers(users) });
    expect(ours.numUsers).toBe(test.length);
    for (const [key, value] of Object.entries(expected)) {
      expect(Math.abs(ours.metrics[key] - value), key).toBeLessThanOrEqual(0.005);
    }
    expect(ours.metrics['HR@50']).toBeGreaterThan(5 * baseline.metrics['HR@50']);
    expect(ours.metrics['NDCG@50']).toBeGreaterThan(5 * baseline.metrics['NDCG@50']);
  }, 180_000);
});
