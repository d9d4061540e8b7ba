/**
 * Registers every WGSL kernel under `<id>:webgpu`. Kernels not listed here
 * have no `webgpu` implementation yet (the backend has no fallback: its
 * storage is on the GPU).
 */
import { registerKernel } from '@rec/core';
import { matmul } from './dense/matmul.js';
import { sparseAdagrad } from './optim/sparse_adagrad.js';
import { negSampleExclude } from './sampling/neg_sample_exclude.js';

/** The kernel ids with a `webgpu` implementation. */
export const WEBGPU_KERNELS = ['matmul', 'neg_sample_exclude', 'sparse_adagrad'] as const;

/**
 * Registers the `webgpu` implementations into `@rec/core`'s registry. Idempotent.
 *
 * @example
 * ```ts
 * registerWebGPUKernels();
 * kernelBackends('matmul'); // [..., 'webgpu']
 * ```
 */
export function registerWebGPUKernels(): void {
  registerKernel('neg_sample_exclude', 'webgpu', negSampleExclude);
  registerKernel('matmul', 'webgpu', matmul);
  registerKernel('sparse_adagrad', 'webgpu', sparseAdagrad);
}
