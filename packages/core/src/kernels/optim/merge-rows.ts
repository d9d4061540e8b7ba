/**
 * Shared step of the row-sparse optimizer kernels (`sparse_sgd`,
 * `sparse_adagrad`, `sparse_adam`): merge duplicate row indices of one
 * row-sparse gradient before any row is updated.
 *
 *   for each distinct r in indices:  ĝ_r = Σ_{j : indices[j] = r} values[j]
 *
 * Why merge first: a row listed twice must be updated once with the summed
 * gradient. Applying the update once per entry would advance momentum,
 * Adagrad's accumulator and Adam's moments twice and square the parts
 * separately (g₁² + g₂² ≠ (g₁ + g₂)²); dropping one entry would lose gradient.
 * Merging also makes the touched rows disjoint, so faster backends can update
 * them in parallel without atomics.
 *
 * Every index is checked before anything is written, so an out-of-range index
 * leaves the parameter and its state untouched. Distinct rows come out in
 * order of first appearance; sums are taken in f64, in entry order.
 */
import type { TypedArray } from '../../tensor/dtype.js';

/** The merged form of a row-sparse gradient: each touched row once, with its summed gradient. */
export interface MergedRows {
  /** Distinct row indices, in order of first appearance. */
  readonly rows: Int32Array;
  /** f64 `[rows.length, width]`: the summed gradient of each distinct row. */
  readonly grad: Float64Array;
}

/**
 * Sums the gradient entries of each distinct row. Throws, naming the kernel,
 * the index and its position, when an index is outside `[0, rowCount)`.
 *
 * @param kernel kernel id, for the error message
 * @param indices `[n]` row indices (duplicates allowed)
 * @param values `[n·width]` row gradients, row-major (the kernels' spec rules check the length)
 * @param rowCount rows of the parameter
 * @param width elements per row
 *
 * @example
 * ```ts
 * const { rows, grad } = mergeDuplicateRows('sparse_sgd', new Int32Array([2, 0, 2]), new Float32Array([1, 2, 3]), 4, 1);
 * // rows: Int32Array [2, 0], grad: Float64Array [4, 2]
 * ```
 */
export function mergeDuplicateRows(kernel: string, indices: TypedArray, values: TypedArray, rowCount: number, width: number): MergedRows {
  const n = indices.length;
  const slotOf = new Map<number, number>();
  const order: number[] = [];
  for (let j = 0; j < n; j++) {
    const r = indices[j];
    if (!Number.isInteger(r) || r < 0 || r >= rowCount) {
      throw new Error(`${kernel}: row index ${r} at position ${j} is out of range for a parameter of ${rowCount} rows`);
    }
    if (!slotOf.has(r)) {
      slotOf.set(r, order.length);
      order.push(r);
    }
  }
  const grad = new Float64Array(order.length * width);
  for (let j = 0; j < n; j++) {
    const o = slotOf.get(indices[j])! * width;
    const s = j * width;
    for (let c = 0; c < width; c++) grad[o + c] += values[s + c];
  }
  return { rows: Int32Array.from(order), grad };
}
