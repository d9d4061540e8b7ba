/**
 * `sparse_adam`: lazy Adam on the rows a row-sparse gradient lists, in place —
 * the `adam_update` step (coupled L2 or AdamW's decoupled decay) restricted to
 * touched rows.
 *
 *   ĝ_r = Σ_{j : idx[j] = r} values[j]        (duplicate rows merged first)
 *   for each touched row r:
 *     coupled:   g ← ĝ_r + λ·p_r      decoupled:  g ← ĝ_r;  p_r ← p_r − lr·λ·p_r
 *     m_r ← β₁·m_r + (1 − β₁)·g
 *     v_r ← β₂·v_r + (1 − β₂)·g²
 *     p_r ← p_r − lr·(m_r / (1 − β₁ᵗ)) / (√(v_r / (1 − β₂ᵗ)) + ε)
 *
 * Lazy semantics: rows the gradient does not list are not touched — their
 * values, m and v stay as they are (dense Adam would decay m and v of every
 * row, and keep moving a row on its old momentum). A step costs O(touched
 * rows). This is the behaviour of TensorFlow Addons' `LazyAdam` and PyTorch's
 * `SparseAdam`.
 *
 * Bias correction uses the optimizer's global step t, not a per-row count
 * (TF's `LazyAdam` does the same; PyTorch's `SparseAdam` counts steps per
 * parameter tensor, which for a table stepped every iteration is the same t).
 * A per-row count would need one more integer per row and would
 * over-correct rare rows' moments, whose m and v have simply not decayed. The
 * consequence: a row first touched late gets a first update smaller than lr
 * (m̂ ≈ (1 − β₁)·g when t is large), the known trade-off of lazy Adam.
 *
 * When every row is listed every step, this equals `adam_update` on the
 * dense gradient.
 *
 * Layouts and dtypes: inputs `[param, indices, values, m, v]`. param, m, v f32
 * `[rows, ...rowShape]`; indices i32 `[n]` (duplicates allowed, each in
 * [0, rows)); values f32 `[n, ...rowShape]`. Returns nothing.
 *
 * Numerics: duplicates summed in f64 in entry order; elements in f64, rounded
 * to f32 on store. Every index is range-checked before anything is written.
 *
 * Threading: after the merge the rows are disjoint; faster versions update
 * them in parallel without atomics.
 *
 * @see Kingma & Ba 2015, ICLR, Alg. 1.
 * @see Loshchilov & Hutter 2019, ICLR, Alg. 2 (decoupled decay).
 */
import { hostData, hostF32 } from '../../backends/js/backend.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { sizeOf } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { adamElements, type AdamUpdateAttrs, checkAdamUpdateAttrs } from './adam_update.js';
import { mergeDuplicateRows } from './merge-rows.js';
import { checkRowSparseTensors } from './update-inputs.js';

/**
 * The declaration of `sparse_adam` (family `optim`); attributes are {@link AdamUpdateAttrs}.
 *
 * @example
 * ```ts
 * console.log(sparseAdamSpec.id); // 'sparse_adam'
 * ```
 */
export const sparseAdamSpec = declareKernel({
  id: 'sparse_adam',
  family: 'optim',
  summary: 'merge duplicate rows; lazy Adam/AdamW on touched rows only, bias correction with the global step t — in place',
  check: checkSparseAdamInputs,
});

const STATE = ['m', 'v'] as const;

/**
 * The rule of `sparse_adam` (its spec's `check`, run by `runKernel` on every backend): the
 * attributes (`adam_update`'s, step ≥ 1 included), then `[param, indices, values, m, v]` with
 * the shapes of a row-sparse update. The row indices' range is checked where the data lives.
 *
 * @example
 * ```ts
 * checkSparseAdamInputs([param, indices, values, m, v], { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false, step: 1 });
 * ```
 */
export function checkSparseAdamInputs(inputs: readonly Tensor[], attrs: AdamUpdateAttrs): void {
  const K = 'sparse_adam';
  checkAdamUpdateAttrs(K, attrs);
  if (inputs.length !== 5) throw new Error(`${K}: expected 5 inputs (param, indices, values, m, v), got ${inputs.length}`);
  checkRowSparseTensors(K, inputs, STATE);
}

registerKernel<AdamUpdateAttrs>('sparse_adam', 'js', ({ inputs: [param, indices, values, m, v], attrs }) => {
  const width = sizeOf(param.shape.slice(1));
  const { rows, grad } = mergeDuplicateRows('sparse_adam', hostData(indices), hostData(values), param.shape[0], width);
  const p = hostF32(param);
  const mm = hostF32(m);
  const vv = hostF32(v);
  for (let k = 0; k < rows.length; k++) adamElements(p, mm, vv, grad, rows[k] * width, k * width, width, attrs);
});
