import { runKernel, tensor } from '@rec/core';
import { forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends } from './backends.js';
import { expectSparseParity, type SparseCase } from './sparse_optim.js';

const base: Omit<SparseCase, 'attrs'> = { kernel: 'sparse_adagrad', rows: 300, rowShape: [64], batch: 700, steps: 3, slots: 1 };

await forEachBackend(parityBackends('sparse_adagrad'), (backend) => {
  it('Adagrad without weight decay, duplicate rows merged (rows split over threads)', async () => {
    await expectSparseParity(backend, { ...base, attrs: () => ({ lr: 0.05, eps: 1e-10, weightDecay: 0 }) });
  });
  it('Adagrad with weight decay, odd width, small batch (inline path)', async () => {
    await expectSparseParity(backend, { ...base, rows: 25, rowShape: [7], batch: 40, attrs: () => ({ lr: 0.1, eps: 1e-8, weightDecay: 0.01 }) });
  });
  it('adds (g₁ + g₂)² to the accumulator for a row listed twice', async () => {
    const p = tensor(new Float32Array([0]), [1, 1], { backend });
    const G = tensor(new Float32Array([0]), [1, 1], { backend });
    runKernel('sparse_adagrad', [p, tensor(Int32Array.of(0, 0), undefined, { backend }), tensor(new Float32Array([1, 2]), [2, 1], { backend }), G], { lr: 1, eps: 0, weightDecay: 0 });
    expect((await G.read())[0]).toBe(9);
    expect((await p.read())[0]).toBe(-1);
  });
});
