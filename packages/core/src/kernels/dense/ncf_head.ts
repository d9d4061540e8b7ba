/**
 * `ncf_head`: the output layer of NCF's GMF and NeuMF units (He et al. 2017, eq. 9 and 11;
 * NMTR eq. 6 and 8) in one kernel,
 *
 *   logit_i = Σ_j p_ij·q_ij·h_j + Σ_k z_ik·h_{E+k}        (h over [p ⊙ q; z])
 *
 * for p, q f32 `[n, E]`, h f32 `[E + Z, 1]` (the unit's projection as it is stored) and, for
 * NeuMF, the tower's output z f32 `[n, Z]` (GMF: no z, Z = 0); output f32 `[n]`. The composite
 * it replaces is `matmul(concat([mul(p, q), z], 1), h)`: three kernels forward and six
 * backward, each with its own output.
 *
 * `ncf_head_grad`: from dlogit f32 `[n]` and the same inputs,
 *
 *   dp_ij = g_i·q_ij·h_j,  dq_ij = g_i·p_ij·h_j,  dz_ik = g_i·h_{E+k},
 *   dh_j = Σ_i g_i·p_ij·q_ij,  dh_{E+k} = Σ_i g_i·z_ik
 *
 * (outputs [dp, dq, dh] and, with z, dz; dh has h's shape).
 *
 * Numerics: the reference sums in f64 and rounds once; products of three factors are formed
 * left to right (g·q then ·h) in f64. Native sums in f32 per row and dh in f64 per fixed
 * block of rows (within 1e-5 relative plus 1e-6 per summed term).
 *
 * Threading: the reference is sequential; native splits rows over threads, and dh's row
 * blocks are a fixed grid, so no result depends on the thread count.
 */
import { hostF32, hostOutput } from '../../backends/js/backend.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import type { Tensor } from '../../tensor/tensor.js';
import { allocArray } from '../../tensor/dtype.js';

/**
 * The declaration of `ncf_head` (family `dense`).
 *
 * @example
 * ```ts
 * console.log(ncfHeadSpec.summary);
 * ```
 */
export const ncfHeadSpec = declareKernel({ id: 'ncf_head', family: 'dense', summary: 'logit = hᵀ[p ⊙ q; z] per row: NCF’s GMF / NeuMF output layer', check: checkNcfHeadInputs });

/**
 * The declaration of `ncf_head_grad` (family `dense`).
 *
 * @example
 * ```ts
 * console.log(ncfHeadGradSpec.summary);
 * ```
 */
export const ncfHeadGradSpec = declareKernel({ id: 'ncf_head_grad', family: 'dense', summary: 'dp, dq, dh (and dz) of ncf_head from dlogit', check: checkNcfHeadGradInputs });

/** The sizes of an `ncf_head` call: rows n, embedding E, tower width Z (0 without z), and whether z was given. */
export interface NcfHeadSizes {
  n: number;
  e: number;
  z: number;
  hasZ: boolean;
}

/** The input names of `ncf_head` and of `ncf_head_grad`, z last (it is optional). */
const FORWARD_NAMES = ['p', 'q', 'h', 'z'];
const GRAD_NAMES = ['dlogit', 'p', 'q', 'h', 'z'];

/**
 * The rule of `ncf_head` (its spec's `check`, run by `runKernel` on every backend): f32
 * inputs [p `[n, E]`, q `[n, E]`, h `[E + Z, 1]` or `[E + Z]`] and optionally z `[n, Z]`
 * (Z = 0 without it). Reads no tensor data.
 *
 * @example
 * ```ts
 * checkNcfHeadInputs([p, q, h, z]); // throws `ncf_head: …` if the shapes do not chain
 * ```
 */
export function checkNcfHeadInputs(inputs: readonly Tensor[]): void {
  checkNcfHeadShapes(inputs, false);
}

/**
 * The rule of `ncf_head_grad` (its spec's `check`, run by `runKernel` on every backend):
 * `ncf_head`'s inputs after dlogit f32 `[n]`. Reads no tensor data.
 *
 * @example
 * ```ts
 * checkNcfHeadGradInputs([dlogit, p, q, h]); // throws `ncf_head_grad: …` if dlogit is not [n]
 * ```
 */
export function checkNcfHeadGradInputs(inputs: readonly Tensor[]): void {
  checkNcfHeadShapes(inputs, true);
}

/** The rule of `ncf_head` (`grad` false: p, q, h[, z]) or `ncf_head_grad` (`grad` true: dlogit first), with its kernel's messages. */
function checkNcfHeadShapes(inputs: readonly Tensor[], grad: boolean): void {
  const K = grad ? 'ncf_head_grad' : 'ncf_head';
  const names = grad ? GRAD_NAMES : FORWARD_NAMES;
  if (inputs.length !== names.length && inputs.length !== names.length - 1) {
    throw new Error(`${K}: expected inputs [${names.slice(0, -1).join(', ')}] and optionally z, got ${inputs.length}`);
  }
  for (let i = 0; i < inputs.length; i++) {
    if (inputs[i].dtype !== 'f32') throw new Error(`${K}: ${names[i]} must be f32, got ${inputs[i].dtype}`);
  }
  const first = grad ? 1 : 0;
  const p = inputs[first];
  const q = inputs[first + 1];
  const h = inputs[first + 2];
  const z: Tensor | undefined = inputs[first + 3];
  if (p.rank !== 2 || q.rank !== 2 || p.shape[0] !== q.shape[0] || p.shape[1] !== q.shape[1]) {
    throw new Error(`${K}: p and q must be [n, E] alike, got [${p.shape.join(', ')}] and [${q.shape.join(', ')}]`);
  }
  const [n, e] = p.shape;
  if (z && (z.rank !== 2 || z.shape[0] !== n)) throw new Error(`${K}: z must be [${n}, Z] (one row per row of p), got [${z.shape.join(', ')}]`);
  const width = e + (z ? z.shape[1] : 0);
  if (h.size !== width || h.rank < 1 || h.rank > 2 || h.shape[0] !== width) {
    throw new Error(`${K}: h must have E + Z = ${width} entries ([${width}, 1] or [${width}]), got [${h.shape.join(', ')}]`);
  }
  if (grad) {
    const d = inputs[0];
    if (d.size !== n || d.rank !== 1) throw new Error(`${K}: dlogit must be [${n}], got [${d.shape.join(', ')}]`);
  }
}

/**
 * The sizes of an `ncf_head` call (`grad` false) or an `ncf_head_grad` call (`grad` true)
 * whose inputs passed its rule.
 *
 * @example
 * ```ts
 * const { n, e, z, hasZ } = ncfHeadSizes([p, q, h, zt], false);
 * ```
 */
export function ncfHeadSizes(inputs: readonly Tensor[], grad: boolean): NcfHeadSizes {
  const first = grad ? 1 : 0;
  const [n, e] = inputs[first].shape;
  const z: Tensor | undefined = inputs[first + 3];
  return { n, e, z: z ? z.shape[1] : 0, hasZ: z !== undefined };
}

registerKernel('ncf_head', 'js', ({ inputs, backend }) => {
  const { n, e, z: zw, hasZ } = ncfHeadSizes(inputs, false);
  const [p, q, h] = inputs.slice(0, 3).map(hostF32);
  const z = hasZ ? hostF32(inputs[3]) : undefined;
  const out = allocArray('f32', n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let j = 0; j < e; j++) acc += p[i * e + j] * q[i * e + j] * h[j];
    for (let k = 0; k < zw; k++) acc += z![i * zw + k] * h[e + k];
    out[i] = acc;
  }
  return hostOutput(backend, [n], 'f32', out);
});

registerKernel('ncf_head_grad', 'js', ({ inputs, backend }) => {
  const { n, e, z: zw, hasZ } = ncfHeadSizes(inputs, true);
  const [g, p, q, h] = inputs.slice(0, 4).map(hostF32);
  const z = hasZ ? hostF32(inputs[4]) : undefined;
  const dp = allocArray('f32', n * e);
  const dq = allocArray('f32', n * e);
  const dz = allocArray('f32', n * zw);
  const dh = new Float64Array(e + zw);
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    for (let j = 0; j < e; j++) {
      const pv = p[i * e + j];
      const qv = q[i * e + j];
      dp[i * e + j] = gi * qv * h[j];
      dq[i * e + j] = gi * pv * h[j];
      dh[j] += gi * pv * qv;
    }
    for (let k = 0; k < zw; k++) {
      dz[i * zw + k] = gi * h[e + k];
      dh[e + k] += gi * z![i * zw + k];
    }
  }
  const hShape = inputs[3].shape;
  const outs = [
    hostOutput(backend, [n, e], 'f32', dp),
    hostOutput(backend, [n, e], 'f32', dq),
    hostOutput(backend, hShape, 'f32', Float32Array.from(dh)),
  ];
  if (hasZ) outs.push(hostOutput(backend, [n, zw], 'f32', dz));
  return outs;
});
