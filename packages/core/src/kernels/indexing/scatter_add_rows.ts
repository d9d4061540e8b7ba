/**
 * `scatter_add_rows`: y = target; y[indices[j]] += src[j] for every j —
 * duplicates accumulate. target `[rows, ...rowShape]`, indices i32 `[n]`, src
 * `[n, ...rowShape]`. Returns a new tensor; target is unchanged.
 */
import { hostData, hostOutput } from '../../backends/js/backend.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { formatShape, sizeOf } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';

/**
 * Checks `scatter_add_rows`' inputs: a target `[rows, ...rowShape]`, i32
 * indices `[n]` and src `[n, ...rowShape]` of the target's dtype. The spec's
 * rule, run by `runKernel` on every backend; that each id names a row needs
 * the ids themselves, so the backends check it.
 *
 * @example
 * ```ts
 * checkScatterAddRowsInputs([target, indices, src]); // target [100, 8], indices [n], src [n, 8]
 * ```
 */
export function checkScatterAddRowsInputs(inputs: readonly Tensor[]): void {
  const K = 'scatter_add_rows';
  if (inputs.length !== 3) throw new Error(`${K}: expected 3 inputs [target, indices, src], got ${inputs.length}`);
  const [target, indices, src] = inputs;
  const rank = target.shape.length;
  if (rank < 1) throw new Error(`${K}: the target must have at least one axis (its rows), got ${formatShape(target.shape)}`);
  if (indices.dtype !== 'i32' || indices.shape.length !== 1) throw new Error(`${K}: indices must be i32 [n], got ${indices.dtype} ${formatShape(indices.shape)}`);
  if (src.dtype !== target.dtype) throw new Error(`${K}: src is ${src.dtype} but the target is ${target.dtype}`);
  const n = indices.shape[0];
  let fits = src.shape.length === rank && src.shape[0] === n;
  for (let a = 1; fits && a < rank; a++) fits = src.shape[a] === target.shape[a];
  if (!fits) {
    throw new Error(`${K}: src must be ${formatShape([n, ...target.shape.slice(1)])} (one target row per index), got ${formatShape(src.shape)}`);
  }
}

export const scatterAddRowsSpec = declareKernel({ id: 'scatter_add_rows', family: 'indexing', summary: 'y = target; y[indices[j]] += src[j]', check: checkScatterAddRowsInputs });

registerKernel('scatter_add_rows', 'js', ({ inputs: [target, indices, src], backend }) => {
  const rows = target.shape[0];
  const width = sizeOf(target.shape.slice(1));
  const out = hostData(target).slice();
  const idx = hostData(indices);
  const s = hostData(src);
  for (let j = 0; j < idx.length; j++) {
    const r = idx[j];
    if (r < 0 || r >= rows) throw new Error(`scatter_add_rows: index ${r} at position ${j} is out of range for ${rows} rows`);
    const o = r * width;
    const so = j * width;
    for (let c = 0; c < width; c++) out[o + c] += s[so + c];
  }
  return hostOutput(backend, target.shape, target.dtype, out);
});
