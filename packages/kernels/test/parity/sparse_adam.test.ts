import { runKernel, tensor } from '@rec/core';
import { forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends } from './backends.js';
import { expectSparseParity, type SparseCase } from './sparse_optim.js';

const base: Omit<SparseCase, 'attrs'> = { kernel: 'sparse_adam', rows: 300, rowShape: [64], batch: 700, steps: 4, slots: 2 };
const adam = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };

await forEachBackend(parityBackends('sparse_adam'), (backend) => {
  it('lazy Adam with coupled L2, duplicate rows merged', async () => {
    await expectSparseParity(backend, { ...base, attrs: (step) => ({ ...adam, lr: 1e-2, weightDecay: 1e-3, decoupledWeightDecay: false, step }) });
  });
  it('lazy AdamW (decoupled decay) at a late global step, odd width, small batch', async () => {
    await expectSparseParity(backend, { ...base, rows: 30, rowShape: [3, 3], batch: 45, attrs: (step) => ({ ...adam, lr: 5e-3, weightDecay: 0.05, decoupledWeightDecay: true, step: step + 1000 }) });
  });
  it('leaves rows the gradient does not list untouched', async () => {
    const p = tensor(new Float32Array([1, 2, 3]), [3, 1], { backend });
    const m = tensor(new Float32Array([0.5, 0.5, 0.5]), [3, 1], { backend });
    const v = tensor(new Float32Array([0.5, 0.5, 0.5]), [3, 1], { backend });
    runKernel('sparse_adam', [p, tensor(Int32Array.of(1), undefined, { backend }), tensor(new Float32Array([1]), [1, 1], { backend }), m, v], { ...adam, lr: 0.1, weightDecay: 0, decoupledWeightDecay: false, step: 3 });
    const [pv, mv, vv] = await Promise.all([p.read(), m.read(), v.read()]);
    expect([pv[0], pv[2], mv[0], vv[2]]).toEqual([1, 3, 0.5, 0.5]);
  });
});
