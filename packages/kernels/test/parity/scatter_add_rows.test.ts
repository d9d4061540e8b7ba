import { type Backend, runKernel, tensor, type TypedArray } from '@rec/core';
import { assertExact, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { expectFailure, ids, uniformF32 } from './fixtures.js';

/**
 * Exact for every dtype: each row receives its adds in order of j (f32 adds
 * round as the reference's f64 add stored to f32; i32/u32 wrap modulo 2³²).
 */
const CASES: [name: string, targetShape: number[], n: number][] = [
  ['100 × 8 target, 300 rows with many duplicates', [100, 8], 300],
  ['rows of shape [2, 3]', [40, 2, 3], 25],
  ['a rank-1 target', [64], 200],
  ['no rows to add', [10, 4], 0],
  ['5,000 × 32 target, 20,000 rows (split over threads)', [5000, 32], 20_000],
];
const size = (s: number[]) => s.reduce((p, d) => p * d, 1);

function values(dtype: 'f32' | 'i32' | 'u32', n: number, seed: number): TypedArray {
  const f = uniformF32(seed, n, -1, 1);
  // Large integers, so repeated adds wrap as the reference's typed-array stores do.
  return dtype === 'f32' ? f : dtype === 'i32' ? Int32Array.from(f, (v) => v * 2 ** 30) : Uint32Array.from(f, (v) => Math.abs(v) * 2 ** 31);
}

async function scatter(backend: Backend | string, target: TypedArray, shape: number[], idx: Int32Array, src: TypedArray): Promise<TypedArray> {
  const srcShape = [idx.length, ...shape.slice(1)];
  const [y] = runKernel('scatter_add_rows', [tensor(target, shape, { backend }), tensor(idx, [idx.length], { backend }), tensor(src, srcShape, { backend })], {});
  expect([...y.shape]).toEqual(shape);
  return y.read();
}

await forEachBackend(parityBackends('scatter_add_rows'), (backend) => {
  for (const dtype of ['f32', 'i32', 'u32'] as const) {
    for (const [name, shape, n] of CASES) {
      it(`matches the reference exactly (${dtype}, ${name})`, async () => {
        const width = size(shape.slice(1));
        const target = values(dtype, size(shape), 94);
        const before = target.slice();
        // Ids drawn from a quarter of the rows: most rows are hit several times.
        const idx = ids(95, n, Math.max(1, Math.floor(shape[0] / 4)));
        const src = values(dtype, n * width, 96);
        const ref = await scatter('js', target, shape, idx, src);
        for (const threads of [1, 2]) {
          const got = await withNativeThreads(backend.name, threads, () => scatter(backend, target, shape, idx, src));
          assertExact(got, ref, `${dtype}, ${name} (${threads} thread(s))`);
        }
        assertExact(target, before, 'target is unchanged');
      });
    }
  }

  it('rejects an id outside the target, naming it (webgpu: the row count, as the id stays on the GPU)', async () => {
    const message = backend.name === 'webgpu' ? /an index is out of range for 4 rows/ : /index 4 at position 1 is out of range/;
    await expectFailure(() => scatter(backend, new Float32Array(8), [4, 2], Int32Array.of(0, 4), new Float32Array(4)), message);
    await expectFailure(() => scatter(backend, new Float32Array(8), [4, 2], Int32Array.of(-1, 0), new Float32Array(4)), backend.name === 'webgpu' ? message : /index -1 at position 0 is out of range/);
  });
});
