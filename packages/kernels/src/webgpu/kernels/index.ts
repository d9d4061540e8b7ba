/**
 * Registers every WGSL kernel under `<id>:webgpu`. Kernels not listed here
 * have no `webgpu` implementation yet (the backend has no fallback: its
 * storage is on the GPU).
 */
import { registerKernel } from '@rec/core';
import { matmul } from './dense/matmul.js';
import { binary } from './elementwise/binary.js';
import { unary } from './elementwise/unary.js';
import { sparseAdagrad } from './optim/sparse_adagrad.js';
import { sparseAdam } from './optim/sparse_adam.js';
import { sparseSgd } from './optim/sparse_sgd.js';
import { rankTopk } from './ranking/rank_topk.js';
import { negSampleExclude } from './sampling/neg_sample_exclude.js';
import { bprStep } from './sgd/bpr_step.js';

/** The kernel ids with a `webgpu` implementation. */
export const WEBGPU_KERNELS = ['matmul', 'neg_sample_exclude', 'sparse_sgd', 'sparse_adagrad', 'sparse_adam', 'bpr_step', 'rank_topk', 'unary', 'binary'] as const;

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
  registerKernel('sparse_sgd', 'webgpu', sparseSgd);
  registerKernel('sparse_adagrad', 'webgpu', sparseAdagrad);
  registerKernel('sparse_adam', 'webgpu', sparseAdam);
  registerKernel('bpr_step', 'webgpu', bprStep);
  registerKernel('rank_topk', 'webgpu', rankTopk);
  registerKernel('unary', 'webgpu', unary);
  registerKernel('binary', 'webgpu', binary);
}
