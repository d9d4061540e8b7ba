/**
 * Registers every WGSL kernel under `<id>:webgpu`. Kernels not listed here
 * have no `webgpu` implementation yet (the backend has no fallback: its
 * storage is on the GPU).
 */
import { type KernelImpl, registerKernel } from '@rec/core';
import { denseBiasAct } from './dense/dense_bias_act.js';
import { denseBiasActGrad } from './dense/dense_bias_act_grad.js';
import { gatherMatvec } from './dense/gather_matvec.js';
import { matmul } from './dense/matmul.js';
import { ncfHead, ncfHeadGrad } from './dense/ncf_head.js';
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

/**
 * Every `webgpu` implementation, by kernel id: the one list of them (the tests check it against
 * the claims in `src/coverage.ts`).
 */
const IMPLEMENTATIONS: Readonly<Record<string, KernelImpl<never>>> = {
  matmul, dense_bias_act: denseBiasAct, dense_bias_act_grad: denseBiasActGrad, ncf_head: ncfHead, ncf_head_grad: ncfHeadGrad, tower_score: towerScore, gather_matvec: gatherMatvec, scatter_outer_add: scatterOuterAdd,
  neg_sample_exclude: negSampleExclude, neg_sample_cascade: negSampleCascade, neg_sample_multichannel: negSampleMultichannel,
  neg_sample_alias: negSampleAlias, neg_sample_category: negSampleCategory, sample_weighted_candidates: sampleWeightedCandidates,
  sparse_sgd: sparseSgd, sparse_adagrad: sparseAdagrad, sparse_adam: sparseAdam, bpr_step: bprStep, bpr_sample_step: bprSampleStep,
  skipgram_step: skipgramStep, skipgram_sample_step: skipgramSampleStep, sampled_softmax: sampledSoftmax, sampled_softmax_grad: sampledSoftmaxGrad,
  rank_topk: rankTopk, unary, binary, softmax, log_softmax: logSoftmax, reduce, gather_rows: gatherRows, scatter_add_rows: scatterAddRows,
  take_along_axis: takeAlongAxis, put_along_axis: putAlongAxis, dropout_mask: dropoutMask, sgd_update: sgdUpdate, adagrad_update: adagradUpdate,
  adam_update: adamUpdate, broadcast_to: broadcastTo, slice, pad_slice: padSlice, concat, transpose, layer_norm: layerNorm,
  layer_norm_grad: layerNormGrad, selective_scan: selectiveScan, selective_scan_grad: selectiveScanGrad,
};

/** The kernel ids with a `webgpu` implementation. */
export const WEBGPU_KERNELS: readonly string[] = Object.keys(IMPLEMENTATIONS);

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
  for (const [id, impl] of Object.entries(IMPLEMENTATIONS)) registerKernel(id, 'webgpu', impl);
}
