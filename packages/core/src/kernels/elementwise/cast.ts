/** `cast`: y = x converted to another dtype (f32 → integer truncates toward zero). */
import { hostData, hostOutput } from '../../backends/js/backend.js';
import { allocArray, type DType } from '../../tensor/dtype.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import type { Tensor } from '../../tensor/tensor.js';

export interface CastAttrs {
  dtype: DType;
}

/**
 * Checks `cast`'s input and target dtype: one input x (any dtype) and `dtype`
 * one of f32, i32, u32. The spec's rule, run by `runKernel` on every backend.
 *
 * @example
 * ```ts
 * checkCastInputs([x], { dtype: 'i32' });
 * ```
 */
export function checkCastInputs(inputs: readonly Tensor[], attrs: CastAttrs): void {
  if (inputs.length !== 1) throw new Error(`cast: expected 1 input [x], got ${inputs.length}`);
  const { dtype } = attrs;
  if (dtype !== 'f32' && dtype !== 'i32' && dtype !== 'u32') throw new Error(`cast: dtype must be f32, i32 or u32, got ${String(dtype)}`);
}

export const castSpec = declareKernel({ id: 'cast', family: 'elementwise', summary: 'y = x as another dtype', check: checkCastInputs });

registerKernel<CastAttrs>('cast', 'js', ({ inputs: [x], attrs, backend }) => {
  const src = hostData(x);
  const out = allocArray(attrs.dtype, src.length);
  for (let i = 0; i < src.length; i++) out[i] = attrs.dtype === 'f32' ? src[i] : Math.trunc(src[i]);
  return hostOutput(backend, x.shape, attrs.dtype, out);
});
