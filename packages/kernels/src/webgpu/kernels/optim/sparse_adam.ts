/**
 * `sparse_adam` on `webgpu`: `merge_rows` then `kernels/wgsl/optim/sparse_adam.wgsl`
 * (see `row_sparse.ts`). The bias corrections 1 − βᵗ are computed here in f64
 * and passed as f32 uniforms; coupled L2 vs decoupled decay (AdamW) are two
 * uniform factors, not pipeline variants.
 */
import type { AdamUpdateAttrs, KernelImpl } from '@rec/core';
import type { WebGPUBackend } from '../../backend.js';
import { bufferOf, runRowSparse } from './row_sparse.js';

/**
 * The f32 uniform words of an Adam step after `[n, width]` (sparse_adam) or `n`
 * (adam_update): lr, β₁, β₂, ε, the L2 factor, the decay factor and the bias
 * corrections 1 − βᵗ, computed here in f64 (the spec rules checked step ≥ 1).
 *
 * @example
 * ```ts
 * adamScalars({ lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false, step: 1 });
 * // [0.1, 0.9, 0.999, 1e-8, 0, 1, 0.1, 0.001] (up to f64 rounding)
 * ```
 */
export function adamScalars(attrs: AdamUpdateAttrs): number[] {
  const { lr, beta1, beta2, eps, weightDecay: wd, decoupledWeightDecay, step } = attrs;
  return [lr, beta1, beta2, eps, decoupledWeightDecay ? 0 : wd, decoupledWeightDecay ? 1 - lr * wd : 1, 1 - beta1 ** step, 1 - beta2 ** step];
}

/** The `webgpu` implementation of `sparse_adam` (lazy: in place on the listed rows of param, m and v). */
export const sparseAdam: KernelImpl<AdamUpdateAttrs> = ({ inputs: [param, indices, values, m, v], attrs, backend }) => {
  runRowSparse(backend as WebGPUBackend, { kernel: 'sparse_adam', param, indices, values, state: [bufferOf(m), bufferOf(v)], scalars: adamScalars(attrs) });
};
