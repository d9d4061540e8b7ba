/**
 * `@rec/core`: tensors, autograd, the kernel registry and its reference `js`
 * backend, modules, optimizers, counter-based RNG and the safetensors format.
 * Browser-safe: parameter folders on disk and atomic writes are in `@rec/core/node`.
 */
export * from './backends/js/index.js';
export { type DType, type TypedArray, allocArray, allocOutputArray, dtypeOf, isIntegerDType } from './tensor/dtype.js';
export { clearHostPool, hostPoolStats, setHostPoolLimit } from './tensor/host-pool.js';
export { type Shape, sizeOf, stridesOf, broadcastShapes, shapesEqual, formatShape } from './tensor/shape.js';
export type { Backend, DataHandle } from './tensor/backend.js';
export { registerBackendLoader, resolveBackend, type BackendLoader, type BackendLoadResult, type ResolveBackendOptions } from './tensor/resolve.js';
export { Tensor } from './tensor/tensor.js';
export {
  registerBackend, getBackend, registeredBackends, setBackend, currentBackend, tidy, keep, memory, runKernel,
} from './tensor/engine.js';
export {
  declareKernel, registerKernel, findKernel, kernelSpec, declaredKernels, kernelBackends,
  type KernelSpec, type KernelImpl, type KernelContext, type KernelOutput,
} from './tensor/registry.js';
export { RowSparse, type Gradient, type GradFn, noGrad, isGradEnabled } from './autograd/tape.js';
export { applyOp, applyOp1, type OpDef } from './autograd/op.js';
export { backward, addGradients } from './autograd/backward.js';
export * from './ops/create.js';
export * from './ops/elementwise.js';
export * from './ops/reduce.js';
export * from './ops/layout.js';
export * from './ops/matmul.js';
export * from './ops/indexing.js';
export * from './ops/softmax.js';
export * from './ops/losses.js';
export * from './ops/nn.js';
export * from './ops/scan.js';
export * from './ops/sampling.js';
export * from './io/index.js';
export * from './random/index.js';
export { sortedHas } from './search/sorted.js';
export { TopKHeap } from './search/top-k.js';
export * from './nn/index.js';
export * from './optim/index.js';
export type { NegSampleExcludeAttrs } from './kernels/sampling/neg_sample_exclude.js';
export { aliasDraws, checkAliasEntries, type NegSampleAliasAttrs } from './kernels/sampling/neg_sample_alias.js';
export { checkNegSampleCategoryIds, type NegSampleCategoryAttrs } from './kernels/sampling/neg_sample_category.js';
export type { NegSampleMultichannelAttrs } from './kernels/sampling/neg_sample_multichannel.js';
export type { NegSampleCascadeAttrs } from './kernels/sampling/neg_sample_cascade.js';
export { checkSampleWeightedCandidatesWeights, type SampleWeightedCandidatesAttrs } from './kernels/sampling/sample_weighted_candidates.js';
export { type BprItemIds, checkBprIds, checkBprShapes, checkBprStepIds, checkBprStepInputs, type BprStepAttrs } from './kernels/sgd/bpr_step.js';
export type { RankTopkAttrs } from './kernels/ranking/rank_topk.js';
export type { MatmulAttrs } from './kernels/dense/matmul.js';
export { checkNcfHeadInputs, ncfHeadSizes, type NcfHeadSizes } from './kernels/dense/ncf_head.js';
export { activationGradient, checkDenseBiasActGradInputs, checkDenseBiasActInputs, type DenseActivation, type DenseBiasActAttrs } from './kernels/dense/dense_bias_act.js';
export { checkTowerScoreInputs, towerScoreShape, type TowerScoreShape } from './kernels/dense/tower_score.js';
export { checkGatherMatvecInputs, gatherMatvecShape, type GatherMatvecAttrs, type GatherMatvecShape } from './kernels/dense/gather_matvec.js';
export { checkScatterOuterAddInputs, type ScatterOuterAddAttrs } from './kernels/dense/scatter_outer_add.js';
export { checkSampledSoftmaxClassIds, checkSampledSoftmaxInputs, sampledSoftmaxSizes, type SampledSoftmaxAttrs, type SampledSoftmaxSizes } from './kernels/softmax/sampled_softmax.js';
export { effectiveParts, MAX_PARTS, PART_CHUNK } from './kernels/sgd/category_parts.js';
export { effectiveLanes, laneBlock, laneOrder, laneStratum, MAX_LANES } from './kernels/sgd/lane_strata.js';
export { checkSkipgramStepFlags, checkSkipgramStepIds, checkSkipgramStepInputs, skipgramStepSizes, usesContextB, type SkipgramStepAttrs, type SkipgramStepSizes } from './kernels/sgd/skipgram_step.js';
export { checkBprSampleStepIds, checkBprSampleStepInputs, type BprSampleStepAttrs } from './kernels/sgd/bpr_sample_step.js';
export { broadcastPlan, concatPlan, type CopyPlan, type LayoutPlan, padSlicePlan, slicePlan, transposePlan } from './kernels/layout/plans.js';
export { checkSelectiveScanShapes, selectiveScanSizes, type SelectiveScanSizes } from './kernels/scan/selective_scan.js';
export { type LayerNormAttrs, layerNormSizes, type LayerNormSizes, layerNormStatsShape } from './kernels/norm/layer_norm.js';
export { checkSkipgramSampleStepInputs, checkSkipgramSampling, type SkipgramSampleStepAttrs, type SkipgramSampleStepSizes } from './kernels/sgd/skipgram_sample_step.js';
