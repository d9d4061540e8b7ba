/**
 * f32 arithmetic that native kernels reproduce bit for bit while running as
 * vectors — the js twin of kernels/cpu/common/exact_f32.h (`bpr_step`):
 *
 * - {@link dotDiff8}: dot products in a fixed eight-lane order. Lane k
 *   (0 ≤ k < 8) sums the terms of the columns c ≡ k (mod 8) from 0, in column
 *   order, each term and each sum rounded to f32; the result is
 *   ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)). The eight lanes are part
 *   of the contract, not a host's vector width.
 * - {@link logisticParts}: σ(−x) and softplus(−x) from one z = e^−|x| computed
 *   by {@link expNonpositive}, Cephes' expf as a fixed sequence of f32
 *   operations (kernels/cpu/common/fast_exp.h's `exp_nonpositive`), and
 *   {@link log1pUnit}, a polynomial for ln(1 + z).
 *
 * Every f32 operation is an f64 operation rounded with `Math.fround`, which is
 * exact for +, −, × and ÷ of f32 values (f64 carries more than twice f32's digits).
 */

const fround = Math.fround;

/** Scratch for the lane sums (one module-level array: the references are synchronous). */
const lanes = new Float32Array(8);

/** The fixed fold of the eight lane sums: ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)), each add rounded. */
function foldLanes(): number {
  return fround(fround(fround(lanes[0] + lanes[4]) + fround(lanes[2] + lanes[6])) + fround(fround(lanes[1] + lanes[5]) + fround(lanes[3] + lanes[7])));
}

/**
 * Σ_c a[ao + c]·(b[bo + c] − e[eo + c]) over c < d in the eight-lane order.
 *
 * @example
 * ```ts
 * const x = dotDiff8(P, u * d, Q, i * d, Q, j * d, d); // ⟨p_u, q_i − q_j⟩
 * ```
 */
export function dotDiff8(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, e: ArrayLike<number>, eo: number, d: number): number {
  lanes.fill(0);
  // A Float32Array store rounds to f32: lanes[k] = fround(lanes[k] + fround(a·fround(b − e))).
  for (let c = 0; c < d; c++) lanes[c & 7] += fround(a[ao + c] * fround(b[bo + c] - e[eo + c]));
  return foldLanes();
}

/**
 * Σ_c a[ao + c]·b[bo + c] over c < d in the eight-lane order.
 *
 * @example
 * ```ts
 * const s = dot8(context, 0, W, row * d, d);
 * ```
 */
export function dot8(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, d: number): number {
  lanes.fill(0);
  for (let c = 0; c < d; c++) lanes[c & 7] += fround(a[ao + c] * b[bo + c]);
  return foldLanes();
}

/** An extra (category) table and its CSR map from output rows to its rows. */
export interface ExtraRows {
  readonly X: Float32Array;
  readonly indptr: ArrayLike<number>;
  readonly indices: ArrayLike<number>;
}

/**
 * MRLR's multi-level vector t = w + m·Σ_{l∈C} x_l (Sun et al. §3.4 Eq. 7) of output row
 * `row` into t, with C its extra rows and m = fround(β/|C|): Σ per column from 0 in list
 * order, then ·m, then + w; t = w and m = 0 when C is empty. Returns m (native's `extra_vector`).
 *
 * @example
 * ```ts
 * const m = extraVector(t, Q, item * d, { X, indptr, indices }, item, 0.3, d);
 * ```
 */
export function extraVector(t: Float32Array, W: Float32Array, wo: number, extra: ExtraRows, row: number, beta: number, d: number): number {
  const lo = extra.indptr[row];
  const hi = extra.indptr[row + 1];
  if (hi === lo) {
    for (let c = 0; c < d; c++) t[c] = W[wo + c];
    return 0;
  }
  const m = fround(beta / (hi - lo));
  t.fill(0);
  for (let k = lo; k < hi; k++) {
    const xo = extra.indices[k] * d;
    for (let c = 0; c < d; c++) t[c] += extra.X[xo + c];
  }
  for (let c = 0; c < d; c++) t[c] = W[wo + c] + fround(m * t[c]);
  return m;
}

/**
 * x_l ← decay·x_l + s·p for output row `row`'s extra rows, in list order (s carries the sign;
 * native's `extra_updates`).
 *
 * @example
 * ```ts
 * extraUpdates({ X, indptr, indices }, item, pOld, fround(s * m), decay, d);
 * ```
 */
export function extraUpdates(extra: ExtraRows, row: number, p: Float32Array, s: number, decay: number, d: number): void {
  const { X, indptr, indices } = extra;
  for (let k = indptr[row]; k < indptr[row + 1]; k++) {
    const xo = indices[k] * d;
    for (let c = 0; c < d; c++) X[xo + c] = fround(decay * X[xo + c]) + fround(s * p[c]);
  }
}

const CLAMP = fround(-87.33654);
const LOG2E = fround(1.44269504088896341);
const ROUNDER = 12582912; // 1.5·2²³: adding and subtracting it rounds to an integer
const LN2_HI = 0.693359375;
const LN2_LO = fround(-2.12194440e-4);
const POLY = [1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1].map(fround);
const POLY0 = fround(1.9875691500e-4);

/**
 * eˣ for an f32 x ≤ 0 by Cephes' expf in f32, operation for operation as native's
 * `exp_nonpositive` (error ≤ 2 ulp; 0 below −87.33654).
 *
 * @example
 * ```ts
 * const z = expNonpositive(-Math.abs(x));
 * ```
 */
export function expNonpositive(x: number): number {
  const underflow = x < CLAMP;
  const xc = underflow ? CLAMP : x;
  const n = fround(fround(fround(xc * LOG2E) + ROUNDER) - ROUNDER);
  let r = fround(xc - fround(n * LN2_HI));
  r = fround(fround(r - fround(n * LN2_LO)) + 0);
  const r2 = fround(r * r);
  let p = POLY0;
  for (const c of POLY) p = fround(fround(p * r) + c);
  const er = fround(fround(fround(p * r2) + r) + 1);
  // 2ⁿ is exact (n in [−126, 0]); the product is rounded once, as the f32 multiply rounds it.
  return fround(fround(er * 2 ** n) * (underflow ? 0 : 1));
}

const ODD = [1 / 11, 1 / 9, 1 / 7, 1 / 5, 1 / 3, 1].map(fround);
const ODD0 = fround(1 / 13);

/**
 * ln(1 + ε) for ε in [0, 1] in f32, operation for operation as native's `log1p_unit`:
 * 2·atanh(u) with u = ε / (2 + ε), odd series to u¹³ (truncation < 3·10⁻⁸ absolute).
 *
 * @example
 * ```ts
 * const l = log1pUnit(0.25); // ≈ Math.log1p(0.25)
 * ```
 */
export function log1pUnit(eps: number): number {
  const u = fround(eps / fround(2 + eps));
  const u2 = fround(u * u);
  let p = ODD0;
  for (const c of ODD) p = fround(fround(p * u2) + c);
  return fround(fround(2 * u) * p);
}

/**
 * σ(−x) = 1/(1 + eˣ) in f32 and the loss term softplus(−x) = −ln σ(x) in f64, from
 * z = e^−|x|: σ(−x) = z/(1 + z) for x ≥ 0, 1/(1 + z) below; softplus(−x) = max(−x, 0) +
 * {@link log1pUnit}(z), the two f32 parts added in f64.
 *
 * @example
 * ```ts
 * const { sigmaNeg, softplusNeg } = logisticParts(x);
 * ```
 */
export function logisticParts(x: number): { sigmaNeg: number; softplusNeg: number } {
  const z = expNonpositive(-Math.abs(x));
  const den = fround(1 + z);
  return { sigmaNeg: x >= 0 ? fround(z / den) : fround(1 / den), softplusNeg: (x < 0 ? -x : 0) + log1pUnit(z) };
}
