/**
 * The NeuMF training step that `src/dense-ab.ts` and `src/step-profile.ts` time (issue 18):
 * NCF's NeuMF unit, E = 32, tower 64→32→16→8, forward + log loss + backward + Adagrad on
 * synthetic ML-1M-shaped batches (6,040 users × 3,706 items, one positive in five), native
 * backend, and the MLP's unfused layers for comparison.
 */
import { Adagrad, add, backward, bceWithLogits, matmul, MLP, relu, resolveBackend, tensor, tidy, type Tensor } from '@rec/core';
import { registerFastBackends, setNativeThreads } from '@rec/kernels';
import { NCF } from '@rec/models';

/**
 * Loads the native backend on `threads` threads and builds the model, its optimizer and
 * enough batches of `batch` rows for about 120,000 samples; `run()` trains one pass over them.
 * @example
 * ```ts
 * const step = await neumfStep(2048, 1);
 * step.run(); // step.samples samples
 * ```
 */
export async function neumfStep(batch: number, threads: number): Promise<{ run: () => void; steps: number; samples: number }> {
  registerFastBackends();
  await resolveBackend({ prefer: 'native' });
  setNativeThreads(threads);
  const U = 6040, I = 3706, steps = Math.max(20, Math.round(120_000 / batch));
  const model = new NCF({ numUsers: U, numItems: I, unit: 'neumf', dim: 32, seed: 1 });
  const opt = new Adagrad(model, { lr: 0.01 });
  const batches = Array.from({ length: steps }, (_, s) => [
    Int32Array.from({ length: batch }, (_, k) => (k * 7919 + s * 31) % U),
    Int32Array.from({ length: batch }, (_, k) => (k * 104729 + s * 17) % I),
    Float32Array.from({ length: batch }, (_, k) => (k % 5 === 0 ? 1 : 0)),
  ] as const);
  const run = (): void => {
    for (const [u, i, y] of batches) {
      tidy(() => {
        const loss = bceWithLogits(model.score(tensor(u), tensor(i)), tensor(y));
        backward(loss);
        opt.step();
        opt.zeroGrad();
        loss.readSync();
      });
    }
  };
  return { run, steps, samples: steps * batch };
}

/**
 * `MLP.forward` as it was before the fused `dense` op: relu(add(matmul(x, W), b)) per layer.
 * Assign it to `MLP.prototype.forward` to time the composite.
 * @example
 * ```ts
 * MLP.prototype.forward = compositeMLPForward;
 * ```
 */
export function compositeMLPForward(this: MLP, x: Tensor): Tensor {
  let h = x;
  this.layers.forEach((layer, i) => {
    h = add(matmul(h, layer.weight), layer.bias!);
    if (i < this.layers.length - 1 || this.options.activateLast) h = relu(h);
  });
  return h;
}
