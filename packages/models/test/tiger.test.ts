/**
 * TIGER (Rajput et al., "Recommender Systems with Generative Retrieval", NeurIPS 2023):
 * the collision level and the trie of Semantic IDs, k-means, the scores as a distribution
 * over the catalogue, exhaustive and free beam search on a toy model; then on ml-100k
 * (genres as content, leave-last-out twice): unique Semantic IDs that keep the content's
 * distinctions, a falling RQ-VAE loss, constrained decoding that only ever names items,
 * pair scores equal to the beam's, sampled HR@10 against `most-popular`, determinism from
 * the seed, and a save/load round trip.
 */
import { Philox } from '@rec/core';
import { createInteractions, type Interactions, ItemCategories, leaveLastOut, selectInteractions, UserItemCSR } from '@rec/data';
import { readDataset } from '@rec/data/node';
import { requireDataset } from '@rec/data/testing';
import { evaluateSampledRanking } from '@rec/eval';
import { describe, expect, it } from 'vitest';
import '../src/tiger/index.js';
import { appendCollisionLevel, categoryContent, cooccurrenceContent, kMeans, SemanticIdTrie, TigerModel } from '../src/tiger/index.js';
import { decodeSavedModel, encodeSavedModel, parseModelConfig, type TrainedModel, trainModel, type TrainingData, trainingDataOf } from '../src/index.js';

/** All users 0 … n − 1. */
const range = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);

describe('Semantic IDs: the collision level and the trie (TIGER §3.1, §3.2)', () => {
  it('appends 0, 1, … within each group of equal codes, most popular first, making every tuple unique', () => {
    // Items 0, 1 and 3 share (2, 5); item 2 is alone.
    const codes = Int32Array.of(2, 5, 2, 5, 0, 1, 2, 5);
    const { ids, collisionSize } = appendCollisionLevel(codes, 2, Float64Array.of(3, 9, 1, 3));
    expect(Array.from(ids)).toEqual([2, 5, 1, 2, 5, 0, 0, 1, 0, 2, 5, 2]);
    expect(collisionSize).toBe(3);
    const trie = SemanticIdTrie.fromIds(ids, 3);
    for (let i = 0; i < 4; i++) expect(trie.itemOf(ids.subarray(i * 3, i * 3 + 3))).toBe(i);
    expect(trie.itemOf(Int32Array.of(2, 5, 3))).toBe(-1);
    expect(Array.from(trie.tokens(trie.root))).toEqual([0, 2]);
    expect(Array.from(trie.tokens(trie.child(trie.root, 2)))).toEqual([5]);
    expect(trie.child(trie.root, 1)).toBe(-1);
    expect(() => SemanticIdTrie.fromIds(Int32Array.of(1, 2, 1, 2), 2)).toThrow(/^SemanticIdTrie: items 0 and 1 share the Semantic ID \(1, 2\); append the collision level first$/);
  });

  it('k-means finds well-separated clusters, the same ones from the same seed', () => {
    const rng = new Philox({ seed: 3 });
    const centres = [[0, 0], [10, 0], [0, 10]];
    const points = new Float32Array(300 * 2);
    for (let p = 0; p < 300; p++) for (let j = 0; j < 2; j++) points[p * 2 + j] = centres[p % 3]![j]! + rng.normal(0, 0.3);
    const found = kMeans(points, 300, 2, 3, new Philox({ seed: 1 }), 25);
    const rounded = [0, 1, 2].map((k) => [Math.round(found[k * 2]!), Math.round(found[k * 2 + 1]!)].join(',')).sort();
    expect(rounded).toEqual(['0,0', '0,10', '10,0']);
    for (let j = 0; j < 6; j++) expect(Math.abs(found[j]! - Math.round(found[j]!))).toBeLessThan(0.15);
    expect(kMeans(points, 300, 2, 3, new Philox({ seed: 1 }), 25)).toEqual(found);
  });

  it('content: the category multi-hot, and a co-occurrence projection that puts items of one audience together', () => {
    expect(Array.from(categoryContent(ItemCategories.fromLists([[0, 2], [1]], ['a', 'b', 'c']), 2).values)).toEqual([1, 0, 1, 0, 1, 0]);
    // Items 0 and 1 share users 0–9; item 2 has users 10–19.
    const rows: [number, number][] = [];
    for (let u = 0; u < 10; u++) rows.push([u, 0], [u, 1]);
    for (let u = 10; u < 20; u++) rows.push([u, 2]);
    const train = { numUsers: 20, numItems: 3, length: rows.length, users: Int32Array.from(rows, (r) => r[0]), items: Int32Array.from(rows, (r) => r[1]) } as Interactions;
    const { values } = cooccurrenceContent(train, 32, 1);
    const cosine = (a: number, b: number): number => values.subarray(a * 32, a * 32 + 32).reduce((s, v, j) => s + v * values[b * 32 + j]!, 0);
    expect(cosine(0, 1)).toBeCloseTo(1, 5);
    expect(Math.abs(cosine(0, 2))).toBeLessThan(0.6);
  });
});

/** An untrained toy TIGER: 30 items, Semantic IDs (3 codes of 4, then the collision token). */
function toyModel(): TigerModel {
  const rng = new Philox({ seed: 5 });
  const codes = Int32Array.from({ length: 30 * 3 }, () => rng.int(4));
  const { ids } = appendCollisionLevel(codes, 3, new Float64Array(30));
  const model = new TigerModel({
    numUsers: 5, numItems: 30, codebookSize: 4, semanticIds: ids, levels: 4, beam: 5,
    userBuckets: 7, maxHistory: 3, dim: 16, heads: 2, feedForward: 32, encoderLayers: 1, decoderLayers: 1, dropout: 0, seed: 2,
  });
  model.setHistoryWindows(Int32Array.of(30, 30, 30, 30, 1, 2, 3, 4, 5, 6, 7, 8, 29, 0, 9));
  return model;
}

describe('TIGER\'s scores and decoding on a toy model (§3.2)', () => {
  it('log p(i | u) is a distribution over the catalogue: Σ_i exp(scorePairs(u, i)) = 1 for every user', async () => {
    const model = toyModel();
    for (let u = 0; u < 5; u++) {
      const scores = await model.scorePairs(new Int32Array(30).fill(u), range(30));
      expect(scores.reduce((s, v) => s + Math.exp(v), 0)).toBeCloseTo(1, 5);
    }
  });

  it('a beam as wide as the catalogue finds every item, best first, with exactly its pair score', async () => {
    const model = toyModel();
    const users = range(5);
    const { items, scores, tuples } = await model.beamSearch(users, { beam: 30 });
    for (const u of users) {
      const row = items.subarray(u * 30, (u + 1) * 30);
      expect([...row].sort((a, b) => a - b)).toEqual(Array.from(range(30)));
      const exact = await model.scorePairs(new Int32Array(30).fill(u), row);
      exact.forEach((s, k) => expect(scores[u * 30 + k]).toBeCloseTo(s, 4));
      for (let k = 1; k < 30; k++) expect(scores[u * 30 + k]).toBeLessThanOrEqual(scores[u * 30 + k - 1]!);
      row.forEach((item, k) => expect(Array.from(tuples.subarray((u * 30 + k) * 4, (u * 30 + k + 1) * 4))).toEqual(Array.from(model.semanticIds.subarray(item * 4, item * 4 + 4))));
    }
  });

  it('free decoding emits tuples that name no item; decoding through the trie never does', async () => {
    const model = toyModel();
    const free = await model.beamSearch(range(5), { beam: 10, constrained: false });
    expect(free.items.filter((i) => i === -1).length).toBeGreaterThan(0);
    const constrained = await model.beamSearch(range(5), { beam: 10 });
    expect(constrained.items.every((i) => i >= 0)).toBe(true);
  });

  it('bad input: a user or item out of range, misaligned pairs, a mis-sized history — one line each', async () => {
    const model = toyModel();
    await expect(model.scorePairs(Int32Array.of(5), Int32Array.of(0))).rejects.toThrow(/^tiger\.scorePairs: user 5 is outside 0\.\.4$/);
    await expect(model.scorePairs(Int32Array.of(0), Int32Array.of(30))).rejects.toThrow(/^tiger\.scorePairs: item 30 is outside 0\.\.29$/);
    await expect(model.scorePairs(Int32Array.of(0, 1), Int32Array.of(0))).rejects.toThrow(/^tiger\.scorePairs: 2 users but 1 items$/);
    expect(() => model.setHistoryWindows(new Int32Array(3))).toThrow(/^tiger: the history windows hold 3 items, not 5 users × 3$/);
    const log = createInteractions({ users: Int32Array.of(0, 0, 1, 1), items: Int32Array.of(0, 1, 1, 2), numUsers: 2, numItems: 3 });
    await expect(trainModel(parseModelConfig({ model: 'tiger' }), { train: log })).rejects.toThrow(/^tiger needs timestamps \(per-user sequences\), which the data lacks$/);
    const timed = createInteractions({ ...log, timestamps: Float64Array.of(1, 2, 3, 4) });
    await expect(trainModel(parseModelConfig({ model: 'tiger', heads: 3 }), { train: timed })).rejects.toThrow(/^config: heads: must divide dim \(64\), got 3$/);
    await expect(trainModel(parseModelConfig({ model: 'tiger', content: 'categories' }), { train: timed })).rejects.toThrow(/^tiger: content 'categories' needs item categories, which the data lacks; use content 'cooccurrence' or 'auto'$/);
  });
});

/**
 * ml-100k with leave-last-out applied twice (test, then validation; the latest row of each
 * user, ties by seed 1), genres as the items' content.
 */
interface Split {
  readonly data: TrainingData;
  /** Train plus validation rows: what the test negatives avoid, with the test rows. */
  readonly seen: Interactions;
  readonly test: Interactions;
}
let split: Promise<Split> | undefined;
const ml100k = (): Promise<Split> =>
  (split ??= readDataset('ml-100k').then((dataset) => {
    const outer = leaveLastOut(dataset.interactions, { seed: 1 });
    const inner = leaveLastOut(outer.train, { seed: 1 });
    return { data: trainingDataOf(dataset, inner.train, inner.test), seen: outer.train, test: outer.test };
  }));

/**
 * A short run on the `js` backend (about 15 s of training): the transformer at d = 16 with
 * one encoder and one decoder layer over the last 5 items, no dropout, 6 training targets
 * per user and epoch for 2 epochs at Adam 0.01; the RQ-VAE with one hidden layer of 64,
 * latent 16, codebooks of 16, 30 epochs at Adagrad 0.05. Validation (sampled HR@10) on 50
 * users keeps its per-epoch cost low.
 */
const SETTINGS = {
  dim: 16, feedForward: 32, encoderLayers: 1, decoderLayers: 1, maxHistory: 5, dropout: 0, epochs: 2, targetsPerUser: 6, batchSize: 64, learningRate: 0.01,
  rqvaeHidden: [64], latentDim: 16, codebookSize: 16, rqvaeEpochs: 30, rqvaeLearningRate: 0.05, validationUsers: 50, seed: 1,
} as const;

let fitted: Promise<TrainedModel> | undefined;
const trained = (): Promise<TrainedModel> => (fitted ??= ml100k().then(({ data }) => trainModel(parseModelConfig({ model: 'tiger', ...SETTINGS }), data)));

describe('TIGER on ml-100k (genres as content, leave-last-out)', () => {
  it('every item\'s Semantic ID is unique after the collision level, and items with other genres keep other codes', { timeout: 120_000 }, async (ctx) => {
    requireDataset(ctx, 'ml-100k');
    const fit = await trained();
    const model = fit.model as TigerModel;
    const ids = model.semanticIds;
    const tuples = new Set(Array.from(range(model.numItems), (i) => ids.subarray(i * 4, i * 4 + 4).join(',')));
    expect(tuples.size).toBe(model.numItems);
    // The first three codes are the RQ-VAE's: a function of the content (equal genres, equal codes) …
    const { data } = await ml100k();
    const genres = Array.from(range(model.numItems), (i) => Array.from(data.itemCategories!.of(i)).join(','));
    const codesOf = new Map<string, string>();
    const prefixes = new Set<string>();
    genres.forEach((g, i) => {
      const prefix = ids.subarray(i * 4, i * 4 + 3).join(',');
      expect(codesOf.get(g) ?? prefix).toBe(prefix);
      codesOf.set(g, prefix);
      prefixes.add(prefix);
    });
    // … which keeps most of the 216 distinct genre sets apart (no codebook collapse).
    console.info(`tiger ml-100k: ${codesOf.size} genre sets → ${prefixes.size} distinct RQ-VAE code triples; collision level of ${model.collisionSize}`);
    expect(prefixes.size).toBeGreaterThanOrEqual(0.75 * codesOf.size);
  });

  it('the RQ-VAE loss falls during training', { timeout: 120_000 }, async (ctx) => {
    requireDataset(ctx, 'ml-100k');
    const fit = await trained();
    const losses = fit.phases![0]!.epochs.map((e) => e.loss);
    console.info(`tiger ml-100k: RQ-VAE loss ${losses[0]!.toFixed(3)} → ${losses[losses.length - 1]!.toFixed(3)} over ${losses.length} epochs`);
    expect(losses[losses.length - 1]).toBeLessThan(0.7 * losses[0]!);
  });

  it('decoding through the trie only ever names items, for every user of a 100-user slice', { timeout: 120_000 }, async (ctx) => {
    requireDataset(ctx, 'ml-100k');
    const model = (await trained()).model as TigerModel;
    const users = range(100);
    const { items, tuples, beam } = await model.beamSearch(users);
    for (let slot = 0; slot < items.length; slot++) {
      const item = items[slot]!;
      expect(item).toBeGreaterThanOrEqual(0);
      // The tuple decoded is the item's Semantic ID, read from the table (not the trie).
      expect(Array.from(tuples.subarray(slot * 4, slot * 4 + 4))).toEqual(Array.from(model.semanticIds.subarray(item * 4, item * 4 + 4)));
    }
    for (const u of users) expect(new Set(items.subarray(u * beam, (u + 1) * beam)).size).toBe(beam);
  });

  it('scorePairs gives each item of the beam the beam\'s own score', { timeout: 120_000 }, async (ctx) => {
    requireDataset(ctx, 'ml-100k');
    const model = (await trained()).model as TigerModel;
    const users = range(20);
    const scores = await model.scoreUsers(users);
    const pairUsers: number[] = [];
    const pairItems: number[] = [];
    const beamScores: number[] = [];
    users.forEach((u, b) => {
      for (let i = 0; i < model.numItems; i++) {
        const s = scores[b * model.numItems + i]!;
        if (s > -Infinity) (pairUsers.push(u), pairItems.push(i), beamScores.push(s));
      }
    });
    expect(pairItems.length).toBe(20 * model.beam);
    const exact = await model.scorePairs(Int32Array.from(pairUsers), Int32Array.from(pairItems));
    exact.forEach((s, k) => expect(Math.abs(s - beamScores[k]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(s))));
  });

  it('sampled HR@10 (99 uniform negatives): far above chance after a short training; most-popular stated beside it', { timeout: 120_000 }, async (ctx) => {
    requireDataset(ctx, 'ml-100k');
    const { data, seen, test } = await ml100k();
    const fit = await trained();
    const model = fit.model as TigerModel;
    expect(fit.history!.metric).toBe('HR@10 (99 sampled negatives)');
    for (const epoch of fit.history!.epochs) expect(epoch.validation).toBeGreaterThan(0);
    const popular = await trainModel(parseModelConfig({ model: 'most-popular' }), data);
    const users = Int32Array.from(new Philox({ seed: 11 }).shuffle(Array.from(range(test.numUsers))).slice(0, 200)).sort();
    const protocol = {
      numItems: test.numItems, testItems: UserItemCSR.fromInteractions(test), trainItems: UserItemCSR.fromInteractions(seen), users, ks: [10], metrics: ['HR' as const],
      candidates: { kind: 'sampled' as const, numNegatives: 99, seed: 1 },
    };
    const tiger = await evaluateSampledRanking({ ...protocol, scorePairs: (u, i) => model.scorePairs(u, i) });
    const floor = await evaluateSampledRanking({ ...protocol, scoreUsers: (u) => popular.model.scoreUsers!(u) });
    console.info(`tiger ml-100k, ${tiger.numUsers} users: sampled HR@10 ${tiger.metrics['HR@10']!.toFixed(3)}, most-popular ${floor.metrics['HR@10']!.toFixed(3)}, chance 0.100`);
    // Chance is 10 in 100. This short run (11k training examples) does not beat most-popular:
    // it measured 0.375 against 0.405 here. Longer runs do: d = 32, one layer each, the last
    // 10 items, dropout 0.1, Adam 0.003, 8 epochs of 10 targets per user (75k examples) gave
    // 0.48–0.49 against most-popular's 0.43 on users 0–299 (`native` and `js` backends,
    // 3–26 minutes). Here it must be well clear of chance, and not far below popularity.
    expect(tiger.metrics['HR@10']).toBeGreaterThan(0.3);
    expect(tiger.metrics['HR@10']).toBeGreaterThan(floor.metrics['HR@10']! - 0.1);
  });

  it('the same seed gives the same Semantic IDs and the same scores', { timeout: 120_000 }, async (ctx) => {
    requireDataset(ctx, 'ml-100k');
    const { data } = await ml100k();
    // 60 users' rows, one epoch of each stage.
    const keep = Int32Array.from(range(data.train.length).filter((r) => data.train.users[r]! < 60));
    const slice = { ...data, train: selectInteractions(data.train, keep) };
    const config = parseModelConfig({ model: 'tiger', ...SETTINGS, epochs: 1, rqvaeEpochs: 3 });
    const [a, b] = [await trainModel(config, slice, { validation: () => undefined }), await trainModel(config, slice, { validation: () => undefined })];
    const [ma, mb] = [a.model as TigerModel, b.model as TigerModel];
    expect(mb.semanticIds).toEqual(ma.semanticIds);
    const users = Int32Array.from({ length: 40 }, (_, k) => k % 20);
    const items = Int32Array.from({ length: 40 }, (_, k) => (k * 37) % ma.numItems);
    expect(await mb.scorePairs(users, items)).toEqual(await ma.scorePairs(users, items));
    expect(await mb.scoreUsers(range(5))).toEqual(await ma.scoreUsers(range(5)));
  });

  it('a saved model, with its Semantic IDs and histories, loads back scoring exactly as before', { timeout: 120_000 }, async (ctx) => {
    requireDataset(ctx, 'ml-100k');
    const fit = await trained();
    const ids = { users: Array.from({ length: fit.numUsers }, (_, u) => `u${u}`), items: Array.from({ length: fit.numItems }, (_, i) => i) };
    const { trained: loaded } = decodeSavedModel(await encodeSavedModel(fit, { ids }), 'memory');
    const [before, after] = [fit.model as TigerModel, loaded.model as TigerModel];
    expect(after).toBeInstanceOf(TigerModel);
    expect(after.semanticIds).toEqual(before.semanticIds);
    expect(after.histories).toEqual(before.histories);
    const users = range(10);
    expect(await after.scoreUsers(users)).toEqual(await before.scoreUsers(users));
    const pairs = Int32Array.from({ length: 50 }, (_, k) => (k * 31) % fit.numItems);
    expect(await after.scorePairs(new Int32Array(50).fill(3), pairs)).toEqual(await before.scorePairs(new Int32Array(50).fill(3), pairs));
  });
});
