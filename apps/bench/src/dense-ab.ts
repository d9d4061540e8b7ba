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
import { MLP } from '@rec/core';
import { compositeMLPForward, neumfStep } from './neumf-step.js';

const B = Number(process.env.B ?? 2048);
const { run: train, samples } = await neumfStep(B, Number(process.env.THREADS ?? 1));
const fused = MLP.prototype.forward;
const composite = compositeMLPForward;
const run = () => {
  const t0 = performance.now();
  train();
  return samples / ((performance.now() - t0) / 1000);
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
