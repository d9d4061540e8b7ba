/**
 * The native kernels that take their output from `allocOutputArray` (no zero fill: a pooled
 * array keeps its old values) must write every element. Each case first leaves NaN-filled
 * arrays of the output's length in the host pool, then runs the kernel and compares it with
 * the `js` reference: a skipped element would show as NaN.
 */
import { clearHostPool, getBackend, runKernel, tensor, type Tensor } from '@rec/core';
import { assertClose, forEachBackend } from '@rec/core/testing';
import { afterEach, expect, it } from 'vitest';
import { parityBackends } from './backends.js';
import { uniformF32 } from './fixtures.js';

afterEach(() => clearHostPool());

/** Leaves `count` NaN-filled f32 arrays of `size` elements in the pool. */
function dirtyPool(size: number, count = 3): void {
  const held: Tensor[] = [];
  for (let i = 0; i < count; i++) held.push(tensor(new Float32Array(size).fill(Number.NaN)));
  for (const t of held) t.dispose();
}

const X = uniformF32(1, 64 * 48);
const W = uniformF32(2, 48 * 40);
/** 1,024 rows of 3: the per-row outputs (layer_norm's μ and r) are long enough to pool. */
const ROWS = uniformF32(3, 1024 * 3);

const CASES: { name: string; run: (backend: string) => Tensor[]; sizes: number[] }[] = [
  { name: 'matmul', run: (b) => runKernel('matmul', [tensor(X, [64, 48], { backend: b }), tensor(W, [48, 40], { backend: b })], { transposeA: false, transposeB: false }), sizes: [64 * 40] },
  { name: 'binary (broadcast)', run: (b) => runKernel('binary', [tensor(X, [64, 48], { backend: b }), tensor(X.subarray(0, 48), [48], { backend: b })], { fn: 'add' }), sizes: [64 * 48] },
  { name: 'unary', run: (b) => runKernel('unary', [tensor(X, [64, 48], { backend: b })], { fn: 'relu' }), sizes: [64 * 48] },
  { name: 'softmax', run: (b) => runKernel('softmax', [tensor(X, [64, 48], { backend: b })], { axis: 1 }), sizes: [64 * 48] },
  { name: 'dropout_mask', run: (b) => runKernel('dropout_mask', [], { shape: [64, 48], p: 0.3, seed: 4, stream: 0, counter: 3 }, getBackend(b)), sizes: [64 * 48] },
  {
    name: 'layer_norm',
    run: (b) => runKernel('layer_norm', [tensor(ROWS, [1024, 3], { backend: b }), tensor(W.subarray(0, 3), [3], { backend: b }), tensor(W.subarray(3, 6), [3], { backend: b })], { epsilon: 1e-5 }),
    sizes: [1024 * 3, 1024],
  },
  { name: 'reduce (sum down the columns)', run: (b) => runKernel('reduce', [tensor(ROWS, [3, 1024], { backend: b })], { fn: 'sum', axes: [0] }), sizes: [1024] },
  { name: 'reduce (sum along the rows)', run: (b) => runKernel('reduce', [tensor(ROWS, [1024, 3], { backend: b })], { fn: 'sum', axes: [1] }), sizes: [1024] },
];

await forEachBackend(parityBackends(), (backend) => {
  for (const c of CASES) {
    it(`${c.name} writes every element of an output taken unzeroed from the pool`, async () => {
      const ref = await Promise.all(c.run('js').map((t) => t.read()));
      clearHostPool();
      for (const size of c.sizes) dirtyPool(size);
      const got = await Promise.all(c.run(backend.name).map((t) => t.read()));
      expect(got.length).toBe(ref.length);
      got.forEach((values, i) => {
        expect(Array.from(values).some(Number.isNaN)).toBe(false);
        assertClose(values as Float32Array, ref[i] as Float32Array, { atol: 1e-5, rtol: 1e-4 }, `${c.name} output ${i}`);
      });
    });
  }
});
