import { type Backend, runKernel, tensor } from '@rec/core';
import { assertClose, assertExact, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { bitsDiffer, expectFailure, ids, uniformF32 } from './fixtures.js';

/**
 * [name, N matrices, R, C, n rows]: gather_matvec's gradient at the second-hand model's sizes,
 * odd sizes that leave tile tails on both axes, 1 × 1 matrices, and no rows. Indices repeat,
 * and matrix 1 is named by no row (its block must stay exactly zero).
 */
const CASES: [name: string, N: number, R: number, C: number, n: number][] = [
  ['41 matrices of 42 × 128, 1,024 rows (split over threads)', 41, 42, 128, 1024],
  ['3,089 matrices of 32 × 32, 2,000 rows (most matrices named once or not at all)', 3089, 32, 32, 2000],
  ['41 matrices of 64 × 128, 512 rows', 41, 64, 128, 512],
  ['odd sizes: 7 matrices of 17 × 19, 33 rows', 7, 17, 19, 33],
  ['1 × 1 matrices', 4, 1, 1, 9],
  ['no rows', 5, 3, 4, 0],
];
const TOLERANCE = { atol: 1e-5, rtol: 1e-4 };

/** n indices in [0, N) that skip matrix 1 (when N > 1). */
function indicesSkippingOne(seed: number, n: number, N: number): Int32Array {
  return N > 1 ? ids(seed, n, N - 1).map((k) => (k >= 1 ? k + 1 : k)) : ids(seed, n, N);
}

async function scatter(backend: Backend | string, N: number, R: number, C: number, index: Int32Array): Promise<Float32Array> {
  const n = index.length;
  const [out] = runKernel('scatter_outer_add', [
    tensor(uniformF32(81, n * R), [n, R], { backend }), tensor(uniformF32(82, n * C), [n, C], { backend }), tensor(index, [n], { backend }),
  ], { matrices: N });
  expect(out.shape).toEqual([N, R, C]);
  return (await out.read()) as Float32Array;
}

/** Results at 1, 2 and 3 native threads (the same call three times elsewhere); native's must agree bit for bit. */
async function acrossThreads(backend: Backend, run: () => Promise<Float32Array>): Promise<Float32Array[]> {
  const results: Float32Array[] = [];
  for (const threads of [1, 2, 3]) results.push(await withNativeThreads(backend.name, threads, run));
  if (backend.name === 'native') {
    for (const [t, got] of results.entries()) expect(bitsDiffer(got, results[0]), `${t + 1} threads against 1: first differing element`).toBe(-1);
  }
  return results;
}

await forEachBackend(parityBackends('scatter_outer_add'), (backend) => {
  for (const [name, N, R, C, n] of CASES) {
    it(`equals the reference within 1e-5 + 1e-4·|out|, zero where no row names a matrix (${name})`, async () => {
      const index = indicesSkippingOne(83, n, N);
      const ref = await scatter('js', N, R, C, index);
      for (const [t, got] of (await acrossThreads(backend, () => scatter(backend, N, R, C, index))).entries()) {
        assertClose(got, ref, TOLERANCE, `out (${t + 1} thread(s))`);
        if (N > 1) assertExact(got.subarray(R * C, 2 * R * C), new Float32Array(R * C), `out[1], named by no row (${t + 1} thread(s))`);
      }
    });
  }

  it('splits the work and sums rows in order when one matrix holds most of them (about 400 of 460 rows on one of 4)', async () => {
    const [N, R, C] = [4, 42, 128];
    const index = Int32Array.from(ids(84, 460, 16), (k) => (k < 3 ? k : 2));
    const ref = await scatter('js', N, R, C, index);
    for (const [t, got] of (await acrossThreads(backend, () => scatter(backend, N, R, C, index))).entries()) assertClose(got, ref, TOLERANCE, `out (${t + 1} thread(s))`);
  });

  it('adds the outer products of the rows that name each matrix', async () => {
    // Rows 0 and 2 name matrix 2, row 1 names matrix 0; matrix 1 is named by none.
    const a = tensor(Float32Array.of(1, 2, 3, -1, 0, 1), [3, 2], { backend });
    const b = tensor(Float32Array.of(3, 4, 5, 1, 0, 2, 1, 1, 1), [3, 3], { backend });
    const index = tensor(Int32Array.of(2, 0, 2), [3], { backend });
    const out = await runKernel('scatter_outer_add', [a, b, index], { matrices: 3 })[0].read();
    expect(Array.from(out)).toEqual([3, 0, 6, -1, 0, -2, 0, 0, 0, 0, 0, 0, 3, 4, 5, 7, 9, 11]);
  });

  it('rejects an index outside the matrices, naming it (webgpu: the matrix count, as the index stays on the GPU)', async () => {
    const gpu = backend.name === 'webgpu';
    const run = (index: Int32Array) => () => scatter(backend, 4, 2, 3, index);
    await expectFailure(run(Int32Array.of(0, 4)), gpu ? /scatter_outer_add: .*out of range for 4 matrices/ : /scatter_outer_add: index 4 at row 1 is out of range for 4 matrices/);
    await expectFailure(run(Int32Array.of(-1, 2)), gpu ? /scatter_outer_add: .*out of range for 4 matrices/ : /scatter_outer_add: index -1 at row 0 is out of range for 4 matrices/);
  });

  it('rejects a and b whose rows do not match the indices, naming them', () => {
    const t = (shape: number[]) => tensor(new Float32Array(shape.reduce((p, d) => p * d, 1)), shape, { backend });
    expect(() => runKernel('scatter_outer_add', [t([3, 2]), t([2, 4]), tensor(Int32Array.of(0, 1, 0), [3], { backend })], { matrices: 2 })).toThrow(/a and b must be \[3, R\] and \[3, C\]/);
  });
});
