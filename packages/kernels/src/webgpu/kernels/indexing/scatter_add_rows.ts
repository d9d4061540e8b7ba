/**
 * `scatter_add_rows` on `webgpu`: the glue for
 * `kernels/wgsl/indexing/scatter_add_rows.wgsl`. Five dispatches in one pass:
 * count the ids per row, scan the counts into row starts, fill a CSR of entry
 * ids, sort each row's entries, then one invocation per output element adds
 * its row's src rows in order of j — deterministic, exact for f32 (the
 * reference's order of addition), i32 and u32 (wrapping), with no float
 * atomics and no lost duplicates. Ids are checked on the GPU and raised at the
 * next read.
 */
import { type DType, type KernelImpl, sizeOf } from '@rec/core';
import { linearGrid, type GpuHandle, type WebGPUBackend } from '../../backend.js';

const WORKGROUP = 256;
const STEM = 'indexing/scatter_add_rows';
/** WGSL `DTYPE`: 0 adds as f32, 1 as wrapping 32-bit integers (i32 and u32 alike). */
const DTYPE_CODE: Partial<Record<DType, number>> = { f32: 0, i32: 1, u32: 1 };

/** The `webgpu` implementation of `scatter_add_rows`. */
export const scatterAddRows: KernelImpl = ({ inputs: [target, indices, src], backend }) => {
  const gpu = backend as WebGPUBackend;
  const K = 'scatter_add_rows';
  // Shapes and dtypes passed the spec's check (@rec/core checkScatterAddRowsInputs): src is [n, ...rowShape] of the target's dtype.
  const dtype = DTYPE_CODE[target.dtype];
  if (dtype === undefined) throw new Error(`${K}: the webgpu kernel takes an f32, i32 or u32 target, got ${target.dtype}`);
  const rows = target.shape[0];
  const width = sizeOf(target.shape.slice(1));
  const n = indices.size;
  if (target.size >= 2 ** 32 || src.size >= 2 ** 32) throw new Error(`${K}: the webgpu kernel addresses fewer than 2³² elements`);
  const out = gpu.alloc(target.dtype, target.size);
  if (target.size === 0) return { shape: [...target.shape], dtype: target.dtype, handle: out };

  const counts = gpu.createStorage((rows + 1) * 4);
  const starts = gpu.createStorage((rows + 1) * 4);
  const entries = gpu.createStorage(n * 4);
  const status = gpu.statusWord(`${K}: an index is out of range for ${rows} rows`);
  const uniforms = new Uint32Array([n, rows, width, 0]).buffer;
  const idx = (indices.handle as GpuHandle).buffer;
  // Bindings of the WGSL module: 1 indices, 2 target, 3 src, 4 y, 5 counts, 6 starts, 7 entries, 8 status.
  gpu.run([
    { stem: STEM, entry: 'group_count', uniforms, buffers: [idx, counts, status], bindings: [1, 5, 8], groups: linearGrid(n, WORKGROUP) },
    { stem: STEM, entry: 'group_scan', uniforms, buffers: [counts, starts], bindings: [5, 6], groups: [1, 1, 1] },
    { stem: STEM, entry: 'group_fill', uniforms, buffers: [idx, counts, starts, entries], bindings: [1, 5, 6, 7], groups: linearGrid(n, WORKGROUP) },
    { stem: STEM, entry: 'group_sort', uniforms, buffers: [starts, entries], bindings: [6, 7], groups: linearGrid(rows, WORKGROUP) },
    {
      stem: STEM,
      entry: 'scatter_add_rows',
      constants: { DTYPE: dtype },
      uniforms,
      buffers: [(target.handle as GpuHandle).buffer, (src.handle as GpuHandle).buffer, out.buffer, starts, entries],
      bindings: [2, 3, 4, 6, 7],
      groups: linearGrid(target.size, WORKGROUP),
    },
  ]);
  // WebGPU keeps them alive for the work already submitted.
  counts.destroy();
  starts.destroy();
  entries.destroy();
  return { shape: [...target.shape], dtype: target.dtype, handle: out };
};
