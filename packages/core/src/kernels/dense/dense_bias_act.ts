/**
 * `dense_bias_act`: a dense layer's forward pass in one kernel,
 *
 *   y = act(x·W + b),   act ∈ {none, relu, sigmoid}
 *
 * for x f32 `[m, k]`, W f32 `[k, n]`, b f32 `[n]`; output y f32 `[m, n]`. It is
 * the tower layer of the MLP models (NCF's MLP, He et al. 2017, §3.3) and the
 * forward pass of `dense` (`ops/nn.ts`), whose backward is
 *
 * `dense_bias_act_grad`: from dy `[m, n]`, x `[m, k]`, W `[k, n]` and the
 * forward's output y `[m, n]`, with g = dy ⊙ act′ (act′ read off y: 1 for
 * none, [y > 0] for relu, y·(1 − y) for sigmoid),
 *
 *   dx = g·Wᵀ `[m, k]`,   dW = xᵀ·g `[k, n]`,   db = Σ_rows g `[n]`
 *
 * in one kernel, where the composite takes an activation gradient, a bias
 * reduction and two matmuls with their own outputs. ReLU's derivative at 0 is
 * 0 (y = 0 there), PyTorch's choice.
 *
 * Numerics: the reference accumulates x·W in f64, adds b and applies act in
 * f64, then rounds to f32; sigmoid is 1 / (1 + e⁻ᶻ), which saturates to 0 or 1
 * without overflow. The native version accumulates in f32 through its tiled
 * matmul and applies bias + act on each row block (within 1e-4 relative). The
 * gradient's reference forms g in f32 (as every backend does, so the relu mask
 * and g agree exactly) and accumulates the products and the bias sum in f64.
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
export const denseBiasActSpec = declareKernel({ id: 'dense_bias_act', family: 'dense', summary: 'y = act(x·W + b), act ∈ {none, relu, sigmoid}', check: checkDenseBiasActInputs });

/**
 * The declaration of `dense_bias_act_grad` (family `dense`).
 *
 * @example
 * ```ts
 * console.log(denseBiasActGradSpec.summary);
 * ```
 */
export const denseBiasActGradSpec = declareKernel({
  id: 'dense_bias_act_grad',
  family: 'dense',
  summary: 'dx = g·Wᵀ, dW = xᵀ·g, db = Σ_rows g with g = dy ⊙ act′(y): the backward of dense_bias_act',
  check: checkDenseBiasActGradInputs,
});

/** Throws unless `activation` is one `dense_bias_act` fuses (`kernel` names the kernel in the message). */
function checkActivation(kernel: string, activation: unknown): void {
  if (activation !== 'none' && activation !== 'relu' && activation !== 'sigmoid') {
    throw new Error(`${kernel}: activation must be none, relu or sigmoid, got ${String(activation)}`);
  }
}

/**
 * The rule of `dense_bias_act` (its spec's `check`, run by `runKernel` on every backend):
 * inputs [x f32 `[m, k]`, W f32 `[k, n]`, b f32 `[n]`] and an activation it fuses. Reads no
 * tensor data.
 *
 * @example
 * ```ts
 * checkDenseBiasActInputs([x, W, b], { activation: 'relu' }); // throws `dense_bias_act: …` if the shapes do not chain
 * ```
 */
export function checkDenseBiasActInputs(inputs: readonly Tensor[], attrs: DenseBiasActAttrs): void {
  const K = 'dense_bias_act';
  if (inputs.length !== 3) throw new Error(`${K}: expected 3 inputs [x, W, b], got ${inputs.length}`);
  const [x, w, b] = inputs;
  if (x.dtype !== 'f32' || w.dtype !== 'f32' || b.dtype !== 'f32' || x.shape.length !== 2 || w.shape.length !== 2 || b.shape.length !== 1) {
    throw new Error(`${K}: x [m, k], W [k, n] and b [n] must be f32, got [${x.shape.join(', ')}], [${w.shape.join(', ')}], [${b.shape.join(', ')}]`);
  }
  const [m, k] = x.shape;
  const n = w.shape[1];
  if (w.shape[0] !== k || b.shape[0] !== n) throw new Error(`${K}: shapes do not chain: x [${m}, ${k}], W [${w.shape.join(', ')}], b [${b.shape[0]}]`);
  checkActivation(K, attrs.activation);
}

/**
 * The rule of `dense_bias_act_grad` (its spec's `check`, run by `runKernel` on every
 * backend): inputs [dy `[m, n]`, x `[m, k]`, W `[k, n]`, y `[m, n]`], all f32, and an
 * activation `dense_bias_act` fuses. Reads no tensor data.
 *
 * @example
 * ```ts
 * checkDenseBiasActGradInputs([dy, x, W, y], { activation: 'relu' }); // throws `dense_bias_act_grad: …` if the shapes do not chain
 * ```
 */
export function checkDenseBiasActGradInputs(inputs: readonly Tensor[], attrs: DenseBiasActAttrs): void {
  const K = 'dense_bias_act_grad';
  if (inputs.length !== 4) throw new Error(`${K}: expected 4 inputs [dy, x, W, y], got ${inputs.length}`);
  const [dy, x, w, y] = inputs;
  if (inputs.some((t) => t.dtype !== 'f32' || t.shape.length !== 2)) {
    throw new Error(`${K}: dy [m, n], x [m, k], W [k, n] and y [m, n] must be 2-D f32, got ${inputs.map((t) => `${t.dtype} [${t.shape.join(', ')}]`).join(', ')}`);
  }
  const [m, k] = x.shape;
  const n = w.shape[1];
  if (w.shape[0] !== k || dy.shape[0] !== m || dy.shape[1] !== n || y.shape[0] !== m || y.shape[1] !== n) {
    throw new Error(`${K}: shapes do not chain: dy [${dy.shape.join(', ')}], x [${m}, ${k}], W [${w.shape.join(', ')}], y [${y.shape.join(', ')}]`);
  }
  checkActivation(K, attrs.activation);
}

/**
 * g = dy ⊙ act′(y) in f32, the activation's derivative read off the forward's output; every
 * backend forms it this way, so the relu mask and g agree bit for bit.
 *
 * @example
 * ```ts
 * const g = activationGradient(dy, y, 'relu'); // dy where y > 0, else 0
 * ```
 */
export function activationGradient(dy: Float32Array, y: Float32Array, activation: DenseActivation): Float32Array {
  const g = new Float32Array(dy.length);
  for (let i = 0; i < g.length; i++) {
    const v = y[i];
    g[i] = activation === 'relu' ? (v > 0 ? dy[i] : 0) : activation === 'sigmoid' ? Math.fround(dy[i] * Math.fround(v * Math.fround(1 - v))) : dy[i];
  }
  return g;
}

registerKernel<DenseBiasActAttrs>('dense_bias_act_grad', 'js', ({ inputs, attrs, backend }) => {
  const [m, k] = inputs[1].shape;
  const n = inputs[2].shape[1];
  const g = activationGradient(hostF32(inputs[0]), hostF32(inputs[3]), attrs.activation);
  const x = hostF32(inputs[1]);
  const w = hostF32(inputs[2]);
  const dx = allocArray('f32', m * k);
  const dwAcc = new Float64Array(k * n);
  const dbAcc = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      let acc = 0;
      for (let j = 0; j < n; j++) acc += g[i * n + j] * w[p * n + j];
      dx[i * k + p] = acc;
      const xv = x[i * k + p];
      if (xv !== 0) for (let j = 0; j < n; j++) dwAcc[p * n + j] += xv * g[i * n + j];
    }
    for (let j = 0; j < n; j++) dbAcc[j] += g[i * n + j];
  }
  return [
    hostOutput(backend, [m, k], 'f32', dx),
    hostOutput(backend, [k, n], 'f32', Float32Array.from(dwAcc)),
    hostOutput(backend, [n], 'f32', Float32Array.from(dbAcc)),
  ];
});

registerKernel<DenseBiasActAttrs>('dense_bias_act', 'js', ({ inputs, attrs, backend }) => {
  const [m, k] = inputs[0].shape;
  const n = inputs[1].shape[1];
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
