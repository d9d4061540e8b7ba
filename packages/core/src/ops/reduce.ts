import { applyOp1, type OpDef } from '../autograd/op.js';
import type { BroadcastToAttrs } from '../kernels/reduce/broadcast_to.js';
import type { ReduceAttrs } from '../kernels/reduce/reduce.js';
import { broadcastShapes, formatShape, normalizeAxes, type Shape, shapesEqual } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { div, equal, mul } from './elementwise.js';
import { reshape } from './layout.js';
import { expectDType } from './validate.js';

/** Options of the reductions. */
export interface ReduceOptions {
  /** Keep reduced axes with size 1 (default false). */
  keepDims?: boolean;
}

function reducedShape(shape: Shape, axes: readonly number[], keepDims: boolean): number[] {
  return keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

const sumDef: OpDef<ReduceAttrs> = {
  name: 'sum',
  kernel: 'reduce',
  // The kernel keeps reduced axes as size 1, so dy broadcasts straight back.
  grad: ([dy], { inputs: [x] }) => [broadcastTo(dy, x.shape)],
};

function reduce(fn: ReduceAttrs['fn'], x: Tensor, axes: number | readonly number[] | undefined, options: ReduceOptions): Tensor {
  expectDType(x, fn === 'sum' ? ['f32', 'i32', 'u32'] : ['f32'], fn);
  const ax = normalizeAxes(axes, x.rank, fn);
  const def = fn === 'sum' ? sumDef : fn === 'max' ? maxDef : minDef;
  const kept = applyOp1(def, [x], { fn, axes: ax });
  const keepDims = options.keepDims ?? false;
  return keepDims ? kept : reshape(kept, reducedShape(x.shape, ax, false));
}

function extremumGrad(): OpDef<ReduceAttrs>['grad'] {
  // The subgradient splits dy equally among tied extrema.
  return ([dy], { inputs: [x], outputs: [y] }) => {
    const hit = equal(x, broadcastTo(y, x.shape));
    const count = broadcastTo(sumKeep(hit, y.shape), x.shape);
    return [div(mul(broadcastTo(dy, x.shape), hit), count)];
  };
}
const maxDef: OpDef<ReduceAttrs> = { name: 'max', kernel: 'reduce', grad: extremumGrad() };
const minDef: OpDef<ReduceAttrs> = { name: 'min', kernel: 'reduce', grad: extremumGrad() };

function sumKeep(x: Tensor, keptShape: Shape): Tensor {
  const axes = keptShape.map((d, i) => (d === 1 && x.shape[i] !== 1 ? i : -1)).filter((i) => i >= 0);
  return applyOp1(sumDef, [x], { fn: 'sum', axes });
}

/**
 * Σ x over `axes` (all axes when omitted).
 *
 * @example
 * ```ts
 * sum(tensor([1, 2, 3, 4], [2, 2]), 1); // [3, 7]
 * ```
 */
export function sum(x: Tensor, axes?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  return reduce('sum', x, axes, options);
}

/** Mean of x over `axes` (all axes when omitted). */
export function mean(x: Tensor, axes?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  const ax = normalizeAxes(axes, x.rank, 'mean');
  const count = ax.reduce((n, a) => n * x.shape[a], 1);
  return div(reduce('sum', x, ax, options), Math.max(count, 1));
}

/** max of x over `axes`; ties share the gradient equally. */
export function max(x: Tensor, axes?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  return reduce('max', x, axes, options);
}

/** min of x over `axes`; ties share the gradient equally. */
export function min(x: Tensor, axes?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  return reduce('min', x, axes, options);
}

const broadcastToDef: OpDef<BroadcastToAttrs> = {
  name: 'broadcastTo',
  kernel: 'broadcast_to',
  grad: ([dy], { inputs: [x] }) => [sumToShape(dy, x.shape)],
};

/** x stretched to `shape` under broadcasting rules. */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  const target = broadcastShapes(x.shape, shape, 'broadcastTo');
  if (!shapesEqual(target, shape)) throw new Error(`broadcastTo: ${formatShape(x.shape)} cannot be broadcast to ${formatShape(shape)}`);
  if (shapesEqual(x.shape, shape)) return x;
  return applyOp1(broadcastToDef, [x], { shape: [...shape] });
}

/**
 * Sums `x` (of a broadcast shape) back down to `shape`: the adjoint of
 * broadcasting, used by every broadcasting op's gradient.
 */
export function sumToShape(x: Tensor, shape: Shape): Tensor {
  if (shapesEqual(x.shape, shape)) return x;
  const lead = x.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < x.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && x.shape[i] !== 1)) axes.push(i);
  }
  const summed = axes.length ? applyOp1(sumDef, [x], { fn: 'sum', axes }) : x;
  return reshape(summed, shape);
}
