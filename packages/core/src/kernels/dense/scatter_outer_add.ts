/**
 * `scatter_outer_add`: outer products summed into the matrix each row's index names. For
 * a f32 `[n, R]`, b f32 `[n, C]`, index i32 `[n]` (each in [0, N)) and the attribute
 * `matrices` = N:
 *
 *   out[k, i, c] = Σ_{r : index[r] = k} a[r, i] · b[r, c]          out f32 `[N, R, C]`
 *
 * (zero where no row names k). It is `gather_matvec`'s adjoint for the table: with
 * y = W[index] · x, dW = scatter_outer_add(dy, x, index); with y = W[index]ᵀ · x,
 * dW = scatter_outer_add(x, dy, index). It never builds the `[n, R, C]` products.
 *
 * Numerics: the reference sums each element in f64 over r in increasing order and rounds
 * once; the fast versions accumulate in f32 over r in increasing order too, so a result
 * does not depend on the thread count (native splits the matrices over threads, each
 * summing its own rows in order; no atomics).
 *
 * @see `gather_matvec`; Yu et al., ACM MM 2020, §3.2 eq. 1–2.
 */
import { hostData, hostF32, hostOutput } from '../../backends/js/backend.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import type { Tensor } from '../../tensor/tensor.js';

/** Attributes of `scatter_outer_add`. */
export interface ScatterOuterAddAttrs {
  /** N: matrices in the output (indices must be below it). */
  matrices: number;
}

/**
 * The declaration of `scatter_outer_add` (family `dense`).
 * @example
 * ```ts
 * console.log(scatterOuterAddSpec.summary);
 * ```
 */
export const scatterOuterAddSpec = declareKernel({
  id: 'scatter_outer_add',
  family: 'dense',
  summary: 'out[k] = Σ_{r: index[r] = k} a[r] ⊗ b[r]: gather_matvec\'s gradient for its table',
  check: checkScatterOuterAddInputs,
});

/**
 * The rule of `scatter_outer_add` (its spec's `check`, run by `runKernel` on every backend):
 * inputs [a f32 `[n, R]`, b f32 `[n, C]`, index i32 `[n]`] and `matrices` a positive integer.
 * Reads no tensor data: each backend checks the indices where it reads them.
 * @example
 * ```ts
 * checkScatterOuterAddInputs([a, b, index], { matrices: 8 }); // throws `scatter_outer_add: …` if the rows differ
 * ```
 */
export function checkScatterOuterAddInputs(inputs: readonly Tensor[], attrs: ScatterOuterAddAttrs): void {
  const K = 'scatter_outer_add';
  if (inputs.length !== 3) throw new Error(`${K}: expected inputs [a, b, index], got ${inputs.length}`);
  const [a, b, index] = inputs;
  if (a.dtype !== 'f32' || b.dtype !== 'f32') throw new Error(`${K}: a and b must be f32, got ${a.dtype} and ${b.dtype}`);
  if (index.dtype !== 'i32' || index.shape.length !== 1) throw new Error(`${K}: index must be i32 [n], got ${index.dtype} [${index.shape.join(', ')}]`);
  const n = index.shape[0];
  if (a.shape.length !== 2 || b.shape.length !== 2 || a.shape[0] !== n || b.shape[0] !== n) {
    throw new Error(`${K}: a and b must be [${n}, R] and [${n}, C] (one row per index), got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
  }
  if (!(Number.isInteger(attrs.matrices) && attrs.matrices >= 1)) throw new Error(`${K}: matrices must be a positive integer, got ${attrs.matrices}`);
}

registerKernel<ScatterOuterAddAttrs>('scatter_outer_add', 'js', ({ inputs, attrs, backend }) => {
  const n = inputs[2].shape[0];
  const rows = inputs[0].shape[1];
  const cols = inputs[1].shape[1];
  const a = hostF32(inputs[0]);
  const b = hostF32(inputs[1]);
  const index = hostData(inputs[2]);
  const N = attrs.matrices;
  const acc = new Float64Array(N * rows * cols);
  for (let r = 0; r < n; r++) {
    const k = index[r];
    if (!(k >= 0 && k < N)) throw new Error(`scatter_outer_add: index ${k} at row ${r} is out of range for ${N} matrices`);
    const base = k * rows * cols;
    for (let i = 0; i < rows; i++) {
      const ai = a[r * rows + i];
      for (let c = 0; c < cols; c++) acc[base + i * cols + c] += ai * b[r * cols + c];
    }
  }
  return hostOutput(backend, [N, rows, cols], 'f32', Float32Array.from(acc));
});
