/**
 * Registers every WGSL kernel under `<id>:webgpu`. Kernels not listed here
 * have no `webgpu` implementation yet (the backend has no fallback: its
 * storage is on the GPU).
 */
import { registerKernel } from '@rec/core';
import { denseBiasAct } from './dense/dense_bias_act.js';
import { gatherMatvec } from './dense/gather_matvec.js';
import { matmul } from './dense/matmul.js';
import { scatterOuterAdd } from './dense/scatter_outer_add.js';
import { towerScore } from './dense/tower_score.js';
import { binary } from './elementwise/binary.js';
import { unary } from './elementwise/unary.js';
import { gatherRows } from './indexing/gather_rows.js';
import { scatterAddRows } from './indexing/scatter_add_rows.js';
import { putAlongAxis, takeAlongAxis } from './indexing/take_along_axis.js';
import { broadcastTo, concat, padSlice, slice, transpose } from './layout/strided_copy.js';
import { layerNorm, layerNormGrad } from './norm/layer_norm.js';
import { adagradUpdate } from './optim/adagrad_update.js';
import { adamUpdate } from './optim/adam_update.js';
import { sparseAdagrad } from './optim/sparse_adagrad.js';
import { sparseAdam } from './optim/sparse_adam.js';
import { sgdUpdate } from './optim/sgd_update.js';
import { sparseSgd } from './optim/sparse_sgd.js';
import { dropoutMask } from './random/dropout_mask.js';
import { rankTopk } from './ranking/rank_topk.js';
import { selectiveScan, selectiveScanGrad } from './scan/selective_scan.js';
import { reduce } from './reduce/reduce.js';
import { negSampleAlias } from './sampling/neg_sample_alias.js';
import { negSampleCascade } from './sampling/neg_sample_cascade.js';
import { negSampleCategory } from './sampling/neg_sample_category.js';
import { negSampleExclude } from './sampling/neg_sample_exclude.js';
import { negSampleMultichannel } from './sampling/neg_sample_multichannel.js';
import { sampleWeightedCandidates } from './sampling/sample_weighted_candidates.js';
import { bprStep } from './sgd/bpr_step.js';
import { bprSampleStep } from './sgd/bpr_sample_step.js';
import { skipgramSampleStep } from './sgd/skipgram_sample_step.js';
import { skipgramStep } from './sgd/skipgram_step.js';
import { sampledSoftmax } from './softmax/sampled_softmax.js';
import { sampledSoftmaxGrad } from './softmax/sampled_softmax_grad.js';
import { logSoftmax, softmax } from './softmax/softmax.js';

export { SCRATCH_BYTES as SELECTIVE_SCAN_SCRATCH_BYTES, setSelectiveScanScratchBytes } from './scan/selective_scan.js';

/** The kernel ids with a `webgpu` implementation. */
export const WEBGPU_KERNELS = [
  'matmul', 'dense_bias_act', 'tower_score', 'gather_matvec', 'scatter_outer_add',
  'neg_sample_exclude', 'neg_sample_cascade', 'neg_sample_multichannel', 'neg_sample_alias', 'neg_sample_category', 'sample_weighted_candidates',
  'sparse_sgd', 'sparse_adagrad', 'sparse_adam', 'bpr_step', 'bpr_sample_step', 'skipgram_step', 'skipgram_sample_step',
  'sampled_softmax', 'sampled_softmax_grad', 'rank_topk', 'unary', 'binary',
  'softmax', 'log_softmax', 'reduce', 'gather_rows', 'scatter_add_rows',
  'take_along_axis', 'put_along_axis', 'dropout_mask', 'sgd_update', 'adagrad_update', 'adam_update',
  'broadcast_to', 'slice', 'pad_slice', 'concat', 'transpose', 'layer_norm', 'layer_norm_grad',
  'selective_scan', 'selective_scan_grad',
] as const;

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
  registerKernel('neg_sample_cascade', 'webgpu', negSampleCascade);
  registerKernel('neg_sample_multichannel', 'webgpu', negSampleMultichannel);
  registerKernel('neg_sample_alias', 'webgpu', negSampleAlias);
  registerKernel('neg_sample_category', 'webgpu', negSampleCategory);
  registerKernel('sample_weighted_candidates', 'webgpu', sampleWeightedCandidates);
  registerKernel('dense_bias_act', 'webgpu', denseBiasAct);
  registerKernel('tower_score', 'webgpu', towerScore);
  registerKernel('gather_matvec', 'webgpu', gatherMatvec);
  registerKernel('scatter_outer_add', 'webgpu', scatterOuterAdd);
  registerKernel('skipgram_step', 'webgpu', skipgramStep);
  registerKernel('skipgram_sample_step', 'webgpu', skipgramSampleStep);
  registerKernel('bpr_sample_step', 'webgpu', bprSampleStep);
  registerKernel('sampled_softmax', 'webgpu', sampledSoftmax);
  registerKernel('sampled_softmax_grad', 'webgpu', sampledSoftmaxGrad);
  registerKernel('softmax', 'webgpu', softmax);
  registerKernel('log_softmax', 'webgpu', logSoftmax);
  registerKernel('reduce', 'webgpu', reduce);
  registerKernel('gather_rows', 'webgpu', gatherRows);
  registerKernel('scatter_add_rows', 'webgpu', scatterAddRows);
  registerKernel('take_along_axis', 'webgpu', takeAlongAxis);
  registerKernel('put_along_axis', 'webgpu', putAlongAxis);
  registerKernel('dropout_mask', 'webgpu', dropoutMask);
  registerKernel('sgd_update', 'webgpu', sgdUpdate);
  registerKernel('adagrad_update', 'webgpu', adagradUpdate);
  registerKernel('adam_update', 'webgpu', adamUpdate);
  registerKernel('broadcast_to', 'webgpu', broadcastTo);
  registerKernel('slice', 'webgpu', slice);
  registerKernel('pad_slice', 'webgpu', padSlice);
  registerKernel('concat', 'webgpu', concat);
  registerKernel('transpose', 'webgpu', transpose);
  registerKernel('layer_norm', 'webgpu', layerNorm);
  registerKernel('layer_norm_grad', 'webgpu', layerNormGrad);
  registerKernel('selective_scan', 'webgpu', selectiveScan);
  registerKernel('selective_scan_grad', 'webgpu', selectiveScanGrad);
}
