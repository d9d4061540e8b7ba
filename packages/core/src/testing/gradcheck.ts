import { backward } from '../autograd/backward.js';
import { noGrad, RowSparse, type Gradient } from '../autograd/tape.js';
import { tensor } from '../ops/create.js';
import { mul } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';

/** Options of {@link gradCheck}. */
export interface GradCheckOptions {
  /** Central-difference step (default 1e-2: f32 values make smaller steps noisier, not more exact). */
  epsilon?: number;
  /** Absolute tolerance (default 2e-3). */
  atol?: number;
  /** Relative tolerance (default 2e-2). */
  rtol?: number;
  /** Indices of the inputs to check (default: every f32 input). */
  wrt?: readonly number[];
}

/** One input's comparison of analytic and numerical gradients. */
export interface GradCheckResult {
  input: number;
  maxAbsError: number;
  /** The first mismatches, `index: analytic vs numeric`. */
  mismatches: string[];
}

/** A dense host copy of a gradient, whether dense or row-sparse. */
export function denseGradient(g: Gradient | null, size: number): Float64Array {
  const out = new Float64Array(size);
  if (!g) return out;
  if (g instanceof RowSparse) {
    const idx = g.indices.readSync();
    const vals = g.values.readSync();
    const w = vals.length / Math.max(idx.length, 1);
    for (let j = 0; j < idx.length; j++) for (let c = 0; c < w; c++) out[idx[j] * w + c] += vals[j * w + c];
    return out;
  }
  const v = g.readSync();
  for (let i = 0; i < size; i++) out[i] = v[i];
  return out;
}

/**
 * Compares the autograd gradient of `fn` with central finite differences.
 * A non-scalar output is reduced as Σ out ⊙ R for a fixed pseudo-random R, so
 * every output element is checked. Inputs must live on a host backend.
 *
 * @example
 * ```ts
 * const [r] = gradCheck((x) => tanh(x), [tensor([0.1, -0.5])]);
 * expect(r.mismatches).toEqual([]);
 * ```
 */
export function gradCheck(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], options: GradCheckOptions = {}): GradCheckResult[] {
  const eps = options.epsilon ?? 1e-2;
  const atol = options.atol ?? 2e-3;
  const rtol = options.rtol ?? 2e-2;
  const wrt = options.wrt ?? inputs.map((t, i) => (t.dtype === 'f32' ? i : -1)).filter((i) => i >= 0);
  let projection: Tensor | undefined;
  const objective = (): Tensor => {
    const out = fn(...inputs);
    if (out.size === 1) return sum(out);
    if (!projection) {
      const r = new Float32Array(out.size);
      for (let i = 0; i < r.length; i++) r[i] = Math.sin(i * 12.9898 + 1.234) * 0.5 + 0.75;
      projection = tensor(r, out.shape);
    }
    return sum(mul(out, projection));
  };

  for (const i of wrt) {
    inputs[i].requiresGrad = true;
    inputs[i].grad = null;
  }
  backward(objective());
  const results: GradCheckResult[] = [];
  for (const i of wrt) {
    const x = inputs[i];
    const analytic = denseGradient(x.grad, x.size);
    const values = x.readSync() as Float32Array;
    const mismatches: string[] = [];
    let maxAbsError = 0;
    for (let k = 0; k < values.length; k++) {
      const orig = values[k];
      values[k] = orig + eps;
      const up = noGrad(() => objective().item());
      values[k] = orig - eps;
      const down = noGrad(() => objective().item());
      values[k] = orig;
      const numeric = (up - down) / (2 * eps);
      const err = Math.abs(numeric - analytic[k]);
      maxAbsError = Math.max(maxAbsError, err);
      if (err > atol + rtol * Math.abs(numeric) && mismatches.length < 5) {
        mismatches.push(`${formatShape(x.shape)}[${k}]: analytic ${analytic[k].toPrecision(6)} vs numeric ${numeric.toPrecision(6)}`);
      }
    }
    results.push({ input: i, maxAbsError, mismatches });
    x.grad = null;
  }
  return results;
}
