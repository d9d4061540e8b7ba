import { applyOp, applyOp1, type OpDef } from '../autograd/op.js';
import { recordOp } from '../autograd/tape.js';
import type { ConcatAttrs } from '../kernels/layout/concat.js';
import type { PadSliceAttrs, SliceAttrs } from '../kernels/layout/slice.js';
import type { TransposeAttrs } from '../kernels/layout/transpose.js';
import { formatShape, normalizeAxis, type Shape, shapesEqual, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * The same values viewed with another shape (no copy: the storage is shared).
 * One dimension may be −1 and is inferred.
 *
 * @example
 * ```ts
 * reshape(tensor([1, 2, 3, 4, 5, 6]), [2, -1]); // shape [2, 3]
 * ```
 */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const target = [...shape];
  const inferred = target.indexOf(-1);
  if (inferred >= 0) {
    const known = target.reduce((p, d, i) => (i === inferred ? p : p * d), 1);
    target[inferred] = known === 0 ? 0 : x.size / known;
  }
  if (sizeOf(target) !== x.size || target.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`reshape: cannot view ${formatShape(x.shape)} (${x.size} elements) as ${formatShape(shape)}`);
  }
  if (shapesEqual(target, x.shape)) return x;
  const handle = x.handle;
  handle.refs += 1;
  const out = new Tensor(target, x.dtype, handle);
  recordOp('reshape', [x], [out], undefined, ([dy]) => [reshape(dy, x.shape)]);
  return out;
}

/** x with a size-1 axis inserted at `axis`. */
export function expandDims(x: Tensor, axis: number): Tensor {
  const a = axis < 0 ? axis + x.rank + 1 : axis;
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return reshape(x, shape);
}

/** x without its size-1 axes (or only `axis`, which must have size 1). */
export function squeeze(x: Tensor, axis?: number): Tensor {
  if (axis === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const a = normalizeAxis(axis, x.rank, 'squeeze');
  if (x.shape[a] !== 1) throw new Error(`squeeze: axis ${axis} of ${formatShape(x.shape)} has size ${x.shape[a]}, not 1`);
  return reshape(x, x.shape.filter((_, i) => i !== a));
}

const transposeDef: OpDef<TransposeAttrs> = {
  name: 'transpose',
  kernel: 'transpose',
  grad: ([dy], { attrs }) => {
    const inverse = new Array<number>(attrs.perm.length);
    attrs.perm.forEach((p, i) => (inverse[p] = i));
    return [transpose(dy, inverse)];
  },
};

/**
 * x with axes permuted (output axis i is input axis perm[i]); by default the last two axes swap.
 * A permutation that keeps the axes longer than 1 in their order (it only moves size-1 axes:
 * a one-head attention's [B, T, 1, d] → [B, 1, T, d]) leaves the elements where they are, so
 * it is a {@link reshape} — a view, no copy, no kernel.
 */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const p = perm ?? (x.rank < 2 ? [0] : [...Array(x.rank - 2).keys(), x.rank - 1, x.rank - 2]);
  const sorted = [...p].sort((a, b) => a - b);
  if (p.length !== x.rank || sorted.some((v, i) => v !== i)) {
    throw new Error(`transpose: perm [${p.join(', ')}] is not a permutation of the ${x.rank} axes of ${formatShape(x.shape)}`);
  }
  const long = p.filter((axis) => x.shape[axis] !== 1);
  if (long.every((axis, i) => i === 0 || axis > long[i - 1])) return reshape(x, p.map((axis) => x.shape[axis]));
  return applyOp1(transposeDef, [x], { perm: [...p] });
}

const sliceDef: OpDef<SliceAttrs> = {
  name: 'slice',
  kernel: 'slice',
  grad: ([dy], { inputs: [x], attrs }) => [padSlice(dy, x.shape, attrs.begin)],
};

/**
 * x[begin : begin + size] on every axis; a size of −1 runs to the end of its axis.
 *
 * @example
 * ```ts
 * slice(m, [0, 1], [-1, 2]); // all rows, columns 1 and 2
 * ```
 */
export function slice(x: Tensor, begin: readonly number[], size: readonly number[]): Tensor {
  if (begin.length !== x.rank || size.length !== x.rank) {
    throw new Error(`slice: begin [${begin.join(', ')}] and size [${size.join(', ')}] need one entry per axis of ${formatShape(x.shape)}`);
  }
  const sz = size.map((s, i) => (s === -1 ? x.shape[i] - begin[i] : s));
  for (let i = 0; i < x.rank; i++) {
    if (begin[i] < 0 || sz[i] < 0 || begin[i] + sz[i] > x.shape[i]) {
      throw new Error(`slice: axis ${i} range [${begin[i]}, ${begin[i] + sz[i]}) is outside ${formatShape(x.shape)}`);
    }
  }
  if (shapesEqual(sz, x.shape)) return x;
  return applyOp1(sliceDef, [x], { begin: [...begin], size: sz });
}

const padSliceDef: OpDef<PadSliceAttrs> = {
  name: 'padSlice',
  kernel: 'pad_slice',
  grad: ([dy], { inputs: [x], attrs }) => [slice(dy, attrs.begin, x.shape)],
};

/** zeros(shape) with x written at `begin`: the adjoint of {@link slice}. */
export function padSlice(x: Tensor, shape: Shape, begin: readonly number[]): Tensor {
  for (let i = 0; i < x.rank; i++) {
    if (begin[i] < 0 || begin[i] + x.shape[i] > shape[i]) {
      throw new Error(`padSlice: ${formatShape(x.shape)} at [${begin.join(', ')}] does not fit in ${formatShape(shape)}`);
    }
  }
  return applyOp1(padSliceDef, [x], { shape: [...shape], begin: [...begin] });
}

const concatDef: OpDef<ConcatAttrs> = {
  name: 'concat',
  kernel: 'concat',
  grad: ([dy], { inputs, attrs }) => split(dy, inputs.map((t) => t.shape[attrs.axis]), attrs.axis),
};

/** The inputs joined along `axis`; every other axis must match. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new Error('concat: needs at least one tensor');
  const first = xs[0];
  const a = normalizeAxis(axis, first.rank, 'concat');
  for (const [k, t] of xs.entries()) {
    if (t.dtype !== first.dtype) throw new Error(`concat: input ${k} has dtype ${t.dtype}, input 0 has ${first.dtype}`);
    if (t.rank !== first.rank || t.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new Error(`concat: input ${k} ${formatShape(t.shape)} does not match input 0 ${formatShape(first.shape)} off axis ${a}`);
    }
  }
  if (xs.length === 1) return first;
  return applyOp(concatDef, xs, { axis: a })[0];
}

/** x cut along `axis` into pieces of the given sizes (which must add up to the axis). */
export function split(x: Tensor, sizes: readonly number[], axis = 0): Tensor[] {
  const a = normalizeAxis(axis, x.rank, 'split');
  const total = sizes.reduce((s, v) => s + v, 0);
  if (total !== x.shape[a]) throw new Error(`split: sizes [${sizes.join(', ')}] add to ${total}, axis ${a} of ${formatShape(x.shape)} is ${x.shape[a]}`);
  let offset = 0;
  return sizes.map((s) => {
    const begin = x.shape.map((_, i) => (i === a ? offset : 0));
    const size = x.shape.map((d, i) => (i === a ? s : d));
    offset += s;
    return slice(x, begin, size);
  });
}
