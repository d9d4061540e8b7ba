import { runKernel, tensor } from '@rec/core';
import { forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends } from './backends.js';
import { expectFailure } from './fixtures.js';
import { expectSparseParity, type SparseCase } from './sparse_optim.js';

const base: Omit<SparseCase, 'attrs' | 'slots'> = { kernel: 'sparse_sgd', rows: 300, rowShape: [2, 5], batch: 700, steps: 3 };

await forEachBackend(parityBackends('sparse_sgd'), (backend) => {
  it('plain SGD with weight decay, duplicate rows merged (width 10, rows split over threads)', async () => {
    await expectSparseParity(backend, { ...base, slots: 0, attrs: () => ({ lr: 0.1, momentum: 0, nesterov: false, weightDecay: 0.01 }) });
  });
  it('heavy-ball momentum', async () => {
    await expectSparseParity(backend, { ...base, slots: 1, attrs: () => ({ lr: 0.05, momentum: 0.9, nesterov: false, weightDecay: 0 }) });
  });
  it('Nesterov momentum with weight decay, a small batch (inline path)', async () => {
    await expectSparseParity(backend, { ...base, rows: 20, rowShape: [64], batch: 30, slots: 1, attrs: () => ({ lr: 0.05, momentum: 0.5, nesterov: true, weightDecay: 1e-3 }) });
  });
  it('accumulates duplicate rows: one row listed twice moves by the summed gradient', async () => {
    const p = tensor(new Float32Array([1, 1, 1, 1]), [2, 2], { backend });
    runKernel('sparse_sgd', [p, tensor(Int32Array.of(1, 1), undefined, { backend }), tensor(new Float32Array([1, 2, 3, 4]), [2, 2], { backend })], { lr: 0.5, momentum: 0, nesterov: false, weightDecay: 0 });
    expect(Array.from(await p.read())).toEqual([1, 1, -1, -2]);
  });
  it('rejects an out-of-range row before writing anything', async () => {
    const p = tensor(new Float32Array([1, 1]), [2, 1], { backend });
    const run = async () => {
      runKernel('sparse_sgd', [p, tensor(Int32Array.of(0, 2), undefined, { backend }), tensor(new Float32Array([1, 1]), [2, 1], { backend })], { lr: 1, momentum: 0, nesterov: false, weightDecay: 0 });
      await p.read();
    };
    // webgpu finds the bad row on the GPU and reports it at the read, without its position.
    await expectFailure(run, backend.name === 'webgpu'
      ? /sparse_sgd: a row index is out of range for a parameter of 2 rows/
      : /row index 2 at position 1 is out of range for a parameter of 2 rows|row index 2 at position 1 is out of range for 2 rows/);
    expect(Array.from(await p.read())).toEqual([1, 1]);
  });
});
