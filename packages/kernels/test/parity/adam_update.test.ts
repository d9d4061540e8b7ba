import { runKernel, tensor } from '@rec/core';
import { forEachBackend } from '@rec/core/testing';
import { it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { type DenseCase, expectDenseParity } from './dense_optim.js';
import { expectFailure } from './fixtures.js';

const base: Omit<DenseCase, 'attrs'> = { kernel: 'adam_update', shape: [300, 64], steps: 4, slots: 2 };
const adam = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };

await forEachBackend(parityBackends('adam_update'), (backend) => {
  it('Adam with coupled L2', async () => {
    await expectDenseParity(backend, { ...base, attrs: (step) => ({ ...adam, lr: 1e-2, weightDecay: 1e-3, decoupledWeightDecay: false, step }) });
  });
  it('AdamW (decoupled decay) at a late global step, odd shape', async () => {
    await expectDenseParity(backend, { ...base, shape: [3, 3, 5], attrs: (step) => ({ ...adam, lr: 5e-3, weightDecay: 0.05, decoupledWeightDecay: true, step: step + 1000 }) });
  });
  it('a tensor large enough to split over threads, on 1 and 2 threads', async () => {
    for (const threads of [1, 2]) {
      await withNativeThreads(backend.name, threads, () =>
        expectDenseParity(backend, { ...base, shape: [100_003], steps: 2, attrs: (step) => ({ ...adam, lr: 1e-3, weightDecay: 0, decoupledWeightDecay: false, step }) }));
    }
  });
  it('rejects a step that is not an integer ≥ 1', async () => {
    const t = () => tensor(new Float32Array(4), [4], { backend });
    await expectFailure(async () => runKernel('adam_update', [t(), t(), t(), t()], { ...adam, lr: 0.1, weightDecay: 0, decoupledWeightDecay: false, step: 0 }), /step must be an integer ≥ 1, got 0/);
  });
});
