/**
 * `adagrad_update` on `webgpu`: `kernels/wgsl/optim/adagrad_update.wgsl` (see
 * `dense_update.ts`).
 */
import type { AdagradUpdateAttrs, KernelImpl } from '@rec/core';
import type { WebGPUBackend } from '../../backend.js';
import { runDenseUpdate } from './dense_update.js';

/** The `webgpu` implementation of `adagrad_update` (in place on param and sum). */
export const adagradUpdate: KernelImpl<AdagradUpdateAttrs> = ({ inputs, attrs, backend }) => {
  runDenseUpdate(backend as WebGPUBackend, { kernel: 'adagrad_update', tensors: inputs, scalars: [attrs.lr, attrs.eps, attrs.weightDecay] });
};
