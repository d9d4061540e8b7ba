import { runKernel, tensor } from '@rec/core';
import { forEachBackend } from '@rec/core/testing';
import { it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { type DenseCase, expectDenseParity } from './dense_optim.js';
import { expectFailure } from './fixtures.js';

const base: Omit<DenseCase, 'attrs' | 'slots'> = { kernel: 'sgd_update', shape: [300, 64], steps: 4 };

await forEachBackend(parityBackends('sgd_update'), (backend) => {
  it('plain SGD with L2 weight decay (no velocity input)', async () => {
    await expectDenseParity(backend, { ...base, slots: 0, attrs: () => ({ lr: 0.1, momentum: 0, nesterov: false, weightDecay: 1e-3 }) });
  });
  it('heavy-ball momentum, no weight decay, odd shape', async () => {
    await expectDenseParity(backend, { ...base, shape: [7, 3, 5], slots: 1, attrs: () => ({ lr: 0.05, momentum: 0.9, nesterov: false, weightDecay: 0 }) });
  });
  it('Nesterov momentum with weight decay', async () => {
    await expectDenseParity(backend, { ...base, slots: 1, attrs: () => ({ lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 1e-2 }) });
  });
  it('a tensor large enough to split over threads, on 1 and 2 threads', async () => {
    for (const threads of [1, 2]) {
      await withNativeThreads(backend.name, threads, () =>
        expectDenseParity(backend, { ...base, shape: [100_003], steps: 2, slots: 1, attrs: () => ({ lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-4 }) }));
    }
  });
  it('rejects a velocity input without momentum, and a missing one with it', async () => {
    const p = tensor(new Float32Array(4), [4], { backend });
    const g = tensor(new Float32Array(4), [4], { backend });
    await expectFailure(async () => runKernel('sgd_update', [p, g, tensor(new Float32Array(4), [4], { backend })], { lr: 0.1, momentum: 0, nesterov: false, weightDecay: 0 }), /needs 2 inputs \(no velocity\), got 3/);
    await expectFailure(async () => runKernel('sgd_update', [p, g], { lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 0 }), /needs 3 inputs \(the last one the velocity\), got 2/);
  });
});
