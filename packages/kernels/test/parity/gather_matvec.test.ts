import { type Backend, expandDims, gather, matmul, reshape, runKernel, tensor } from '@rec/core';
import { assertClose, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { expectFailure, ids, uniformF32 } from './fixtures.js';

/**
 * [name, N matrices, R, C, n rows]: the second-hand model's sizes, odd sizes that leave vector
 * tails on both axes, one matrix for every row, 1 × 1 matrices, and no rows. Indices repeat.
 */
const CASES: [name: string, N: number, R: number, C: number, n: number][] = [
  ['41 matrices of 42 × 128, 1,024 rows (split over threads)', 41, 42, 128, 1024],
  ['3,089 matrices of 32 × 32, 2,000 rows (many matrices named by no row)', 3089, 32, 32, 2000],
  ['41 matrices of 64 × 128, 512 rows', 41, 64, 128, 512],
  ['odd sizes: 7 matrices of 17 × 19, 33 rows', 7, 17, 19, 33],
  ['one 5 × 70 matrix for all 300 rows', 1, 5, 70, 300],
  ['1 × 1 matrices', 4, 1, 1, 9],
  ['no rows', 5, 3, 4, 0],
];
const TOLERANCE = { atol: 1e-5, rtol: 1e-4 };

function inputs(backend: Backend | string, N: number, R: number, C: number, n: number, transpose: boolean) {
  return [
    tensor(uniformF32(71, N * R * C), [N, R, C], { backend }),
    tensor(ids(72, n, N), [n], { backend }),
    tensor(uniformF32(73, n * (transpose ? R : C)), [n, transpose ? R : C], { backend }),
  ];
}

async function gatherMatvec(backend: Backend | string, N: number, R: number, C: number, n: number, transpose: boolean): Promise<Float32Array> {
  const [y] = runKernel('gather_matvec', inputs(backend, N, R, C, n, transpose), { transpose });
  expect(y.shape).toEqual([n, transpose ? C : R]);
  return (await y.read()) as Float32Array;
}

it('the reference equals the composite matmul(gather(W, index), expandDims(x, 2)) it replaces', async () => {
  const [N, R, C, n] = [5, 3, 4, 11];
  for (const transpose of [false, true]) {
    const [w, index, x] = inputs('js', N, R, C, n, transpose);
    const composite = reshape(matmul(gather(w, index), expandDims(x, 2), { transposeA: transpose }), [n, transpose ? C : R]);
    assertClose(await gatherMatvec('js', N, R, C, n, transpose), (await composite.read()) as Float32Array, { atol: 1e-6, rtol: 1e-5 }, `y (transpose ${transpose})`);
  }
});

await forEachBackend(parityBackends('gather_matvec'), (backend) => {
  for (const transpose of [false, true]) {
    for (const [name, N, R, C, n] of CASES) {
      it(`equals the reference within 1e-5 + 1e-4·|y| (transpose ${transpose}, ${name})`, async () => {
        const ref = await gatherMatvec('js', N, R, C, n, transpose);
        for (const threads of [1, 2, 3]) {
          const got = await withNativeThreads(backend.name, threads, () => gatherMatvec(backend, N, R, C, n, transpose));
          assertClose(got, ref, TOLERANCE, `y (transpose ${transpose}, ${threads} thread(s))`);
        }
      });
    }
  }

  it('multiplies each row by the matrix its index names, or by its transpose', async () => {
    // W[0] = [[1, 2, 3], [4, 5, 6]], W[1] = [[0, 1, 0], [2, 0, -1]]; rows name 1, 0, 1.
    const w = tensor(Float32Array.of(1, 2, 3, 4, 5, 6, 0, 1, 0, 2, 0, -1), [2, 2, 3], { backend });
    const index = tensor(Int32Array.of(1, 0, 1), [3], { backend });
    const x = tensor(Float32Array.of(1, 1, 1, 1, 0, -1, 3, 2, 1), [3, 3], { backend });
    expect(Array.from(await runKernel('gather_matvec', [w, index, x], { transpose: false })[0].read())).toEqual([1, 1, -2, -2, 2, 5]);
    const xt = tensor(Float32Array.of(1, 1, 2, -1, 0, 3), [3, 2], { backend });
    expect(Array.from(await runKernel('gather_matvec', [w, index, xt], { transpose: true })[0].read())).toEqual([2, 1, -1, -2, -1, 0, 6, 0, -3]);
  });

  it('rejects an index outside the table, naming it (webgpu: the matrix count, as the index stays on the GPU)', async () => {
    const gpu = backend.name === 'webgpu';
    const run = (index: Int32Array) => async () => {
      const ins = [tensor(uniformF32(74, 4 * 2 * 3), [4, 2, 3], { backend }), tensor(index, [index.length], { backend }), tensor(uniformF32(75, index.length * 3), [index.length, 3], { backend })];
      return runKernel('gather_matvec', ins, { transpose: false })[0].read();
    };
    await expectFailure(run(Int32Array.of(0, 4)), gpu ? /gather_matvec: .*out of range for 4 matrices/ : /gather_matvec: index 4 at row 1 is out of range for 4 matrices/);
    await expectFailure(run(Int32Array.of(-1, 2)), gpu ? /gather_matvec: .*out of range for 4 matrices/ : /gather_matvec: index -1 at row 0 is out of range for 4 matrices/);
  });

  it('rejects an x that does not fit the transpose, naming it', () => {
    const [w, index] = inputs(backend, 3, 2, 5, 4, false);
    const x = tensor(new Float32Array(4 * 2), [4, 2], { backend });
    expect(() => runKernel('gather_matvec', [w, index, x], { transpose: false })).toThrow(/x must be \[4, 5\]/);
  });
});
