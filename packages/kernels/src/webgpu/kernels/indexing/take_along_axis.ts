/**
 * `take_along_axis` and its adjoint `put_along_axis` on `webgpu`: the glue for
 * `kernels/wgsl/indexing/along_axis.wgsl`, one shader with both entry points (one
 * invocation per row, 32-bit copies, so bit-exact). Indices are checked on the
 * GPU (they live there): one out of range is raised at the next read, with the
 * class count but not the index, which only the GPU saw.
 */
import { type KernelImpl, type Tensor } from '@rec/core';
import { linearGrid, type GpuHandle, type WebGPUBackend } from '../../backend.js';

const WORKGROUP = 256;

/** `put_along_axis`'s attribute (core's PutAlongAxisAttrs). */
interface PutAlongAxisAttrs {
  classes: number;
}

/**
 * This kernel's own limits: an f32 x (the reference also reads i32 and u32 as numbers) and
 * fewer than 2³² elements. The shapes, the indices' dtype and `classes` passed the spec's
 * check (@rec/core checkTakeAlongAxisInputs, checkPutAlongAxisInputs).
 */
function checkAlongAxisLimits(kernel: string, x: Tensor, rows: number, classes: number): void {
  if (x.dtype !== 'f32') throw new Error(`${kernel}: the webgpu kernel takes an f32 x, got ${x.dtype}`);
  if (rows * classes >= 2 ** 32) throw new Error(`${kernel}: the webgpu kernel addresses fewer than 2³² elements, got ${rows} rows × ${classes} classes`);
}

function dispatch(gpu: WebGPUBackend, kernel: string, x: Tensor, indices: Tensor, out: GPUBuffer, rows: number, classes: number): void {
  if (rows === 0) return;
  const status = gpu.statusWord(`${kernel}: an index is out of range for ${classes} classes`);
  gpu.run([{
    stem: 'indexing/along_axis',
    entry: kernel,
    uniforms: new Uint32Array([rows, classes, 0, 0]).buffer,
    buffers: [(x.handle as GpuHandle).buffer, (indices.handle as GpuHandle).buffer, out, status],
    groups: linearGrid(rows, WORKGROUP),
  }]);
}

/** The `webgpu` implementation of `take_along_axis`: y[r] = x[r, indices[r]]. */
export const takeAlongAxis: KernelImpl = ({ inputs: [x, indices], backend }) => {
  const K = 'take_along_axis';
  const gpu = backend as WebGPUBackend;
  const classes = x.shape[x.shape.length - 1];
  const rows = indices.size;
  checkAlongAxisLimits(K, x, rows, classes);
  const out = gpu.alloc('f32', rows);
  dispatch(gpu, K, x, indices, out.buffer, rows, classes);
  return { shape: [...indices.shape], dtype: 'f32', handle: out };
};

/** The `webgpu` implementation of `put_along_axis`: zeros([..., classes]) with y[r, indices[r]] = x[r]. */
export const putAlongAxis: KernelImpl<PutAlongAxisAttrs> = ({ inputs: [x, indices], attrs: { classes }, backend }) => {
  const K = 'put_along_axis';
  const gpu = backend as WebGPUBackend;
  const rows = indices.size;
  checkAlongAxisLimits(K, x, rows, classes);
  // A new buffer is zero-filled (WebGPU spec): the elements no row names stay 0.
  const out = gpu.alloc('f32', rows * classes);
  dispatch(gpu, K, x, indices, out.buffer, rows, classes);
  return { shape: [...indices.shape, classes], dtype: 'f32', handle: out };
};
