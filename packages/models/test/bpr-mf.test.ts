import { backward, RowSparse, sampleNegatives, tensor } from '@rec/core';

/** A to-draw batch's negatives drawn by `sampleNegatives` at its counter (what the step draws inside). */
function sampleApart(t: { users: Int32Array; seen: { indptr: ReturnType<typeof tensor>; indices: ReturnType<typeof tensor> }; draw: { seed: number; stream: number; counter: number; maxTries: number } }, numItems: number): Int32Array {
  const { seed, stream, counter, maxTries } = t.draw;
  return sampleNegatives(tensor(t.users), t.seen, numItems, { seed, stream, counter }, maxTries).negatives.readSync() as Int32Array;
}
import { createInteractions, leaveLastOut, UserItemCSR } from '@rec/data';
import { readMovieLens100K } from '@rec/data/node';
import { requireDataset } from '@rec/data/testing';
import { evaluateFullRanking } from '@rec/eval';
import { describe, expect, it } from 'vitest';
import { behaviorLog, BPRMF, defaultLanes, FusedBPRObjective, MostPopular, parseModelConfig, trainModel, type Triples, type TriplesToDraw } from '../src/index.js';

describe('MostPopular', () => {
  it('scores every user with the training counts', () => {
    const pop = MostPopular.fit({ numItems: 4, items: Int32Array.of(2, 2, 0, 2, 3) });
    expect([...pop.scoreUsers(Int32Array.of(0, 5))]).toEqual([1, 0, 3, 1, 1, 0, 3, 1]);
  });
});

describe('BPRMF', () => {
  it('scores x̂_ui = ⟨p_u, q_i⟩ and its loss gradient reaches only the touched rows', async () => {
    const model = new BPRMF({ numUsers: 5, numItems: 7, dim: 3, seed: 1 });
    const p = model.users.weight.readSync();
    const q = model.items.weight.readSync();
    const scores = await model.scoreUsers(Int32Array.of(2));
    for (let i = 0; i < 7; i++) {
      const dot = p[6] * q[i * 3] + p[7] * q[i * 3 + 1] + p[8] * q[i * 3 + 2];
      expect(scores[i]).toBeCloseTo(dot, 6);
    }
    backward(model.loss(tensor(Int32Array.of(2)), tensor(Int32Array.of(4)), tensor(Int32Array.of(6))));
    const g = model.items.weight.grad;
    expect(g).toBeInstanceOf(RowSparse);
    expect([...(g as RowSparse).indices.readSync()].sort()).toEqual([4, 6]);
    expect(model.users.weight.grad).toBeInstanceOf(RowSparse);
  });

  it('on ml-100k (leave-last-out, full ranking), the registry\'s bpr beats most-popular by at least 30 % after 8 epochs', async (ctx) => {
    const dir = requireDataset(ctx, 'ml-100k');
    const { interactions } = await readMovieLens100K(dir);
    const { train, test } = leaveLastOut(interactions, { seed: 1 });
    const seen = UserItemCSR.fromInteractions(train);
    const { model, history } = await trainModel(parseModelConfig({ model: 'bpr', dim: 32, epochs: 8, learningRate: 0.05, l2: 1e-5, seed: 1 }), { train });
    const losses = history!.epochs.map((e) => e.loss);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    const evaluate = (scoreUsers: (u: Int32Array) => Float32Array) =>
      evaluateFullRanking({ numItems: train.numItems, testItems: UserItemCSR.fromInteractions(test), trainMask: seen, scoreUsers, ks: [10] });
    const bpr = await evaluate((u) => model.scoreUsers!(u) as Float32Array);
    const pop = await evaluate((u) => MostPopular.fit(train).scoreUsers(u));
    expect(bpr.metrics['HR@10']).toBeGreaterThan(1.3 * pop.metrics['HR@10']);
    expect(bpr.metrics['NDCG@10']).toBeGreaterThan(1.3 * pop.metrics['NDCG@10']);
  });

  it('the fused objective draws its uniform negatives inside the step and trains the same tables as with the triples drawn apart', () => {
    // 30 users × 25 items, about a third of the pairs bought; 2 epochs of batches of 16 purchases × 4 negatives.
    const users: number[] = [];
    const items: number[] = [];
    for (let u = 0; u < 30; u++) for (let i = 0; i < 25; i++) if ((u * 7 + i * 3) % 10 < 3) (users.push(u), items.push(i));
    const train = createInteractions({ users: Int32Array.from(users), items: Int32Array.from(items), numUsers: 30, numItems: 25 });
    const log = behaviorLog(train);
    const run = (drawInside: boolean) => {
      const model = new BPRMF({ numUsers: 30, numItems: 25, dim: 4, seed: 2, initStd: 0.1 });
      const objective = new FusedBPRObjective(model, log, { batchSize: 16, negatives: 4, seed: 5, learningRate: 0.1, l2: 0.01 });
      for (const epoch of [0, 1]) {
        for (let b = 0; b < objective.batches(); b++) {
          const batch = objective.prepare(epoch, b) as Triples | TriplesToDraw;
          expect('draw' in batch).toBe(true);
          let t = batch;
          if (!drawInside && 'draw' in batch) {
            // The same negatives drawn apart, as the multi-channel path and older versions did.
            const negatives = sampleApart(batch, 25);
            t = { users: batch.users, positives: batch.positives, negatives };
          }
          objective.batch(epoch, b, t);
        }
      }
      return [[...model.users.weight.readSync()], [...model.items.weight.readSync()]];
    };
    expect(run(true)).toEqual(run(false));
  });

  it('lanes: one lane on one thread, two for the default batch on two or more, three from 5,760 triples a batch', () => {
    expect(defaultLanes(1, 4096)).toBe(1);
    expect(defaultLanes(2, 4096)).toBe(2);
    expect(defaultLanes(8, 4096)).toBe(2);
    expect(defaultLanes(2, 1535)).toBe(1);
    expect(defaultLanes(2, 1536)).toBe(2);
    expect(defaultLanes(8, 5759)).toBe(2);
    expect(defaultLanes(8, 5760)).toBe(3);
    expect(defaultLanes(64, 10 ** 9)).toBe(16);
  });

  it('lanes: given with hogwild (which has no order), refused; out of 1 … 16, refused by the config', async () => {
    const train = createInteractions({ users: Int32Array.of(0, 1), items: Int32Array.of(1, 0), numUsers: 2, numItems: 2 });
    expect(() => new FusedBPRObjective(new BPRMF({ numUsers: 2, numItems: 2, dim: 2, seed: 1 }), behaviorLog(train), { hogwild: true, lanes: 2 }))
      .toThrow('FusedBPRObjective: lanes orders the deterministic schedule; Hogwild ignores it, so give one or the other');
    await expect(trainModel(parseModelConfig({ model: 'bpr', dim: 2, epochs: 1, hogwild: true, lanes: 2 }), { train })).rejects.toThrow(/lanes orders the deterministic schedule/);
    expect(() => parseModelConfig({ model: 'bpr', lanes: 17 })).toThrow(/lanes/);
  });

  it('on ml-100k, lanes 2 (the permuted batch two native threads run at once) trains as well as batch order: HR@10 and NDCG@10 within 10 %, and the same model on a rerun', async (ctx) => {
    const dir = requireDataset(ctx, 'ml-100k');
    const { interactions } = await readMovieLens100K(dir);
    const { train, test } = leaveLastOut(interactions, { seed: 1 });
    const seen = UserItemCSR.fromInteractions(train);
    const fit = (lanes: number) => trainModel(parseModelConfig({ model: 'bpr', dim: 32, epochs: 8, learningRate: 0.05, l2: 1e-5, seed: 1, lanes }), { train });
    const evaluate = async (lanes: number) => {
      const { model } = await fit(lanes);
      const report = await evaluateFullRanking({ numItems: train.numItems, testItems: UserItemCSR.fromInteractions(test), trainMask: seen, scoreUsers: (u) => model.scoreUsers!(u) as Float32Array, ks: [10] });
      return { metrics: report.metrics, items: [...(model as BPRMF).items.weight.readSync()] };
    };
    const ordered = await evaluate(1);
    const laned = await evaluate(2);
    expect(laned.items).not.toEqual(ordered.items);
    for (const m of ['HR@10', 'NDCG@10']) expect(Math.abs(laned.metrics[m] - ordered.metrics[m])).toBeLessThan(0.1 * ordered.metrics[m]);
    expect((await evaluate(2)).items).toEqual(laned.items);
  });

  it('rejects empty training data', async () => {
    const empty = createInteractions({ users: new Int32Array(0), items: new Int32Array(0), numUsers: 1, numItems: 1 });
    await expect(trainModel(parseModelConfig({ model: 'bpr', dim: 2 }), { train: empty })).rejects.toThrow('bpr: the training data has no interactions to train on');
  });
});
