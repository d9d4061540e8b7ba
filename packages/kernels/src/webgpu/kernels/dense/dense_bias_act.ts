/**
 * `dense_bias_act` on `webgpu`: the glue for
 * `kernels/wgsl/dense/dense_bias_act.wgsl` — matmul's 64×64 tiles with the
 * bias and activation applied before the one store (the activation is a
 * pipeline-override variant). The kernel's rule (`checkDenseBiasActInputs` in
 * `@rec/core`) has checked the inputs before this glue runs; the workgroup
 * limit here is this backend's own.
 */
import { type DenseActivation, type DenseBiasActAttrs, type KernelImpl } from '@rec/core';
import { MAX_WORKGROUPS_PER_DIM, type GpuHandle, type WebGPUBackend } from '../../backend.js';

const TILE = 64;
const ACTIVATION: Record<DenseActivation, number> = { none: 0, relu: 1, sigmoid: 2 };

/** The `webgpu` implementation of `dense_bias_act`. */
export const denseBiasAct: KernelImpl<DenseBiasActAttrs> = ({ inputs, attrs, backend }) => {
  const gpu = backend as WebGPUBackend;
  const [x, w, b] = inputs;
  const [m, k] = x.shape;
  const n = w.shape[1];
  const y = gpu.alloc('f32', m * n);
  if (m * n > 0) {
    const groups: [number, number, number] = [Math.ceil(n / TILE), Math.ceil(m / TILE), 1];
    if (groups[0] > MAX_WORKGROUPS_PER_DIM || groups[1] > MAX_WORKGROUPS_PER_DIM) {
      throw new Error(`dense_bias_act: [${m}, ${n}] outputs need more than ${MAX_WORKGROUPS_PER_DIM} tiles of ${TILE} along an axis`);
    }
    const buf = (t: typeof x) => (t.handle as GpuHandle).buffer;
    gpu.run([{
      stem: 'dense/dense_bias_act',
      entry: 'dense_bias_act',
      constants: { ACTIVATION: ACTIVATION[attrs.activation] },
      uniforms: new Uint32Array([m, n, k, 0, 0, 0, 0, 0]).buffer,
      buffers: [buf(x), buf(w), y.buffer, buf(b)],
      groups,
    }]);
  }
  return { shape: [m, n], dtype: 'f32', handle: y };
};
