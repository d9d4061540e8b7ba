import { describe, expect, it } from 'vitest';
import {
  AliasTable, chiSquareCriticalValue, chiSquareStatistic, sampleAliasNegatives, sampleCascadeNegatives, sampleCategoryNegatives, sampleMultichannelNegatives,
  sampleWeightedCandidates,
  sampleNegatives, tensor, u32At, unigramWeights,
} from '../src/index.js';

const i32 = (v: number[]) => tensor(new Int32Array(v));

describe('neg_sample_exclude (reference)', () => {
  // 3 users over 10 items; user 2 has every item but 9.
  const positives = { indptr: i32([0, 3, 3, 12]), indices: i32([1, 4, 7, 0, 1, 2, 3, 4, 5, 6, 7, 8]) };

  it('never returns a positive and is uniform over the rest (chi-square, p = 0.001)', () => {
    const n = 70_000;
    const users = tensor(new Int32Array(n)); // all user 0
    const { negatives, exhausted } = sampleNegatives(users, positives, 10, { seed: 11, counter: 0 });
    expect(exhausted.item()).toBe(0);
    const counts = new Array(10).fill(0);
    for (const j of negatives.readSync()) counts[j]++;
    expect([counts[1], counts[4], counts[7]]).toEqual([0, 0, 0]);
    const allowed = [0, 2, 3, 5, 6, 8, 9];
    const observed = allowed.map((j) => counts[j]);
    const stat = chiSquareStatistic(observed, allowed.map(() => n / allowed.length));
    expect(stat).toBeLessThan(chiSquareCriticalValue(allowed.length - 1, 0.001));
  });

  it('finds the single allowed item of a nearly saturated user, or reports exhaustion', () => {
    const users = i32(new Array(200).fill(2));
    const many = sampleNegatives(users, positives, 10, { seed: 3, counter: 0 }, 64);
    expect(many.exhausted.item()).toBe(0);
    expect(new Set(many.negatives.readSync())).toEqual(new Set([9]));
    const few = sampleNegatives(users, positives, 10, { seed: 3, counter: 0 }, 1);
    expect(few.exhausted.item()).toBeGreaterThan(100); // 1 try succeeds with probability 1/10
  });

  it('is a pure function of (seed, stream, counter)', () => {
    const users = i32([0, 1, 0, 1]);
    const a = sampleNegatives(users, positives, 10, { seed: 5, counter: 100 }).negatives.readSync();
    const b = sampleNegatives(users, positives, 10, { seed: 5, counter: 100 }).negatives.readSync();
    const c = sampleNegatives(users, positives, 10, { seed: 5, counter: 164 }).negatives.readSync();
    expect([...a]).toEqual([...b]);
    expect([...a]).not.toEqual([...c]);
  });

  it('rejects out-of-range users and bad arguments with the value named', () => {
    expect(() => sampleNegatives(i32([5]), positives, 10, { seed: 1, counter: 0 })).toThrow(/user 5 at position 0/);
    expect(() => sampleNegatives(i32([0]), positives, 0, { seed: 1, counter: 0 })).toThrow(/numItems/);
    expect(() => sampleNegatives(tensor([0]), positives, 10, { seed: 1, counter: 0 })).toThrow(/users has dtype f32/);
  });
});

/** Counts of each id in [0, size). */
function histogram(values: ArrayLike<number>, size: number): number[] {
  const counts = new Array<number>(size).fill(0);
  for (let i = 0; i < values.length; i++) counts[values[i]]++;
  return counts;
}

/** Chi-square goodness of fit at p = 0.001 over the ids with positive target probability; every other id must never appear. */
function expectDistribution(values: ArrayLike<number>, target: number[]): void {
  const counts = histogram(values, target.length);
  const support = target.flatMap((p, j) => (p > 0 ? [j] : []));
  for (let j = 0; j < target.length; j++) if (target[j] === 0) expect(counts[j], `id ${j} has probability 0`).toBe(0);
  const stat = chiSquareStatistic(support.map((j) => counts[j]), support.map((j) => target[j] * values.length));
  expect(stat).toBeLessThan(chiSquareCriticalValue(support.length - 1, 0.001));
}

describe('neg_sample_alias (reference)', () => {
  const counts = [120, 40, 0, 7, 300, 1, 55, 9];
  const weights = unigramWeights(counts);
  const total = weights.reduce((a, b) => a + b, 0);
  const table = AliasTable.fromWeights(weights);

  it('draws unigram^0.75 (chi-square, p = 0.001) and never a zero-count item', () => {
    const { negatives, exhausted } = sampleAliasNegatives(table, 80_000, { seed: 4, counter: 0 });
    expect(exhausted.item()).toBe(0);
    expectDistribution(negatives.readSync(), [...weights].map((w) => w / total));
  });

  it('matches AliasTable.sampleWords word for word', () => {
    const { negatives } = sampleAliasNegatives(table, 64, { seed: 9, stream: 2, counter: 6 });
    const expected = Array.from({ length: 64 }, (_, r) => table.sampleWords(u32At(9, 2, 6 + 2 * r), u32At(9, 2, 7 + 2 * r)));
    expect([...negatives.readSync()]).toEqual(expected);
    const asTensors = { prob: tensor(table.prob), alias: tensor(table.alias) };
    expect([...sampleAliasNegatives(asTensors, 64, { seed: 9, stream: 2, counter: 6 }).negatives.readSync()]).toEqual(expected);
  });

  it('excludes the user positives and is unigram^0.75 over the rest', () => {
    const positives = { indptr: i32([0, 2, 8]), indices: i32([0, 4, 0, 1, 2, 3, 4, 5]) };
    const n = 60_000;
    const users = tensor(new Int32Array(n)); // all user 0
    // Items 0 and 4 hold ≈ 71 % of the mass, so 64 tries fail with probability ≈ 3e-10 per row.
    const { negatives, exhausted } = sampleAliasNegatives(table, n, { seed: 5, counter: 0 }, { users, positives }, 64);
    expect(exhausted.item()).toBe(0);
    const allowed = [...weights].map((w, j) => (j === 0 || j === 4 ? 0 : w));
    const rest = allowed.reduce((a, b) => a + b, 0);
    expectDistribution(negatives.readSync(), allowed.map((w) => w / rest));
  });

  it('reports rows whose tries ran out', () => {
    // User 1 holds every positive-weight item but 6 and 7 (mass ≈ 0.19): 1 try fails often.
    const positives = { indptr: i32([0, 2, 8]), indices: i32([0, 4, 0, 1, 2, 3, 4, 5]) };
    const users = i32(new Array(400).fill(1));
    const { exhausted } = sampleAliasNegatives(table, 400, { seed: 5, counter: 0 }, { users, positives }, 1);
    expect(exhausted.item()).toBeGreaterThan(200);
  });

  it('rejects bad arguments naming what and where', () => {
    const positives = { indptr: i32([0, 0]), indices: i32([]) };
    expect(() => sampleAliasNegatives(table, 2, { seed: 1, counter: 0 }, { users: i32([0, 3]), positives })).toThrow(/user 3 at position 1 is out of range for 1 users/);
    expect(() => sampleAliasNegatives(table, 3, { seed: 1, counter: 0 }, { users: i32([0, 0]), positives })).toThrow(/count 3 must equal exclude.users.size 2/);
    expect(() => sampleAliasNegatives(table, -1, { seed: 1, counter: 0 })).toThrow(/count must be a non-negative integer/);
    expect(() => sampleAliasNegatives(table, 1, { seed: 1, counter: -1 })).toThrow(/counter/);
  });
});

describe('neg_sample_category (reference)', () => {
  // Leaves 0–2 share a parent; leaf 3 has no siblings. Items: leaf 0 = 0–4, leaf 1 = 5–7, leaf 2 = 8–11, leaf 3 = 12–13.
  const itemCategory = [0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 3, 3];
  const categories = {
    itemCategory: i32(itemCategory),
    categoryItems: { indptr: i32([0, 5, 8, 12, 14]), indices: i32([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]) },
    siblings: { indptr: i32([0, 2, 4, 6, 6]), indices: i32([1, 2, 0, 2, 0, 1]) },
  };
  // User 0 bought 0, 2 and 6; user 1 bought all of leaf 3.
  const userPositives = { indptr: i32([0, 3, 5]), indices: i32([0, 2, 6, 12, 13]) };

  it('mixes leaf and sibling negatives as documented (chi-square, p = 0.001), never a positive', () => {
    const n = 60_000;
    const users = tensor(new Int32Array(n));
    const positives = tensor(new Int32Array(n)); // positive item 0, leaf 0
    const { negatives, exhausted } = sampleCategoryNegatives(users, positives, categories, userPositives, 0.5, { seed: 8, counter: 0 });
    expect(exhausted.item()).toBe(0);
    // Leaf half: uniform over {1, 3, 4}. Sibling half: leaf 1 or 2 with weight 1/2, then an item (1/3 or 1/4),
    // conditioned on not a positive: 5, 7 get 1/6 ÷ 5/6 = 1/5 each, 8–11 get 1/8 ÷ 5/6 = 3/20 each.
    const target = new Array<number>(14).fill(0);
    for (const j of [1, 3, 4]) target[j] = 0.5 / 3;
    for (const j of [5, 7]) target[j] = 0.5 / 5;
    for (const j of [8, 9, 10, 11]) target[j] = (0.5 * 3) / 20;
    expectDistribution(negatives.readSync(), target);
  });

  it('falls back to the leaf without siblings and reports exhausted rows', () => {
    const users = i32([1, 1, 1]);
    const positives = i32([12, 13, 12]);
    const { negatives, exhausted } = sampleCategoryNegatives(users, positives, categories, userPositives, 1, { seed: 2, counter: 0 }, 4);
    expect(exhausted.item()).toBe(3);
    for (const j of negatives.readSync()) expect([12, 13]).toContain(j);
  });

  it('rejects bad inputs naming what and where', () => {
    expect(() => sampleCategoryNegatives(i32([0]), i32([14]), categories, userPositives, 0.5, { seed: 1, counter: 0 })).toThrow(/positive 14 at position 0 is out of range for 14 items/);
    expect(() => sampleCategoryNegatives(i32([2]), i32([0]), categories, userPositives, 0.5, { seed: 1, counter: 0 })).toThrow(/user 2 at position 0 is out of range for 2 users/);
    expect(() => sampleCategoryNegatives(i32([0]), i32([0]), categories, userPositives, 1.5, { seed: 1, counter: 0 })).toThrow(/siblingRate must be in \[0, 1\]/);
    expect(() => sampleCategoryNegatives(tensor([0]), i32([0]), categories, userPositives, 0.5, { seed: 1, counter: 0 })).toThrow(/users has dtype f32/);
    const badSiblings = { ...categories, siblings: { indptr: i32([0, 2, 4, 6, 6]), indices: i32([1, 2, 0, 2, 0, 9]) } };
    expect(() => sampleCategoryNegatives(i32([0]), i32([0]), badSiblings, userPositives, 0.5, { seed: 1, counter: 0 })).toThrow(/sibling categories entry 9 at position 5 is outside \[0, 4\)/);
  });
});

describe('neg_sample_multichannel (reference)', () => {
  // User 0 bought 1, viewed 2 and 5; user 1 viewed nothing, bought 0.
  const viewed = { indptr: i32([0, 2, 2]), indices: i32([2, 5]) };
  const seen = { indptr: i32([0, 3, 4]), indices: i32([1, 2, 5, 0]) };

  it('draws viewed-not-bought w.p. p, else never-seen (chi-square, p = 0.001)', () => {
    const n = 60_000;
    const { negatives, channel, exhausted } = sampleMultichannelNegatives(tensor(new Int32Array(n)), viewed, seen, 8, 0.3, { seed: 3, counter: 0 });
    expect(exhausted.item()).toBe(0);
    const target = [0.7 / 5, 0, 0.15, 0.7 / 5, 0.7 / 5, 0.15, 0.7 / 5, 0.7 / 5];
    const ids = negatives.readSync();
    expectDistribution(ids, target);
    const ch = channel.readSync();
    for (let r = 0; r < n; r++) expect(ch[r]).toBe(ids[r] === 2 || ids[r] === 5 ? 1 : 0);
  });

  it('sends users with no viewed-not-bought items to the never-seen channel', () => {
    const { negatives, channel } = sampleMultichannelNegatives(i32(new Array(500).fill(1)), viewed, seen, 8, 1, { seed: 3, counter: 0 });
    expect(channel.readSync().every((c) => c === 0)).toBe(true);
    expect(negatives.readSync().includes(0)).toBe(false);
  });

  it('rejects bad inputs naming what and where', () => {
    expect(() => sampleMultichannelNegatives(i32([2]), viewed, seen, 8, 0.3, { seed: 1, counter: 0 })).toThrow(/user 2 at position 0 is out of range for 2 users/);
    expect(() => sampleMultichannelNegatives(i32([0]), { indptr: viewed.indptr, indices: i32([2, 8]) }, seen, 8, 0.3, { seed: 1, counter: 0 })).toThrow(/viewed item 8 at position 1 is outside \[0, 8\)/);
    expect(() => sampleMultichannelNegatives(i32([0]), viewed, seen, 8, -0.1, { seed: 1, counter: 0 })).toThrow(/viewedRate must be in \[0, 1\]/);
  });
});

describe('neg_sample_cascade (reference)', () => {
  // 2 users, 8 items, behaviours view (0), cart (1), buy (2); user 0 viewed 0–4, carted 1 and 3, bought 3.
  const indices = i32([0, 1, 2, 3, 4, /* user 1 view */ 7, /* cart */ 1, 3, /* buy */ 3]);
  const behaviours = { indptr: tensor(Int32Array.of(0, 5, 6, 6, 8, 8, 8, 9, 9), [3, 3]), indices };

  it('gives each observed behaviour a uniform negative outside that behaviour (chi-square, p = 0.001), -1 elsewhere', () => {
    const n = 30_000;
    const { negatives, exhausted } = sampleCascadeNegatives(tensor(new Int32Array(n)), tensor(new Int32Array(n).fill(3)), behaviours, 8, { seed: 6, counter: 0 }, 48);
    expect(exhausted.item()).toBe(0); // view excludes 5/8 items: 48 tries all fail with probability ≈ 2e-10
    expect(negatives.shape).toEqual([n, 3]);
    const all = negatives.readSync();
    const column = (b: number) => Int32Array.from({ length: n }, (_, r) => all[r * 3 + b]);
    expectDistribution(column(0), [0, 0, 0, 0, 0, 1 / 3, 1 / 3, 1 / 3]);
    expectDistribution(column(1), [1 / 6, 0, 1 / 6, 0, 1 / 6, 1 / 6, 1 / 6, 1 / 6]);
    expectDistribution(column(2), [1 / 7, 1 / 7, 1 / 7, 0, 1 / 7, 1 / 7, 1 / 7, 1 / 7]);
    // Item 0 was only viewed: view gets a negative, cart and buy get -1.
    const viewedOnly = sampleCascadeNegatives(i32([0]), i32([0]), behaviours, 8, { seed: 6, counter: 0 }).negatives.readSync();
    expect(viewedOnly[0]).toBeGreaterThanOrEqual(5);
    expect([viewedOnly[1], viewedOnly[2]]).toEqual([-1, -1]);
  });

  it('rejects bad inputs naming what and where', () => {
    expect(() => sampleCascadeNegatives(i32([2]), i32([0]), behaviours, 8, { seed: 1, counter: 0 })).toThrow(/user 2 at position 0 is out of range for 2 users/);
    expect(() => sampleCascadeNegatives(i32([0]), i32([8]), behaviours, 8, { seed: 1, counter: 0 })).toThrow(/positive 8 at position 0 is out of range for 8 items/);
    expect(() => sampleCascadeNegatives(i32([0]), i32([0]), { indptr: i32([0, 5, 6]), indices }, 8, { seed: 1, counter: 0 })).toThrow(/behaviours.indptr/);
  });
});

describe('sample_weighted_candidates (reference)', () => {
  it('draws each candidate with its given probability (chi-square, p = 0.001), never a zero-weight one', () => {
    const weights = [0.4, 0, 0.1, 0.25, 0.05, 0.2];
    const n = 2000;
    const S = 25;
    const candidates = tensor(Int32Array.from({ length: n * 6 }, (_, i) => i % 6), [n, 6]);
    const w = tensor(Float32Array.from({ length: n * 6 }, (_, i) => 3 * weights[i % 6]), [n, 6]); // unnormalised
    const { samples, sampleWeights } = sampleWeightedCandidates(candidates, w, S, { seed: 12, counter: 0 });
    expect(samples.shape).toEqual([n, S]);
    expectDistribution(samples.readSync(), weights);
    const sw = sampleWeights.readSync();
    samples.readSync().forEach((j, i) => expect(sw[i]).toBeCloseTo(weights[j], 6));
  });

  it('rejects bad weights naming the row and column', () => {
    const c = tensor(Int32Array.of(1, 2, 3, 4), [2, 2]);
    expect(() => sampleWeightedCandidates(c, tensor([1, 1, 0, -1], [2, 2]), 1, { seed: 1, counter: 0 })).toThrow(/weight -1 at row 1, column 1/);
    expect(() => sampleWeightedCandidates(c, tensor([1, 1, 0, 0], [2, 2]), 1, { seed: 1, counter: 0 })).toThrow(/weights of row 1 sum to zero/);
    expect(() => sampleWeightedCandidates(c, tensor([1, 1, 1], [1, 3]), 1, { seed: 1, counter: 0 })).toThrow(/weights has shape \[1, 3\] but candidates has \[2, 2\]/);
  });
});
