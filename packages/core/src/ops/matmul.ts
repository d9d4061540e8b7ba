import { applyOp1, type OpDef } from '../autograd/op.js';
import type { MatmulAttrs } from '../kernels/dense/matmul.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { sumToShape } from './reduce.js';
import { expectDType } from './validate.js';

/** Options of {@link matmul}. */
export interface MatmulOptions {
  /** Use Aᵀ (the last two axes of A swapped). */
  transposeA?: boolean;
  /** Use Bᵀ — e.g. scores = U · Vᵀ for user and item tables. */
  transposeB?: boolean;
}

const matmulDef: OpDef<MatmulAttrs> = {
  name: 'matmul',
  kernel: 'matmul',
  grad: ([dc], { inputs: [a, b], attrs: { transposeA: ta, transposeB: tb } }) => {
    // C = op(A)·op(B): dop(A) = dC·op(B)ᵀ and dop(B) = op(A)ᵀ·dC, transposed back where op transposed.
    const da = ta ? matmul(b, dc, { transposeA: tb, transposeB: true }) : matmul(dc, b, { transposeB: !tb });
    const db = tb ? matmul(dc, a, { transposeA: true, transposeB: ta }) : matmul(a, dc, { transposeA: !ta });
    return [sumToShape(da, a.shape), sumToShape(db, b.shape)];
  },
};

/**
 * Matrix product op(A)·op(B) over the last two axes, batched over leading
 * axes. Batch axes must match, or one operand is 2-D and is shared.
 *
 * @example
 * ```ts
 * const scores = matmul(userVectors, itemTable, { transposeB: true }); // [users, items]
 * ```
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  expectDType(a, ['f32'], 'matmul', 'A');
  expectDType(b, ['f32'], 'matmul', 'B');
  const transposeA = options.transposeA ?? false;
  const transposeB = options.transposeB ?? false;
  if (a.rank < 2 || b.rank < 2) throw new Error(`matmul: operands need rank ≥ 2, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  const ka = transposeA ? a.shape[a.rank - 2] : a.shape[a.rank - 1];
  const kb = transposeB ? b.shape[b.rank - 1] : b.shape[b.rank - 2];
  if (ka !== kb) {
    throw new Error(`matmul: inner dimensions differ: op(A) of ${formatShape(a.shape)} has ${ka} columns, op(B) of ${formatShape(b.shape)} has ${kb} rows`);
  }
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  if (batchA.length && batchB.length && !shapesEqual(batchA, batchB)) {
    throw new Error(`matmul: batch axes ${formatShape(batchA)} and ${formatShape(batchB)} differ; they must match or one operand must be 2-D`);
  }
  return applyOp1(matmulDef, [a, b], { transposeA, transposeB });
}
