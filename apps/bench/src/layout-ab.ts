/**
 * What the native layout kernels (`slice`, `concat`, `broadcast_to`, `pad_slice` as one C++
 * strided copy) buy a NeuMF training step (issue 18): NCF's NeuMF unit, E = 32, forward + log
 * loss + backward + Adagrad on synthetic ML-1M-shaped batches, native backend, 1 thread,
 * timed with the native layout kernels and then with the js references registered in their
 * place, interleaved over 6 rounds (the first of each dropped), the best round of each.
 *
 *   cd apps/bench && B=2048 node --conditions=@rec/source --import tsx src/layout-ab.ts
 */
import { Adagrad, backward, bceWithLogits, findKernel, registerKernel, resolveBackend, tensor, tidy } from '@rec/core';
import { registerFastBackends, setNativeThreads } from '@rec/kernels';
import { NCF } from '@rec/models';
registerFastBackends();
await resolveBackend({ prefer: 'native' });
setNativeThreads(1);
const U = 6040, I = 3706, B = Number(process.env.B ?? 2048), STEPS = 60;
const model = new NCF({ numUsers: U, numItems: I, unit: 'neumf', dim: 32, seed: 1 });
const opt = new Adagrad(model, { lr: 0.01 });
const batches = Array.from({ length: STEPS }, (_, s) => [Int32Array.from({ length: B }, (_, k) => (k * 7919 + s * 31) % U), Int32Array.from({ length: B }, (_, k) => (k * 104729 + s * 17) % I), Float32Array.from({ length: B }, (_, k) => (k % 5 === 0 ? 1 : 0))] as const);
const ids = ['slice', 'concat', 'broadcast_to', 'pad_slice'];
const nativeImpls = Object.fromEntries(ids.map((id) => [id, findKernel(id, 'native')!]));
const jsImpls = Object.fromEntries(ids.map((id) => [id, findKernel(id, 'js')!]));
const use = (impls: Record<string, any>) => ids.forEach((id) => registerKernel(id, 'native', impls[id]));
const run = () => {
  const t0 = performance.now();
  for (const [u, i, y] of batches) tidy(() => { const loss = bceWithLogits(model.score(tensor(u), tensor(i)), tensor(y)); backward(loss); opt.step(); opt.zeroGrad(); loss.readSync(); });
  return (STEPS * B) / ((performance.now() - t0) / 1000);
};
const res: Record<string, number[]> = { native: [], js: [] };
for (let r = 0; r < 6; r++) { use(nativeImpls); res.native.push(run()); use(jsImpls); res.js.push(run()); }
const best = (a: number[]) => Math.max(...a.slice(1));
console.log(`NeuMF E=32 batch ${B}, 1 thread: native layout ${(best(res.native) / 1e3).toFixed(0)} k samples/s, js-reference layout ${(best(res.js) / 1e3).toFixed(0)} k samples/s (best of 5 rounds each, interleaved): ${(best(res.native) / best(res.js)).toFixed(2)}x`);
