/** Shared driver of the sparse optimizer parity tests: several steps on both backends, then compare. */
import { type Backend, hostF32, runKernel, tensor } from '@rec/core';
import { assertClose } from '@rec/core/testing';
import { ids, uniformF32 } from './fixtures.js';

/** f32 parity of the optimizers: their math is f64 on both sides, so only rounding of stores differs. */
export const OPTIM_TOLERANCE = { atol: 1e-7, rtol: 1e-6 };

export interface SparseCase {
  kernel: 'sparse_sgd' | 'sparse_adagrad' | 'sparse_adam';
  rows: number;
  rowShape: number[];
  batch: number;
  /** Extra state tensors after [param, indices, values] (velocity, sum, m and v). */
  slots: number;
  attrs: (step: number) => Record<string, unknown>;
  steps: number;
}

/** Runs `steps` updates on `backend` from fixed initial values; returns param then the slots. */
export function runSparse(backend: Backend | string, c: SparseCase): Float32Array[] {
  const width = c.rowShape.reduce((a, b) => a * b, 1);
  const param = tensor(uniformF32(5, c.rows * width), [c.rows, ...c.rowShape], { backend });
  const slots = Array.from({ length: c.slots }, (_, s) =>
    tensor(c.kernel === 'sparse_adagrad' ? uniformF32(6 + s, c.rows * width, 0, 0.1) : new Float32Array(c.rows * width), [c.rows, ...c.rowShape], { backend }),
  );
  for (let step = 1; step <= c.steps; step++) {
    // Drawn from a small range of rows so every batch repeats rows.
    const indices = tensor(ids(100 + step, c.batch, c.rows), undefined, { backend });
    const values = tensor(uniformF32(200 + step, c.batch * width), [c.batch, ...c.rowShape], { backend });
    runKernel(c.kernel, [param, indices, values, ...slots], c.attrs(step));
  }
  return [hostF32(param), ...slots.map((s) => hostF32(s))];
}

/** Compares the final parameter and every state tensor with the js reference. */
export function expectSparseParity(backend: Backend, c: SparseCase): void {
  const ref = runSparse('js', c);
  const got = runSparse(backend, c);
  const names = ['param', 'slot 1', 'slot 2'];
  ref.forEach((r, i) => assertClose(got[i], r, OPTIM_TOLERANCE, `${c.kernel} ${names[i]}`));
}
