/**
 * `dense_bias_act`: a dense layer's forward pass in one kernel,
 *
 *   y = act(x·W + b),   act ∈ {none, relu, sigmoid}
 *
 * for x f32 `[m, k]`, W f32 `[k, n]`, b f32 `[n]`; output y f32 `[m, n]`. It is
 * the tower layer of the MLP models (NCF's MLP, He et al. 2017, §3.3); the
 * composite `relu(add(matmul(x, W), b))` is the same function and is what
 * autograd differentiates (this kernel is forward-only: inference and
 * evaluation, where the three passes over y are what it saves).
 *
 * Numerics: the reference accumulates x·W in f64, adds b and applies act in
 * f64, then rounds to f32; sigmoid is 1 / (1 + e⁻ᶻ), which saturates to 0 or 1
 * without overflow. The native version accumulates in f32 through its tiled
 * matmul and applies bias + act on each row block (within 1e-4 relative).
 *
 * Threading: the reference is sequential; native splits rows over threads.
 */
import { hostF32, hostOutput } from '../../backends/js/backend.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import type { Tensor } from '../../tensor/tensor.js';
import { allocArray } from '../../tensor/dtype.js';

/** The activations `dense_bias_act` fuses. */
export type DenseActivation = 'none' | 'relu' | 'sigmoid';

/**
 * Attributes of `dense_bias_act`.
 *
 * @example
 * ```ts
 * const [y] = runKernel('dense_bias_act', [x, W, b], { activation: 'relu' });
 * ```
 */
export interface DenseBiasActAttrs {
  /** The activation applied after the bias. */
  activation: DenseActivation;
}

/**
 * The declaration of `dense_bias_act` (family `dense`).
 *
 * @example
 * ```ts
 * console.log(denseBiasActSpec.summary);
 * ```
 */
export const denseBiasActSpec = declareKernel({ id: 'dense_bias_act', family: 'dense', summary: 'y = act(x·W + b), act ∈ {none, relu, sigmoid}' });

/**
 * Checks the inputs of `dense_bias_act` and returns `[m, k, n]`; shared by
 * every backend so they fail with the same message.
 *
 * @example
 * ```ts
 * const [m, k, n] = checkDenseBiasActInputs([x, W, b], { activation: 'relu' });
 * ```
 */
export function checkDenseBiasActInputs(inputs: readonly Tensor[], attrs: DenseBiasActAttrs): [number, number, number] {
  const K = 'dense_bias_act';
  if (inputs.length !== 3) throw new Error(`${K}: expected 3 inputs [x, W, b], got ${inputs.length}`);
  const [x, w, b] = inputs;
  if (x.dtype !== 'f32' || w.dtype !== 'f32' || b.dtype !== 'f32' || x.shape.length !== 2 || w.shape.length !== 2 || b.shape.length !== 1) {
    throw new Error(`${K}: x [m, k], W [k, n] and b [n] must be f32, got [${x.shape.join(', ')}], [${w.shape.join(', ')}], [${b.shape.join(', ')}]`);
  }
  const [m, k] = x.shape;
  const n = w.shape[1];
  if (w.shape[0] !== k || b.shape[0] !== n) throw new Error(`${K}: shapes do not chain: x [${m}, ${k}], W [${w.shape.join(', ')}], b [${b.shape[0]}]`);
  if (!['none', 'relu', 'sigmoid'].includes(attrs.activation)) throw new Error(`${K}: activation must be none, relu or sigmoid, got ${String(attrs.activation)}`);
  return [m, k, n];
}

registerKernel<DenseBiasActAttrs>('dense_bias_act', 'js', ({ inputs, attrs, backend }) => {
  const [m, k, n] = checkDenseBiasActInputs(inputs, attrs);
  const x = hostF32(inputs[0]);
  const w = hostF32(inputs[1]);
  const b = hostF32(inputs[2]);
  const y = allocArray('f32', m * n);
  const acc = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) acc[j] = b[j];
    for (let p = 0; p < k; p++) {
      const xv = x[i * k + p];
      if (xv === 0) continue;
      for (let j = 0; j < n; j++) acc[j] += xv * w[p * n + j];
    }
    for (let j = 0; j < n; j++) {
      const z = acc[j];
      y[i * n + j] = attrs.activation === 'relu' ? Math.max(z, 0) : attrs.activation === 'sigmoid' ? 1 / (1 + Math.exp(-z)) : z;
    }
  }
  return hostOutput(backend, [m, n], 'f32', y);
});
