/** `concat`: y = [x_0, x_1, …] joined along one axis; all other axes must match. */
import { hostData, hostOutput } from '../../backends/js/backend.js';
import { allocArray } from '../../tensor/dtype.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { sizeOf } from '../../tensor/shape.js';
import { concatPlan } from './plans.js';

export interface ConcatAttrs {
  axis: number;
}

export const concatSpec = declareKernel({ id: 'concat', family: 'layout', summary: 'y = concatenation of inputs along an axis' });

registerKernel<ConcatAttrs>('concat', 'js', ({ inputs, attrs, backend }) => {
  const { axis } = attrs;
  concatPlan(inputs.map((t) => t.shape), axis); // the shapes' check, shared with every backend
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
