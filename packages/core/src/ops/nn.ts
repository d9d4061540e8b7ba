import { layerNormGrad } from '../autograd/grads/layer_norm.js';
import { isGradEnabled, recordOp } from '../autograd/tape.js';
import type { DenseActivation, DenseBiasActAttrs } from '../kernels/dense/dense_bias_act.js';
import type { DropoutMaskAttrs } from '../kernels/random/dropout_mask.js';
import type { LayerNormAttrs } from '../kernels/norm/layer_norm.js';
import { runKernel } from '../tensor/engine.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { mul } from './elementwise.js';
import { reshape } from './layout.js';
import { matmul } from './matmul.js';
import { expectDType } from './validate.js';

/**
 * Layer normalisation over the last axis (Ba et al. 2016, §3):
 * y = (x − μ) / √(σ² + ε) · γ + β, with μ and σ² the mean and (biased)
 * variance of each row. One fused `layer_norm` kernel (it also returns each
 * row's μ and 1/√(σ² + ε)), and one `layer_norm_grad` kernel for dx, dγ and
 * dβ, as PyTorch's `native_layer_norm`; the references are in
 * `kernels/norm/layer_norm.ts`.
 *
 * @param x f32 `[..., d]`, normalised along its last axis
 * @param gamma the gain γ, d entries (any shape: its gradient has the same)
 * @param beta the shift β, d entries
 * @param epsilon added to the variance, > 0 (default 1e-5, PyTorch's)
 *
 * @example
 * ```ts
 * const y = layerNorm(tensor([1, 2, 3, 4], [1, 4]), ones([4]), zeros([4])); // ≈ [−1.34, −0.45, 0.45, 1.34]
 * ```
 * @see Ba, Kiros & Hinton 2016, "Layer Normalization", §3.
 */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, epsilon = 1e-5): Tensor {
  expectDType(x, ['f32'], 'layerNorm', 'x');
  expectDType(gamma, ['f32'], 'layerNorm', 'gamma');
  expectDType(beta, ['f32'], 'layerNorm', 'beta');
  const d = x.shape[x.rank - 1];
  if (x.rank < 1 || gamma.size !== d || beta.size !== d) {
    throw new Error(`layerNorm: gamma ${formatShape(gamma.shape)} and beta ${formatShape(beta.shape)} need ${d} entries for x ${formatShape(x.shape)}`);
  }
  if (!(Number.isFinite(epsilon) && epsilon > 0)) throw new Error(`layerNorm: epsilon must be a finite number > 0, got ${epsilon}`);
  const attrs: LayerNormAttrs = { epsilon };
  const [y, mean, rstd] = runKernel('layer_norm', [x, gamma, beta], attrs);
  if (isGradEnabled() && (x.requiresGrad || gamma.requiresGrad || beta.requiresGrad)) {
    // The row statistics stay alive with the tape node (the enclosing tidy() frees them with the graph).
    recordOp('layerNorm', [x, gamma, beta], [y], attrs, ([dy]) => layerNormGrad(dy, x, gamma, mean, rstd, attrs));
  } else {
    mean.dispose();
    rstd.dispose();
  }
  return y;
}

/**
 * An affine map y = x·W + b over the last axis: x `[..., in]`, W `[in, out]`,
 * b `[out]` (optional).
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  const inDim = x.shape[x.rank - 1];
  if (weight.rank !== 2 || weight.shape[0] !== inDim) {
    throw new Error(`linear: weight ${formatShape(weight.shape)} does not map x ${formatShape(x.shape)} (expected [${inDim}, out])`);
  }
  if (bias) return dense(x, weight, bias, 'none');
  return matmul(x, weight);
}

/**
 * A dense layer, y = act(x·W + b) over the last axis, as one autograd op: one
 * `dense_bias_act` kernel forward and one `dense_bias_act_grad` kernel backward (dx, dW and
 * db from dy and the saved y), where the composite `relu(add(matmul(x, W), b))` takes three
 * kernels forward and five backward, each with its own output. The same function: ReLU's
 * derivative at 0 is 0 in both. References in `kernels/dense/dense_bias_act.ts`.
 *
 * @param x f32 `[..., k]` (leading axes are rows)
 * @param weight f32 `[k, n]`
 * @param bias f32 `[n]`
 * @param activation `none`, `relu` or `sigmoid`
 *
 * @example
 * ```ts
 * const h = dense(x, layer.weight, layer.bias, 'relu'); // relu(x·W + b)
 * ```
 * @see He et al. 2017, §3.3 (NCF's MLP layers).
 */
export function dense(x: Tensor, weight: Tensor, bias: Tensor, activation: DenseActivation): Tensor {
  expectDType(x, ['f32'], 'dense', 'x');
  const k = x.shape[x.rank - 1];
  if (x.rank < 1 || weight.rank !== 2 || weight.shape[0] !== k || bias.rank !== 1 || bias.shape[0] !== weight.shape[1]) {
    throw new Error(`dense: x ${formatShape(x.shape)}, weight ${formatShape(weight.shape)} and bias ${formatShape(bias.shape)} do not chain (expected [..., k], [k, n], [n])`);
  }
  const n = weight.shape[1];
  const flat = x.rank === 2 ? x : reshape(x, [x.shape.slice(0, -1).reduce((a, d) => a * d, 1), k]);
  const attrs: DenseBiasActAttrs = { activation };
  const [y] = runKernel('dense_bias_act', [flat, weight, bias], attrs);
  recordOp('dense', [flat, weight, bias], [y], attrs, ([dy]) => runKernel('dense_bias_act_grad', [dy, flat, weight, y], attrs));
  return x.rank === 2 ? y : reshape(y, [...x.shape.slice(0, -1), n]);
}

/**
 * The output layer of NCF's GMF and NeuMF units (He et al. 2017, eq. 9 and 11), one op:
 * logit_i = hᵀ[p_i ⊙ q_i; z_i] — `ncf_head` forward and `ncf_head_grad` backward, in place of
 * `matmul(concat([mul(p, q), z], 1), h)`. Without z it is GMF's hᵀ(p ⊙ q).
 *
 * @param p f32 `[n, E]` (user embeddings)
 * @param q f32 `[n, E]` (item embeddings)
 * @param h f32 `[E + Z, 1]` or `[E + Z]`, the projection over [p ⊙ q; z]
 * @param z f32 `[n, Z]`, NeuMF's tower output (omit for GMF)
 * @returns f32 `[n]`, one logit per row
 *
 * @example
 * ```ts
 * const logits = ncfHead(p, q, unit.h.weight, z); // NeuMF
 * ```
 * @see He et al. 2017, §3.2 (GMF) and §3.4 (NeuMF).
 */
export function ncfHead(p: Tensor, q: Tensor, h: Tensor, z?: Tensor): Tensor {
  const inputs = z ? [p, q, h, z] : [p, q, h];
  const [logits] = runKernel('ncf_head', inputs, {});
  recordOp('ncfHead', inputs, [logits], {}, ([dLogits]) => runKernel('ncf_head_grad', [dLogits, ...inputs], {}));
  return logits;
}

/** Where dropout's randomness comes from: a Philox (seed, stream) and the first counter to use. */
export interface DropoutRandomness {
  seed: number;
  stream?: number;
  /** First Philox counter; the mask uses `counter … counter + x.size − 1`. Advance it between calls. */
  counter: number;
}

/**
 * Inverted dropout (Srivastava et al. 2014): each element is zeroed with
 * probability p and the survivors scaled by 1/(1−p). Seeded by a counter-based
 * generator, so the same (seed, stream, counter) drops the same elements on
 * every backend. `p = 0` returns x.
 */
export function dropout(x: Tensor, p: number, randomness: DropoutRandomness): Tensor {
  if (!(p >= 0 && p < 1)) throw new Error(`dropout: p must be in [0, 1), got ${p}`);
  if (p === 0) return x;
  const attrs: DropoutMaskAttrs = { shape: [...x.shape], p, seed: randomness.seed, stream: randomness.stream ?? 0, counter: randomness.counter };
  const [mask] = runKernel('dropout_mask', [], attrs, x.backend);
  return mul(x, mask);
}
