/**
 * `slice`: y = x[begin : begin + size] along every axis (a copy), and its
 * adjoint `pad_slice`: y = zeros(shape) with x written at `begin` (the
 * gradient of slice, and itself differentiable by slice).
 */
import { hostData, hostOutput } from '../../backends/js/backend.js';
import { forEachStridedOffset } from '../../backends/js/strided.js';
import { allocArray } from '../../tensor/dtype.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { type Shape, sizeOf, stridesOf } from '../../tensor/shape.js';

export interface SliceAttrs {
  begin: readonly number[];
  size: readonly number[];
}

export interface PadSliceAttrs {
  /** Shape of the output. */
  shape: Shape;
  /** Where x's first element lands. */
  begin: readonly number[];
}

export const sliceSpec = declareKernel({ id: 'slice', family: 'layout', summary: 'y = x[begin : begin + size]' });
export const padSliceSpec = declareKernel({ id: 'pad_slice', family: 'layout', summary: 'y = zeros(shape); y[begin : begin + x.shape] = x' });

/** Visits each element of a `size`-shaped window starting at `begin` in a `full`-shaped array. */
function forEachWindowOffset(full: Shape, begin: readonly number[], size: readonly number[], visit: (windowIndex: number, fullOffset: number) => void): void {
  const st = stridesOf(full);
  const base = begin.reduce((o, b, ax) => o + b * st[ax], 0);
  forEachStridedOffset(size, st, base, visit);
}

registerKernel<SliceAttrs>('slice', 'js', ({ inputs: [x], attrs, backend }) => {
  const src = hostData(x);
  const out = allocArray(x.dtype, sizeOf(attrs.size));
  forEachWindowOffset(x.shape, attrs.begin, attrs.size, (i, o) => {
    out[i] = src[o];
  });
  return hostOutput(backend, attrs.size, x.dtype, out);
});

registerKernel<PadSliceAttrs>('pad_slice', 'js', ({ inputs: [x], attrs, backend }) => {
  const src = hostData(x);
  const out = allocArray(x.dtype, sizeOf(attrs.shape));
  forEachWindowOffset(attrs.shape, attrs.begin, x.shape, (i, o) => {
    out[o] = src[i];
  });
  return hostOutput(backend, attrs.shape, x.dtype, out);
});
