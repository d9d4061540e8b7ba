/**
 * `gather_rows`: y[j] = table[indices[j]] — the embedding lookup. table
 * `[rows, ...rowShape]`, indices i32 of any shape, y `[...indices.shape, ...rowShape]`.
 * Its gradient is row-sparse (see `RowSparse`), never a dense table.
 */
import { hostData, hostOutput } from '../../backends/js/backend.js';
import { allocArray } from '../../tensor/dtype.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { formatShape, sizeOf } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';

/**
 * Checks `gather_rows`' inputs: a table of rank ≥ 1 (any dtype) and i32
 * indices of any shape. The spec's rule, run by `runKernel` on every backend;
 * that each id names a row needs the ids themselves, so the backends check it.
 *
 * @example
 * ```ts
 * checkGatherRowsInputs([table, indices]); // throws unless indices are i32
 * ```
 */
export function checkGatherRowsInputs(inputs: readonly Tensor[]): void {
  const K = 'gather_rows';
  if (inputs.length !== 2) throw new Error(`${K}: expected 2 inputs [table, indices], got ${inputs.length}`);
  const [table, indices] = inputs;
  if (table.shape.length < 1) throw new Error(`${K}: the table must have at least one axis (its rows), got ${formatShape(table.shape)}`);
  if (indices.dtype !== 'i32') throw new Error(`${K}: indices must be i32, got ${indices.dtype}`);
}

export const gatherRowsSpec = declareKernel({ id: 'gather_rows', family: 'indexing', summary: 'y[j] = table[indices[j]]', check: checkGatherRowsInputs });

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
