import { type Backend, runKernel, tensor } from '@rec/core';
import { assertExact, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { csr, expectFailure, ids } from './fixtures.js';

const ITEMS = 300;
const USERS = 40;
// Users 0–2 hold nearly every item, so some rows exhaust their tries.
const positives = csr(1, USERS, ITEMS, (u) => (u < 3 ? 0.995 : 0.1 + 0.01 * u));

async function sample(backend: Backend | string, users: Int32Array, attrs: Record<string, number>): Promise<{ negatives: Int32Array; exhausted: number }> {
  const inputs = [users, positives.indptr, positives.indices].map((a) => tensor(a, undefined, { backend }));
  const [neg, exhausted] = runKernel('neg_sample_exclude', inputs, { numItems: ITEMS, maxTries: 8, ...attrs });
  return { negatives: (await neg.read()) as Int32Array, exhausted: (await exhausted.read())[0] };
}

await forEachBackend(parityBackends('neg_sample_exclude'), (backend) => {
  const variants: [string, Record<string, number>][] = [
    ['seed 7, stream 0, counter 0', { seed: 7, stream: 0, counter: 0 }],
    ['a 64-bit seed, stream 3, counter past 2³² words', { seed: 2 ** 40 + 5, stream: 3, counter: 2 ** 34 + 1 }],
    ['a negative seed (two’s complement key)', { seed: -12345, stream: 1, counter: 17 }],
  ];
  for (const [name, attrs] of variants) {
    it(`draws exactly the reference's negatives: ${name}`, async () => {
      const users = ids(2, 5000, USERS);
      const ref = await sample('js', users, attrs);
      for (const threads of [1, 2]) {
        const got = await withNativeThreads(backend.name, threads, () => sample(backend, users, attrs));
        assertExact(got.negatives, ref.negatives, `negatives (${threads} thread(s))`);
        expect(got.exhausted).toBe(ref.exhausted);
      }
      expect(ref.exhausted).toBeGreaterThan(0);
    });
  }
  // Native draws the first tries of 8 rows together (5,003 rows leave a remainder); one try
  // (no retry at all) and 33 (the training objectives' T) space the rows' words differently.
  for (const maxTries of [1, 33]) {
    it(`draws exactly the reference's negatives with maxTries ${maxTries}`, async () => {
      const users = ids(3, 5003, USERS);
      const attrs = { seed: 5, stream: 2, counter: 2 ** 35 + 9, maxTries };
      const ref = await sample('js', users, attrs);
      for (const threads of [1, 2]) {
        const got = await withNativeThreads(backend.name, threads, () => sample(backend, users, attrs));
        assertExact(got.negatives, ref.negatives, `negatives (${threads} thread(s))`);
        expect(got.exhausted).toBe(ref.exhausted);
      }
      if (maxTries === 1) expect(ref.exhausted).toBeGreaterThan(0);
    });
  }

  it('never returns a positive of a user who has non-positives left, within the tries', async () => {
    const users = ids(3, 3000, USERS);
    const { negatives } = await sample(backend, users, { seed: 1, stream: 0, counter: 0 });
    let hits = 0;
    for (let r = 0; r < users.length; r++) {
      const u = users[r];
      if (u < 3) continue;
      const row = positives.indices.subarray(positives.indptr[u], positives.indptr[u + 1]);
      if (row.includes(negatives[r])) hits++;
    }
    // Light users (≤ 50 % positives) exhaust 8 tries with probability ≤ 2⁻⁸ per row.
    expect(hits).toBeLessThan(3000 * 2 ** -8 * 2 + 2);
  });

  it('rejects a user outside the CSR', async () => {
    // webgpu finds the bad user on the GPU and reports it at the read, without its position.
    await expectFailure(() => sample(backend, Int32Array.of(0, USERS), { seed: 1, stream: 0, counter: 0 }),
      backend.name === 'webgpu' ? /a user id is out of range for 40 users/ : /user 40 at position 1 is out of range for 40 users/);
  });
});
