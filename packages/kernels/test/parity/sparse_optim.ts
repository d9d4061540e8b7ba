/** Shared driver of the sparse optimizer parity tests: several steps on both backends, then compare. */
import { type Backend, runKernel, tensor } from '@rec/core';
import { assertClose } from '@rec/core/testing';
import { ids, uniformF32 } from './fixtures.js';

/** f32 parity of the native optimizers: duplicate rows are merged in f64 on both sides; native SGD stays f64, native Adagrad/Adam compute each row in f32 (SIMD), within this tolerance of the f64 reference. */
export const OPTIM_TOLERANCE = { atol: 1e-7, rtol: 1e-6 };

/**
 * f32 parity on `webgpu`: WGSL has no f64, so the merged gradient and the update run in f32.
 * Where duplicate rows' gradients cancel (|ĝ| ≪ Σ|g|), ĝ keeps an absolute error of a few
 * f32 ulps of Σ|g| (≈ 1e-7 here), which momentum and Adam's m/√v carry into the results.
 */
export const WEBGPU_OPTIM_TOLERANCE = { atol: 1e-6, rtol: 1e-5 };

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

/** Runs `steps` updates on `backend` from fixed initial values; returns param then the slots (read with `await t.read()`, so GPU backends fit). */
export async function runSparse(backend: Backend | string, c: SparseCase): Promise<Float32Array[]> {
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
  return (await Promise.all([param, ...slots].map((t) => t.read()))) as Float32Array[];
}

/** Compares the final parameter and every state tensor with the js reference. */
export async function expectSparseParity(backend: Backend, c: SparseCase): Promise<void> {
  const ref = await runSparse('js', c);
  const got = await runSparse(backend, c);
  const names = ['param', 'slot 1', 'slot 2'];
  const tol = backend.name === 'webgpu' ? WEBGPU_OPTIM_TOLERANCE : OPTIM_TOLERANCE;
  ref.forEach((r, i) => assertClose(got[i], r, tol, `${c.kernel} ${names[i]}`));
}
