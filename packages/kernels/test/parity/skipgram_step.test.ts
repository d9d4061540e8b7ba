import { type Backend, runKernel, type SkipgramStepAttrs, type Tensor, tensor } from '@rec/core';
import { assertClose, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { bitsDiffer, expectFailure, ids, uniformF32 } from './fixtures.js';

/**
 * Each output row's category list in CSR form: 0 to `most` categories of
 * `categories`, every 9th list empty, and row 1's list names one category
 * twice (valid input: it counts twice in |C| and gets two updates, in list order).
 */
function categoryLists(seed: number, rows: number, categories: number, most = 4): { indptr: Int32Array; indices: Int32Array } {
  const counts = ids(seed, rows, most + 1);
  const picks = ids(seed + 1, rows * most, categories);
  const indptr = new Int32Array(rows + 1);
  const all: number[] = [];
  for (let r = 0; r < rows; r++) {
    if (r === 1) all.push(picks[r * most], picks[r * most + 1], picks[r * most]);
    else if (r % 9 !== 0) {
      for (let k = 0; k < counts[r]; k++) {
        const c = picks[r * most + k];
        if (!all.slice(indptr[r]).includes(c)) all.push(c);
      }
    }
    indptr[r + 1] = all.length;
  }
  return { indptr, indices: Int32Array.from(all) };
}

interface Shape {
  /** Width d. */
  d: number;
  /** Negatives per example N. */
  N: number;
  users: number;
  items: number;
  /** Rows of the category table; 0 = no category inputs (the 7-input form). */
  categories: number;
}

interface Run {
  tables: Float32Array[];
  losses: number[];
}

/**
 * `steps` batches of MRLR-style examples (user, item) → target with N
 * negatives; with categories, every output item has 0 to 4 of them (CSR),
 * so targets and negatives share category rows within and across examples.
 */
async function train(backend: Backend | string, s: Shape, batch: number, steps: number, attrs: SkipgramStepAttrs): Promise<Run> {
  const { d, N, users, items, categories } = s;
  const U = tensor(uniformF32(1, users * d, -0.5, 0.5), [users, d], { backend });
  const V = tensor(uniformF32(2, items * d, -0.5, 0.5), [items, d], { backend });
  const Vout = tensor(uniformF32(3, items * d, -0.5, 0.5), [items, d], { backend });
  const extra: Tensor[] = [];
  if (categories > 0) {
    const { indptr, indices } = categoryLists(4, items, categories);
    extra.push(tensor(uniformF32(5, categories * d, -0.5, 0.5), [categories, d], { backend }), tensor(indptr, undefined, { backend }), tensor(indices, undefined, { backend }));
  }
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const t = (seed: number, n: number, count: number, shape?: number[]) => tensor(ids(seed + 100 * step, n, count), shape, { backend });
    const [loss] = runKernel('skipgram_step', [U, V, Vout, t(10, batch, users), t(11, batch, items), t(12, batch, items), t(13, batch * N, items, [batch, N]), ...extra], attrs);
    losses.push((await loss.read())[0]);
  }
  const tables = await Promise.all([U, V, Vout, ...(categories > 0 ? [extra[0]] : [])].map((x) => x.read()));
  return { tables: tables as Float32Array[], losses };
}

const TOLERANCE = { atol: 1e-5, rtol: 1e-5 };
const MRLR = { alpha1: 0.6, alpha2: 0.4, extraWeight: 0.3, lr: 0.05, reg: 0.001 };
const SMALL = { users: 30, items: 60 };

await forEachBackend(parityBackends('skipgram_step'), (backend) => {
  const variants: { name: string; shape: Shape; attrs: SkipgramStepAttrs }[] = [
    { name: 'MRLR context α1·u + α2·v, 0–4 categories per item, d = 64, N = 5', shape: { ...SMALL, d: 64, N: 5, categories: 7 }, attrs: MRLR },
    { name: 'MRLR context, no category table, d = 13, N = 3', shape: { ...SMALL, d: 13, N: 3, categories: 0 }, attrs: MRLR },
    { name: 'plain skip-gram (α2 = 0), d = 32, N = 10', shape: { ...SMALL, d: 32, N: 10, categories: 0 }, attrs: { ...MRLR, alpha1: 1, alpha2: 0, reg: 0 } },
    { name: 'no negatives (N = 0), categories, d = 8', shape: { ...SMALL, d: 8, N: 0, categories: 7 }, attrs: MRLR },
    { name: 'd = 150 (several columns per webgpu invocation), categories, N = 2', shape: { ...SMALL, d: 150, N: 2, categories: 7 }, attrs: MRLR },
    { name: 'categories with β = 0 (their rows still decay by λ), d = 16, N = 4', shape: { ...SMALL, d: 16, N: 4, categories: 5 }, attrs: { ...MRLR, extraWeight: 0 } },
  ];
  for (const v of variants) {
    it(`single thread equals the reference within 1e-5 (${v.name}; rows repeated within and across batches)`, async () => {
      const ref = await train('js', v.shape, 200, 3, v.attrs);
      const got = await withNativeThreads(backend.name, 1, () => train(backend, v.shape, 200, 3, v.attrs));
      ref.tables.forEach((r, i) => assertClose(got.tables[i], r, TOLERANCE, `table ${i}`));
      assertClose(got.losses, ref.losses, TOLERANCE, 'mean loss');
    });
  }

  it('single-thread mode is deterministic', async () => {
    const shape = { ...SMALL, d: 16, N: 4, categories: 7 };
    const a = await withNativeThreads(backend.name, 1, () => train(backend, shape, 500, 2, MRLR));
    const b = await withNativeThreads(backend.name, 1, () => train(backend, shape, 500, 2, MRLR));
    a.tables.forEach((t, i) => expect(Array.from(t)).toEqual(Array.from(b.tables[i])));
  });

  // The deterministic schedule (default): every row (context, output, each category of each
  // output row) gets its updates in batch order with the reference's arithmetic, so native
  // equals js bit for bit at any thread count. 30 users, 60 items and 7 categories under
  // batches of 200 chain most examples; 3,000 users and items with 300 categories leave many
  // independent, so two threads really run examples side by side.
  const large = { name: '3,000 users × 3,000 items, 300 categories, batch 4,000, d = 24, N = 5', shape: { users: 3000, items: 3000, d: 24, N: 5, categories: 300 }, attrs: MRLR, batch: 4000 };
  for (const threads of [1, 2]) {
    for (const v of [...variants.map((x) => ({ ...x, batch: 200 })), large]) {
      it(`deterministic mode equals the reference bitwise (${threads} thread(s), ${v.name})`, async () => {
        if (backend.name !== 'native') return; // webgpu works in f32: the tolerance test above covers it
        const ref = await train('js', v.shape, v.batch, 3, v.attrs);
        const got = await withNativeThreads(backend.name, threads, () => train(backend, v.shape, v.batch, 3, v.attrs));
        ref.tables.forEach((r, i) => expect(bitsDiffer(got.tables[i], r), `table ${i}`).toBe(-1));
        // The loss terms use the C library's log1p, which may differ from V8's by an f64 ulp.
        assertClose(got.losses, ref.losses, { atol: 1e-7, rtol: 1e-7 }, 'mean loss');
      });
    }
  }

  // fast: true (native's f32 variant): the reference up to f32 rounding, as webgpu — the
  // variants repeat output rows within an example (60 items, up to 11 rows each), so both of its
  // paths run — and deterministic: the same bits at 1 and 2 threads and on a rerun. js and
  // webgpu ignore the attribute.
  // N = 70 from 3,000 items: most examples have distinct rows (the side-by-side path, whose
  // loss takes one ln per 64 rows), the rest a repeat (the in-order path).
  const wide = { name: 'plain skip-gram, N = 70 over 3,000 items, d = 8', shape: { users: 300, items: 3000, d: 8, N: 70, categories: 0 }, attrs: { ...MRLR, alpha1: 1, alpha2: 0 } };
  for (const v of [...variants, { ...large, batch: undefined }, wide]) {
    it(`fast: true equals the reference within 1e-5 (${v.name})`, async () => {
      const ref = await train('js', v.shape, 200, 3, v.attrs);
      const got = await withNativeThreads(backend.name, 1, () => train(backend, v.shape, 200, 3, { ...v.attrs, fast: true }));
      ref.tables.forEach((r, i) => assertClose(got.tables[i], r, TOLERANCE, `table ${i}`));
      assertClose(got.losses, ref.losses, TOLERANCE, 'mean loss');
    });
  }
  it('fast: true gives the same bits at 1 and 2 threads and on a rerun (ordered schedule)', async () => {
    const attrs = { ...MRLR, fast: true };
    const a = await withNativeThreads(backend.name, 1, () => train(backend, large.shape, large.batch, 2, attrs));
    const b = await withNativeThreads(backend.name, 2, () => train(backend, large.shape, large.batch, 2, attrs));
    const c = await withNativeThreads(backend.name, 2, () => train(backend, large.shape, large.batch, 2, attrs));
    a.tables.forEach((t, i) => {
      expect(bitsDiffer(b.tables[i], t), `table ${i}, 2 threads`).toBe(-1);
      expect(bitsDiffer(c.tables[i], t), `table ${i}, rerun`).toBe(-1);
    });
  });
  it('fast: true changes the arithmetic on native without categories (so the test above is not the exact path), and runs the exact loop with them', async () => {
    if (backend.name !== 'native') return; // js and webgpu ignore the attribute
    const plain = { ...SMALL, d: 16, N: 4, categories: 0 };
    const exact = await train(backend, plain, 200, 2, MRLR);
    const fast = await train(backend, plain, 200, 2, { ...MRLR, fast: true });
    expect(fast.tables.some((t, i) => bitsDiffer(t, exact.tables[i]) !== -1)).toBe(true);
    const withCategories = { ...SMALL, d: 16, N: 4, categories: 7 };
    const exactC = await train(backend, withCategories, 200, 2, MRLR);
    const fastC = await train(backend, withCategories, 200, 2, { ...MRLR, fast: true });
    fastC.tables.forEach((t, i) => expect(bitsDiffer(t, exactC.tables[i]), `table ${i}`).toBe(-1));
  });
  it('rejects a non-boolean fast', () => {
    const T1 = () => tensor(new Float32Array(2), [1, 2], { backend });
    const one = tensor(Int32Array.of(0), undefined, { backend });
    expect(() => runKernel('skipgram_step', [T1(), T1(), T1(), one, one, one, tensor(Int32Array.of(0), [1, 1], { backend })], { ...MRLR, fast: 1 as unknown as boolean }))
      .toThrow(/^skipgram_step: attribute fast must be true or false, got 1$/);
  });

  it('hogwild: true at one thread equals the reference bitwise (categories)', async () => {
    const shape = { ...SMALL, d: 16, N: 4, categories: 7 };
    const attrs = { ...MRLR, hogwild: true };
    const ref = await train('js', shape, 300, 2, attrs);
    const got = await withNativeThreads(backend.name, 1, () => train(backend, shape, 300, 2, attrs));
    if (backend.name === 'native') ref.tables.forEach((r, i) => expect(bitsDiffer(got.tables[i], r), `table ${i}`).toBe(-1));
    else ref.tables.forEach((r, i) => assertClose(got.tables[i], r, TOLERANCE, `table ${i}`));
  });

  for (const categories of [0, 40]) {
    it(`Hogwild over 2 threads stays close to the sequential result and lowers the loss (${categories ? `${categories} categories` : 'no categories'})`, async () => {
      const shape = { ...SMALL, d: 16, N: 5, categories };
      const MRLR_HOGWILD = { ...MRLR, hogwild: true };
      const ref = await train('js', shape, 4000, 1, MRLR_HOGWILD);
      const got = await withNativeThreads(backend.name, 2, () => train(backend, shape, 4000, 1, MRLR_HOGWILD));
      expect(Math.abs(got.losses[0] - ref.losses[0])).toBeLessThan(0.02 * ref.losses[0]);
      expect(got.tables.every((t) => t.every(Number.isFinite))).toBe(true);
      const after = (await withNativeThreads(backend.name, 2, () => train(backend, shape, 4000, 8, MRLR_HOGWILD))).losses;
      expect(after[7]).toBeLessThan(after[0]);
    });
  }

  it('with α2 = 0 and λ = 0 leaves contextB unread and unwritten (NaN rows stay NaN, the rest as with zeros); with λ > 0 decays it', async () => {
    const run = async (b: Float32Array, reg: number) => {
      const U = tensor(uniformF32(1, 8, -0.5, 0.5), [2, 4], { backend });
      const V = tensor(b, [2, 4], { backend });
      const W = tensor(uniformF32(2, 12, -0.5, 0.5), [3, 4], { backend });
      const I = (...v: number[]) => tensor(Int32Array.from(v), undefined, { backend });
      runKernel('skipgram_step', [U, V, W, I(0, 1), I(0, 1), I(2, 0), tensor(Int32Array.of(1, 2), [2, 1], { backend })], { alpha1: 1, alpha2: 0, extraWeight: 0, lr: 0.1, reg });
      return [await U.read(), await V.read(), await W.read()] as Float32Array[];
    };
    const withNaN = await run(new Float32Array(8).fill(Number.NaN), 0);
    const withZeros = await run(new Float32Array(8), 0);
    expect(withNaN[1].every(Number.isNaN)).toBe(true);
    for (const i of [0, 2]) assertClose(withNaN[i], withZeros[i], { atol: 0, rtol: 0 }, `table ${i}`);
    const decayed = await run(new Float32Array(8).fill(1), 0.5);
    assertClose(decayed[1], new Float32Array(8).fill(1 - 0.1 * 0.5), { atol: 1e-7, rtol: 0 }, 'contextB under λ');
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

  it('an output row with two categories uses their mean, scaled by β, and moves each by g·(β/2)·c', async () => {
    // c = (1, 0) (α1 = 1, α2 = 0); target row 0 = 0 with categories [0, 1], x_0 = (2, 0), x_1 = (0, 2);
    // t = 0 + (1/2)·(2, 2) = (1, 1) with β = 1, s = 1, g = 1 − σ(1).
    const U = tensor(Float32Array.of(1, 0), [1, 2], { backend });
    const V = tensor(Float32Array.of(0, 0), [1, 2], { backend });
    const W = tensor(new Float32Array(2), [1, 2], { backend });
    const X = tensor(Float32Array.of(2, 0, 0, 2), [2, 2], { backend });
    const one = (...v: number[]) => tensor(Int32Array.from(v), undefined, { backend });
    const [loss] = runKernel('skipgram_step', [U, V, W, one(0), one(0), one(0), tensor(new Int32Array(0), [1, 0], { backend }), X, one(0, 2), one(0, 1)],
      { alpha1: 1, alpha2: 0, extraWeight: 1, lr: 1, reg: 0 });
    const g = 1 - 1 / (1 + Math.exp(-1));
    expect((await loss.read())[0]).toBeCloseTo(Math.log1p(Math.exp(-1)), 6);
    assertClose(await W.read(), Float32Array.of(g, 0), { atol: 1e-7, rtol: 0 }, 'output row');
    assertClose(await X.read(), Float32Array.of(2 + g / 2, 0, g / 2, 2), { atol: 1e-6, rtol: 0 }, 'category rows');
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

  // Bad category inputs: the engine checks their shapes (the spec's rule) on every backend; js
  // and native check the ids and lists on the host (checkSkipgramStepIds) with one-line
  // messages before any write; webgpu's ids live on the GPU, so a bad indptr value or category id may instead be
  // reported by its status word at the read (the regex then only asks for an extra-row failure).
  const T = (rows: number) => tensor(new Float32Array(rows * 2), [rows, 2], { backend });
  const I = (...v: number[]) => tensor(Int32Array.from(v), undefined, { backend });
  const runWithExtras = (indptr: Tensor, indices: Tensor, categories = 2) => async () => {
    // 3 output rows; the batch touches rows 0 (target) and 2 (negative).
    const [loss] = runKernel('skipgram_step', [T(1), T(1), T(3), I(0), I(0), I(0), tensor(Int32Array.of(2), [1, 1], { backend }), T(categories), indptr, indices], MRLR);
    await loss.read();
  };
  const onGpu = (shared: RegExp) => (backend.name === 'webgpu' ? /skipgram_step: .*(extra|out of range)/ : shared);
  it('rejects an extraIndptr of the wrong length', async () => {
    await expectFailure(runWithExtras(I(0, 1, 2), I(0, 1)), /^skipgram_step: extraIndptr must be i32 \[4\] \(one more than the output rows\), got i32 \[3\]$/);
  });
  it('rejects an extraIndptr that does not run from 0 to the length of extraIndices', async () => {
    await expectFailure(runWithExtras(I(0, 1, 1, 1), I(0, 1)), onGpu(/^skipgram_step: extraIndptr must run from 0 to 2 \(the length of extraIndices\), got 0 … 1$/));
  });
  it('rejects a decreasing extraIndptr range of a touched row', async () => {
    await expectFailure(runWithExtras(I(0, 1, 3, 2), I(0, 1)), onGpu(/^skipgram_step: extraIndptr\[2\] … extraIndptr\[3\] = 3 … 2 is not a range of extraIndices \(length 2\)$/));
  });
  it('rejects a category id outside the extra table', async () => {
    await expectFailure(runWithExtras(I(0, 1, 1, 2), I(0, 2)), onGpu(/^skipgram_step: extra row 2 of output row 2 \(extraIndices\[1\]\) is out of range for 2 rows$/));
  });
  it('rejects the old 9-input form (extraOfOutput)', async () => {
    await expectFailure(async () => {
      const [loss] = runKernel('skipgram_step', [T(1), T(1), T(3), I(0), I(0), I(0), tensor(Int32Array.of(2), [1, 1], { backend }), T(2), I(0, -1, 1)], MRLR);
      await loss.read();
    }, /^skipgram_step: expected 7 inputs \[contextA, contextB, output, ctxA, ctxB, targets, negatives\] and optionally \[extra, extraIndptr, extraIndices\], got 9$/);
  });
});
