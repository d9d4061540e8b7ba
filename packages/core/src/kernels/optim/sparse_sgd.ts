/**
 * `sparse_sgd`: the `sgd_update` step applied to the rows a row-sparse
 * gradient lists, in place — the embedding-table form.
 *
 *   ĝ_r = Σ_{j : idx[j] = r} values[j]        (duplicate rows merged first)
 *   for each touched row r:
 *     g ← ĝ_r + λ·p_r
 *     v_r ← μ·v_r + g                          (μ > 0 only)
 *     p_r ← p_r − lr·(nesterov ? g + μ·v_r : v_r)
 *
 * Lazy semantics: rows the gradient does not list are not touched at all —
 * neither their values (no weight decay) nor their velocity (no μ-decay, no
 * coasting on old velocity). On a table where every row is listed every step
 * this equals `sgd_update` on the dense gradient; otherwise a row's velocity
 * only advances on the steps that touch it, which is what makes a step cost
 * O(touched rows), not O(table).
 *
 * Layouts and dtypes: inputs `[param, indices, values]`, plus `velocity` when
 * momentum > 0. param and velocity f32 `[rows, ...rowShape]`, indices i32
 * `[n]` (duplicates allowed, each in [0, rows)), values f32
 * `[n, ...rowShape]`. Returns nothing.
 *
 * Numerics: duplicates are summed in f64 in entry order (see `merge-rows.ts`),
 * then each element is updated in f64 and rounded to f32 on store. Every index
 * is range-checked before anything is written.
 *
 * Threading: after the merge the touched rows are disjoint, so faster versions
 * update rows in parallel without atomics.
 *
 * Variants: as `sgd_update` (momentum 0 / heavy ball / Nesterov; weight decay).
 */
import { hostData, hostF32 } from '../../backends/js/backend.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { sizeOf } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { mergeDuplicateRows } from './merge-rows.js';
import { checkSgdUpdateAttrs, checkVelocityInput, sgdElements, type SgdUpdateAttrs } from './sgd_update.js';
import { checkRowSparseTensors } from './update-inputs.js';

/**
 * The declaration of `sparse_sgd` (family `optim`); attributes are {@link SgdUpdateAttrs}.
 *
 * @example
 * ```ts
 * console.log(sparseSgdSpec.id); // 'sparse_sgd'
 * ```
 */
export const sparseSgdSpec = declareKernel({
  id: 'sparse_sgd',
  family: 'optim',
  summary: 'merge duplicate rows; on touched rows only: g += λp; v = μv + g; p −= lr·(nesterov ? g + μv : v) — in place',
  check: checkSparseSgdInputs,
});

const VELOCITY = ['velocity'] as const;
const NO_STATE = [] as const;

/**
 * The rule of `sparse_sgd` (its spec's `check`, run by `runKernel` on every backend): the
 * attributes (`sgd_update`'s), then `[param, indices, values]`, plus `velocity` when
 * momentum > 0, with the shapes of a row-sparse update. The row indices' range is checked
 * where the data lives (in the merge here, in the C++, on the GPU).
 *
 * @example
 * ```ts
 * checkSparseSgdInputs([param, indices, values], { lr: 0.1, momentum: 0, nesterov: false, weightDecay: 0 });
 * ```
 */
export function checkSparseSgdInputs(inputs: readonly Tensor[], attrs: SgdUpdateAttrs): void {
  const K = 'sparse_sgd';
  checkSgdUpdateAttrs(K, attrs);
  checkVelocityInput(K, inputs.length, 4, attrs.momentum);
  checkRowSparseTensors(K, inputs, inputs.length === 4 ? VELOCITY : NO_STATE);
}

registerKernel<SgdUpdateAttrs>('sparse_sgd', 'js', ({ inputs, attrs }) => {
  const [param, indices, values, velocity] = inputs;
  const width = sizeOf(param.shape.slice(1));
  const { rows, grad } = mergeDuplicateRows('sparse_sgd', hostData(indices), hostData(values), param.shape[0], width);
  const p = hostF32(param);
  const v = velocity ? hostF32(velocity) : undefined;
  for (let k = 0; k < rows.length; k++) sgdElements(p, v, grad, rows[k] * width, k * width, width, attrs);
});
