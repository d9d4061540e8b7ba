/**
 * `adagrad_update`: one dense Adagrad step, in place (Duchi, Hazan & Singer
 * 2011, diagonal form).
 *
 *   g ← g + λ·p                 (L2 weight decay; λ = weightDecay)
 *   G ← G + g²                  (per-element sum of squared gradients)
 *   p ← p − lr·g / (√G + ε)
 *
 * G starts at the optimizer's `initialAccumulatorValue` (0 in the paper and in
 * PyTorch; TensorFlow uses 0.1). ε sits outside the square root, as in
 * PyTorch's `Adagrad`, so that a zero accumulator with a zero gradient gives a
 * zero step rather than 0/0.
 *
 * Layouts and dtypes: inputs `[param, grad, sum]`, all f32 of the parameter's
 * shape, contiguous. `param` and `sum` (G) are overwritten. Returns nothing.
 *
 * Numerics: each element in f64 in the js reference, rounded to f32 on store;
 * G only grows, so f32 keeps ~7 significant digits of it for the whole run.
 * Native and WGSL versions compute in f32.
 *
 * Threading: elements are independent.
 *
 * Variants: weight decay 0 or > 0. No learning-rate decay (use a schedule on
 * `lr` instead).
 *
 * @see Duchi, Hazan & Singer 2011, "Adaptive Subgradient Methods for Online
 *   Learning and Stochastic Optimization", JMLR 12, §1.1 (the diagonal update).
 */
import { hostF32 } from '../../backends/js/backend.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkDenseUpdateTensors, checkNonNegativeAttr, checkPositiveAttr } from './update-inputs.js';

/**
 * Attributes of `adagrad_update` and `sparse_adagrad`.
 *
 * @example
 * ```ts
 * const attrs: AdagradUpdateAttrs = { lr: 0.05, eps: 1e-10, weightDecay: 0 };
 * runKernel('adagrad_update', [param, grad, sum], attrs);
 * ```
 */
export interface AdagradUpdateAttrs {
  /** Learning rate, > 0. */
  lr: number;
  /** ε ≥ 0 added to √G (`Adagrad` asks > 0: with 0, a zero gradient on a zero accumulator steps by 0/0). */
  eps: number;
  /** λ ≥ 0 of the L2 penalty, added to the gradient. */
  weightDecay: number;
}

/**
 * The declaration of `adagrad_update` (family `optim`).
 *
 * @example
 * ```ts
 * console.log(adagradUpdateSpec.summary);
 * ```
 */
export const adagradUpdateSpec = declareKernel({
  id: 'adagrad_update',
  family: 'optim',
  summary: 'g += λp; G += g²; p −= lr·g/(√G + ε) — in place',
  check: checkAdagradUpdateInputs,
});

const TENSOR_NAMES = ['param', 'grad', 'sum'] as const;

/**
 * The rule of `adagrad_update` (its spec's `check`, run by `runKernel` on every backend): the
 * attributes ({@link checkAdagradUpdateAttrs}), then `[param, grad, sum]`, all f32 of the
 * parameter's shape.
 *
 * @example
 * ```ts
 * checkAdagradUpdateInputs([param, grad, sum], { lr: 0.05, eps: 1e-10, weightDecay: 0 });
 * ```
 */
export function checkAdagradUpdateInputs(inputs: readonly Tensor[], attrs: AdagradUpdateAttrs): void {
  const K = 'adagrad_update';
  checkAdagradUpdateAttrs(K, attrs);
  if (inputs.length !== 3) throw new Error(`${K}: expected 3 inputs (param, grad, sum), got ${inputs.length}`);
  checkDenseUpdateTensors(K, inputs, TENSOR_NAMES);
}

/**
 * Checks the attributes of `adagrad_update` and `sparse_adagrad` (`K` names the kernel): lr a
 * finite number > 0, eps and weightDecay finite numbers ≥ 0. `Adagrad` asks eps > 0 of its
 * option; the kernel takes 0 (exact steps in tests; a zero accumulator with a zero gradient
 * then steps by 0/0, NaN, as in PyTorch).
 *
 * @example
 * ```ts
 * checkAdagradUpdateAttrs('sparse_adagrad', { lr: 0.05, eps: 1e-10, weightDecay: 0 });
 * ```
 */
export function checkAdagradUpdateAttrs(K: string, attrs: AdagradUpdateAttrs): void {
  checkPositiveAttr(K, 'lr', attrs.lr);
  checkNonNegativeAttr(K, 'eps', attrs.eps);
  checkNonNegativeAttr(K, 'weightDecay', attrs.weightDecay);
}

/**
 * Updates one element run in place: shared by `adagrad_update` (whole tensor)
 * and `sparse_adagrad` (one merged row at a time).
 *
 * @example
 * ```ts
 * const p = new Float32Array([1]);
 * const G = new Float32Array([0]);
 * adagradElements(p, G, [2], 0, 0, 1, { lr: 0.1, eps: 0, weightDecay: 0 }); // G = [4], p ≈ [0.9]
 * ```
 */
export function adagradElements(
  p: Float32Array, sum: Float32Array, g: ArrayLike<number>, offset: number, gOffset: number, count: number, attrs: AdagradUpdateAttrs,
): void {
  const { lr, eps, weightDecay: wd } = attrs;
  for (let c = 0; c < count; c++) {
    const i = offset + c;
    const grad = g[gOffset + c] + wd * p[i];
    const acc = sum[i] + grad * grad;
    sum[i] = acc;
    p[i] -= (lr * grad) / (Math.sqrt(acc) + eps);
  }
}

registerKernel<AdagradUpdateAttrs>('adagrad_update', 'js', ({ inputs: [param, grad, sum], attrs }) => {
  const p = hostF32(param);
  adagradElements(p, hostF32(sum), hostF32(grad), 0, 0, p.length, attrs);
});
