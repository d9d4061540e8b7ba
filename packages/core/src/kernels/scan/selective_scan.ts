/**
 * `selective_scan` and `selective_scan_grad`: the selective state-space scan of Mamba
 * (Gu & Dao 2023, Algorithm 2; §2 eq. 2a–2b with the zero-order-hold Ā = exp(ΔA) and the
 * simplified B̄ = ΔB of their code), fused over the positions — the kernel behind
 * `selectiveScan` (`ops/scan.ts`), which Mamba4Rec runs in every block. Composed of
 * primitive ops the scan is about ten kernel calls per position, forward and backward;
 * here it is one call each way.
 *
 *   forward, for each sequence b and channel e, from h = 0 (N state entries):
 *     h_t[n] = exp(Δ[b,t,e]·A[e,n])·h_{t−1}[n] + Δ[b,t,e]·u[b,t,e]·B[b,t,n]
 *     y[b,t,e] = Σ_n h_t[n]·C[b,t,n] + D[e]·u[b,t,e]
 *
 *   backward, from dy, running t downwards with g = dL/dh_t (the states and decays recomputed):
 *     g += dy_t·C_t;  dC_t += dy_t·h_t;  dD += dy_t·u_t;  du_t = dy_t·D + Σ_n g·Δ_t·B_t
 *     dΔ_t = Σ_n g·(A·a·h_{t−1} + u_t·B_t),  dA += g·a·Δ_t·h_{t−1},  dB_t += g·Δ_t·u_t
 *     then g ← g·a  (a = exp(Δ_t·A), the factor h_{t−1} is carried by)
 *
 * Layouts and dtypes (f32 throughout, row-major): `selective_scan` takes `[u [Bt, T, E],
 * delta [Bt, T, E], A [E, N], B [Bt, T, N], C [Bt, T, N], D [E]]` and returns `[y [Bt, T, E]]`;
 * `selective_scan_grad` takes `[dy, u, delta, A, B, C, D]` and returns `[du, ddelta, dA,
 * dB, dC, dD]`, each of its input's shape.
 *
 * Numerics: every (b, e) chain in f64 — the state, exp, each sum in position order —
 * each output rounded once to f32. The sums over channels (dB, dC) and over sequences
 * (dA, dD) run in a fixed order: channels in order within a sequence, then sequences in
 * order, so the result does not depend on a backend's thread count.
 *
 * Threading: the reference is sequential; native splits the sequences over threads.
 *
 * @see Gu & Dao 2023, "Mamba: Linear-Time Sequence Modeling with Selective State Spaces",
 *   §2 (eq. 2a–2b, 4) and §3.2 (Algorithm 2).
 */
import { hostF32, hostOutput } from '../../backends/js/backend.js';
import { allocArray } from '../../tensor/dtype.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { formatShape, shapesEqual } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';

/** The declaration of `selective_scan` (family `scan`). */
export const selectiveScanSpec = declareKernel({
  id: 'selective_scan',
  family: 'scan',
  summary: 'h_t = exp(Δ_t·A)·h_{t−1} + Δ_t·u_t·B_t, y_t = C_t·h_t + D·u_t (Mamba\'s selective scan)',
  check: checkSelectiveScanInputs,
});

/** The declaration of `selective_scan_grad` (family `scan`). */
export const selectiveScanGradSpec = declareKernel({
  id: 'selective_scan_grad',
  family: 'scan',
  summary: 'du, dΔ, dA, dB, dC, dD of the selective scan from dy (states recomputed)',
  check: checkSelectiveScanGradInputs,
});

/** The sizes of a selective scan: sequences, positions, channels, state entries. */
export interface SelectiveScanSizes {
  readonly batch: number;
  readonly T: number;
  readonly E: number;
  readonly N: number;
}

/** The operands of the scan, in input order (after dy for the gradient). */
const SCAN_NAMES = ['u', 'delta', 'A', 'B', 'C', 'D'];

/**
 * The rule of `selective_scan` (its spec's `check`, run by `runKernel` on every backend): f32
 * inputs [u `[B, T, E]`, delta `[B, T, E]`, A `[E, N]`, B `[B, T, N]`, C `[B, T, N]`, D `[E]`].
 * Reads no tensor data.
 * @example
 * ```ts
 * checkSelectiveScanInputs([u, delta, A, B, C, D]); // throws `selective_scan: …` naming the operand that disagrees
 * ```
 */
export function checkSelectiveScanInputs(inputs: readonly Tensor[]): void {
  checkSelectiveScanShapes('selective_scan', inputs, 0);
}

/**
 * The rule of `selective_scan_grad` (its spec's `check`, run by `runKernel` on every
 * backend): dy f32 of u's shape, then `selective_scan`'s inputs. Reads no tensor data.
 * @example
 * ```ts
 * checkSelectiveScanGradInputs([dy, u, delta, A, B, C, D]); // throws `selective_scan_grad: …` naming the operand that disagrees
 * ```
 */
export function checkSelectiveScanGradInputs(inputs: readonly Tensor[]): void {
  checkSelectiveScanShapes('selective_scan_grad', inputs, 1);
}

/**
 * Checks `[u, delta, A, B, C, D]` (after `dy` for the gradient: `offset` 1) by shapes and dtypes
 * and returns the sizes; `kernel` names the caller in the messages (the kernels' rules above,
 * or an op that checks before it composes the scan).
 * @throws Error naming the kernel and the operand whose shape or dtype disagrees.
 * @example
 * ```ts
 * const { batch, T, E, N } = checkSelectiveScanShapes('selective_scan', inputs, 0);
 * ```
 */
export function checkSelectiveScanShapes(kernel: string, inputs: readonly Tensor[], offset: number): SelectiveScanSizes {
  if (inputs.length !== offset + 6) throw new Error(`${kernel}: expected ${offset ? '[dy, u, delta, A, B, C, D]' : '[u, delta, A, B, C, D]'}, got ${inputs.length} inputs`);
  const u = inputs[offset]!;
  const A = inputs[offset + 2]!;
  if (u.rank !== 3 || A.rank !== 2) throw new Error(`${kernel}: u must be [B, T, E] and A [E, N], got ${formatShape(u.shape)} and ${formatShape(A.shape)}`);
  const [batch, T, E] = u.shape as [number, number, number];
  const N = A.shape[1]!;
  const want = [[batch, T, E], [batch, T, E], [E, N], [batch, T, N], [batch, T, N], [E]];
  for (let i = 0; i < 6; i++) {
    const t = inputs[offset + i]!;
    if (t.dtype !== 'f32') throw new Error(`${kernel}: ${SCAN_NAMES[i]} must be f32, got ${t.dtype}`);
    if (!shapesEqual(t.shape, want[i]!)) {
      throw new Error(`${kernel}: ${SCAN_NAMES[i]} must be ${formatShape(want[i]!)} for u ${formatShape(u.shape)} and A ${formatShape(A.shape)}, got ${formatShape(t.shape)}`);
    }
  }
  if (offset === 1) {
    const dy = inputs[0]!;
    if (dy.dtype !== 'f32' || !shapesEqual(dy.shape, u.shape)) throw new Error(`${kernel}: dy must be f32 ${formatShape(u.shape)}, got ${dy.dtype} ${formatShape(dy.shape)}`);
  }
  return { batch, T, E, N };
}

/**
 * The sizes of a `selective_scan` call (`offset` 0) or a `selective_scan_grad` call (`offset`
 * 1, after dy) whose inputs passed its rule.
 * @example
 * ```ts
 * const { batch, T, E, N } = selectiveScanSizes(inputs, 0);
 * ```
 */
export function selectiveScanSizes(inputs: readonly Tensor[], offset: number): SelectiveScanSizes {
  const [batch, T, E] = inputs[offset]!.shape as [number, number, number];
  return { batch, T, E, N: inputs[offset + 2]!.shape[1]! };
}

registerKernel<Record<string, never>>('selective_scan', 'js', ({ inputs, backend }) => {
  const { batch, T, E, N } = selectiveScanSizes(inputs, 0);
  const [u, delta, A, B, C, D] = inputs.map(hostF32);
  const y = allocArray('f32', batch * T * E);
  const h = new Float64Array(N);
  for (let b = 0; b < batch; b++) {
    for (let e = 0; e < E; e++) {
      h.fill(0);
      for (let t = 0; t < T; t++) {
        const at = (b * T + t) * E + e;
        const row = (b * T + t) * N;
        const dt = delta[at]!;
        const x = u[at]!;
        let out = 0;
        for (let n = 0; n < N; n++) {
          h[n] = Math.exp(dt * A[e * N + n]!) * h[n]! + dt * x * B[row + n]!;
          out += h[n]! * C[row + n]!;
        }
        y[at] = out + D[e]! * x;
      }
    }
  }
  return hostOutput(backend, [batch, T, E], 'f32', y);
});

registerKernel<Record<string, never>>('selective_scan_grad', 'js', ({ inputs, backend }) => {
  const { batch, T, E, N } = selectiveScanSizes(inputs, 1);
  const [dy, u, delta, A, B, C, D] = inputs.map(hostF32);
  const du = allocArray('f32', batch * T * E);
  const ddelta = allocArray('f32', batch * T * E);
  // Sums over channels and sequences in f64, in the fixed order of the file header.
  const dB = new Float64Array(batch * T * N);
  const dC = new Float64Array(batch * T * N);
  const dA = new Float64Array(E * N);
  const dD = new Float64Array(E);
  // One sequence's own sums of dA and dD, added to the totals in sequence order.
  const dAPart = new Float64Array(E * N);
  const dDPart = new Float64Array(E);
  const states = new Float64Array(T * N); // h_t of one (b, e) chain
  const decays = new Float64Array(T * N); // its exp(Δ_t·A[e]), kept for the backward pass
  const g = new Float64Array(N);
  for (let b = 0; b < batch; b++) {
    dAPart.fill(0);
    dDPart.fill(0);
    for (let e = 0; e < E; e++) {
      let prev = 0;
      for (let t = 0; t < T; t++) {
        const at = (b * T + t) * E + e;
        const row = (b * T + t) * N;
        for (let n = 0; n < N; n++) {
          const before = t === 0 ? 0 : states[prev + n]!;
          decays[t * N + n] = Math.exp(delta[at]! * A[e * N + n]!);
          states[t * N + n] = decays[t * N + n]! * before + delta[at]! * u[at]! * B[row + n]!;
        }
        prev = t * N;
      }
      g.fill(0);
      for (let t = T - 1; t >= 0; t--) {
        const at = (b * T + t) * E + e;
        const row = (b * T + t) * N;
        const dt = delta[at]!;
        const x = u[at]!;
        const gy = dy[at]!;
        dDPart[e] += gy * x;
        let dx = gy * D[e]!;
        let ddt = 0;
        for (let n = 0; n < N; n++) {
          dC[row + n] += gy * states[t * N + n]!;
          g[n] += gy * C[row + n]!;
          const a = decays[t * N + n]!;
          const before = t === 0 ? 0 : states[(t - 1) * N + n]!;
          ddt += g[n]! * (A[e * N + n]! * a * before + x * B[row + n]!);
          dAPart[e * N + n] += g[n]! * a * dt * before;
          dx += g[n]! * dt * B[row + n]!;
          dB[row + n] += g[n]! * dt * x;
          g[n] = g[n]! * a;
        }
        du[at] = dx;
        ddelta[at] = ddt;
      }
    }
    for (let k = 0; k < E * N; k++) dA[k] += dAPart[k]!;
    for (let e = 0; e < E; e++) dD[e] += dDPart[e]!;
  }
  const f32 = (x: Float64Array): Float32Array => {
    const out = allocArray('f32', x.length);
    out.set(x);
    return out;
  };
  return [
    hostOutput(backend, [batch, T, E], 'f32', du),
    hostOutput(backend, [batch, T, E], 'f32', ddelta),
    hostOutput(backend, [E, N], 'f32', f32(dA)),
    hostOutput(backend, [batch, T, N], 'f32', f32(dB)),
    hostOutput(backend, [batch, T, N], 'f32', f32(dC)),
    hostOutput(backend, [E], 'f32', f32(dD)),
  ];
});
