import { leaveLastOut, UserItemCSR } from '@rec/data';
import { readMovieLens100K } from '@rec/data/node';
import { requireDataset } from '@rec/data/testing';
import { evaluateFullRanking } from '@rec/eval';
import { describe, expect, it } from 'vitest';
import { parseModelConfig, trainModel } from '../src/index.js';

describe('NCF on ml-100k (leave-last-out, full ranking)', () => {
  it('GMF trained pointwise with 4 sampled negatives beats most-popular by at least 30 %', { timeout: 300_000 }, async (ctx) => {
    const dir = requireDataset(ctx, 'ml-100k');
    const { interactions } = await readMovieLens100K(dir);
    const { train, test } = leaveLastOut(interactions, { seed: 1 });
    const seen = UserItemCSR.fromInteractions(train);
    const evaluate = async (model: 'gmf' | 'most-popular') => {
      const trained = await trainModel(parseModelConfig(model === 'gmf' ? { model, dim: 32, epochs: 10, learningRate: 0.05, seed: 1 } : { model }), { train });
      const result = await evaluateFullRanking({ numItems: train.numItems, testItems: UserItemCSR.fromInteractions(test), trainMask: seen, ks: [10], scoreUsers: (u) => trained.model.scoreUsers!(u) });
      return result.metrics;
    };
    const pop = await evaluate('most-popular');
    const gmf = await evaluate('gmf');
    console.log({ pop, gmf });
    expect(gmf['HR@10']).toBeGreaterThan(1.3 * pop['HR@10']);
    expect(gmf['NDCG@10']).toBeGreaterThan(1.3 * pop['NDCG@10']);
  });
});
