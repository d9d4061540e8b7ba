import { describe, expect, it } from 'vitest';
import { aucFromScores, gauc, globalAuc, meanUserAuc, userAuc, userAucs, type ScoredRows } from './auc.js';

/** The O(P·N) definition, ties ½, as the reference. */
function aucByPairs(pos: ArrayLike<number>, neg: ArrayLike<number>): number {
  let pairs = 0;
  for (let i = 0; i < pos.length; i++) {
    for (let j = 0; j < neg.length; j++) pairs += pos[i] > neg[j] ? 1 : pos[i] === neg[j] ? 0.5 : 0;
  }
  return pairs / (pos.length * neg.length);
}

/** Small deterministic generator (LCG) for test data; rounding makes many ties. */
function values(n: number, seed: number, levels: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = Math.floor((s / 2 ** 32) * levels) / levels;
  }
  return out;
}

describe('aucFromScores', () => {
  it('matches hand-computed cases, ties counting one half', () => {
    // 0.9 beats 0.5 and 0.1; 0.4 beats 0.1 only: 3 of 4 pairs.
    expect(aucFromScores([0.9, 0.4], [0.5, 0.1])).toBe(0.75);
    // 0.5 ties 0.5 (½) and beats 0.2 (1): 1.5 of 2.
    expect(aucFromScores([0.5], [0.5, 0.2])).toBe(0.75);
    // A constant scorer earns 0.5, not 0 or 1.
    expect(aucFromScores([1, 1, 1], [1, 1])).toBe(0.5);
    expect(aucFromScores([2, 3], [1])).toBe(1);
    expect(aucFromScores([0], [1, 2])).toBe(0);
    expect(aucFromScores([Infinity], [-Infinity, 5])).toBe(1);
  });

  it('is undefined without positives or negatives', () => {
    expect(aucFromScores([], [0.3])).toBeUndefined();
    expect(aucFromScores([0.3], [])).toBeUndefined();
  });

  it('matches the O(P·N) double sum with many ties, sorting either side', () => {
    for (const [p, n, levels] of [
      [3, 50, 4],
      [50, 3, 4],
      [40, 40, 7],
      [1, 100, 2],
      [200, 170, 1000],
    ] as const) {
      const pos = values(p, p * 31 + n, levels);
      const neg = values(n, n * 17 + p + 1, levels);
      expect(aucFromScores(pos, neg)).toBeCloseTo(aucByPairs(pos, neg), 12);
    }
  });

  it('does not reorder its inputs and rejects NaN', () => {
    const pos = Float64Array.of(0.3, 0.1, 0.2);
    aucFromScores(pos, [0.5, 0.4, 0.6, 0.7]);
    expect(Array.from(pos)).toEqual([0.3, 0.1, 0.2]);
    expect(() => aucFromScores([0.1, Number.NaN], [0.2])).toThrow('aucFromScores: positive[1] is NaN');
  });
});

describe('userAuc', () => {
  const scores = Float32Array.of(0.9, 0.1, 0.5, 0.7, 0.3);

  it('compares against all non-interacted items with allExcept', () => {
    // Positive item 2 (0.5); item 0 is a train item; negatives 1, 3, 4 (0.1, 0.7, 0.3): 2/3.
    expect(userAuc(scores, Int32Array.of(2), { allExcept: Int32Array.of(0) })).toBeCloseTo(2 / 3, 12);
    // No exclusions: item 0 (0.9) joins the negatives: 2/4.
    expect(userAuc(scores, Int32Array.of(2), { allExcept: Int32Array.of() })).toBeCloseTo(0.5, 12);
    // Two positives (2, 3) against 1 and 4: 0.5 and 0.7 beat both.
    expect(userAuc(scores, Int32Array.of(2, 3), { allExcept: Int32Array.of(0) })).toBe(1);
  });

  it('compares against exactly the sampled items, repeats counting again', () => {
    expect(userAuc(scores, Int32Array.of(2), { sampled: Int32Array.of(1, 3) })).toBeCloseTo(0.5, 12);
    expect(userAuc(scores, Int32Array.of(2), { sampled: Int32Array.of(1, 1, 3) })).toBeCloseTo(2 / 3, 12);
  });

  it('counts tied scores one half', () => {
    const tied = Float64Array.of(0.5, 0.5, 0.5, 0.2);
    // Positive 0 ties items 1 and 2 (½ each) and beats 3: 2 / 3.
    expect(userAuc(tied, Int32Array.of(0), { allExcept: Int32Array.of() })).toBeCloseTo(2 / 3, 12);
  });

  it('is undefined without positives or negatives', () => {
    expect(userAuc(scores, Int32Array.of(), { allExcept: Int32Array.of() })).toBeUndefined();
    expect(userAuc(scores, Int32Array.of(0, 1), { allExcept: Int32Array.of(2, 3, 4) })).toBeUndefined();
    expect(userAuc(scores, Int32Array.of(0), { sampled: Int32Array.of() })).toBeUndefined();
  });

  it('matches the double sum over a long score vector', () => {
    const long = values(3000, 7, 50);
    const positives = Int32Array.of(3, 10, 11, 500, 2999);
    const train = Int32Array.of(0, 4, 10, 700, 701); // 10 is also a positive: still a positive
    const pos = Array.from(positives, (i) => long[i]);
    const neg: number[] = [];
    for (let i = 0; i < long.length; i++) if (!positives.includes(i) && !train.includes(i)) neg.push(long[i]);
    expect(userAuc(long, positives, { allExcept: train })).toBeCloseTo(aucByPairs(pos, neg), 12);
  });

  it('names bad input', () => {
    expect(() => userAuc(scores, Int32Array.of(3, 2), { allExcept: Int32Array.of() })).toThrow(
      'userAuc: positives must be sorted ascending without duplicates, but positives[0] = 3 and positives[1] = 2',
    );
    expect(() => userAuc(scores, Int32Array.of(5), { allExcept: Int32Array.of() })).toThrow(
      'userAuc: positives[0] = 5 is outside [0, scores.length = 5)',
    );
    expect(() => userAuc(scores, Int32Array.of(2), { sampled: Int32Array.of(1, 2) })).toThrow(
      'sampled negative 2 (sampled[1]) is also a positive',
    );
    expect(() => userAuc(scores, Int32Array.of(2), { sampled: Int32Array.of(9) })).toThrow('sampled[0] = 9 is outside');
    expect(() => userAuc(scores, Int32Array.of(2), { allExcept: Int32Array.of(4, 1) })).toThrow(
      'allExcept must be sorted ascending',
    );
    expect(() => userAuc(Float32Array.of(0.1, Number.NaN, 0.3), Int32Array.of(0), { allExcept: Int32Array.of() })).toThrow(
      'userAuc: scores[1] is NaN',
    );
  });
});

describe('per-user, mean, GAUC and global AUC over scored rows', () => {
  // user 0: positive 0.9, negatives 0.2, 0.5 → AUC 1   (3 rows, 1 positive)
  // user 1: positive 0.4, negative 0.6       → AUC 0   (2 rows, 1 positive)
  // user 2: positive 0.3 only                → skipped, no negatives
  // user 4: negative 0.1 only                → skipped, no positives
  // user 5: positives 0.8, 0.1, negative 0.5 → AUC 1/2 (3 rows, 2 positives)
  const rows: ScoredRows = {
    users: Int32Array.of(0, 0, 0, 1, 1, 2, 4, 5, 5, 5),
    scores: Float32Array.of(0.9, 0.2, 0.5, 0.4, 0.6, 0.3, 0.1, 0.8, 0.1, 0.5),
    labels: Uint8Array.of(1, 0, 0, 1, 0, 1, 0, 1, 1, 0),
  };

  it('userAucs lists users with both sides and counts the skipped', () => {
    const perUser = userAucs(rows);
    expect(Array.from(perUser.users)).toEqual([0, 1, 5]);
    expect(Array.from(perUser.auc)).toEqual([1, 0, 0.5]);
    expect(Array.from(perUser.positives)).toEqual([1, 1, 2]);
    expect(Array.from(perUser.negatives)).toEqual([2, 1, 1]);
    expect(perUser.skippedNoNegatives).toBe(1);
    expect(perUser.skippedNoPositives).toBe(1);
  });

  it('meanUserAuc weights users equally', () => {
    const summary = meanUserAuc(userAucs(rows));
    expect(summary.value).toBeCloseTo(0.5, 12);
    expect(summary).toMatchObject({ weight: 'user', users: 3, skippedNoPositives: 1, skippedNoNegatives: 1 });
  });

  it('gauc weights by impressions (DIN) or by positives', () => {
    // Impressions 3, 2, 3: (3·1 + 2·0 + 3·0.5) / 8 = 0.5625.
    expect(gauc(userAucs(rows)).value).toBeCloseTo(4.5 / 8, 12);
    expect(gauc(userAucs(rows)).weight).toBe('impressions');
    // Positives 1, 1, 2: (1 + 0 + 1) / 4 = 0.5.
    const byPositives = gauc(userAucs(rows), { weight: 'positives' });
    expect(byPositives.value).toBeCloseTo(0.5, 12);
    expect(byPositives).toMatchObject({ weight: 'positives', users: 3, skippedNoPositives: 1 });
  });

  it('globalAuc pools every row, users included that per-user AUC skips', () => {
    const pos: number[] = [];
    const neg: number[] = [];
    for (let r = 0; r < rows.users.length; r++) (rows.labels[r] === 1 ? pos : neg).push(rows.scores[r]);
    const result = globalAuc(rows);
    expect(result.positives).toBe(5);
    expect(result.negatives).toBe(5);
    expect(result.value).toBeCloseTo(aucByPairs(pos, neg), 12);
  });

  it('userAucs agrees with aucFromScores per user on larger data', () => {
    const n = 2000;
    const users = new Int32Array(n);
    const labels = new Uint8Array(n);
    const scores = Float64Array.from(values(n, 99, 20));
    const u = values(n, 5, 37);
    const l = values(n, 11, 4);
    for (let r = 0; r < n; r++) {
      users[r] = Math.floor(u[r] * 37);
      labels[r] = l[r] < 0.25 ? 1 : 0;
    }
    const perUser = userAucs({ users, scores, labels });
    expect(perUser.users.length).toBeGreaterThan(30);
    for (let i = 0; i < perUser.users.length; i++) {
      const pos: number[] = [];
      const neg: number[] = [];
      for (let r = 0; r < n; r++) if (users[r] === perUser.users[i]) (labels[r] === 1 ? pos : neg).push(scores[r]);
      expect(perUser.auc[i]).toBeCloseTo(aucByPairs(pos, neg), 12);
    }
  });

  it('names bad input', () => {
    expect(() => userAucs({ ...rows, labels: Uint8Array.of(1, 0) })).toThrow(
      'userAucs: users, scores and labels must have one entry per row, got 10, 10 and 2',
    );
    expect(() => userAucs({ ...rows, labels: Uint8Array.of(1, 0, 0, 1, 0, 2, 0, 1, 1, 0) })).toThrow(
      'userAucs: labels[5] = 2; labels must be 0 (negative) or 1 (positive)',
    );
    expect(() => globalAuc({ ...rows, users: Int32Array.of(0, 0, 0, 1, 1, 2, -4, 5, 5, 5) })).toThrow(
      'globalAuc: users[6] = -4 is negative',
    );
    const onlyPositive = { users: Int32Array.of(0, 1), scores: Float32Array.of(0.1, 0.2), labels: [1, 1] };
    expect(() => globalAuc(onlyPositive)).toThrow('got 2 positives and 0 negatives');
    expect(() => meanUserAuc(userAucs(onlyPositive))).toThrow(
      'meanUserAuc: no user has both a positive and a negative (0 without positives, 2 without negatives)',
    );
    // @ts-expect-error: a weight that does not exist
    expect(() => gauc(userAucs(rows), { weight: 'clicks' })).toThrow("gauc: weight must be 'impressions' or 'positives'");
  });
});
