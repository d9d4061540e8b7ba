/**
 * The real discrete Fourier transform along a short axis as products with constant
 * matrices: FMLP-Rec's filter layer (Zhou et al. 2022, §3.2, eq. 5–7) over windows of ≤ a
 * few dozen positions, where an n × n product is as cheap as an FFT and needs no new kernel.
 *
 *   rfft  (orthonormal): X_k = n^{−1/2} Σ_t x_t e^{−2πi·kt/n},   k = 0 … ⌊n/2⌋  (K = ⌊n/2⌋ + 1 bins)
 *         Re X = C x,  Im X = S x,  C[k,t] = cos(2πkt/n)/√n,  S[k,t] = −sin(2πkt/n)/√n
 *   filter: Y_k = W_k ⊙ X_k (complex, per bin and channel):
 *         Re Y = Re X ⊙ Re W − Im X ⊙ Im W,   Im Y = Re X ⊙ Im W + Im X ⊙ Re W
 *   irfft (orthonormal, length n): y_t = n^{−1/2} Σ_k a_k (Re Y_k cos(2πkt/n) − Im Y_k sin(2πkt/n))
 *         a_k = 1 for k = 0 and (n even) k = n/2, else 2 (bin k stands for k and n − k)
 *
 * The imaginary parts of the k = 0 and (n even) k = n/2 bins drop out of the inverse (their
 * sines are 0), as they do in a C2R inverse FFT (`torch.fft.irfft`), so the layer equals the
 * authors' `irfft(rfft(x, norm='ortho') · W, n, norm='ortho')`. Layouts: x `[B, n, d]`, W
 * `[K, d]`, f32, accumulated in f32 by `matmul`; the matrices are computed in f64 once.
 * Cost: 4 products of K × n by n × d per window, 4·B·K·n·d multiply-adds in all.
 */
import { add, keep, matmul, mul, sub, tensor, type Tensor } from '@rec/core';

/**
 * The constant matrices of the orthonormal real DFT of length n (f32, row-major).
 * @example
 * ```ts
 * const dft = realDftMatrices(4); // bins 3: forward [3, 4], inverse [4, 3]
 * ```
 */
export interface RealDftMatrices {
  /** n: the transformed axis's length. */
  readonly length: number;
  /** K = ⌊n/2⌋ + 1: the frequency bins. */
  readonly bins: number;
  /** C `[K, n]`: Re X = C x. */
  readonly forwardReal: Float32Array;
  /** S `[K, n]`: Im X = S x. */
  readonly forwardImag: Float32Array;
  /** `[n, K]`: y gets this times Re Y. */
  readonly inverseReal: Float32Array;
  /** `[n, K]`: y gets this times Im Y. */
  readonly inverseImag: Float32Array;
}

/**
 * The orthonormal rfft / irfft matrices of length `n` (see the file header).
 * @throws Error when `n` is not a positive integer.
 * @example
 * ```ts
 * const { forwardReal, bins } = realDftMatrices(10); // bins = 6
 * ```
 * @see Zhou et al. 2022, §3.2, eq. 5 and 7 (FFT and inverse FFT along the sequence).
 */
export function realDftMatrices(n: number): RealDftMatrices {
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`realDftMatrices: n must be a positive integer, got ${n}`);
  const K = Math.floor(n / 2) + 1;
  const scale = 1 / Math.sqrt(n);
  const forwardReal = new Float32Array(K * n);
  const forwardImag = new Float32Array(K * n);
  const inverseReal = new Float32Array(n * K);
  const inverseImag = new Float32Array(n * K);
  for (let k = 0; k < K; k++) {
    const weight = k === 0 || 2 * k === n ? 1 : 2;
    for (let t = 0; t < n; t++) {
      // kt mod n keeps the angle small, so cos and sin stay exact at the symmetric points.
      const angle = (2 * Math.PI * ((k * t) % n)) / n;
      const c = Math.cos(angle) * scale;
      const s = Math.sin(angle) * scale;
      forwardReal[k * n + t] = c;
      forwardImag[k * n + t] = -s;
      inverseReal[t * K + k] = weight * c;
      inverseImag[t * K + k] = -weight * s;
    }
  }
  return { length: n, bins: K, forwardReal, forwardImag, inverseReal, inverseImag };
}

/**
 * {@link RealDftMatrices} as tensors on the current backend, kept out of every `tidy`
 * scope: build once per model.
 * @example
 * ```ts
 * const dft = realDftTensors(10);
 * const y = spectralFilter(x, filterReal, filterImag, dft);
 * ```
 */
export interface RealDftTensors {
  readonly length: number;
  readonly bins: number;
  readonly forwardReal: Tensor;
  readonly forwardImag: Tensor;
  readonly inverseReal: Tensor;
  readonly inverseImag: Tensor;
}

/**
 * The tensors of {@link realDftMatrices}(n), kept (not freed by `tidy`).
 * @example
 * ```ts
 * const dft = realDftTensors(10); // forwardReal [6, 10], inverseReal [10, 6]
 * ```
 */
export function realDftTensors(n: number): RealDftTensors {
  const m = realDftMatrices(n);
  const K = m.bins;
  return {
    length: n,
    bins: K,
    forwardReal: keep(tensor(m.forwardReal, [K, n])),
    forwardImag: keep(tensor(m.forwardImag, [K, n])),
    inverseReal: keep(tensor(m.inverseReal, [n, K])),
    inverseImag: keep(tensor(m.inverseImag, [n, K])),
  };
}

/**
 * FMLP-Rec's learnable filter along axis 1: irfft(rfft(x) ⊙ W), x `[B, n, d]`, the filter
 * W = `real` + i·`imag`, each `[K, d]`; returns `[B, n, d]`. Differentiable in x and W
 * through `matmul` and the elementwise ops. A filter of ones (imaginary zeros) is the identity.
 * @throws Error when x's axis 1 is not the transform's length or W is not `[K, d]`.
 * @example
 * ```ts
 * const y = spectralFilter(x, block.filterReal, block.filterImag, dft); // [B, n, d]
 * ```
 * @see Zhou et al. 2022, §3.2, eq. 5–7.
 */
export function spectralFilter(x: Tensor, real: Tensor, imag: Tensor, dft: RealDftTensors): Tensor {
  const d = x.shape[2];
  if (x.rank !== 3 || x.shape[1] !== dft.length) throw new Error(`spectralFilter: x is [${x.shape.join(', ')}]; expected [B, ${dft.length}, d]`);
  for (const [what, w] of [['real', real], ['imag', imag]] as const) {
    if (w.rank !== 2 || w.shape[0] !== dft.bins || w.shape[1] !== d) throw new Error(`spectralFilter: the filter's ${what} part is [${w.shape.join(', ')}]; expected [${dft.bins}, ${d}]`);
  }
  const xr = matmul(dft.forwardReal, x); // [B, K, d]
  const xi = matmul(dft.forwardImag, x);
  const yr = sub(mul(xr, real), mul(xi, imag));
  const yi = add(mul(xr, imag), mul(xi, real));
  return add(matmul(dft.inverseReal, yr), matmul(dft.inverseImag, yi));
}
