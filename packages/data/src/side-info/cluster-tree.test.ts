import { describe, expect, it } from 'vitest';
import { clusterTree } from './cluster-tree.js';
import { denseFeatures } from './features.js';

/** 4 well-separated blobs of 10 points in 2-d, at (±10, ±10), each made of two tight sub-blobs ±1 apart on x. */
function blobs(): Float32Array {
  const values: number[] = [];
  for (let b = 0; b < 4; b++) {
    for (let p = 0; p < 10; p++) {
      const sub = p < 5 ? -1 : 1;
      values.push((b & 1 ? 10 : -10) + sub + 0.01 * p, (b & 2 ? 10 : -10) + 0.02 * p);
    }
  }
  return Float32Array.from(values);
}

describe('clusterTree', () => {
  it('finds the blobs at the first level and the sub-blobs below them; every item sits at a leaf', () => {
    const features = denseFeatures(40, 2, blobs());
    const { tree, itemLeaf } = clusterTree(features, { branching: [4, 2], seed: 3 });
    expect(tree.levels).toBe(2);
    expect(tree.size).toBe(4 + 8);
    // Items of one blob share their first-level node; the two halves of a blob get different leaves.
    for (let b = 0; b < 4; b++) {
      const tops = new Set(Array.from({ length: 10 }, (_, p) => tree.pathOf(itemLeaf[b * 10 + p]!)[0]));
      expect(tops.size).toBe(1);
      expect(new Set(Array.from({ length: 5 }, (_, p) => itemLeaf[b * 10 + p]))).toEqual(new Set([itemLeaf[b * 10]]));
      expect(itemLeaf[b * 10]).not.toBe(itemLeaf[b * 10 + 9]);
    }
    expect(new Set(Array.from({ length: 4 }, (_, b) => tree.pathOf(itemLeaf[b * 10]!)[0])).size).toBe(4);
    for (const c of itemLeaf) expect(tree.depths[c]).toBe(1);
    // The same seed gives the same tree.
    expect(clusterTree(features, { branching: [4, 2], seed: 3 }).itemLeaf).toEqual(itemLeaf);
  });

  it('splits a small cluster into no more parts than it has items, and refuses a bad branching', () => {
    const features = denseFeatures(3, 1, Float32Array.of(0, 5, 10));
    const { tree, itemLeaf } = clusterTree(features, { branching: [5] });
    expect(tree.size).toBe(3);
    expect(new Set(itemLeaf).size).toBe(3);
    expect(() => clusterTree(features, { branching: [] })).toThrow(/branching must be one or more positive whole numbers/);
    expect(() => clusterTree(features, { branching: [2, 0] })).toThrow(/got \[2, 0\]/);
  });
});
