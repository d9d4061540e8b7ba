/**
 * `reduce`: y = Σ or max of x over a set of axes. The output keeps the reduced
 * axes with size 1 (the op drops them when asked); f32 accumulation in f64
 * (JS numbers), rounded once at the end.
 */
import { hostData, hostOutput } from '../../backends/js/backend.js';
import { allocArray } from '../../tensor/dtype.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { sizeOf, stridesOf } from '../../tensor/shape.js';

export interface ReduceAttrs {
  fn: 'sum' | 'max' | 'min';
  /** Sorted, normalised axes to reduce. */
  axes: readonly number[];
}

export const reduceSpec = declareKernel({ id: 'reduce', family: 'reduce', summary: 'y = sum/max/min of x over axes (kept as size 1)' });

registerKernel<ReduceAttrs>('reduce', 'js', ({ inputs: [x], attrs, backend }) => {
  const { fn, axes } = attrs;
  const outShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const n = sizeOf(outShape);
  const acc = new Float64Array(n).fill(fn === 'sum' ? 0 : fn === 'max' ? -Infinity : Infinity);
  const src = hostData(x);
  const rank = x.shape.length;
  const outStrides = stridesOf(outShape).map((s, i) => (axes.includes(i) ? 0 : s));
  const idx = new Array<number>(rank).fill(0);
  let o = 0;
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    if (fn === 'sum') acc[o] += v;
    else if (fn === 'max') { if (v > acc[o] || Number.isNaN(v)) acc[o] = v; }
    else if (v < acc[o] || Number.isNaN(v)) acc[o] = v;
    for (let ax = rank - 1; ax >= 0; ax--) {
      idx[ax] += 1;
      o += outStrides[ax];
      if (idx[ax] < x.shape[ax]) break;
      o -= outStrides[ax] * x.shape[ax];
      idx[ax] = 0;
    }
  }
  const out = allocArray(x.dtype, n);
  for (let i = 0; i < n; i++) out[i] = acc[i];
  return hostOutput(backend, outShape, x.dtype, out);
});
