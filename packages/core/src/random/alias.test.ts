import { describe, expect, it } from 'vitest';
import { AliasTable, unigramWeights } from './alias.js';
import { chiSquareCriticalValue, chiSquareStatistic } from './goodness-of-fit.js';
import { Philox } from './rng.js';

/**
 * The distribution a table encodes: column i is picked w.p. 1/n and keeps i w.p.
 * prob[i], otherwise yields alias[i].
 */
function impliedDistribution(table: AliasTable): Float64Array {
  const n = table.size;
  const mass = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    mass[i]! += table.prob[i]! / n;
    mass[table.alias[i]!]! += (1 - table.prob[i]!) / n;
  }
  return mass;
}

function normalised(weights: ArrayLike<number>): Float64Array {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += weights[i]!;
  return Float64Array.from(weights, (w) => w / sum);
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** Observed counts vs expected counts over the positive-weight bins. */
function chiSquareAgainstWeights(
  samples: Int32Array,
  weights: ArrayLike<number>,
): { statistic: number; critical: number; zeroWeightHits: number } {
  const probabilities = normalised(weights);
  const counts = new Float64Array(weights.length);
  for (const s of samples) counts[s]!++;
  const observed: number[] = [];
  const expected: number[] = [];
  let zeroWeightHits = 0;
  for (let i = 0; i < weights.length; i++) {
    if (weights[i] === 0) {
      zeroWeightHits += counts[i]!;
      continue;
    }
    observed.push(counts[i]!);
    expected.push(probabilities[i]! * samples.length);
  }
  return {
    statistic: chiSquareStatistic(observed, expected),
    critical: chiSquareCriticalValue(observed.length - 1, 0.001),
    zeroWeightHits,
  };
}

describe('AliasTable.fromWeights', () => {
  it('encodes the normalised weights up to f32 rounding', () => {
    const rng = new Philox({ seed: 100 });
    const cases: Array<ArrayLike<number>> = [
      [1],
      [1, 1, 1, 1],
      [3, 0, 1],
      [1e-300, 1, 1e300],
      [1e300, 1e300, 1e300],
      Float32Array.from({ length: 1000 }, () => rng.uniform() * (rng.bernoulli(0.2) ? 0 : 10)),
      Float64Array.from({ length: 997 }, (_, i) => 1 / (i + 1)),
      [1e6, ...new Array<number>(999).fill(1)],
    ];
    for (const weights of cases) {
      const table = AliasTable.fromWeights(weights);
      expect(table.size).toBe(weights.length);
      expect(maxAbsDifference(impliedDistribution(table), normalised(weights))).toBeLessThan(1e-7);
    }
  });

  it('gives zero-weight entries no mass at all', () => {
    const weights = [0, 5, 0, 0, 1, 0, 2, 0];
    const table = AliasTable.fromWeights(weights);
    weights.forEach((w, i) => {
      if (w !== 0) return;
      expect(table.prob[i], `prob[${i}]`).toBe(0);
      expect(weights[table.alias[i]!], `weight of alias[${i}]`).toBeGreaterThan(0);
      expect(Array.from(table.alias).filter((a, j) => a === i && table.prob[j]! < 1)).toEqual([]);
    });
  });

  it('builds the same table for the same weights', () => {
    const weights = unigramWeights(Array.from({ length: 500 }, (_, i) => (i * 7919) % 1000));
    const a = AliasTable.fromWeights(weights);
    const b = AliasTable.fromWeights(Array.from(weights));
    expect(Array.from(a.prob)).toEqual(Array.from(b.prob));
    expect(Array.from(a.alias)).toEqual(Array.from(b.alias));
  });

  it('rejects invalid weights with the offending index and value', () => {
    expect(() => AliasTable.fromWeights([])).toThrow('weights must not be empty');
    expect(() => AliasTable.fromWeights([1, 2, Number.NaN])).toThrow(
      'AliasTable.fromWeights: weight at index 2 is NaN; weights must be finite and non-negative',
    );
    expect(() => AliasTable.fromWeights([-1, 2])).toThrow(/weight at index 0 is -1;/);
    expect(() => AliasTable.fromWeights(new Float64Array([1, Infinity]))).toThrow(/weight at index 1 is Infinity;/);
    expect(() => AliasTable.fromWeights(new Float32Array([0, -Infinity]))).toThrow(/weight at index 1 is -Infinity;/);
    expect(() => AliasTable.fromWeights([0, 0, 0])).toThrow(/all 3 weights are zero/);
  });
});

describe('AliasTable constructor', () => {
  it('accepts a valid table built elsewhere', () => {
    const built = AliasTable.fromWeights([2, 1, 1]);
    const copy = new AliasTable(built.prob.slice(), built.alias.slice());
    expect(copy.sampleMany(new Philox({ seed: 1 }), 50)).toEqual(built.sampleMany(new Philox({ seed: 1 }), 50));
  });

  it('rejects inconsistent arrays, naming the entry', () => {
    expect(() => new AliasTable(new Float32Array(0), new Int32Array(0))).toThrow(/empty/);
    expect(() => new AliasTable(new Float32Array(2), new Int32Array(3))).toThrow(/same length, got 2 and 3/);
    expect(() => new AliasTable(new Float32Array([1, 1.5]), new Int32Array([0, 1]))).toThrow(
      /prob\[1\] = 1.5 is outside \[0, 1\]/,
    );
    expect(() => new AliasTable(new Float32Array([0.5, 1]), new Int32Array([2, 1]))).toThrow(
      /alias\[0\] = 2 is outside \[0, 2\)/,
    );
  });
});

describe('AliasTable sampling', () => {
  it('matches the weights by a chi-square test at p = 0.001 and never returns zero weights', () => {
    const weights = [5, 0, 1, 2.5, 0, 10, 0.5, 3, 0, 0.25];
    const table = AliasTable.fromWeights(weights);
    const samples = table.sampleMany(new Philox({ seed: 2025, stream: 1 }), 200_000);
    const { statistic, critical, zeroWeightHits } = chiSquareAgainstWeights(samples, weights);
    expect(zeroWeightHits).toBe(0);
    expect(statistic).toBeLessThan(critical);
  });

  it('matches smoothed unigram weights over 300 items by a chi-square test at p = 0.001', () => {
    // Zipf-like counts with some unseen items, as in negative sampling.
    const counts = Array.from({ length: 300 }, (_, i) => (i % 17 === 5 ? 0 : Math.floor(100_000 / (i + 1))));
    const weights = unigramWeights(counts);
    const table = AliasTable.fromWeights(weights);
    const samples = table.sampleMany(new Philox({ seed: 77 }), 400_000);
    const { statistic, critical, zeroWeightHits } = chiSquareAgainstWeights(samples, weights);
    expect(zeroWeightHits).toBe(0);
    expect(statistic).toBeLessThan(critical);
  });

  it('consumes exactly two words per sample: column word, then coin word', () => {
    const table = AliasTable.fromWeights([4, 1, 0, 2, 3]);
    const rng = new Philox({ seed: 5, stream: 2 });
    const words = new Philox({ seed: 5, stream: 2 });
    for (let j = 0; j < 1000; j++) {
      const columnWord = words.nextU32();
      const coinWord = words.nextU32();
      expect(table.sample(rng)).toBe(table.sampleWords(columnWord, coinWord));
    }
    expect(rng.counter).toBe(2000);
  });

  it('applies the documented recipe in sampleWords', () => {
    const table = AliasTable.fromWeights([1, 1]);
    expect(table.sampleWords(0x0000_0000, 0)).toBe(0);
    expect(table.sampleWords(0x7fff_ffff, 0xffff_ffff)).toBe(0);
    expect(table.sampleWords(0x8000_0000, 0)).toBe(1);

    // Column 0 keeps itself iff (coin >>> 8) * 2^-24 < prob[0].
    const skewed = new AliasTable(new Float32Array([0.25, 1]), new Int32Array([1, 1]));
    expect(skewed.sampleWords(0, 0x3fff_ffff)).toBe(0); // 0.25 - 2^-24 < 0.25
    expect(skewed.sampleWords(0, 0x4000_0000)).toBe(1); // 0.25 is not < 0.25
  });

  it('sampleMany equals repeated sample and fills a caller buffer', () => {
    const table = AliasTable.fromWeights(unigramWeights([50, 20, 0, 7, 1]));
    const one = new Philox({ seed: 9 });
    const many = new Philox({ seed: 9 });
    const out = new Int32Array(130).fill(-1);
    expect(table.sampleMany(many, 128, out)).toBe(out);
    expect(Array.from(out.subarray(0, 128))).toEqual(Array.from({ length: 128 }, () => table.sample(one)));
    expect(Array.from(out.subarray(128))).toEqual([-1, -1]);
    expect(many.counter).toBe(256);
  });

  it('validates sampleMany arguments', () => {
    const table = AliasTable.fromWeights([1, 2]);
    const rng = new Philox({ seed: 1 });
    expect(table.sampleMany(rng, 0)).toHaveLength(0);
    expect(() => table.sampleMany(rng, -1)).toThrow(RangeError);
    expect(() => table.sampleMany(rng, 2.5)).toThrow(RangeError);
    expect(() => table.sampleMany(rng, 4, new Int32Array(3))).toThrow(/out holds 3 entries, fewer than count = 4/);
  });
});

describe('unigramWeights', () => {
  it('raises counts to the power, 0.75 by default', () => {
    const weights = unigramWeights([16, 1, 0, 81]);
    expect(Array.from(weights)).toEqual([8, 1, 0, 27]);
    expect(Array.from(unigramWeights(new Int32Array([4, 9]), 0.5))).toEqual([2, 3]);
  });

  it('keeps zero counts at weight zero even for power 0', () => {
    expect(Array.from(unigramWeights([0, 3, 7], 0))).toEqual([0, 1, 1]);
  });

  it('rejects invalid counts with the offending index, and invalid powers', () => {
    expect(() => unigramWeights([1, -2])).toThrow(
      'unigramWeights: count at index 1 is -2; counts must be finite and non-negative',
    );
    expect(() => unigramWeights([Number.NaN])).toThrow(/count at index 0 is NaN/);
    expect(() => unigramWeights([1], -1)).toThrow(/power must be finite and non-negative/);
    expect(() => unigramWeights([1], Number.NaN)).toThrow(/power/);
  });
});
