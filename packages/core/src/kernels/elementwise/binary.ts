/**
 * `binary`: z = a ∘ b elementwise with NumPy broadcasting (axes aligned from
 * the right; size-1 axes stretch). Arithmetic ops keep the inputs' dtype
 * (integer results truncate, as typed arrays do); comparisons return f32 0/1.
 */
import { hostData, hostOutput } from '../../backends/js/backend.js';
import { allocArray } from '../../tensor/dtype.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { broadcastShapes, broadcastStrides, shapesEqual, sizeOf } from '../../tensor/shape.js';

export type BinaryFn = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum' | 'equal' | 'greater' | 'greater_equal';

export interface BinaryAttrs {
  fn: BinaryFn;
}

export const binarySpec = declareKernel({ id: 'binary', family: 'elementwise', summary: 'z = a ∘ b with broadcasting' });

const FNS: Record<BinaryFn, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: Math.max,
  minimum: Math.min,
  equal: (a, b) => (a === b ? 1 : 0),
  greater: (a, b) => (a > b ? 1 : 0),
  greater_equal: (a, b) => (a >= b ? 1 : 0),
};

/** True for the comparison variants, whose result is f32 0/1 whatever the input dtype. */
export function isComparison(fn: BinaryFn): boolean {
  return fn === 'equal' || fn === 'greater' || fn === 'greater_equal';
}

registerKernel<BinaryAttrs>('binary', 'js', ({ inputs: [ta, tb], attrs, backend }) => {
  const f = FNS[attrs.fn];
  const shape = broadcastShapes(ta.shape, tb.shape, attrs.fn);
  const dtype = isComparison(attrs.fn) ? 'f32' : ta.dtype;
  const a = hostData(ta);
  const b = hostData(tb);
  const n = sizeOf(shape);
  const out = allocArray(dtype, n);
  if (shapesEqual(ta.shape, tb.shape)) {
    for (let i = 0; i < n; i++) out[i] = f(a[i], b[i]);
  } else if (b.length === 1) {
    const s = b[0];
    for (let i = 0; i < n; i++) out[i] = f(a[i], s);
  } else if (a.length === 1) {
    const s = a[0];
    for (let i = 0; i < n; i++) out[i] = f(s, b[i]);
  } else {
    // Walk the output with a multi-index; each input advances by its broadcast stride.
    const rank = shape.length;
    const sa = broadcastStrides(ta.shape, shape);
    const sb = broadcastStrides(tb.shape, shape);
    const idx = new Array<number>(rank).fill(0);
    let ia = 0;
    let ib = 0;
    for (let i = 0; i < n; i++) {
      out[i] = f(a[ia], b[ib]);
      for (let ax = rank - 1; ax >= 0; ax--) {
        idx[ax] += 1;
        ia += sa[ax];
        ib += sb[ax];
        if (idx[ax] < shape[ax]) break;
        ia -= sa[ax] * shape[ax];
        ib -= sb[ax] * shape[ax];
        idx[ax] = 0;
      }
    }
  }
  return hostOutput(backend, shape, dtype, out);
});
