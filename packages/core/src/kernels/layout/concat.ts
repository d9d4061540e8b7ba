/** `concat`: y = [x_0, x_1, …] joined along one axis; all other axes must match. */
import { hostData, hostOutput } from '../../backends/js/backend.js';
import { allocArray } from '../../tensor/dtype.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { formatShape, sizeOf } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';

export interface ConcatAttrs {
  axis: number;
}

/**
 * Checks `concat`'s inputs and axis: at least one input, all of one dtype and
 * rank, `axis` an axis of them, every other axis equal. The spec's rule, run
 * by `runKernel` on every backend before its plan (`concatPlan`) is made.
 *
 * @example
 * ```ts
 * checkConcatInputs([a, b], { axis: 1 }); // a [2, 3], b [2, 5]: joins to [2, 8]
 * ```
 */
export function checkConcatInputs(inputs: readonly Tensor[], attrs: ConcatAttrs): void {
  const first = inputs[0];
  if (!first) throw new Error('concat: give at least one input');
  const { axis } = attrs;
  const rank = first.shape.length;
  if (!(Number.isInteger(axis) && axis >= 0 && axis < rank)) throw new Error(`concat: axis ${axis} is outside the ${rank} axes of ${formatShape(first.shape)}`);
  for (let k = 1; k < inputs.length; k++) {
    const t = inputs[k];
    if (t.dtype !== first.dtype) throw new Error(`concat: input ${k} has dtype ${t.dtype}, input 0 has ${first.dtype}`);
    let fits = t.shape.length === rank;
    for (let a = 0; fits && a < rank; a++) fits = a === axis || t.shape[a] === first.shape[a];
    if (!fits) throw new Error(`concat: ${inputs.map((u) => formatShape(u.shape)).join(', ')} differ outside axis ${axis}`);
  }
}

export const concatSpec = declareKernel({ id: 'concat', family: 'layout', summary: 'y = concatenation of inputs along an axis', check: checkConcatInputs });

registerKernel<ConcatAttrs>('concat', 'js', ({ inputs, attrs, backend }) => {
  const { axis } = attrs;
  const first = inputs[0];
  const shape = [...first.shape];
  shape[axis] = inputs.reduce((s, t) => s + t.shape[axis], 0);
  const outer = sizeOf(first.shape.slice(0, axis));
  const inner = sizeOf(first.shape.slice(axis + 1));
  const out = allocArray(first.dtype, sizeOf(shape));
  const rowLen = shape[axis] * inner;
  let colOffset = 0;
  for (const t of inputs) {
    const src = hostData(t);
    const block = t.shape[axis] * inner;
    for (let o = 0; o < outer; o++) out.set(src.subarray(o * block, (o + 1) * block), o * rowLen + colOffset);
    colOffset += block;
  }
  return hostOutput(backend, shape, first.dtype, out);
});
