import { type Backend, runKernel, tensor, type TypedArray } from '@rec/core';
import { assertExact, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { expectFailure, ids, uniformF32 } from './fixtures.js';

/** A gather is a copy: every backend must give the reference's values bit for bit, for every dtype. */
const CASES: [name: string, tableShape: number[], indexShape: number[]][] = [
  ['1,000 × 16 table, 257 ids', [1000, 16], [257]],
  ['rows of shape [3, 4], ids of shape [8, 9]', [50, 3, 4], [8, 9]],
  ['a rank-1 table (rows of one value)', [100], [31]],
  ['no ids', [10, 5], [0]],
  ['20,000 × 64 table, 10,000 ids (split over threads)', [20_000, 64], [10_000]],
];
const size = (s: number[]) => s.reduce((p, d) => p * d, 1);

function table(dtype: 'f32' | 'i32' | 'u32', n: number): TypedArray {
  const f = uniformF32(91, n, -1e6, 1e6);
  return dtype === 'f32' ? f : dtype === 'i32' ? Int32Array.from(f) : Uint32Array.from(f, (v) => Math.abs(v) * 4000);
}

async function gather(backend: Backend | string, t: TypedArray, shape: number[], idx: Int32Array, idxShape: number[]): Promise<{ shape: number[]; data: TypedArray }> {
  const [y] = runKernel('gather_rows', [tensor(t, shape, { backend }), tensor(idx, idxShape, { backend })], {});
  return { shape: [...y.shape], data: await y.read() };
}

await forEachBackend(parityBackends('gather_rows'), (backend) => {
  for (const dtype of ['f32', 'i32', 'u32'] as const) {
    for (const [name, shape, idxShape] of CASES) {
      it(`copies the reference's rows exactly (${dtype}, ${name})`, async () => {
        const t = table(dtype, size(shape));
        const idx = ids(92, size(idxShape), shape[0]);
        const ref = await gather('js', t, shape, idx, idxShape);
        for (const threads of [1, 2]) {
          const got = await withNativeThreads(backend.name, threads, () => gather(backend, t, shape, idx, idxShape));
          expect(got.shape).toEqual(ref.shape);
          assertExact(got.data, ref.data, `${dtype}, ${name} (${threads} thread(s))`);
        }
      });
    }
  }

  it('rejects an id outside the table, naming it (webgpu: the table size, as the id stays on the GPU)', async () => {
    const t = uniformF32(93, 40);
    const gpu = backend.name === 'webgpu';
    await expectFailure(() => gather(backend, t, [10, 4], Int32Array.of(1, 10), [2]), gpu ? /an index is out of range for a table of 10 rows/ : /index 10 at position 1 is out of range/);
    await expectFailure(() => gather(backend, t, [10, 4], Int32Array.of(-1), [1]), gpu ? /an index is out of range for a table of 10 rows/ : /index -1 at position 0 is out of range/);
  });
});
