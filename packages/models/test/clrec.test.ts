/**
 * CLRec (Zhou et al., KDD 2021) on SASRec's encoder, and SASRec's sampled-softmax variant
 * (core's `sampledSoftmaxRows`, tested in core against its composite): CLRec's FIFO
 * queue (the last Q positives, rebuilt from (epoch, batch) alone), its loss and the
 * sampled-softmax objective's loss against plain loops, and on ml-100k under leave-last-out:
 * `clrec` above most-popular, its recommendations less popularity-concentrated than
 * SASRec-BCE's, the same scores from the same seed, and a saved model scoring as before.
 */
import { Philox } from '@rec/core';
import { createInteractions, type Interactions, ItemCategories, leaveLastOut, UserItemCSR } from '@rec/data';
import { readDataset } from '@rec/data/node';
import { requireDataset } from '@rec/data/testing';
import { evaluateFullRanking, evaluateSampledRanking, topKIndices } from '@rec/eval';
import { describe, expect, it } from 'vitest';
import { CLRecObjective, SampledSoftmaxObjective } from '../src/clrec/index.js';
import { type CategoryTask, categoryLog, decodeSavedModel, encodeSavedModel, parseModelConfig, type TrainedModel, Trainer, trainingDataOf, trainModel } from '../src/index.js';
import { type EventSequences, SASRec } from '../src/sasrec/index.js';

/** −log softmax(logits)[0] in f64. */
function crossEntropyOfFirst(logits: number[]): number {
  const max = Math.max(...logits);
  return Math.log(logits.reduce((s, o) => s + Math.exp(o - max), 0)) + max - logits[0];
}

/** Seven sequences of 1–6 ids over 10 ids (user 3 has one id: no window), seeded. */
const toySequences: EventSequences = (() => {
  const rng = new Philox({ seed: 11 });
  const lengths = [5, 3, 6, 1, 4, 6, 2];
  const indptr = new Int32Array(lengths.length + 1);
  lengths.forEach((n, u) => (indptr[u + 1] = indptr[u] + n));
  return { indptr, items: Int32Array.from({ length: indptr[lengths.length] }, () => rng.int(10)) };
})();
const toyEncoder = () => new SASRec({ vocabularySize: 10, maxLength: 4, dim: 4, blocks: 1, dropout: 0, seed: 2 });
const sorted = (ids: ArrayLike<number>) => Array.from(ids).sort((a, b) => a - b);

describe('CLRec\'s queue (Zhou et al. 2021, §3.3–3.4)', () => {
  it('is FIFO over batches and epochs: each batch\'s queue is the last Q of the previous queue and what that batch enqueued', () => {
    const Q = 11; // more than one batch's positives (≤ 2 windows × 4), so the queue spans several batches
    const objective = new CLRecObjective(toyEncoder(), toySequences, { queueSize: Q, batchSize: 2, seed: 3 });
    expect(objective.batches()).toBe(3);
    const walk: [number, number][] = [];
    for (let e = -1; e <= 2; e++) for (let b = 0; b < objective.batches(); b++) walk.push([e, b]);
    let shuffled = 0;
    for (let k = 0; k + 1 < walk.length; k++) {
      const batch = objective.prepare(...walk[k]);
      const next = objective.prepare(...walk[k + 1]);
      expect(batch.queue.length).toBe(Q);
      // What a batch enqueues is its own positives, in a seeded order.
      expect(sorted(batch.enqueued)).toEqual(sorted(batch.targets));
      if (Array.from(batch.enqueued).join() !== Array.from(batch.targets).join()) shuffled++;
      expect(Array.from(next.queue)).toEqual([...batch.queue, ...batch.enqueued].slice(-Q));
    }
    expect(shuffled).toBeGreaterThan(0);
  });

  it('holds the last Q positives of the batches before, whatever the order batches are prepared in (a resumed run sees the same queue)', () => {
    const Q = 6;
    const options = { queueSize: Q, batchSize: 2, seed: 5 };
    const inOrder = new CLRecObjective(toyEncoder(), toySequences, options);
    const stream: number[] = [];
    let last: ReturnType<CLRecObjective['prepare']> | undefined;
    for (let e = -1; e <= 1; e++) {
      for (let b = 0; b < inOrder.batches(); b++) {
        last = inOrder.prepare(e, b);
        if (e >= 0) expect(Array.from(last.queue)).toEqual(stream.slice(-Q));
        stream.push(...last.enqueued);
      }
    }
    const resumed = new CLRecObjective(toyEncoder(), toySequences, options);
    expect(resumed.prepare(1, 2)).toEqual(last);
    expect(resumed.prepare(0, 0).queue).toEqual(inOrder.prepare(0, 0).queue);
  });

  it('refuses a bad queue size or temperature in one line', () => {
    expect(() => new CLRecObjective(toyEncoder(), toySequences, { queueSize: 0 })).toThrow(/^CLRecObjective: queueSize must be a positive integer, got 0$/);
    expect(() => new CLRecObjective(toyEncoder(), toySequences, { temperature: 0 })).toThrow(/^CLRecObjective: temperature must be a positive number, got 0$/);
    expect(() => new CLRecObjective(toyEncoder(), { indptr: Int32Array.of(0, 1), items: Int32Array.of(3) })).toThrow(/^CLRecObjective: no sequence has two ids/);
    expect(() => new CLRecObjective(toyEncoder(), { indptr: Int32Array.of(0, 2), items: Int32Array.of(3, 10) })).toThrow(/^CLRecObjective: event 1 of the sequences holds id 10, outside 0\.\.9$/);
  });
});

/** Hidden states F (f32 `[B·T, d]`) and the id table M of `encoder` for `windows`, read back. */
function statesOf(encoder: SASRec, windows: Int32Array, batch: number): { F: Float32Array; M: Float32Array } {
  return { F: encoder.encode(windows, batch).readSync() as Float32Array, M: encoder.embeddings.readSync() as Float32Array };
}

const dot = (a: Float32Array, i: number, b: Float32Array, j: number, d: number): number => {
  let s = 0;
  for (let k = 0; k < d; k++) s += a[i * d + k] * b[j * d + k];
  return s;
};

describe('the losses against plain loops, and through the trainer', () => {
  for (const [temperature, maskDuplicates] of [[1, false], [0.5, false], [0.5, true]] as const) {
    it(`CLRec (τ = ${temperature}, duplicates ${maskDuplicates ? 'masked' : 'kept'}): the mean over scored positions of −log softmax over [positive; queue]`, () => {
      const encoder = toyEncoder();
      const objective = new CLRecObjective(encoder, toySequences, { queueSize: 7, temperature, maskDuplicates, batchSize: 3, seed: 1 });
      const batch = objective.prepare(0, 1);
      const loss = objective.batch(0, 1, batch).loss.readSync()[0];
      const { F, M } = statesOf(encoder, batch.windows, batch.batch);
      let expected = 0;
      let duplicates = 0;
      batch.rows.forEach((row, r) => {
        const target = batch.targets[r];
        const logits = [dot(F, row, M, target, 4) / temperature];
        for (const q of batch.queue) {
          if (q === target) duplicates++;
          if (!(maskDuplicates && q === target)) logits.push(dot(F, row, M, q, 4) / temperature);
        }
        expected += crossEntropyOfFirst(logits);
      });
      expect(duplicates).toBeGreaterThan(0); // the mask is exercised
      expect(loss).toBeCloseTo(expected / batch.rows.length, 5);
    });
  }

  for (const proposal of ['uniform', 'popularity'] as const) {
    it(`the sampled-softmax objective (${proposal} proposal): every position against the batch's N negatives, logits − log Q, hits masked`, () => {
      const encoder = toyEncoder();
      const objective = new SampledSoftmaxObjective(encoder, toySequences, { negatives: 6, proposal, batchSize: 3, seed: 4 });
      const batch = objective.prepare(1, 0);
      expect(objective.prepare(1, 0)).toEqual(batch);
      expect(objective.prepare(1, 1).negatives).not.toEqual(batch.negatives);
      const counts = new Float64Array(10);
      for (const id of toySequences.items) counts[id]++;
      const logQ = (j: number) => (proposal === 'uniform' ? Math.log(1 / 10) : Math.log(counts[j] / toySequences.items.length));
      if (proposal === 'popularity') for (const j of batch.negatives) expect(counts[j]).toBeGreaterThan(0);
      const loss = objective.batch(1, 0, batch).loss.readSync()[0];
      const { F, M } = statesOf(encoder, batch.windows, batch.batch);
      let expected = 0;
      batch.rows.forEach((row, r) => {
        const target = batch.targets[r];
        const logits = [dot(F, row, M, target, 4) - logQ(target)];
        for (const j of batch.negatives) if (j !== target) logits.push(dot(F, row, M, j, 4) - logQ(j));
        expected += crossEntropyOfFirst(logits);
      });
      expect(loss).toBeCloseTo(expected / batch.rows.length, 5);
    });
  }

  it('both objectives train a SASRec through the trainer: the loss falls', async () => {
    for (const make of [
      (encoder: SASRec) => new SampledSoftmaxObjective(encoder, toySequences, { negatives: 8, batchSize: 3, seed: 1 }),
      (encoder: SASRec) => new CLRecObjective(encoder, toySequences, { queueSize: 8, batchSize: 3, seed: 1 }),
    ]) {
      const encoder = toyEncoder();
      const history = await new Trainer(encoder, make(encoder), { epochs: 30, optimizer: 'adam', learningRate: 0.05 }).fit();
      // Measured: 2.30 → 0.35 (sampled softmax), 2.38 → 1.34 (CLRec, whose floor is log(1 + copies of the target in the queue)).
      expect(history.epochs[29].loss).toBeLessThan(0.8 * history.epochs[0].loss);
    }
  });
});

describe('clrec and category-clrec: registration and config', () => {
  it('has SASRec\'s fields with a queue size and a temperature, and refuses bad ones in one line', () => {
    expect(parseModelConfig({ model: 'clrec' })).toMatchObject({ queueSize: 1024, temperature: 1, heads: 1, dropout: 0.5, maxLength: 50, blocks: 2, optimizer: 'adam' });
    expect(parseModelConfig({ model: 'category-clrec' })).toMatchObject({ queueSize: 256, temperature: 1, dropout: 0.2, maxLength: 10 });
    expect(() => parseModelConfig({ model: 'clrec', queueSize: 0 })).toThrow(/^config: queueSize: Too small: expected number to be >=1$/);
    expect(() => parseModelConfig({ model: 'clrec', temperature: 0 })).toThrow(/^config: temperature: Too small: expected number to be >0$/);
  });

  /** Eight users' items in time order (row index as the time), 12 items. */
  const timed = (() => {
    const rng = new Philox({ seed: 21 });
    const users: number[] = [];
    const items: number[] = [];
    for (let u = 0; u < 8; u++) for (let k = 0; k < 6; k++) {
      users.push(u);
      items.push(rng.int(12));
    }
    return createInteractions({ users: Int32Array.from(users), items: Int32Array.from(items), timestamps: Float64Array.from(users, (_, r) => r), numUsers: 8, numItems: 12 });
  })();
  const tiny = { dim: 8, maxLength: 4, blocks: 1, epochs: 2, batchSize: 4, queueSize: 16 };
  const everyone = Int32Array.from({ length: 8 }, (_, u) => u);

  it('the same seed gives the same scores; another seed, others', async () => {
    const scores = async (seed: number) => (await trainModel(parseModelConfig({ model: 'clrec', ...tiny, seed }), { train: timed })).model.scoreUsers!(everyone);
    const first = await scores(3);
    expect(await scores(3)).toEqual(first);
    expect(await scores(4)).not.toEqual(first);
  });

  it('category-clrec learns from a category task and scores categories, and loads back scoring the same', async () => {
    const numCategories = 5;
    const past = categoryLog(timed.users, Array.from(timed.items, (i) => i % numCategories), 8, numCategories, Array.from(timed.users, (_, r) => r));
    const task: CategoryTask = {
      numCategories, itemCategories: ItemCategories.fromLists(Array.from({ length: 12 }, (_, i) => [i % numCategories]), ['a', 'b', 'c', 'd', 'e']), past,
      future: categoryLog([0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 0], 8, numCategories), validFuture: categoryLog([6, 7], [3, 4], 8, numCategories),
    };
    const trained = await trainModel(parseModelConfig({ model: 'category-clrec', ...tiny, queueSize: 8, seed: 1 }), { train: timed, categoryTask: task });
    const scores = await trained.model.scoreCategories!(everyone);
    expect(scores.length).toBe(8 * numCategories);
    const ids = { users: Array.from(everyone, (u) => `u${u}`), items: Array.from({ length: 12 }, (_, i) => i) };
    const { trained: loaded } = decodeSavedModel(await encodeSavedModel(trained, { ids }), 'memory');
    expect(await loaded.model.scoreCategories!(everyone)).toEqual(scores);
  });
});

/**
 * ml-100k under leave-last-out (seed 1): each user's latest rating is the test item, the one
 * before it the validation item, the rest trains; models score from training + validation.
 */
let split: Promise<{ train: Interactions; test: Interactions; history: UserItemCSR; data: ReturnType<typeof trainingDataOf> }> | undefined;
const ml100k = () => (split ??= readDataset('ml-100k').then((dataset) => {
  const { train: rest, test } = leaveLastOut(dataset.interactions, { seed: 1 });
  const { train, test: valid } = leaveLastOut(rest, { seed: 1 });
  // Each user's training + validation items: masked in full ranking, never drawn as negatives.
  return { train: rest, test, history: UserItemCSR.fromInteractions(rest), data: trainingDataOf(dataset, train, valid) };
}));

/**
 * A small SASRec for the pure-JS backend (one block, d = 16, the last 20 items, 32 sequences
 * a batch, Adam at 0.01, 10 epochs with the best validation epoch kept): about 14 s for
 * `clrec` with Q = 128, 8 s for `sasrec`, on this machine.
 */
const small = { dim: 16, maxLength: 20, blocks: 1, batchSize: 32, learningRate: 0.01, dropout: 0.2, epochs: 10, seed: 1 };
const fits = new Map<string, Promise<TrainedModel>>();
const fitted = (model: 'clrec' | 'sasrec') => {
  if (!fits.has(model)) fits.set(model, ml100k().then(({ data }) => trainModel(parseModelConfig({ model, ...small, ...(model === 'clrec' ? { queueSize: 128 } : {}) }), data)));
  return fits.get(model)!;
};

/** Sampled HR@10 (the test item against 99 uniformly drawn items the user never rated) and full-ranking HR@10. */
async function hitRates(model: TrainedModel): Promise<{ sampled: number; full: number }> {
  const { train, test, history } = await ml100k();
  const testItems = UserItemCSR.fromInteractions(test);
  const scoreUsers = (users: Int32Array) => model.model.scoreUsers!(users);
  const sampled = await evaluateSampledRanking({ numItems: train.numItems, testItems, trainItems: history, ks: [10], metrics: ['HR'], candidates: { kind: 'sampled', numNegatives: 99, seed: 7 }, scoreUsers });
  const full = await evaluateFullRanking({ numItems: train.numItems, testItems, trainMask: history, ks: [10], metrics: ['HR'], scoreUsers });
  return { sampled: sampled.metrics['HR@10'], full: full.metrics['HR@10'] };
}

/**
 * How popular each test user's top 10 (unrated items) is: the mean popularity rank of the
 * recommended items (0 = the most rated training item), the share of the 100 most popular
 * items among them, and the Gini coefficient of how often each item is recommended.
 */
async function popularityOfTop10(model: TrainedModel): Promise<{ meanRank: number; headShare: number; gini: number }> {
  const { train, test, history } = await ml100k();
  const I = train.numItems;
  const counts = new Float64Array(I);
  for (const i of train.items) counts[i]++;
  const rankOf = new Float64Array(I);
  Array.from(counts, (c, i) => [c, i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]).forEach(([, i], r) => (rankOf[i] = r));
  const users = Int32Array.from(new Set(test.users));
  const scores = await model.model.scoreUsers!(users);
  const shown = new Float64Array(I);
  let rankSum = 0;
  let head = 0;
  users.forEach((u, r) => {
    for (const i of topKIndices(scores.subarray(r * I, (r + 1) * I), 10, history.rowOf(u))) {
      shown[i]++;
      rankSum += rankOf[i];
      if (rankOf[i] < 100) head++;
    }
  });
  const sortedShown = Array.from(shown).sort((a, b) => a - b);
  const total = 10 * users.length;
  const gini = sortedShown.reduce((g, c, k) => g + (2 * (k + 1) - I - 1) * c, 0) / (I * total);
  return { meanRank: rankSum / total, headShare: head / total, gini };
}

describe('clrec on ml-100k (leave-last-out, item level)', () => {
  /**
   * Measured (seed 1, js backend): sampled HR@10 0.512 against most-popular's 0.409 (1.25×):
   * the bound is 1.15×. Over all items CLRec stays below most-popular (HR@10 0.041 against
   * 0.081): see the accuracy note in `src/clrec/objective.ts`.
   */
  it('ranks the held-out item above most-popular against 99 uniform negatives: sampled HR@10 ≥ 1.15× most-popular\'s', { timeout: 120_000 }, async (ctx) => {
    requireDataset(ctx, 'ml-100k');
    const { data } = await ml100k();
    const clrec = await fitted('clrec');
    const losses = clrec.history!.epochs.map((e) => e.loss);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    const popular = await hitRates(await trainModel(parseModelConfig({ model: 'most-popular' }), data));
    const ours = await hitRates(clrec);
    console.log(`ml-100k HR@10 sampled / full: clrec ${ours.sampled.toFixed(4)} / ${ours.full.toFixed(4)}, most-popular ${popular.sampled.toFixed(4)} / ${popular.full.toFixed(4)}`);
    expect(ours.sampled).toBeGreaterThan(1.15 * popular.sampled);
  });

  /**
   * Measured: mean popularity rank of the top 10 637 (CLRec) against 114 (SASRec-BCE), share
   * of the 100 most rated items 0.022 against 0.613; the Gini of how often each item is
   * recommended points the same way but too narrowly to assert (0.948 against 0.959).
   * SASRec-BCE's HR@10 here: 0.567 sampled, 0.121 full.
   */
  it('recommends less popular items than SASRec-BCE with the same encoder and settings', { timeout: 120_000 }, async (ctx) => {
    requireDataset(ctx, 'ml-100k');
    const clrec = await popularityOfTop10(await fitted('clrec'));
    const sasrec = await popularityOfTop10(await fitted('sasrec'));
    const sasrecHits = await hitRates(await fitted('sasrec'));
    console.log(`ml-100k HR@10 sampled / full: sasrec ${sasrecHits.sampled.toFixed(4)} / ${sasrecHits.full.toFixed(4)}`);
    console.log(`ml-100k top-10 popularity: clrec mean rank ${clrec.meanRank.toFixed(1)}, head share ${clrec.headShare.toFixed(3)}, Gini ${clrec.gini.toFixed(3)}; sasrec ${sasrec.meanRank.toFixed(1)}, ${sasrec.headShare.toFixed(3)}, ${sasrec.gini.toFixed(3)}`);
    expect(clrec.meanRank).toBeGreaterThan(2 * sasrec.meanRank);
    expect(clrec.headShare).toBeLessThan(sasrec.headShare / 2);
  });

  it('a saved model, with the windows it scores from, loads back scoring exactly as before', { timeout: 120_000 }, async (ctx) => {
    requireDataset(ctx, 'ml-100k');
    const trained = await fitted('clrec');
    const ids = { users: Array.from({ length: trained.numUsers }, (_, u) => `u${u}`), items: Array.from({ length: trained.numItems }, (_, i) => i) };
    const { trained: loaded } = decodeSavedModel(await encodeSavedModel(trained, { ids }), 'memory');
    const users = Int32Array.of(0, 17, 942);
    expect(await loaded.model.scoreUsers!(users)).toEqual(await trained.model.scoreUsers!(users));
  });
});
