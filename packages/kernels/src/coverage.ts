/**
 * Which declared kernels have fast versions, and why the others do not — the
 * one place the coverage check (`test/coverage.test.ts`) reads.
 *
 * Every kernel declared in `@rec/core` must appear in exactly one of:
 * - {@link FAST_KERNELS}: it has a C++ and/or WGSL version; the check then
 *   requires its js reference, its parity test `test/parity/<id>.test.ts`, a
 *   `kernel: '<id>'` entry in `apps/bench/src/kernels.ts`, and an
 *   `<id>:native` registration when `native` is claimed and the addon loads;
 * - {@link KERNEL_EXCEPTIONS}: a fast version cannot pay, with the reason;
 * - {@link PENDING_KERNELS}: a fast version is wanted but not written yet —
 *   remaining work, listed so it is visible, not hidden as an exception.
 */

/** The fast versions a kernel has. */
export interface FastKernel {
  /** A C++ version in `kernels/cpu/<family>/<id>.cc`, registered as `<id>:native`. */
  readonly native: boolean;
  /** A WGSL version in `kernels/wgsl/<family>/<id>.wgsl`, registered as `<id>:webgpu`. */
  readonly webgpu: boolean;
}

/**
 * Kernels with fast versions.
 *
 * @example
 * ```ts
 * FAST_KERNELS.sparse_adagrad.native; // true
 * ```
 */
export const FAST_KERNELS: Readonly<Record<string, FastKernel>> = {
  neg_sample_exclude: { native: true, webgpu: true },
  neg_sample_alias: { native: true, webgpu: true },
  neg_sample_category: { native: true, webgpu: true },
  neg_sample_multichannel: { native: true, webgpu: true },
  neg_sample_cascade: { native: true, webgpu: true },
  sample_weighted_candidates: { native: true, webgpu: true },
  sparse_sgd: { native: true, webgpu: true },
  sparse_adagrad: { native: true, webgpu: true },
  sparse_adam: { native: true, webgpu: true },
  bpr_step: { native: true, webgpu: true },
  bpr_sample_step: { native: true, webgpu: true },
  rank_topk: { native: true, webgpu: true },
  matmul: { native: true, webgpu: true },
  sampled_softmax: { native: true, webgpu: true },
  sampled_softmax_grad: { native: true, webgpu: true },
  skipgram_step: { native: true, webgpu: true },
  skipgram_sample_step: { native: true, webgpu: true },
  dense_bias_act: { native: true, webgpu: true },
  dense_bias_act_grad: { native: true, webgpu: true },
  ncf_head: { native: true, webgpu: true },
  ncf_head_grad: { native: true, webgpu: true },
  tower_score: { native: true, webgpu: true },
  // A matrix per row, gathered by index (the second-hand model's per-category maps) and its
  // gradient for the table: composed of gather + batched matmul, the forward copied n matrices
  // and the backward built an [n, R, C] outer-product gradient.
  gather_matvec: { native: true, webgpu: true },
  scatter_outer_add: { native: true, webgpu: true },
  softmax: { native: true, webgpu: true },
  log_softmax: { native: true, webgpu: true },
  reduce: { native: true, webgpu: true },
  unary: { native: true, webgpu: true },
  binary: { native: true, webgpu: true },
  gather_rows: { native: true, webgpu: true },
  scatter_add_rows: { native: true, webgpu: true },
  take_along_axis: { native: true, webgpu: true },
  put_along_axis: { native: true, webgpu: true },
  dropout_mask: { native: true, webgpu: true },
  sgd_update: { native: true, webgpu: true },
  adagrad_update: { native: true, webgpu: true },
  adam_update: { native: true, webgpu: true },
  // Layout copies, one strided copy each (@rec/core kernels/layout/plans.ts): on native too, because the
  // reference copies a row (or an element, for broadcast_to) per JS call, which was a quarter
  // of a NeuMF step at batch 2048 and a fifth of fitBPR's backward (issue 18).
  broadcast_to: { native: true, webgpu: true },
  slice: { native: true, webgpu: true },
  pad_slice: { native: true, webgpu: true },
  concat: { native: true, webgpu: true },
  // Multi-head attention's head split and merge ([B, T, h, d] ↔ [B, h, T, d]) and Mamba4Rec's
  // [B, L, D] ↔ [L, B, D]: on the js fallback they were a fifth of a SASRec step (bench:sasrec).
  // One strided copy (transposePlan), like the layout copies above.
  transpose: { native: true, webgpu: true },
  // LayerNorm fused, forward and backward (PyTorch's native_layer_norm): composed of primitives it
  // was a dozen kernels and most of the binary mul / add and reduce sum of a SASRec step.
  layer_norm: { native: true, webgpu: true },
  layer_norm_grad: { native: true, webgpu: true },
  // Mamba's selective scan, forward and backward: composed, its ~10 ops per position were
  // about 30 % of a Mamba4Rec step.
  selective_scan: { native: true, webgpu: true },
  selective_scan_grad: { native: true, webgpu: true },
};

/**
 * Kernels that stay on the js reference on purpose, with the reason.
 *
 * @example
 * ```ts
 * console.log(KERNEL_EXCEPTIONS.cast);
 * ```
 */
export const KERNEL_EXCEPTIONS: Readonly<Record<string, string>> = {
  cast: 'one pass of dtype conversion; only used on small tensors (ids, masks), never in a hot loop',
};

/**
 * Kernels whose fast versions are still to be written (issue 3), with what
 * they need.
 *
 * @example
 * ```ts
 * Object.keys(PENDING_KERNELS).length; // what remains
 * ```
 */
export const PENDING_KERNELS: Readonly<Record<string, string>> = {};

/**
 * The kernels claimed native in {@link FAST_KERNELS}, in its order: the one list of them (the
 * coverage check verifies that exactly these register as `<id>:native` once the addon loads).
 *
 * @example
 * ```ts
 * NATIVE_KERNEL_IDS.includes('bpr_step'); // true
 * ```
 */
export const NATIVE_KERNEL_IDS: readonly string[] = Object.keys(FAST_KERNELS).filter((id) => FAST_KERNELS[id]!.native);

/**
 * The addon function behind a native kernel whose function is not named by its id: the layout
 * kernels share one strided copy. Every other native kernel calls the function of its own id.
 */
export const NATIVE_ENTRY_POINTS: Readonly<Record<string, string>> = {
  broadcast_to: 'strided_copy', slice: 'strided_copy', pad_slice: 'strided_copy', concat: 'strided_copy', transpose: 'strided_copy',
};
