import { UserItemCSR } from '@rec/data';
import { evaluateFullRanking, topKIndices } from '@rec/eval';
import { describe, expect, it } from 'vitest';
import { BPRMF, MostPopular, maskedRanker, NCF, NMTR, rankingOf, topKFor } from '../src/index.js';

/** A BPR-MF of 5 users × 9 items, d = 2, with small integer factors: every score is exact in f32, and some tie. */
function integerModel(): BPRMF {
  const model = new BPRMF({ numUsers: 5, numItems: 9, dim: 2, seed: 1 });
  model.users.weight.assign(Float32Array.of(1, 0, 0, 1, 1, 1, -1, 2, 0, 0));
  model.items.weight.assign(Float32Array.of(3, 1, 1, 3, 2, 2, 0, 0, -1, 4, 3, 1, 1, 1, 2, -2, 4, 0));
  return model;
}

// User 1 has 7 of the 9 items excluded, so fewer than k = 4 remain; user 4 scores 0 everywhere (all tie).
const rows = [Int32Array.of(0, 5), Int32Array.of(0, 1, 2, 3, 4, 5, 6), new Int32Array(0), Int32Array.of(8), Int32Array.of(2)];
const seen = { rowOf: (u: number) => rows[u]!, indptr: Int32Array.of(0, 2, 9, 9, 10, 11), indices: Int32Array.of(0, 5, 0, 1, 2, 3, 4, 5, 6, 8, 2) };

describe('ranking a dot-product model through rank_topk', () => {
  it('topKFor gives the items and scores the score matrix gives, ties to the lower index, short rows trimmed', async () => {
    const model = integerModel();
    const users = Int32Array.of(0, 1, 2, 3, 4);
    const scores = await model.scoreUsers(users);
    const fast = await topKFor(model, 'items', users, 4, seen);
    users.forEach((u, b) => {
      const row = scores.subarray(b * 9, (b + 1) * 9);
      const items = topKIndices(row, 4, rows[u]);
      expect([...fast[b]!.items], `user ${u}`).toEqual([...items]);
      expect([...fast[b]!.scores], `user ${u}`).toEqual(Array.from(items, (i) => row[i]));
    });
    expect(fast[1]!.items.length).toBe(2); // 9 items, 7 excluded
    expect([...fast[4]!.items]).toEqual([0, 1, 3, 4]); // all tie at 0: lowest indexes, item 2 excluded
  });

  it('evaluateFullRanking through rankingOf equals the scoreUsers path, and checks the mask', async () => {
    const model = integerModel();
    const testItems = [Int32Array.of(1), Int32Array.of(7), Int32Array.of(4), Int32Array.of(0), Int32Array.of(5)];
    const common = { numItems: 9, testItems, trainMask: seen, ks: [1, 3], perUser: true } as const;
    const ranking = rankingOf(model, seen);
    expect('rankUsers' in ranking).toBe(true);
    const fast = await evaluateFullRanking({ ...common, ...ranking });
    const slow = await evaluateFullRanking({ ...common, scoreUsers: (u) => model.scoreUsers(u) });
    expect(fast.metrics).toEqual(slow.metrics);
    expect(fast.perUser!.metrics['HR@3']).toEqual(slow.perUser!.metrics['HR@3']);
  });

  it('GMF models rank through rank_topk with their output weights and item biases, as their scoreUsers ranks', async () => {
    // Integer tables, weights and biases: every score exact in f32 on both paths, some tied.
    const ints = (n: number, seed: number) => Float32Array.from({ length: n }, (_, k) => ((k * 7 + seed * 3) % 5) - 2);
    const nmtr = new NMTR({ numUsers: 5, numItems: 9, behaviors: ['view', 'cart', 'buy'], unit: 'gmf', dim: 3, seed: 1 });
    const ncf = new NCF({ numUsers: 5, numItems: 9, unit: 'gmf', dim: 3, seed: 1 });
    for (const model of [nmtr, ncf]) {
      model.users.weight.assign(ints(15, 1));
      model.items.weight.assign(ints(27, 2));
    }
    nmtr.units.forEach((u, r) => u.h.weight.assign(ints(3, 3 + r)));
    nmtr.itemBias.forEach((b, r) => b.weight.assign(ints(9, 6 + r)));
    ncf.unit.h.weight.assign(Float32Array.of(2, -1, 1));
    const users = Int32Array.of(0, 1, 2, 3, 4);
    const testItems = [Int32Array.of(1), Int32Array.of(7), Int32Array.of(4), Int32Array.of(0), Int32Array.of(5)];
    for (const [name, model] of [['NMTR-GMF', nmtr], ['NCF-GMF', ncf]] as const) {
      const scores = (await model.scoreUsers(users)) as Float32Array;
      const fast = await topKFor(model, 'items', users, 4, seen);
      users.forEach((u, b) => {
        const row = scores.subarray(b * 9, (b + 1) * 9);
        const items = topKIndices(row, 4, rows[u]);
        expect([...fast[b]!.items], `${name}, user ${u}`).toEqual([...items]);
        expect([...fast[b]!.scores], `${name}, user ${u}`).toEqual(Array.from(items, (i) => row[i]));
      });
      const ranking = rankingOf(model, seen);
      expect('rankUsers' in ranking, name).toBe(true);
      const common = { numItems: 9, testItems, trainMask: seen, ks: [1, 3], perUser: true } as const;
      const viaKernel = await evaluateFullRanking({ ...common, ...ranking });
      const viaScores = await evaluateFullRanking({ ...common, scoreUsers: (u) => model.scoreUsers(u) });
      expect(viaKernel.perUser!.metrics['HR@3'], name).toEqual(viaScores.perUser!.metrics['HR@3']);
    }
    // The item biases matter: without them NMTR's ranking differs for some user.
    const noBias = { ...nmtr, dotProductFactors: () => ({ ...nmtr.dotProductFactors()!, itemBias: undefined }), scoreUsers: undefined };
    const unbiased = await topKFor(noBias, 'items', users, 4, seen);
    const biased = await topKFor(nmtr, 'items', users, 4, seen);
    expect(unbiased.map((t) => [...t.items])).not.toEqual(biased.map((t) => [...t.items]));
  });

  it('tower models (MLP, NeuMF) keep their scoreUsers', () => {
    expect(maskedRanker(new NCF({ numUsers: 2, numItems: 3, unit: 'neumf', dim: 4 }), seen)).toBeUndefined();
    expect(maskedRanker(new NMTR({ numUsers: 2, numItems: 3, behaviors: ['a', 'b'], unit: 'mlp', dim: 4 }), seen)).toBeUndefined();
  });

  it('models whose scores are not a product of two tables keep their scoreUsers', () => {
    const pop = MostPopular.fit({ numItems: 3, items: Int32Array.of(0, 2, 2) });
    expect(maskedRanker(pop, seen)).toBeUndefined();
    expect('scoreUsers' in rankingOf(pop, seen)).toBe(true);
    expect(() => rankingOf({}, seen)).toThrow(/rankingOf: the model scores no items/);
  });
});
