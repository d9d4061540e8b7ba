import { type Backend, runKernel, type SkipgramStepAttrs, type Tensor, tensor } from '@rec/core';
import { assertClose, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { expectFailure, ids, uniformF32 } from './fixtures.js';

const USERS = 30;
const ITEMS = 60;
const CATEGORIES = 7;

/** The first index where two f32 arrays differ in their bits (−1 when identical), for a bitwise check. */
function bitsDiffer(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return k;
  return -1;
}

interface Run {
  tables: Float32Array[];
  losses: number[];
}

/**
 * `steps` batches of MRLR-style examples (user, item) → target with N
 * negatives; with `categories`, every item but a few has a category row.
 */
async function train(backend: Backend | string, d: number, batch: number, N: number, steps: number, attrs: SkipgramStepAttrs, categories: boolean): Promise<Run> {
  const U = tensor(uniformF32(1, USERS * d, -0.5, 0.5), [USERS, d], { backend });
  const V = tensor(uniformF32(2, ITEMS * d, -0.5, 0.5), [ITEMS, d], { backend });
  const Vout = tensor(uniformF32(3, ITEMS * d, -0.5, 0.5), [ITEMS, d], { backend });
  const extra: Tensor[] = [];
  if (categories) {
    const of = ids(4, ITEMS, CATEGORIES);
    for (let i = 0; i < ITEMS; i += 9) of[i] = -1; // items without a category
    extra.push(tensor(uniformF32(5, CATEGORIES * d, -0.5, 0.5), [CATEGORIES, d], { backend }), tensor(of, undefined, { backend }));
  }
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const t = (seed: number, n: number, count: number, shape?: number[]) => tensor(ids(seed + 100 * s, n, count), shape, { backend });
    const [loss] = runKernel('skipgram_step', [U, V, Vout, t(10, batch, USERS), t(11, batch, ITEMS), t(12, batch, ITEMS), t(13, batch * N, ITEMS, [batch, N]), ...extra], attrs);
    losses.push((await loss.read())[0]);
  }
  const tables = await Promise.all([U, V, Vout, ...(categories ? [extra[0]] : [])].map((x) => x.read()));
  return { tables: tables as Float32Array[], losses };
}

const TOLERANCE = { atol: 1e-5, rtol: 1e-5 };
const MRLR = { alpha1: 0.6, alpha2: 0.4, extraWeight: 0.3, lr: 0.05, reg: 0.001 };

await forEachBackend(parityBackends('skipgram_step'), (backend) => {
  const variants: { name: string; d: number; N: number; attrs: SkipgramStepAttrs; categories: boolean }[] = [
    { name: 'MRLR context α1·u + α2·v, category term, d = 64, N = 5', d: 64, N: 5, attrs: MRLR, categories: true },
    { name: 'MRLR context, no category table, d = 13, N = 3', d: 13, N: 3, attrs: MRLR, categories: false },
    { name: 'plain skip-gram (α2 = 0), d = 32, N = 10', d: 32, N: 10, attrs: { ...MRLR, alpha1: 1, alpha2: 0, reg: 0 }, categories: false },
    { name: 'no negatives (N = 0), d = 8', d: 8, N: 0, attrs: MRLR, categories: true },
    { name: 'd = 150 (several columns per webgpu invocation), category term, N = 2', d: 150, N: 2, attrs: MRLR, categories: true },
  ];
  for (const v of variants) {
    it(`single thread equals the reference within 1e-5 (${v.name}; rows repeated within and across batches)`, async () => {
      const ref = await train('js', v.d, 200, v.N, 3, v.attrs, v.categories);
      const got = await withNativeThreads(backend.name, 1, () => train(backend, v.d, 200, v.N, 3, v.attrs, v.categories));
      ref.tables.forEach((r, i) => assertClose(got.tables[i], r, TOLERANCE, `table ${i}`));
      assertClose(got.losses, ref.losses, TOLERANCE, 'mean loss');
    });
  }

  it('single-thread mode is deterministic', async () => {
    const a = await withNativeThreads(backend.name, 1, () => train(backend, 16, 500, 4, 2, MRLR, true));
    const b = await withNativeThreads(backend.name, 1, () => train(backend, 16, 500, 4, 2, MRLR, true));
    a.tables.forEach((t, i) => expect(Array.from(t)).toEqual(Array.from(b.tables[i])));
  });

  // The deterministic schedule (default): every row (context, output, category) gets its updates
  // in batch order with the reference's arithmetic, so native equals js bit for bit at any
  // thread count. 30 users, 60 items and 7 categories under batches of 200 chain most examples.
  for (const threads of [1, 2]) {
    for (const v of variants) {
      it(`deterministic mode equals the reference bitwise (${threads} thread(s), ${v.name})`, async () => {
        if (backend.name !== 'native') return; // webgpu works in f32: the tolerance test above covers it
        const ref = await train('js', v.d, 200, v.N, 3, v.attrs, v.categories);
        const got = await withNativeThreads(backend.name, threads, () => train(backend, v.d, 200, v.N, 3, v.attrs, v.categories));
        ref.tables.forEach((r, i) => expect(bitsDiffer(got.tables[i], r), `table ${i}`).toBe(-1));
        // The loss terms use the C library's log1p, which may differ from V8's by an f64 ulp.
        assertClose(got.losses, ref.losses, { atol: 1e-7, rtol: 1e-7 }, 'mean loss');
      });
    }
  }

  it('Hogwild over 2 threads stays close to the sequential result and lowers the loss', async () => {
    const MRLR_HOGWILD = { ...MRLR, hogwild: true };
    const ref = await train('js', 16, 4000, 5, 1, MRLR_HOGWILD, true);
    const got = await withNativeThreads(backend.name, 2, () => train(backend, 16, 4000, 5, 1, MRLR_HOGWILD, true));
    expect(Math.abs(got.losses[0] - ref.losses[0])).toBeLessThan(0.02 * ref.losses[0]);
    expect(got.tables.every((t) => t.every(Number.isFinite))).toBe(true);
    const after = (await withNativeThreads(backend.name, 2, () => train(backend, 16, 4000, 5, 8, MRLR_HOGWILD, true))).losses;
    expect(after[7]).toBeLessThan(after[0]);
  });

  it('a zero model has loss (N + 1)·ln 2 and the step moves the target toward the context', async () => {
    const U = tensor(Float32Array.of(1, 0), [1, 2], { backend });
    const V = tensor(Float32Array.of(0, 1), [1, 2], { backend });
    const W = tensor(new Float32Array(4), [2, 2], { backend });
    const one = (...v: number[]) => tensor(Int32Array.from(v), undefined, { backend });
    const [loss] = runKernel('skipgram_step', [U, V, W, one(0), one(0), one(0), tensor(Int32Array.of(1), [1, 1], { backend })], { alpha1: 0.5, alpha2: 0.5, extraWeight: 0, lr: 1, reg: 0 });
    expect((await loss.read())[0]).toBeCloseTo(2 * Math.LN2, 6);
    // c = (0.5, 0.5); target g = 1 − σ(0) = 0.5, negative g = −0.5.
    expect(Array.from(await W.read())).toEqual([0.25, 0.25, -0.25, -0.25]);
  });

  it('rejects a negative outside the output table', async () => {
    const T = (rows: number) => tensor(new Float32Array(rows * 2), [rows, 2], { backend });
    const one = (v: number) => tensor(Int32Array.of(v), undefined, { backend });
    // webgpu finds the bad id on the GPU and reports it at the read, without its position.
    await expectFailure(async () => {
      const [loss] = runKernel('skipgram_step', [T(1), T(1), T(2), one(0), one(0), one(0), tensor(Int32Array.of(2), [1, 1], { backend })], MRLR);
      await loss.read();
    }, backend.name === 'webgpu' ? /a context, target or negative id is out of range for its table \(1 contextA, 1 contextB, 2 output rows\)/ : /negative 2 at position 0 is out of range for 2 rows/);
  });
});
