/**
 * The cases of the `layer_norm` and `layer_norm_grad` parity suites (one kernel family, one set
 * of inputs), and the check they share. Shapes: SASRec's [B, T, d] = [128, 50, 64] (6,400 rows:
 * native splits them over threads, and its dγ/dβ sums span 50 blocks of rows), d = 1 (y = β),
 * long rows (d = 4,096), odd widths that leave vector tails (33, 65, 130), many short rows
 * (20,000 × 8), a rank-1 x, an empty batch, γ and β shaped [1, d]; values: a mean of 1,000 with a
 * spread of 0.01 (the mean's rounding must not swamp the spread), constant rows (σ² = 0, so
 * r = 1/√ε), and ε from 10⁻¹² to 1.
 *
 * The check scales the tolerance by the size of what each output is made of, not by the output
 * itself, since every output is a difference or a sum of terms of both signs:
 *   y:    |x̂·γ| + |β|;  mean: max |x| of the row;  rstd: rstd;
 *   dx:   r·(|g| + mean|g| + |x̂|·mean|g·x̂|);  dγ: Σ_rows |dy·x̂|;  dβ: Σ_rows |dy|.
 */
import { type Backend, runKernel, tensor, type Tensor } from '@rec/core';
import { uniformF32 } from './fixtures.js';

export interface LayerNormCase {
  name: string;
  shape: number[];
  /** γ and β's shape (default [d]). */
  paramShape?: number[];
  epsilon: number;
  x: Float32Array;
  gamma: Float32Array;
  beta: Float32Array;
  dy: Float32Array;
}

const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

function make(name: string, shape: number[], epsilon: number, seed: number, x?: Float32Array, paramShape?: number[]): LayerNormCase {
  const n = size(shape);
  const d = shape[shape.length - 1];
  return {
    name, shape, paramShape, epsilon,
    x: x ?? uniformF32(seed, n, -3, 3),
    gamma: uniformF32(seed + 1, d, 0.5, 1.5),
    beta: uniformF32(seed + 2, d, -0.5, 0.5),
    dy: uniformF32(seed + 3, n, -1, 1),
  };
}

export function layerNormCases(): LayerNormCase[] {
  const offset = uniformF32(95, 16 * 64, 1000 - 0.01, 1000 + 0.01);
  const constant = new Float32Array(4 * 24);
  for (let r = 0; r < 4; r++) constant.fill(r - 1.5, r * 24, (r + 1) * 24);
  return [
    make('SASRec [128, 50, 64], ε 1e-5', [128, 50, 64], 1e-5, 81),
    make('d = 1 (y = β)', [5, 1], 1e-5, 82),
    make('long rows [3, 4096]', [3, 4096], 1e-5, 83),
    make('odd widths [7, 33]', [7, 33], 1e-5, 84),
    make('odd widths [9, 65]', [9, 65], 1e-5, 85),
    make('odd widths [2, 3, 130], γ and β [1, 130]', [2, 3, 130], 1e-5, 86, undefined, [1, 130]),
    make('many short rows [20000, 8]', [20_000, 8], 1e-5, 87),
    make('a rank-1 x [33]', [33], 1e-5, 88),
    make('an empty batch [0, 8]', [0, 8], 1e-5, 89),
    make('mean 1,000, spread 0.01 [16, 64]', [16, 64], 1e-5, 90, offset),
    make('ε 1e-12 on the same rows', [16, 64], 1e-12, 91, offset),
    make('constant rows (σ² = 0), ε 1e-5', [4, 24], 1e-5, 92, constant),
    make('ε 1 [6, 48]', [6, 48], 1, 93, uniformF32(94, 6 * 48, -0.1, 0.1)),
  ];
}

function inputs(c: LayerNormCase, backend: Backend | string, data: Float32Array[], shapes: number[][]): Tensor[] {
  return data.map((v, i) => tensor(v, shapes[i], { backend }));
}

/** `layer_norm` on `backend`: [y, mean, rstd]. */
export async function runLayerNorm(c: LayerNormCase, backend: Backend | string): Promise<Float32Array[]> {
  const p = c.paramShape ?? [c.shape[c.shape.length - 1]];
  const out = runKernel('layer_norm', inputs(c, backend, [c.x, c.gamma, c.beta], [c.shape, p, p]), { epsilon: c.epsilon });
  return Promise.all(out.map(async (t) => (await t.read()) as Float32Array));
}

/** `layer_norm_grad` on `backend` from the reference forward's mean and rstd: [dx, dgamma, dbeta]. */
export async function runLayerNormGrad(c: LayerNormCase, backend: Backend | string, mean: Float32Array, rstd: Float32Array): Promise<Float32Array[]> {
  const p = c.paramShape ?? [c.shape[c.shape.length - 1]];
  const rows = c.shape.slice(0, -1);
  const data = [c.dy, c.x, c.gamma, mean, rstd];
  const out = runKernel('layer_norm_grad', inputs(c, backend, data, [c.shape, c.shape, p, rows, rows]), { epsilon: c.epsilon });
  return Promise.all(out.map(async (t) => (await t.read()) as Float32Array));
}

/** The scale of each forward output ([y, mean, rstd]), from the inputs and the reference's outputs. */
export function forwardScales(c: LayerNormCase, mean: Float32Array, rstd: Float32Array): Float64Array[] {
  const d = c.shape[c.shape.length - 1];
  const rows = mean.length;
  const y = new Float64Array(rows * d);
  const m = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < d; i++) {
      const k = r * d + i;
      y[k] = Math.abs((c.x[k] - mean[r]) * rstd[r] * c.gamma[i]) + Math.abs(c.beta[i]);
      m[r] = Math.max(m[r], Math.abs(c.x[k]));
    }
  }
  return [y, m, Float64Array.from(rstd, Math.abs)];
}

/** The scale of each backward output ([dx, dgamma, dbeta]). */
export function backwardScales(c: LayerNormCase, mean: Float32Array, rstd: Float32Array): Float64Array[] {
  const d = c.shape[c.shape.length - 1];
  const rows = mean.length;
  const dx = new Float64Array(rows * d);
  const dGamma = new Float64Array(d);
  const dBeta = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    let sg = 0;
    let sgx = 0;
    for (let i = 0; i < d; i++) {
      const k = r * d + i;
      const xh = (c.x[k] - mean[r]) * rstd[r];
      sg += Math.abs(c.dy[k] * c.gamma[i]);
      sgx += Math.abs(c.dy[k] * c.gamma[i] * xh);
      dGamma[i] += Math.abs(c.dy[k] * xh);
      dBeta[i] += Math.abs(c.dy[k]);
    }
    for (let i = 0; i < d; i++) {
      const k = r * d + i;
      const xh = (c.x[k] - mean[r]) * rstd[r];
      dx[k] = Math.abs(rstd[r]) * (Math.abs(c.dy[k] * c.gamma[i]) + sg / d + Math.abs(xh) * (sgx / d));
    }
  }
  return [dx, dGamma, dBeta];
}

/**
 * Throws unless |got[i] − ref[i]| ≤ rtol·scale[i] for every i (NaN against NaN counts as equal),
 * naming the first few mismatches and the largest error in units of the scale.
 */
export function assertScaled(got: ArrayLike<number>, ref: ArrayLike<number>, scale: ArrayLike<number>, rtol: number, label: string): void {
  if (got.length !== ref.length) throw new Error(`${label}: ${got.length} values, expected ${ref.length}`);
  const shown: string[] = [];
  let bad = 0;
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const a = got[i];
    const r = ref[i];
    if (a === r || (a !== a && r !== r)) continue;
    const err = Math.abs(a - r) / scale[i];
    worst = Math.max(worst, err);
    if (!(err <= rtol)) {
      bad++;
      if (shown.length < 5) shown.push(`[${i}] ${a} vs ${r} (|diff| ${Math.abs(a - r).toExponential(2)}, scale ${scale[i].toExponential(2)})`);
    }
  }
  if (bad > 0) throw new Error(`${label}: ${bad} of ${ref.length} values differ by more than ${rtol}·scale (worst ${worst.toExponential(2)}·scale); first ${shown.length}:\n  ${shown.join('\n  ')}`);
}
