import { type Backend, runKernel, tensor } from '@rec/core';
import { assertClose, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { expectFailure, ids, uniformF32 } from './fixtures.js';

const USERS = 30;
const ITEMS = 45;

async function train(
  backend: Backend | string, d: number, batch: number, steps: number, attrs: { lr: number; reg: number; hogwild?: boolean }, USERS_ = USERS, ITEMS_ = ITEMS,
): Promise<{ P: Float32Array; Q: Float32Array; losses: number[] }> {
  const [USERS, ITEMS] = [USERS_, ITEMS_];
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

/** The first index where two f32 arrays differ in their bits (−1 when identical), for a bitwise check. */
function bitsDiffer(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return k;
  return -1;
}

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

  // The deterministic schedule (default) performs every row's updates in batch order with the
  // reference's arithmetic: native equals js bit for bit at any thread count. 30 users and 45
  // items under batches of 300 chain most triples; 3,000 × 3,000 rows leave most independent.
  for (const [threads, users, items, batch] of [[1, USERS, ITEMS, 300], [2, USERS, ITEMS, 300], [2, 3000, 3000, 4000]] as const) {
    it(`deterministic mode equals the reference bitwise (${threads} thread(s), ${users} users × ${items} items, batch ${batch})`, async () => {
      if (backend.name !== 'native') return; // webgpu works in f32: the tolerance test above covers it
      const attrs = { lr: 0.05, reg: 0.01 };
      for (const d of [64, 13]) {
        const ref = await train('js', d, batch, 3, attrs, users, items);
        const got = await withNativeThreads(backend.name, threads, () => train(backend, d, batch, 3, attrs, users, items));
        expect(bitsDiffer(got.P, ref.P), 'user factors').toBe(-1);
        expect(bitsDiffer(got.Q, ref.Q), 'item factors').toBe(-1);
        // The loss terms use the C library's log1p, which may differ from V8's by an f64 ulp.
        assertClose(got.losses, ref.losses, { atol: 1e-7, rtol: 1e-7 }, 'mean loss');
      }
    });
  }

  it('hogwild: true at one thread equals the reference bitwise; the attribute is validated', async () => {
    const attrs = { lr: 0.05, reg: 0.01, hogwild: true };
    const ref = await train('js', 16, 300, 2, attrs);
    const got = await withNativeThreads(backend.name, 1, () => train(backend, 16, 300, 2, attrs));
    if (backend.name === 'native') expect(bitsDiffer(got.Q, ref.Q)).toBe(-1);
    else assertClose(got.Q, ref.Q, TOLERANCE, 'item factors');
    // js and native share checkBprStepInputs; the webgpu glue has its own input checks (not this attribute yet).
    if (backend.name !== 'webgpu') {
      await expectFailure(() => train(backend, 4, 10, 1, { lr: 0.05, reg: 0, hogwild: 'yes' as unknown as boolean }), /bpr_step: attribute hogwild must be true or false, got yes/);
    }
  });

  it('single-thread mode is deterministic', async () => {
    const attrs = { lr: 0.1, reg: 0 };
    const a = await withNativeThreads(backend.name, 1, () => train(backend, 32, 500, 2, attrs));
    const b = await withNativeThreads(backend.name, 1, () => train(backend, 32, 500, 2, attrs));
    expect(Array.from(a.Q)).toEqual(Array.from(b.Q));
  });

  it('Hogwild over 2 threads stays close to the sequential result and lowers the loss', async () => {
    const attrs = { lr: 0.05, reg: 0.001, hogwild: true };
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
