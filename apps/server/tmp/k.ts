import { resolveBackend, runKernel, tensor, getBackend } from '@rec/core';
import { registerFastBackends } from '@rec/kernels';
registerFastBackends();
const native = await resolveBackend({ prefer: 'native' });
const n = 11953, d = 64;
const V = Float32Array.from({ length: n * d }, () => Math.random() - 0.5);
const Vt = tensor(V, [n, d], { backend: native });
for (const B of [1, 2, 4, 7]) {
  const U = tensor(Float32Array.from({ length: B * d }, () => Math.random() - 0.5), [B, d], { backend: native });
  const indptr = tensor(new Int32Array(B + 1), undefined, { backend: native });
  const mask = tensor(new Int32Array(0), undefined, { backend: native });
  const go = () => { const r = runKernel('rank_topk', [U, Vt, indptr, mask], { k: 10 }) as any[]; for (const t of r) t.dispose(); };
  for (let i = 0; i < 300; i++) go();
  const t0 = performance.now(); const R = 3000;
  for (let i = 0; i < R; i++) go();
  console.log(`B=${B}: ${((performance.now() - t0) / R * 1000).toFixed(1)} us per call`);
}
