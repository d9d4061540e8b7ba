/**
 * `adam_update`: one dense Adam step, in place (Kingma & Ba 2015, Alg. 1),
 * with either coupled L2 weight decay (Adam) or decoupled weight decay (AdamW,
 * Loshchilov & Hutter 2019, Alg. 2).
 *
 *   coupled (decoupledWeightDecay = false):    g ← g + λ·p
 *   decoupled (decoupledWeightDecay = true):   p ← p − lr·λ·p
 *   m ← β₁·m + (1 − β₁)·g
 *   v ← β₂·v + (1 − β₂)·g²
 *   m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)      (bias correction; t = step ≥ 1)
 *   p ← p − lr·m̂ / (√v̂ + ε)
 *
 * ε sits outside the square root of the bias-corrected v̂, as in the paper and
 * PyTorch (TensorFlow's "epsilon hat" adds it to the uncorrected √v instead).
 *
 * Coupled vs decoupled: with coupled L2 the penalty's gradient passes through
 * the adaptive scaling, so rows with large gradients are barely regularised;
 * AdamW decays every weight by the same factor (1 − lr·λ) per step. The paper
 * (Alg. 2, line 12) scales the decay by the schedule multiplier η_t but not by
 * α; like PyTorch's `AdamW` we scale it by lr, so a λ read from a PyTorch
 * recipe means the same here (paper λ = our lr·λ at a fixed lr). The decay
 * uses p before the Adam step; the Adam term does not depend on p when
 * decoupled, so the order does not matter.
 *
 * t is the optimizer's global step count (see `sparse_adam` for why it matters
 * there). The bias-correction factors are computed once per call in f64.
 *
 * Layouts and dtypes: inputs `[param, grad, m, v]`, all f32 of the parameter's
 * shape, contiguous; `param`, `m` and `v` are overwritten. Returns nothing.
 *
 * Numerics: each element in f64 in the js reference, rounded to f32 on store;
 * native and WGSL versions compute in f32.
 *
 * Threading: elements are independent.
 *
 * Variants: coupled / decoupled weight decay (λ = 0 makes them equal). No
 * AMSGrad.
 *
 * @see Kingma & Ba 2015, "Adam: A Method for Stochastic Optimization", ICLR, Alg. 1 and §3.
 * @see Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization", ICLR, Alg. 2.
 */
import { hostF32 } from '../../backends/js/backend.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkDenseUpdateTensors, checkFlagAttr, checkNonNegativeAttr, checkPositiveAttr, checkUnitIntervalAttr } from './update-inputs.js';

/**
 * Attributes of `adam_update` and `sparse_adam`.
 *
 * @example
 * ```ts
 * const attrs: AdamUpdateAttrs = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupledWeightDecay: true, step: 1 };
 * runKernel('adam_update', [param, grad, m, v], attrs);
 * ```
 */
export interface AdamUpdateAttrs {
  /** Learning rate α, > 0. */
  lr: number;
  /** β₁ in [0, 1): decay of the first moment. */
  beta1: number;
  /** β₂ in [0, 1): decay of the second moment. */
  beta2: number;
  /** ε ≥ 0 added to √v̂ (the optimizer asks > 0). */
  eps: number;
  /** λ ≥ 0. */
  weightDecay: number;
  /** True: AdamW's p −= lr·λ·p. False: L2, g += λ·p. */
  decoupledWeightDecay: boolean;
  /** t ≥ 1, the step whose bias correction applies (the optimizer's global step count). */
  step: number;
}

/**
 * The declaration of `adam_update` (family `optim`).
 *
 * @example
 * ```ts
 * console.log(adamUpdateSpec.summary);
 * ```
 */
export const adamUpdateSpec = declareKernel({
  id: 'adam_update',
  family: 'optim',
  summary: 'g += λp (or p −= lr·λp); m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²; p −= lr·m̂/(√v̂ + ε) — in place',
  check: checkAdamUpdateInputs,
});

const TENSOR_NAMES = ['param', 'grad', 'm', 'v'] as const;

/**
 * The rule of `adam_update` (its spec's `check`, run by `runKernel` on every backend): the
 * attributes ({@link checkAdamUpdateAttrs}), then `[param, grad, m, v]`, all f32 of the
 * parameter's shape.
 *
 * @example
 * ```ts
 * checkAdamUpdateInputs([param, grad, m, v], { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false, step: 1 });
 * ```
 */
export function checkAdamUpdateInputs(inputs: readonly Tensor[], attrs: AdamUpdateAttrs): void {
  const K = 'adam_update';
  checkAdamUpdateAttrs(K, attrs);
  if (inputs.length !== 4) throw new Error(`${K}: expected 4 inputs (param, grad, m, v), got ${inputs.length}`);
  checkDenseUpdateTensors(K, inputs, TENSOR_NAMES);
}

/**
 * Checks the attributes of `adam_update` and `sparse_adam` (`K` names the kernel): lr a finite
 * number > 0, β₁ and β₂ in [0, 1), eps and weightDecay finite numbers ≥ 0 (`Adam` asks eps > 0
 * of its option; the kernel takes 0, as `adagrad_update` does), decoupledWeightDecay true or
 * false, and step an integer ≥ 1 (the bias correction 1 − βᵗ is 0 at t = 0).
 *
 * @example
 * ```ts
 * checkAdamUpdateAttrs('sparse_adam', { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false, step: 1 });
 * ```
 */
export function checkAdamUpdateAttrs(K: string, attrs: AdamUpdateAttrs): void {
  const { step } = attrs;
  checkPositiveAttr(K, 'lr', attrs.lr);
  checkUnitIntervalAttr(K, 'beta1', attrs.beta1);
  checkUnitIntervalAttr(K, 'beta2', attrs.beta2);
  checkNonNegativeAttr(K, 'eps', attrs.eps);
  checkNonNegativeAttr(K, 'weightDecay', attrs.weightDecay);
  checkFlagAttr(K, 'decoupledWeightDecay', attrs.decoupledWeightDecay);
  if (!(Number.isInteger(step) && step >= 1)) throw new Error(`${K}: step must be an integer ≥ 1, got ${step}`);
}

/**
 * Updates one element run in place: shared by `adam_update` (whole tensor)
 * and `sparse_adam` (one merged row at a time). `attrs` are those
 * {@link checkAdamUpdateAttrs} passed (the kernels' rule: step ≥ 1).
 *
 * @example
 * ```ts
 * const p = new Float32Array([1]), m = new Float32Array(1), v = new Float32Array(1);
 * adamElements(p, m, v, [0.5], 0, 0, 1, { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false, step: 1 });
 * // first step moves by ≈ lr: p ≈ [0.9]
 * ```
 */
export function adamElements(
  p: Float32Array, m: Float32Array, v: Float32Array, g: ArrayLike<number>, offset: number, gOffset: number, count: number, attrs: AdamUpdateAttrs,
): void {
  const { lr, beta1, beta2, eps, weightDecay: wd, decoupledWeightDecay, step } = attrs;
  const correction1 = 1 - beta1 ** step;
  const correction2 = 1 - beta2 ** step;
  const decay = decoupledWeightDecay ? 1 - lr * wd : 1;
  const l2 = decoupledWeightDecay ? 0 : wd;
  for (let c = 0; c < count; c++) {
    const i = offset + c;
    const grad = g[gOffset + c] + l2 * p[i];
    const mi = beta1 * m[i] + (1 - beta1) * grad;
    const vi = beta2 * v[i] + (1 - beta2) * grad * grad;
    m[i] = mi;
    v[i] = vi;
    p[i] = decay * p[i] - (lr * (mi / correction1)) / (Math.sqrt(vi / correction2) + eps);
  }
}

registerKernel<AdamUpdateAttrs>('adam_update', 'js', ({ inputs: [param, grad, m, v], attrs }) => {
  const p = hostF32(param);
  adamElements(p, hostF32(m), hostF32(v), hostF32(grad), 0, 0, p.length, attrs);
});
