/**
 * `matmul`: C[b] = op(A[b]) · op(B[b]) with op = identity or transpose, for
 * A `[..., m, k]` and B `[..., k, n]` (before the optional transposes). Batch
 * axes must match, or one side is 2-D and is shared by every batch. f32 in,
 * f64 accumulation in the reference.
 */
import { hostF32, hostOutput } from '../../backends/js/backend.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { allocArray } from '../../tensor/dtype.js';

export interface MatmulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

export const matmulSpec = declareKernel({ id: 'matmul', family: 'dense', summary: 'C = op(A)·op(B), batched, op ∈ {id, transpose}' });

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
