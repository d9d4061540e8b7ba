import { AliasTable, type Backend, runKernel, type SkipgramSampleStepAttrs, type SkipgramStepAttrs, type Tensor, tensor, unigramWeights } from '@rec/core';
import { assertClose, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { bitsDiffer, csr, expectFailure, ids, uniformF32 } from './fixtures.js';

interface Shape {
  d: number;
  N: number;
  users: number;
  items: number;
  /** Rows of the category table; 0 = the 8-input form. */
  categories: number;
}

/** Zipf-like counts over the items with some zeros, smoothed to unigram^0.75 as word2vec does. */
function noiseOf(items: number): AliasTable {
  return AliasTable.fromWeights(unigramWeights(Array.from({ length: items }, (_, j) => (j % 13 === 4 ? 0 : Math.floor(5000 / (1 + j))))));
}

interface Run {
  tables: Float32Array[];
  losses: number[];
}

/**
 * `steps` batches through `skipgram_sample_step` (`fused`) or through `neg_sample_alias` +
 * `skipgram_step` at the same counters (the composition the kernel is defined as).
 */
async function train(backend: Backend | string, s: Shape, batch: number, steps: number, attrs: SkipgramStepAttrs, fused: boolean, counter0 = 0): Promise<Run> {
  const { d, N, users, items, categories } = s;
  const on = { backend };
  const U = tensor(uniformF32(1, users * d, -0.5, 0.5), [users, d], on);
  const V = tensor(uniformF32(2, items * d, -0.5, 0.5), [items, d], on);
  const Vout = tensor(uniformF32(3, items * d, -0.5, 0.5), [items, d], on);
  const noise = noiseOf(items);
  const prob = tensor(noise.prob, undefined, on);
  const alias = tensor(noise.alias, undefined, on);
  const extra: Tensor[] = [];
  if (categories > 0) {
    const map = csr(4, items, categories, (r) => (r % 9 === 0 ? 0 : 0.03));
    extra.push(tensor(uniformF32(5, categories * d, -0.5, 0.5), [categories, d], on), tensor(map.indptr, undefined, on), tensor(map.indices, undefined, on));
  }
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const t = (seed: number, count: number) => tensor(ids(seed + 100 * step, batch, count), undefined, on);
    const head = [U, V, Vout, t(10, users), t(11, items), t(12, items)];
    const draw = { seed: 7, stream: 3, counter: counter0 + 2 * step * batch * N };
    let loss: Tensor;
    if (fused) {
      [loss] = runKernel('skipgram_sample_step', [...head, prob, alias, ...extra], { ...attrs, negatives: N, ...draw } satisfies SkipgramSampleStepAttrs);
    } else {
      const [negs] = runKernel('neg_sample_alias', [prob, alias], { count: batch * N, maxTries: 1, ...draw });
      const shaped = tensor(await negs.read(), [batch, N], on);
      [loss] = runKernel('skipgram_step', [...head, shaped, ...extra], attrs);
    }
    losses.push((await loss.read())[0]);
  }
  const tables = await Promise.all([U, V, Vout, ...(categories > 0 ? [extra[0]] : [])].map((x) => x.read()));
  return { tables: tables as Float32Array[], losses };
}

const MRLR = { alpha1: 0.6, alpha2: 0.4, extraWeight: 0.3, lr: 0.05, reg: 0.001 };
const PLAIN = { alpha1: 1, alpha2: 0, extraWeight: 0, lr: 0.025, reg: 0 };
const TOLERANCE = { atol: 1e-5, rtol: 1e-5 };

it('the js reference equals neg_sample_alias + skipgram_step at the same counters, bit for bit', async () => {
  for (const [shape, attrs] of [[{ users: 30, items: 60, d: 8, N: 5, categories: 7 }, MRLR], [{ users: 30, items: 60, d: 8, N: 3, categories: 0 }, PLAIN]] as const) {
    const a = await train('js', shape, 200, 3, attrs, true);
    const b = await train('js', shape, 200, 3, attrs, false);
    a.tables.forEach((t, i) => expect(bitsDiffer(t, b.tables[i]), `table ${i}`).toBe(-1));
    expect(a.losses).toEqual(b.losses);
  }
});

await forEachBackend(parityBackends('skipgram_sample_step'), (backend) => {
  const variants: { name: string; shape: Shape; attrs: SkipgramStepAttrs; counter0?: number }[] = [
    { name: 'plain skip-gram (α2 = 0, λ = 0), d = 10, N = 5', shape: { users: 40, items: 80, d: 10, N: 5, categories: 0 }, attrs: PLAIN },
    { name: 'MRLR context and categories, d = 16, N = 4', shape: { users: 40, items: 80, d: 16, N: 4, categories: 9 }, attrs: MRLR },
    // An odd counter puts every row's pair of words across Philox block halves differently
    // from the models' even counters; this one also sits past 2³² blocks.
    { name: 'an odd counter past 2³² blocks, d = 12, N = 7', shape: { users: 40, items: 80, d: 12, N: 7, categories: 0 }, attrs: MRLR, counter0: 2 ** 35 + 3 },
    { name: 'no negatives (N = 0)', shape: { users: 40, items: 80, d: 8, N: 0, categories: 0 }, attrs: MRLR },
  ];
  for (const v of variants) {
    it(`equals the js reference (${v.name}): bitwise on native at 1 and 2 threads, within 1e-5 in f32`, async () => {
      const ref = await train('js', v.shape, 300, 3, v.attrs, true, v.counter0);
      for (const threads of [1, 2]) {
        const got = await withNativeThreads(backend.name, threads, () => train(backend, v.shape, 300, 3, v.attrs, true, v.counter0));
        if (backend.name === 'native') {
          ref.tables.forEach((r, i) => expect(bitsDiffer(got.tables[i], r), `table ${i}, ${threads} thread(s)`).toBe(-1));
          assertClose(got.losses, ref.losses, { atol: 1e-7, rtol: 1e-7 }, 'mean loss');
        } else {
          ref.tables.forEach((r, i) => assertClose(got.tables[i], r, TOLERANCE, `table ${i}`));
          assertClose(got.losses, ref.losses, TOLERANCE, 'mean loss');
        }
      }
    });
  }

  it('fast: true stays within 1e-5 of the reference (native f32 variant)', async () => {
    const shape = { users: 40, items: 3000, d: 10, N: 5, categories: 0 };
    const ref = await train('js', shape, 300, 3, PLAIN, true);
    const got = await withNativeThreads(backend.name, 1, () => train(backend, shape, 300, 3, { ...PLAIN, fast: true }, true));
    ref.tables.forEach((r, i) => assertClose(got.tables[i], r, TOLERANCE, `table ${i}`));
  });

  it('draws from the alias table only: a zero-weight item is never stepped as a negative', async () => {
    // Output rows start at 0 and only targets and negatives move; with every target row 1,
    // a moved row other than 1 was drawn, and items j ≡ 4 (mod 13) have zero weight.
    const items = 200;
    const noise = noiseOf(items);
    const W = tensor(new Float32Array(items * 4), [items, 4], { backend });
    const A = tensor(uniformF32(1, 50 * 4, 0.5, 1), [50, 4], { backend });
    const B = tensor(new Float32Array(4), [1, 4], { backend });
    const zeros = tensor(new Int32Array(50), undefined, { backend });
    const [loss] = runKernel('skipgram_sample_step', [A, B, W, tensor(Int32Array.from({ length: 50 }, (_, i) => i), undefined, { backend }), zeros,
      tensor(new Int32Array(50).fill(1), undefined, { backend }), tensor(noise.prob, undefined, { backend }), tensor(noise.alias, undefined, { backend })],
    { ...PLAIN, negatives: 20, seed: 1, stream: 0, counter: 0 });
    await loss.read();
    const w = await W.read();
    const moved = Array.from({ length: items }, (_, j) => j).filter((j) => j !== 1 && [0, 1, 2, 3].some((k) => w[j * 4 + k] !== 0));
    expect(moved.length).toBeGreaterThan(20);
    expect(moved.filter((j) => j % 13 === 4)).toEqual([]);
  });

  const T = (rows: number) => tensor(new Float32Array(rows * 2), [rows, 2], { backend });
  const I = (...v: number[]) => tensor(Int32Array.from(v), undefined, { backend });
  const table = (prob: number[], alias: number[]) => [tensor(Float32Array.from(prob), undefined, { backend }), I(...alias)];
  const attrs: SkipgramSampleStepAttrs = { ...PLAIN, negatives: 2, seed: 1, stream: 0, counter: 0 };
  const run = (inputs: Tensor[], a: SkipgramSampleStepAttrs = attrs) => async () => {
    const [loss] = runKernel('skipgram_sample_step', inputs, a);
    await loss.read();
  };
  it('rejects an alias table larger than the output table', async () => {
    await expectFailure(run([T(1), T(1), T(2), I(0), I(0), I(0), ...table([1, 1, 1], [0, 1, 2])]),
      /^skipgram_sample_step: the alias table has 3 entries but output has 2 rows \(every drawn id must be an output row\)$/);
  });
  it('rejects prob and alias of different lengths', async () => {
    await expectFailure(run([T(1), T(1), T(3), I(0), I(0), I(0), ...table([1, 1], [0, 1, 1])]), /^skipgram_sample_step: prob has 2 entries but alias has 3$/);
  });
  it('rejects the wrong number of inputs', async () => {
    await expectFailure(run([T(1), T(1), T(3), I(0), I(0), I(0), tensor(new Int32Array(2), [1, 2], { backend })]),
      /^skipgram_sample_step: expected 8 inputs \[contextA, contextB, output, ctxA, ctxB, targets, prob, alias\] and optionally \[extra, extraIndptr, extraIndices\], got 7$/);
  });
  it('rejects a fractional N and a negative counter', async () => {
    const inputs = [T(1), T(1), T(3), I(0), I(0), I(0), ...table([1, 1, 1], [0, 1, 2])];
    await expectFailure(run(inputs, { ...attrs, negatives: 1.5 }), /^skipgram_sample_step: negatives must be a non-negative integer, got 1.5$/);
    await expectFailure(run(inputs, { ...attrs, counter: -2 }), /^skipgram_sample_step: counter must be a non-negative integer with counter \+ 2·1·2 a safe integer, got -2$/);
  });
  it('rejects a target outside the output table', async () => {
    await expectFailure(run([T(1), T(1), T(3), I(0), I(0), I(3), ...table([1, 1, 1], [0, 1, 2])]),
      backend.name === 'webgpu' ? /skipgram_step: a context, target or negative id is out of range/ : /^skipgram_sample_step: target 3 at position 0 is out of range for 3 rows$/);
  });
  it('rejects an alias entry outside the table (nothing updated)', async () => {
    const W = tensor(Float32Array.of(1, 1, 1, 1, 1, 1), [3, 2], { backend });
    const A = tensor(Float32Array.of(1, 1), [1, 2], { backend });
    // prob 0 sends every draw to its column's alias entry, and every entry but alias[0] is bad.
    await expectFailure(run([A, T(1), W, I(0), I(0), I(0), ...table([0, 0, 0], [0, 5, -1])], { ...attrs, negatives: 40 }),
      backend.name === 'webgpu' ? /alias entry is outside \[0, 3\)|id is out of range/ : /^skipgram_sample_step: alias\[1\] = 5 is outside \[0, 3\)$/);
    if (backend.name !== 'webgpu') expect(Array.from(await W.read())).toEqual([1, 1, 1, 1, 1, 1]);
  });
});
