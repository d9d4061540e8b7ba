import { chiSquareCriticalValue, chiSquareStatistic } from '@rec/core';
import { describe, expect, it } from 'vitest';
import { generateSyntheticInteractions } from './synthetic.js';

const options = { numUsers: 300, numItems: 200, numClusters: 8, interactionsPerUser: 15, seed: 42 };

describe('generateSyntheticInteractions', () => {
  it('has the requested shape, distinct items per user and increasing times', () => {
    const { interactions: log, userClusters, itemClusters } = generateSyntheticInteractions(options);
    expect(log.length).toBe(300 * 15);
    expect(log.numUsers).toBe(300);
    expect(log.numItems).toBe(200);
    expect(userClusters.length).toBe(300);
    expect(itemClusters.length).toBe(200);
    for (let u = 0; u < 300; u++) {
      const rows = Array.from({ length: 15 }, (_, n) => u * 15 + n);
      expect(new Set(rows.map((r) => log.items[r])).size).toBe(15);
      for (let n = 1; n < 15; n++) expect(log.timestamps![rows[n]!]!).toBeGreaterThan(log.timestamps![rows[n - 1]!]!);
    }
    // Clusters are near-equal in size.
    const sizes = new Int32Array(8);
    for (const c of itemClusters) sizes[c]++;
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('is a pure function of its options', () => {
    const a = generateSyntheticInteractions(options).interactions;
    const b = generateSyntheticInteractions(options).interactions;
    const c = generateSyntheticInteractions({ ...options, seed: 43 }).interactions;
    expect(Array.from(a.items)).toEqual(Array.from(b.items));
    expect(Array.from(a.timestamps!)).toEqual(Array.from(b.timestamps!));
    expect(Array.from(a.items)).not.toEqual(Array.from(c.items));
  });

  it('draws each part from its own stream', () => {
    // Item clusters come from the item-shuffle stream and user clusters from theirs, so
    // generating more users changes neither the items' clusters nor the first users'.
    const small = generateSyntheticInteractions(options);
    const large = generateSyntheticInteractions({ ...options, numUsers: 600, interactionsPerUser: 5 });
    expect(Array.from(large.itemClusters)).toEqual(Array.from(small.itemClusters));
    expect(Array.from(large.userClusters.subarray(0, 300))).toEqual(Array.from(small.userClusters));
  });

  it('assigns users to clusters uniformly', () => {
    const { userClusters } = generateSyntheticInteractions({ ...options, numUsers: 8000, interactionsPerUser: 1 });
    const counts = new Float64Array(8);
    for (const c of userClusters) counts[c]++;
    const expected = new Float64Array(8).fill(8000 / 8);
    expect(chiSquareStatistic(counts, expected)).toBeLessThan(chiSquareCriticalValue(7, 0.001));
  });

  it('plants cluster structure and a long tail', () => {
    const { interactions: log, userClusters, itemClusters } = generateSyntheticInteractions({
      ...options,
      numUsers: 2000,
    });
    let inCluster = 0;
    for (let r = 0; r < log.length; r++) if (userClusters[log.users[r]!] === itemClusters[log.items[r]!]) inCluster++;
    // 0.85 own-cluster draws plus 0.15/8 of the random ones: 0.869 expected. Rejection
    // keeps the drawn cluster, so only the rare cross-cluster fallback lowers it.
    expect(inCluster / log.length).toBeGreaterThan(0.85);
    expect(inCluster / log.length).toBeLessThan(0.89);
    const counts = new Int32Array(log.numItems);
    for (const i of log.items) counts[i]++;
    const sorted = Array.from(counts).sort((x, y) => y - x);
    const head = sorted.slice(0, 20).reduce((s, x) => s + x, 0) / log.length;
    expect(head).toBeGreaterThan(0.2); // the 10% most popular items take well over 10% of rows
  });

  it('names the option that is out of range', () => {
    expect(() => generateSyntheticInteractions({ ...options, interactionsPerUser: 201 })).toThrow(
      'interactionsPerUser must be an integer in [1, 200], got 201',
    );
    expect(() => generateSyntheticInteractions({ ...options, inClusterProbability: 2 })).toThrow(
      'inClusterProbability must be in [0, 1], got 2',
    );
    expect(() => generateSyntheticInteractions({ ...options, seed: 0.5 })).toThrow(
      'generateSyntheticInteractions: seed must be a safe integer, got 0.5',
    );
  });
});
