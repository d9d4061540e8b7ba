import { describe, expect, it } from 'vitest';
import {
  NMTR_ACTIVITY_EDGES,
  breakdownByActivity,
  breakdownByBehavior,
  breakdownByGroup,
  breakdownByItemPopularity,
  type Breakdown,
} from './breakdowns.js';
import { evaluateFullRanking, type PerUserMetrics } from './protocols/full-ranking.js';

// Six evaluated users (ids 0..5) with two metrics.
const perUser: PerUserMetrics = {
  users: Int32Array.of(0, 1, 2, 3, 4, 5),
  metrics: {
    'HR@10': Float64Array.of(1, 0, 1, 1, 0, 0),
    'NDCG@10': Float64Array.of(0.5, 0, 1, 0.25, 0, 0),
  },
};

function group(b: Breakdown, label: string): Breakdown['groups'][number] {
  const g = b.groups.find((x) => x.group === label);
  if (!g) throw new Error(`no group ${label} in ${b.groups.map((x) => x.group).join(', ')}`);
  return g;
}

describe('breakdownByActivity', () => {
  // Training counts per user id: 2 → <5; 5, 8 → 5-8; 9 → 9-12; 21, 30 → >20.
  const counts = [2, 5, 8, 9, 21, 30];

  it("uses NMTR's purchase-count groups with <5 as cold start, every bucket listed", () => {
    const b = breakdownByActivity(perUser, counts);
    expect(b.by).toBe('activity');
    expect(b.groups.map((g) => g.group)).toEqual(['<5', '5-8', '9-12', '13-16', '17-20', '>20']);
    expect(b.groups.map((g) => g.count)).toEqual([1, 2, 1, 0, 0, 2]);
    expect(group(b, '<5').means).toEqual({ 'HR@10': 1, 'NDCG@10': 0.5 });
    expect(group(b, '5-8').means).toEqual({ 'HR@10': 0.5, 'NDCG@10': 0.5 }); // users 1, 2
    expect(group(b, '9-12').means).toEqual({ 'HR@10': 1, 'NDCG@10': 0.25 });
    expect(group(b, '13-16').means).toEqual({ 'HR@10': null, 'NDCG@10': null });
    expect(group(b, '>20').means).toEqual({ 'HR@10': 0, 'NDCG@10': 0 });
    expect(group(b, '5-8').range).toEqual({ min: 5, max: 8 });
    expect(group(b, '>20').range).toEqual({ min: 21, max: null });
    expect(b.unassigned).toBe(0);
    expect(b.definition).toContain("'<5' is the cold-start group");
  });

  it('puts each user in one bucket, so count-weighted bucket means give the overall mean', () => {
    const b = breakdownByActivity(perUser, counts);
    expect(b.overall.count).toBe(6);
    for (const key of ['HR@10', 'NDCG@10']) {
      let sum = 0;
      for (const g of b.groups) sum += g.count * (g.means[key] ?? 0);
      expect(sum / b.overall.count).toBeCloseTo(b.overall.means[key], 12);
    }
    expect(b.overall.means['HR@10']).toBeCloseTo(0.5, 12);
  });

  it('accepts custom edges, including a one-value bucket, and train CSR rows', () => {
    const b = breakdownByActivity(perUser, counts, { edges: [5, 6, 21] });
    expect(b.groups.map((g) => g.group)).toEqual(['<5', '5', '6-20', '>20']);
    expect(b.groups.map((g) => g.count)).toEqual([1, 1, 2, 2]);
    // Row lengths 1, 0, 3, 5, 5, 6 (users 0..5).
    const rows = { indptr: Int32Array.of(0, 1, 1, 4, 9, 14, 20), indices: new Int32Array(20) };
    const fromRows = breakdownByActivity(perUser, rows, { edges: [1, 5] });
    expect(fromRows.groups.map((g) => [g.group, g.count])).toEqual([
      ['<1', 1],
      ['1-4', 2],
      ['>4', 3],
    ]);
    expect(fromRows.definition).toContain('distinct training items per user');
    expect(NMTR_ACTIVITY_EDGES).toEqual([5, 9, 13, 17, 21]);
  });

  it('names bad input', () => {
    expect(() => breakdownByActivity(perUser, [1, 2, 3])).toThrow(
      'breakdownByActivity: user 3 has no training count (trainCounts covers users 0..2)',
    );
    expect(() => breakdownByActivity(perUser, [1, 2, 3, -1, 0, 0])).toThrow(
      'trainCounts[3] = -1; counts must be non-negative integers',
    );
    expect(() => breakdownByActivity(perUser, counts, { edges: [5, 5] })).toThrow('edges must be strictly ascending');
    expect(() => breakdownByActivity(perUser, counts, { edges: [0, 5] })).toThrow('edges must be positive integers');
    const bad: PerUserMetrics = { users: perUser.users, metrics: { 'HR@10': Float64Array.of(1, 0) } };
    expect(() => breakdownByActivity(bad, counts)).toThrow("perUser.metrics['HR@10'] has 2 values for 6 users");
    const nan: PerUserMetrics = { users: Int32Array.of(0), metrics: { AUC: Float64Array.of(Number.NaN) } };
    expect(() => breakdownByActivity(nan, counts)).toThrow("perUser.metrics['AUC'][0] (user 0) is NaN");
  });
});

describe('breakdownByBehavior', () => {
  // Test rows: user 0 buy; user 1 view and buy; user 2 cart; user 3 buy; user 9 is not
  // evaluated (ignored); users 4 and 5 have no test row (unassigned).
  const test = {
    users: Int32Array.of(0, 1, 1, 2, 3, 9),
    behaviors: Uint8Array.of(2, 0, 2, 1, 2, 0),
    behaviorNames: ['view', 'cart', 'buy'],
  };

  it('groups users by the behaviour of their test rows, in funnel order', () => {
    const b = breakdownByBehavior(perUser, test);
    expect(b.by).toBe('behavior');
    expect(b.groups.map((g) => [g.group, g.count])).toEqual([
      ['view', 1],
      ['cart', 1],
      ['buy', 3],
    ]);
    expect(group(b, 'view').means['HR@10']).toBe(0); // user 1
    expect(group(b, 'buy').means['NDCG@10']).toBeCloseTo((0.5 + 0 + 0.25) / 3, 12); // users 0, 1, 3
    expect(b.unassigned).toBe(2);
  });

  it('labels behaviours by index without names and counts a user once per group', () => {
    const b = breakdownByBehavior(perUser, { users: Int32Array.of(0, 0, 0), behaviors: [1, 1, 3] });
    expect(b.groups.map((g) => [g.group, g.count])).toEqual([
      ['behavior 0', 0],
      ['behavior 1', 1],
      ['behavior 2', 0],
      ['behavior 3', 1],
    ]);
    expect(b.unassigned).toBe(5);
  });

  it('names bad input', () => {
    expect(() => breakdownByBehavior(perUser, { users: Int32Array.of(0) })).toThrow('testRows has no behaviors column');
    expect(() => breakdownByBehavior(perUser, { ...test, behaviors: Uint8Array.of(3, 0, 0, 0, 0, 0) })).toThrow(
      'testRows.behaviors[0] = 3 is not a behaviour index (3 behaviorNames)',
    );
    expect(() => breakdownByBehavior(perUser, { ...test, behaviors: Uint8Array.of(1) })).toThrow(
      'testRows has 6 users but 1 behaviors',
    );
  });
});

describe('breakdownByItemPopularity', () => {
  // One test item per user: user u's test item is u; training popularity per item.
  const test = { users: Int32Array.of(0, 1, 2, 3, 4, 5), items: Int32Array.of(0, 1, 2, 3, 4, 5) };
  const popularity = Int32Array.of(0, 1, 1, 3, 10, 50);

  it('derives thresholds from quantiles of the test rows\' popularity', () => {
    // Sorted popularity [0, 1, 1, 3, 10, 50], q = 3: t_1 = v[2] = 1, t_2 = v[4] = 10.
    const b = breakdownByItemPopularity(perUser, test, popularity, { quantiles: 3 });
    expect(b.by).toBe('item-popularity');
    expect(b.groups.map((g) => [g.group, g.count])).toEqual([
      ['<1', 1],
      ['1-9', 3],
      ['>9', 2],
    ]);
    expect(group(b, '1-9').means['HR@10']).toBeCloseTo(2 / 3, 12); // users 1, 2, 3
    expect(b.definition).toContain('thresholds [1, 10]');
  });

  it('merges buckets when popularity ties, and takes given thresholds', () => {
    // Default q = 5 over [0, 1, 1, 3, 10, 50]: v[1] = 1, v[2] = 1 (repeat, dropped), v[3] = 3, v[4] = 10.
    const b = breakdownByItemPopularity(perUser, test, popularity);
    expect(b.groups.map((g) => g.group)).toEqual(['<1', '1-2', '3-9', '>9']);
    const given = breakdownByItemPopularity(perUser, test, popularity, { thresholds: [2, 20] });
    expect(given.groups.map((g) => [g.group, g.count])).toEqual([
      ['<2', 3],
      ['2-19', 2],
      ['>19', 1],
    ]);
    // All test rows equally popular: one full bucket and an empty one.
    const flat = breakdownByItemPopularity(perUser, test, Int32Array.of(4, 4, 4, 4, 4, 4));
    expect(flat.groups.map((g) => [g.group, g.count])).toEqual([
      ['<5', 6],
      ['>4', 0],
    ]);
  });

  it('counts a user once in each bucket their test items fall in', () => {
    const twoItems = { users: Int32Array.of(0, 0, 0), items: Int32Array.of(0, 5, 4) };
    const b = breakdownByItemPopularity(perUser, twoItems, popularity, { thresholds: [5] });
    expect(b.groups.map((g) => [g.group, g.count])).toEqual([
      ['<5', 1],
      ['>4', 1],
    ]);
    expect(b.unassigned).toBe(5);
  });

  it('names bad input', () => {
    expect(() => breakdownByItemPopularity(perUser, test, Int32Array.of(1, 2))).toThrow(
      'test item 2 (row 2) has no popularity (itemPopularity covers 2 items)',
    );
    expect(() => breakdownByItemPopularity(perUser, test, popularity, { quantiles: 1 })).toThrow(
      'quantiles must be an integer ≥ 2, got 1',
    );
    expect(() => breakdownByItemPopularity(perUser, test, popularity, { quantiles: 3, thresholds: [2] })).toThrow(
      'give thresholds or quantiles, not both',
    );
    expect(() => breakdownByItemPopularity(perUser, test, [0, 1, 0.5, 1, 1, 1])).toThrow(
      'itemPopularity[2] = 0.5; counts must be non-negative integers',
    );
  });
});

describe('breakdownByGroup', () => {
  it('lists ordered groups first (even empty), then others by label, and counts unassigned users', () => {
    const b = breakdownByGroup(
      perUser,
      (u) => (u === 5 ? undefined : u === 4 ? ['b', 'a', 'b'] : u % 2 === 0 ? 'even' : 'odd'),
      { by: 'parity', order: ['odd', 'even', 'none'] },
    );
    expect(b.groups.map((g) => [g.group, g.count])).toEqual([
      ['odd', 2],
      ['even', 2],
      ['none', 0],
      ['a', 1],
      ['b', 1],
    ]);
    expect(b.unassigned).toBe(1);
    expect(b.by).toBe('parity');
    expect(group(b, 'even').means['NDCG@10']).toBeCloseTo(0.75, 12); // users 0, 2
  });
});

describe('with evaluateFullRanking', () => {
  it('breaks down the perUser output, and the result survives JSON', async () => {
    // 4 users, 5 items; the scorer ranks items by index descending for everyone.
    const numItems = 5;
    const testItems = [Int32Array.of(4), Int32Array.of(0), Int32Array.of(3), Int32Array.of(1)];
    const trainMask = { indptr: Int32Array.of(0, 1, 1, 3, 7), indices: Int32Array.of(0, 0, 1, 0, 2, 3, 4) };
    const result = await evaluateFullRanking({
      numItems,
      testItems,
      trainMask,
      ks: [2],
      metrics: ['HR', 'NDCG', 'MAP', 'F1'],
      perUser: true,
      scoreUsers: (users) => {
        const out = new Float32Array(users.length * numItems);
        for (let b = 0; b < users.length; b++) for (let i = 0; i < numItems; i++) out[b * numItems + i] = i;
        return out;
      },
    });
    const perUserResult = result.perUser;
    if (!perUserResult) throw new Error('perUser missing');
    const b = breakdownByActivity(perUserResult, trainMask, { edges: [1, 3] });
    for (const key of Object.keys(result.metrics)) expect(b.overall.means[key]).toBeCloseTo(result.metrics[key], 12);
    // Row lengths 1, 0, 2, 4: users 1 → <1, 0 → 1-2, 2 → 1-2, 3 → >2.
    expect(b.groups.map((g) => g.count)).toEqual([1, 2, 1]);
    expect(JSON.parse(JSON.stringify(b))).toEqual(b);
  });
});
