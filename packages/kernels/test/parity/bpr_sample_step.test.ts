import { type Backend, type BprSampleStepAttrs, runKernel, type Tensor, tensor } from '@rec/core';
import { assertClose, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { bitsDiffer, csr, expectFailure, ids, uniformF32 } from './fixtures.js';

interface Shape {
  users: number;
  items: number;
  d: number;
}

interface Run {
  tables: Float32Array[];
  losses: number[];
}

// Users 0–2 hold nearly every item (their draws exhaust the tries), the rest about a tenth.
const positivesOf = (s: Shape) => csr(4, s.users, s.items, (u) => (u < 3 ? 0.99 : 0.1));

/**
 * `steps` batches through `bpr_sample_step` (`fused`) or through `neg_sample_exclude` +
 * `bpr_step` at the same counters (the composition the kernel is defined as).
 */
async function train(backend: Backend | string, s: Shape, batch: number, steps: number, attrs: { lr: number; reg: number; maxTries: number }, fused: boolean, counter0 = 0): Promise<Run> {
  const on = { backend };
  const P = tensor(uniformF32(1, s.users * s.d, -0.5, 0.5), [s.users, s.d], on);
  const Q = tensor(uniformF32(2, s.items * s.d, -0.5, 0.5), [s.items, s.d], on);
  const positives = positivesOf(s);
  const indptr = tensor(positives.indptr, undefined, on);
  const indices = tensor(positives.indices, undefined, on);
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const users = tensor(ids(10 + step, batch, s.users), undefined, on);
    const items = tensor(ids(20 + step, batch, s.items), undefined, on);
    const draw = { seed: 9, stream: 2, counter: counter0 + step * batch * attrs.maxTries, maxTries: attrs.maxTries };
    let loss: Tensor;
    if (fused) {
      [loss] = runKernel('bpr_sample_step', [P, Q, users, items, indptr, indices], { lr: attrs.lr, reg: attrs.reg, ...draw } satisfies BprSampleStepAttrs);
    } else {
      const [negs] = runKernel('neg_sample_exclude', [users, indptr, indices], { numItems: s.items, ...draw });
      [loss] = runKernel('bpr_step', [P, Q, users, items, tensor(await negs.read(), undefined, on)], { lr: attrs.lr, reg: attrs.reg });
    }
    losses.push((await loss.read())[0]);
  }
  return { tables: (await Promise.all([P.read(), Q.read()])) as Float32Array[], losses };
}

const ATTRS = { lr: 0.05, reg: 0.001, maxTries: 8 };
const SMALL = { users: 40, items: 90, d: 12 };

it('the js reference equals neg_sample_exclude + bpr_step at the same counters, bit for bit', async () => {
  const a = await train('js', SMALL, 300, 3, ATTRS, true);
  const b = await train('js', SMALL, 300, 3, ATTRS, false);
  a.tables.forEach((t, i) => expect(bitsDiffer(t, b.tables[i]), `table ${i}`).toBe(-1));
  expect(a.losses).toEqual(b.losses);
});

await forEachBackend(parityBackends('bpr_sample_step'), (backend) => {
  const variants: { name: string; shape: Shape; attrs: typeof ATTRS; counter0?: number; batch: number }[] = [
    { name: '40 users × 90 items, d = 12, maxTries 8 (rows repeat; users 0–2 exhaust their tries)', shape: SMALL, attrs: ATTRS, batch: 300 },
    { name: 'one try (no retry), a counter past 2³² blocks, d = 5', shape: { users: 40, items: 90, d: 5 }, attrs: { ...ATTRS, maxTries: 1 }, counter0: 2 ** 35 + 3, batch: 300 },
    { name: '2,000 users × 3,000 items, d = 32, maxTries 33 (the objectives\' T), batch 4,003', shape: { users: 2000, items: 3000, d: 32 }, attrs: { ...ATTRS, maxTries: 33 }, batch: 4003 },
  ];
  for (const v of variants) {
    it(`equals the js reference (${v.name}): bitwise on native at 1 and 2 threads, within 1e-5 in f32`, async () => {
      const ref = await train('js', v.shape, v.batch, 3, v.attrs, true, v.counter0);
      for (const threads of [1, 2]) {
        const got = await withNativeThreads(backend.name, threads, () => train(backend, v.shape, v.batch, 3, v.attrs, true, v.counter0));
        if (backend.name === 'native') {
          ref.tables.forEach((r, i) => expect(bitsDiffer(got.tables[i], r), `table ${i}, ${threads} thread(s)`).toBe(-1));
          assertClose(got.losses, ref.losses, { atol: 1e-7, rtol: 1e-7 }, 'mean loss');
        } else {
          ref.tables.forEach((r, i) => assertClose(got.tables[i], r, { atol: 1e-5, rtol: 1e-5 }, `table ${i}`));
          assertClose(got.losses, ref.losses, { atol: 1e-5, rtol: 1e-5 }, 'mean loss');
        }
      }
    });
  }

  it('never steps an item the user has as a negative while the user has others left', async () => {
    // Zero tables move only through the triples' rows; with lr and a positive item fixed at
    // 0, a row of Q other than 0 that moved was drawn as a negative.
    const s = { users: 40, items: 90, d: 3 };
    const positives = positivesOf(s);
    const P = tensor(new Float32Array(s.users * s.d).fill(1), [s.users, s.d], { backend });
    const Q = tensor(new Float32Array(s.items * s.d), [s.items, s.d], { backend });
    const user = 7;
    const users = tensor(new Int32Array(200).fill(user), undefined, { backend });
    const zero = tensor(new Int32Array(200), undefined, { backend });
    const [loss] = runKernel('bpr_sample_step', [P, Q, users, zero, tensor(positives.indptr, undefined, { backend }), tensor(positives.indices, undefined, { backend })],
      { lr: 0.1, reg: 0, seed: 3, stream: 0, counter: 0, maxTries: 32 });
    await loss.read();
    const q = await Q.read();
    const moved = Array.from({ length: s.items }, (_, j) => j).filter((j) => j !== 0 && q[j * s.d] !== 0);
    const own = new Set(positives.indices.subarray(positives.indptr[user], positives.indptr[user + 1]));
    expect(moved.length).toBeGreaterThan(30);
    expect(moved.filter((j) => own.has(j))).toEqual([]);
  });

  const T = (rows: number) => tensor(new Float32Array(rows * 2), [rows, 2], { backend });
  const I = (...v: number[]) => tensor(Int32Array.from(v), undefined, { backend });
  const attrs: BprSampleStepAttrs = { lr: 0.05, reg: 0, seed: 1, stream: 0, counter: 0, maxTries: 4 };
  const run = (inputs: Tensor[], a: BprSampleStepAttrs = attrs) => async () => {
    const [loss] = runKernel('bpr_sample_step', inputs, a);
    await loss.read();
  };
  it('rejects the wrong number of inputs', async () => {
    await expectFailure(run([T(2), T(3), I(0), I(0), I(0, 0, 0)]), /^bpr_sample_step: expected 6 inputs \[userFactors, itemFactors, users, positives, indptr, indices\], got 5$/);
  });
  it('rejects an indptr that is not one longer than the user rows', async () => {
    await expectFailure(run([T(2), T(3), I(0), I(0), I(0, 0), I()]), /^bpr_sample_step: indptr must be i32 \[3\] \(one more than the user rows\), got i32 \[2\]$/);
  });
  it('rejects a fractional maxTries and a counter that would pass 2⁵³', async () => {
    const inputs = [T(2), T(3), I(0), I(0), I(0, 0, 0), I()];
    await expectFailure(run(inputs, { ...attrs, maxTries: 1.5 }), /^bpr_sample_step: maxTries must be an integer in \[1, 2²⁰\], got 1.5$/);
    await expectFailure(run(inputs, { ...attrs, counter: 2 ** 53 - 2 }), /^bpr_sample_step: counter must be a non-negative integer with counter \+ 1·4 a safe integer/);
  });
  it('rejects a user outside the table (nothing updated)', async () => {
    const P = tensor(Float32Array.of(1, 1, 1, 1), [2, 2], { backend });
    await expectFailure(run([P, T(3), I(0, 2), I(0, 1), I(0, 0, 0), I()]),
      backend.name === 'webgpu' ? /out of range/ : /^bpr_sample_step: user 2 at position 1 is out of range for 2 rows$/);
    expect(Array.from(await P.read())).toEqual([1, 1, 1, 1]);
  });
  it('rejects a CSR row of a batch user that is not a range of indices', async () => {
    await expectFailure(run([T(2), T(3), I(1), I(0), I(0, 0, 5), I(1, 2)]),
      backend.name === 'webgpu' ? /indptr|out of range/ : /^bpr_sample_step: indptr\[1\] … indptr\[2\] = 0 … 5 is not a range of indices \(length 2\)$/);
  });
});
