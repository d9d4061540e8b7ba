import { describe, expect, it } from 'vitest';
import { DEFAULT_MEMORY_BUDGET_BYTES, evaluateFullRanking, userBlockSize, type ItemRows } from './full-ranking.js';

/** CSR from per-user lists (each already sorted). */
function csr(rows: number[][]): ItemRows {
  const indptr = new Int32Array(rows.length + 1);
  rows.forEach((row, u) => (indptr[u + 1] = indptr[u]! + row.length));
  return { indptr, indices: Int32Array.from(rows.flat()) };
}

// 3 users, 6 items. Every user gets the same scores: item i scores 6 - i, so the
// unmasked ranking is 0, 1, 2, 3, 4, 5.
const numItems = 6;
const scoreUsers = (users: Int32Array) => {
  const out = new Float32Array(users.length * numItems);
  for (let b = 0; b < users.length; b++) for (let i = 0; i < numItems; i++) out[b * numItems + i] = numItems - i;
  return out;
};

describe('evaluateFullRanking', () => {
  it('computes HR and NDCG on a hand case, with train items masked', async () => {
    // user 0: train {0, 1}, test {2} → ranking 2,3,4,5: test at rank 1
    // user 1: train {},     test {3} → ranking 0,1,2,3,…: test at rank 4
    // user 2: train {0},    test {5} → ranking 1,2,3,4,5: test at rank 5
    const result = await evaluateFullRanking({
      numItems,
      testItems: csr([[2], [3], [5]]),
      trainMask: csr([[0, 1], [], [0]]),
      scoreUsers,
      ks: [1, 4],
      perUser: true,
    });
    expect(result.protocol).toBe('full-ranking');
    expect(result.masked).toBe('train items');
    expect(result.numUsers).toBe(3);
    expect(result.metrics['HR@1']).toBeCloseTo(1 / 3, 12);
    expect(result.metrics['HR@4']).toBeCloseTo(2 / 3, 12);
    expect(result.metrics['NDCG@4']).toBeCloseTo((1 + 1 / Math.log2(5) + 0) / 3, 12);
    expect(Object.keys(result.metrics)).toEqual(['HR@1', 'HR@4', 'NDCG@1', 'NDCG@4']);
    expect(Array.from(result.perUser!.metrics['HR@4']!)).toEqual([1, 1, 0]);
  });

  it('masking is what puts a test item into the top K', async () => {
    const testItems = [Int32Array.of(3)];
    const unmasked = await evaluateFullRanking({
      numItems,
      testItems,
      trainMask: csr([[]]),
      scoreUsers,
      ks: [3],
    });
    const masked = await evaluateFullRanking({
      numItems,
      testItems,
      trainMask: csr([[0, 1, 2]]),
      scoreUsers,
      ks: [3],
    });
    expect(unmasked.metrics['HR@3']).toBe(0);
    expect(masked.metrics['HR@3']).toBe(1);
    expect(masked.metrics['NDCG@3']).toBe(1);
  });

  it('handles several relevant items, per-user arrays and blocks of users', async () => {
    const blocks: number[][] = [];
    const progress: [number, number][] = [];
    const result = await evaluateFullRanking({
      numItems,
      testItems: [Int32Array.of(0, 4), undefined, Int32Array.of(1), Int32Array.of(5)],
      trainMask: csr([[], [], [], []]),
      scoreUsers: async (users) => {
        blocks.push(Array.from(users));
        return scoreUsers(users);
      },
      ks: [2],
      metrics: ['HR', 'NDCG', 'Recall'],
      blockSize: 2,
      onProgress: (done, total) => progress.push([done, total]),
    });
    // Users without test items are left out by default.
    expect(blocks).toEqual([[0, 2], [3]]);
    expect(progress).toEqual([[2, 3], [3, 3]]);
    // user 0: top-2 = 0, 1; relevant {0, 4} → HR 1, NDCG 1/(1 + 1/log2 3), Recall 1/2
    // user 2: relevant {1} at rank 2 → HR 1, NDCG 1/log2 3, Recall 1
    // user 3: relevant {5} → 0
    expect(result.metrics['HR@2']).toBeCloseTo(2 / 3, 12);
    expect(result.metrics['NDCG@2']).toBeCloseTo((1 / (1 + 1 / Math.log2(3)) + 1 / Math.log2(3)) / 3, 12);
    expect(result.metrics['Recall@2']).toBeCloseTo(0.5, 12);
  });

  it('refuses bad input with what is wrong', async () => {
    const base = { numItems, testItems: csr([[2], [3]]), trainMask: csr([[0], []]), scoreUsers, ks: [2] };
    await expect(evaluateFullRanking({ ...base, ks: [0] })).rejects.toThrow('every k must be a positive integer, got 0');
    await expect(evaluateFullRanking({ ...base, ks: [] })).rejects.toThrow('ks is empty');
    await expect(evaluateFullRanking({ ...base, blockSize: 0 })).rejects.toThrow('blockSize must be a positive integer');
    await expect(evaluateFullRanking({ ...base, users: Int32Array.of(2) })).rejects.toThrow(
      'users[0] = 2 has no row in testItems (it has 2 users)',
    );
    await expect(evaluateFullRanking({ ...base, trainMask: csr([[2], []]) })).rejects.toThrow(
      "user 0's test item 2 is also one of their train items",
    );
    await expect(
      evaluateFullRanking({ ...base, scoreUsers: (users) => new Float32Array(users.length * numItems - 1) }),
    ).rejects.toThrow('scoreUsers returned 11 scores for 2 users × 6 items; expected a Float32Array of 12');
    await expect(
      evaluateFullRanking({ ...base, metrics: ['AUC' as 'HR'] }),
    ).rejects.toThrow('unknown metric "AUC"');
  });

  it('derives the user block from the memory budget', async () => {
    expect(DEFAULT_MEMORY_BUDGET_BYTES).toBe(64 * 1024 * 1024);
    // 2^26 bytes / (11,953 items × 4 bytes) = 1403.6 → 1403 users.
    expect(userBlockSize(11_953)).toBe(1403);
    // A huge catalogue: one 200 MB row exceeds the budget, so it is scored alone.
    expect(userBlockSize(50_000_000)).toBe(1);
    expect(userBlockSize(2 ** 20, 2 ** 24)).toBe(4);
    expect(() => userBlockSize(0)).toThrow('numItems must be a positive integer, got 0');
    expect(() => userBlockSize(10, 0)).toThrow('memoryBudgetBytes must be a positive number of bytes, got 0');

    const blocks: number[] = [];
    const testItems = Array.from({ length: 7 }, (_, u) => Int32Array.of(u % numItems));
    await evaluateFullRanking({
      numItems,
      testItems,
      trainMask: csr(testItems.map(() => [])),
      scoreUsers: (users) => {
        blocks.push(users.length);
        return scoreUsers(users);
      },
      ks: [1],
      memoryBudgetBytes: 3 * numItems * 4, // three rows of float32 scores
    });
    expect(blocks).toEqual([3, 3, 1]);
  });
});

describe('evaluateFullRanking with a ranker (rankUsers)', () => {
  // 3 users × 6 items; scores favour low item ids for user 0 and high ones for the others.
  const numItems = 6;
  const scoreOf = (u: number, i: number): number => (u === 0 ? 10 - i : i + u * 0.1);
  const scoreUsers = (users: Int32Array): Float32Array => {
    const out = new Float32Array(users.length * numItems);
    users.forEach((u, b) => {
      for (let i = 0; i < numItems; i++) out[b * numItems + i] = scoreOf(u, i);
    });
    return out;
  };
  const trainMask = { indptr: Int32Array.of(0, 1, 2, 3), indices: Int32Array.of(0, 5, 4) };
  const testItems = { indptr: Int32Array.of(0, 1, 2, 3), indices: Int32Array.of(1, 3, 0) };
  const ranker = (mask: boolean) => (users: Int32Array, k: number): Int32Array => {
    const out = new Int32Array(users.length * k).fill(-1);
    users.forEach((u, b) => {
      const seen = trainMask.indices.subarray(trainMask.indptr[u], trainMask.indptr[u + 1]);
      const order = [...Array(numItems).keys()].filter((i) => !mask || !seen.includes(i)).sort((x, y) => scoreOf(u, y) - scoreOf(u, x) || x - y);
      out.set(order.slice(0, k), b * k);
    });
    return out;
  };

  it('gives the same metrics as scoring every item', async () => {
    const common = { numItems, testItems, trainMask, ks: [1, 3, 10], metrics: ['HR', 'NDCG', 'Recall', 'Precision'] as const };
    const scored = await evaluateFullRanking({ ...common, scoreUsers });
    const ranked = await evaluateFullRanking({ ...common, rankUsers: ranker(true) });
    expect(ranked.metrics).toEqual(scored.metrics);
  });

  it('fails loudly when the ranker does not mask train items, or when both or neither model is given', async () => {
    const common = { numItems, testItems, trainMask, ks: [3] };
    await expect(evaluateFullRanking({ ...common, rankUsers: ranker(false) })).rejects.toThrow(/ranked user 0's train item 0; a ranker must exclude train items/);
    await expect(evaluateFullRanking({ ...common, rankUsers: ranker(true), scoreUsers })).rejects.toThrow(/exactly one of scoreUsers/);
    await expect(evaluateFullRanking({ ...common })).rejects.toThrow(/exactly one of scoreUsers/);
    await expect(evaluateFullRanking({ ...common, rankUsers: () => new Int32Array(2) })).rejects.toThrow(/rankUsers returned 2 items for 3 users × k = 3/);
  });
});
