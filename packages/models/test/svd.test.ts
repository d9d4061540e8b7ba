/**
 * SVD (biased MF, RnR §5.1's rating baseline) as a registered model: its rating head
 * composes with vectors from outside, its biases start at zero, a bad config is one line,
 * and on ml-100k with one random held-out rating per user it rates better than the global
 * mean and ranks better than a random scorer; a saved model answers exactly as before.
 */
import { Philox, tensor } from '@rec/core';
import { createInteractions, type Interactions, leaveLastOut, UserItemCSR } from '@rec/data';
import { readDataset } from '@rec/data/node';
import { requireDataset } from '@rec/data/testing';
import { evaluateFullRanking, rmse } from '@rec/eval';
import { describe, expect, it } from 'vitest';
import { decodeSavedModel, encodeSavedModel, getModel, parseModelConfig, type TrainedModel, trainModel } from '../src/index.js';
import { BiasedMF, meanRating } from '../src/svd/index.js';

describe('BiasedMF (Koren et al. 2009, eq. 4)', () => {
  it('starts with zero biases and Xavier-uniform factors; μ is fixed, without a gradient', () => {
    const model = getModel('svd').create!(parseModelConfig({ model: 'svd', dim: 8, seed: 3 }) as never, { numUsers: 20, numItems: 30, behaviors: ['all'] }) as BiasedMF;
    expect(model).toBeInstanceOf(BiasedMF);
    expect([...model.userBias.readSync()]).toEqual(new Array(20).fill(0));
    expect([...model.itemBias.readSync()]).toEqual(new Array(30).fill(0));
    expect(model.globalMean.requiresGrad).toBe(false);
    const bound = Math.sqrt(6 / (20 + 8));
    const p = model.users.readSync() as Float32Array;
    expect(Math.max(...p.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...p.map(Math.abs))).toBeGreaterThan(0.8 * bound);
  });

  it('the rating head is μ + b_u + b_i + ⟨p, q⟩ for its own vectors and for vectors given from outside', async () => {
    const model = new BiasedMF({ numUsers: 3, numItems: 4, dim: 2, seed: 1, l2: 0.1 });
    model.setGlobalMean(3.5);
    model.userBias.assign(Float32Array.of(0.1, -0.2, 0.3));
    model.itemBias.assign(Float32Array.of(0.5, 0, -0.5, 1));
    const P = model.users.readSync() as Float32Array;
    const Q = model.items.readSync() as Float32Array;
    const users = Int32Array.of(0, 2, 1);
    const items = Int32Array.of(3, 0, 2);
    const expected = Array.from(users, (u, k) => 3.5 + [0.1, -0.2, 0.3][u] + [0.5, 0, -0.5, 1][items[k]] + P[2 * u] * Q[2 * items[k]] + P[2 * u + 1] * Q[2 * items[k] + 1]);
    const predicted = (await model.predictRatings(users, items)) as Float32Array;
    expected.forEach((r, k) => expect(predicted[k]).toBeCloseTo(r, 5));
    const scores = (await model.scoreUsers(users)) as Float32Array;
    expected.forEach((r, k) => expect(scores[k * 4 + items[k]]).toBeCloseTo(r, 5));
    // Vectors of a multi-task model (e.g. RnR's FCθ(p_u)): the biases stay SVD's.
    const rated = model.rate(tensor(users), tensor(items), tensor(Float32Array.of(1, 0, 0, 1, 2, 2), [3, 2]), tensor(Float32Array.of(3, 4, 5, 6, 1, 1), [3, 2])).readSync();
    [3.5 + 0.1 + 1 + 3, 3.5 + 0.3 + 0.5 + 6, 3.5 - 0.2 - 0.5 + 4].forEach((r, k) => expect(rated[k]).toBeCloseTo(r, 5));
    // Eq. 5's per-case prior: λ/rows · Σ(‖p_u‖² + ‖q_i‖² + b_u² + b_i²).
    const { penalty } = model.predictRows(users, items);
    let prior = 0;
    users.forEach((u, k) => {
      const i = items[k];
      prior += P[2 * u] ** 2 + P[2 * u + 1] ** 2 + Q[2 * i] ** 2 + Q[2 * i + 1] ** 2 + [0.1, -0.2, 0.3][u] ** 2 + [0.5, 0, -0.5, 1][i] ** 2;
    });
    expect(penalty!.readSync()[0]).toBeCloseTo((0.1 * prior) / 3, 5);
  });

  it('a bad config is refused in one line naming the field', () => {
    expect(() => parseModelConfig({ model: 'svd', learningRate: -0.01 })).toThrow(/^config: learningRate: Too small: expected number to be >0$/);
    expect(() => parseModelConfig({ model: 'svd', dim: 0 })).toThrow(/^config: dim: Too small: expected number to be >=1$/);
    expect(() => parseModelConfig({ model: 'svd', validation: 'auc' })).toThrow(/^config: validation: expected one of rmse, ranking$/);
    expect(parseModelConfig({ model: 'svd' })).toMatchObject({ dim: 50, optimizer: 'adagrad', learningRate: 0.001, l2: 0.01 });
  });

  it('refuses data without ratings, saying so', async () => {
    const train = createInteractions({ users: Int32Array.of(0, 1), items: Int32Array.of(0, 1), numUsers: 2, numItems: 2 });
    await expect(trainModel(parseModelConfig({ model: 'svd', epochs: 1 }), { train })).rejects.toThrow('svd needs explicit ratings, which the data lacks');
  });
});

/** ml-100k with one random rating per user held out (seed 1): 99,057 train, 943 test rows. */
let split: Promise<{ train: Interactions; test: Interactions }> | undefined;
const ml100k = () => (split ??= readDataset('ml-100k').then(({ interactions }) => leaveLastOut(interactions, { seed: 1, mode: 'random' })));

let fitted: Promise<TrainedModel> | undefined;
/**
 * SVD with the default λ = 0.01 and d = 50, Adagrad at rate 0.05 for 3 epochs (about 4 s):
 * the paper's rate 0.001 is too slow for a short test (20 epochs of it reach RMSE 1.119,
 * Recall@10 0.067 here). Measured at rate 0.05: held-out RMSE 0.977 after 3 epochs (the
 * best epoch; it overfits after it at λ = 0.01: 1.057 after 20).
 */
const svd = () => (fitted ??= ml100k().then(({ train }) => trainModel(parseModelConfig({ model: 'svd', epochs: 3, learningRate: 0.05, seed: 1 }), { train })));

/** Recall@10 over all items the user has not rated in training. */
async function recallAt10(train: Interactions, test: Interactions, scoreUsers: (users: Int32Array) => Float32Array | Promise<Float32Array>): Promise<number> {
  const result = await evaluateFullRanking({
    numItems: train.numItems, testItems: UserItemCSR.fromInteractions(test), trainMask: UserItemCSR.fromInteractions(train), ks: [10], metrics: ['Recall'], scoreUsers,
  });
  return result.metrics['Recall@10'];
}

describe('SVD on ml-100k (one random held-out rating per user)', () => {
  /**
   * Measured (seed 1): the global mean 3.530 has RMSE 1.142 on the 943 held-out ratings,
   * SVD 0.977 (−0.165), so the bound leaves 0.045. Recall@10: SVD 0.056, a seeded random
   * scorer 0.008, most-popular 0.136 — a rating model ranks by predicted stars, which
   * favours well-rated niche items over what users pick (RnR's motivation), so the bound
   * is against the random scorer: ≥ 4× it.
   */
  it('rates the held-out ratings better than the global mean and ranks better than a random scorer', { timeout: 60_000 }, async (ctx) => {
    requireDataset(ctx, 'ml-100k');
    const { train, test } = await ml100k();
    const trained = await svd();
    const mu = meanRating(train.ratings!);
    const globalMean = rmse(new Float32Array(test.length).fill(mu), test.ratings!);
    const model = trained.model as BiasedMF;
    expect(model.globalMean.readSync()[0]).toBeCloseTo(mu, 5);
    const error = rmse(await model.predictRatings(test.users, test.items), test.ratings!);
    const losses = trained.history!.epochs.map((e) => e.loss);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    expect(error).toBeLessThan(globalMean - 0.12);
    const random = await recallAt10(train, test, (users) => {
      const rng = new Philox({ seed: 5, stream: users[0] });
      return Float32Array.from({ length: users.length * train.numItems }, () => rng.uniform());
    });
    const recall = await recallAt10(train, test, (users) => model.scoreUsers(users));
    expect(recall).toBeGreaterThan(4 * random);
  });

  it('a saved model loads back rating and ranking exactly as before', { timeout: 60_000 }, async (ctx) => {
    requireDataset(ctx, 'ml-100k');
    const { test } = await ml100k();
    const trained = await svd();
    const ids = { users: Array.from({ length: trained.numUsers }, (_, u) => `u${u}`), items: Array.from({ length: trained.numItems }, (_, i) => i) };
    const { trained: loaded } = decodeSavedModel(await encodeSavedModel(trained, { ids }), 'memory');
    expect(loaded.model).toBeInstanceOf(BiasedMF);
    expect(await loaded.model.predictRatings!(test.users, test.items)).toEqual(await trained.model.predictRatings!(test.users, test.items));
    const users = Int32Array.of(0, 17, 942);
    expect(await loaded.model.scoreUsers!(users)).toEqual(await trained.model.scoreUsers!(users));
  });
});
