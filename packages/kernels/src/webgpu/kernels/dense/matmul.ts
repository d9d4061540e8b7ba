/**
 * `matmul` on `webgpu`: the glue for `kernels/wgsl/dense/matmul.wgsl` (64×64
 * tiles in workgroup memory, 4×4 outputs per invocation; transposes are
 * pipeline-override variants). Shapes as in `@rec/core`'s reference: batch
 * axes match, or one operand is 2-D and shared; the kernel's rule
 * (`checkMatmulInputs`) has checked them before this glue runs.
 */
import type { KernelImpl } from '@rec/core';
import type { GpuHandle, WebGPUBackend } from '../../backend.js';

interface MatmulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

const TILE = 64;

/** The `webgpu` implementation of `matmul`. */
export const matmul: KernelImpl<MatmulAttrs> = ({ inputs: [ta, tb], attrs, backend }) => {
  const gpu = backend as WebGPUBackend;
  const ra = ta.shape.length;
  const rb = tb.shape.length;
  const m = attrs.transposeA ? ta.shape[ra - 1] : ta.shape[ra - 2];
  const k = attrs.transposeA ? ta.shape[ra - 2] : ta.shape[ra - 1];
  const n = attrs.transposeB ? tb.shape[rb - 2] : tb.shape[rb - 1];
  const batchShape = ra >= rb ? ta.shape.slice(0, -2) : tb.shape.slice(0, -2);
  const batch = batchShape.reduce((p, d) => p * d, 1);
  const out = gpu.alloc('f32', batch * m * n);
  if (batch * m * n > 0) {
    const u = new Uint32Array(8);
    u.set([m, n, k, 0, ra > 2 ? m * k : 0, rb > 2 ? k * n : 0]);
    gpu.run([{
      stem: 'dense/matmul',
      entry: 'matmul',
      constants: { TRANSPOSE_A: attrs.transposeA, TRANSPOSE_B: attrs.transposeB },
      uniforms: u.buffer,
      buffers: [(ta.handle as GpuHandle).buffer, (tb.handle as GpuHandle).buffer, out.buffer],
      groups: [Math.ceil(n / TILE), Math.ceil(m / TILE), batch],
    }]);
  }
  return { shape: [...batchShape, m, n], dtype: 'f32', handle: out };
};
