import { Philox } from '@rec/core';
import { describe, expect, it } from 'vitest';
import { evaluateAUC } from './auc-protocol.js';
import type { ItemRows } from './full-ranking.js';
import { sampleEvaluationNegatives, sortedUnion } from './sampled-ranking.js';

function csr(rows: number[][]): ItemRows {
  const indptr = new Int32Array(rows.length + 1);
  rows.forEach((row, u) => (indptr[u + 1] = indptr[u]! + row.length));
  return { indptr, indices: Int32Array.from(rows.flat()) };
}

/** O(P·N) reference: pairs ordered correctly, ties ½. */
function bruteAuc(scores: ArrayLike<number>, positives: number[], negatives: number[]): number {
  let pairs = 0;
  for (const p of positives) {
    for (const n of negatives) pairs += scores[p]! > scores[n]! ? 1 : scores[p] === scores[n] ? 0.5 : 0;
  }
  return pairs / (positives.length * negatives.length);
}

describe('evaluateAUC', () => {
  const itemScores = [
    [0.9, 0.1, 0.5, 0.7, 0.3, 0.5],
    [0.9, 0.1, 0.5, 0.7, 0.3, 0.5],
  ];
  const scoreUsers = (users: Int32Array) => Float32Array.from(Array.from(users).flatMap((u) => itemScores[u]!));

  it('averages per-user AUC against all non-interacted items, ties ½ (hand case)', async () => {
    // user 0: train {0}, test {2} (0.5) vs items 1, 3, 4, 5 (0.1, 0.7, 0.3, 0.5) → (2 + ½) / 4
    // user 1: train {},  test {1, 3} (0.1, 0.7) vs items 0, 2, 4, 5 → (0 + 3) / 8
    const result = await evaluateAUC({
      numItems: 6,
      testItems: csr([[2], [1, 3]]),
      trainItems: csr([[0], []]),
      negatives: 'all-non-interacted',
      scoreUsers,
      perUser: true,
    });
    expect(result.protocol).toBe('auc');
    expect(result.negatives.kind).toBe('all-non-interacted');
    expect(result.negatives.description).toBe('per-user AUC of test items against all non-interacted items (of 6), ties ½');
    expect(Array.from(result.perUser!.auc)).toEqual([0.625, 0.375]);
    expect(Array.from(result.perUser!.negatives)).toEqual([4, 4]);
    expect(result.metrics.AUC).toBeCloseTo(0.5, 12);
    expect(result.numUsers).toBe(2);
  });

  it('matches a brute-force AUC on random data, for all and for sampled negatives', async () => {
    const numItems = 60;
    const numUsers = 25;
    const rng = new Philox({ seed: 4 });
    const train: number[][] = [];
    const test: number[][] = [];
    for (let u = 0; u < numUsers; u++) {
      const items = Array.from({ length: numItems }, (_, i) => i).filter(() => rng.uniform() < 0.2);
      train.push(items.filter((_, j) => j % 3 !== 0));
      test.push(items.filter((_, j) => j % 3 === 0));
    }
    const users = Int32Array.from(test.flatMap((row, u) => (row.length > 0 ? [u] : [])));
    // Rounded scores, so ties occur.
    const scores = Float32Array.from({ length: numUsers * numItems }, () => Math.round(rng.uniform() * 8) / 8);
    const scoreUsers = (block: Int32Array) => {
      const out = new Float32Array(block.length * numItems);
      block.forEach((u, b) => out.set(scores.subarray(u * numItems, (u + 1) * numItems), b * numItems));
      return out;
    };
    const options = { numItems, testItems: csr(test), trainItems: csr(train), scoreUsers, blockSize: 4 };

    const all = await evaluateAUC({ ...options, negatives: 'all-non-interacted' });
    let expected = 0;
    for (const u of users) {
      const interacted = new Set([...train[u]!, ...test[u]!]);
      const negatives = Array.from({ length: numItems }, (_, i) => i).filter((i) => !interacted.has(i));
      expected += bruteAuc(scores.subarray(u * numItems), test[u]!, negatives);
    }
    expect(all.metrics.AUC).toBeCloseTo(expected / users.length, 12);

    const sampled = await evaluateAUC({ ...options, negatives: { kind: 'sampled', numNegatives: 10, seed: 8 }, perUser: true });
    expected = 0;
    for (const u of users) {
      const negatives = sampleEvaluationNegatives({
        numItems,
        count: 10,
        seed: 8,
        slot: u,
        excluded: sortedUnion(Int32Array.from(train[u]!), Int32Array.from(test[u]!)),
      });
      for (const n of negatives) expect([...train[u]!, ...test[u]!]).not.toContain(n);
      expected += bruteAuc(scores.subarray(u * numItems), test[u]!, Array.from(negatives));
    }
    expect(sampled.metrics.AUC).toBeCloseTo(expected / users.length, 12);
    expect(sampled.negatives).toMatchObject({ kind: 'sampled', numNegatives: 10, seed: '8' });
    expect(sampled.negatives.description).toContain('against 10 sampled non-interacted items, seed 8');
    // Same seed, same negatives: a second run gives the same number.
    const again = await evaluateAUC({ ...options, negatives: { kind: 'sampled', numNegatives: 10, seed: 8 } });
    expect(again.metrics.AUC).toBe(sampled.metrics.AUC);
  });

  it('skips users with no item left to be a negative, and counts them', async () => {
    const result = await evaluateAUC({
      numItems: 3,
      testItems: csr([[0], [1]]),
      trainItems: csr([[1, 2], []]),
      negatives: 'all-non-interacted',
      scoreUsers: (users) => new Float32Array(users.length * 3),
    });
    expect(result.skippedNoNegatives).toBe(1);
    expect(result.numUsers).toBe(1);
    expect(result.metrics.AUC).toBe(0.5);
  });

  it('refuses bad input with what is wrong', async () => {
    const base = {
      numItems: 6,
      testItems: csr([[2], [1, 3]]),
      trainItems: csr([[0], []]),
      negatives: 'all-non-interacted' as const,
      scoreUsers,
    };
    await expect(evaluateAUC({ ...base, negatives: 'everything' as 'all-non-interacted' })).rejects.toThrow(
      "negatives must be 'all-non-interacted' or { kind: 'sampled', numNegatives, seed }",
    );
    await expect(evaluateAUC({ ...base, negatives: { kind: 'sampled', numNegatives: 0, seed: 1 } })).rejects.toThrow(
      'numNegatives must be a positive integer, got 0',
    );
    await expect(evaluateAUC({ ...base, users: Int32Array.of(5) })).rejects.toThrow('users[0] = 5 has no row in testItems');
    await expect(evaluateAUC({ ...base, scoreUsers: () => new Float32Array(3) })).rejects.toThrow(
      'scoreUsers returned 3 scores for 2 users × 6 items',
    );
    await expect(evaluateAUC({ ...base, trainItems: csr([[3, 0], []]) })).rejects.toThrow('user 0: userAuc: allExcept must be sorted');
  });
});
