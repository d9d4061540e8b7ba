/**
 * `reduce`: y = Σ or max of x over a set of axes. The output keeps the reduced
 * axes with size 1 (the op drops them when asked); f32 accumulation in f64
 * (JS numbers), rounded once at the end.
 */
import { hostData, hostOutput } from '../../backends/js/backend.js';
import { allocArray } from '../../tensor/dtype.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { sizeOf, stridesOf } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';

export interface ReduceAttrs {
  fn: 'sum' | 'max' | 'min';
  /** Sorted, normalised axes to reduce. */
  axes: readonly number[];
}

/**
 * Checks `reduce`'s input and attributes: one input x (any dtype), `fn` one of
 * sum, max, min, and `axes` sorted, distinct axes of x (the op normalises
 * them). The spec's rule, run by `runKernel` on every backend.
 *
 * @example
 * ```ts
 * checkReduceInputs([x], { fn: 'sum', axes: [0, 2] }); // x of rank ≥ 3
 * ```
 */
export function checkReduceInputs(inputs: readonly Tensor[], attrs: ReduceAttrs): void {
  if (inputs.length !== 1) throw new Error(`reduce: expected 1 input [x], got ${inputs.length}`);
  const { fn, axes } = attrs;
  if (fn !== 'sum' && fn !== 'max' && fn !== 'min') throw new Error(`reduce: unknown function '${fn}'; expected one of sum, max, min`);
  const rank = inputs[0].shape.length;
  let normalised = Array.isArray(axes);
  for (let i = 0; normalised && i < axes.length; i++) {
    const a = axes[i];
    normalised = Number.isInteger(a) && a >= 0 && a < rank && (i === 0 || a > axes[i - 1]);
  }
  if (!normalised) throw new Error(`reduce: axes must be sorted, distinct and in range for rank ${rank}, got [${Array.isArray(axes) ? axes.join(', ') : String(axes)}]`);
}

export const reduceSpec = declareKernel({ id: 'reduce', family: 'reduce', summary: 'y = sum/max/min of x over axes (kept as size 1)', check: checkReduceInputs });

/** Combines an accumulator with a value; NaN propagates through max/min. */
function combineMax(acc: number, v: number): number {
  return v > acc || Number.isNaN(v) ? v : acc;
}
function combineMin(acc: number, v: number): number {
  return v < acc || Number.isNaN(v) ? v : acc;
}

/**
 * Reduces a contiguous run of axes: the input is viewed as [outer, mid, inner]
 * with mid the product of the reduced axes, so every access is a plain stride.
 */
function reduceContiguous(fn: ReduceAttrs['fn'], src: ArrayLike<number>, acc: Float64Array, outer: number, mid: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    const ao = o * inner;
    for (let m = 0; m < mid; m++) {
      const so = (o * mid + m) * inner;
      if (fn === 'sum') for (let i = 0; i < inner; i++) acc[ao + i] += src[so + i];
      else if (fn === 'max') for (let i = 0; i < inner; i++) acc[ao + i] = combineMax(acc[ao + i], src[so + i]);
      else for (let i = 0; i < inner; i++) acc[ao + i] = combineMin(acc[ao + i], src[so + i]);
    }
  }
}

registerKernel<ReduceAttrs>('reduce', 'js', ({ inputs: [x], attrs, backend }) => {
  const { fn, axes } = attrs;
  const outShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const n = sizeOf(outShape);
  const acc = new Float64Array(n).fill(fn === 'sum' ? 0 : fn === 'max' ? -Infinity : Infinity);
  const src = hostData(x);
  const rank = x.shape.length;
  const contiguous = axes.length === 0 || axes[axes.length - 1] - axes[0] === axes.length - 1;
  if (contiguous && axes.length > 0) {
    const outer = sizeOf(x.shape.slice(0, axes[0]));
    const mid = sizeOf(x.shape.slice(axes[0], axes[axes.length - 1] + 1));
    const inner = sizeOf(x.shape.slice(axes[axes.length - 1] + 1));
    reduceContiguous(fn, src, acc, outer, mid, inner);
  } else {
    // General case: walk the input with a multi-index; reduced axes do not move the output.
    const outStrides = stridesOf(outShape).map((st, i) => (axes.includes(i) ? 0 : st));
    const combine = fn === 'sum' ? (p: number, v: number) => p + v : fn === 'max' ? combineMax : combineMin;
    const idx = new Array<number>(rank).fill(0);
    let o = 0;
    for (let i = 0; i < src.length; i++) {
      acc[o] = combine(acc[o], src[i]);
      for (let ax = rank - 1; ax >= 0; ax--) {
        idx[ax] += 1;
        o += outStrides[ax];
        if (idx[ax] < x.shape[ax]) break;
        o -= outStrides[ax] * x.shape[ax];
        idx[ax] = 0;
      }
    }
  }
  const out = allocArray(x.dtype, n);
  for (let i = 0; i < n; i++) out[i] = acc[i];
  return hostOutput(backend, outShape, x.dtype, out);
});
