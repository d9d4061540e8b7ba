/**
 * `gather_matvec`: each row's own matrix, picked from a table by index, times the row's
 * vector. For W f32 `[N, R, C]`, index i32 `[n]` (each in [0, N)) and x f32 `[n, K]`:
 *
 *   transpose = false (K = C):  y[r, i] = Σ_c W[index[r], i, c] · x[r, c]     y f32 `[n, R]`
 *   transpose = true  (K = R):  y[r, c] = Σ_i W[index[r], i, c] · x[r, i]     y f32 `[n, C]`
 *
 * Why one kernel: the second-hand paper's per-category maps — eq. 1's W_c applied to the
 * parent's representation, eq. 2's W_δ(i)^item applied to the image features — and Sherlock's
 * per-category projections are "gather a matrix per row, multiply". Composed from `gather_rows`
 * and a batched `matmul`, the forward materialises n copies of the matrices and the backward an
 * `[n, R, C]` outer-product gradient; this kernel reads each row's matrix in place, and its
 * adjoint for W is `scatter_outer_add`, which sums the outer products straight into `[N, R, C]`.
 * transpose = true is the adjoint for x (dx = W[index]ᵀ · dy).
 *
 * Numerics: the reference accumulates each dot product in f64 and rounds once; the fast
 * versions accumulate in f32 (parity within 1e-5 + 1e-4·|y|).
 * Threading: the reference is sequential; rows are independent, so native splits rows over
 * threads with no atomics and the result does not depend on the thread count.
 *
 * @see Yu et al., "Personalized Item Recommendation for Second-hand Trading Platform", ACM MM
 *   2020, §3.2 eq. 1–2; He et al., "Sherlock", IJCAI 2016, §3.
 */
import { hostData, hostF32, hostOutput } from '../../backends/js/backend.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import type { Tensor } from '../../tensor/tensor.js';
import { allocArray } from '../../tensor/dtype.js';

/** Attributes of `gather_matvec`. */
export interface GatherMatvecAttrs {
  /** Multiply by W[index[r]]ᵀ instead of W[index[r]]. */
  transpose: boolean;
}

/**
 * The declaration of `gather_matvec` (family `dense`).
 * @example
 * ```ts
 * console.log(gatherMatvecSpec.summary);
 * ```
 */
export const gatherMatvecSpec = declareKernel({
  id: 'gather_matvec',
  family: 'dense',
  summary: 'y[r] = W[index[r]] · x[r] (or W[index[r]]ᵀ · x[r]): a matrix per row, gathered by index',
  check: checkGatherMatvecInputs,
});

/** The sizes of a `gather_matvec` call. */
export interface GatherMatvecShape {
  /** Matrices in the table (N). */
  readonly matrices: number;
  /** Rows R and columns C of each matrix. */
  readonly rows: number;
  readonly cols: number;
  /** Indexed rows n. */
  readonly n: number;
}

/**
 * The rule of `gather_matvec` (its spec's `check`, run by `runKernel` on every backend):
 * inputs [W f32 `[N, R, C]`, index i32 `[n]`, x f32 `[n, K]`] with K = C (or R with
 * `transpose`), and a boolean `transpose`. Reads no tensor data: each backend checks the
 * indices where it reads them.
 * @example
 * ```ts
 * checkGatherMatvecInputs([W, index, x], { transpose: false }); // throws `gather_matvec: …` if x does not fit
 * ```
 */
export function checkGatherMatvecInputs(inputs: readonly Tensor[], attrs: GatherMatvecAttrs): void {
  const K = 'gather_matvec';
  if (inputs.length !== 3) throw new Error(`${K}: expected inputs [W, index, x], got ${inputs.length}`);
  if (typeof attrs.transpose !== 'boolean') throw new Error(`${K}: transpose must be true or false, got ${String(attrs.transpose)}`);
  const [w, index, x] = inputs;
  if (w.dtype !== 'f32' || x.dtype !== 'f32') throw new Error(`${K}: W and x must be f32, got ${w.dtype} and ${x.dtype}`);
  if (index.dtype !== 'i32') throw new Error(`${K}: index must be i32, got ${index.dtype}`);
  if (w.shape.length !== 3) throw new Error(`${K}: W must be [N, R, C], got [${w.shape.join(', ')}]`);
  if (index.shape.length !== 1) throw new Error(`${K}: index must be [n], got [${index.shape.join(', ')}]`);
  const n = index.shape[0];
  const k = attrs.transpose ? w.shape[1] : w.shape[2];
  if (x.shape.length !== 2 || x.shape[0] !== n || x.shape[1] !== k) {
    throw new Error(`${K}: x must be [${n}, ${k}] (one row per index, ${attrs.transpose ? 'R' : 'C'} = ${k} columns), got [${x.shape.join(', ')}]`);
  }
}

/**
 * The sizes of a `gather_matvec` call whose inputs passed {@link checkGatherMatvecInputs}.
 * @example
 * ```ts
 * const { matrices, rows, cols, n } = gatherMatvecShape([W, index, x]);
 * ```
 */
export function gatherMatvecShape(inputs: readonly Tensor[]): GatherMatvecShape {
  const [matrices, rows, cols] = inputs[0].shape;
  return { matrices, rows, cols, n: inputs[1].shape[0] };
}

registerKernel<GatherMatvecAttrs>('gather_matvec', 'js', ({ inputs, attrs, backend }) => {
  const { matrices, rows, cols, n } = gatherMatvecShape(inputs);
  const w = hostF32(inputs[0]);
  const index = hostData(inputs[1]);
  const x = hostF32(inputs[2]);
  const width = attrs.transpose ? cols : rows;
  const inner = attrs.transpose ? rows : cols;
  const out = allocArray('f32', n * width);
  for (let r = 0; r < n; r++) {
    const m = index[r];
    if (!(m >= 0 && m < matrices)) throw new Error(`gather_matvec: index ${m} at row ${r} is out of range for ${matrices} matrices`);
    const base = m * rows * cols;
    for (let o = 0; o < width; o++) {
      let s = 0;
      for (let k = 0; k < inner; k++) s += w[attrs.transpose ? base + k * cols + o : base + o * cols + k] * x[r * inner + k];
      out[r * width + o] = s;
    }
  }
  return hostOutput(backend, [n, width], 'f32', out);
});
