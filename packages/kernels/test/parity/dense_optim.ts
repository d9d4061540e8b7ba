/** Shared driver of the dense optimizer parity tests (`sgd_update`, `adagrad_update`, `adam_update`): several steps on each backend, then compare. */
import { type Backend, runKernel, tensor } from '@rec/core';
import { assertClose } from '@rec/core/testing';
import { uniformF32 } from './fixtures.js';
import { OPTIM_TOLERANCE, WEBGPU_OPTIM_TOLERANCE } from './sparse_optim.js';

export interface DenseCase {
  kernel: 'sgd_update' | 'adagrad_update' | 'adam_update';
  shape: number[];
  /** State tensors after [param, grad] (velocity, sum, m and v). */
  slots: number;
  attrs: (step: number) => Record<string, unknown>;
  steps: number;
}

/** Runs `steps` updates on `backend` from fixed initial values; returns param then the slots (read with `await t.read()`). */
export async function runDense(backend: Backend | string, c: DenseCase): Promise<Float32Array[]> {
  const n = c.shape.reduce((a, b) => a * b, 1);
  const param = tensor(uniformF32(15, n), c.shape, { backend });
  const slots = Array.from({ length: c.slots }, (_, s) =>
    // Adagrad's sum starts positive (an initial accumulator); velocity and Adam's moments at 0.
    tensor(c.kernel === 'adagrad_update' ? uniformF32(16 + s, n, 0, 0.1) : new Float32Array(n), c.shape, { backend }),
  );
  for (let step = 1; step <= c.steps; step++) {
    const grad = tensor(uniformF32(300 + step, n), c.shape, { backend });
    runKernel(c.kernel, [param, grad, ...slots], c.attrs(step));
  }
  return (await Promise.all([param, ...slots].map((t) => t.read()))) as Float32Array[];
}

/**
 * Compares the final parameter and every state tensor with the js reference,
 * which computes in f64: native SGD is f64 too, native Adagrad/Adam and every
 * WGSL update f32 (see `sparse_optim.ts` for the tolerances).
 */
export async function expectDenseParity(backend: Backend, c: DenseCase): Promise<void> {
  const ref = await runDense('js', c);
  const got = await runDense(backend, c);
  const names = ['param', 'slot 1', 'slot 2'];
  const tol = backend.name === 'webgpu' ? WEBGPU_OPTIM_TOLERANCE : OPTIM_TOLERANCE;
  ref.forEach((r, i) => assertClose(got[i], r, tol, `${c.kernel} ${names[i]}`));
}
