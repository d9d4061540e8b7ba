/**
 * What the fused dense layer (`dense`: one `dense_bias_act` kernel forward, one
 * `dense_bias_act_grad` backward) buys a NeuMF training step (issue 18): NCF's NeuMF unit,
 * E = 32, tower 64→32→16→8, forward + log loss + backward + Adagrad on synthetic
 * ML-1M-shaped batches, native backend, 1 thread, timed with the MLP's layers fused and with
 * the composite relu(add(matmul(x, W), b)) put back in their place, interleaved over 6
 * rounds (the first of each dropped), the best round of each.
 *
 *   cd apps/bench && B=2048 node --conditions=@rec/source --import tsx src/dense-ab.ts
 */
import { Adagrad, add, backward, bceWithLogits, matmul, MLP, relu, resolveBackend, tensor, tidy, type Tensor } from '@rec/core';
import { registerFastBackends, setNativeThreads } from '@rec/kernels';
import { NCF } from '@rec/models';
registerFastBackends();
await resolveBackend({ prefer: 'native' });
setNativeThreads(Number(process.env.THREADS ?? 1));
const U = 6040, I = 3706, B = Number(process.env.B ?? 2048), STEPS = Math.max(20, Math.round(120_000 / B));
const model = new NCF({ numUsers: U, numItems: I, unit: 'neumf', dim: 32, seed: 1 });
const opt = new Adagrad(model, { lr: 0.01 });
const batches = Array.from({ length: STEPS }, (_, s) => [Int32Array.from({ length: B }, (_, k) => (k * 7919 + s * 31) % U), Int32Array.from({ length: B }, (_, k) => (k * 104729 + s * 17) % I), Float32Array.from({ length: B }, (_, k) => (k % 5 === 0 ? 1 : 0))] as const);
const fused = MLP.prototype.forward;
function composite(this: MLP, x: Tensor): Tensor {
  let h = x;
  this.layers.forEach((layer, i) => {
    h = add(matmul(h, layer.weight), layer.bias!);
    if (i < this.layers.length - 1 || this.options.activateLast) h = relu(h);
  });
  return h;
}
const run = () => {
  const t0 = performance.now();
  for (const [u, i, y] of batches) tidy(() => { const loss = bceWithLogits(model.score(tensor(u), tensor(i)), tensor(y)); backward(loss); opt.step(); opt.zeroGrad(); loss.readSync(); });
  return (STEPS * B) / ((performance.now() - t0) / 1000);
};
const res: Record<string, number[]> = { fused: [], composite: [] };
for (let r = 0; r < 6; r++) {
  MLP.prototype.forward = fused;
  res.fused.push(run());
  MLP.prototype.forward = composite;
  res.composite.push(run());
}
MLP.prototype.forward = fused;
const best = (a: number[]) => Math.max(...a.slice(1));
console.log(`NeuMF E=32 batch ${B}, ${process.env.THREADS ?? 1} thread(s): fused dense ${(best(res.fused) / 1e3).toFixed(0)} k samples/s, composite ${(best(res.composite) / 1e3).toFixed(0)} k samples/s (best of 5 rounds each, interleaved): ${(best(res.fused) / best(res.composite)).toFixed(2)}x`);
