import { describe, expect, it } from 'vitest';
import { chiSquareCriticalValue, chiSquareStatistic, sampleNegatives, tensor } from '../src/index.js';

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
