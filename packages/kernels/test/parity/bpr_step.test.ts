import { type Backend, type BprStepAttrs, runKernel, type Tensor, tensor } from '@rec/core';
import { assertClose, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { bitsDiffer, expectFailure, ids, uniformF32 } from './fixtures.js';

const USERS = 30;
const ITEMS = 45;

/**
 * Each item's category list in CSR form: 0 to `most` distinct categories of
 * `categories`, every 7th list empty; with few categories, the positive and
 * the negative of a triple often share one.
 */
function categoryLists(seed: number, items: number, categories: number, most = 4): { indptr: Int32Array; indices: Int32Array } {
  const counts = ids(seed, items, most + 1);
  const picks = ids(seed + 1, items * most, categories);
  const indptr = new Int32Array(items + 1);
  const all: number[] = [];
  for (let r = 0; r < items; r++) {
    if (r % 7 !== 0) {
      for (let k = 0; k < counts[r]; k++) {
        const c = picks[r * most + k];
        if (!all.slice(indptr[r]).includes(c)) all.push(c);
      }
    }
    indptr[r + 1] = all.length;
  }
  return { indptr, indices: Int32Array.from(all) };
}

interface Run {
  P: Float32Array;
  Q: Float32Array;
  /** The category table after training (empty without categories). */
  X: Float32Array;
  losses: number[];
}

/**
 * `steps` batches of random triples (every 13th with i = j); with
 * `categories` > 0, the 8-input form with 0 to 4 categories per item.
 */
async function train(backend: Backend | string, d: number, batch: number, steps: number, attrs: BprStepAttrs, users = USERS, items = ITEMS, categories = 0): Promise<Run> {
  const P = tensor(uniformF32(1, users * d, -0.5, 0.5), [users, d], { backend });
  const Q = tensor(uniformF32(2, items * d, -0.5, 0.5), [items, d], { backend });
  const extra: Tensor[] = [];
  if (categories > 0) {
    const { indptr, indices } = categoryLists(4, items, categories);
    extra.push(tensor(uniformF32(5, categories * d, -0.5, 0.5), [categories, d], { backend }), tensor(indptr, undefined, { backend }), tensor(indices, undefined, { backend }));
  }
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const pos = ids(20 + s, batch, items);
    const neg = ids(30 + s, batch, items);
    for (let k = 0; k < batch; k += 13) neg[k] = pos[k];
    const u = tensor(ids(10 + s, batch, users), undefined, { backend });
    const [loss] = runKernel('bpr_step', [P, Q, u, tensor(pos, undefined, { backend }), tensor(neg, undefined, { backend }), ...extra], attrs);
    losses.push((await loss.read())[0]);
  }
  const X = categories > 0 ? ((await extra[0].read()) as Float32Array) : new Float32Array(0);
  return { P: (await P.read()) as Float32Array, Q: (await Q.read()) as Float32Array, X, losses };
}

const TOLERANCE = { atol: 1e-6, rtol: 1e-5 };
/** MRLR's ranking term with its category weight α3 = β. */
const WITH_CATEGORIES = { lr: 0.05, reg: 0.01, extraWeight: 0.3 };

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

  for (const [d, categories] of [[64, 6], [13, 6], [150, 20]] as const) {
    it(`single thread equals the reference with 0–4 categories per item (d = ${d}, ${categories} categories shared by positives and negatives, i = j in some triples)`, async () => {
      const ref = await train('js', d, 300, 3, WITH_CATEGORIES, USERS, ITEMS, categories);
      const got = await withNativeThreads(backend.name, 1, () => train(backend, d, 300, 3, WITH_CATEGORIES, USERS, ITEMS, categories));
      assertClose(got.P, ref.P, TOLERANCE, 'user factors');
      assertClose(got.Q, ref.Q, TOLERANCE, 'item factors');
      assertClose(got.X, ref.X, TOLERANCE, 'category factors');
      assertClose(got.losses, ref.losses, TOLERANCE, 'mean loss');
    });
  }

  // The deterministic schedule (default) performs every row's updates in batch order with the
  // reference's arithmetic: native equals js bit for bit at any thread count. 30 users and 45
  // items under batches of 300 chain most triples; 3,000 × 3,000 rows leave most independent
  // (with 300 categories, those that share a category still chain).
  const cases = [[1, USERS, ITEMS, 300, 0], [2, USERS, ITEMS, 300, 0], [2, 3000, 3000, 4000, 0], [1, USERS, ITEMS, 300, 6], [2, USERS, ITEMS, 300, 6], [2, 3000, 3000, 4000, 300]] as const;
  for (const [threads, users, items, batch, categories] of cases) {
    const label = `${threads} thread(s), ${users} users × ${items} items, batch ${batch}${categories ? `, ${categories} categories` : ''}`;
    it(`deterministic mode equals the reference bitwise (${label})`, async () => {
      if (backend.name !== 'native') return; // webgpu works in f32: the tolerance test above covers it
      const attrs = categories ? WITH_CATEGORIES : { lr: 0.05, reg: 0.01 };
      for (const d of [64, 13]) {
        const ref = await train('js', d, batch, 3, attrs, users, items, categories);
        const got = await withNativeThreads(backend.name, threads, () => train(backend, d, batch, 3, attrs, users, items, categories));
        expect(bitsDiffer(got.P, ref.P), 'user factors').toBe(-1);
        expect(bitsDiffer(got.Q, ref.Q), 'item factors').toBe(-1);
        expect(bitsDiffer(got.X, ref.X), 'category factors').toBe(-1);
        // The loss terms are f32 polynomials summed in f64 in batch order: equal up to the output's rounding.
        assertClose(got.losses, ref.losses, { atol: 1e-7, rtol: 1e-7 }, 'mean loss');
      }
    });
  }

  // σ(−x) comes from z = e^−|x| by a fixed f32 expf: rows of ±4 give |x| up to ~200, past the
  // −87.3 where z underflows to 0, and both signs, so every branch of it is compared bit for bit.
  it('deterministic mode equals the reference bitwise for large |x| (rows of ±4, d = 64)', async () => {
    if (backend.name !== 'native') return;
    const d = 64;
    const run = async (b: Backend | string) => {
      const P = tensor(uniformF32(7, USERS * d, -4, 4), [USERS, d], { backend: b });
      const Q = tensor(uniformF32(8, ITEMS * d, -4, 4), [ITEMS, d], { backend: b });
      const [loss] = runKernel('bpr_step', [P, Q, tensor(ids(1, 200, USERS), undefined, { backend: b }), tensor(ids(2, 200, ITEMS), undefined, { backend: b }),
        tensor(ids(3, 200, ITEMS), undefined, { backend: b })], { lr: 0.001, reg: 0.01 });
      return { P: (await P.read()) as Float32Array, Q: (await Q.read()) as Float32Array, loss: (await loss.read())[0] };
    };
    const ref = await run('js');
    const got = await run(backend);
    expect(ref.loss).toBeGreaterThan(5);
    expect(bitsDiffer(got.P, ref.P), 'user factors').toBe(-1);
    expect(bitsDiffer(got.Q, ref.Q), 'item factors').toBe(-1);
    assertClose([got.loss], [ref.loss], { atol: 1e-7, rtol: 1e-7 }, 'mean loss');
  });

  for (const categories of [0, 6]) {
    it(`hogwild: true at one thread equals the reference bitwise${categories ? ' (categories)' : ''}; the attribute is validated`, async () => {
      const attrs = { ...(categories ? WITH_CATEGORIES : { lr: 0.05, reg: 0.01 }), hogwild: true };
      const ref = await train('js', 16, 300, 2, attrs, USERS, ITEMS, categories);
      const got = await withNativeThreads(backend.name, 1, () => train(backend, 16, 300, 2, attrs, USERS, ITEMS, categories));
      if (backend.name === 'native') {
        expect(bitsDiffer(got.Q, ref.Q)).toBe(-1);
        expect(bitsDiffer(got.X, ref.X)).toBe(-1);
      } else {
        assertClose(got.Q, ref.Q, TOLERANCE, 'item factors');
        assertClose(got.X, ref.X, TOLERANCE, 'category factors');
      }
      // The engine checks the spec's rule (checkBprStepInputs) before every backend.
      await expectFailure(() => train(backend, 4, 10, 1, { ...attrs, hogwild: 'yes' as unknown as boolean }, USERS, ITEMS, categories), /bpr_step: attribute hogwild must be true or false, got yes/);
    });
  }

  it('single-thread mode is deterministic', async () => {
    const attrs = { lr: 0.1, reg: 0, extraWeight: 0.5 };
    const a = await withNativeThreads(backend.name, 1, () => train(backend, 32, 500, 2, attrs, USERS, ITEMS, 6));
    const b = await withNativeThreads(backend.name, 1, () => train(backend, 32, 500, 2, attrs, USERS, ITEMS, 6));
    expect(Array.from(a.Q)).toEqual(Array.from(b.Q));
    expect(Array.from(a.X)).toEqual(Array.from(b.X));
  });

  for (const categories of [0, 40]) {
    it(`Hogwild over 2 threads stays close to the sequential result and lowers the loss (${categories ? `${categories} categories` : 'no categories'})`, async () => {
      const attrs = { lr: 0.05, reg: 0.001, extraWeight: 0.3, hogwild: true };
      const ref = await train('js', 16, 4000, 1, attrs, USERS, ITEMS, categories);
      const got = await withNativeThreads(backend.name, 2, () => train(backend, 16, 4000, 1, attrs, USERS, ITEMS, categories));
      expect(Math.abs(got.losses[0] - ref.losses[0])).toBeLessThan(0.02 * ref.losses[0]);
      expect(got.P.every(Number.isFinite) && got.Q.every(Number.isFinite) && got.X.every(Number.isFinite)).toBe(true);
      const after = (await withNativeThreads(backend.name, 2, () => train(backend, 16, 4000, 8, attrs, USERS, ITEMS, categories))).losses;
      expect(after[7]).toBeLessThan(after[0]);
    });
  }

  it('the loss of a zero model is ln 2 and the step moves q_i and q_j apart', async () => {
    const P = tensor(new Float32Array([1, 0]), [1, 2], { backend });
    const Q = tensor(new Float32Array([0, 0, 0, 0]), [2, 2], { backend });
    const one = (v: number) => tensor(Int32Array.of(v), undefined, { backend });
    const [loss] = runKernel('bpr_step', [P, Q, one(0), one(0), one(1)], { lr: 1, reg: 0 });
    expect((await loss.read())[0]).toBeCloseTo(Math.LN2, 6);
    expect(Array.from(await Q.read())).toEqual([0.5, 0, -0.5, 0]);
  });

  it('categories: q̃ = q + (β/|C|)·Σ x; a category of both items gets both updates, the second reading the first', async () => {
    // p = (1, 0), q_0 = q_1 = 0; item 0 has categories [0, 1], item 1 has [1]; x_0 = (2, 0), x_1 = (0, 2); β = 1.
    // q̃_0 = (1, 1), q̃_1 = (0, 2); x = ⟨p, q̃_0 − q̃_1⟩ = 1, g = σ(−1).
    const P = tensor(Float32Array.of(1, 0), [1, 2], { backend });
    const Q = tensor(new Float32Array(4), [2, 2], { backend });
    const X = tensor(Float32Array.of(2, 0, 0, 2), [2, 2], { backend });
    const I = (...v: number[]) => tensor(Int32Array.from(v), undefined, { backend });
    const [loss] = runKernel('bpr_step', [P, Q, I(0), I(0), I(1), X, I(0, 2, 3), I(0, 1, 1)], { lr: 1, reg: 0, extraWeight: 1 });
    const g = 1 / (1 + Math.exp(1));
    expect((await loss.read())[0]).toBeCloseTo(Math.log1p(Math.exp(-1)), 6);
    // p ← p + g·(q̃_0 − q̃_1) = (1 + g, −g); q_0 ← g·p_old, q_1 ← −g·p_old.
    assertClose(await P.read(), Float32Array.of(1 + g, -g), { atol: 1e-6, rtol: 0 }, 'user row');
    assertClose(await Q.read(), Float32Array.of(g, 0, -g, 0), { atol: 1e-6, rtol: 0 }, 'item rows');
    // x_0 ← x_0 + (g/2)·p_old; x_1 ← x_1 + (g/2)·p_old − g·p_old.
    assertClose(await X.read(), Float32Array.of(2 + g / 2, 0, g / 2 - g, 2), { atol: 1e-6, rtol: 0 }, 'category rows');
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

  // Bad category inputs: the engine checks their shapes and extraWeight (the spec's rule) on
  // every backend; js and native check the ids and lists on the host (checkBprStepIds) with
  // one-line messages before any write. webgpu's ids live on the GPU, so a bad indptr value or category id may instead
  // be reported by its status word at the read (the regex then only asks for an extra-row failure).
  const F = (rows: number) => tensor(new Float32Array(rows * 2), [rows, 2], { backend });
  const I = (...v: number[]) => tensor(Int32Array.from(v), undefined, { backend });
  const runWithExtras = (indptr: Tensor, indices: Tensor, attrs: BprStepAttrs = WITH_CATEGORIES, categories = 2) => async () => {
    // 3 items; the triple (0, 0, 2) touches items 0 and 2.
    const [loss] = runKernel('bpr_step', [F(1), F(3), I(0), I(0), I(2), F(categories), indptr, indices], attrs);
    await loss.read();
  };
  const onGpu = (shared: RegExp) => (backend.name === 'webgpu' ? /bpr_step: .*(extra|out of range)/ : shared);
  it('rejects the category inputs without extraWeight', async () => {
    await expectFailure(runWithExtras(I(0, 1, 1, 2), I(0, 1), { lr: 0.05, reg: 0 }), /^bpr_step: attribute extraWeight must be a finite number when the extra table is given, got undefined$/);
  });
  it('rejects an extraIndptr of the wrong length', async () => {
    await expectFailure(runWithExtras(I(0, 1, 2), I(0, 1)), /^bpr_step: extraIndptr must be i32 \[4\] \(one more than the output rows\), got i32 \[3\]$/);
  });
  it('rejects an extraIndptr that does not run from 0 to the length of extraIndices', async () => {
    await expectFailure(runWithExtras(I(0, 1, 1, 1), I(0, 1)), onGpu(/^bpr_step: extraIndptr must run from 0 to 2 \(the length of extraIndices\), got 0 … 1$/));
  });
  it('rejects a decreasing extraIndptr range of a touched item', async () => {
    await expectFailure(runWithExtras(I(0, 1, 3, 2), I(0, 1)), onGpu(/^bpr_step: extraIndptr\[2\] … extraIndptr\[3\] = 3 … 2 is not a range of extraIndices \(length 2\)$/));
  });
  it('rejects a category id outside the extra table', async () => {
    await expectFailure(runWithExtras(I(0, 1, 1, 2), I(0, 2)), onGpu(/^bpr_step: extra row 2 of output row 2 \(extraIndices\[1\]\) is out of range for 2 rows$/));
  });
  it('rejects 6 or 7 inputs', async () => {
    await expectFailure(async () => {
      const [loss] = runKernel('bpr_step', [F(1), F(3), I(0), I(0), I(2), F(2), I(0, 1, 1, 2)], WITH_CATEGORIES);
      await loss.read();
    }, /^bpr_step: expected 5 inputs \[userFactors, itemFactors, users, positives, negatives\] and optionally \[extra, extraIndptr, extraIndices\], got 7$/);
  });
});
