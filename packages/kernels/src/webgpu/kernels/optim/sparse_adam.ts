/**
 * `sparse_adam` on `webgpu`: `merge_rows` then `kernels/wgsl/optim/sparse_adam.wgsl`
 * (see `row_sparse.ts`). The bias corrections 1 − βᵗ are computed here in f64
 * and passed as f32 uniforms; coupled L2 vs decoupled decay (AdamW) are two
 * uniform factors, not pipeline variants.
 */
import type { AdamUpdateAttrs, KernelImpl } from '@rec/core';
import type { WebGPUBackend } from '../../backend.js';
import { bufferOf, runRowSparse } from './row_sparse.js';

/** The `webgpu` implementation of `sparse_adam` (lazy: in place on the listed rows of param, m and v). */
export const sparseAdam: KernelImpl<AdamUpdateAttrs> = ({ inputs: [param, indices, values, m, v], attrs, backend }) => {
  const { lr, beta1, beta2, eps, weightDecay: wd, decoupledWeightDecay, step } = attrs;
  if (!(Number.isInteger(step) && step >= 1)) throw new Error(`adam: step must be an integer ≥ 1, got ${step}`);
  runRowSparse(backend as WebGPUBackend, {
    kernel: 'sparse_adam', param, indices, values, state: [bufferOf(m), bufferOf(v)],
    scalars: [lr, beta1, beta2, eps, decoupledWeightDecay ? 0 : wd, decoupledWeightDecay ? 1 - lr * wd : 1, 1 - beta1 ** step, 1 - beta2 ** step],
  });
};
