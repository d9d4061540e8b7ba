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
import { Adagrad, add, backward, bceWithLogits, declaredKernels, findKernel, matmul, MLP, registerKernel, relu, resolveBackend, tensor, tidy, type Tensor } from '@rec/core';
import { registerFastBackends, setNativeThreads } from '@rec/kernels';
import { NCF } from '@rec/models';
registerFastBackends();
await resolveBackend({ prefer: 'native' });
setNativeThreads(1);
const U = 6040, I = 3706, B = Number(process.env.B ?? 2048), STEPS = Math.max(20, Math.round(120_000 / B));
const model = new NCF({ numUsers: U, numItems: I, unit: 'neumf', dim: 32, seed: 1 });
const opt = new Adagrad(model, { lr: 0.01 });
const batches = Array.from({ length: STEPS }, (_, s) => [Int32Array.from({ length: B }, (_, k) => (k * 7919 + s * 31) % U), Int32Array.from({ length: B }, (_, k) => (k * 104729 + s * 17) % I), Float32Array.from({ length: B }, (_, k) => (k % 5 === 0 ? 1 : 0))] as const);
if (process.env.COMPOSITE) {
  MLP.prototype.forward = function composite(this: MLP, x: Tensor): Tensor {
    let h = x;
    this.layers.forEach((layer, i) => {
      h = add(matmul(h, layer.weight), layer.bias!);
      if (i < this.layers.length - 1 || this.options.activateLast) h = relu(h);
    });
    return h;
  };
}
const run = () => {
  for (const [u, i, y] of batches) tidy(() => { const loss = bceWithLogits(model.score(tensor(u), tensor(i)), tensor(y)); backward(loss); opt.step(); opt.zeroGrad(); loss.readSync(); });
};
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
console.log(`NeuMF E=32, batch ${B}, 1 thread${process.env.COMPOSITE ? ', composite MLP layers' : ''}: ${((STEPS * B) / total).toFixed(0)} k samples/s, ${(total / STEPS).toFixed(3)} ms per step`);
console.log('| kernel | ms / step | calls / step | share |\n|---|---|---|---|');
for (const [id, [ms, calls]] of [...time].sort((a, b) => b[1][0] - a[1][0])) {
  inKernels += ms;
  console.log(`| ${id} | ${(ms / STEPS).toFixed(3)} | ${(calls / STEPS).toFixed(0)} | ${((100 * ms) / total).toFixed(1)} % |`);
}
console.log(`| (outside kernels) | ${((total - inKernels) / STEPS).toFixed(3)} | | ${((100 * (total - inKernels)) / total).toFixed(1)} % |`);
