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
import type { Tensor } from '../../tensor/tensor.js';

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

/** An attribute list for a message, whatever was passed. */
const listed = (v: unknown): string => (Array.isArray(v) ? v.join(', ') : String(v));

/** Checks a window [begin, begin + size) inside `full`, one integer each per axis, in `kernel`'s words. */
function checkWindow(kernel: string, full: Shape, begin: readonly number[], size: readonly number[]): void {
  let fits = Array.isArray(full) && Array.isArray(begin) && Array.isArray(size) && begin.length === full.length && size.length === full.length;
  for (let a = 0; fits && a < full.length; a++) {
    const b = begin[a];
    const n = size[a];
    fits = Number.isInteger(full[a]) && Number.isInteger(b) && Number.isInteger(n) && b >= 0 && n >= 0 && b + n <= full[a];
  }
  if (!fits) throw new Error(`${kernel}: the window at [${listed(begin)}] of size [${listed(size)}] is not inside [${listed(full)}]`);
}

/**
 * Checks `slice`'s input and window: one input x, and `begin`, `size` one
 * non-negative integer per axis of x with begin + size inside x. The spec's
 * rule, run by `runKernel` on every backend.
 *
 * @example
 * ```ts
 * checkSliceInputs([x], { begin: [1, 2], size: [2, 3] }); // x [4, 6]
 * ```
 */
export function checkSliceInputs(inputs: readonly Tensor[], attrs: SliceAttrs): void {
  if (inputs.length !== 1) throw new Error(`slice: expected 1 input [x], got ${inputs.length}`);
  checkWindow('slice', inputs[0].shape, attrs.begin, attrs.size);
}

/**
 * Checks `pad_slice`'s input and attributes: one input x, and x placed at
 * `begin` inside `shape` (one non-negative integer each per axis of x). The
 * spec's rule, run by `runKernel` on every backend.
 *
 * @example
 * ```ts
 * checkPadSliceInputs([x], { shape: [4, 6], begin: [1, 2] }); // x [2, 3]
 * ```
 */
export function checkPadSliceInputs(inputs: readonly Tensor[], attrs: PadSliceAttrs): void {
  if (inputs.length !== 1) throw new Error(`pad_slice: expected 1 input [x], got ${inputs.length}`);
  checkWindow('pad_slice', attrs.shape, attrs.begin, inputs[0].shape);
}

export const sliceSpec = declareKernel({ id: 'slice', family: 'layout', summary: 'y = x[begin : begin + size]', check: checkSliceInputs });
export const padSliceSpec = declareKernel({
  id: 'pad_slice',
  family: 'layout',
  summary: 'y = zeros(shape); y[begin : begin + x.shape] = x',
  check: checkPadSliceInputs,
});

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
  const src = hostData(x);
  const out = allocArray(x.dtype, sizeOf(attrs.size));
  forEachWindowRun(x.shape, attrs.begin, attrs.size, (w, o, n) => {
    out.set(src.subarray(o, o + n), w);
  });
  return hostOutput(backend, attrs.size, x.dtype, out);
});

registerKernel<PadSliceAttrs>('pad_slice', 'js', ({ inputs: [x], attrs, backend }) => {
  const src = hostData(x);
  const out = allocArray(x.dtype, sizeOf(attrs.shape));
  forEachWindowRun(attrs.shape, attrs.begin, x.shape, (w, o, n) => {
    out.set(src.subarray(w, w + n), o);
  });
  return hostOutput(backend, attrs.shape, x.dtype, out);
});
