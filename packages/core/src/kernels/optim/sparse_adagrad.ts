/**
 * `sparse_adagrad`: the `adagrad_update` step on the rows a row-sparse
 * gradient lists, in place — the classic embedding-table optimizer.
 *
 *   ĝ_r = Σ_{j : idx[j] = r} values[j]        (duplicate rows merged first)
 *   for each touched row r:
 *     g ← ĝ_r + λ·p_r
 *     G_r ← G_r + g²
 *     p_r ← p_r − lr·g / (√G_r + ε)
 *
 * Merging matters here more than anywhere: two entries for one row must add
 * (g₁ + g₂)² to G, not g₁² + g₂².
 *
 * Rows the gradient does not list keep their values and accumulators (no
 * weight decay on them). Since a zero gradient adds nothing to G and moves
 * nothing, this is exactly the dense step on the scattered gradient when
 * λ = 0; with λ > 0 it differs only in skipping the decay of untouched rows.
 *
 * Layouts and dtypes: inputs `[param, indices, values, sum]`. param and sum
 * f32 `[rows, ...rowShape]`, indices i32 `[n]` (duplicates allowed, each in
 * [0, rows)), values f32 `[n, ...rowShape]`. Returns nothing.
 *
 * Numerics: duplicates summed in f64 in entry order; elements updated in f64,
 * rounded to f32 on store. Every index is range-checked before anything is
 * written.
 *
 * Threading: after the merge the rows are disjoint; faster versions update
 * them in parallel without atomics.
 *
 * @see Duchi, Hazan & Singer 2011, JMLR 12, §1.1.
 */
import { hostData, hostF32 } from '../../backends/js/backend.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { sizeOf } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { adagradElements, type AdagradUpdateAttrs, checkAdagradUpdateAttrs } from './adagrad_update.js';
import { mergeDuplicateRows } from './merge-rows.js';
import { checkRowSparseTensors } from './update-inputs.js';

/**
 * The declaration of `sparse_adagrad` (family `optim`); attributes are {@link AdagradUpdateAttrs}.
 *
 * @example
 * ```ts
 * console.log(sparseAdagradSpec.id); // 'sparse_adagrad'
 * ```
 */
export const sparseAdagradSpec = declareKernel({
  id: 'sparse_adagrad',
  family: 'optim',
  summary: 'merge duplicate rows; on touched rows only: g += λp; G += g²; p −= lr·g/(√G + ε) — in place',
  check: checkSparseAdagradInputs,
});

const STATE = ['sum'] as const;

/**
 * The rule of `sparse_adagrad` (its spec's `check`, run by `runKernel` on every backend): the
 * attributes (`adagrad_update`'s), then `[param, indices, values, sum]` with the shapes of a
 * row-sparse update. The row indices' range is checked where the data lives.
 *
 * @example
 * ```ts
 * checkSparseAdagradInputs([param, indices, values, sum], { lr: 0.05, eps: 1e-10, weightDecay: 0 });
 * ```
 */
export function checkSparseAdagradInputs(inputs: readonly Tensor[], attrs: AdagradUpdateAttrs): void {
  const K = 'sparse_adagrad';
  checkAdagradUpdateAttrs(K, attrs);
  if (inputs.length !== 4) throw new Error(`${K}: expected 4 inputs (param, indices, values, sum), got ${inputs.length}`);
  checkRowSparseTensors(K, inputs, STATE);
}

registerKernel<AdagradUpdateAttrs>('sparse_adagrad', 'js', ({ inputs: [param, indices, values, sum], attrs }) => {
  const width = sizeOf(param.shape.slice(1));
  const { rows, grad } = mergeDuplicateRows('sparse_adagrad', hostData(indices), hostData(values), param.shape[0], width);
  const p = hostF32(param);
  const acc = hostF32(sum);
  for (let k = 0; k < rows.length; k++) adagradElements(p, acc, grad, rows[k] * width, k * width, width, attrs);
});
