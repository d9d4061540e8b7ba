import { Philox } from '@rec/core';
import { describe, expect, it } from 'vitest';
import { evaluateAUC } from './auc-protocol.js';
import { evaluateCategoryRanking } from './category-ranking.js';
import { evaluateFullRanking, type ItemRows } from './full-ranking.js';
import { evaluateSampledRanking } from './sampled-ranking.js';
import { makeValidator } from './validation.js';

function csr(rows: number[][]): ItemRows {
  const indptr = new Int32Array(rows.length + 1);
  rows.forEach((row, u) => (indptr[u + 1] = indptr[u]! + row.length));
  return { indptr, indices: Int32Array.from(rows.flat()) };
}

const numItems = 40;
const numUsers = 12;
const rng = new Philox({ seed: 31 });
const train: number[][] = [];
const test: number[][] = [];
for (let u = 0; u < numUsers; u++) {
  const items = Array.from({ length: numItems }, (_, i) => i).filter(() => rng.uniform() < 0.25);
  train.push(items.filter((_, j) => j % 4 !== 0));
  test.push(items.filter((_, j) => j % 4 === 0));
}
const trainRows = csr(train);
const testRows = csr(test);

/** A model as a class, so a validator that loses `this` would fail. */
class TableModel {
  constructor(private readonly scores: Float32Array) {}
  scoreUsers(users: Int32Array): Float32Array {
    const out = new Float32Array(users.length * numItems);
    users.forEach((u, b) => out.set(this.scores.subarray(u * numItems, (u + 1) * numItems), b * numItems));
    return out;
  }
}
const model = new TableModel(Float32Array.from({ length: numUsers * numItems }, () => rng.uniform()));
const scoreUsers = (users: Int32Array) => model.scoreUsers(users);

describe('makeValidator', () => {
  it('returns exactly what the full-ranking protocol reports', async () => {
    const validate = makeValidator({ protocol: 'full-ranking', numItems, testItems: testRows, trainMask: trainRows, metric: 'NDCG@10' });
    expect(validate.metric).toBe('NDCG@10');
    expect(validate.protocol).toBe('full-ranking');
    const direct = await evaluateFullRanking({ numItems, testItems: testRows, trainMask: trainRows, scoreUsers, ks: [10] });
    expect(await validate(model)).toBe(direct.metrics['NDCG@10']);
  });

  it('reuses the sampled, category and AUC protocols', async () => {
    const candidates = { kind: 'sampled' as const, numNegatives: 20, seed: 5 };
    const sampled = makeValidator({
      protocol: 'sampled-ranking', numItems, testItems: testRows, trainItems: trainRows, candidates, metric: 'HR@5', ties: 'average',
    });
    const sampledDirect = await evaluateSampledRanking({
      numItems, testItems: testRows, trainItems: trainRows, candidates, ties: 'average', scoreUsers, ks: [5],
    });
    expect(await sampled(model)).toBe(sampledDirect.metrics['HR@5']);
    // Same seed on every call: identical candidates, identical value.
    expect(await sampled(model)).toBe(sampledDirect.metrics['HR@5']);

    const category = makeValidator({ protocol: 'category-ranking', numCategories: numItems, futureCategories: testRows, metric: 'F1@3' });
    const categoryDirect = await evaluateCategoryRanking({ numCategories: numItems, futureCategories: testRows, scoreUsers, ks: [3] });
    expect(await category({ scoreCategories: scoreUsers })).toBe(categoryDirect.metrics['F1@3']);

    const auc = makeValidator({ protocol: 'auc', numItems, testItems: testRows, trainItems: trainRows, negatives: 'all-non-interacted', metric: 'AUC' });
    const aucDirect = await evaluateAUC({ numItems, testItems: testRows, trainItems: trainRows, negatives: 'all-non-interacted', scoreUsers });
    expect(await auc(model)).toBe(aucDirect.metrics.AUC);
  });

  it('rejects a bad metric when it is made, not after an epoch', () => {
    const base = { protocol: 'full-ranking' as const, numItems, testItems: testRows, trainMask: trainRows };
    expect(() => makeValidator({ ...base, metric: 'NDCG' })).toThrow('metric must be NAME@K with NAME one of HR, NDCG');
    expect(() => makeValidator({ ...base, metric: 'Foo@3' })).toThrow('for the full-ranking protocol, got "Foo@3"');
    expect(() => makeValidator({ ...base, metric: 'HR@0' })).toThrow('got "HR@0"');
    expect(() => makeValidator({ ...base, metric: 'HR@10', ks: [5, 20] })).toThrow('ks [5, 20] does not contain 10');
    expect(() =>
      makeValidator({ protocol: 'auc', numItems, testItems: testRows, trainItems: trainRows, negatives: 'all-non-interacted', metric: 'HR@1' as 'AUC' }),
    ).toThrow("the auc protocol computes 'AUC'");
    expect(() => makeValidator({ ...base, protocol: 'loo' as 'full-ranking', metric: 'HR@1' })).toThrow('protocol must be');
  });

  it('says which scorer a model lacks', async () => {
    const validate = makeValidator({ protocol: 'full-ranking', numItems, testItems: testRows, trainMask: trainRows, metric: 'HR@10' });
    await expect(validate({})).rejects.toThrow('the full-ranking protocol needs a model with scoreUsers');
  });
});
