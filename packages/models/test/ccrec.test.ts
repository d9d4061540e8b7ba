/**
 * CCRec (Wang, Akash et al., "On Recommending Category: A Cascading Approach"): the
 * precision loss of §5.3 on a toy case, the protocol's cutoff and 5-day grouping on
 * ml-100k, and the MLE and cascade trained briefly on ml-100k's genres against the
 * floors, saved and loaded unchanged.
 */
import { tensor } from '@rec/core';
import { readDataset } from '@rec/data/node';
import { requireDataset } from '@rec/data/testing';
import { evaluateCategoryRanking, pairedTTest } from '@rec/eval';
import { describe, expect, it } from 'vitest';
import { CCRecModel } from '../src/ccrec/ccrec.js';
import { precisionLoss } from '../src/ccrec/index.js';
import { categoryRows, decodeSavedModel, encodeSavedModel, parseModelConfig, type TrainedModel, trainModel } from '../src/index.js';
import { ccrecSplit, type CcrecSplit } from '../src/reproductions/ccrec-protocol.js';

describe('CCRec precision loss (§5.3)', () => {
  const loss = async (pred: number[], label: number[], mle: number[]): Promise<number> =>
    (await precisionLoss(tensor(Float32Array.from(pred)), tensor(Float32Array.from(label)), tensor(Float32Array.from(mle))).read())[0]!;

  it('is zero for a true positive scored 1, whatever the MLE said', async () => {
    expect(await loss([1], [1], [0.9])).toBe(0);
    expect(await loss([1], [1], [0.1])).toBe(0);
  });

  it('punishes a false positive more the likelier the MLE found it, beyond the squared error', async () => {
    const mse = 0.6 ** 2;
    const low = await loss([0.6], [0], [0.1]);
    const high = await loss([0.6], [0], [0.9]);
    expect(low).toBeCloseTo(mse + 0.1 ** 2 * 0.36, 6);
    expect(high).toBeCloseTo(mse + 0.9 ** 2 * 0.36, 6);
    expect(high).toBeGreaterThan(low);
    // A false negative is only the squared error: the precision term is one-sided.
    expect(await loss([0.2], [1], [0.9])).toBeCloseTo(0.8 ** 2, 6);
  });
});

/** ml-100k's CCRec split (cutoff at two-thirds of the log's span), read once. */
let loaded: Promise<{ log: Awaited<ReturnType<typeof readDataset>>; split: CcrecSplit; cutoff: number }> | undefined;
function ml100k(): NonNullable<typeof loaded> {
  loaded ??= (async () => {
    const log = await readDataset('ml-100k');
    const ts = log.interactions.timestamps!;
    let lo = Infinity;
    let hi = -Infinity;
    for (const t of ts) (lo = Math.min(lo, t), hi = Math.max(hi, t));
    const cutoff = lo + ((hi - lo) * 2) / 3;
    return { log, cutoff, split: ccrecSplit(log.interactions, { cutoff, itemCategories: log.itemCategories!, seed: 1 }) };
  })();
  return loaded;
}

describe('CCRec on ml-100k (genres as categories)', () => {
  it('the cutoff and 5-day grouping leave no future interaction in the past, and events span under 5 days', async (ctx) => {
    requireDataset(ctx, 'ml-100k');
    const { split, cutoff } = await ml100k();
    const { past, future, pastEvents, futureEvents } = split.split;
    for (const t of past.timestamps!) expect(t).toBeLessThan(cutoff);
    for (const t of future.timestamps!) expect(t).toBeGreaterThanOrEqual(cutoff);
    for (const side of [pastEvents, futureEvents]) {
      side.events.timestamps!.forEach((start, e) => expect(side.ends[e]! - start).toBeLessThan(5 * 86_400));
    }
    // Every user keeps at most k = 10 past events and 3 future ones.
    const most = (users: Int32Array): number => Math.max(...users.reduce((m, u) => m.set(u, (m.get(u) ?? 0) + 1), new Map<number, number>()).values());
    expect(most(pastEvents.events.users)).toBeLessThanOrEqual(10);
    expect(most(futureEvents.events.users)).toBeLessThanOrEqual(3);
  });

  it('a fold learns from no test or validation user, and cold users keep at most 2 past events', async (ctx) => {
    requireDataset(ctx, 'ml-100k');
    const { split } = await ml100k();
    const fold = split.fold(0);
    const learners = new Set(fold.task.future.users);
    for (const u of [...fold.warm, ...fold.cold, ...fold.validate]) expect(learners.has(u)).toBe(false);
    const coldSet = new Set(fold.cold);
    const pastOfCold = new Map<number, number>();
    fold.task.past.users.forEach((u) => coldSet.has(u) && pastOfCold.set(u, (pastOfCold.get(u) ?? 0) + 1));
    expect(Math.max(...pastOfCold.values())).toBeLessThanOrEqual(2);
    expect(new Set(fold.task.validFuture!.users).size).toBe(fold.validate.length);
  });

  it('the cascade beats the MLE and the most frequent past category on cold users (HR@1, three folds pooled); a saved model scores the same', { timeout: 240_000 }, async (ctx) => {
    requireDataset(ctx, 'ml-100k');
    const { log, split } = await ml100k();
    const future = categoryRows(split.future);
    const perUser: Record<string, number[]> = {};
    const hr = async (name: string, trained: TrainedModel, users: Int32Array): Promise<void> => {
      const r = await evaluateCategoryRanking({ numCategories: 19, futureCategories: future, users, ks: [1], metrics: ['HR'], perUser: true, scoreUsers: (u) => trained.model.scoreCategories!(u) });
      (perUser[name] ??= []).push(...r.perUser!.metrics['HR@1']!);
    };
    let first: TrainedModel | undefined;
    for (let f = 0; f < 3; f++) {
      const fold = split.fold(f);
      const data = { train: fold.train, categoryTask: fold.task, userFeatures: log.userFeatures };
      const settings = { dim: 16, learningRate: 0.005, epochs: 12, patience: 12, seed: 1 };
      for (const model of ['ccrec-mle', 'ccrec-mle-cascade']) {
        const trained = await trainModel(parseModelConfig({ model, ...settings }), data);
        await hr(model, trained, fold.cold);
        if (f === 0 && model === 'ccrec-mle-cascade') first = trained;
      }
      for (const model of ['category-frequent', 'category-popular']) await hr(model, await trainModel(parseModelConfig({ model }), data), fold.cold);
    }
    const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
    const cascade = perUser['ccrec-mle-cascade']!;
    console.log(Object.entries(perUser).map(([k, v]) => `${k} cold HR@1 ${mean(v).toFixed(3)} (n ${v.length})`).join('; '));
    // Measured (seed 1, d = 16, js; 2026-12-06): cascade 0.615, MLE 0.282, most frequent
    // 0.231, most popular 0.590 over 39 cold users. Stated margins: +0.15 over the MLE and over the
    // user's most frequent past category, paired-significant over the MLE. The cascade
    // does not beat the most popular category here (docs/reproductions/ccrec.md).
    expect(mean(cascade) - mean(perUser['ccrec-mle']!)).toBeGreaterThan(0.15);
    expect(mean(cascade) - mean(perUser['category-frequent']!)).toBeGreaterThan(0.15);
    expect(pairedTTest(cascade, perUser['ccrec-mle']!).p).toBeLessThan(0.05);

    const trained = first!;
    const ids = { users: Array.from({ length: trained.numUsers }, (_, u) => `u${u}`), items: Array.from({ length: trained.numItems }, (_, i) => i) };
    const { trained: back } = decodeSavedModel(await encodeSavedModel(trained, { ids }), 'memory');
    const users = Int32Array.of(0, 17, 942);
    expect(await back.model.scoreCategories!(users)).toEqual(await trained.model.scoreCategories!(users));

    // The scores read as the paper's stages: each candidate's is M2's own, every candidate
    // ranks above every other category, and the others follow M1 (score − lowest + 2 = p).
    const model = trained.model as CCRecModel;
    const scores = await model.scoreCategories(users);
    const probabilities = await model.mleProbabilities();
    const candidates = await model.candidatesOf(users);
    for (const [b, u] of users.entries()) {
      const row = scores.subarray(b * 19, (b + 1) * 19);
      const list = candidates[b]!;
      const m2 = await model.cascadeScores(Array.from(list, () => u), list).read();
      expect(Array.from(list, (c) => row[c])).toEqual(Array.from(m2));
      const lowest = Math.min(...m2);
      const others = Array.from({ length: 19 }, (_, c) => c).filter((c) => !list.includes(c));
      for (const c of others) {
        expect(row[c]!).toBeLessThan(lowest);
        expect(Math.abs(row[c]! - lowest + 2 - probabilities[u * 19 + c]!)).toBeLessThan(1e-6);
      }
    }
  });

  it('same seed, same model: two fits of CCRec (VAE included) score identically; a bad config or a missing task is one line', { timeout: 120_000 }, async (ctx) => {
    requireDataset(ctx, 'ml-100k');
    const { log, split } = await ml100k();
    const fold = split.fold(1);
    const data = { train: fold.train, categoryTask: fold.task, userFeatures: log.userFeatures };
    const config = { model: 'ccrec', dim: 8, vaeDim: 8, vaeHidden: 16, vaeEpochs: 1, epochs: 2, learningRate: 0.005, seed: 4 };
    const [a, b] = [await trainModel(parseModelConfig(config), data), await trainModel(parseModelConfig(config), data)];
    const users = Int32Array.from([...fold.warm, ...fold.cold]);
    expect(await a.model.scoreCategories!(users)).toEqual(await b.model.scoreCategories!(users));
    await expect(trainModel(parseModelConfig({ ...config, heads: 3 }), data)).rejects.toThrow('config: heads (3) must divide dim (8)');
    await expect(trainModel(parseModelConfig(config), { train: fold.train })).rejects.toThrow('ccrec needs past and future category events');
    expect(() => parseModelConfig({ ...config, candidates: 0 })).toThrow(/candidates/);
  });
});
