/**
 * `matmul`: C[b] = op(A[b]) · op(B[b]) with op = identity or transpose, for
 * A `[..., m, k]` and B `[..., k, n]` (before the optional transposes). Batch
 * axes must match, or one side is 2-D and is shared by every batch. f32 in,
 * f64 accumulation in the reference.
 */
import { hostF32, hostOutput } from '../../backends/js/backend.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { allocArray } from '../../tensor/dtype.js';
import { formatShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';

/** Attributes of `matmul`. */
export interface MatmulAttrs {
  /** Use Aᵀ (A's last two axes swapped). */
  transposeA: boolean;
  /** Use Bᵀ (B's last two axes swapped). */
  transposeB: boolean;
}

/**
 * The declaration of `matmul` (family `dense`).
 *
 * @example
 * ```ts
 * console.log(matmulSpec.summary);
 * ```
 */
export const matmulSpec = declareKernel({ id: 'matmul', family: 'dense', summary: 'C = op(A)·op(B), batched, op ∈ {id, transpose}', check: checkMatmulInputs });

/**
 * The rule of `matmul` (its spec's `check`, run by `runKernel` on every backend): inputs
 * [A, B], both f32 of rank ≥ 2, op(A)'s columns equal to op(B)'s rows, the batch axes equal
 * or one operand 2-D, and boolean `transposeA` / `transposeB`. Reads no tensor data.
 *
 * @example
 * ```ts
 * checkMatmulInputs([a, b], { transposeA: false, transposeB: true }); // throws `matmul: …` if they do not multiply
 * ```
 */
export function checkMatmulInputs(inputs: readonly Tensor[], attrs: MatmulAttrs): void {
  const K = 'matmul';
  if (inputs.length !== 2) throw new Error(`${K}: expected 2 inputs [A, B], got ${inputs.length}`);
  const { transposeA, transposeB } = attrs;
  if (typeof transposeA !== 'boolean' || typeof transposeB !== 'boolean') {
    throw new Error(`${K}: transposeA and transposeB must be true or false, got ${String(transposeA)} and ${String(transposeB)}`);
  }
  const [a, b] = inputs;
  if (a.dtype !== 'f32') throw new Error(`${K}: A has dtype ${a.dtype} ${formatShape(a.shape)}; expected f32`);
  if (b.dtype !== 'f32') throw new Error(`${K}: B has dtype ${b.dtype} ${formatShape(b.shape)}; expected f32`);
  const ra = a.rank;
  const rb = b.rank;
  if (ra < 2 || rb < 2) throw new Error(`${K}: operands need rank ≥ 2, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  const ka = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  if (ka !== kb) {
    throw new Error(`${K}: inner dimensions differ: op(A) of ${formatShape(a.shape)} has ${ka} columns, op(B) of ${formatShape(b.shape)} has ${kb} rows`);
  }
  if (ra > 2 && rb > 2) {
    let same = ra === rb;
    for (let i = 0; same && i < ra - 2; i++) same = a.shape[i] === b.shape[i];
    if (!same) {
      throw new Error(`${K}: batch axes ${formatShape(a.shape.slice(0, -2))} and ${formatShape(b.shape.slice(0, -2))} differ; they must match or one operand must be 2-D`);
    }
  }
}

registerKernel<MatmulAttrs>('matmul', 'js', ({ inputs: [ta, tb], attrs, backend }) => {
  const ra = ta.shape.length;
  const rb = tb.shape.length;
  const m = attrs.transposeA ? ta.shape[ra - 1] : ta.shape[ra - 2];
  const k = attrs.transposeA ? ta.shape[ra - 2] : ta.shape[ra - 1];
  const n = attrs.transposeB ? tb.shape[rb - 2] : tb.shape[rb - 1];
  const batchShape = ra >= rb ? ta.shape.slice(0, -2) : tb.shape.slice(0, -2);
  const batch = batchShape.reduce((p, d) => p * d, 1);
  const a = hostF32(ta);
  const b = hostF32(tb);
  const out = allocArray('f32', batch * m * n);
  const aStep = ra > 2 ? m * k : 0;
  const bStep = rb > 2 ? k * n : 0;
  // Element (i, p) of op(A) and (p, j) of op(B), as offsets into the row-major arrays.
  const aRow = attrs.transposeA ? 1 : k;
  const aCol = attrs.transposeA ? m : 1;
  const bRow = attrs.transposeB ? 1 : n;
  const bCol = attrs.transposeB ? k : 1;
  const acc = new Float64Array(n);
  for (let bi = 0; bi < batch; bi++) {
    const ao = bi * aStep;
    const bo = bi * bStep;
    for (let i = 0; i < m; i++) {
      acc.fill(0);
      for (let p = 0; p < k; p++) {
        const av = a[ao + i * aRow + p * aCol];
        if (av === 0) continue;
        const brow = bo + p * bRow;
        for (let j = 0; j < n; j++) acc[j] += av * b[brow + j * bCol];
      }
      const oo = (bi * m + i) * n;
      for (let j = 0; j < n; j++) out[oo + j] = acc[j];
    }
  }
  return hostOutput(backend, [...batchShape, m, n], 'f32', out);
});
