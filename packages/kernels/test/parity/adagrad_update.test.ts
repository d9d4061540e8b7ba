import { forEachBackend } from '@rec/core/testing';
import { it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { type DenseCase, expectDenseParity } from './dense_optim.js';

const base: Omit<DenseCase, 'attrs'> = { kernel: 'adagrad_update', shape: [300, 64], steps: 4, slots: 1 };

await forEachBackend(parityBackends('adagrad_update'), (backend) => {
  it('Adagrad without weight decay', async () => {
    await expectDenseParity(backend, { ...base, attrs: () => ({ lr: 0.05, eps: 1e-10, weightDecay: 0 }) });
  });
  it('Adagrad with L2 weight decay, odd shape', async () => {
    await expectDenseParity(backend, { ...base, shape: [9, 7], attrs: () => ({ lr: 0.1, eps: 1e-8, weightDecay: 1e-2 }) });
  });
  it('a tensor large enough to split over threads, on 1 and 2 threads', async () => {
    for (const threads of [1, 2]) {
      await withNativeThreads(backend.name, threads, () => expectDenseParity(backend, { ...base, shape: [100_003], steps: 2, attrs: () => ({ lr: 0.05, eps: 1e-10, weightDecay: 1e-4 }) }));
    }
  });
});
