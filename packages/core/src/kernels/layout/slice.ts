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
import { padSlicePlan, slicePlan } from './plans.js';

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

/**
 * Visits a `size`-shaped window starting at `begin` in a `full`-shaped array
 * as contiguous runs: `visit(windowOffset, fullOffset, length)` for each run in
 * row-major order. A run is the window's innermost axis, extended over every
 * axis above it while the axes below span their whole extent (so a window of
 * whole rows is one run per block of rows, and a full copy is one run).
 */
function forEachWindowRun(full: Shape, begin: readonly number[], size: readonly number[], visit: (windowOffset: number, fullOffset: number, length: number) => void): void {
  const rank = full.length;
  if (sizeOf(size) === 0) return;
  if (rank === 0) {
    visit(0, 0, 1);
    return;
  }
  const st = stridesOf(full);
  const base = begin.reduce((o, b, ax) => o + b * st[ax], 0);
  // Merge axes from the innermost outwards while the axis below covers its whole extent.
  let inner = rank - 1;
  let run = size[inner];
  while (inner > 0 && size[inner] === full[inner]) {
    inner -= 1;
    run *= size[inner];
  }
  const outerShape = size.slice(0, inner);
  let w = 0;
  forEachStridedOffset(outerShape, st.slice(0, inner), base, (_, o) => {
    visit(w, o, run);
    w += run;
  });
}

registerKernel<SliceAttrs>('slice', 'js', ({ inputs: [x], attrs, backend }) => {
  slicePlan(x.shape, attrs.begin, attrs.size); // the window's check, shared with every backend
  const src = hostData(x);
  const out = allocArray(x.dtype, sizeOf(attrs.size));
  forEachWindowRun(x.shape, attrs.begin, attrs.size, (w, o, n) => {
    out.set(src.subarray(o, o + n), w);
  });
  return hostOutput(backend, attrs.size, x.dtype, out);
});

registerKernel<PadSliceAttrs>('pad_slice', 'js', ({ inputs: [x], attrs, backend }) => {
  padSlicePlan(x.shape, attrs.shape, attrs.begin);
  const src = hostData(x);
  const out = allocArray(x.dtype, sizeOf(attrs.shape));
  forEachWindowRun(attrs.shape, attrs.begin, x.shape, (w, o, n) => {
    out.set(src.subarray(w, w + n), o);
  });
  return hostOutput(backend, attrs.shape, x.dtype, out);
});
