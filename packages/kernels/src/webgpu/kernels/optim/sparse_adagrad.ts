/**
 * `sparse_adagrad` on `webgpu`: `merge_rows` then
 * `kernels/wgsl/optim/sparse_adagrad.wgsl` (see `row_sparse.ts`).
 */
import type { KernelImpl } from '@rec/core';
import type { WebGPUBackend } from '../../backend.js';
import { bufferOf, runRowSparse } from './row_sparse.js';

interface AdagradUpdateAttrs {
  lr: number;
  eps: number;
  weightDecay: number;
}

/** The `webgpu` implementation of `sparse_adagrad` (in place on param and sum). */
export const sparseAdagrad: KernelImpl<AdagradUpdateAttrs> = ({ inputs: [param, indices, values, sum], attrs, backend }) => {
  runRowSparse(backend as WebGPUBackend, {
    kernel: 'sparse_adagrad', param, indices, values, state: [bufferOf(sum)], scalars: [attrs.lr, attrs.eps, attrs.weightDecay],
  });
};
