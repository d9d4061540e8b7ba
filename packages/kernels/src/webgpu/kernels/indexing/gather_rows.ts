/**
 * `gather_rows` on `webgpu`: the glue for `kernels/wgsl/indexing/gather_rows.wgsl`
 * (one invocation per output element, a 32-bit copy, so exact for f32, i32
 * and u32). Indices are checked on the GPU (they live there): an id out of
 * range is raised at the next read, with the table's size but not the id,
 * which only the GPU saw.
 */
import { type DType, type KernelImpl, sizeOf } from '@rec/core';
import { linearGrid, type GpuHandle, type WebGPUBackend } from '../../backend.js';

const WORKGROUP = 256;
const ROW_DTYPES: readonly DType[] = ['f32', 'i32', 'u32'];

/** The `webgpu` implementation of `gather_rows`. */
export const gatherRows: KernelImpl = ({ inputs: [table, indices], backend }) => {
  const gpu = backend as WebGPUBackend;
  // The table's rank and the indices' dtype passed the spec's check (@rec/core checkGatherRowsInputs).
  if (!ROW_DTYPES.includes(table.dtype)) throw new Error(`gather_rows: the webgpu kernel takes an f32, i32 or u32 table, got ${table.dtype}`);
  const rows = table.shape[0];
  const width = sizeOf(table.shape.slice(1));
  const total = indices.size * width;
  if (total >= 2 ** 32 || rows * width >= 2 ** 32) throw new Error(`gather_rows: the webgpu kernel addresses fewer than 2³² elements, got ${indices.size} × ${width} from ${rows} rows`);
  const out = gpu.alloc(table.dtype, total);
  // Rows of width 0 copy nothing and leave the ids unchecked (the reference still checks them).
  if (total > 0) {
    const status = gpu.statusWord(`gather_rows: an index is out of range for a table of ${rows} rows (its output row is 0)`);
    gpu.run([{
      stem: 'indexing/gather_rows',
      entry: 'gather_rows',
      uniforms: new Uint32Array([total, width, rows, 0]).buffer,
      buffers: [(table.handle as GpuHandle).buffer, (indices.handle as GpuHandle).buffer, out.buffer, status],
      groups: linearGrid(total, WORKGROUP),
    }]);
  }
  return { shape: [...indices.shape, ...table.shape.slice(1)], dtype: table.dtype, handle: out };
};
