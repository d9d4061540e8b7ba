/**
 * `binary` on `webgpu`: the glue for `kernels/wgsl/elementwise/binary.wgsl`.
 * The function is a pipeline variant (override `FN`, its index in
 * {@link BINARY_FNS}), and so is "same shape, no broadcasting"; the output
 * shape and the inputs' broadcast strides go in the uniform. f32 inputs only
 * (integer tensors keep to the host backends for now), output rank ≤ 8.
 */
import { broadcastShapes, type KernelImpl, sizeOf, stridesOf } from '@rec/core';
import { linearGrid, type GpuHandle, type WebGPUBackend } from '../../backend.js';

/** The functions of `@rec/core`'s `binary`, in the order of the WGSL `switch (FN)`. */
export const BINARY_FNS = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'equal', 'greater', 'greater_equal'] as const;

/** Most axes the WGSL kernel's uniform holds. */
export const BINARY_MAX_RANK = 8;

const WORKGROUP = 256;

/** Element strides of `shape` aligned to the rank of `target`, 0 on stretched axes. */
function alignedStrides(shape: readonly number[], target: readonly number[]): number[] {
  const own = stridesOf(shape);
  const out = new Array<number>(target.length).fill(0);
  const offset = target.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[i + offset] = shape[i] === 1 ? 0 : own[i];
  return out;
}

/** The `webgpu` implementation of `binary`. */
export const binary: KernelImpl<{ fn: string }> = ({ inputs: [ta, tb], attrs, backend }) => {
  const gpu = backend as WebGPUBackend;
  // fn, the shared dtype and the broadcast passed the spec's check (@rec/core checkBinaryInputs).
  const fn = BINARY_FNS.indexOf(attrs.fn as (typeof BINARY_FNS)[number]);
  if (ta.dtype !== 'f32' || tb.dtype !== 'f32') throw new Error(`binary: the webgpu kernel takes f32 inputs, got ${ta.dtype} and ${tb.dtype}`);
  const shape = broadcastShapes(ta.shape, tb.shape, attrs.fn);
  if (shape.length > BINARY_MAX_RANK) throw new Error(`binary: the webgpu kernel broadcasts up to rank ${BINARY_MAX_RANK}, got rank ${shape.length}`);
  const n = sizeOf(shape);
  const out = gpu.alloc('f32', n);
  if (n > 0) {
    const sameShape = ta.size === n && tb.size === n;
    const u = new Uint32Array(4 + 3 * BINARY_MAX_RANK);
    u.set([n, shape.length]);
    u.set(shape, 4);
    u.set(alignedStrides(ta.shape, shape), 4 + BINARY_MAX_RANK);
    u.set(alignedStrides(tb.shape, shape), 4 + 2 * BINARY_MAX_RANK);
    gpu.run([{
      stem: 'elementwise/binary',
      entry: 'binary',
      constants: { FN: fn, SAME_SHAPE: sameShape },
      uniforms: u.buffer,
      buffers: [(ta.handle as GpuHandle).buffer, (tb.handle as GpuHandle).buffer, out.buffer],
      groups: linearGrid(n, WORKGROUP),
    }]);
  }
  return { shape, dtype: 'f32', handle: out };
};
