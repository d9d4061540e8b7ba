/**
 * `gather_rows`: y[j] = table[indices[j]] — the embedding lookup. table
 * `[rows, ...rowShape]`, indices i32 of any shape, y `[...indices.shape, ...rowShape]`.
 * Its gradient is row-sparse (see `RowSparse`), never a dense table.
 */
import { hostData, hostOutput } from '../../backends/js/backend.js';
import { allocArray } from '../../tensor/dtype.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { sizeOf } from '../../tensor/shape.js';

export const gatherRowsSpec = declareKernel({ id: 'gather_rows', family: 'indexing', summary: 'y[j] = table[indices[j]]' });

registerKernel('gather_rows', 'js', ({ inputs: [table, indices], backend }) => {
  const rows = table.shape[0];
  const width = sizeOf(table.shape.slice(1));
  const src = hostData(table);
  const idx = hostData(indices);
  const out = allocArray(table.dtype, idx.length * width);
  for (let j = 0; j < idx.length; j++) {
    const r = idx[j];
    if (r < 0 || r >= rows) throw new Error(`gather_rows: index ${r} at position ${j} is out of range for a table of ${rows} rows`);
    out.set(src.subarray(r * width, (r + 1) * width), j * width);
  }
  return hostOutput(backend, [...indices.shape, ...table.shape.slice(1)], table.dtype, out);
});
