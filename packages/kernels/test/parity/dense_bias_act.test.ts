import { type Backend, type DenseActivation, runKernel, tensor } from '@rec/core';
import { assertClose, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { uniformF32 } from './fixtures.js';

const SHAPES: [m: number, k: number, n: number][] = [[67, 45, 130], [5, 3, 7], [300, 64, 32], [1, 600, 17], [45, 520, 64]];

async function layer(backend: Backend | string, m: number, k: number, n: number, activation: DenseActivation): Promise<Float32Array> {
  const [y] = runKernel('dense_bias_act', [
    tensor(uniformF32(51, m * k), [m, k], { backend }), tensor(uniformF32(52, k * n, -0.3, 0.3), [k, n], { backend }), tensor(uniformF32(53, n), undefined, { backend }),
  ], { activation });
  return (await y.read()) as Float32Array;
}

await forEachBackend(parityBackends('dense_bias_act'), (backend) => {
  for (const activation of ['none', 'relu', 'sigmoid'] as const) {
    for (const [m, k, n] of SHAPES) {
      it(`equals the reference within 1e-4 relative (${activation}, ${m} × ${k} · ${k} × ${n})`, async () => {
        const ref = await layer('js', m, k, n, activation);
        for (const threads of [1, 2]) {
          const got = await withNativeThreads(backend.name, threads, () => layer(backend, m, k, n, activation));
          assertClose(got, ref, { atol: 1e-6 * k, rtol: 1e-4 }, `y (${threads} thread(s))`);
        }
      });
    }
  }

  it('relu zeroes negatives and sigmoid saturates without overflow', async () => {
    const x = tensor(Float32Array.of(1), [1, 1], { backend });
    const w = tensor(Float32Array.of(-200, 0, 200), [1, 3], { backend });
    const b = tensor(Float32Array.of(0, 0.5, 0), undefined, { backend });
    expect(Array.from(await runKernel('dense_bias_act', [x, w, b], { activation: 'relu' })[0].read())).toEqual([0, 0.5, 200]);
    const s = await runKernel('dense_bias_act', [x, w, b], { activation: 'sigmoid' })[0].read();
    expect(s[0]).toBe(0);
    expect(s[2]).toBe(1);
  });

  it('rejects shapes that do not chain', () => {
    const t = (shape: number[]) => tensor(new Float32Array(shape.reduce((p, d) => p * d, 1)), shape, { backend });
    expect(() => runKernel('dense_bias_act', [t([2, 3]), t([4, 5]), t([5])], { activation: 'none' })).toThrow(/shapes do not chain/);
  });
});
