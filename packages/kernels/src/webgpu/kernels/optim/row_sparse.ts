/**
 * The shared glue of the row-sparse optimizers on `webgpu` (`sparse_sgd`,
 * `sparse_adagrad`, `sparse_adam`): two dispatches in one compute pass —
 * `merge_rows` (kernels/wgsl/common/merge_rows.wgsl) links the duplicate
 * entries of each row, then the optimizer's entry point updates each distinct
 * row once with its summed gradient.
 *
 * Why merge on the GPU: the indices live in a GPUBuffer and kernels are
 * synchronous, so a host-side merge would need a blocking read-back. The
 * merge links entries instead of sorting them, so the sums run in entry order,
 * as in the reference, with no float atomics.
 */
import type { Tensor } from '@rec/core';
import { linearGrid, type GpuHandle, type PipelineConstants, type WebGPUBackend } from '../../backend.js';

const WORKGROUP = 64;

/** The GPUBuffer behind a tensor of the `webgpu` backend. */
export function bufferOf(t: Tensor): GPUBuffer {
  return (t.handle as GpuHandle).buffer;
}

/** One row-sparse update: the optimizer's WGSL, its uniform block after `[n, width]`, its state tensors. */
export interface RowSparseUpdate {
  /** Kernel id, also the WGSL entry point and the stem `optim/<id>`. */
  kernel: string;
  param: Tensor;
  indices: Tensor;
  values: Tensor;
  /** Buffers bound after param, indices, values (state such as Adagrad's sum, Adam's m and v). */
  state: readonly GPUBuffer[];
  /** f32 words of the uniform block after `n, width` (at most 10). */
  scalars: readonly number[];
  constants?: PipelineConstants;
}

/**
 * Encodes `merge_rows` then the optimizer; the row indices are checked on the GPU (the
 * next read raises them). The tensors' dtypes and shapes and the attributes are each
 * kernel's spec rule, run by the engine before this.
 */
export function runRowSparse(gpu: WebGPUBackend, u: RowSparseUpdate): void {
  const rows = u.param.shape[0];
  const width = u.param.size / Math.max(rows, 1);
  const n = u.indices.size;
  if (n === 0 || width === 0) return;
  const links = gpu.createStorage(n * 4);
  const status = gpu.statusWord(`${u.kernel}: a row index is out of range for a parameter of ${rows} rows; nothing was updated`);
  const merge = new Uint32Array([n, rows, 0, 0]);
  const step = new ArrayBuffer(48);
  new Uint32Array(step, 0, 2).set([n, width]);
  new Float32Array(step, 8, u.scalars.length).set(u.scalars);
  gpu.run([
    { stem: 'common/merge_rows', entry: 'merge_rows', uniforms: merge.buffer, buffers: [bufferOf(u.indices), links, status], groups: linearGrid(n, WORKGROUP) },
    {
      stem: `optim/${u.kernel}`,
      entry: u.kernel,
      constants: u.constants,
      uniforms: step,
      buffers: [bufferOf(u.param), bufferOf(u.indices), bufferOf(u.values), ...u.state, links, status],
      groups: linearGrid(n * width, WORKGROUP),
    },
  ]);
  links.destroy();
}
