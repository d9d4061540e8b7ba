/**
 * `sparse_sgd` on `webgpu`: `merge_rows` then `kernels/wgsl/optim/sparse_sgd.wgsl`
 * (see `row_sparse.ts`). Momentum and Nesterov are pipeline variants; without
 * momentum a 4-byte placeholder is bound where the velocity would be.
 */
import type { KernelImpl, SgdUpdateAttrs } from '@rec/core';
import type { WebGPUBackend } from '../../backend.js';
import { bufferOf, runRowSparse } from './row_sparse.js';

/** The `webgpu` implementation of `sparse_sgd` (in place on param and, with momentum, velocity). */
export const sparseSgd: KernelImpl<SgdUpdateAttrs> = ({ inputs, attrs, backend }) => {
  const gpu = backend as WebGPUBackend;
  const [param, indices, values, velocity] = inputs;
  const momentum = attrs.momentum > 0;
  const placeholder = momentum ? undefined : gpu.createStorage(4);
  runRowSparse(gpu, {
    kernel: 'sparse_sgd', param, indices, values,
    state: [velocity ? bufferOf(velocity) : placeholder!],
    scalars: [attrs.lr, attrs.momentum, attrs.weightDecay],
    constants: { MOMENTUM: momentum, NESTEROV: momentum && attrs.nesterov },
  });
  placeholder?.destroy();
};
