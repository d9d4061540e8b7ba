import { describe, expect, it } from 'vitest';
import { hitAtK, ndcgAtK, precisionAtK, recallAtK, reciprocalRankAtK } from './metrics.js';

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
