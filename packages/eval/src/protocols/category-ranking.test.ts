import { describe, expect, it } from 'vitest';
import { evaluateCategoryRanking } from './category-ranking.js';
import type { ItemRows } from './full-ranking.js';

function csr(rows: number[][]): ItemRows {
  const indptr = new Int32Array(rows.length + 1);
  rows.forEach((row, u) => (indptr[u + 1] = indptr[u]! + row.length));
  return { indptr, indices: Int32Array.from(rows.flat()) };
}

// 5 categories, every user gets the same scores: the ranking is 1, 2, 3, 4, 0.
const categoryScores = [0.1, 0.9, 0.8, 0.3, 0.2];
const scoreUsers = (users: Int32Array) => {
  const out = new Float32Array(users.length * 5);
  for (let b = 0; b < users.length; b++) out.set(categoryScores, b * 5);
  return out;
};

describe('evaluateCategoryRanking', () => {
  it("computes CCRec's HR, Precision, Recall and F1 with nothing masked (hand case)", async () => {
    // user 0: future {1, 3}: top-1 [1] → HR 1, P 1, R ½; top-3 [1, 2, 3] → HR 1, P ⅔, R 1
    // user 1: future {0}: ranked last → all 0
    const result = await evaluateCategoryRanking({
      numCategories: 5,
      futureCategories: csr([[1, 3], [0]]),
      scoreUsers,
      ks: [1, 3],
      perUser: true,
    });
    expect(result.protocol).toBe('category-ranking');
    expect(result.masked).toBe('nothing');
    expect(result.numUsers).toBe(2);
    expect(Object.keys(result.metrics)).toEqual([
      'HR@1', 'HR@3', 'Precision@1', 'Precision@3', 'Recall@1', 'Recall@3', 'F1@1', 'F1@3',
    ]);
    expect(result.metrics['HR@1']).toBe(0.5);
    expect(result.metrics['Precision@1']).toBe(0.5);
    expect(result.metrics['Recall@1']).toBe(0.25);
    expect(result.metrics['Precision@3']).toBeCloseTo(1 / 3, 12);
    expect(result.metrics['Recall@3']).toBe(0.5);
    // F1 = harmonic mean of the mean P and mean R, as CCRec's tables are.
    expect(result.metrics['F1@1']).toBeCloseTo((2 * 0.5 * 0.25) / 0.75, 12);
    expect(result.metrics['F1@3']).toBeCloseTo(0.4, 12);
    // Per user, F1 is each user's own harmonic mean.
    expect(Array.from(result.perUser!.metrics['F1@1']!)).toEqual([2 / 3, 0]);
  });

  it('with masking, drops past categories from candidates and from the relevant set', async () => {
    // user 0: past {1}, future {1, 3} → relevant {3}; ranking 2, 3, 4, 0 → HR@1 0, HR@2 1
    // user 1: past {0}, future {0} → no new category: not evaluated, counted
    const result = await evaluateCategoryRanking({
      numCategories: 5,
      futureCategories: csr([[1, 3], [0]]),
      pastCategories: csr([[1], [0]]),
      maskPastCategories: true,
      scoreUsers,
      ks: [1, 2],
      metrics: ['HR', 'Recall'],
    });
    expect(result.masked).toBe('past categories');
    expect(result.numUsers).toBe(1);
    expect(result.usersWithoutNewCategories).toBe(1);
    expect(result.metrics).toEqual({ 'HR@1': 0, 'HR@2': 1, 'Recall@1': 0, 'Recall@2': 1 });

    // Past categories are ignored unless masking is asked for.
    const unmasked = await evaluateCategoryRanking({
      numCategories: 5,
      futureCategories: csr([[1, 3], [0]]),
      pastCategories: csr([[1], [0]]),
      scoreUsers,
      ks: [1],
      metrics: ['HR'],
    });
    expect(unmasked.metrics['HR@1']).toBe(0.5);
  });

  it('scores users in blocks from the memory budget', async () => {
    const blocks: number[] = [];
    await evaluateCategoryRanking({
      numCategories: 5,
      futureCategories: csr([[1], [2], [3], [4], [0]]),
      scoreUsers: (users) => {
        blocks.push(users.length);
        return scoreUsers(users);
      },
      ks: [1],
      memoryBudgetBytes: 2 * 5 * 4,
    });
    expect(blocks).toEqual([2, 2, 1]);
  });

  it('refuses bad input with what is wrong', async () => {
    const base = { numCategories: 5, futureCategories: csr([[1, 3], [0]]), scoreUsers, ks: [1] };
    await expect(evaluateCategoryRanking({ ...base, maskPastCategories: true })).rejects.toThrow(
      'maskPastCategories needs pastCategories',
    );
    await expect(evaluateCategoryRanking({ ...base, metrics: ['AUC' as 'HR'] })).rejects.toThrow('unknown metric "AUC"');
    await expect(evaluateCategoryRanking({ ...base, futureCategories: csr([[3, 1]]) })).rejects.toThrow(
      'future categories of user 0 are not sorted ascending without duplicates',
    );
    await expect(evaluateCategoryRanking({ ...base, futureCategories: csr([[7]]) })).rejects.toThrow(
      'future categories of user 0 include 7, outside [0, numCategories = 5)',
    );
    await expect(evaluateCategoryRanking({ ...base, scoreUsers: () => new Float32Array(1) })).rejects.toThrow(
      'scoreUsers returned 1 scores for 2 users × 5 categories',
    );
  });
});
