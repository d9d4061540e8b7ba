import { applyOp1, type OpDef } from '../autograd/op.js';
import { RowSparse } from '../autograd/tape.js';
import type { PutAlongAxisAttrs } from '../kernels/indexing/take_along_axis.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { reshape } from './layout.js';
import { expectDType, expectRank } from './validate.js';

const gatherDef: OpDef<object> = {
  name: 'gather',
  kernel: 'gather_rows',
  grad: ([dy], { inputs: [table, indices] }) => {
    const rowShape = table.shape.slice(1);
    const flatIdx = reshape(indices, [indices.size]);
    return [new RowSparse(flatIdx, reshape(dy, [indices.size, ...rowShape]), table.shape), null];
  },
};

/**
 * Row lookup: y[j] = table[indices[j]] (an embedding lookup). The gradient for
 * `table` is row-sparse — the touched rows only — so a million-row table costs
 * nothing extra per step.
 *
 * @example
 * ```ts
 * const u = gather(userTable, tensor(new Int32Array([4, 2]))); // [2, dim]
 * ```
 */
export function gather(table: Tensor, indices: Tensor): Tensor {
  expectDType(indices, ['i32'], 'gather', 'indices');
  if (table.rank < 1) throw new Error(`gather: table must have rank ≥ 1, got ${formatShape(table.shape)}`);
  return applyOp1(gatherDef, [table, indices], {});
}

const scatterAddDef: OpDef<object> = {
  name: 'scatterAdd',
  kernel: 'scatter_add_rows',
  grad: ([dy], { inputs: [, indices] }) => [dy, null, gather(dy, indices)],
};

/** A copy of `target` with `src[j]` added to row `indices[j]` (duplicates accumulate). */
export function scatterAdd(target: Tensor, indices: Tensor, src: Tensor): Tensor {
  expectDType(indices, ['i32'], 'scatterAdd', 'indices');
  expectRank(indices, 1, 'scatterAdd', 'indices');
  if (src.dtype !== target.dtype) throw new Error(`scatterAdd: src dtype ${src.dtype} differs from target ${target.dtype}`);
  const expected = [indices.shape[0], ...target.shape.slice(1)];
  if (!shapesEqual(src.shape, expected)) {
    throw new Error(`scatterAdd: src is ${formatShape(src.shape)}, expected ${formatShape(expected)} for ${indices.shape[0]} rows of ${formatShape(target.shape)}`);
  }
  return applyOp1(scatterAddDef, [target, indices, src], {});
}

const takeDef: OpDef<object> = {
  name: 'takeAlongAxis',
  kernel: 'take_along_axis',
  grad: ([dy], { inputs: [x, indices] }) => [putAlongAxis(dy, indices, x.shape[x.rank - 1]), null],
};

/**
 * y[r] = x[r, indices[r]] on the last axis: x `[..., C]`, indices i32 `[...]`.
 * Used for the log-probability of each row's label.
 */
export function takeAlongAxis(x: Tensor, indices: Tensor): Tensor {
  expectDType(x, ['f32'], 'takeAlongAxis');
  expectDType(indices, ['i32'], 'takeAlongAxis', 'indices');
  if (!shapesEqual(x.shape.slice(0, -1), indices.shape)) {
    throw new Error(`takeAlongAxis: indices ${formatShape(indices.shape)} must match x ${formatShape(x.shape)} without its last axis`);
  }
  return applyOp1(takeDef, [x, indices], {});
}

const putDef: OpDef<PutAlongAxisAttrs> = {
  name: 'putAlongAxis',
  kernel: 'put_along_axis',
  grad: ([dy], { inputs: [, indices] }) => [takeAlongAxis(dy, indices), null],
};

/** zeros([..., classes]) with y[r, indices[r]] = x[r]: the adjoint of {@link takeAlongAxis}. */
export function putAlongAxis(x: Tensor, indices: Tensor, classes: number): Tensor {
  expectDType(indices, ['i32'], 'putAlongAxis', 'indices');
  return applyOp1(putDef, [x, indices], { classes });
}
