import { describe, expect, it } from 'vitest';
import { topKIndices } from './topk.js';

/** Reference: stable sort by descending score (ties: lower index first), filter, cut. */
function bySort(scores: Float32Array, k: number, excluded: Set<number> = new Set()): number[] {
  return Array.from(scores.keys())
    .filter((i) => !excluded.has(i))
    .sort((a, b) => scores[b]! - scores[a]! || a - b)
    .slice(0, k);
}

function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('topKIndices', () => {
  it('returns the best first with ties broken by lower index', () => {
    const scores = Float32Array.of(0.5, 0.9, 0.1, 0.9, 0.5, -Infinity);
    expect(Array.from(topKIndices(scores, 3))).toEqual([1, 3, 0]);
    expect(Array.from(topKIndices(scores, 10))).toEqual([1, 3, 0, 4, 2, 5]);
    expect(Array.from(topKIndices(scores, 2, Int32Array.of(1, 3)))).toEqual([0, 4]);
    expect(Array.from(topKIndices(scores, 2, (i) => i < 2))).toEqual([3, 4]);
    expect(Array.from(topKIndices(scores, 4, Int32Array.of(0, 1, 2, 3)))).toEqual([4, 5]);
  });

  it('agrees with a full sort on random data with many ties', () => {
    const next = lcg(7);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(next() * 300);
      // Few distinct values force ties; some trials use continuous scores.
      const levels = trial % 3 === 0 ? 0 : 1 + Math.floor(next() * 6);
      const scores = Float32Array.from({ length: n }, () =>
        levels === 0 ? next() * 2 - 1 : Math.floor(next() * levels),
      );
      const k = 1 + Math.floor(next() * Math.min(n + 5, 40));
      const excludedSet = new Set<number>();
      for (let i = 0; i < n; i++) if (next() < 0.2) excludedSet.add(i);
      const excluded = Int32Array.from([...excludedSet].sort((a, b) => a - b));

      expect(Array.from(topKIndices(scores, k))).toEqual(bySort(scores, k));
      expect(Array.from(topKIndices(scores, k, excluded))).toEqual(bySort(scores, k, excludedSet));
      expect(Array.from(topKIndices(scores, k, (i) => excludedSet.has(i)))).toEqual(bySort(scores, k, excludedSet));
    }
  });

  it('names what is wrong with bad input', () => {
    const scores = Float32Array.of(1, 2, 3);
    expect(() => topKIndices(scores, 0)).toThrow('topKIndices: k must be a positive integer, got 0');
    expect(() => topKIndices(scores, 1, Int32Array.of(3))).toThrow('excluded[0] = 3 is outside [0, scores.length = 3)');
    expect(() => topKIndices(scores, 1, Int32Array.of(2, 1))).toThrow('must be sorted ascending');
    expect(() => topKIndices(Float32Array.of(1, NaN), 1)).toThrow('scores[1] is NaN');
  });
});
