import { isGradEnabled, recordOp } from '../autograd/tape.js';
import type { Backend } from '../tensor/backend.js';
import { kernelFor, runKernel } from '../tensor/engine.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * Mamba's selective scan (Gu & Dao 2023, Algorithm 2) in one fused kernel each way:
 * h_t = exp(Δ_t·A)·h_{t−1} + Δ_t·u_t·B_t from h = 0, y_t = C_t·h_t + D·u_t, per sequence and
 * channel (`kernels/scan/selective_scan.ts` has the equations, layouts and numerics). The
 * backward is one `selective_scan_grad` call, which recomputes the states.
 *
 * @param u f32 `[B, T, E]`, the input
 * @param delta f32 `[B, T, E]`, the step sizes Δ
 * @param A f32 `[E, N]`, the diagonal state matrix
 * @param B f32 `[B, T, N]`, each position's input matrix
 * @param C f32 `[B, T, N]`, each position's output matrix
 * @param D f32 `[E]`, the skip connection
 * @returns y f32 `[B, T, E]`; y_t depends on positions ≤ t only
 * @throws Error when a backend has no `selective_scan` (see {@link hasSelectiveScan}) or the shapes disagree.
 * @example
 * ```ts
 * const y = selectiveScan(u, softplus(dtRaw), neg(exp(aLog)), Bt, Ct, skip); // [B, T, E]
 * ```
 * @see Gu & Dao 2023, §2 (eq. 2a–2b, 4) and §3.2 (Algorithm 2).
 */
export function selectiveScan(u: Tensor, delta: Tensor, A: Tensor, B: Tensor, C: Tensor, D: Tensor): Tensor {
  const inputs = [u, delta, A, B, C, D];
  const [y] = runKernel('selective_scan', inputs, {});
  if (isGradEnabled()) recordOp('selectiveScan', inputs, [y!], {}, ([dy]) => runKernel('selective_scan_grad', [dy!, ...inputs], {}));
  return y!;
}

/**
 * True when `backend` runs `selective_scan` (its own version or its fallback's); a model
 * composes the scan from primitive ops where it does not (js, native and webgpu all have it).
 * @example
 * ```ts
 * const y = hasSelectiveScan(u.backend) ? selectiveScan(u, delta, A, B, C, D) : composedScan(u, delta, A, B, C, D);
 * ```
 */
export function hasSelectiveScan(backend: Backend): boolean {
  return kernelFor('selective_scan', backend) !== undefined && kernelFor('selective_scan_grad', backend) !== undefined;
}
