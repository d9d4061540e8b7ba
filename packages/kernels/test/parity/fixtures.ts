/** Deterministic test inputs for the parity tests, drawn from Philox. */
import { Philox } from '@rec/core';

/** Uniform f32 values in [lo, hi). */
export function uniformF32(seed: number, n: number, lo = -1, hi = 1): Float32Array {
  const rng = new Philox({ seed, stream: 11 });
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rng.uniform();
  return out;
}

/** Integers in [lo, hi] as f32 (exact in f32, so dot products of them are exact). */
export function integerF32(seed: number, n: number, lo: number, hi: number): Float32Array {
  const rng = new Philox({ seed, stream: 12 });
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + rng.int(hi - lo + 1);
  return out;
}

/** Ids uniform in [0, count). */
export function ids(seed: number, n: number, count: number): Int32Array {
  const rng = new Philox({ seed, stream: 13 });
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(count);
  return out;
}

/**
 * A CSR of sorted, distinct item ids per row: row r holds about
 * `density(r)·items` items.
 */
export function csr(seed: number, rows: number, items: number, density: (row: number) => number): { indptr: Int32Array; indices: Int32Array } {
  const rng = new Philox({ seed, stream: 14 });
  const indptr = new Int32Array(rows + 1);
  const all: number[] = [];
  for (let r = 0; r < rows; r++) {
    const p = density(r);
    for (let j = 0; j < items; j++) if (rng.uniform() < p) all.push(j);
    indptr[r + 1] = all.length;
  }
  return { indptr, indices: Int32Array.from(all) };
}

/**
 * Asserts that `run` fails with `message`: by throwing at once (js, native,
 * which check before writing) or at the read it ends with (webgpu, whose
 * kernels report bad input through a status word raised by the next read).
 */
export async function expectFailure(run: () => Promise<unknown>, message: RegExp): Promise<void> {
  let error: unknown;
  try {
    await run();
  } catch (err) {
    error = err;
  }
  if (!(error instanceof Error)) throw new Error(`expected a failure matching ${message}, but the run succeeded`);
  if (!message.test(error.message)) throw new Error(`expected a failure matching ${message}, got: ${error.message}`);
}

/**
 * The first index where two f32 arrays differ in their bits (−1 when identical; 0 when the
 * lengths differ): the check of a kernel that promises the reference bit for bit.
 *
 * @example
 * ```ts
 * expect(bitsDiffer(got, ref)).toBe(-1);
 * ```
 */
export function bitsDiffer(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return k;
  return -1;
}
