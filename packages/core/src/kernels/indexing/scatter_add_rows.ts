/**
 * `scatter_add_rows`: y = target; y[indices[j]] += src[j] for every j —
 * duplicates accumulate. target `[rows, ...rowShape]`, indices i32 `[n]`, src
 * `[n, ...rowShape]`. Returns a new tensor; target is unchanged.
 */
import { hostData, hostOutput } from '../../backends/js/backend.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { sizeOf } from '../../tensor/shape.js';

export const scatterAddRowsSpec = declareKernel({ id: 'scatter_add_rows', family: 'indexing', summary: 'y = target; y[indices[j]] += src[j]' });

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
