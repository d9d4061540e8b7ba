/** `transpose`: y = x with axes permuted, y[i_0..i_r] = x[i_perm⁻¹…] (a copy). */
import { hostData, hostOutput } from '../../backends/js/backend.js';
import { forEachStridedOffset } from '../../backends/js/strided.js';
import { allocArray } from '../../tensor/dtype.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { stridesOf } from '../../tensor/shape.js';

export interface TransposeAttrs {
  /** Output axis i is input axis perm[i]. */
  perm: readonly number[];
}

export const transposeSpec = declareKernel({ id: 'transpose', family: 'layout', summary: 'y = x with axes permuted' });

registerKernel<TransposeAttrs>('transpose', 'js', ({ inputs: [x], attrs, backend }) => {
  const { perm } = attrs;
  const shape = perm.map((p) => x.shape[p]);
  const src = hostData(x);
  const inStrides = stridesOf(x.shape);
  const st = perm.map((p) => inStrides[p]);
  const out = allocArray(x.dtype, src.length);
  forEachStridedOffset(shape, st, 0, (i, o) => {
    out[i] = src[o];
  });
  return hostOutput(backend, shape, x.dtype, out);
});
