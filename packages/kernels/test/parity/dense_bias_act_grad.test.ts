import { type Backend, type DenseActivation, runKernel, tensor } from '@rec/core';
import { assertClose, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { bitsDiffer, uniformF32 } from './fixtures.js';

/**
 * dx, dW and db of a dense layer from the same dy, x, W and the reference forward's y. The
 * reference forms g = dy ⊙ act′(y) in f32 and sums in f64; native sums the products in f32
 * through its tiled matmul (as `dense_bias_act`: within 1e-4 relative plus 1e-6 per summed
 * term) and db in f64 per fixed block of rows, so it gives the same bits at 1 and 2 threads.
 * The shapes cover NeuMF's tower (2,048 × 64 → 32), more rows than one db block, and sizes that
 * are no multiple of any tile.
 */
const SHAPES: [m: number, k: number, n: number][] = [[67, 45, 130], [5, 3, 7], [2048, 64, 32], [300, 32, 16], [1, 600, 17], [513, 8, 1]];

async function gradients(backend: Backend | string, m: number, k: number, n: number, activation: DenseActivation): Promise<Float32Array[]> {
  const x = tensor(uniformF32(61, m * k), [m, k], { backend });
  const w = tensor(uniformF32(62, k * n, -0.3, 0.3), [k, n], { backend });
  // y from the reference forward on every backend, so each computes the same g.
  const [yRef] = runKernel('dense_bias_act', [tensor(uniformF32(61, m * k), [m, k], { backend: 'js' }), tensor(uniformF32(62, k * n, -0.3, 0.3), [k, n], { backend: 'js' }), tensor(uniformF32(63, n), undefined, { backend: 'js' })], { activation });
  const y = tensor((await yRef.read()) as Float32Array, [m, n], { backend });
  const dy = tensor(uniformF32(64, m * n), [m, n], { backend });
  const out = runKernel('dense_bias_act_grad', [dy, x, w, y], { activation });
  return Promise.all(out.map(async (t) => (await t.read()) as Float32Array));
}

await forEachBackend(parityBackends('dense_bias_act_grad'), (backend) => {
  for (const activation of ['none', 'relu', 'sigmoid'] as const) {
    for (const [m, k, n] of SHAPES) {
      it(`equals the reference within 1e-4 relative (${activation}, ${m} × ${k} · ${k} × ${n})`, async () => {
        const ref = await gradients('js', m, k, n, activation);
        let first: Float32Array[] | undefined;
        for (const threads of [1, 2]) {
          const got = await withNativeThreads(backend.name, threads, () => gradients(backend, m, k, n, activation));
          const terms = [n, m, m];
          ['dx', 'dW', 'db'].forEach((what, i) => assertClose(got[i], ref[i], { atol: 1e-6 * terms[i], rtol: 1e-4 }, `${what} (${threads} thread(s))`));
          if (first && backend.name === 'native') got.forEach((g, i) => expect(bitsDiffer(g, first![i]), `output ${i} at 2 threads vs 1`).toBe(-1));
          first = got;
        }
      });
    }
  }

  it('passes no gradient where relu was off, and sigmoid\'s derivative is y·(1 − y)', async () => {
    const t = (values: number[], shape: number[]) => tensor(Float32Array.from(values), shape, { backend });
    // One row, k = 1, n = 3: y = [0, 0.5, 2] (relu off at the first), dy = 1, x = 2, W = [1, 1, 1].
    const [dx, dW, db] = runKernel('dense_bias_act_grad', [t([1, 1, 1], [1, 3]), t([2], [1, 1]), t([1, 1, 1], [1, 3]), t([0, 0.5, 2], [1, 3])], { activation: 'relu' });
    expect(Array.from(await dx.read())).toEqual([2]);
    expect(Array.from(await dW.read())).toEqual([0, 2, 2]);
    expect(Array.from(await db.read())).toEqual([0, 1, 1]);
    const [, , dbSigmoid] = runKernel('dense_bias_act_grad', [t([1, 1, 1], [1, 3]), t([2], [1, 1]), t([1, 1, 1], [1, 3]), t([0, 0.5, 1], [1, 3])], { activation: 'sigmoid' });
    expect(Array.from(await dbSigmoid.read())).toEqual([0, 0.25, 0]);
  });

  it('rejects shapes that do not chain and unknown activations', () => {
    const t = (shape: number[]) => tensor(new Float32Array(shape.reduce((p, d) => p * d, 1)), shape, { backend });
    expect(() => runKernel('dense_bias_act_grad', [t([2, 5]), t([2, 3]), t([4, 5]), t([2, 5])], { activation: 'none' })).toThrow(/^dense_bias_act_grad: shapes do not chain/);
    expect(() => runKernel('dense_bias_act_grad', [t([2, 5]), t([2, 3]), t([3, 5]), t([2, 4])], { activation: 'none' })).toThrow(/^dense_bias_act_grad: shapes do not chain/);
    expect(() => runKernel('dense_bias_act_grad', [t([2, 5]), t([2, 3]), t([3, 5])], { activation: 'none' })).toThrow(/expected 4 inputs/);
    expect(() => runKernel('dense_bias_act_grad', [t([2, 5]), t([2, 3]), t([3, 5]), t([2, 5])], { activation: 'tanh' as DenseActivation })).toThrow(/activation must be none, relu or sigmoid/);
  });
});
