/**
 * `ncf_head` and `ncf_head_grad` on `webgpu`: the glue for `kernels/wgsl/dense/ncf_head.wgsl`
 * (one invocation per row sums its logit as a float pair) and
 * `kernels/wgsl/dense/ncf_head_grad.wgsl` (three dispatches in one pass list: dp, dq and dz
 * elementwise, the column sums of each block of 32 rows of [g ⊙ p ⊙ q; g ⊙ z], then dh as a
 * fixed tree over those block sums). Deterministic (no float atomics). Without z (GMF) a
 * 4-byte stand-in fills the z and dz bindings, which the shaders never touch as Z = 0. The
 * kernels' rules (`checkNcfHeadInputs`, `checkNcfHeadGradInputs` in `@rec/core`) have checked
 * the inputs before this glue runs; the size limits here are the shaders'.
 */
import { type KernelImpl, type KernelOutput, ncfHeadSizes, type Tensor } from '@rec/core';
import { linearGrid, MAX_WORKGROUPS_PER_DIM, type GpuHandle, type WebGPUBackend } from '../../backend.js';

/** The forward's workgroup (its WORKGROUP). */
const ROWS = 64;
/** The backward's workgroups: pass 1's elements, pass 2's columns × blocks, and the rows of a block (its ELEMENTS, COLUMNS, LANES, BLOCK_ROWS). */
const ELEMENTS = 256;
const COLUMNS = 32;
const LANES = 8;
const BLOCK_ROWS = 32;

function buffer(t: Tensor): GPUBuffer {
  return (t.handle as GpuHandle).buffer;
}

/** Both shaders' uniform: n, E, Z and the float pairs' opaque 1. */
function params(n: number, e: number, zw: number): ArrayBuffer {
  const u = new Float32Array([0, 0, 0, 1]);
  new Uint32Array(u.buffer, 0, 3).set([n, e, zw]);
  return u.buffer;
}

/** Throws unless every index of [n, E + Z] fits a u32, as the shaders' indices must. */
function checkIndexRange(kernel: string, n: number, e: number, zw: number): void {
  if (n * (e + zw) >= 2 ** 32) throw new Error(`${kernel}: the webgpu version takes n·(E + Z) < 2³², got n = ${n}, E = ${e}, Z = ${zw}`);
}

/**
 * The `webgpu` implementation of `ncf_head`: logit_i = Σ_j p_ij·q_ij·h_j + Σ_k z_ik·h_{E+k}
 * for inputs [p, q, h] or [p, q, h, z].
 *
 * @see He et al., "Neural Collaborative Filtering", WWW 2017, eq. 9 and 11.
 */
export const ncfHead: KernelImpl = ({ inputs, backend }) => {
  const gpu = backend as WebGPUBackend;
  const { n, e, z: zw, hasZ } = ncfHeadSizes(inputs, false);
  checkIndexRange('ncf_head', n, e, zw);
  // New storage is zero-filled: with no rows or no columns the logits are already right.
  const logits = gpu.alloc('f32', n);
  const output: KernelOutput = { shape: [n], dtype: 'f32', handle: logits };
  if (n * (e + zw) === 0) return output;
  const [p, q, h] = inputs;
  const absentZ = hasZ ? undefined : gpu.createStorage(4);
  gpu.run([{
    stem: 'dense/ncf_head', entry: 'ncf_head', uniforms: params(n, e, zw),
    buffers: [buffer(p), buffer(q), buffer(h), absentZ ?? buffer(inputs[3]), logits.buffer], groups: linearGrid(n, ROWS),
  }]);
  // WebGPU keeps it alive for the work already submitted.
  absentZ?.destroy();
  return output;
};

/**
 * The `webgpu` implementation of `ncf_head_grad`: from [dlogit, p, q, h] (and z), the outputs
 * [dp, dq, dh] (and dz), dh in h's shape.
 *
 * @see He et al., "Neural Collaborative Filtering", WWW 2017, eq. 9 and 11.
 */
export const ncfHeadGrad: KernelImpl = ({ inputs, backend }) => {
  const K = 'ncf_head_grad';
  const gpu = backend as WebGPUBackend;
  const { n, e, z: zw, hasZ } = ncfHeadSizes(inputs, true);
  const width = e + zw;
  checkIndexRange(K, n, e, zw);
  // Pass 2's grid: ⌈W/32⌉ column tiles × ⌈n/256⌉ row blocks (passes 1 and 3 run 2-D grids).
  const maxRows = MAX_WORKGROUPS_PER_DIM * LANES * BLOCK_ROWS;
  const maxWidth = MAX_WORKGROUPS_PER_DIM * COLUMNS;
  if (n * width > 0 && (n > maxRows || width > maxWidth)) {
    throw new Error(`${K}: the webgpu version takes n ≤ ${maxRows} and E + Z ≤ ${maxWidth}, got n = ${n}, E = ${e}, Z = ${zw}`);
  }
  const [g, p, q, h] = inputs;
  // New storage is zero-filled: with n·W = 0 every output is already right (dh sums no rows).
  const dp = gpu.alloc('f32', n * e);
  const dq = gpu.alloc('f32', n * e);
  const dh = gpu.alloc('f32', width);
  const dz = hasZ ? gpu.alloc('f32', n * zw) : undefined;
  const outputs: KernelOutput[] = [
    { shape: [n, e], dtype: 'f32', handle: dp },
    { shape: [n, e], dtype: 'f32', handle: dq },
    { shape: h.shape, dtype: 'f32', handle: dh },
  ];
  if (dz) outputs.push({ shape: [n, zw], dtype: 'f32', handle: dz });
  if (n * width === 0) return outputs;

  const blocks = Math.ceil(n / BLOCK_ROWS);
  const partial = gpu.createStorage(blocks * width * 8);
  // Without z, one stand-in serves as z (pass 2, read) and dz (pass 1, written): separate dispatches.
  const absentZ = hasZ ? undefined : gpu.createStorage(4);
  const zBuffer = absentZ ?? buffer(inputs[4]);
  const dzBuffer = absentZ ?? dz!.buffer;
  const uniforms = params(n, e, zw);
  const stem = 'dense/ncf_head_grad';
  const perColumn = Math.min(width, MAX_WORKGROUPS_PER_DIM);
  gpu.run([
    {
      stem, entry: K, uniforms, buffers: [buffer(g), buffer(p), buffer(q), buffer(h), dp.buffer, dq.buffer, dzBuffer],
      bindings: [1, 2, 3, 4, 6, 7, 8], groups: linearGrid(n * width, ELEMENTS),
    },
    {
      stem, entry: `${K}_partial`, uniforms, buffers: [buffer(g), buffer(p), buffer(q), zBuffer, partial],
      bindings: [1, 2, 3, 5, 9], groups: [Math.ceil(width / COLUMNS), Math.ceil(blocks / LANES), 1],
    },
    { stem, entry: `${K}_dh`, uniforms, buffers: [partial, dh.buffer], bindings: [9, 10], groups: [perColumn, Math.ceil(width / perColumn), 1] },
  ]);
  // WebGPU keeps them alive for the work already submitted.
  partial.destroy();
  absentZ?.destroy();
  return outputs;
};
