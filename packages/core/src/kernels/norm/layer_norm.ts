/**
 * `layer_norm` and `layer_norm_grad`: layer normalisation over the last axis
 * (Ba, Kiros & Hinton 2016, §3), fused — the kernel behind the `layerNorm` op
 * (`ops/nn.ts`), as PyTorch's `native_layer_norm` and its backward.
 *
 *   forward, for each row x of d values (the last axis):
 *     μ = Σ_i x_i / d,   σ² = Σ_i (x_i − μ)² / d   (biased, two passes),   r = 1/√(σ² + ε)
 *     y_i = (x_i − μ)·r·γ_i + β_i
 *   and the row's μ and r are outputs too, saved for the backward.
 *
 *   backward, from dy and the saved μ and r (x̂_i = (x_i − μ)·r, g_i = dy_i·γ_i):
 *     dx_i = r·(g_i − mean_j g_j − x̂_i·mean_j(g_j·x̂_j))
 *     dγ_i = Σ_rows dy_i·x̂_i,   dβ_i = Σ_rows dy_i
 *
 * Layouts and dtypes (f32 throughout): `layer_norm` takes `[x [..., d], gamma,
 * beta]` (gamma and beta of d elements each, any shape) and returns `[y (x's
 * shape), mean, rstd]`, mean and rstd of shape `x.shape[:-1]` (one per row).
 * `layer_norm_grad` takes `[dy (x's shape), x, gamma, mean, rstd]` and returns
 * `[dx (x's shape), dgamma (gamma's shape), dbeta (gamma's shape)]`.
 * The last axis must not be empty (rows may be 0). Attribute: ε > 0
 * (finite), so every row's r is finite, a constant row included (y = β there).
 *
 * Numerics: the reference computes each row in f64 (sums in order, μ and r
 * f64, y rounded once to f32); mean and rstd are stored as f32, and the
 * backward reads them as stored (so every backend's backward starts from the
 * same numbers), with its sums in f64, each output rounded once. The native
 * version does the same arithmetic in f64 with its sums in 8 lanes (and dγ, dβ
 * summed per fixed block of rows, then across blocks in order); the WGSL one
 * works in f32 with float-pair sums (see each file's header).
 *
 * Threading: the reference is sequential; native splits rows over threads,
 * and every result is independent of the thread count.
 *
 * @see Ba, Kiros & Hinton 2016, "Layer Normalization", arXiv:1607.06450, §3.
 */
import { hostF32, hostOutput } from '../../backends/js/backend.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { formatShape, type Shape, shapesEqual } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { allocArray } from '../../tensor/dtype.js';

/**
 * The attribute of `layer_norm` and `layer_norm_grad`.
 *
 * @example
 * ```ts
 * const [y, mean, rstd] = runKernel('layer_norm', [x, gamma, beta], { epsilon: 1e-5 });
 * ```
 */
export interface LayerNormAttrs {
  /** Added to the variance before the square root; > 0 (PyTorch's and `LayerNorm`'s default 1e-5). */
  epsilon: number;
}

/** The declaration of `layer_norm` (family `norm`). */
export const layerNormSpec = declareKernel({
  id: 'layer_norm',
  family: 'norm',
  summary: 'y = (x − μ)/√(σ² + ε)·γ + β over the last axis, with each row’s μ and 1/√(σ² + ε)',
  check: checkLayerNormInputs,
});

/** The declaration of `layer_norm_grad` (family `norm`). */
export const layerNormGradSpec = declareKernel({
  id: 'layer_norm_grad',
  family: 'norm',
  summary: 'dx, dγ, dβ of layer_norm from dy, x, γ and the saved μ, 1/√(σ² + ε)',
  check: checkLayerNormGradInputs,
});

/** The sizes of a layer_norm call: rows (the product of x's leading axes) and d (its last axis). */
export interface LayerNormSizes {
  rows: number;
  dim: number;
}

/** The input names of `layer_norm` and of `layer_norm_grad`, in order. */
const FORWARD_NAMES = ['x', 'gamma', 'beta'];
const GRAD_NAMES = ['dy', 'x', 'gamma', 'mean', 'rstd'];

/**
 * The rule of `layer_norm` (its spec's `check`, run by `runKernel` on every backend): f32
 * inputs [x `[..., d]` with d ≥ 1, gamma and beta of d entries each] and a finite ε > 0.
 * Reads no tensor data.
 *
 * @example
 * ```ts
 * checkLayerNormInputs([x, gamma, beta], { epsilon: 1e-5 }); // throws `layer_norm: …` if gamma or beta is not d long
 * ```
 */
export function checkLayerNormInputs(inputs: readonly Tensor[], attrs: LayerNormAttrs): void {
  checkLayerNorm(inputs, attrs, false);
}

/**
 * The rule of `layer_norm_grad` (its spec's `check`, run by `runKernel` on every backend):
 * f32 inputs [dy (x's shape), x `[..., d]` with d ≥ 1, gamma of d entries, mean and rstd of
 * one entry per row of x] and a finite ε > 0. Reads no tensor data.
 *
 * @example
 * ```ts
 * checkLayerNormGradInputs([dy, x, gamma, mean, rstd], { epsilon: 1e-5 }); // throws `layer_norm_grad: …` if dy is not x's shape
 * ```
 */
export function checkLayerNormGradInputs(inputs: readonly Tensor[], attrs: LayerNormAttrs): void {
  checkLayerNorm(inputs, attrs, true);
}

/** The rule of `layer_norm` (`grad` false) or `layer_norm_grad` (`grad` true), with its kernel's messages. */
function checkLayerNorm(inputs: readonly Tensor[], attrs: LayerNormAttrs, grad: boolean): void {
  const K = grad ? 'layer_norm_grad' : 'layer_norm';
  const names = grad ? GRAD_NAMES : FORWARD_NAMES;
  if (inputs.length !== names.length) throw new Error(`${K}: expected ${names.length} inputs (${names.join(', ')}), got ${inputs.length}`);
  for (let i = 0; i < inputs.length; i++) {
    if (inputs[i].dtype !== 'f32') throw new Error(`${K}: ${names[i]} must be f32, got ${inputs[i].dtype}`);
  }
  const eps = attrs.epsilon;
  if (!(typeof eps === 'number' && Number.isFinite(eps) && eps > 0)) throw new Error(`${K}: epsilon must be a finite number > 0, got ${eps}`);
  const x = grad ? inputs[1] : inputs[0];
  if (x.rank < 1) throw new Error(`${K}: x must have at least one axis (the normalised one), got a scalar`);
  const dim = x.shape[x.rank - 1];
  if (dim === 0) throw new Error(`${K}: the last axis of x ${formatShape(x.shape)} (the normalised one) is empty: a row of no values has no mean`);
  // gamma (and beta) follow x: inputs 1, 2 forward, input 2 backward.
  for (let i = grad ? 2 : 1; i <= 2; i++) {
    const t = inputs[i];
    if (t.size !== dim) throw new Error(`${K}: ${names[i]} ${formatShape(t.shape)} needs ${dim} entries for x ${formatShape(x.shape)}`);
  }
  if (grad) {
    const dy = inputs[0];
    if (!shapesEqual(dy.shape, x.shape)) throw new Error(`${K}: dy ${formatShape(dy.shape)} must have x's shape ${formatShape(x.shape)}`);
    const rows = x.size / dim;
    for (let i = 3; i <= 4; i++) {
      const t = inputs[i];
      if (t.size !== rows) throw new Error(`${K}: ${names[i]} ${formatShape(t.shape)} needs one entry per row of x ${formatShape(x.shape)} (${rows})`);
    }
  }
}

/**
 * The sizes of a `layer_norm` call (`grad` false) or a `layer_norm_grad` call (`grad` true)
 * whose inputs passed its rule: rows (the product of x's leading axes) and d (its last axis).
 *
 * @example
 * ```ts
 * const { rows, dim } = layerNormSizes([x, gamma, beta], false);
 * ```
 */
export function layerNormSizes(inputs: readonly Tensor[], grad: boolean): LayerNormSizes {
  const x = grad ? inputs[1] : inputs[0];
  const dim = x.shape[x.rank - 1];
  return { rows: x.size / dim, dim };
}

/** The shape of mean and rstd: one entry per row of x. */
export function layerNormStatsShape(x: Shape): Shape {
  return x.slice(0, -1);
}

registerKernel<LayerNormAttrs>('layer_norm', 'js', ({ inputs, attrs, backend }) => {
  const { rows, dim: d } = layerNormSizes(inputs, false);
  const [xt, gt, bt] = inputs;
  const x = hostF32(xt);
  const gamma = hostF32(gt);
  const beta = hostF32(bt);
  const y = allocArray('f32', rows * d);
  const mean = allocArray('f32', rows);
  const rstd = allocArray('f32', rows);
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    let s = 0;
    for (let i = 0; i < d; i++) s += x[o + i];
    const mu = s / d;
    let ss = 0;
    for (let i = 0; i < d; i++) ss += (x[o + i] - mu) ** 2;
    const rs = 1 / Math.sqrt(ss / d + attrs.epsilon);
    for (let i = 0; i < d; i++) y[o + i] = (x[o + i] - mu) * rs * gamma[i] + beta[i];
    mean[r] = mu;
    rstd[r] = rs;
  }
  const stats = layerNormStatsShape(xt.shape);
  return [hostOutput(backend, xt.shape, 'f32', y), hostOutput(backend, stats, 'f32', mean), hostOutput(backend, stats, 'f32', rstd)];
});

registerKernel<LayerNormAttrs>('layer_norm_grad', 'js', ({ inputs, backend }) => {
  const { rows, dim: d } = layerNormSizes(inputs, true);
  const [dyt, xt, gt, mt, rt] = inputs;
  const dy = hostF32(dyt);
  const x = hostF32(xt);
  const gamma = hostF32(gt);
  const mean = hostF32(mt);
  const rstd = hostF32(rt);
  const dx = allocArray('f32', rows * d);
  const dGamma = new Float64Array(d);
  const dBeta = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    const mu = mean[r];
    const rs = rstd[r];
    let sg = 0;
    let sgx = 0;
    for (let i = 0; i < d; i++) {
      const g = dy[o + i] * gamma[i];
      sg += g;
      sgx += g * ((x[o + i] - mu) * rs);
    }
    const a = sg / d;
    const b = sgx / d;
    for (let i = 0; i < d; i++) {
      const xh = (x[o + i] - mu) * rs;
      dx[o + i] = rs * ((dy[o + i] * gamma[i] - a) - xh * b);
      dGamma[i] += dy[o + i] * xh;
      dBeta[i] += dy[o + i];
    }
  }
  return [
    hostOutput(backend, xt.shape, 'f32', dx),
    hostOutput(backend, gt.shape, 'f32', Float32Array.from(dGamma)),
    hostOutput(backend, gt.shape, 'f32', Float32Array.from(dBeta)),
  ];
});
