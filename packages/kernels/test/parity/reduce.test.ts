import { type Backend, runKernel, tensor, type TypedArray } from '@rec/core';
import { assertClose, assertExact, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { ids, uniformF32 } from './fixtures.js';

/**
 * f32 sums: native sums a contiguous run in 8 f64 lanes (and long runs in
 * chunks), so its f64 sum may round to the neighbouring f32: 1 ulp, with an
 * atol for sums that cancel to near 0; webgpu sums as an f32 pair (~48 bits)
 * in a fixed order, so it too is within 1 ulp (0 ulp measured on these cases
 * on llvmpipe). max, min and every integer dtype are exact (bit for bit, −0
 * and NaN included) on every backend.
 */
const F32_SUM = { atol: 1e-9, rtol: 2.5e-7 };

const SHAPE = [6, 5, 4, 3];
/** Every axis pattern: none, trailing, leading, a middle run, interleaved (the general walk), all. */
const AXES: number[][] = [[], [3], [0], [1, 2], [0, 3], [0, 2], [1, 3], [0, 1, 2, 3], [2, 3], [0, 1]];
const FNS = ['sum', 'max', 'min'] as const;
const size = (s: number[]) => s.reduce((p, d) => p * d, 1);

function data(dtype: 'f32' | 'i32' | 'u32', n: number, seed: number): TypedArray {
  if (dtype === 'f32') {
    const x = uniformF32(seed, n, -4, 4);
    // NaN in one place only for max/min coverage is added per case; here ±0, ties and infinities.
    x.set([0, -0, -0, 0, 1, 1, Infinity, -Infinity].slice(0, Math.min(8, n)), Math.floor(n / 3));
    return x;
  }
  // Large magnitudes, so sums wrap modulo 2³² as the reference's stores do.
  const raw = ids(seed, n, 2 ** 31 - 1);
  return dtype === 'i32' ? raw.map((v, i) => (i % 2 ? -v : v)) : Uint32Array.from(raw, (v, i) => (i % 3 ? v * 2 : v));
}

async function run(backend: Backend | string, x: TypedArray, shape: number[], fn: string, axes: number[]): Promise<{ shape: number[]; data: TypedArray }> {
  const [y] = runKernel('reduce', [tensor(x, shape, { backend })], { fn, axes });
  return { shape: [...y.shape], data: await y.read() };
}

async function check(backend: Backend, x: TypedArray, shape: number[], fn: string, axes: number[], label: string): Promise<void> {
  const ref = await run('js', x, shape, fn, axes);
  for (const threads of [1, 2]) {
    const got = await withNativeThreads(backend.name, threads, () => run(backend, x, shape, fn, axes));
    expect(got.shape, label).toEqual(ref.shape);
    expect(got.data.constructor, label).toBe(ref.data.constructor);
    if (fn === 'sum' && x instanceof Float32Array) assertClose(got.data, ref.data, F32_SUM, `${label} (${threads} thread(s))`);
    else assertExact(got.data, ref.data, `${label} (${threads} thread(s))`);
  }
}

await forEachBackend(parityBackends('reduce'), (backend) => {
  for (const dtype of ['f32', 'i32', 'u32'] as const) {
    for (const fn of FNS) {
      it(`${fn} on ${dtype} matches the reference${fn === 'sum' && dtype === 'f32' ? ' to 1 ulp' : ' exactly'} over every axis pattern of [${SHAPE.join(', ')}]`, async () => {
        const x = data(dtype, size(SHAPE), 81);
        for (const axes of AXES) await check(backend, x, SHAPE, fn, axes, `${fn} ${dtype} axes [${axes.join(', ')}]`);
      });
    }
  }

  it('size-1 axes, NaN propagation and ±0 order match exactly', async () => {
    const x = uniformF32(82, 60, -1, 1);
    x[7] = NaN;
    x[20] = -0;
    x[21] = 0;
    for (const fn of FNS) {
      for (const axes of [[0, 2], [0], [2], [0, 1, 2]]) await check(backend, x, [4, 1, 15], fn, axes, `${fn} [4, 1, 15] axes [${axes.join(', ')}]`);
    }
    const zeros = Float32Array.from([0, -0, -0, 0, -0, -0]);
    for (const fn of FNS) await check(backend, zeros, [2, 3], fn, [1], `${fn} of signed zeros`);
    // Runs longer than native's 8 lanes whose extremum is a zero: the first zero's sign wins.
    const nonPositive = uniformF32(86, 40, -2, -0.5);
    nonPositive.set([-0, 0, -0], 9);
    nonPositive.set([0, -0], 25);
    await check(backend, nonPositive, [2, 20], 'max', [1], 'max of runs whose max is ±0');
    await check(backend, nonPositive.map((v) => -v), [2, 20], 'min', [1], 'min of runs whose min is ±0');
  });

  it('long runs whose extremum is ±0 or that hold a NaN match exactly (webgpu: one workgroup per output)', async () => {
    // 2 × 3000: past webgpu's REDUCE_WORKGROUP_FROM, so invocation l takes k ≡ l (mod 128) and the
    // first zero (k = 5, resp. 7) must win over a zero an earlier invocation holds (k = 130, resp. 300).
    const runs = uniformF32(87, 6000, -2, -0.5);
    runs[5] = -0;
    runs[130] = 0;
    runs[3000 + 7] = 0;
    runs[3000 + 300] = -0;
    await check(backend, runs, [2, 3000], 'max', [1], 'max of long runs whose max is ±0');
    await check(backend, runs.map((v) => -v), [2, 3000], 'min', [1], 'min of long runs whose min is ±0');
    const withNaN = uniformF32(88, 6000, -1, 1);
    withNaN[2999] = NaN;
    withNaN[3000 + 1000] = Infinity;
    withNaN[3000 + 2000] = -Infinity;
    for (const fn of FNS) await check(backend, withNaN, [2, 3000], fn, [1], `${fn} of long runs with NaN, +∞ and −∞`);
  });

  it('long runs (chunked over threads), wide rows and empty axes match', async () => {
    for (const fn of FNS) {
      await check(backend, uniformF32(83, 100_000, -1, 1), [100_000], fn, [0], `${fn} of 100,000 values`);
      await check(backend, ids(84, 100_000, 2 ** 31 - 1), [2, 50_000], fn, [1], `${fn} of 2 × 50,000 i32`);
      await check(backend, uniformF32(85, 3 * 1100, -1, 1), [3, 1100], fn, [0], `${fn} of 3 × 1,100 over rows`);
      await check(backend, new Float32Array(0), [0, 4], fn, [0], `${fn} over an empty axis (f32)`);
      await check(backend, new Int32Array(0), [3, 0], fn, [1], `${fn} over an empty axis (i32)`);
    }
  });
});
