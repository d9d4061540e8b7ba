/**
 * `dense_bias_act_grad` on `webgpu`: the glue for
 * `kernels/wgsl/dense/dense_bias_act_grad.wgsl`. Five dispatches in one pass list: g = dy ⊙
 * act′(y) into a scratch buffer (the activation is a pipeline-override variant), the column
 * sums of each block of 32 rows of g, db as a fixed tree over those block sums, then dx = g·Wᵀ
 * and dW = xᵀ·g through `matmul`'s pipelines (`kernels/wgsl/dense/matmul.wgsl`).
 * Deterministic (no float atomics). The kernel's rule (`checkDenseBiasActGradInputs` in
 * `@rec/core`) has checked the inputs before this glue runs; the size limits here are the
 * shaders'.
 */
import { type DenseActivation, type DenseBiasActAttrs, type KernelImpl, type KernelOutput, type Tensor } from '@rec/core';
import { linearGrid, MAX_WORKGROUPS_PER_DIM, type Dispatch, type GpuHandle, type WebGPUBackend } from '../../backend.js';

const K = 'dense_bias_act_grad';
const STEM = 'dense/dense_bias_act_grad';
const ACTIVATION: Record<DenseActivation, number> = { none: 0, relu: 1, sigmoid: 2 };
/** Pass 1's workgroup (the shader's ELEMENTS). */
const ELEMENTS = 256;
/** Pass 2's workgroup: columns × blocks of rows, and the rows of a block (the shader's COLUMNS, LANES, BLOCK_ROWS). */
const COLUMNS = 32;
const LANES = 8;
const BLOCK_ROWS = 32;
/** matmul.wgsl's output tile. */
const TILE = 64;

function buffer(t: Tensor): GPUBuffer {
  return (t.handle as GpuHandle).buffer;
}

/** A grid of one workgroup per column, in 2-D past 65535. */
function perColumn(n: number): [number, number, number] {
  const gx = Math.min(n, MAX_WORKGROUPS_PER_DIM);
  return [gx, Math.ceil(n / gx), 1];
}

/** The `webgpu` implementation of `dense_bias_act_grad` ([dx, dW, db]). */
export const denseBiasActGrad: KernelImpl<DenseBiasActAttrs> = ({ inputs, attrs, backend }) => {
  const gpu = backend as WebGPUBackend;
  const [dy, x, w, y] = inputs;
  const [m, k] = x.shape;
  const n = w.shape[1];
  // The shaders index with u32, and each grid below has ≤ 65535 workgroups along an axis: pass 2's
  // ⌈n/32⌉ column tiles and ⌈m/256⌉ row blocks, matmul's ⌈·/64⌉ tiles of dx [m, k] and dW [k, n]
  // (pass 1's grid is 2-D).
  const maxRowsOrK = MAX_WORKGROUPS_PER_DIM * TILE;
  const maxColumns = MAX_WORKGROUPS_PER_DIM * COLUMNS;
  if (m * n > 0 && (m > maxRowsOrK || k > maxRowsOrK || n > maxColumns || Math.max(m * n, m * k, k * n) >= 2 ** 32)) {
    throw new Error(`${K}: the webgpu version takes m, k ≤ ${maxRowsOrK}, n ≤ ${maxColumns} and fewer than 2³² elements per operand, got m = ${m}, k = ${k}, n = ${n}`);
  }
  // New storage is zero-filled: with m·n = 0 every output is already right.
  const dx = gpu.alloc('f32', m * k);
  const dW = gpu.alloc('f32', k * n);
  const db = gpu.alloc('f32', n);
  const outputs: KernelOutput[] = [
    { shape: [m, k], dtype: 'f32', handle: dx },
    { shape: [k, n], dtype: 'f32', handle: dW },
    { shape: [n], dtype: 'f32', handle: db },
  ];
  if (m * n === 0) return outputs;

  const blocks = Math.ceil(m / BLOCK_ROWS);
  const g = gpu.createStorage(m * n * 4);
  const partial = gpu.createStorage(blocks * n * 8);
  const uniforms = new Float32Array([0, 0, 0, 1]);
  new Uint32Array(uniforms.buffer, 0, 3).set([m, n, blocks]);
  const dispatches: Dispatch[] = [
    {
      stem: STEM, entry: K, constants: { ACTIVATION: ACTIVATION[attrs.activation] }, uniforms: uniforms.buffer,
      buffers: [buffer(dy), buffer(y), g], groups: linearGrid(m * n, ELEMENTS),
    },
    {
      stem: STEM, entry: `${K}_partial`, uniforms: uniforms.buffer, buffers: [g, partial], bindings: [3, 4],
      groups: [Math.ceil(n / COLUMNS), Math.ceil(blocks / LANES), 1],
    },
    { stem: STEM, entry: `${K}_bias`, uniforms: uniforms.buffer, buffers: [partial, db.buffer], bindings: [4, 5], groups: perColumn(n) },
  ];
  if (k > 0) {
    // matmul's uniform: output rows, output columns, summed length; no batch steps.
    dispatches.push(
      {
        stem: 'dense/matmul', entry: 'matmul', constants: { TRANSPOSE_A: false, TRANSPOSE_B: true }, uniforms: new Uint32Array([m, k, n, 0, 0, 0, 0, 0]).buffer,
        buffers: [g, buffer(w), dx.buffer], groups: [Math.ceil(k / TILE), Math.ceil(m / TILE), 1],
      },
      {
        stem: 'dense/matmul', entry: 'matmul', constants: { TRANSPOSE_A: true, TRANSPOSE_B: false }, uniforms: new Uint32Array([k, n, m, 0, 0, 0, 0, 0]).buffer,
        buffers: [buffer(x), g, dW.buffer], groups: [Math.ceil(n / TILE), Math.ceil(k / TILE), 1],
      },
    );
  }
  gpu.run(dispatches);
  // WebGPU keeps them alive for the work already submitted.
  g.destroy();
  partial.destroy();
  return outputs;
};
