import { mulhi32 } from './philox.js';
import type { Philox } from './rng.js';

/** 2^-24, the spacing of the f32-exact 24-bit uniforms (see `uniformFromU32`). */
const UNIFORM_STEP = 1 / 16_777_216;

function describe(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

/**
 * Walker's alias method, built with Vose's numerically stable algorithm: O(n)
 * construction, then O(1) sampling of index `i` with probability
 * `weights[i] / sum(weights)`.
 *
 * The table is two flat arrays, `prob` (f32) and `alias` (i32), so it can be copied
 * verbatim to native or GPU memory and sampled there with the same recipe:
 *
 * ```text
 * n      = prob.length
 * column = mulhi32(columnWord, n)          // floor(columnWord * n / 2^32)
 * coin   = f32(coinWord >> 8) * 2^-24      // 24-bit uniform, exact in f32
 * sample = coin < prob[column] ? column : alias[column]
 * ```
 *
 * where `columnWord` and `coinWord` are two consecutive words of a {@link Philox}
 * stream (column first). Every sample consumes exactly 2 words, so sample `j` after
 * counter `c` uses words `c + 2j` and `c + 2j + 1` and kernels can sample in parallel.
 *
 * Accuracy: the column choice is the multiply-shift map without rejection (kept so the
 * word count stays fixed), which favours some columns by at most a relative `n / 2^32`
 * (2.3e-4 for a million items); the coin compares f32 values, so acceptance is exact
 * to 2^-24. Entries whose weight is zero are never returned.
 *
 * @example
 * ```ts
 * const table = AliasTable.fromWeights([1, 0, 3]);
 * const rng = new Philox({ seed: 1 });
 * const item = table.sample(rng);                 // 0 w.p. 1/4, 2 w.p. 3/4, never 1
 * const batch = table.sampleMany(rng, 1024);      // Int32Array of 1024 indices
 * ```
 */
export class AliasTable {
  /** Acceptance threshold of each column, in `[0, 1]`. */
  readonly prob: Float32Array;
  /** Index returned when a column's coin fails, in `[0, n)`. */
  readonly alias: Int32Array;

  /**
   * Wraps existing table arrays (for example ones built elsewhere and loaded back)
   * after checking that they form a valid table. Use {@link AliasTable.fromWeights}
   * to build one from weights.
   *
   * @param prob - acceptance threshold per column, each in `[0, 1]`.
   * @param alias - fallback index per column, each in `[0, prob.length)`.
   * @throws Error if the arrays are empty, differ in length, or hold out-of-range
   *   entries (the message names the first bad index).
   *
   * @example
   * ```ts
   * const built = AliasTable.fromWeights([2, 1, 1]);
   * const copy = new AliasTable(built.prob.slice(), built.alias.slice());
   * ```
   */
  constructor(prob: Float32Array, alias: Int32Array) {
    if (prob.length === 0) throw new Error('AliasTable: the table is empty');
    if (prob.length !== alias.length) {
      throw new Error(
        `AliasTable: prob and alias must have the same length, got ${prob.length} and ${alias.length}`,
      );
    }
    for (let i = 0; i < prob.length; i++) {
      const p = prob[i]!;
      if (!(p >= 0 && p <= 1)) {
        throw new Error(`AliasTable: prob[${i}] = ${describe(p)} is outside [0, 1]`);
      }
      const a = alias[i]!;
      if (a < 0 || a >= alias.length) {
        throw new Error(`AliasTable: alias[${i}] = ${a} is outside [0, ${alias.length})`);
      }
    }
    this.prob = prob;
    this.alias = alias;
  }

  /**
   * Builds the table for sampling index `i` with probability `weights[i] / sum`.
   *
   * Construction (Vose 1991, "A linear algorithm for generating random numbers with a
   * given distribution"), in f64: scale weights to `p[i] = n * w[i] / sum(w)`; push
   * indices in ascending order onto a `small` (`p < 1`) or `large` (`p >= 1`) stack;
   * while both are non-empty pop `s` and `l`, set `prob[s] = p[s]`, `alias[s] = l`,
   * `p[l] = (p[l] + p[s]) - 1`, and push `l` back onto the stack its new value belongs
   * to; whatever remains gets `prob = 1`, `alias = self`. `prob` is then rounded to f32.
   * The weights are divided by their maximum first, so huge weights cannot overflow
   * the sum.
   *
   * @param weights - non-negative finite weights, at least one positive; need not be
   *   normalised.
   * @returns the alias table.
   * @throws Error naming the offending index and value if a weight is negative, NaN
   *   or infinite; or if `weights` is empty or sums to zero.
   *
   * @example
   * ```ts
   * const itemCounts = [120, 40, 0, 7];
   * const negatives = AliasTable.fromWeights(unigramWeights(itemCounts)); // item 2 is never drawn
   * ```
   */
  static fromWeights(weights: ArrayLike<number>): AliasTable {
    const n = weights.length;
    if (n === 0) throw new Error('AliasTable.fromWeights: weights must not be empty');
    if (n > 0x7fff_ffff) {
      throw new Error(`AliasTable.fromWeights: at most 2^31 - 1 weights are supported, got ${n}`);
    }
    let max = 0;
    let argMax = -1;
    for (let i = 0; i < n; i++) {
      const w = weights[i]!;
      if (!(Number.isFinite(w) && w >= 0)) {
        throw new Error(
          `AliasTable.fromWeights: weight at index ${i} is ${describe(w)}; weights must be finite and non-negative`,
        );
      }
      if (w > max) {
        max = w;
        argMax = i;
      }
    }
    if (argMax < 0) {
      throw new Error(`AliasTable.fromWeights: all ${n} weights are zero; at least one must be positive`);
    }

    const scaled = new Float64Array(n);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      scaled[i] = weights[i]! / max;
      sum += scaled[i]!;
    }
    const toColumns = n / sum;
    for (let i = 0; i < n; i++) scaled[i] = scaled[i]! * toColumns;

    const prob = new Float32Array(n);
    const alias = new Int32Array(n);
    // Both stacks share one buffer: small grows up from 0, large grows down from n.
    // An index lives on at most one stack at a time, so they never collide.
    const stacks = new Int32Array(n);
    let smallTop = 0;
    let largeTop = n;
    for (let i = 0; i < n; i++) {
      if (scaled[i]! < 1) stacks[smallTop++] = i;
      else stacks[--largeTop] = i;
    }
    while (smallTop > 0 && largeTop < n) {
      const small = stacks[--smallTop]!;
      const large = stacks[largeTop++]!;
      prob[small] = scaled[small]!;
      alias[small] = large;
      // Vose's form (p_l + p_s) - 1 loses less precision than p_l - (1 - p_s).
      const rest = scaled[large]! + scaled[small]! - 1;
      scaled[large] = rest;
      if (rest < 1) stacks[smallTop++] = large;
      else stacks[--largeTop] = large;
    }
    while (largeTop < n) {
      const large = stacks[largeTop++]!;
      prob[large] = 1;
      alias[large] = large;
    }
    while (smallTop > 0) {
      // Only rounding leaves entries here, and they are all within rounding of 1.
      // A zero weight cannot be among them (the remaining mass would fall short by a
      // whole column), but the guard makes "zero weight is never sampled" hold by
      // construction rather than by that argument.
      const small = stacks[--smallTop]!;
      if (weights[small]! > 0) {
        prob[small] = 1;
        alias[small] = small;
      } else {
        prob[small] = 0;
        alias[small] = argMax;
      }
    }
    return new AliasTable(prob, alias);
  }

  /**
   * Number of entries (columns) in the table.
   *
   * @example
   * ```ts
   * AliasTable.fromWeights([1, 2, 3]).size; // 3
   * ```
   */
  get size(): number {
    return this.prob.length;
  }

  /**
   * The sampling recipe on two given words; what {@link AliasTable.sample} applies to
   * the next two words of a stream, exposed so other backends can be checked against
   * it word for word.
   *
   * @param columnWord - unsigned 32-bit word choosing the column (`mulhi32(word, n)`).
   * @param coinWord - unsigned 32-bit word whose 24-bit uniform is compared with
   *   `prob[column]`.
   * @returns the sampled index.
   *
   * @example
   * ```ts
   * const table = AliasTable.fromWeights([1, 1]);
   * table.sampleWords(0x0000_0000, 0); // column 0, coin 0 < 1: returns 0
   * table.sampleWords(0x8000_0000, 0); // column 1: returns 1
   * ```
   */
  sampleWords(columnWord: number, coinWord: number): number {
    const column = mulhi32(columnWord, this.prob.length);
    return (coinWord >>> 8) * UNIFORM_STEP < this.prob[column]! ? column : this.alias[column]!;
  }

  /**
   * Draws one index. Consumes exactly 2 words of `rng`: the column word, then the coin
   * word (see the class documentation for the recipe).
   *
   * @param rng - the stream to draw from.
   * @returns an index in `[0, size)` with a positive weight.
   *
   * @example
   * ```ts
   * const rng = new Philox({ seed: 8 });
   * const negative = AliasTable.fromWeights([5, 1, 1]).sample(rng);
   * ```
   */
  sample(rng: Philox): number {
    const columnWord = rng.nextU32();
    return this.sampleWords(columnWord, rng.nextU32());
  }

  /**
   * Draws `count` indices; equivalent to `count` calls of {@link AliasTable.sample},
   * so it consumes `2 * count` words.
   *
   * @param rng - the stream to draw from.
   * @param count - number of samples, a non-negative integer.
   * @param out - optional buffer of length `>= count`; the first `count` entries are
   *   written.
   * @returns `out`, or a new `Int32Array(count)`.
   * @throws RangeError if `count` is not a non-negative integer or `out` is too short.
   *
   * @example
   * ```ts
   * const table = AliasTable.fromWeights(unigramWeights([120, 40, 0, 7]));
   * const epoch = 3;
   * const negatives = table.sampleMany(new Philox({ seed: 1, stream: epoch }), 5 * 256);
   * ```
   */
  sampleMany(rng: Philox, count: number, out?: Int32Array): Int32Array {
    if (!Number.isInteger(count) || count < 0) {
      throw new RangeError(`AliasTable.sampleMany: count must be a non-negative integer, got ${count}`);
    }
    const result = out ?? new Int32Array(count);
    if (result.length < count) {
      throw new RangeError(
        `AliasTable.sampleMany: out holds ${result.length} entries, fewer than count = ${count}`,
      );
    }
    const prob = this.prob;
    const alias = this.alias;
    const n = prob.length;
    for (let j = 0; j < count; j++) {
      const column = mulhi32(rng.nextU32(), n);
      result[j] = (rng.nextU32() >>> 8) * UNIFORM_STEP < prob[column]! ? column : alias[column]!;
    }
    return result;
  }
}

/**
 * word2vec-style smoothed unigram weights `count^power` for negative sampling
 * (Mikolov et al. 2013 use `power = 0.75`), which flattens the popularity
 * distribution so rare items are drawn more often than their raw frequency.
 *
 * Zero counts map to weight 0 for every `power` (including 0), so unseen items are
 * never sampled.
 *
 * @param counts - non-negative finite occurrence counts per item.
 * @param power - exponent, finite and `>= 0`; defaults to 0.75.
 * @returns a new Float64Array of weights, ready for {@link AliasTable.fromWeights}.
 * @throws Error naming the index and value of the first invalid count, or if `power`
 *   is invalid.
 *
 * @example
 * ```ts
 * const weights = unigramWeights([100, 10, 0, 1]); // [31.62…, 5.62…, 0, 1]
 * const sampler = AliasTable.fromWeights(weights);
 * ```
 */
export function unigramWeights(counts: ArrayLike<number>, power = 0.75): Float64Array {
  if (!(Number.isFinite(power) && power >= 0)) {
    throw new Error(`unigramWeights: power must be finite and non-negative, got ${describe(power)}`);
  }
  const weights = new Float64Array(counts.length);
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i]!;
    if (!(Number.isFinite(count) && count >= 0)) {
      throw new Error(
        `unigramWeights: count at index ${i} is ${describe(count)}; counts must be finite and non-negative`,
      );
    }
    weights[i] = count === 0 ? 0 : Math.pow(count, power);
  }
  return weights;
}
