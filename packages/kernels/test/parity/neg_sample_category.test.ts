import { type Backend, runKernel, tensor } from '@rec/core';
import { assertExact, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { csr, expectFailure, ids } from './fixtures.js';

const ITEMS = 400;
const USERS = 40;
// A two-level tree: 8 parents × 5 leaves, plus one lone leaf (no siblings) and one empty leaf;
// item j sits in leaf j mod 41, so every leaf but the empty one (41) holds items.
const LEAVES = 42;
const itemCategory = Int32Array.from({ length: ITEMS }, (_, j) => j % 41);
const catIndptr = new Int32Array(LEAVES + 1);
const catItems: number[] = [];
for (let c = 0; c < LEAVES; c++) {
  for (let j = 0; j < ITEMS; j++) if (itemCategory[j] === c) catItems.push(j);
  catIndptr[c + 1] = catItems.length;
}
const sibIndptr = new Int32Array(LEAVES + 1);
const sibCats: number[] = [];
for (let c = 0; c < LEAVES; c++) {
  // Leaves 0–39 under parents of 5; leaf 40 is alone; leaf 41 (empty) is a sibling of leaf 39's group.
  if (c < 40) for (let s = 5 * Math.floor(c / 5); s < 5 * Math.floor(c / 5) + 5; s++) if (s !== c) sibCats.push(s);
  if (c >= 35 && c < 40) sibCats.push(41);
  sibIndptr[c + 1] = sibCats.length;
}
// Users 0–2 hold nearly every item, so some rows exhaust their tries.
const userPositives = csr(5, USERS, ITEMS, (u) => (u < 3 ? 0.99 : 0.05 + 0.01 * u));

async function sample(backend: Backend | string, users: Int32Array, positives: Int32Array, attrs: Record<string, number>): Promise<{ negatives: Int32Array; exhausted: number }> {
  const arrays = [users, positives, itemCategory, catIndptr, Int32Array.from(catItems), sibIndptr, Int32Array.from(sibCats), userPositives.indptr, userPositives.indices];
  const inputs = arrays.map((a) => tensor(a, undefined, { backend }));
  const [neg, exhausted] = runKernel('neg_sample_category', inputs, { siblingRate: 0.5, maxTries: 8, ...attrs });
  return { negatives: (await neg.read()) as Int32Array, exhausted: (await exhausted.read())[0] };
}

await forEachBackend(parityBackends('neg_sample_category'), (backend) => {
  const variants: [string, Record<string, number>][] = [
    ['seed 7, leaf or sibling (rate 0.5)', { seed: 7, stream: 0, counter: 0 }],
    ['leaf only (rate 0), a 64-bit seed, counter past 2³² words', { seed: 2 ** 40 + 5, stream: 3, counter: 2 ** 34 + 1, siblingRate: 0 }],
    ['siblings only (rate 1), a negative seed', { seed: -12345, stream: 1, counter: 17, siblingRate: 1 }],
  ];
  for (const [name, attrs] of variants) {
    it(`draws exactly the reference's negatives: ${name}`, async () => {
      const users = ids(2, 5000, USERS);
      const positives = ids(3, 5000, ITEMS);
      const ref = await sample('js', users, positives, attrs);
      for (const threads of [1, 2]) {
        const got = await withNativeThreads(backend.name, threads, () => sample(backend, users, positives, attrs));
        assertExact(got.negatives, ref.negatives, `negatives (${threads} thread(s))`);
        expect(got.exhausted).toBe(ref.exhausted);
      }
      expect(ref.exhausted).toBeGreaterThan(0);
    });
  }

  it('keeps every negative in the leaf or a sibling leaf of its positive', async () => {
    const users = ids(4, 3000, USERS);
    const positives = ids(5, 3000, ITEMS);
    const { negatives } = await sample(backend, users, positives, { seed: 1, stream: 0, counter: 0 });
    for (let r = 0; r < users.length; r++) {
      const leaf = itemCategory[positives[r]];
      const allowed = [leaf, ...sibCats.slice(sibIndptr[leaf], sibIndptr[leaf + 1])];
      expect(allowed).toContain(itemCategory[negatives[r]]);
    }
  });

  it('rejects a positive outside the items', async () => {
    // webgpu finds the bad positive on the GPU and reports it at the read, without its position.
    await expectFailure(() => sample(backend, Int32Array.of(0, 1), Int32Array.of(0, ITEMS), { seed: 1, stream: 0, counter: 0 }),
      backend.name === 'webgpu' ? /a user or positive id is out of range for 40 users and 400 items/ : /positive 400 at position 1 is out of range for 400 items/);
  });
});
