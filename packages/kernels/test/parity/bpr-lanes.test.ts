/**
 * The `lanes` attribute of `bpr_step` and `bpr_sample_step` (core's `kernels/sgd/lane_strata.ts`):
 * the triples run in a fixed permutation of the batch whose lanes of one stratum touch disjoint
 * rows. The js reference is "bpr_step on the permuted batch"; native must equal it bit for bit
 * for every `lanes` at 1, 2 and 3 threads (the result depends on `lanes`, not on the thread
 * count); webgpu within its f32 tolerance.
 */
import { type Backend, laneBlock, laneOrder, laneStratum, runKernel, tensor } from '@rec/core';
import { assertClose, forEachBackend } from '@rec/core/testing';
import { describe, expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { bitsDiffer, csr, expectFailure, ids, uniformF32 } from './fixtures.js';

interface Batch {
  users: Int32Array;
  pos: Int32Array;
  neg: Int32Array;
}

/** `steps` batches of `batch` triples over the given tables (every 13th with i = j). */
function batches(steps: number, batch: number, users: number, items: number): Batch[] {
  return Array.from({ length: steps }, (_, s) => {
    const pos = ids(20 + s, batch, items);
    const neg = ids(30 + s, batch, items);
    for (let k = 0; k < batch; k += 13) neg[k] = pos[k];
    return { users: ids(10 + s, batch, users), pos, neg };
  });
}

/** Trains the batches through `bpr_step` with `attrs`; returns both tables and the losses. */
async function train(backend: Backend | string, d: number, users: number, items: number, data: Batch[], attrs: Record<string, unknown>) {
  const on = { backend };
  const P = tensor(uniformF32(1, users * d, -0.5, 0.5), [users, d], on);
  const Q = tensor(uniformF32(2, items * d, -0.5, 0.5), [items, d], on);
  const losses: number[] = [];
  for (const b of data) {
    const [loss] = runKernel('bpr_step', [P, Q, tensor(b.users, undefined, on), tensor(b.pos, undefined, on), tensor(b.neg, undefined, on)], { lr: 0.05, reg: 0.01, ...attrs });
    losses.push((await loss.read())[0]);
  }
  return { P: (await P.read()) as Float32Array, Q: (await Q.read()) as Float32Array, losses };
}

const permute = (b: Batch, order: Int32Array): Batch => ({
  users: order.map((t) => b.users[t]),
  pos: order.map((t) => b.pos[t]),
  neg: order.map((t) => b.neg[t]),
});

describe('the lane order (js)', () => {
  for (const L of [2, 3, 5]) {
    it(`is a permutation whose lanes of one stratum share no user and no item (L = ${L})`, () => {
      const [b] = batches(1, 5000, 700, 900);
      const order = laneOrder(b.users, b.pos, b.neg, L);
      expect([...order].sort((x, y) => x - y)).toEqual(Array.from({ length: 5000 }, (_, t) => t));
      // Each stratum: which lane each user and item row belongs to; a second lane is a conflict.
      const stratumOf = (t: number) => laneStratum(laneBlock(b.users[t], L), laneBlock(b.pos[t], 2 * L), laneBlock(b.neg[t], 2 * L), L);
      const owners = new Map<string, number>();
      let lastTask = -1;
      for (const t of order) {
        const s = stratumOf(t);
        const lane = laneBlock(b.users[t], L);
        const task = s * L + lane;
        expect(task).toBeGreaterThanOrEqual(lastTask);
        lastTask = task;
        for (const key of [`u${b.users[t]}`, `i${b.pos[t]}`, `i${b.neg[t]}`]) {
          const owner = owners.get(`${s}:${key}`);
          if (owner !== undefined) expect(owner, `row ${key} in stratum ${s}`).toBe(lane);
          owners.set(`${s}:${key}`, lane);
        }
      }
      // Every stratum is used and the lanes are not empty: the blocks spread the ids.
      expect(new Set([...order].map(stratumOf)).size).toBe((2 * L - 1) * L);
    });
  }

  it('L = 1 is batch order, and the batch order is kept within a lane', () => {
    const [b] = batches(1, 300, 30, 45);
    expect(Array.from(laneOrder(b.users, b.pos, b.neg, 1))).toEqual(Array.from({ length: 300 }, (_, t) => t));
    const order = laneOrder(b.users, b.pos, b.neg, 2);
    const task = (t: number) => laneStratum(laneBlock(b.users[t], 2), laneBlock(b.pos[t], 4), laneBlock(b.neg[t], 4), 2) * 2 + laneBlock(b.users[t], 2);
    for (let k = 1; k < order.length; k++) if (task(order[k]) === task(order[k - 1])) expect(order[k]).toBeGreaterThan(order[k - 1]);
  });

  it('bpr_step with lanes is bpr_step (lanes 1) on the permuted batch; the loss is the same mean', async () => {
    const data = batches(3, 400, 30, 45);
    const withLanes = await train('js', 16, 30, 45, data, { lanes: 3 });
    const permuted = await train('js', 16, 30, 45, data.map((b) => permute(b, laneOrder(b.users, b.pos, b.neg, 3))), {});
    expect(bitsDiffer(withLanes.P, permuted.P)).toBe(-1);
    expect(bitsDiffer(withLanes.Q, permuted.Q)).toBe(-1);
    assertClose(withLanes.losses, permuted.losses, { atol: 1e-7, rtol: 1e-7 }, 'mean loss');
    const plain = await train('js', 16, 30, 45, data, {});
    expect(bitsDiffer(withLanes.Q, plain.Q), 'lanes change the order, hence the bits').not.toBe(-1);
  });
});

await forEachBackend(parityBackends('bpr_step', 'bpr_sample_step'), (backend) => {
  // 30 × 45 rows under batches of 300 repeat rows within and across lanes' strata; 3,000 × 3,000 rows under 4,000 keep most lanes busy.
  const cases = [[30, 45, 300], [3000, 3000, 4000]] as const;
  for (const lanes of [1, 2, 3, 4]) {
    for (const [users, items, batch] of cases) {
      it(`bpr_step with lanes ${lanes} equals the reference (${users} users × ${items} items, batch ${batch}; native bitwise at 1, 2 and 3 threads)`, async () => {
        const data = batches(3, batch, users, items);
        for (const d of [64, 13]) {
          const ref = await train('js', d, users, items, data, { lanes });
          for (const threads of backend.name === 'native' ? [1, 2, 3] : [1]) {
            const got = await withNativeThreads(backend.name, threads, () => train(backend, d, users, items, data, { lanes }));
            if (backend.name === 'native') {
              expect(bitsDiffer(got.P, ref.P), `user factors, ${threads} thread(s)`).toBe(-1);
              expect(bitsDiffer(got.Q, ref.Q), `item factors, ${threads} thread(s)`).toBe(-1);
              assertClose(got.losses, ref.losses, { atol: 1e-7, rtol: 1e-7 }, 'mean loss');
            } else {
              assertClose(got.P, ref.P, { atol: 1e-5, rtol: 1e-4 }, 'user factors');
              assertClose(got.Q, ref.Q, { atol: 1e-5, rtol: 1e-4 }, 'item factors');
              assertClose(got.losses, ref.losses, { atol: 1e-5, rtol: 1e-4 }, 'mean loss');
            }
          }
        }
      });
    }
  }

  it('bpr_sample_step with lanes 2 equals the js reference (native bitwise at 2 threads)', async () => {
    const users = 200;
    const items = 300;
    const d = 16;
    const run = async (b: Backend | string) => {
      const on = { backend: b };
      const P = tensor(uniformF32(1, users * d, -0.5, 0.5), [users, d], on);
      const Q = tensor(uniformF32(2, items * d, -0.5, 0.5), [items, d], on);
      const seen = csr(4, users, items, () => 0.1);
      const losses: number[] = [];
      for (let s = 0; s < 3; s++) {
        const [loss] = runKernel('bpr_sample_step', [P, Q, tensor(ids(10 + s, 2000, users), undefined, on), tensor(ids(20 + s, 2000, items), undefined, on),
          tensor(seen.indptr, undefined, on), tensor(seen.indices, undefined, on)], { lr: 0.05, reg: 0.001, seed: 3, stream: 1, counter: s * 2000 * 8, maxTries: 8, lanes: 2 });
        losses.push((await loss.read())[0]);
      }
      return { P: (await P.read()) as Float32Array, Q: (await Q.read()) as Float32Array, losses };
    };
    const ref = await run('js');
    const got = await withNativeThreads(backend.name, 2, () => run(backend));
    if (backend.name === 'native') {
      expect(bitsDiffer(got.P, ref.P)).toBe(-1);
      expect(bitsDiffer(got.Q, ref.Q)).toBe(-1);
    } else {
      assertClose(got.Q, ref.Q, { atol: 1e-5, rtol: 1e-4 }, 'item factors');
    }
    assertClose(got.losses, ref.losses, { atol: 1e-5, rtol: 1e-4 }, 'mean loss');
  });

  it('rejects a lanes attribute outside 1 … 16, and lanes with the category table', async () => {
    const [b] = batches(1, 10, 30, 45);
    for (const lanes of [0, 17, 1.5]) {
      await expectFailure(() => train(backend, 4, 30, 45, [b], { lanes }), new RegExp(`^bpr_step: attribute lanes must be an integer from 1 to 16, got ${lanes}$`));
    }
    const on = { backend };
    const F = (rows: number) => tensor(new Float32Array(rows * 2), [rows, 2], on);
    const I = (...v: number[]) => tensor(Int32Array.from(v), undefined, on);
    await expectFailure(async () => {
      const [loss] = runKernel('bpr_step', [F(1), F(3), I(0), I(0), I(2), F(2), I(0, 1, 1, 2), I(0, 1)], { lr: 0.05, reg: 0, extraWeight: 0.3, lanes: 2 });
      await loss.read();
    }, /^bpr_step: attribute lanes applies without the category table; with it, use parts$/);
  });
});
