/**
 * `softmax` and `log_softmax` on `webgpu`: the glue for
 * `kernels/wgsl/softmax/softmax.wgsl` (one workgroup per row, entry points
 * `softmax` / `log_softmax`). x is viewed as [outer, len, inner] around the
 * axis; the sizes go in the uniform, so one pipeline per entry point serves
 * every shape. f32 only, as the reference: the kernels' rules (`checkSoftmaxInputs`,
 * `checkLogSoftmaxInputs` in `@rec/core`) have checked the dtype and the axis before this
 * glue runs.
 */
import { type KernelImpl, sizeOf } from '@rec/core';
import { MAX_WORKGROUPS_PER_DIM, type GpuHandle, type WebGPUBackend } from '../../backend.js';

/** `@rec/core`'s softmax attributes (not exported by core): the axis, normalised by the op. */
interface SoftmaxAttrs {
  axis: number;
}

/** The uniform block: the sizes, then 1.0 as a run-time value (the WGSL's `unit`, see common/float_pair.wgsl). */
function softmaxUniforms(outer: number, len: number, inner: number, rows: number): ArrayBuffer {
  const u = new Uint32Array(8);
  u.set([outer, len, inner, rows]);
  new Float32Array(u.buffer, 16, 1)[0] = 1;
  return u.buffer;
}

function softmaxAlong(id: 'softmax' | 'log_softmax'): KernelImpl<SoftmaxAttrs> {
  return ({ inputs: [x], attrs: { axis }, backend }) => {
    const gpu = backend as WebGPUBackend;
    const out = gpu.alloc('f32', x.size);
    if (x.size > 0) {
      const outer = sizeOf(x.shape.slice(0, axis));
      const len = x.shape[axis];
      const inner = sizeOf(x.shape.slice(axis + 1));
      const rows = outer * inner;
      const gx = Math.min(rows, MAX_WORKGROUPS_PER_DIM);
      gpu.run([{
        stem: 'softmax/softmax',
        entry: id,
        uniforms: softmaxUniforms(outer, len, inner, rows),
        buffers: [(x.handle as GpuHandle).buffer, out.buffer],
        groups: [gx, Math.ceil(rows / gx), 1],
      }]);
    }
    return { shape: [...x.shape], dtype: 'f32', handle: out };
  };
}

/** The `webgpu` implementation of `softmax`. */
export const softmax = softmaxAlong('softmax');

/** The `webgpu` implementation of `log_softmax`. */
export const logSoftmax = softmaxAlong('log_softmax');
