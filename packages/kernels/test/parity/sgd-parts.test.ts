/**
 * The `parts` attribute of `bpr_step`, `skipgram_step` and `skipgram_sample_step` (core's
 * `kernels/sgd/category_parts.ts`): with the category table, items are dealt to `parts`
 * parts in chunks of 64, each part updates its own copy of the category rows, and the copies
 * are merged at the end. Native must equal the js reference bit for bit for every `parts` at
 * 1, 2 and 3 threads (the result depends on `parts`, not on the thread count); webgpu within
 * its f32 tolerance.
 */
import { AliasTable, type Backend, runKernel, type Tensor, tensor, unigramWeights } from '@rec/core';
import { assertClose, forEachBackend } from '@rec/core/testing';
import { describe, expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { bitsDiffer, expectFailure, ids, uniformF32 } from './fixtures.js';

type Kernel = 'bpr_step' | 'skipgram_step' | 'skipgram_sample_step';

interface Scenario {
  d: number;
  users: number;
  items: number;
  /** Rows of the category table. */
  categories: number;
  batch: number;
  steps: number;
  /** The category map, item → categories, in CSR form. */
  map: { indptr: Int32Array; indices: Int32Array };
  /** The category table's initial values lie in ±xRange (default 0.5). */
  xRange?: number;
  /** Item ids of example t (positive/target and negative), from `ids` by default. */
  itemsOf?: (step: number, count: number, seed: number) => Int32Array;
}

/** 1 to `most` categories of `categories` per item (every 7th item none), distinct within an item. */
function categoryMap(seed: number, items: number, categories: number, most = 4): { indptr: Int32Array; indices: Int32Array } {
  const counts = ids(seed, items, most);
  const picks = ids(seed + 1, items * most, categories);
  const indptr = new Int32Array(items + 1);
  const all: number[] = [];
  for (let r = 0; r < items; r++) {
    if (r % 7 !== 0) {
      for (let k = 0; k <= counts[r]; k++) {
        const c = picks[r * most + k];
        if (!all.slice(indptr[r]).includes(c)) all.push(c);
      }
    }
    indptr[r + 1] = all.length;
  }
  return { indptr, indices: Int32Array.from(all) };
}

const N = 3;
const noise = (items: number) => AliasTable.fromWeights(unigramWeights(Array.from({ length: items }, (_, j) => 1 + Math.floor(500 / (1 + j)))));

/**
 * Trains `s.steps` batches through `kernel` with categories; returns every table and the losses.
 * With `caught`, a step that throws ends the loop and its error goes there (the tables are
 * still read back); without it the error propagates.
 */
async function train(kernel: Kernel, backend: Backend | string, s: Scenario, attrs: Record<string, unknown>, caught?: { error?: Error }): Promise<{ tables: Float32Array[]; losses: number[] }> {
  const on = { backend };
  const { d, users, items, categories, batch } = s;
  const xRange = s.xRange ?? 0.5;
  const X = tensor(uniformF32(5, categories * d, -xRange, xRange), [categories, d], on);
  const extra = [X, tensor(s.map.indptr, undefined, on), tensor(s.map.indices, undefined, on)];
  const itemsOf = s.itemsOf ?? ((step: number, count: number, seed: number) => ids(seed + 100 * step, count, items));
  const losses: number[] = [];
  let tables: Tensor[];
  let steps: () => Promise<void>;
  if (kernel === 'bpr_step') {
    const P = tensor(uniformF32(1, users * d, -0.5, 0.5), [users, d], on);
    const Q = tensor(uniformF32(2, items * d, -0.5, 0.5), [items, d], on);
    tables = [P, Q, X];
    steps = async () => {
      for (let step = 0; step < s.steps; step++) {
        const pos = itemsOf(step, batch, 20);
        const neg = itemsOf(step, batch, 30);
        for (let k = 0; k < batch; k += 13) neg[k] = pos[k];
        const [loss] = runKernel(kernel, [P, Q, tensor(ids(10 + step, batch, users), undefined, on), tensor(pos, undefined, on), tensor(neg, undefined, on), ...extra],
          { lr: 0.05, reg: 0.01, extraWeight: 0.3, ...attrs });
        losses.push((await loss.read())[0]);
      }
    };
  } else {
    const A = tensor(uniformF32(1, users * d, -0.5, 0.5), [users, d], on);
    const B = tensor(uniformF32(2, items * d, -0.5, 0.5), [items, d], on);
    const W = tensor(uniformF32(3, items * d, -0.5, 0.5), [items, d], on);
    tables = [A, B, W, X];
    const mrlr = { alpha1: 0.6, alpha2: 0.4, extraWeight: 0.3, lr: 0.05, reg: 0.001, ...attrs };
    const table = noise(items);
    steps = async () => {
      for (let step = 0; step < s.steps; step++) {
        const head = [A, B, W, tensor(ids(10 + step, batch, users), undefined, on), tensor(itemsOf(step, batch, 11), undefined, on), tensor(itemsOf(step, batch, 12), undefined, on)];
        const [loss] = kernel === 'skipgram_step'
          ? runKernel(kernel, [...head, tensor(itemsOf(step, batch * N, 13), [batch, N], on), ...extra], mrlr)
          : runKernel(kernel, [...head, tensor(table.prob, undefined, on), tensor(table.alias, undefined, on), ...extra],
            { ...mrlr, negatives: N, seed: 7, stream: 3, counter: 2 * step * batch * N });
        losses.push((await loss.read())[0]);
      }
    };
  }
  try {
    await steps();
  } catch (err) {
    if (!caught) throw err;
    caught.error = err as Error;
  }
  return { tables: (await Promise.all(tables.map((t) => t.read()))) as Float32Array[], losses };
}

const KERNELS: Kernel[] = ['bpr_step', 'skipgram_step', 'skipgram_sample_step'];
const small = (d: number): Scenario => ({ d, users: 30, items: 60, categories: 8, batch: 300, steps: 2, map: categoryMap(4, 60, 8) });
const large: Scenario = { d: 16, users: 3000, items: 3000, categories: 300, batch: 1000, steps: 2, map: categoryMap(4, 3000, 300) };

describe('parts on the js reference', () => {
  for (const kernel of KERNELS) {
    it(`${kernel}: parts 1 is the serial kernel; parts 2 differs from it, and changes only the category path`, async () => {
      const s = small(16);
      const serial = await train(kernel, 'js', s, {});
      const one = await train(kernel, 'js', s, { parts: 1 });
      serial.tables.forEach((t, k) => expect(bitsDiffer(one.tables[k], t), `table ${k}`).toBe(-1));
      const two = await train(kernel, 'js', s, { parts: 2 });
      // The parts share categories, and the second part reads them as at the call's start:
      // another category table, and mean losses close to the serial ones but not equal.
      expect(bitsDiffer(two.tables.at(-1)!, serial.tables.at(-1)!)).toBeGreaterThanOrEqual(0);
      expect(two.losses[1]).not.toBe(serial.losses[1]);
      expect(Math.abs(two.losses[1] - serial.losses[1])).toBeLessThan(0.05 * serial.losses[1]);
      // Hogwild ignores parts (js runs in order).
      const hog = await train(kernel, 'js', s, { parts: 2, hogwild: true });
      serial.tables.forEach((t, k) => expect(bitsDiffer(hog.tables[k], t), `table ${k} under hogwild`).toBe(-1));
    });

    it(`${kernel}: parts that write disjoint category rows give the serial result bit for bit`, async () => {
      // Items 0–29 carry categories 0–3 only, items 30–59 categories 4–7 only; the first 64
      // items of each batch (part 0) come from the first half, the next 64 (part 1) from the
      // second, and so on. Users are shared across the parts.
      const map = categoryMap(4, 60, 4);
      const indices = Int32Array.from(map.indices, (c, k) => {
        let item = 0;
        while (map.indptr[item + 1] <= k) item++;
        return item < 30 ? c : c + 4;
      });
      const itemsOf = (step: number, count: number, seed: number) => {
        const raw = ids(seed + 100 * step, count, 30);
        // skipgram's negatives are [batch, N] row-major: example t's ids sit at t·N … t·N + N − 1.
        const per = count === 256 ? 1 : count / 256;
        return Int32Array.from(raw, (v, k) => (Math.floor(Math.floor(k / per) / 64) % 2 === 0 ? v : v + 30));
      };
      const s: Scenario = { d: 13, users: 20, items: 60, categories: 8, batch: 256, steps: 2, map: { indptr: map.indptr, indices }, itemsOf };
      const serial = await train(kernel, 'js', s, {});
      const two = await train(kernel, 'js', s, { parts: 2 });
      if (kernel === 'skipgram_sample_step') return; // its drawn negatives reach every item: not disjoint
      serial.tables.forEach((t, k) => expect(bitsDiffer(two.tables[k], t), `table ${k}`).toBe(-1));
      expect(two.losses).toEqual(serial.losses);
      // Three parts deal chunks 0 and 3 (both halves) to part 0 and chunk 2 to part 2: shared rows again.
      const three = await train(kernel, 'js', s, { parts: 3 });
      expect(bitsDiffer(three.tables.at(-1)!, serial.tables.at(-1)!)).toBeGreaterThanOrEqual(0);
    });
  }
});

await forEachBackend(parityBackends(...KERNELS), (backend) => {
  for (const kernel of KERNELS) {
    for (const parts of [1, 2, 3]) {
      for (const threads of [1, 2, 3]) {
        it(`${kernel}, parts ${parts}, ${threads} native thread(s): equals the reference (bitwise on native)`, async () => {
          if (backend.name !== 'native' && threads > 1) return; // one run per parts off native
          for (const s of [small(64), small(13), large]) {
            const ref = await train(kernel, 'js', s, { parts });
            const got = await withNativeThreads(backend.name, threads, () => train(kernel, backend, s, { parts }));
            got.tables.forEach((t, k) => {
              if (backend.name === 'native') expect(bitsDiffer(t, ref.tables[k]), `table ${k} (d ${s.d}, ${s.items} items)`).toBe(-1);
              else assertClose(t, ref.tables[k], { atol: 1e-5, rtol: 1e-5 }, `table ${k} (d ${s.d}, ${s.items} items)`);
            });
            assertClose(got.losses, ref.losses, backend.name === 'native' ? { atol: 1e-7, rtol: 1e-7 } : { atol: 1e-5, rtol: 1e-5 }, 'mean loss');
          }
          // Category rows of ±0.001 under lr 0.5: updates far larger than the values, so a row one
          // part alone wrote equals its copy only if the merge takes the copy itself (X + (S − X)
          // would round differently), and shared rows' deltas are not exact differences.
          const tiny: Scenario = { ...large, xRange: 0.001 };
          const ref = await train(kernel, 'js', tiny, { parts, lr: 0.5 });
          const got = await withNativeThreads(backend.name, threads, () => train(kernel, backend, tiny, { parts, lr: 0.5 }));
          if (backend.name === 'native') expect(bitsDiffer(got.tables.at(-1)!, ref.tables.at(-1)!), 'category table, large updates').toBe(-1);
          else assertClose(got.tables.at(-1)!, ref.tables.at(-1)!, { atol: 1e-5, rtol: 1e-4 }, 'category table, large updates');
        });
      }
    }

    it(`${kernel}: a category id out of range fails with parts 2 as with parts 1, and nothing is written`, async () => {
      // Item 1's first category becomes 8, outside the 8-row table; item 1 is a target, a
      // positive or (the sampling kernel's most frequent draw but one) a negative in every batch.
      const s = small(16);
      const indices = Int32Array.from(s.map.indices);
      indices[s.map.indptr[1]] = 8;
      const bad: Scenario = { ...s, steps: 1, map: { indptr: s.map.indptr, indices } };
      const before = await withNativeThreads(backend.name, 1, () => train(kernel, 'js', { ...bad, steps: 0 }, {}));
      for (const threads of backend.name === 'native' ? [1, 2] : [1]) {
        const caught = [{}, {}] as { error?: Error }[];
        const runs = await withNativeThreads(backend.name, threads, () => Promise.all([1, 2].map((parts, k) => train(kernel, backend, bad, { parts }, caught[k]))));
        expect(caught[0].error?.message, 'parts 1').toMatch(/(extra row 8 |out of range|extra)/);
        expect(caught[1].error?.message, `parts 2, ${threads} thread(s)`).toBe(caught[0].error?.message);
        for (const run of runs) run.tables.forEach((t, k) => expect(bitsDiffer(t, before.tables[k]), `table ${k} after the failure`).toBe(-1));
      }
    });

    it(`${kernel}: parts must be an integer from 1 to 64`, async () => {
      for (const bad of [0, 1.5, 65, '2']) {
        await expectFailure(() => train(kernel, backend, small(4), { parts: bad }), new RegExp(`^${kernel}: attribute parts must be an integer from 1 to 64, got ${bad}$`));
      }
    });
  }
});
