/**
 * The layout copies on `webgpu` — `transpose`, `broadcast_to`, `slice`, its adjoint
 * `pad_slice`, and `concat` — the glue for `kernels/wgsl/layout/strided_copy.wgsl`. Each is one strided
 * copy of 32-bit words (any dtype, bit-exact): the iteration shape and both sides'
 * base offsets and element strides go in the uniform, so one pipeline per entry point
 * serves every shape. Autograd needs them (the gradient of `mean`/`sum` broadcasts,
 * slices pad back) and the multi-behaviour models slice and concatenate rows by
 * behaviour; the backend has no host fallback, so they must exist here even though
 * they are cheap. The plans (shapes, strides) are @rec/core's kernels/layout/plans.ts,
 * shared with native's `strided_copy`; the inputs and attributes passed each kernel's spec
 * check (`runKernel` runs it first), so only this backend's limits are checked here
 * (rank ≤ {@link STRIDED_COPY_MAX_RANK}, fewer than 2³² elements addressed).
 */
import { formatShape, type KernelImpl, type KernelOutput, type Shape, sizeOf, type Tensor } from '@rec/core';
import { broadcastPlan, concatPlan, type LayoutPlan, padSlicePlan, slicePlan, transposePlan } from '@rec/core';
import { linearGrid, type GpuHandle, type WebGPUBackend } from '../../backend.js';

/** Most axes the uniform holds. */
export const STRIDED_COPY_MAX_RANK = 8;

const WORKGROUP = 256;

/** One strided copy: `dst[dstBase + Σ idx·dstStride] = src[srcBase + Σ idx·srcStride]` over `shape`. */
interface StridedCopy {
  shape: Shape;
  src: GPUBuffer;
  srcBase: number;
  srcStride: readonly number[];
  dst: GPUBuffer;
  dstBase: number;
  dstStride: readonly number[];
}

function copies(gpu: WebGPUBackend, kernel: string, list: readonly StridedCopy[]): void {
  const dispatches = [];
  for (const c of list) {
    const n = sizeOf(c.shape);
    if (n === 0) continue;
    const rank = c.shape.length;
    if (rank > STRIDED_COPY_MAX_RANK) throw new Error(`${kernel}: the webgpu kernel copies up to rank ${STRIDED_COPY_MAX_RANK}, got ${formatShape(c.shape)}`);
    const last = (base: number, stride: readonly number[]) => base + c.shape.reduce((s, d, a) => s + (d - 1) * stride[a], 0);
    if (last(c.srcBase, c.srcStride) >= 2 ** 32 || last(c.dstBase, c.dstStride) >= 2 ** 32) throw new Error(`${kernel}: the webgpu kernel addresses fewer than 2³² elements`);
    const u = new Uint32Array(4 + 3 * STRIDED_COPY_MAX_RANK);
    u.set([n, rank, c.srcBase, c.dstBase]);
    u.set(c.shape, 4);
    u.set(c.srcStride, 4 + STRIDED_COPY_MAX_RANK);
    u.set(c.dstStride, 4 + 2 * STRIDED_COPY_MAX_RANK);
    dispatches.push({ stem: 'layout/strided_copy', entry: kernel, uniforms: u.buffer, buffers: [c.src, c.dst], groups: linearGrid(n, WORKGROUP) });
  }
  if (dispatches.length) gpu.run(dispatches);
}

/** Runs `plan` on the GPU into a new buffer (zero-filled by WebGPU, as `pad_slice` needs). */
function run(gpu: WebGPUBackend, kernel: string, inputs: readonly Tensor[], plan: LayoutPlan): KernelOutput {
  const dtype = inputs[0].dtype;
  const out = gpu.alloc(dtype, sizeOf(plan.shape));
  copies(gpu, kernel, plan.copies.map((c) => ({ ...c, src: (inputs[c.input].handle as GpuHandle).buffer, dst: out.buffer })));
  return { shape: [...plan.shape], dtype, handle: out };
}

/** The `webgpu` implementation of `transpose`: y = x with axes permuted (output axis i is input axis perm[i]). */
export const transpose: KernelImpl<{ perm: readonly number[] }> = ({ inputs, attrs, backend }) =>
  run(backend as WebGPUBackend, 'transpose', inputs, transposePlan(inputs[0].shape, attrs.perm));

/** The `webgpu` implementation of `broadcast_to`: y = x stretched to `shape`. */
export const broadcastTo: KernelImpl<{ shape: Shape }> = ({ inputs, attrs, backend }) =>
  run(backend as WebGPUBackend, 'broadcast_to', inputs, broadcastPlan(inputs[0].shape, attrs.shape));

/** The `webgpu` implementation of `slice`: y = x[begin : begin + size]. */
export const slice: KernelImpl<{ begin: readonly number[]; size: readonly number[] }> = ({ inputs, attrs, backend }) =>
  run(backend as WebGPUBackend, 'slice', inputs, slicePlan(inputs[0].shape, attrs.begin, attrs.size));

/** The `webgpu` implementation of `pad_slice`: zeros(shape) with x written at `begin`. */
export const padSlice: KernelImpl<{ shape: Shape; begin: readonly number[] }> = ({ inputs, attrs, backend }) =>
  run(backend as WebGPUBackend, 'pad_slice', inputs, padSlicePlan(inputs[0].shape, attrs.shape, attrs.begin));

/** The `webgpu` implementation of `concat`: the inputs joined along `axis`, one copy each. */
export const concat: KernelImpl<{ axis: number }> = ({ inputs, attrs, backend }) =>
  run(backend as WebGPUBackend, 'concat', inputs, concatPlan(inputs.map((t) => t.shape), attrs.axis));
