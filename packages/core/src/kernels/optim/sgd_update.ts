/**
 * `sgd_update`: one dense SGD step, in place, with optional L2 weight decay,
 * heavy-ball momentum (PyTorch convention) and Nesterov momentum.
 *
 *   g ← g + λ·p                        (L2 weight decay, before momentum; λ = weightDecay)
 *   v ← μ·v + g                        (only when μ = momentum > 0)
 *   d ← g + μ·v  if nesterov, else v   (d = g when μ = 0)
 *   p ← p − lr·d
 *
 * PyTorch convention: the gradient enters the velocity undamped (v = μ·v + g,
 * not μ·v + (1−μ)·g) and the learning rate multiplies the velocity, so
 * changing lr mid-training does not rescale the stored velocity. With v
 * starting at zero, the first step is plain SGD (PyTorch's "buf = g" on step 1).
 *
 * Layouts and dtypes: inputs `[param, grad]`, or `[param, grad, velocity]`
 * when momentum > 0; all f32 of the parameter's shape, contiguous. `param` and
 * `velocity` are overwritten; `grad` is read only. Returns nothing.
 *
 * Numerics: the js reference computes each element in f64 and rounds once to
 * f32 when storing p and v; native and WGSL versions compute in f32, and parity
 * tests compare with `atol + rtol·|ref|`.
 *
 * Threading: elements are independent; faster versions split them freely.
 *
 * Variants: momentum = 0 (no velocity input), heavy ball, Nesterov
 * (requires momentum > 0); weight decay 0 or > 0. No dampening.
 *
 * @see Sutskever, Martens, Dahl & Hinton 2013, "On the importance of
 *   initialization and momentum in deep learning", §2 (Nesterov in this form).
 */
import { hostF32 } from '../../backends/js/backend.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkDenseUpdateTensors, checkFlagAttr, checkNonNegativeAttr, checkPositiveAttr, checkUnitIntervalAttr } from './update-inputs.js';

/**
 * Attributes of `sgd_update` and `sparse_sgd`; plain numbers and booleans, so
 * they cross to C++ and WGSL uniforms unchanged.
 *
 * @example
 * ```ts
 * const attrs: SgdUpdateAttrs = { lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 1e-4 };
 * runKernel('sgd_update', [param, grad, velocity], attrs);
 * ```
 */
export interface SgdUpdateAttrs {
  /** Learning rate, > 0. */
  lr: number;
  /** μ in [0, 1); 0 means no velocity input. */
  momentum: number;
  /** Nesterov's look-ahead form; only with momentum > 0. */
  nesterov: boolean;
  /** λ ≥ 0 of the L2 penalty (λ/2)·‖p‖², added to the gradient. */
  weightDecay: number;
}

/**
 * The declaration of `sgd_update` (family `optim`).
 *
 * @example
 * ```ts
 * console.log(sgdUpdateSpec.summary);
 * ```
 */
export const sgdUpdateSpec = declareKernel({
  id: 'sgd_update',
  family: 'optim',
  summary: 'g += λp; v = μv + g; p −= lr·(nesterov ? g + μv : v) — in place',
  check: checkSgdUpdateInputs,
});

const TENSOR_NAMES = ['param', 'grad', 'velocity'] as const;

/**
 * The rule of `sgd_update` (its spec's `check`, run by `runKernel` on every backend): the
 * attributes ({@link checkSgdUpdateAttrs}), then `[param, grad]`, or `[param, grad, velocity]`
 * when momentum > 0, all f32 of the parameter's shape.
 *
 * @example
 * ```ts
 * checkSgdUpdateInputs([param, grad, velocity], { lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 0 });
 * ```
 */
export function checkSgdUpdateInputs(inputs: readonly Tensor[], attrs: SgdUpdateAttrs): void {
  checkSgdUpdateAttrs('sgd_update', attrs);
  checkVelocityInput('sgd_update', inputs.length, 3, attrs.momentum);
  checkDenseUpdateTensors('sgd_update', inputs, TENSOR_NAMES);
}

/**
 * Checks the attributes of `sgd_update` and `sparse_sgd` (`K` names the kernel): lr a finite
 * number > 0, momentum in [0, 1), nesterov true or false and true only with momentum > 0,
 * weightDecay a finite number ≥ 0 — `SGD`'s option rules.
 *
 * @example
 * ```ts
 * checkSgdUpdateAttrs('sparse_sgd', { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-4 });
 * ```
 */
export function checkSgdUpdateAttrs(K: string, attrs: SgdUpdateAttrs): void {
  const { lr, momentum, nesterov, weightDecay } = attrs;
  checkPositiveAttr(K, 'lr', lr);
  checkUnitIntervalAttr(K, 'momentum', momentum);
  checkFlagAttr(K, 'nesterov', nesterov);
  if (nesterov && momentum === 0) throw new Error(`${K}: nesterov is true but momentum is 0; Nesterov momentum needs momentum > 0`);
  checkNonNegativeAttr(K, 'weightDecay', weightDecay);
}

/**
 * Updates one element run of a parameter in place: shared by `sgd_update`
 * (the whole tensor) and `sparse_sgd` (one merged row at a time).
 *
 * @param p parameter values, updated at `[offset, offset + g.length)`
 * @param v velocity, updated at the same offsets; undefined when momentum = 0
 * @param g gradient for those elements (f64 or f32), starting at `gOffset`
 *
 * @example
 * ```ts
 * const p = new Float32Array([1, 2]);
 * sgdElements(p, undefined, new Float64Array([0.5, 0.5]), 0, 0, 2, { lr: 0.1, momentum: 0, nesterov: false, weightDecay: 0 });
 * // p ≈ [0.95, 1.95]
 * ```
 */
export function sgdElements(
  p: Float32Array, v: Float32Array | undefined, g: ArrayLike<number>, offset: number, gOffset: number, count: number, attrs: SgdUpdateAttrs,
): void {
  const { lr, momentum: mu, nesterov, weightDecay: wd } = attrs;
  for (let c = 0; c < count; c++) {
    const i = offset + c;
    const grad = g[gOffset + c] + wd * p[i];
    let d = grad;
    if (v) {
      const vel = mu * v[i] + grad;
      v[i] = vel;
      d = nesterov ? grad + mu * vel : vel;
    }
    p[i] -= lr * d;
  }
}

/**
 * Checks that a velocity input is present exactly when momentum > 0.
 *
 * @example
 * ```ts
 * checkVelocityInput('sgd_update', 3, 3, 0.9); // ok: [param, grad, velocity]
 * ```
 */
export function checkVelocityInput(kernel: string, inputCount: number, withVelocity: number, momentum: number): void {
  const expected = momentum > 0 ? withVelocity : withVelocity - 1;
  if (inputCount !== expected) {
    throw new Error(`${kernel}: momentum ${momentum} needs ${expected} inputs${momentum > 0 ? ' (the last one the velocity)' : ' (no velocity)'}, got ${inputCount}`);
  }
}

registerKernel<SgdUpdateAttrs>('sgd_update', 'js', ({ inputs, attrs }) => {
  const [param, grad, velocity] = inputs;
  const p = hostF32(param);
  sgdElements(p, velocity ? hostF32(velocity) : undefined, hostF32(grad), 0, 0, p.length, attrs);
});
