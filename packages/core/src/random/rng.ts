import { mulhi32, philox4x32Into } from './philox.js';

/**
 * A Philox seed: any integer that fits in 64 bits, as a `number` (safe integer) or a
 * `bigint`. Negative seeds down to -2^63 are taken as their two's complement, the same
 * bits C++ gets from `static_cast<uint64_t>(int64_t{seed})`.
 */
export type PhiloxSeed = number | bigint;

/** Construction options of {@link Philox}. */
export interface PhiloxOptions {
  /** 64-bit seed; becomes the Philox key `[seed lo, seed hi]`. */
  seed: PhiloxSeed;
  /**
   * Stream id in `[0, 2^32)`; becomes counter word 2, so streams of one seed never
   * overlap. Defaults to 0.
   */
  stream?: number;
}

const TWO_POW_32 = 0x1_0000_0000;
const TWO_POW_64 = 1n << 64n;
const TWO_POW_63 = 1n << 63n;
/** 2^-24: the spacing of the 24-bit uniforms, each exactly representable as f32. */
const UNIFORM_STEP = 1 / 16_777_216;
const TWO_PI = 2 * Math.PI;

/** The key words `[seed lo, seed hi]` a seed maps to. */
function seedToKey(seed: PhiloxSeed): [number, number] {
  if (typeof seed === 'bigint') {
    if (seed < -TWO_POW_63 || seed >= TWO_POW_64) {
      throw new RangeError(`Philox seed must fit in 64 bits ([-2^63, 2^64)), got ${seed}`);
    }
    const bits = BigInt.asUintN(64, seed);
    return [Number(bits & 0xffff_ffffn), Number(bits >> 32n)];
  }
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(
      `Philox seed must be a safe integer or a bigint, got ${String(seed)}; pass a bigint for seeds beyond 2^53`,
    );
  }
  // ToUint32 and floor division are exact on safe integers, negative ones included,
  // so this yields the two's complement words.
  return [seed >>> 0, Math.floor(seed / TWO_POW_32) >>> 0];
}

function checkStream(stream: number): number {
  if (!Number.isInteger(stream) || stream < 0 || stream >= TWO_POW_32) {
    throw new RangeError(`Philox stream must be an integer in [0, 2^32), got ${String(stream)}`);
  }
  return stream;
}

function checkCounter(counter: number, what: string): void {
  if (!Number.isSafeInteger(counter) || counter < 0) {
    throw new RangeError(`${what} must be a non-negative safe integer, got ${String(counter)}`);
  }
}

/**
 * Maps a 32-bit word to the f32-exact uniform `(word >>> 8) * 2^-24` in `[0, 1)`.
 *
 * The top 24 bits are used because 24 is the f32 significand width: every result is
 * exactly representable in `float`, so a GPU kernel that computes
 * `f32(word >> 8u) * 0x1p-24` gets the same bits as this function. The largest value
 * is `1 - 2^-24`, so the interval is half-open.
 *
 * @param word - unsigned 32-bit integer.
 * @returns a multiple of 2^-24 in `[0, 1 - 2^-24]`.
 *
 * @example
 * ```ts
 * uniformFromU32(0);          // 0
 * uniformFromU32(0xffffffff); // 0.9999999403953552 (= 1 - 2^-24)
 * ```
 */
export function uniformFromU32(word: number): number {
  return (word >>> 8) * UNIFORM_STEP;
}

/**
 * Box–Muller radius `sqrt(-2 ln(1 - u1))` for a 24-bit uniform `u1`.
 * `1 - u1` lies in `[2^-24, 1]`, so the logarithm is always finite.
 */
function boxMullerRadius(radiusWord: number): number {
  return Math.sqrt(-2 * Math.log(1 - (radiusWord >>> 8) * UNIFORM_STEP));
}

// Scratch block for the stateless helpers; safe to share because JS is single-threaded
// within an isolate and the helpers never yield while it holds live data.
const scratchBlock = new Uint32Array(4);

/**
 * Word `k` of the Philox sequence for `(seed, stream)`, without any generator state.
 *
 * Word `k` is word `k % 4` of
 * `philox4x32([floor(k/4) lo, floor(k/4) hi, stream, 0], [seed lo, seed hi])`.
 * This is what a GPU thread computes to find its own random words.
 *
 * @param seed - 64-bit seed (see {@link PhiloxSeed}).
 * @param stream - stream id in `[0, 2^32)`.
 * @param k - word index, a non-negative safe integer.
 * @returns the unsigned 32-bit word.
 *
 * @example
 * ```ts
 * const rng = new Philox({ seed: 42, stream: 3 });
 * rng.skipTo(10);
 * rng.nextU32() === u32At(42, 3, 10); // true
 * ```
 */
export function u32At(seed: PhiloxSeed, stream: number, k: number): number {
  const [keyLo, keyHi] = seedToKey(seed);
  checkStream(stream);
  checkCounter(k, 'u32At: word index k');
  const block = Math.floor(k / 4);
  philox4x32Into(block >>> 0, Math.floor(block / TWO_POW_32), stream, 0, keyLo, keyHi, scratchBlock, 0);
  return scratchBlock[k % 4]!;
}

/**
 * The `k`-th uniform of the Philox sequence for `(seed, stream)`, without state:
 * `uniformFromU32(u32At(seed, stream, k))`.
 *
 * @param seed - 64-bit seed (see {@link PhiloxSeed}).
 * @param stream - stream id in `[0, 2^32)`.
 * @param k - word index, a non-negative safe integer.
 * @returns an f32-exact uniform in `[0, 1)`.
 *
 * @example
 * ```ts
 * const rng = new Philox({ seed: 7n });
 * const first = rng.uniform();
 * first === uniformAt(7n, 0, 0); // true
 * ```
 */
export function uniformAt(seed: PhiloxSeed, stream: number, k: number): number {
  return uniformFromU32(u32At(seed, stream, k));
}

/**
 * A reproducible stream of random numbers from the Philox4x32-10 counter-based
 * generator, laid out so C++ and WGSL kernels can reproduce it bit for bit.
 *
 * **Layout.** The stream for `(seed, stream)` is a sequence of unsigned 32-bit words
 * indexed by `k = 0, 1, 2, ...` (the *counter*). Word `k` is word `k % 4` of
 *
 * ```text
 * philox4x32(counter = [b lo, b hi, stream, 0], key = [seed lo, seed hi]),  b = floor(k / 4)
 * ```
 *
 * where `b lo = b mod 2^32`, `b hi = floor(b / 2^32)`, and the seed is read as an
 * unsigned 64-bit integer (`seed lo` = low 32 bits). Counter word 3 is reserved and
 * always 0. Every draw method consumes a documented, fixed number of words, except
 * {@link Philox.int}, whose rare rejections consume one extra word each (still fully
 * determined by the sequence).
 *
 * **Handing off to a kernel.** Read {@link Philox.counter} to tell a kernel "start at
 * word c", or {@link Philox.reserve} a range of words for it, and continue on the CPU
 * after that range.
 *
 * Instances are cheap (one 4-word buffer). Numbers are generated four words at a
 * time; nothing is allocated per draw.
 *
 * @example
 * ```ts
 * const rng = new Philox({ seed: 2024, stream: 1 });
 * const x = rng.uniform();      // f32-exact, in [0, 1)
 * const i = rng.int(10);        // unbiased, in [0, 10)
 * const z = rng.normal(0, 0.1); // Gaussian
 * const init = new Float32Array(64 * 16);
 * rng.fillNormal(init, 0, 0.01);
 * ```
 */
export class Philox {
  /** Key word 0: the low 32 bits of the seed. */
  readonly keyLo: number;
  /** Key word 1: the high 32 bits of the seed. */
  readonly keyHi: number;
  /** Stream id: counter word 2. */
  readonly stream: number;

  /** Index `b` of the next block to compute, split into 32-bit words. */
  private nextBlockLo = 0;
  private nextBlockHi = 0;
  /** Last computed block; words `position..3` are still unread. */
  private readonly block = new Uint32Array(4);
  private position = 4;

  /**
   * Creates the stream for `(seed, stream)` positioned at word 0.
   *
   * @param options - `seed` (64-bit, number or bigint) and optional `stream` id.
   * @throws RangeError if the seed does not fit in 64 bits or is not an integer, or
   *   the stream is not an integer in `[0, 2^32)`.
   *
   * @example
   * ```ts
   * const a = new Philox({ seed: 1 });
   * const b = new Philox({ seed: 0xdead_beef_cafe_f00dn, stream: 7 });
   * ```
   */
  constructor(options: PhiloxOptions) {
    const [keyLo, keyHi] = seedToKey(options.seed);
    this.keyLo = keyLo;
    this.keyHi = keyHi;
    this.stream = checkStream(options.stream ?? 0);
  }

  /**
   * Word `k` of the sequence for `(seed, stream)` without state; see {@link u32At}.
   *
   * @example
   * ```ts
   * Philox.u32At(1, 0, 0) === new Philox({ seed: 1 }).nextU32(); // true
   * ```
   */
  static u32At(seed: PhiloxSeed, stream: number, k: number): number {
    return u32At(seed, stream, k);
  }

  /**
   * The `k`-th uniform for `(seed, stream)` without state; see {@link uniformAt}.
   *
   * @example
   * ```ts
   * Philox.uniformAt(1, 0, 5); // same as the 6th rng.uniform() of new Philox({ seed: 1 })
   * ```
   */
  static uniformAt(seed: PhiloxSeed, stream: number, k: number): number {
    return uniformAt(seed, stream, k);
  }

  /**
   * The key words `[seed lo, seed hi]` that kernels pass to Philox.
   *
   * @example
   * ```ts
   * new Philox({ seed: 0x1_0000_0002 }).key; // [2, 1]
   * ```
   */
  get key(): [number, number] {
    return [this.keyLo, this.keyHi];
  }

  /**
   * Index of the next word this stream will return: the number of words drawn since
   * word 0 (or since the last {@link Philox.skipTo}).
   *
   * @example
   * ```ts
   * const rng = new Philox({ seed: 1 });
   * rng.normal();  // two words
   * rng.counter;   // 2
   * ```
   */
  get counter(): number {
    const nextBlock = this.nextBlockHi * TWO_POW_32 + this.nextBlockLo;
    return nextBlock * 4 - (4 - this.position);
  }

  /**
   * Positions the stream so the next word returned is word `counter`.
   *
   * Jumping is O(1) in either direction: a counter-based generator has no state to
   * replay.
   *
   * @param counter - word index, a non-negative safe integer.
   * @throws RangeError if `counter` is negative, fractional or not safe.
   *
   * @example
   * ```ts
   * const rng = new Philox({ seed: 9 });
   * rng.skipTo(1_000_000);
   * rng.nextU32() === Philox.u32At(9, 0, 1_000_000); // true
   * ```
   */
  skipTo(counter: number): void {
    checkCounter(counter, 'Philox.skipTo: counter');
    const block = Math.floor(counter / 4);
    const word = counter % 4;
    this.nextBlockLo = block >>> 0;
    this.nextBlockHi = Math.floor(block / TWO_POW_32);
    this.position = 4;
    if (word !== 0) {
      this.refill();
      this.position = word;
    }
  }

  /**
   * Reserves the next `count` words for someone else (typically a kernel) and moves
   * this stream past them.
   *
   * @param count - number of words to hand off, a non-negative safe integer.
   * @returns the counter of the first reserved word; the range is
   *   `[returned, returned + count)`.
   *
   * @example
   * ```ts
   * const rng = new Philox({ seed: 3 });
   * const start = rng.reserve(4 * 1024); // kernel thread t reads words start + 4t .. start + 4t + 3
   * rng.uniform();                       // continues at start + 4096
   * ```
   */
  reserve(count: number): number {
    checkCounter(count, 'Philox.reserve: count');
    const start = this.counter;
    this.skipTo(start + count);
    return start;
  }

  /**
   * Next unsigned 32-bit word of the stream. Consumes 1 word.
   *
   * @example
   * ```ts
   * const w = new Philox({ seed: 0 }).nextU32(); // 0x6627e8d5, Random123's zero vector
   * ```
   */
  nextU32(): number {
    if (this.position === 4) this.refill();
    return this.block[this.position++]!;
  }

  /**
   * Uniform in `[0, 1)`: `(word >>> 8) * 2^-24`, exactly representable as f32 (see
   * {@link uniformFromU32}). Consumes 1 word.
   *
   * @example
   * ```ts
   * const u = new Philox({ seed: 1 }).uniform();
   * Math.fround(u) === u; // true
   * ```
   */
  uniform(): number {
    if (this.position === 4) this.refill();
    return (this.block[this.position++]! >>> 8) * UNIFORM_STEP;
  }

  /**
   * Uniform in `[lo, hi)`: `lo + (hi - lo) * u` with `u` from {@link Philox.uniform},
   * evaluated in f64. Consumes 1 word. An f32 kernel evaluating the same formula can
   * differ in the last bits, and for extreme ranges rounding may reach `hi`.
   *
   * @param lo - inclusive lower bound (finite).
   * @param hi - exclusive upper bound (finite, `>= lo`).
   * @throws RangeError if a bound is not finite or `hi < lo`.
   *
   * @example
   * ```ts
   * const w = new Philox({ seed: 1 }).uniformRange(-0.05, 0.05);
   * ```
   */
  uniformRange(lo: number, hi: number): number {
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo) {
      throw new RangeError(`Philox.uniformRange: need finite lo <= hi, got [${lo}, ${hi})`);
    }
    return lo + (hi - lo) * this.uniform();
  }

  /**
   * Unbiased integer in `[0, n)` by Lemire's multiply-shift with rejection
   * ("Fast random integer generation in an interval", ACM TOMACS 2019).
   *
   * Recipe: draw a word `x`; form the 64-bit product `m = x * n`; if
   * `m mod 2^32 < (2^32 mod n)` reject and draw again; return `floor(m / 2^32)`.
   * Usually consumes exactly 1 word; each rejection (probability `< n / 2^32`)
   * consumes one more, so the result is a deterministic function of the stream.
   *
   * @param n - exclusive upper bound, an integer in `[1, 2^32]`.
   * @throws RangeError if `n` is not an integer in `[1, 2^32]`.
   *
   * @example
   * ```ts
   * const rng = new Philox({ seed: 5 });
   * const die = 1 + rng.int(6); // 1..6
   * ```
   */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) {
      throw new RangeError(`Philox.int: n must be an integer in [1, 2^32], got ${String(n)}`);
    }
    if (n === TWO_POW_32) return this.nextU32();
    let word = this.nextU32();
    let low = Math.imul(word, n) >>> 0;
    // Checking `low < n` first skips the modulo on almost every call; the threshold
    // 2^32 mod n is always below n, so the rejection rule is unchanged.
    if (low < n) {
      const threshold = (TWO_POW_32 - n) % n;
      while (low < threshold) {
        word = this.nextU32();
        low = Math.imul(word, n) >>> 0;
      }
    }
    return mulhi32(word, n);
  }

  /**
   * Fisher–Yates shuffle in place: from the last position down, position `i`
   * swaps with `int(i + 1)`. Returns `values`.
   *
   * @example
   * ```ts
   * const order = new Philox({ seed: 3 }).shuffle(Int32Array.of(0, 1, 2, 3)); // a permutation
   * ```
   */
  shuffle<T extends Int32Array | number[]>(values: T): T {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = values[i];
      values[i] = values[j];
      values[j] = t;
    }
    return values;
  }

  /**
   * Gaussian sample by the Box–Muller transform. Consumes 2 words.
   *
   * Recipe: with `u1`, `u2` the 24-bit uniforms of the next two words (in that order),
   * `z = sqrt(-2 ln(1 - u1)) * cos(2π u2)`, returned as `mean + std * z`. Only the
   * cosine branch is used, so every normal costs exactly two words and normal `j`
   * after counter `c` always comes from words `c + 2j`, `c + 2j + 1`. Because `1 - u1
   * >= 2^-24`, `|z| <= sqrt(48 ln 2) ≈ 5.77`. Evaluated in f64; kernels using their own
   * `log`/`cos` agree to floating-point tolerance, not bit for bit.
   *
   * @param mean - mean of the distribution; defaults to 0.
   * @param std - standard deviation; defaults to 1.
   *
   * @example
   * ```ts
   * const rng = new Philox({ seed: 11 });
   * const noise = rng.normal(0, 0.1);
   * ```
   */
  normal(mean = 0, std = 1): number {
    const radius = boxMullerRadius(this.nextU32());
    return mean + std * radius * Math.cos(TWO_PI * uniformFromU32(this.nextU32()));
  }

  /**
   * `true` with probability `p`: `uniform() < p`. Consumes 1 word. The comparison has
   * 2^-24 resolution; `p = 0` is never and `p = 1` always true.
   *
   * @param p - success probability in `[0, 1]`.
   * @throws RangeError if `p` is outside `[0, 1]` or NaN.
   *
   * @example
   * ```ts
   * const keep = new Philox({ seed: 2 }).bernoulli(0.9); // dropout mask bit
   * ```
   */
  bernoulli(p: number): boolean {
    if (!(p >= 0 && p <= 1)) {
      throw new RangeError(`Philox.bernoulli: p must be in [0, 1], got ${String(p)}`);
    }
    return this.uniform() < p;
  }

  /**
   * Fills `out` with uniforms in `[0, 1)`: `out[i]` comes from word `c + i`, where `c`
   * is the counter on entry. Equivalent to `out.length` calls of
   * {@link Philox.uniform}; consumes `out.length` words. Values are f32-exact, so the
   * Float32Array holds them without rounding.
   *
   * @param out - buffer to fill.
   * @returns `out`.
   *
   * @example
   * ```ts
   * const noise = new Philox({ seed: 4 }).fillUniform(new Float32Array(1024));
   * ```
   */
  fillUniform(out: Float32Array): Float32Array {
    const block = this.block;
    const length = out.length;
    let i = 0;
    while (i < length && this.position < 4) {
      out[i++] = (block[this.position++]! >>> 8) * UNIFORM_STEP;
    }
    while (i < length) {
      this.refill();
      const take = Math.min(4, length - i);
      for (let w = 0; w < take; w++) out[i++] = (block[w]! >>> 8) * UNIFORM_STEP;
      this.position = take;
    }
    return out;
  }

  /**
   * Fills `out` with Gaussian samples `mean + std * z`, using both Box–Muller branches.
   *
   * Recipe, with `c` the counter on entry: pair `j` reads words `c + 2j` (radius) and
   * `c + 2j + 1` (angle), computes `r = sqrt(-2 ln(1 - u1))`, `θ = 2π u2`, and writes
   * `out[2j] = mean + std * r cos θ`, `out[2j + 1] = mean + std * r sin θ`. For odd
   * lengths the last pair writes only its cosine. Consumes `2 * ceil(out.length / 2)`
   * words, and `out[2j]` equals what {@link Philox.normal} would return for that pair.
   * Values are computed in f64 and rounded to f32 on store.
   *
   * @param out - buffer to fill.
   * @param mean - mean of the distribution; defaults to 0.
   * @param std - standard deviation; defaults to 1.
   * @returns `out`.
   *
   * @example
   * ```ts
   * const rng = new Philox({ seed: 12, stream: 0 });
   * const embedding = rng.fillNormal(new Float32Array(10_000 * 64), 0, 0.01);
   * ```
   */
  fillNormal(out: Float32Array, mean = 0, std = 1): Float32Array {
    const length = out.length;
    let i = 0;
    for (; i + 1 < length; i += 2) {
      const radius = std * boxMullerRadius(this.nextU32());
      const angle = TWO_PI * uniformFromU32(this.nextU32());
      out[i] = mean + radius * Math.cos(angle);
      out[i + 1] = mean + radius * Math.sin(angle);
    }
    if (i < length) out[i] = this.normal(mean, std);
    return out;
  }

  /** Computes block `nextBlock` into the buffer and advances the block index. */
  private refill(): void {
    philox4x32Into(
      this.nextBlockLo,
      this.nextBlockHi,
      this.stream,
      0,
      this.keyLo,
      this.keyHi,
      this.block,
      0,
    );
    this.nextBlockLo = (this.nextBlockLo + 1) >>> 0;
    if (this.nextBlockLo === 0) this.nextBlockHi = (this.nextBlockHi + 1) >>> 0;
    this.position = 0;
  }
}
