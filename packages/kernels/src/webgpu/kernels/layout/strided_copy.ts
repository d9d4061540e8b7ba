/**
 * The layout copies on `webgpu` — `broadcast_to`, `slice`, its adjoint `pad_slice`, and
 * `concat` — the glue for `kernels/wgsl/layout/strided_copy.wgsl`. Each is one strided
 * copy of 32-bit words (any dtype, bit-exact): the iteration shape and both sides'
 * base offsets and element strides go in the uniform, so one pipeline per entry point
 * serves every shape. Autograd needs them (the gradient of `mean`/`sum` broadcasts,
 * slices pad back) and the multi-behaviour models slice and concatenate rows by
 * behaviour; the backend has no host fallback, so they must exist here even though
 * they are cheap (`FAST_KERNELS` lists them as WGSL only: on the CPU the reference is
 * already at memory speed).
 */
import { formatShape, type KernelImpl, type Shape, sizeOf, stridesOf } from '@rec/core';
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

/** Element strides of `shape` aligned to the rank of `target`, 0 on stretched axes (NumPy broadcasting). */
function alignedStrides(shape: Shape, target: Shape): number[] {
  const own = stridesOf(shape);
  const out = new Array<number>(target.length).fill(0);
  const offset = target.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[i + offset] = shape[i] === 1 ? 0 : own[i];
  return out;
}

const offsetOf = (begin: readonly number[], strides: readonly number[]): number => begin.reduce((o, b, a) => o + b * strides[a], 0);

/** The `webgpu` implementation of `broadcast_to`: y = x stretched to `shape`. */
export const broadcastTo: KernelImpl<{ shape: Shape }> = ({ inputs: [x], attrs: { shape }, backend }) => {
  const gpu = backend as WebGPUBackend;
  if (shape.length < x.shape.length) throw new Error(`broadcast_to: ${formatShape(x.shape)} cannot be broadcast to ${formatShape(shape)}`);
  const out = gpu.alloc(x.dtype, sizeOf(shape));
  copies(gpu, 'broadcast_to', [{
    shape, src: (x.handle as GpuHandle).buffer, srcBase: 0, srcStride: alignedStrides(x.shape, shape), dst: out.buffer, dstBase: 0, dstStride: stridesOf(shape),
  }]);
  return { shape: [...shape], dtype: x.dtype, handle: out };
};

/** The `webgpu` implementation of `slice`: y = x[begin : begin + size]. */
export const slice: KernelImpl<{ begin: readonly number[]; size: readonly number[] }> = ({ inputs: [x], attrs: { begin, size }, backend }) => {
  const gpu = backend as WebGPUBackend;
  const strides = stridesOf(x.shape);
  const out = gpu.alloc(x.dtype, sizeOf(size));
  copies(gpu, 'slice', [{
    shape: size, src: (x.handle as GpuHandle).buffer, srcBase: offsetOf(begin, strides), srcStride: strides, dst: out.buffer, dstBase: 0, dstStride: stridesOf(size),
  }]);
  return { shape: [...size], dtype: x.dtype, handle: out };
};

/** The `webgpu` implementation of `pad_slice`: zeros(shape) with x written at `begin`. */
export const padSlice: KernelImpl<{ shape: Shape; begin: readonly number[] }> = ({ inputs: [x], attrs: { shape, begin }, backend }) => {
  const gpu = backend as WebGPUBackend;
  const strides = stridesOf(shape);
  // A new GPUBuffer is zero-filled (WebGPU spec): outside the window y stays 0.
  const out = gpu.alloc(x.dtype, sizeOf(shape));
  copies(gpu, 'pad_slice', [{
    shape: x.shape, src: (x.handle as GpuHandle).buffer, srcBase: 0, srcStride: stridesOf(x.shape), dst: out.buffer, dstBase: offsetOf(begin, strides), dstStride: strides,
  }]);
  return { shape: [...shape], dtype: x.dtype, handle: out };
};

/** The `webgpu` implementation of `concat`: the inputs joined along `axis`, one copy each. */
export const concat: KernelImpl<{ axis: number }> = ({ inputs, attrs: { axis }, backend }) => {
  const gpu = backend as WebGPUBackend;
  const first = inputs[0];
  const shape = [...first.shape];
  shape[axis] = inputs.reduce((s, t) => s + t.shape[axis], 0);
  const strides = stridesOf(shape);
  const out = gpu.alloc(first.dtype, sizeOf(shape));
  let at = 0;
  copies(gpu, 'concat', inputs.map((t) => {
    const c = { shape: t.shape, src: (t.handle as GpuHandle).buffer, srcBase: 0, srcStride: stridesOf(t.shape), dst: out.buffer, dstBase: at * strides[axis], dstStride: strides };
    at += t.shape[axis];
    return c;
  }));
  return { shape, dtype: first.dtype, handle: out };
};
