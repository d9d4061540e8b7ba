import { type Backend, runKernel, tensor } from '@rec/core';
import { assertExact, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { expectFailure, ids, uniformF32 } from './fixtures.js';

/** A take is a copy: every backend must give the reference's values bit for bit. */
const CASES: [name: string, xShape: number[]][] = [
  ['257 rows of 100 classes', [257, 100]],
  ['leading axes [4, 6], 9 classes', [4, 6, 9]],
  ['one class', [33, 1]],
  ['no rows', [0, 5]],
  ['100,000 rows of 3 classes (split over threads)', [100_000, 3]],
];
const size = (s: number[]) => s.reduce((p, d) => p * d, 1);

async function take(backend: Backend | string, x: Float32Array, shape: number[], idx: Int32Array): Promise<{ shape: number[]; data: Float32Array }> {
  const [y] = runKernel('take_along_axis', [tensor(x, shape, { backend }), tensor(idx, shape.slice(0, -1), { backend })], {});
  return { shape: [...y.shape], data: (await y.read()) as Float32Array };
}

await forEachBackend(parityBackends('take_along_axis'), (backend) => {
  for (const [name, shape] of CASES) {
    it(`copies the reference's values exactly (${name})`, async () => {
      const x = uniformF32(41, size(shape), -10, 10);
      // Signed zeros and a subnormal travel as bits.
      if (x.length >= 3) x.set([-0, 1e-40, -1e-42], 0);
      const idx = ids(42, size(shape.slice(0, -1)), shape[shape.length - 1]);
      if (idx.length) idx[0] = 0;
      const ref = await take('js', x, shape, idx);
      for (const threads of [1, 2]) {
        const got = await withNativeThreads(backend.name, threads, () => take(backend, x, shape, idx));
        expect(got.shape).toEqual(ref.shape);
        assertExact(got.data, ref.data, `${name} (${threads} thread(s))`);
      }
    });
  }

  it('rejects an index outside the classes, naming it (webgpu: the class count, as the index stays on the GPU)', async () => {
    const x = uniformF32(43, 15);
    const gpu = backend.name === 'webgpu';
    await expectFailure(() => take(backend, x, [3, 5], Int32Array.of(0, 5, 1)), gpu ? /an index is out of range for 5 classes/ : /index 5 in row 1 is out of range for 5 classes/);
    await expectFailure(() => take(backend, x, [3, 5], Int32Array.of(-1, 0, 1)), gpu ? /an index is out of range for 5 classes/ : /index -1 in row 0 is out of range for 5 classes/);
  });

  it('takes an i32 x as the reference does (native: through the js fallback); webgpu refuses it by name', async () => {
    const x = Int32Array.from({ length: 12 }, (_, i) => i * 3 - 7);
    const idx = Int32Array.of(2, 0, 3);
    const run = async (b: Backend | string) => {
      const [y] = runKernel('take_along_axis', [tensor(x, [3, 4], { backend: b }), tensor(idx, [3], { backend: b })], {});
      return y.read();
    };
    if (backend.name === 'webgpu') {
      await expectFailure(() => run(backend), /take_along_axis: the webgpu kernel takes an f32 x, got i32/);
      return;
    }
    assertExact(await run(backend), await run('js'), 'i32 x');
  });
});
