/** `transpose`: y = x with axes permuted, y[i_0..i_r] = x[i_perm⁻¹…] (a copy). */
import { hostData, hostOutput } from '../../backends/js/backend.js';
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
  const rank = shape.length;
  const out = allocArray(x.dtype, src.length);
  const idx = new Array<number>(rank).fill(0);
  let s = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = src[s];
    for (let ax = rank - 1; ax >= 0; ax--) {
      idx[ax] += 1;
      s += st[ax];
      if (idx[ax] < shape[ax]) break;
      s -= st[ax] * shape[ax];
      idx[ax] = 0;
    }
  }
  return hostOutput(backend, shape, x.dtype, out);
});
