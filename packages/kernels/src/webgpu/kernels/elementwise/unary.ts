/**
 * `unary` on `webgpu`: the glue for `kernels/wgsl/elementwise/unary.wgsl`.
 * The function is a pipeline variant (override `FN`, its index in
 * {@link UNARY_FNS}); f32 only, as the reference.
 */
import type { KernelImpl } from '@rec/core';
import { linearGrid, type GpuHandle, type WebGPUBackend } from '../../backend.js';

/** The functions of `@rec/core`'s `unary`, in the order of the WGSL `switch (FN)`. */
export const UNARY_FNS = [
  'neg', 'exp', 'log', 'sqrt', 'rsqrt', 'abs', 'sign', 'square', 'reciprocal',
  'relu', 'step', 'sigmoid', 'tanh', 'softplus', 'log_sigmoid',
] as const;

const WORKGROUP = 256;

/** The `webgpu` implementation of `unary`. */
export const unary: KernelImpl<{ fn: string }> = ({ inputs: [x], attrs, backend }) => {
  const gpu = backend as WebGPUBackend;
  // fn passed the spec's check (@rec/core checkUnaryInputs); i32 and u32 x are the reference's only.
  const fn = UNARY_FNS.indexOf(attrs.fn as (typeof UNARY_FNS)[number]);
  if (x.dtype !== 'f32') throw new Error(`unary: the webgpu kernel takes f32 input, got ${x.dtype}`);
  const n = x.size;
  const out = gpu.alloc('f32', n);
  if (n > 0) {
    gpu.run([{
      stem: 'elementwise/unary',
      entry: 'unary',
      constants: { FN: fn },
      uniforms: new Uint32Array([n, 0, 0, 0]).buffer,
      buffers: [(x.handle as GpuHandle).buffer, out.buffer],
      groups: linearGrid(n, WORKGROUP),
    }]);
  }
  return { shape: [...x.shape], dtype: 'f32', handle: out };
};
