import { type Backend, runKernel, tensor } from '@rec/core';
import { assertClose, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { expectFailure, ids, uniformF32 } from './fixtures.js';

const USERS = 30;
const ITEMS = 45;

async function train(backend: Backend | string, d: number, batch: number, steps: number, attrs: { lr: number; reg: number }): Promise<{ P: Float32Array; Q: Float32Array; losses: number[] }> {
  const P = tensor(uniformF32(1, USERS * d, -0.5, 0.5), [USERS, d], { backend });
  const Q = tensor(uniformF32(2, ITEMS * d, -0.5, 0.5), [ITEMS, d], { backend });
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const u = tensor(ids(10 + s, batch, USERS), undefined, { backend });
    const i = tensor(ids(20 + s, batch, ITEMS), undefined, { backend });
    const j = tensor(ids(30 + s, batch, ITEMS), undefined, { backend });
    const [loss] = runKernel('bpr_step', [P, Q, u, i, j], attrs);
    losses.push((await loss.read())[0]);
  }
  return { P: (await P.read()) as Float32Array, Q: (await Q.read()) as Float32Array, losses };
}

const TOLERANCE = { atol: 1e-6, rtol: 1e-5 };

await forEachBackend(parityBackends('bpr_step'), (backend) => {
  for (const d of [64, 13]) {
    it(`single thread equals the reference (d = ${d}, rows repeated within and across batches)`, async () => {
      const attrs = { lr: 0.05, reg: 0.01 };
      const ref = await train('js', d, 300, 3, attrs);
      const got = await withNativeThreads(backend.name, 1, () => train(backend, d, 300, 3, attrs));
      assertClose(got.P, ref.P, TOLERANCE, 'user factors');
      assertClose(got.Q, ref.Q, TOLERANCE, 'item factors');
      assertClose(got.losses, ref.losses, TOLERANCE, 'mean loss');
    });
  }

  it('single-thread mode is deterministic', async () => {
    const attrs = { lr: 0.1, reg: 0 };
    const a = await withNativeThreads(backend.name, 1, () => train(backend, 32, 500, 2, attrs));
    const b = await withNativeThreads(backend.name, 1, () => train(backend, 32, 500, 2, attrs));
    expect(Array.from(a.Q)).toEqual(Array.from(b.Q));
  });

  it('Hogwild over 2 threads stays close to the sequential result and lowers the loss', async () => {
    const attrs = { lr: 0.05, reg: 0.001 };
    const ref = await train('js', 16, 4000, 1, attrs);
    const got = await withNativeThreads(backend.name, 2, () => train(backend, 16, 4000, 1, attrs));
    expect(Math.abs(got.losses[0] - ref.losses[0])).toBeLessThan(0.02 * ref.losses[0]);
    expect(got.P.every(Number.isFinite) && got.Q.every(Number.isFinite)).toBe(true);
    const after = (await withNativeThreads(backend.name, 2, () => train(backend, 16, 4000, 8, attrs))).losses;
    expect(after[7]).toBeLessThan(after[0]);
  });

  it('the loss of a zero model is ln 2 and the step moves q_i and q_j apart', async () => {
    const P = tensor(new Float32Array([1, 0]), [1, 2], { backend });
    const Q = tensor(new Float32Array([0, 0, 0, 0]), [2, 2], { backend });
    const one = (v: number) => tensor(Int32Array.of(v), undefined, { backend });
    const [loss] = runKernel('bpr_step', [P, Q, one(0), one(0), one(1)], { lr: 1, reg: 0 });
    expect((await loss.read())[0]).toBeCloseTo(Math.LN2, 6);
    expect(Array.from(await Q.read())).toEqual([0.5, 0, -0.5, 0]);
  });

  it('rejects an item outside the table', async () => {
    const P = tensor(new Float32Array(4), [2, 2], { backend });
    const Q = tensor(new Float32Array(4), [2, 2], { backend });
    const t = (v: number) => tensor(Int32Array.of(v), undefined, { backend });
    const run = async () => {
      const [loss] = runKernel('bpr_step', [P, Q, t(0), t(0), t(2)], { lr: 1, reg: 0 });
      await loss.read();
    };
    // webgpu finds the bad id on the GPU and reports it at the read, without its position.
    await expectFailure(run, backend.name === 'webgpu'
      ? /bpr_step: a user or item id is out of range for 2 user rows and 2 item rows/
      : /negative item 2 at position 0 is out of range for 2 rows/);
  });
});
