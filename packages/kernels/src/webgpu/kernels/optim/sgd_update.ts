/**
 * `sgd_update` on `webgpu`: `kernels/wgsl/optim/sgd_update.wgsl` (see
 * `dense_update.ts`). Momentum and Nesterov are pipeline variants, as in
 * `sparse_sgd`; without momentum a 4-byte placeholder is bound where the
 * velocity would be.
 */
import type { KernelImpl, SgdUpdateAttrs } from '@rec/core';
import type { WebGPUBackend } from '../../backend.js';
import { runDenseUpdate } from './dense_update.js';

/** The `webgpu` implementation of `sgd_update` (in place on param and, with momentum, velocity). */
export const sgdUpdate: KernelImpl<SgdUpdateAttrs> = ({ inputs, attrs, backend }) => {
  const momentum = attrs.momentum > 0;
  const gpu = backend as WebGPUBackend;
  const placeholder = momentum ? undefined : gpu.createStorage(4);
  runDenseUpdate(gpu, {
    kernel: 'sgd_update', tensors: inputs, placeholder,
    scalars: [attrs.lr, attrs.momentum, attrs.weightDecay],
    constants: { MOMENTUM: momentum, NESTEROV: momentum && attrs.nesterov },
  });
  placeholder?.destroy();
};
