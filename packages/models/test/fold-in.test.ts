/**
 * New users and similar items: the factor fold-in solves its least-squares system, folds
 * ml-100k's users in well enough to beat most-popular, a sequence model scores a history as
 * it scores the user whose window it is, and similar items are the cosine nearest.
 */
import { leaveLastOut, UserItemCSR } from '@rec/data';
import { readMovieLens100K } from '@rec/data/node';
import { requireDataset } from '@rec/data/testing';
import { evaluateFullRanking } from '@rec/eval';
import { describe, expect, it } from 'vitest';
import {
  BPRMF, CDAE, FactorFoldIn, ItemNeighbours, MostPopular, NextItemModel, parseModelConfig, SASRec, StandaloneModel, topKOfVectors, trainModel,
  UnknownIdError, UnsupportedRequestError,
} from '../src/index.js';

/** A BPRMF with random rows of scale 0.5. */
function randomModel(numUsers: number, numItems: number, dim: number): BPRMF {
  return new BPRMF({ numUsers, numItems, dim, seed: 7, initStd: 0.5 });
}

describe('FactorFoldIn', () => {
  it('solves (QᵀQ + α Σ_S q qᵀ + λ I) x = (1 + α) Σ_S q (the residual of its answer is ~0)', async () => {
    const model = randomModel(3, 9, 4);
    const foldIn = (await FactorFoldIn.of(model, { alpha: 2, lambda: 0.05 }))!;
    const q = model.items.weight.readSync() as Float32Array;
    const history = Int32Array.of(1, 4, 6);
    const x = foldIn.solve([history]);
    const d = 4;
    for (let r = 0; r < d; r++) {
      let lhs = foldIn.ridge * x[r]!;
      for (let i = 0; i < 9; i++) {
        const weight = 1 + (history.includes(i) ? 2 : 0);
        let dot = 0;
        for (let c = 0; c < d; c++) dot += q[i * d + c]! * x[c]!;
        lhs += weight * q[i * d + r]! * dot;
      }
      let rhs = 0;
      for (const i of history) rhs += 3 * q[i * d + r]!;
      expect(lhs).toBeCloseTo(rhs, 4);
    }
  });

  it('refuses an empty history, an index out of range and bad options', async () => {
    const model = randomModel(2, 5, 3);
    const foldIn = (await FactorFoldIn.of(model))!;
    expect(() => foldIn.solve([new Int32Array(0)])).toThrow(/at least one item/);
    expect(() => foldIn.solve([Int32Array.of(5)])).toThrow(/item index 5 is outside 0..4/);
    await expect(FactorFoldIn.of(model, { alpha: -1 })).rejects.toThrow(/alpha/);
    await expect(FactorFoldIn.of(model, { lambda: 0 })).rejects.toThrow(/lambda/);
    expect(await FactorFoldIn.of(MostPopular.fit({ numItems: 3, items: Int32Array.of(0, 1) }))).toBeUndefined();
  });

  it('on ml-100k (leave-last-out), BPR users folded in from their training items alone beat most-popular by 25 %', async (ctx) => {
    const dir = requireDataset(ctx, 'ml-100k');
    const { interactions } = await readMovieLens100K(dir);
    const { train, test } = leaveLastOut(interactions, { seed: 1 });
    const seen = UserItemCSR.fromInteractions(train);
    const { model } = await trainModel(parseModelConfig({ model: 'bpr', dim: 32, epochs: 8, learningRate: 0.05, l2: 1e-5, seed: 1 }), { train });
    const foldIn = (await FactorFoldIn.of(model))!;
    const common = { numItems: train.numItems, testItems: UserItemCSR.fromInteractions(test), trainMask: seen, ks: [10] };
    const folded = await evaluateFullRanking({
      ...common,
      rankUsers: async (users, k) => {
        const rows = Array.from(users, (u) => seen.rowOf(u));
        // The user's own row is not used: only the item table and their training items.
        const tops = await topKOfVectors(foldIn.solve(rows), () => model.dotProductFactors!()!, k, rows);
        const out = new Int32Array(users.length * k).fill(-1);
        tops.forEach((t, b) => out.set(t.items, b * k));
        return out;
      },
    });
    const pop = await evaluateFullRanking({ ...common, scoreUsers: (u) => MostPopular.fit(train).scoreUsers(u) });
    expect(folded.metrics['HR@10']).toBeGreaterThan(1.25 * pop.metrics['HR@10']);
  });
});

describe('sequence models score new users', () => {
  it("scoreHistories of a user's window equals scoreUsers of that user, and the last maxLength items decide", async () => {
    const encoder = new SASRec({ vocabularySize: 12, maxLength: 4, dim: 8, heads: 1, blocks: 1, dropout: 0.3, seed: 3 });
    const pad = 12;
    const windows = Int32Array.of(pad, 3, 5, 7, 1, 2, 3, 4);
    const model = new NextItemModel(encoder, windows, 'sasrec');
    model.train(); // dropout on: scoring must still switch it off
    const known = (await model.scoreUsers(Int32Array.of(0, 1))) as Float32Array;
    const fresh = (await model.scoreHistories([Int32Array.of(3, 5, 7), Int32Array.of(9, 9, 1, 2, 3, 4)])) as Float32Array;
    expect([...fresh]).toEqual([...known]);
    expect(model.training).toBe(true);
    expect(() => model.scoreHistories([new Int32Array(0)])).toThrow(/empty/);
    expect(() => model.scoreHistories([Int32Array.of(12)])).toThrow(/outside 0..11/);
  });
});

describe('CDAE scores new users', () => {
  it('encodes the given items with a zero user node: what scoreUsers gives a known user whose node is zero', async () => {
    const cdae = new CDAE({ numUsers: 3, numItems: 10, dim: 4, seed: 2 });
    cdae.setHistory({ indptr: Int32Array.of(0, 2, 5, 6), indices: Int32Array.of(1, 4, 0, 2, 9, 7) });
    const nodes = (cdae.users.readSync() as Float32Array).slice();
    nodes.fill(0, 4, 8); // user 1's node
    cdae.users.assign(nodes);
    const known = (await cdae.scoreUsers(Int32Array.of(1))) as Float32Array;
    const fresh = (await cdae.scoreHistories([Int32Array.of(0, 2, 9)])) as Float32Array;
    expect([...fresh]).toEqual([...known]);
    // The order of the items changes only the summation order.
    const shuffled = (await cdae.scoreHistories([Int32Array.of(9, 0, 2)])) as Float32Array;
    shuffled.forEach((v, i) => expect(v).toBeCloseTo(known[i]!, 5));
    expect(() => cdae.scoreHistories([Int32Array.of(10)])).toThrow(/outside \[0, 10\)/);
  });
});

describe('ItemNeighbours', () => {
  it('ranks by cosine between item rows, the item itself left out', async () => {
    const model = randomModel(2, 30, 5);
    const q = model.items.weight.readSync() as Float32Array;
    const cos = (a: number, b: number): number => {
      let dot = 0;
      let na = 0;
      let nb = 0;
      for (let c = 0; c < 5; c++) {
        dot += q[a * 5 + c]! * q[b * 5 + c]!;
        na += q[a * 5 + c]! ** 2;
        nb += q[b * 5 + c]! ** 2;
      }
      return dot / Math.sqrt(na * nb);
    };
    const neighbours = (await ItemNeighbours.of(model))!;
    const [top] = await neighbours.similar(Int32Array.of(7), 5);
    const expected = Array.from({ length: 30 }, (_, i) => i).filter((i) => i !== 7).sort((a, b) => cos(7, b) - cos(7, a)).slice(0, 5);
    expect([...top!.items]).toEqual(expected);
    expect(top!.scores[0]).toBeCloseTo(cos(7, expected[0]!), 5);
    await expect(neighbours.similar(Int32Array.of(30), 5)).rejects.toThrow(/outside 0..29/);
  });
});

describe('StandaloneModel: new users, similar items, category filter', () => {
  const ids = { users: ['a', 'b', 'c'], items: Array.from({ length: 8 }, (_, i) => 100 + i), categories: ['odd', 'even'], itemCategories: Array.from({ length: 8 }, (_, i) => [i % 2 === 0 ? 1 : 0]) };
  const bpr = (): StandaloneModel => {
    const model = randomModel(3, 8, 4);
    return new StandaloneModel({ name: 'bpr', definition: { outputs: ['items'] } as never, config: {} as never, model, shape: {} as never, behaviors: ['buy'], numUsers: 3, numItems: 8 }, ids);
  };

  it('recommends for a new user by raw item ids, leaving the given items out, and filters by category', async () => {
    const model = bpr();
    const top = await model.recommendForItems([100, '102'], { k: 8 });
    expect(top.map((r) => r.id)).not.toContain(100);
    expect(top.map((r) => r.id)).not.toContain(102);
    expect(top).toHaveLength(6);
    const even = await model.recommendForItems([100], { k: 8, category: 'even' });
    expect(even.map((r) => r.id).sort()).toEqual([102, 104, 106]);
    const odd = await model.recommend('a', { k: 8, category: 0 });
    expect(odd.every((r) => (r.id as number) % 2 === 1)).toBe(true);
    expect((await model.abilities()).foldIn).toBe('factors');
  });

  it('says which id is unknown and which request the model cannot answer', async () => {
    const model = bpr();
    await expect(model.recommendForItems([999])).rejects.toThrow(UnknownIdError);
    await expect(model.recommend('a', { category: 'none' })).rejects.toThrow(/unknown category 'none'/);
    await expect(model.similarItems(999)).rejects.toThrow(/unknown item id '999'/);
    await expect(model.predictRatings([{ user: 'a', item: 100 }])).rejects.toThrow(UnsupportedRequestError);
    const pop = new StandaloneModel(
      { name: 'most-popular', definition: { outputs: ['items'] } as never, config: {} as never, model: MostPopular.fit({ numItems: 8, items: Int32Array.of(1, 1, 2) }), shape: {} as never, behaviors: ['buy'], numUsers: 3, numItems: 8 },
      { users: ids.users, items: ids.items },
    );
    await expect(pop.recommendForItems([100])).rejects.toThrow(/cannot recommend for a new user/);
    await expect(pop.similarItems(100)).rejects.toThrow(/no item vectors/);
    await expect(pop.recommend('a', { category: 'odd' })).rejects.toThrow(/keeps no item categories/);
    expect(await pop.abilities()).toMatchObject({ foldIn: false, similarItems: false, categoryFilter: false });
  });
});
