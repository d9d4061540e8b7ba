/**
 * `transpose`: y = x with axes permuted (a copy): output axis i is input axis perm[i], so
 *
 *   y[i_0, …, i_{r−1}] = x[j]  with  j_{perm[k]} = i_k
 *
 * Any dtype, copied bit for bit. The plan (shape, permuted strides) is `transposePlan` in
 * plans.ts, shared with native (kernels/cpu/layout/strided_copy.cc) and webgpu
 * (kernels/wgsl/layout/strided_copy.wgsl), which run it as one strided copy; the check of
 * perm is the spec's, {@link checkTransposeInputs}.
 */
import { hostData, hostOutput } from '../../backends/js/backend.js';
import { forEachStridedOffset } from '../../backends/js/strided.js';
import { allocArray } from '../../tensor/dtype.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { formatShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { transposePlan } from './plans.js';

export interface TransposeAttrs {
  /** Output axis i is input axis perm[i]. */
  perm: readonly number[];
}

/** True when `perm` lists each of the axes 0 … rank − 1 once. */
function isPermutation(perm: readonly number[], rank: number): boolean {
  if (!Array.isArray(perm) || perm.length !== rank) return false;
  let seen = 0; // one bit per axis; past 31 axes a repeat is looked for instead
  for (let i = 0; i < rank; i++) {
    const p = perm[i];
    if (!(Number.isInteger(p) && p >= 0 && p < rank)) return false;
    if (rank <= 31) {
      if (seen & (1 << p)) return false;
      seen |= 1 << p;
    } else if (perm.indexOf(p) !== i) {
      return false;
    }
  }
  return true;
}

/**
 * Checks `transpose`'s input and `perm`: one input, and `perm` a permutation
 * of its axes. The spec's rule, run by `runKernel` on every backend before its
 * plan (`transposePlan`) is made.
 *
 * @example
 * ```ts
 * checkTransposeInputs([x], { perm: [0, 2, 1] }); // x of rank 3
 * ```
 */
export function checkTransposeInputs(inputs: readonly Tensor[], attrs: TransposeAttrs): void {
  if (inputs.length !== 1) throw new Error(`transpose: expected 1 input [x], got ${inputs.length}`);
  const { shape } = inputs[0];
  const { perm } = attrs;
  if (!isPermutation(perm, shape.length)) {
    throw new Error(`transpose: perm [${Array.isArray(perm) ? perm.join(', ') : String(perm)}] is not a permutation of the ${shape.length} axes of ${formatShape(shape)}`);
  }
}

export const transposeSpec = declareKernel({ id: 'transpose', family: 'layout', summary: 'y = x with axes permuted', check: checkTransposeInputs });

registerKernel<TransposeAttrs>('transpose', 'js', ({ inputs: [x], attrs, backend }) => {
  const { shape, copies: [copy] } = transposePlan(x.shape, attrs.perm);
  const src = hostData(x);
  const out = allocArray(x.dtype, src.length);
  forEachStridedOffset(shape, copy.srcStride, 0, (i, o) => {
    out[i] = src[o];
  });
  return hostOutput(backend, shape, x.dtype, out);
});
