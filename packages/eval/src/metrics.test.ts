import { describe, expect, it } from 'vitest';
import {
  RANKING_METRICS,
  accuracyAtK,
  aucAtK,
  averagePrecisionAtK,
  f1AtK,
  f1FromMeans,
  hitAtK,
  ndcgAtK,
  precisionAtK,
  recallAtK,
  reciprocalRankAtK,
} from './metrics.js';
import { topKIndices } from './topk.js';

const list = Int32Array.of(10, 20, 30, 40, 50);

describe('hitAtK', () => {
  it('is 1 exactly when a relevant item is within the first K', () => {
    expect(hitAtK(list, Int32Array.of(30), 3)).toBe(1);
    expect(hitAtK(list, Int32Array.of(30), 2)).toBe(0);
    expect(hitAtK(list, Int32Array.of(5, 50), 5)).toBe(1);
    expect(hitAtK(list, new Set([40]), 4)).toBe(1);
    expect(hitAtK(list, Int32Array.of(), 5)).toBe(0);
  });
});

describe('ndcgAtK', () => {
  it('is 1/log2(rank + 1) for a single relevant item', () => {
    expect(ndcgAtK(list, Int32Array.of(10), 10)).toBeCloseTo(1, 12);
    expect(ndcgAtK(list, Int32Array.of(20), 10)).toBeCloseTo(1 / Math.log2(3), 12);
    expect(ndcgAtK(list, Int32Array.of(40), 10)).toBeCloseTo(1 / Math.log2(5), 12);
    expect(ndcgAtK(list, Int32Array.of(40), 3)).toBe(0);
  });

  it('normalises several relevant items by the ideal list of min(K, |R|) hits', () => {
    // Hits at ranks 2 and 4; two relevant items, K = 5.
    const dcg = 1 / Math.log2(3) + 1 / Math.log2(5);
    const idcg = 1 + 1 / Math.log2(3);
    expect(ndcgAtK(list, Int32Array.of(20, 40), 5)).toBeCloseTo(dcg / idcg, 12);
    // Three relevant items but K = 2: the ideal has only two positions.
    // Hit at rank 1 only (30 and 99 are outside the first 2).
    expect(ndcgAtK(list, Int32Array.of(10, 30, 99), 2)).toBeCloseTo(1 / (1 + 1 / Math.log2(3)), 12);
    // A perfect list scores 1 whatever K is.
    expect(ndcgAtK(list, Int32Array.of(10, 20, 30), 3)).toBeCloseTo(1, 12);
    expect(ndcgAtK(list, Int32Array.of(10, 20, 30), 10)).toBeCloseTo(1, 12);
  });

  it('scores a list shorter than K as it is', () => {
    expect(ndcgAtK(Int32Array.of(7), Int32Array.of(7, 8), 10)).toBeCloseTo(1 / (1 + 1 / Math.log2(3)), 12);
  });
});

describe('recall, precision, reciprocal rank', () => {
  it('match hand-computed values', () => {
    expect(recallAtK(list, Int32Array.of(20, 40, 99), 5)).toBeCloseTo(2 / 3, 12);
    expect(recallAtK(list, Int32Array.of(20, 40, 99), 3)).toBeCloseTo(1 / 3, 12);
    expect(precisionAtK(list, Int32Array.of(20, 40, 99), 4)).toBe(0.5);
    expect(precisionAtK(Int32Array.of(20), Int32Array.of(20), 10)).toBe(0.1);
    expect(reciprocalRankAtK(list, Int32Array.of(30, 50), 5)).toBeCloseTo(1 / 3, 12);
    expect(reciprocalRankAtK(list, Int32Array.of(30, 50), 2)).toBe(0);
  });
});

describe('bad input', () => {
  it('names k and unsorted relevant items', () => {
    expect(() => hitAtK(list, Int32Array.of(1), 0)).toThrow('hitAtK: k must be a positive integer, got 0');
    expect(() => ndcgAtK(list, Int32Array.of(1), 2.5)).toThrow('ndcgAtK: k must be a positive integer, got 2.5');
    expect(() => ndcgAtK(list, Int32Array.of(30, 10), 5)).toThrow(
      'relevant items must be sorted ascending without duplicates, but relevant[0] = 30 and relevant[1] = 10',
    );
  });
});

describe('averagePrecisionAtK (MAP@K)', () => {
  it('averages precision at each hit, normalised by min(K, |R|)', () => {
    // Hits at ranks 2 and 4 of three relevant items: (1/2 + 2/4) / min(5, 3) = 1/3.
    expect(averagePrecisionAtK(list, Int32Array.of(20, 40, 99), 5)).toBeCloseTo(1 / 3, 12);
    // K = 3: only the hit at rank 2 counts, still divided by min(3, 3) = 3.
    expect(averagePrecisionAtK(list, Int32Array.of(20, 40, 99), 3)).toBeCloseTo(1 / 6, 12);
    // Hits at 1 and 3 of three relevant, K = 3: (1/1 + 2/3) / 3 = 5/9.
    expect(averagePrecisionAtK(Int32Array.of(4, 8, 6), Int32Array.of(4, 5, 6), 3)).toBeCloseTo(5 / 9, 12);
  });

  it('scores a perfect list 1 even when |R| > K, and equals RR@K with one relevant item', () => {
    expect(averagePrecisionAtK(list, Int32Array.of(10, 20, 30, 60, 70), 3)).toBeCloseTo(1, 12);
    for (const item of [10, 20, 30, 40, 50, 99]) {
      for (const k of [1, 3, 5]) {
        expect(averagePrecisionAtK(list, Int32Array.of(item), k)).toBeCloseTo(
          reciprocalRankAtK(list, Int32Array.of(item), k),
          12,
        );
      }
    }
  });

  it('handles a short list, a set, and no relevant items', () => {
    // One hit at rank 1, two relevant, K = 10: 1 / min(10, 2).
    expect(averagePrecisionAtK(Int32Array.of(7), Int32Array.of(7, 8), 10)).toBeCloseTo(0.5, 12);
    expect(averagePrecisionAtK(list, new Set([40, 20]), 5)).toBeCloseTo(0.5, 12);
    expect(averagePrecisionAtK(list, Int32Array.of(), 5)).toBe(0);
  });
});

describe('f1AtK (per user) and f1FromMeans (second-hand paper eq. 13)', () => {
  it('f1AtK is the harmonic mean of the user\'s own P@K and R@K', () => {
    // 2 hits, K = 5, |R| = 3: P = 0.4, R = 2/3, F1 = 2·0.4·(2/3) / (0.4 + 2/3) = 0.5 = 2·2/(5+3).
    expect(f1AtK(list, Int32Array.of(20, 40, 99), 5)).toBeCloseTo(0.5, 12);
    expect(f1AtK(list, Int32Array.of(20, 40, 99), 1)).toBe(0);
    expect(f1AtK(Int32Array.of(1, 2, 3), Int32Array.of(2, 5), 3)).toBeCloseTo(0.4, 12);
    expect(f1AtK(list, Int32Array.of(), 5)).toBe(0);
    for (const relevant of [Int32Array.of(10), Int32Array.of(20, 50), Int32Array.of(30, 40, 50, 60)]) {
      for (const k of [1, 2, 4, 7]) {
        const p = precisionAtK(list, relevant, k);
        const r = recallAtK(list, relevant, k);
        const expected = p + r === 0 ? 0 : (2 * p * r) / (p + r);
        expect(f1AtK(list, relevant, k)).toBeCloseTo(expected, 12);
      }
    }
  });

  it('f1FromMeans follows eq. 13 and differs from the mean of per-user F1', () => {
    // User A: relevant {20, 40, 99}, K = 5: P = 0.4, R = 2/3, F1 = 0.5.
    // User B: relevant {50}, K = 5:         P = 0.2, R = 1,   F1 = 1/3.
    const a = Int32Array.of(20, 40, 99);
    const b = Int32Array.of(50);
    const precisions = [precisionAtK(list, a, 5), precisionAtK(list, b, 5)];
    const recalls = [recallAtK(list, a, 5), recallAtK(list, b, 5)];
    // Eq. 13 literally: 2 / [ |U| / Σ P_u + |U| / Σ R_u ] = 2 / (2/0.6 + 2/(5/3)) = 0.441176…
    const literal = 2 / (2 / (precisions[0] + precisions[1]) + 2 / (recalls[0] + recalls[1]));
    expect(literal).toBeCloseTo(0.4411764705882353, 12);
    expect(f1FromMeans(0.3, 5 / 6)).toBeCloseTo(literal, 12);
    expect(f1FromMeans(precisions, recalls)).toBeCloseTo(literal, 12);
    expect(f1FromMeans(Float64Array.from(precisions), 5 / 6)).toBeCloseTo(literal, 12);
    // The mean of per-user F1 is (0.5 + 1/3) / 2 = 5/12: a different number.
    expect((f1AtK(list, a, 5) + f1AtK(list, b, 5)) / 2).toBeCloseTo(5 / 12, 12);
  });

  it('f1FromMeans is 0 when a mean is 0 and names bad input', () => {
    expect(f1FromMeans(0, 0.5)).toBe(0);
    expect(f1FromMeans(0, 0)).toBe(0);
    expect(() => f1FromMeans([0.1, 0.2], [0.3])).toThrow('precision has 2 per-user values but recall has 1');
    expect(() => f1FromMeans(1.5, 0.2)).toThrow('mean precision must be in [0, 1], got 1.5');
    expect(() => f1FromMeans(0.2, Number.NaN)).toThrow('mean recall must be in [0, 1], got NaN');
    expect(() => f1FromMeans([], 0.2)).toThrow('precision is an empty array');
  });
});

describe('accuracyAtK (second-hand paper eq. 10)', () => {
  it('is the hit indicator, so its user mean is HR@K', () => {
    for (const relevant of [Int32Array.of(10), Int32Array.of(30, 99), Int32Array.of(60), Int32Array.of()]) {
      for (const k of [1, 2, 3, 5, 8]) expect(accuracyAtK(list, relevant, k)).toBe(hitAtK(list, relevant, k));
    }
    expect(accuracyAtK(Int32Array.of(7, 3, 9), Int32Array.of(3, 4), 2)).toBe(1);
  });
});

/** Eq. 12's per-user term by its double sum, O(K²), for comparison. */
function aucAtKByDefinition(topK: Int32Array, relevant: Int32Array, k: number): number {
  const isHit = (t: number): boolean => t < topK.length && relevant.includes(topK[t]);
  let h = 0;
  for (let t = 0; t < k; t++) if (isHit(t)) h++;
  if (h === 0) return 0;
  if (h === k) return 1;
  let ordered = 0;
  for (let t1 = 0; t1 < k - 1; t1++) {
    for (let t2 = t1 + 1; t2 < k; t2++) if (isHit(t1) && !isHit(t2)) ordered++;
  }
  return ordered / (h * (k - h));
}

describe('aucAtK (second-hand paper eq. 12)', () => {
  const four = Int32Array.of(5, 6, 7, 8);

  it('is the share of (hit, miss) pairs in the list with the hit above', () => {
    // Hits at ranks 1 and 3: (1,2) (1,4) (3,4) right, (3 after 2) wrong: 3 / (2·2).
    expect(aucAtK(four, Int32Array.of(5, 7), 4)).toBeCloseTo(0.75, 12);
    expect(aucAtK(four, Int32Array.of(5, 6), 4)).toBe(1);
    expect(aucAtK(four, Int32Array.of(7, 8), 4)).toBe(0);
    // One hit at rank 2 of K = 3: above rank 3, below rank 1: 1 / (1·2).
    expect(aucAtK(four, Int32Array.of(6), 3)).toBeCloseTo(0.5, 12);
  });

  it('scores no hit 0 and an all-hit list 1 (the 0/0 cases)', () => {
    expect(aucAtK(four, Int32Array.of(99), 4)).toBe(0);
    expect(aucAtK(four, Int32Array.of(5, 6), 2)).toBe(1);
  });

  it('counts positions past a short list as misses below every hit', () => {
    // [miss, hit, -, -] with K = 4: the hit is above the two missing positions: 2 / (1·3).
    expect(aucAtK(Int32Array.of(5, 6), Int32Array.of(6), 4)).toBeCloseTo(2 / 3, 12);
  });

  it('matches the double sum of eq. 12 on many lists', () => {
    const topK = Int32Array.of(3, 1, 4, 0, 5, 9, 2, 6);
    const relevantSets = [
      Int32Array.of(3),
      Int32Array.of(0, 9),
      Int32Array.of(1, 2, 6),
      Int32Array.of(4, 5, 7),
      Int32Array.of(0, 1, 2, 3, 4, 5, 6, 9),
    ];
    for (const relevant of relevantSets) {
      for (let k = 1; k <= 10; k++) {
        expect(aucAtK(topK, relevant, k)).toBeCloseTo(aucAtKByDefinition(topK, relevant, k), 12);
      }
    }
  });
});

describe('ties in scores', () => {
  it('are broken by lower item index before any metric sees the list', () => {
    // Items 0, 2, 3 tie at 0.5 below item 1: the list is [1, 0, 2, 3].
    const scores = Float32Array.of(0.5, 0.9, 0.5, 0.5);
    const topK = topKIndices(scores, 3);
    expect(Array.from(topK)).toEqual([1, 0, 2]);
    expect(hitAtK(topK, Int32Array.of(3), 3)).toBe(0); // lost the tie on index
    expect(ndcgAtK(topK, Int32Array.of(0), 3)).toBeCloseTo(1 / Math.log2(3), 12);
    expect(averagePrecisionAtK(topK, Int32Array.of(0, 2), 3)).toBeCloseTo((1 / 2 + 2 / 3) / 2, 12);
    expect(aucAtK(topK, Int32Array.of(0, 2), 3)).toBe(0); // both hits below the one miss
  });
});

describe('RANKING_METRICS', () => {
  it('offers MAP, per-user F1, Accuracy and TopKAUC by name, and no bare "AUC"', () => {
    expect(RANKING_METRICS.MAP).toBe(averagePrecisionAtK);
    expect(RANKING_METRICS.F1).toBe(f1AtK);
    expect(RANKING_METRICS.Accuracy).toBe(accuracyAtK);
    expect(RANKING_METRICS.TopKAUC).toBe(aucAtK);
    expect(Object.hasOwn(RANKING_METRICS, 'AUC')).toBe(false);
  });

  it('names the metric in errors', () => {
    expect(() => averagePrecisionAtK(list, Int32Array.of(1), 0)).toThrow('averagePrecisionAtK: k must be');
    expect(() => f1AtK(list, Int32Array.of(2, 1), 3)).toThrow('f1AtK: relevant items must be sorted');
    expect(() => aucAtK(list, Int32Array.of(1), -1)).toThrow('aucAtK: k must be');
  });
});
