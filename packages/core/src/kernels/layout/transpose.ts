/**
 * `transpose`: y = x with axes permuted (a copy): output axis i is input axis perm[i], so
 *
 *   y[i_0, …, i_{r−1}] = x[j]  with  j_{perm[k]} = i_k
 *
 * Any dtype, copied bit for bit. The plan (shape, permuted strides, the check of perm) is
 * `transposePlan` in plans.ts, shared with native (kernels/cpu/layout/strided_copy.cc) and
 * webgpu (kernels/wgsl/layout/strided_copy.wgsl), which run it as one strided copy.
 */
import { hostData, hostOutput } from '../../backends/js/backend.js';
import { forEachStridedOffset } from '../../backends/js/strided.js';
import { allocArray } from '../../tensor/dtype.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { transposePlan } from './plans.js';

export interface TransposeAttrs {
  /** Output axis i is input axis perm[i]. */
  perm: readonly number[];
}

export const transposeSpec = declareKernel({ id: 'transpose', family: 'layout', summary: 'y = x with axes permuted' });

registerKernel<TransposeAttrs>('transpose', 'js', ({ inputs: [x], attrs, backend }) => {
  const { shape, copies: [copy] } = transposePlan(x.shape, attrs.perm);
  const src = hostData(x);
  const out = allocArray(x.dtype, src.length);
  forEachStridedOffset(shape, copy.srcStride, 0, (i, o) => {
    out[i] = src[o];
  });
  return hostOutput(backend, shape, x.dtype, out);
});
