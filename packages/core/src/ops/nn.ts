import { layerNormGrad } from '../autograd/grads/layer_norm.js';
import { isGradEnabled, recordOp } from '../autograd/tape.js';
import type { DropoutMaskAttrs } from '../kernels/random/dropout_mask.js';
import type { LayerNormAttrs } from '../kernels/norm/layer_norm.js';
import { runKernel } from '../tensor/engine.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, mul } from './elementwise.js';
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
  const y = matmul(x, weight);
  return bias ? add(y, bias) : y;
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
