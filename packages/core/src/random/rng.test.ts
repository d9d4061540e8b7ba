import { describe, expect, it } from 'vitest';
import { chiSquareCriticalValue, chiSquareStatistic } from './goodness-of-fit.js';
import { mulhi32, philox4x32 } from './philox.js';
import { Philox, u32At, uniformAt, uniformFromU32 } from './rng.js';

const TWO_POW_32 = 2 ** 32;

/** Word k for (key, stream) straight from the documented layout. */
function layoutWord(keyLo: number, keyHi: number, stream: number, k: number): number {
  const block = Math.floor(k / 4);
  const words = philox4x32([block % TWO_POW_32, Math.floor(block / TWO_POW_32), stream, 0], [keyLo, keyHi]);
  return words[k % 4]!;
}

function draws(rng: Philox, count: number): number[] {
  return Array.from({ length: count }, () => rng.nextU32());
}

function meanAndVariance(values: ArrayLike<number>): { mean: number; variance: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i]! - mean) ** 2;
  return { mean, variance: squares / (values.length - 1) };
}

describe('Philox counter and key layout', () => {
  it('word k is word k % 4 of philox4x32([k/4 lo, k/4 hi, stream, 0], [seed lo, seed hi])', () => {
    const rng = new Philox({ seed: 0x1234_5678_9abc_def0n, stream: 7 });
    expect(rng.key).toEqual([0x9abc_def0, 0x1234_5678]);
    for (let k = 0; k < 64; k++) {
      expect(rng.nextU32(), `word ${k}`).toBe(layoutWord(0x9abc_def0, 0x1234_5678, 7, k));
    }
  });

  it('starts the seed-0, stream-0 stream with the all-zero Random123 vector', () => {
    expect(draws(new Philox({ seed: 0 }), 4)).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
  });

  it('carries the block index into counter word 1 past 2^32 blocks', () => {
    const rng = new Philox({ seed: 99, stream: 5 });
    const start = 4 * TWO_POW_32 - 2;
    rng.skipTo(start);
    expect(rng.counter).toBe(start);
    const [a, b, c, d] = draws(rng, 4);
    const last = philox4x32([0xffffffff, 0, 5, 0], [99, 0]);
    const next = philox4x32([0, 1, 5, 0], [99, 0]);
    expect([a, b, c, d]).toEqual([last[2], last[3], next[0], next[1]]);
    expect(rng.counter).toBe(start + 4);
  });

  it('reads number and bigint seeds as the same 64-bit key', () => {
    const fromNumber = new Philox({ seed: 2 ** 40 + 5 });
    const fromBigint = new Philox({ seed: 2n ** 40n + 5n });
    expect(fromNumber.key).toEqual([5, 256]);
    expect(draws(fromNumber, 12)).toEqual(draws(fromBigint, 12));
  });

  it('reads negative seeds as two’s complement', () => {
    expect(new Philox({ seed: -1 }).key).toEqual([0xffffffff, 0xffffffff]);
    expect(new Philox({ seed: -1n }).key).toEqual([0xffffffff, 0xffffffff]);
    expect(new Philox({ seed: -(2 ** 32) }).key).toEqual([0, 0xffffffff]);
    expect(new Philox({ seed: -(2n ** 63n) }).key).toEqual([0, 0x80000000]);
  });

  it('rejects seeds and streams that do not fit', () => {
    for (const seed of [1.5, Number.NaN, Infinity, 2 ** 53, 2n ** 64n, -(2n ** 63n) - 1n]) {
      expect(() => new Philox({ seed }), String(seed)).toThrow(RangeError);
    }
    for (const stream of [-1, 0.5, TWO_POW_32, Number.NaN]) {
      expect(() => new Philox({ seed: 1, stream }), String(stream)).toThrow(/stream must be an integer/);
    }
  });
});

describe('Philox determinism', () => {
  const mixedDraws = (rng: Philox) => [
    rng.nextU32(),
    rng.uniform(),
    rng.int(1000),
    rng.normal(),
    rng.bernoulli(0.5),
    ...rng.fillUniform(new Float32Array(7)),
    ...rng.fillNormal(new Float32Array(5)),
    rng.uniformRange(-3, 3),
  ];

  it('repeats the same sequence for the same seed and stream', () => {
    const a = new Philox({ seed: 42, stream: 3 });
    const b = new Philox({ seed: 42, stream: 3 });
    for (let round = 0; round < 50; round++) expect(mixedDraws(a)).toEqual(mixedDraws(b));
  });

  it('gives different sequences for different streams or seeds', () => {
    const base = draws(new Philox({ seed: 42, stream: 0 }), 16);
    expect(draws(new Philox({ seed: 42, stream: 1 }), 16)).not.toEqual(base);
    expect(draws(new Philox({ seed: 43, stream: 0 }), 16)).not.toEqual(base);
    expect(draws(new Philox({ seed: 42n + (1n << 32n), stream: 0 }), 16)).not.toEqual(base);
  });

  it('keeps neighbouring streams uncorrelated', () => {
    const a = new Philox({ seed: 5, stream: 0 }).fillUniform(new Float32Array(100_000));
    const b = new Philox({ seed: 5, stream: 1 }).fillUniform(new Float32Array(100_000));
    let covariance = 0;
    for (let i = 0; i < a.length; i++) covariance += (a[i]! - 0.5) * (b[i]! - 0.5);
    const correlation = covariance / a.length / (1 / 12);
    // Standard error of a null correlation is 1/sqrt(n) ≈ 0.0032.
    expect(Math.abs(correlation)).toBeLessThan(0.016);
  });
});

describe('stateless access', () => {
  it('uniformAt and u32At agree with the stateful stream', () => {
    const seed = 0xfeed_beefn;
    const stream = 11;
    const rng = new Philox({ seed, stream });
    for (let k = 0; k < 200; k++) {
      const word = rng.nextU32();
      expect(u32At(seed, stream, k)).toBe(word);
      expect(uniformAt(seed, stream, k)).toBe(uniformFromU32(word));
      expect(Philox.uniformAt(seed, stream, k)).toBe(uniformFromU32(word));
      expect(Philox.u32At(seed, stream, k)).toBe(word);
    }
  });

  it('agrees with the stream far out and across the 2^32-block boundary', () => {
    const rng = new Philox({ seed: 7, stream: 2 });
    for (const k of [1_000_003, 4 * TWO_POW_32 - 1, 4 * TWO_POW_32, 2 ** 50 + 3]) {
      rng.skipTo(k);
      expect(rng.uniform(), `k = ${k}`).toBe(uniformAt(7, 2, k));
    }
  });

  it('rejects bad word indices', () => {
    expect(() => u32At(1, 0, -1)).toThrow(/non-negative safe integer/);
    expect(() => uniformAt(1, 0, 0.5)).toThrow(/non-negative safe integer/);
  });
});

describe('counter, skipTo and reserve', () => {
  it('counts the words each method consumes', () => {
    const rng = new Philox({ seed: 1 });
    expect(rng.counter).toBe(0);
    rng.nextU32();
    expect(rng.counter).toBe(1);
    rng.uniform();
    rng.bernoulli(0.5);
    rng.uniformRange(0, 1);
    expect(rng.counter).toBe(4);
    rng.normal();
    expect(rng.counter).toBe(6);
    rng.int(10); // rejection probability 10 / 2^32: this seed takes one word
    expect(rng.counter).toBe(7);
    rng.fillUniform(new Float32Array(9));
    expect(rng.counter).toBe(16);
    rng.fillNormal(new Float32Array(5));
    expect(rng.counter).toBe(22);
    rng.fillNormal(new Float32Array(4));
    expect(rng.counter).toBe(26);
  });

  it('replays from any position, forwards or backwards, aligned or not', () => {
    const reference = draws(new Philox({ seed: 77, stream: 4 }), 40);
    const rng = new Philox({ seed: 77, stream: 4 });
    for (const start of [13, 0, 1, 2, 3, 4, 5, 30, 8, 17]) {
      rng.skipTo(start);
      expect(rng.counter).toBe(start);
      expect(draws(rng, 10), `start ${start}`).toEqual(reference.slice(start, start + 10));
    }
  });

  it('reserve hands out a range and continues after it', () => {
    const rng = new Philox({ seed: 3 });
    rng.nextU32();
    const start = rng.reserve(4096);
    expect(start).toBe(1);
    expect(rng.counter).toBe(4097);
    expect(rng.nextU32()).toBe(u32At(3, 0, 4097));
  });

  it('rejects invalid counters', () => {
    const rng = new Philox({ seed: 3 });
    expect(() => rng.skipTo(-1)).toThrow(RangeError);
    expect(() => rng.skipTo(2.5)).toThrow(RangeError);
    expect(() => rng.skipTo(2 ** 53)).toThrow(RangeError);
    expect(() => rng.reserve(-4)).toThrow(RangeError);
  });
});

describe('uniform', () => {
  it('maps words to (word >>> 8) * 2^-24', () => {
    expect(uniformFromU32(0)).toBe(0);
    expect(uniformFromU32(0xff)).toBe(0);
    expect(uniformFromU32(0x100)).toBe(2 ** -24);
    expect(uniformFromU32(0xffffffff)).toBe(1 - 2 ** -24);
  });

  it('is f32-exact, in [0, 1), with mean 1/2 and variance 1/12 over 1e5 draws', () => {
    const rng = new Philox({ seed: 20240601 });
    const values = new Float64Array(100_000);
    for (let i = 0; i < values.length; i++) {
      const u = rng.uniform();
      if (Math.fround(u) !== u || u < 0 || u >= 1) throw new Error(`bad uniform ${u} at ${i}`);
      values[i] = u;
    }
    const { mean, variance } = meanAndVariance(values);
    // Standard errors: mean 9.1e-4, variance 2.4e-4; allow five of them.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.0046);
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.0012);
  });

  it('fills a Float32Array with exactly the uniform() sequence, from any block offset', () => {
    for (let skip = 0; skip < 4; skip++) {
      for (let length = 0; length <= 11; length++) {
        const a = new Philox({ seed: 8, stream: 1 });
        const b = new Philox({ seed: 8, stream: 1 });
        a.skipTo(skip);
        b.skipTo(skip);
        const filled = a.fillUniform(new Float32Array(length));
        expect(Array.from(filled)).toEqual(Array.from({ length }, () => b.uniform()));
        expect(a.counter).toBe(b.counter);
      }
    }
  });

  it('uniformRange scales into [lo, hi) and validates its bounds', () => {
    const rng = new Philox({ seed: 4 });
    for (let i = 0; i < 10_000; i++) {
      const x = rng.uniformRange(-0.5, 2);
      if (!(x >= -0.5 && x < 2)) throw new Error(`out of range: ${x}`);
    }
    expect(rng.uniformRange(3, 3)).toBe(3);
    expect(() => rng.uniformRange(1, 0)).toThrow(RangeError);
    expect(() => rng.uniformRange(0, Infinity)).toThrow(RangeError);
  });
});

describe('normal', () => {
  it('has mean 0, std 1 and 68.27% of mass within one sigma over 1e5 draws', () => {
    const rng = new Philox({ seed: 31337 });
    const values = new Float64Array(100_000);
    let withinOneSigma = 0;
    for (let i = 0; i < values.length; i++) {
      const z = rng.normal();
      values[i] = z;
      if (Math.abs(z) < 1) withinOneSigma++;
      if (!(Math.abs(z) <= Math.sqrt(48 * Math.LN2))) throw new Error(`|z| beyond the 24-bit cap: ${z}`);
    }
    const { mean, variance } = meanAndVariance(values);
    // Standard errors: mean 0.0032, std 0.0022, one-sigma fraction 0.0015.
    expect(Math.abs(mean)).toBeLessThan(0.016);
    expect(Math.abs(Math.sqrt(variance) - 1)).toBeLessThan(0.011);
    expect(Math.abs(withinOneSigma / values.length - 0.682689)).toBeLessThan(0.0075);
  });

  it('applies mean and std', () => {
    const rng = new Philox({ seed: 2 });
    const values = rng.fillNormal(new Float32Array(100_000), 3, 0.5);
    const { mean, variance } = meanAndVariance(values);
    expect(Math.abs(mean - 3)).toBeLessThan(0.008);
    expect(Math.abs(Math.sqrt(variance) - 0.5)).toBeLessThan(0.0055);
  });

  it('follows the documented Box–Muller recipe', () => {
    const rng = new Philox({ seed: 6, stream: 9 });
    for (let j = 0; j < 100; j++) {
      const u1 = uniformFromU32(u32At(6, 9, 2 * j));
      const u2 = uniformFromU32(u32At(6, 9, 2 * j + 1));
      const expected = 0.5 + 2 * (Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2));
      expect(rng.normal(0.5, 2)).toBeCloseTo(expected, 12);
    }
  });

  it('fillNormal writes the cosine and sine of each pair, cosine matching normal()', () => {
    for (const length of [0, 1, 2, 7, 10]) {
      const filler = new Philox({ seed: 10 });
      const single = new Philox({ seed: 10 });
      const out = filler.fillNormal(new Float32Array(length), 1, 2);
      for (let j = 0; 2 * j < length; j++) {
        const radiusWord = single.nextU32();
        const angleWord = single.nextU32();
        const r = Math.sqrt(-2 * Math.log(1 - uniformFromU32(radiusWord)));
        const theta = 2 * Math.PI * uniformFromU32(angleWord);
        expect(out[2 * j]).toBeCloseTo(1 + 2 * r * Math.cos(theta), 5);
        if (2 * j + 1 < length) expect(out[2 * j + 1]).toBeCloseTo(1 + 2 * r * Math.sin(theta), 5);
      }
      expect(filler.counter).toBe(2 * Math.ceil(length / 2));

      const replay = new Philox({ seed: 10 });
      for (let j = 0; 2 * j < length; j++) {
        expect(out[2 * j]).toBe(Math.fround(replay.normal(1, 2)));
      }
    }
  });
});

describe('bernoulli', () => {
  it('succeeds at rate p over 1e5 trials', () => {
    const rng = new Philox({ seed: 12 });
    let successes = 0;
    for (let i = 0; i < 100_000; i++) if (rng.bernoulli(0.3)) successes++;
    // Standard error sqrt(0.21 / 1e5) ≈ 0.00145.
    expect(Math.abs(successes / 100_000 - 0.3)).toBeLessThan(0.0073);
  });

  it('never succeeds at p = 0 and always at p = 1', () => {
    const rng = new Philox({ seed: 13 });
    for (let i = 0; i < 10_000; i++) {
      if (rng.bernoulli(0)) throw new Error('p = 0 succeeded');
      if (!rng.bernoulli(1)) throw new Error('p = 1 failed');
    }
  });

  it('rejects probabilities outside [0, 1]', () => {
    const rng = new Philox({ seed: 13 });
    for (const p of [-0.1, 1.1, Number.NaN]) expect(() => rng.bernoulli(p)).toThrow(RangeError);
  });
});

describe('int', () => {
  /** Lemire's recipe evaluated with BigInt on the stateless words. */
  function referenceInts(seed: number, n: number, count: number): { values: number[]; words: number } {
    const values: number[] = [];
    let k = 0;
    const bigN = BigInt(n);
    const threshold = (1n << 32n) % bigN;
    while (values.length < count) {
      let product = BigInt(u32At(seed, 0, k++)) * bigN;
      while ((product & 0xffff_ffffn) < threshold) product = BigInt(u32At(seed, 0, k++)) * bigN;
      values.push(Number(product >> 32n));
    }
    return { values, words: k };
  }

  it('follows the documented multiply-shift-with-rejection recipe word for word', () => {
    // 2^31 + 1 rejects almost half of all words, exercising the retry path.
    for (const n of [1, 2, 3, 6, 10, 1000, 3 * 2 ** 30, 2 ** 31 + 1, 2 ** 32 - 1]) {
      const rng = new Philox({ seed: 21 });
      const expected = referenceInts(21, n, 300);
      const actual = Array.from({ length: 300 }, () => rng.int(n));
      expect(actual, `n = ${n}`).toEqual(expected.values);
      expect(rng.counter, `n = ${n}`).toBe(expected.words);
    }
  });

  it('returns the raw word for n = 2^32', () => {
    const rng = new Philox({ seed: 22 });
    expect(rng.int(2 ** 32)).toBe(u32At(22, 0, 0));
  });

  it('stays in range', () => {
    const rng = new Philox({ seed: 23 });
    for (const n of [1, 2, 7, 1000, 2 ** 31 + 1, 2 ** 32 - 1, 2 ** 32]) {
      for (let i = 0; i < 5_000; i++) {
        const x = rng.int(n);
        if (!(Number.isInteger(x) && x >= 0 && x < n)) throw new Error(`int(${n}) gave ${x}`);
      }
    }
  });

  it('is uniform by a chi-square test at p = 0.001', () => {
    const rng = new Philox({ seed: 24 });
    for (const n of [10, 37]) {
      const draws = 100_000;
      const observed = new Float64Array(n);
      for (let i = 0; i < draws; i++) observed[rng.int(n)]!++;
      const expected = new Float64Array(n).fill(draws / n);
      expect(chiSquareStatistic(observed, expected)).toBeLessThan(chiSquareCriticalValue(n - 1, 0.001));
    }
  });

  it('is uniform where plain multiply-shift would be biased (n = 3 * 2^30, by residue mod 3)', () => {
    // Without rejection, floor(x * n / 2^32) = floor(3x / 4) hits every value
    // congruent to 0 mod 3 twice as often as the others (residue 0 would get 1/2 of
    // the mass instead of 1/3); rejection (1/4 of words here) must restore 1/3 each.
    const rng = new Philox({ seed: 25 });
    const n = 3 * 2 ** 30;
    const observed = new Float64Array(3);
    for (let i = 0; i < 60_000; i++) observed[rng.int(n) % 3]!++;
    const expected = new Float64Array(3).fill(20_000);
    expect(chiSquareStatistic(observed, expected)).toBeLessThan(chiSquareCriticalValue(2, 0.001));
  });

  it('the residue test has the power to flag multiply-shift without rejection', () => {
    const rng = new Philox({ seed: 25 });
    const n = 3 * 2 ** 30;
    const observed = new Float64Array(3);
    for (let i = 0; i < 60_000; i++) observed[mulhi32(rng.nextU32(), n) % 3]!++;
    const expected = new Float64Array(3).fill(20_000);
    expect(chiSquareStatistic(observed, expected)).toBeGreaterThan(chiSquareCriticalValue(2, 0.001));
  });

  it('rejects bounds outside [1, 2^32]', () => {
    const rng = new Philox({ seed: 26 });
    for (const n of [0, -3, 1.5, 2 ** 32 + 1, Number.NaN]) {
      expect(() => rng.int(n), String(n)).toThrow(/n must be an integer in \[1, 2\^32\]/);
    }
  });
});

describe('Philox.shuffle', () => {
  it('is Fisher–Yates from the end with int(i + 1), in place, on typed and plain arrays alike', () => {
    const expected = Int32Array.from({ length: 50 }, (_, i) => i);
    const reference = new Philox({ seed: 11, stream: 2 });
    for (let i = expected.length - 1; i > 0; i--) {
      const j = reference.int(i + 1);
      [expected[i], expected[j]] = [expected[j], expected[i]];
    }
    const typed = Int32Array.from({ length: 50 }, (_, i) => i);
    expect(new Philox({ seed: 11, stream: 2 }).shuffle(typed)).toBe(typed);
    expect([...typed]).toEqual([...expected]);
    const plain = Array.from({ length: 50 }, (_, i) => i);
    expect(new Philox({ seed: 11, stream: 2 }).shuffle(plain)).toEqual([...expected]);
    expect([...typed].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
