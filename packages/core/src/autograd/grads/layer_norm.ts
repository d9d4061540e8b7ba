import type { LayerNormAttrs } from '../../kernels/norm/layer_norm.js';
import { runKernel } from '../../tensor/engine.js';
import type { Tensor } from '../../tensor/tensor.js';

/**
 * dL/dx, dL/dγ and dL/dβ of `layerNorm` from dL/dy: one `layer_norm_grad` kernel over x and the
 * row statistics (μ, 1/√(σ² + ε)) its forward saved, so nothing of the forward is recomputed.
 *
 *   dx = r·(g − mean(g) − x̂·mean(g·x̂)),  g = dy·γ,  x̂ = (x − μ)·r;   dγ = Σ_rows dy·x̂;   dβ = Σ_rows dy
 */
export function layerNormGrad(dy: Tensor, x: Tensor, gamma: Tensor, mean: Tensor, rstd: Tensor, attrs: LayerNormAttrs): [Tensor, Tensor, Tensor] {
  const [dx, dGamma, dBeta] = runKernel('layer_norm_grad', [dy, x, gamma, mean, rstd], attrs);
  return [dx, dGamma, dBeta];
}
