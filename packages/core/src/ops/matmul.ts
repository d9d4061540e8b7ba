import { applyOp1, type OpDef } from '../autograd/op.js';
import { gradientIf } from '../autograd/tape.js';
import type { GatherMatvecAttrs } from '../kernels/dense/gather_matvec.js';
import type { MatmulAttrs } from '../kernels/dense/matmul.js';
import type { ScatterOuterAddAttrs } from '../kernels/dense/scatter_outer_add.js';
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
    // An operand that needs no gradient (data, a frozen table) gets no product computed.
    const da = gradientIf(a, () => sumToShape(ta ? matmul(b, dc, { transposeA: tb, transposeB: true }) : matmul(dc, b, { transposeB: !tb }), a.shape));
    const db = gradientIf(b, () => sumToShape(tb ? matmul(dc, a, { transposeA: true, transposeB: ta }) : matmul(a, dc, { transposeA: !ta }), b.shape));
    return [da, db];
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
  // The shapes are the kernel's rule (checkMatmulInputs), which runKernel applies.
  return applyOp1(matmulDef, [a, b], { transposeA: options.transposeA ?? false, transposeB: options.transposeB ?? false });
}

/** Options of {@link gatherMatvec}. */
export interface GatherMatvecOptions {
  /** Multiply by each picked matrix's transpose: x is `[n, R]` and y `[n, C]`. */
  transpose?: boolean;
}

const gatherMatvecDef: OpDef<GatherMatvecAttrs> = {
  name: 'gatherMatvec',
  kernel: 'gather_matvec',
  grad: ([dy], { inputs: [w, index, x], attrs: { transpose } }) => {
    const matrices = w.shape[0];
    // y = W[index]·x: dW[k] = Σ dy[r] ⊗ x[r], dx = W[index]ᵀ·dy; with the transpose, the roles swap.
    const dw = transpose ? scatterOuterAdd(x, dy, index, matrices) : scatterOuterAdd(dy, x, index, matrices);
    return [dw, null, gatherMatvec(w, index, dy, { transpose: !transpose })];
  },
};

/**
 * y[r] = W[index[r]] · x[r]: each row multiplied by its own matrix, picked from the table W
 * `[N, R, C]` by index i32 `[n]` (x `[n, C]` → y `[n, R]`; with `transpose`, x `[n, R]` →
 * y `[n, C]`). The per-category maps of the second-hand model (eq. 1, eq. 2) and Sherlock's
 * projections. Equal to `matmul(gather(W, index), expandDims(x, 2))` without the n gathered
 * copies; W's gradient is dense `[N, R, C]` (kernel `scatter_outer_add`), summed in row
 * order, so it does not depend on the thread count.
 * @throws Error naming the input when dtypes or shapes do not fit (an index out of range
 * is the kernel's error).
 * @example
 * ```ts
 * const moved = gatherMatvec(transforms, leafOfItem, features); // [items, R]
 * ```
 */
export function gatherMatvec(weights: Tensor, index: Tensor, x: Tensor, options: GatherMatvecOptions = {}): Tensor {
  return applyOp1(gatherMatvecDef, [weights, index, x], { transpose: options.transpose ?? false });
}

const scatterOuterAddDef: OpDef<ScatterOuterAddAttrs> = {
  name: 'scatterOuterAdd',
  kernel: 'scatter_outer_add',
  // out[k] = Σ a[r] ⊗ b[r]: da[r] = dOut[index[r]]·b[r], db[r] = dOut[index[r]]ᵀ·a[r].
  grad: ([dout], { inputs: [a, b, index] }) => [gatherMatvec(dout, index, b), gatherMatvec(dout, index, a, { transpose: true }), null],
};

/**
 * out[k] = Σ_{r : index[r] = k} a[r] ⊗ b[r] → `[matrices, R, C]` for a `[n, R]`, b `[n, C]`,
 * index i32 `[n]`: outer products summed into the matrix each row names ({@link gatherMatvec}'s
 * gradient for its table).
 * @throws Error naming the input when dtypes or shapes do not fit.
 * @example
 * ```ts
 * const grads = scatterOuterAdd(dy, x, index, 8); // [8, R, C]
 * ```
 */
export function scatterOuterAdd(a: Tensor, b: Tensor, index: Tensor, matrices: number): Tensor {
  return applyOp1(scatterOuterAddDef, [a, b, index], { matrices });
}
