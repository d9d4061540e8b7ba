/**
 * `layer_norm` and `layer_norm_grad` on `webgpu`: the glue for
 * `kernels/wgsl/norm/layer_norm.wgsl` (one workgroup per row: y, and each row's μ and
 * 1/√(σ² + ε)) and `kernels/wgsl/norm/layer_norm_grad.wgsl` (dx one workgroup per row, then dγ
 * and dβ one workgroup per column, in one pass list). Sizes go in the uniform, so one pipeline
 * per entry point serves every shape. The kernels' rules (`checkLayerNormInputs`,
 * `checkLayerNormGradInputs` in @rec/core) have checked the inputs before this glue runs.
 */
import { type KernelImpl, type LayerNormAttrs, layerNormSizes, layerNormStatsShape } from '@rec/core';
import { MAX_WORKGROUPS_PER_DIM, type GpuHandle, type WebGPUBackend } from '../../backend.js';

/** A grid of one workgroup per item (rows or columns), in 2-D past 65535. */
function perItem(count: number): [number, number, number] {
  const gx = Math.max(1, Math.min(count, MAX_WORKGROUPS_PER_DIM));
  return [gx, Math.ceil(count / gx), 1];
}

/** The uniform block: two sizes, then two f32 (ε or padding, and 1.0 as a run-time value: the WGSL's `unit`). */
function uniforms(rows: number, dim: number, floats: readonly number[]): ArrayBuffer {
  const u = new Uint32Array(4);
  u.set([rows, dim]);
  new Float32Array(u.buffer, 8, 2).set(floats);
  return u.buffer;
}

const buffer = (t: { handle: unknown }): GPUBuffer => (t.handle as GpuHandle).buffer;

/** The `webgpu` implementation of `layer_norm` ([y, mean, rstd]). */
export const layerNorm: KernelImpl<LayerNormAttrs> = ({ inputs, attrs, backend }) => {
  const gpu = backend as WebGPUBackend;
  const { rows, dim } = layerNormSizes(inputs, false);
  const [x, gamma, beta] = inputs;
  const y = gpu.alloc('f32', rows * dim);
  const mean = gpu.alloc('f32', rows);
  const rstd = gpu.alloc('f32', rows);
  if (rows > 0) {
    gpu.run([{
      stem: 'norm/layer_norm',
      entry: 'layer_norm',
      uniforms: uniforms(rows, dim, [attrs.epsilon, 1]),
      buffers: [buffer(x), buffer(gamma), buffer(beta), y.buffer, mean.buffer, rstd.buffer],
      groups: perItem(rows),
    }]);
  }
  const stats = layerNormStatsShape(x.shape);
  return [
    { shape: [...x.shape], dtype: 'f32', handle: y },
    { shape: stats, dtype: 'f32', handle: mean },
    { shape: stats, dtype: 'f32', handle: rstd },
  ];
};

/** The `webgpu` implementation of `layer_norm_grad` ([dx, dgamma, dbeta]). */
export const layerNormGrad: KernelImpl<LayerNormAttrs> = ({ inputs, backend }) => {
  const gpu = backend as WebGPUBackend;
  const { rows, dim } = layerNormSizes(inputs, true);
  const [dy, x, gamma, mean, rstd] = inputs;
  const dx = gpu.alloc('f32', rows * dim);
  const dGamma = gpu.alloc('f32', dim);
  const dBeta = gpu.alloc('f32', dim);
  if (rows > 0) {
    const common = { stem: 'norm/layer_norm_grad', uniforms: uniforms(rows, dim, [1, 0]) };
    gpu.run([
      {
        ...common, entry: 'layer_norm_grad', groups: perItem(rows),
        buffers: [buffer(dy), buffer(x), buffer(gamma), buffer(mean), buffer(rstd), dx.buffer], bindings: [1, 2, 3, 4, 5, 6],
      },
      {
        ...common, entry: 'layer_norm_grad_params', groups: perItem(dim),
        buffers: [buffer(dy), buffer(x), buffer(mean), buffer(rstd), dGamma.buffer, dBeta.buffer], bindings: [1, 2, 4, 5, 7, 8],
      },
    ]);
  }
  return [
    { shape: [...x.shape], dtype: 'f32', handle: dx },
    { shape: [...gamma.shape], dtype: 'f32', handle: dGamma },
    { shape: [...gamma.shape], dtype: 'f32', handle: dBeta },
  ];
};
