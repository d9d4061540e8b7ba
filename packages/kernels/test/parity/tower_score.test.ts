import { type Backend, runKernel, tensor } from '@rec/core';
import { assertClose, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { uniformF32 } from './fixtures.js';

/** [users, items, widths H₀ … H_L]: NCF's halving tower, odd sizes that cross tiles, no hidden layer, one item. */
const CASES: [users: number, items: number, widths: number[]][] = [
  [7, 300, [64, 32, 16]],
  [3, 67, [13, 9, 5, 3]],
  [5, 33, [8]],
  [2, 1, [16, 8]],
  [40, 129, [32, 16, 8]],
];

function inputs(backend: Backend | string, users: number, items: number, widths: number[]) {
  const t = (seed: number, shape: number[], lo = -1, hi = 1) =>
    tensor(uniformF32(seed, shape.reduce((p, d) => p * d, 1), lo, hi), shape, { backend });
  const list = [t(61, [users, widths[0]]), t(62, [items, widths[0]])];
  for (let l = 1; l < widths.length; l++) {
    const scale = 1.5 / Math.sqrt(widths[l - 1]);
    list.push(t(63 + 2 * l, [widths[l - 1], widths[l]], -scale, scale), t(64 + 2 * l, [widths[l]], -0.2, 0.2));
  }
  list.push(t(99, [widths[widths.length - 1]]));
  return list;
}

async function score(backend: Backend | string, users: number, items: number, widths: number[]): Promise<Float32Array> {
  const [s] = runKernel('tower_score', inputs(backend, users, items, widths), {});
  expect(s.shape).toEqual([users, items]);
  return (await s.read()) as Float32Array;
}

it('the reference equals the composite relu(U ⊕ V)·W + b … · h it replaces', async () => {
  const { add, matmul, relu, reshape } = await import('@rec/core');
  const [users, items, widths] = [3, 11, [6, 4, 2]];
  const [u, v, w1, b1, w2, b2, h] = inputs('js', users, items, widths);
  let z = reshape(relu(add(reshape(u, [users, 1, 6]), reshape(v, [1, items, 6]))), [users * items, 6]);
  z = relu(add(matmul(z, w1), b1));
  z = relu(add(matmul(z, w2), b2));
  const composite = await reshape(matmul(z, reshape(h, [2, 1])), [users, items]).read();
  assertClose(await score('js', users, items, widths), composite as Float32Array, { atol: 1e-6, rtol: 1e-5 }, 'S');
});

await forEachBackend(parityBackends('tower_score'), (backend) => {
  for (const [users, items, widths] of CASES) {
    it(`equals the reference within 1e-4 of the score scale (${users} users × ${items} items, widths ${widths.join('→')})`, async () => {
      const ref = await score('js', users, items, widths);
      const scale = ref.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      for (const threads of [1, 2]) {
        const got = await withNativeThreads(backend.name, threads, () => score(backend, users, items, widths));
        assertClose(got, ref, { atol: 1e-4 * scale, rtol: 1e-4 }, `S (${threads} thread(s))`);
      }
    });
  }

  it('ReLU cuts every layer: a negative sum scores through zero activations', async () => {
    const t = (data: number[], shape: number[]) => tensor(Float32Array.from(data), shape, { backend });
    // Item 0: z₀ = relu([1, -3] + [0, 1]) = [1, 0]; layer: relu(1·2 + 0·5 − 1) = 1; S = 1·3 = 3.
    // Item 1: z₀ = relu([1, -3] + [-2, 0]) = [0, 0]; layer: relu(0 − 1) = 0; S = 0.
    const [s] = runKernel('tower_score', [t([1, -3], [1, 2]), t([0, 1, -2, 0], [2, 2]), t([2, 5], [2, 1]), t([-1], [1]), t([3], [1])], {});
    expect(Array.from(await s.read())).toEqual([3, 0]);
  });

  it('an empty user block or item list gives an empty score matrix', async () => {
    const [s] = runKernel('tower_score', inputs(backend, 0, 5, [4, 2]), {});
    expect(s.shape).toEqual([0, 5]);
    const [e] = runKernel('tower_score', inputs(backend, 3, 0, [4, 2]), {});
    expect(e.shape).toEqual([3, 0]);
  });

  it('rejects layers that do not chain and a wrong h, naming them', () => {
    const t = (shape: number[]) => tensor(new Float32Array(shape.reduce((p, d) => p * d, 1)), shape, { backend });
    expect(() => runKernel('tower_score', [t([2, 4]), t([3, 4]), t([5, 2]), t([2]), t([2])], {})).toThrow(/layer 1 does not chain/);
    expect(() => runKernel('tower_score', [t([2, 4]), t([3, 4]), t([4, 2]), t([2]), t([3])], {})).toThrow(/h must be \[2\]/);
    expect(() => runKernel('tower_score', [t([2, 4]), t([3, 5]), t([4])], {})).toThrow(/same width/);
    expect(() => runKernel('tower_score', [t([2, 4]), t([3, 4])], {})).toThrow(/odd count/);
  });
});
