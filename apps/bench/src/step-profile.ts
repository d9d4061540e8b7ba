/**
 * Where a NeuMF training step's time goes, kernel by kernel (issue 18): NCF's NeuMF unit,
 * E = 32, tower 64→32→16→8, forward + log loss + backward + Adagrad on synthetic
 * ML-1M-shaped batches, native backend, 1 thread. Every native kernel is wrapped in a timer;
 * the table gives each kernel's time and calls per step, and what is left (JS: autograd,
 * allocation, the optimizer's bookkeeping). `COMPOSITE=1` puts the MLP's unfused layers
 * (matmul, add, relu) back for comparison.
 *
 *   cd apps/bench && B=2048 node --conditions=@rec/source --import tsx src/step-profile.ts
 */
import { declaredKernels, findKernel, MLP, registerKernel } from '@rec/core';
import { compositeMLPForward, neumfStep } from './neumf-step.js';

const B = Number(process.env.B ?? 2048);
const { run, steps: STEPS, samples } = await neumfStep(B, 1);
if (process.env.COMPOSITE) MLP.prototype.forward = compositeMLPForward;
run(); // warm-up
const time = new Map<string, [ms: number, calls: number]>();
for (const spec of declaredKernels()) {
  const impl = findKernel(spec.id, 'native');
  if (!impl) continue;
  registerKernel(spec.id, 'native', (ctx) => {
    const t0 = performance.now();
    const out = impl(ctx);
    const entry = time.get(spec.id) ?? [0, 0];
    entry[0] += performance.now() - t0;
    entry[1]++;
    time.set(spec.id, entry);
    return out;
  });
}
const t0 = performance.now();
run();
const total = performance.now() - t0;
let inKernels = 0;
console.log(`NeuMF E=32, batch ${B}, 1 thread${process.env.COMPOSITE ? ', composite MLP layers' : ''}: ${(samples / total).toFixed(0)} k samples/s, ${(total / STEPS).toFixed(3)} ms per step`);
console.log('| kernel | ms / step | calls / step | share |\n|---|---|---|---|');
for (const [id, [ms, calls]] of [...time].sort((a, b) => b[1][0] - a[1][0])) {
  inKernels += ms;
  console.log(`| ${id} | ${(ms / STEPS).toFixed(3)} | ${(calls / STEPS).toFixed(0)} | ${((100 * ms) / total).toFixed(1)} % |`);
}
console.log(`| (outside kernels) | ${((total - inKernels) / STEPS).toFixed(3)} | | ${((100 * (total - inKernels)) / total).toFixed(1)} % |`);
