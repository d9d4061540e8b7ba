import { multiBehaviorLeaveOneOut, positivesByBehavior, selectUsers, UserItemCSR } from '@rec/data';
import { readDataset } from '@rec/data/node';
import { requireDataset } from '@rec/data/testing';
import { evaluateFullRanking } from '@rec/eval';
import { describe, expect, it } from 'vitest';
import { getModel, type ModelConfigInput, parseModelConfig, shapeOf, trainModel } from '../src/index.js';

/**
 * The check that the NMTR stack learns on real data: NMTR-GMF and GMF trained
 * briefly on a slice of tmall/mbcgcn (the first 2,000 users, all items, the
 * published leave-one-out purchase test, only training purchases masked).
 *
 * NMTR-GMF must beat most-popular and GMF by 1.5× on HR@100 and NDCG@100.
 * GMF is asserted to beat its own untrained initialisation by 3×, not
 * most-popular: with ~6 training purchases per user, GMF on purchases alone
 * does not beat popularity on this data — measured 0.036 vs 0.052 HR@100 on
 * this slice, 0.050 vs 0.058 on 3,000 users of the full split (lr 0.05,
 * 6 epochs, early-stopped at epoch 4). The same GMF beats most-popular by 55 %
 * on ml-100k (test/ncf-ml100k.test.ts), so this is the data, not the model;
 * docs/reproductions/nmtr.md discusses it.
 */
describe('NMTR and NCF on a tmall/mbcgcn slice', () => {
  it('NMTR-GMF beats most-popular and GMF by 1.5×; GMF beats its untrained self by 3×', { timeout: 600_000 }, async (ctx) => {
    requireDataset(ctx, 'tmall/mbcgcn');
    const dataset = await readDataset('tmall/mbcgcn');
    const users = Int32Array.from({ length: 2000 }, (_, u) => u);
    const train = selectUsers(dataset.splits.default.train, users);
    const test = selectUsers(dataset.splits.default.test, users);
    const { train: fit, test: valid } = multiBehaviorLeaveOneOut(train, { targetBehavior: 'buy', mode: 'random', seed: 1 });
    const mask = positivesByBehavior(train).buy;
    const evaluate = async (input: ModelConfigInput, untrained = false) => {
      const config = parseModelConfig({ ...(input.model === 'most-popular' ? {} : { validationUsers: 500, seed: 1 }), ...input });
      const trained = untrained
        ? { model: getModel(config.model).create!(config as never, shapeOf({ train: fit }, ['buy'])) }
        : await trainModel(config, input.model === 'most-popular' ? { train } : { train: fit, valid });
      const result = await evaluateFullRanking({
        numItems: train.numItems, testItems: UserItemCSR.fromInteractions(test), trainMask: mask, users, ks: [100],
        scoreUsers: (block) => trained.model.scoreUsers!(block),
      });
      return result.metrics;
    };
    const pop = await evaluate({ model: 'most-popular' });
    const untrained = await evaluate({ model: 'gmf', dim: 32 }, true);
    const gmf = await evaluate({ model: 'gmf', epochs: 8, dim: 32, learningRate: 0.05 });
    const nmtr = await evaluate({ model: 'nmtr-gmf', epochs: 2, dim: 32, learningRate: 0.05, weights: [0.4, 0.2, 0.4] });
    for (const metric of ['HR@100', 'NDCG@100']) {
      expect(nmtr[metric]).toBeGreaterThan(1.5 * pop[metric]);
      expect(nmtr[metric]).toBeGreaterThan(1.5 * gmf[metric]);
      expect(gmf[metric]).toBeGreaterThan(3 * untrained[metric]);
    }
  });
});
