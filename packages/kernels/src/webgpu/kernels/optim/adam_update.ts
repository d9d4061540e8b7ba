/**
 * `adam_update` on `webgpu`: `kernels/wgsl/optim/adam_update.wgsl` (see
 * `dense_update.ts`), with the uniform factors of `sparse_adam`
 * ({@link adamScalars}).
 */
import type { AdamUpdateAttrs, KernelImpl } from '@rec/core';
import type { WebGPUBackend } from '../../backend.js';
import { runDenseUpdate } from './dense_update.js';
import { adamScalars } from './sparse_adam.js';

/** The `webgpu` implementation of `adam_update` (in place on param, m and v). */
export const adamUpdate: KernelImpl<AdamUpdateAttrs> = ({ inputs, attrs, backend }) => {
  runDenseUpdate(backend as WebGPUBackend, { kernel: 'adam_update', tensors: inputs, scalars: adamScalars(attrs) });
};
