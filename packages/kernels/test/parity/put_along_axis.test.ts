import { type Backend, runKernel, tensor } from '@rec/core';
import { assertExact, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { expectFailure, ids, uniformF32 } from './fixtures.js';

/** A put writes one copied value per row into zeros: every backend must match the reference bit for bit. */
const CASES: [name: string, indexShape: number[], classes: number][] = [
  ['257 rows of 100 classes', [257], 100],
  ['indices of shape [4, 6], 9 classes', [4, 6], 9],
  ['one class', [33], 1],
  ['no rows', [0], 5],
  ['100,000 rows of 3 classes (split over threads)', [100_000], 3],
];
const size = (s: number[]) => s.reduce((p, d) => p * d, 1);

async function put(backend: Backend | string, x: Float32Array, idx: Int32Array, idxShape: number[], classes: number): Promise<{ shape: number[]; data: Float32Array }> {
  const [y] = runKernel('put_along_axis', [tensor(x, idxShape, { backend }), tensor(idx, idxShape, { backend })], { classes });
  return { shape: [...y.shape], data: (await y.read()) as Float32Array };
}

await forEachBackend(parityBackends('put_along_axis'), (backend) => {
  for (const [name, idxShape, classes] of CASES) {
    it(`matches the reference exactly (${name})`, async () => {
      const x = uniformF32(51, size(idxShape), -10, 10);
      // The reference's 0 + x turns −0 into +0; a subnormal stays as it is.
      if (x.length >= 3) x.set([-0, 1e-40, -1e-42], 0);
      const idx = ids(52, size(idxShape), classes);
      const ref = await put('js', x, idx, idxShape, classes);
      for (const threads of [1, 2]) {
        const got = await withNativeThreads(backend.name, threads, () => put(backend, x, idx, idxShape, classes));
        expect(got.shape).toEqual(ref.shape);
        assertExact(got.data, ref.data, `${name} (${threads} thread(s))`);
      }
    });
  }

  it('rejects an index outside the classes, naming it (webgpu: the class count, as the index stays on the GPU)', async () => {
    const x = uniformF32(53, 3);
    const gpu = backend.name === 'webgpu';
    await expectFailure(() => put(backend, x, Int32Array.of(0, 1, 4), [3], 4), gpu ? /an index is out of range for 4 classes/ : /index 4 in row 2 is out of range for 4 classes/);
  });
});
