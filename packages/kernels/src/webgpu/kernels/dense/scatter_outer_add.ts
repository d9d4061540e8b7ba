/**
 * `scatter_outer_add` on `webgpu`: the glue for
 * `kernels/wgsl/dense/scatter_outer_add.wgsl`. Five passes in one submit:
 * count the rows per matrix, scan the counts into matrix starts, fill a CSR of
 * row ids, sort each matrix's rows, then each output element (k, i, c) is the
 * sum of a[r, i] · b[r, c] over its matrix's rows in increasing r — a 3-D grid
 * of 32 × 8 tiles, the matrices along z in dispatches of at most 65535, the
 * rows i strided over enough workgroups along y for about 1024 in all.
 * Deterministic (no float atomics), the same order of addition as the C++
 * version, and no readback of the index tensor. The kernel's rule
 * (`checkScatterOuterAddInputs` in `@rec/core`) has checked the shapes before
 * this glue runs; indices are checked on the GPU and one out of range is raised
 * at the next read (its row is left out of every matrix).
 */
import { type KernelImpl, type ScatterOuterAddAttrs, type Tensor } from '@rec/core';
import { linearGrid, MAX_WORKGROUPS_PER_DIM, type Dispatch, type GpuHandle, type WebGPUBackend } from '../../backend.js';

const K = 'scatter_outer_add';
const STEM = 'dense/scatter_outer_add';
/** Invocations per workgroup of passes 1, 3 and 4 (the shader's WORKGROUP). */
const WORKGROUP = 256;
/** Pass 5's workgroup: columns × rows of one matrix (the shader's TILE_C × TILE_I). */
const TILE_C = 32;
const TILE_I = 8;
/**
 * Workgroups pass 5 aims for: enough to fill a GPU's cores (an H100 holds about 132 × 8 of
 * 256 invocations at once), and no more, because each extra workgroup along y re-reads its
 * matrix's segment bounds and, for a matrix no row names, only exits.
 */
const TARGET_GROUPS = 1024;

function buffer(t: Tensor): GPUBuffer {
  return (t.handle as GpuHandle).buffer;
}

/** The `webgpu` implementation of `scatter_outer_add`. */
export const scatterOuterAdd: KernelImpl<ScatterOuterAddAttrs> = ({ inputs, attrs, backend }) => {
  const gpu = backend as WebGPUBackend;
  const n = inputs[2].shape[0];
  const rows = inputs[0].shape[1];
  const cols = inputs[1].shape[1];
  const matrices = attrs.matrices;
  const size = matrices * rows * cols;
  if (size >= 2 ** 32 || n >= 2 ** 32) {
    throw new Error(`${K}: the webgpu version addresses fewer than 2³² elements, got ${matrices} × ${rows} × ${cols} outputs from ${n} rows`);
  }
  const colGroups = Math.ceil(cols / TILE_C);
  if (colGroups > MAX_WORKGROUPS_PER_DIM) {
    throw new Error(`${K}: the webgpu version takes matrices of at most ${MAX_WORKGROUPS_PER_DIM * TILE_C} columns, got ${cols}`);
  }
  // New storage is zero-filled: with no rows every matrix is already 0. An empty matrix shape
  // computes nothing and leaves the indices unchecked (the reference still checks them).
  const out = gpu.alloc('f32', size);
  if (n === 0 || size === 0) return { shape: [matrices, rows, cols], dtype: 'f32', handle: out };

  const counts = gpu.createStorage((matrices + 1) * 4);
  const starts = gpu.createStorage((matrices + 1) * 4);
  const rowsOf = gpu.createStorage(n * 4);
  const status = gpu.statusWord(`${K}: an index is out of range for ${matrices} matrices (its row is left out)`);
  const uniforms = new Uint32Array([n, matrices, rows, cols, 0, 0, 0, 0]).buffer;
  const index = buffer(inputs[2]);
  // Bindings of the WGSL module: 1 index, 2 a, 3 b, 4 out, 5 counts, 6 starts, 7 rows_of, 8 status.
  const dispatches: Dispatch[] = [
    { stem: STEM, entry: 'group_count', uniforms, buffers: [index, counts, status], bindings: [1, 5, 8], groups: linearGrid(n, WORKGROUP) },
    { stem: STEM, entry: 'group_scan', uniforms, buffers: [counts, starts], bindings: [5, 6], groups: [1, 1, 1] },
    { stem: STEM, entry: 'group_fill', uniforms, buffers: [index, counts, starts, rowsOf], bindings: [1, 5, 6, 7], groups: linearGrid(n, WORKGROUP) },
    { stem: STEM, entry: 'group_sort', uniforms, buffers: [starts, rowsOf], bindings: [6, 7], groups: linearGrid(matrices, WORKGROUP) },
  ];
  // Pass 5: matrices along z, at most 65535 per dispatch; rows i strided over `iGroups` along y.
  const iGroups = Math.min(Math.ceil(rows / TILE_I), Math.max(1, Math.ceil(TARGET_GROUPS / (matrices * colGroups))));
  for (let k0 = 0; k0 < matrices; k0 += MAX_WORKGROUPS_PER_DIM) {
    dispatches.push({
      stem: STEM,
      entry: 'scatter_outer_add',
      uniforms: new Uint32Array([n, matrices, rows, cols, k0, 0, 0, 0]).buffer,
      buffers: [buffer(inputs[0]), buffer(inputs[1]), out.buffer, starts, rowsOf],
      bindings: [2, 3, 4, 6, 7],
      groups: [colGroups, iGroups, Math.min(MAX_WORKGROUPS_PER_DIM, matrices - k0)],
    });
  }
  gpu.run(dispatches);
  // WebGPU keeps them alive for the work already submitted.
  counts.destroy();
  starts.destroy();
  rowsOf.destroy();
  return { shape: [matrices, rows, cols], dtype: 'f32', handle: out };
};
