import type { DropoutMaskAttrs } from '../kernels/random/dropout_mask.js';
import { runKernel } from '../tensor/engine.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, mul, rsqrt, square, sub } from './elementwise.js';
import { matmul } from './matmul.js';
import { mean } from './reduce.js';

/**
 * Layer normalisation over the last axis (Ba et al. 2016):
 * y = (x − μ) / √(σ² + ε) · γ + β, with μ and σ² the mean and (biased)
 * variance of each row. Composed from primitive ops, so its gradient comes
 * from theirs.
 */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, epsilon = 1e-5): Tensor {
  const d = x.shape[x.rank - 1];
  if (gamma.size !== d || beta.size !== d) {
    throw new Error(`layerNorm: gamma ${formatShape(gamma.shape)} and beta ${formatShape(beta.shape)} need ${d} entries for x ${formatShape(x.shape)}`);
  }
  const centered = sub(x, mean(x, -1, { keepDims: true }));
  const variance = mean(square(centered), -1, { keepDims: true });
  return add(mul(mul(centered, rsqrt(add(variance, epsilon))), gamma), beta);
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
