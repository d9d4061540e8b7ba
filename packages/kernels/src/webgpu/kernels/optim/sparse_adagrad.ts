/**
 * `sparse_adagrad` on `webgpu`: two dispatches in one compute pass —
 * `merge_rows` (kernels/wgsl/common/merge_rows.wgsl) links the duplicate
 * entries of each row, then `sparse_adagrad` (kernels/wgsl/optim/sparse_adagrad.wgsl)
 * updates each distinct row once with its summed gradient.
 *
 * Why merge on the GPU: the indices live in a GPUBuffer and kernels are
 * synchronous, so a host-side merge would need a blocking read-back. The
 * merge links entries instead of sorting them, so the sums run in entry order,
 * as in the reference, with no float atomics.
 */
import type { KernelImpl, Tensor } from '@rec/core';
import { linearGrid, type GpuHandle, type WebGPUBackend } from '../../backend.js';

interface AdagradUpdateAttrs {
  lr: number;
  eps: number;
  weightDecay: number;
}

const WORKGROUP = 64;

function buffer(t: Tensor): GPUBuffer {
  return (t.handle as GpuHandle).buffer;
}

/** The `webgpu` implementation of `sparse_adagrad` (in place on param and sum). */
export const sparseAdagrad: KernelImpl<AdagradUpdateAttrs> = ({ inputs: [param, indices, values, sum], attrs, backend }) => {
  const gpu = backend as WebGPUBackend;
  const rows = param.shape[0];
  const width = param.size / Math.max(rows, 1);
  const n = indices.size;
  if (values.size !== n * width) {
    throw new Error(`sparse_adagrad: ${values.size} gradient values for ${n} rows of width ${width}; expected ${n * width}`);
  }
  if (n === 0 || width === 0) return;
  const links = gpu.createStorage(n * 4);
  const status = gpu.statusWord(`sparse_adagrad: a row index is out of range for a parameter of ${rows} rows; nothing was updated`);
  const merge = new Uint32Array([n, rows, 0, 0]);
  const step = new ArrayBuffer(32);
  new Uint32Array(step, 0, 2).set([n, width]);
  new Float32Array(step, 8, 3).set([attrs.lr, attrs.eps, attrs.weightDecay]);
  gpu.run([
    { stem: 'common/merge_rows', entry: 'merge_rows', uniforms: merge.buffer, buffers: [buffer(indices), links, status], groups: linearGrid(n, WORKGROUP) },
    {
      stem: 'optim/sparse_adagrad',
      entry: 'sparse_adagrad',
      uniforms: step,
      buffers: [buffer(param), buffer(indices), buffer(values), buffer(sum), links, status],
      groups: linearGrid(n * width, WORKGROUP),
    },
  ]);
  links.destroy();
};
