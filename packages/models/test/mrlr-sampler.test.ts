import { describe, expect, it } from 'vitest';
import { MrlrSampler } from '../src/index.js';

/** Three users over 8 items: user 0 rated {1, 3, 4}, user 1 {0, 2}, user 2 {5}. */
const indptr = Int32Array.of(0, 3, 5, 6);
const indices = Int32Array.of(1, 3, 4, 0, 2, 5);
const rated = [new Set([1, 3, 4]), new Set([0, 2]), new Set([5])];

async function epoch(sampler: MrlrSampler, e: number) {
  const batches = [];
  for (let b = 0; b < sampler.batches(); b++) batches.push(await sampler.batch(e, b));
  return batches;
}

describe('MrlrSampler (Algorithm 1, lines 2–5)', () => {
  it('visits every ordered co-rated pair (u, i, k), i ≠ k, once per epoch: D_c', async () => {
    const sampler = new MrlrSampler(indptr, indices, 8, { coRated: true, ranking: true, negatives: 2, batchSize: 3, seed: 4 });
    expect(sampler.coRatedCount).toBe(3 * 2 + 2 * 1 + 0);
    const seen: string[] = [];
    for (const b of await epoch(sampler, 0)) {
      for (let e = 0; e < b.coUsers.length; e++) seen.push(`${b.coUsers[e]}:${b.coItems[e]}>${b.coTargets[e]}`);
    }
    expect(seen.sort()).toEqual(['0:1>3', '0:1>4', '0:3>1', '0:3>4', '0:4>1', '0:4>3', '1:0>2', '1:2>0'].sort());
  });

  it('anchors one ranking triple per observed pair per epoch, plus N opposite-triple negatives: D_r', async () => {
    const N = 3;
    const sampler = new MrlrSampler(indptr, indices, 8, { coRated: true, ranking: true, negatives: N, batchSize: 2, seed: 9 });
    const anchors: string[] = [];
    let triples = 0;
    for (const b of await epoch(sampler, 1)) {
      triples += b.rankUsers.length;
      for (let t = 0; t < b.rankUsers.length; t++) {
        const u = b.rankUsers[t];
        expect(rated[u].has(b.rankPositives[t])).toBe(true);
        expect(rated[u].has(b.rankNegatives[t])).toBe(false);
        if (t % (1 + N) === 0) anchors.push(`${u}:${b.rankPositives[t]}`);
      }
    }
    expect(triples).toBe(indices.length * (1 + N));
    expect(anchors.sort()).toEqual(['0:1', '0:3', '0:4', '1:0', '1:2', '2:5']);
  });

  it('draws D_r\'s unrated item and D_c\'s negatives uniformly from I \\ I⁺_u (χ² test), and the opposite triples\' rated item uniformly from I⁺_u', async () => {
    // One user with 4 of 20 items rated: 16 unrated items, 4 rated ones.
    const items = 20;
    const sampler = new MrlrSampler(Int32Array.of(0, 4), Int32Array.of(2, 7, 11, 19), items, { coRated: true, ranking: true, negatives: 5, batchSize: 12, seed: 1 });
    const unrated = new Map<number, number>();
    const coUnrated = new Map<number, number>();
    const picked = new Map<number, number>();
    for (let e = 0; e < 400; e++) {
      for (const b of await epoch(sampler, e)) {
        b.rankNegatives.forEach((j) => unrated.set(j, (unrated.get(j) ?? 0) + 1));
        b.coNegatives.forEach((j) => coUnrated.set(j, (coUnrated.get(j) ?? 0) + 1));
        b.rankPositives.forEach((i, t) => t % 6 !== 0 && picked.set(i, (picked.get(i) ?? 0) + 1));
      }
    }
    const chiSquare = (counts: Map<number, number>, support: number[]) => {
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      expect([...counts.keys()].every((k) => support.includes(k))).toBe(true);
      const expected = total / support.length;
      return support.reduce((s, k) => s + ((counts.get(k) ?? 0) - expected) ** 2 / expected, 0);
    };
    const unratedItems = Array.from({ length: items }, (_, i) => i).filter((i) => ![2, 7, 11, 19].includes(i));
    // 99.9th percentile of χ² with 15 and 3 degrees of freedom: 37.7 and 16.3.
    expect(chiSquare(unrated, unratedItems)).toBeLessThan(37.7);
    expect(chiSquare(coUnrated, unratedItems)).toBeLessThan(37.7);
    expect(chiSquare(picked, [2, 7, 11, 19])).toBeLessThan(16.3);
  });

  it('is a function of (seed, epoch, batch), and refuses a user who rated every item', async () => {
    const a = new MrlrSampler(indptr, indices, 8, { coRated: true, ranking: true, negatives: 2, batchSize: 3, seed: 4 });
    const b = new MrlrSampler(indptr, indices, 8, { coRated: true, ranking: true, negatives: 2, batchSize: 3, seed: 4 });
    expect(await a.batch(2, 1)).toEqual(await b.batch(2, 1));
    expect(await a.batch(2, 1)).not.toEqual(await a.batch(3, 1));
    expect(() => new MrlrSampler(Int32Array.of(0, 2), Int32Array.of(0, 1), 2, { coRated: true, ranking: true, negatives: 1, batchSize: 4, seed: 0 }))
      .toThrow('MrlrSampler: user 0 has rated all 2 items, so no item is left to be a negative');
  });
});
