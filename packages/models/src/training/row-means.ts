/**
 * Means of table rows over lists in CSR form: a user's item vectors (the user profiles
 * of Item2Vec, Meta-Prod2Vec and MRLR) or an item's category vectors (MRLR eq. 7).
 */
import { gather, mul, scatterAdd, tensor, type Tensor, zeros } from '@rec/core';

/** Lists in CSR form: row r is `indices[indptr[r] … indptr[r + 1])` (a user's items, an item's categories). */
export interface ItemLists {
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
}

/**
 * Σ over each listed row's entries of `table`, divided by the list's length (0 for an
 * empty list): `[rows.length, d]`. Differentiable in `table` (gather, scatter-add).
 * @example
 * ```ts
 * const p = rowMeans(model.input, userItems, Int32Array.of(0, 1)); // [2, d]
 * ```
 */
export function rowMeans(table: Tensor, lists: ItemLists, rows: Int32Array): Tensor {
  let nnz = 0;
  for (const r of rows) nnz += lists.indptr[r + 1] - lists.indptr[r];
  const d = table.shape[1];
  if (nnz === 0) return zeros([rows.length, d]);
  const flat = new Int32Array(nnz);
  const segment = new Int32Array(nnz);
  const weight = new Float32Array(nnz);
  let at = 0;
  rows.forEach((r, s) => {
    const lo = lists.indptr[r];
    const n = lists.indptr[r + 1] - lo;
    for (let k = 0; k < n; k++) {
      flat[at] = lists.indices[lo + k];
      segment[at] = s;
      weight[at] = 1 / n;
      at++;
    }
  });
  return scatterAdd(zeros([rows.length, d]), tensor(segment), mul(gather(table, tensor(flat)), tensor(weight, [nnz, 1])));
}
