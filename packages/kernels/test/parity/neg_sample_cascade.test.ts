import { type Backend, runKernel, tensor } from '@rec/core';
import { assertExact, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { csr, expectFailure, ids } from './fixtures.js';

const ITEMS = 300;
const USERS = 40;
const B = 3;
// Behaviours view ⊇ cart ⊇ buy, as a cascade; users 0–2 viewed nearly everything (exhausting tries).
const view = csr(8, USERS, ITEMS, (u) => (u < 3 ? 0.995 : 0.3));
const keep = (rows: { indptr: Int32Array; indices: Int32Array }, p: number, seed: number) => {
  const kept = csr(seed, USERS, ITEMS, () => p);
  const indptr = new Int32Array(USERS + 1);
  const out: number[] = [];
  for (let u = 0; u < USERS; u++) {
    const mask = new Set(kept.indices.subarray(kept.indptr[u], kept.indptr[u + 1]));
    for (const j of rows.indices.subarray(rows.indptr[u], rows.indptr[u + 1])) if (mask.has(j)) out.push(j);
    indptr[u + 1] = out.length;
  }
  return { indptr, indices: Int32Array.from(out) };
};
const cart = keep(view, 0.5, 9);
const buy = keep(cart, 0.5, 10);
// Behaviour-major row pointers into one shared index array.
const indptr = new Int32Array(B * (USERS + 1));
const indices = Int32Array.from([...view.indices, ...cart.indices, ...buy.indices]);
[view, cart, buy].reduce((offset, rows, b) => {
  for (let u = 0; u <= USERS; u++) indptr[b * (USERS + 1) + u] = offset + rows.indptr[u];
  return offset + rows.indices.length;
}, 0);

async function sample(backend: Backend | string, users: Int32Array, positives: Int32Array, attrs: Record<string, number>): Promise<{ negatives: Int32Array; exhausted: number }> {
  const inputs = [tensor(users, undefined, { backend }), tensor(positives, undefined, { backend }), tensor(indptr, [B, USERS + 1], { backend }), tensor(indices, undefined, { backend })];
  const [neg, exhausted] = runKernel('neg_sample_cascade', inputs, { numItems: ITEMS, maxTries: 8, ...attrs });
  return { negatives: (await neg.read()) as Int32Array, exhausted: (await exhausted.read())[0] };
}

/** Rows whose positive the user viewed, as the NMTR sampler draws them. */
function viewedRows(seed: number, n: number): { users: Int32Array; positives: Int32Array } {
  const users = ids(seed, n, USERS);
  const picks = ids(seed + 1, n, 1 << 20);
  const positives = users.map((u, r) => view.indices[view.indptr[u] + (picks[r] % (view.indptr[u + 1] - view.indptr[u]))]);
  return { users, positives };
}

await forEachBackend(parityBackends('neg_sample_cascade'), (backend) => {
  const variants: [string, Record<string, number>][] = [
    ['seed 7, stream 0, counter 0', { seed: 7, stream: 0, counter: 0 }],
    ['a 64-bit seed, stream 3, counter past 2³² words', { seed: 2 ** 40 + 5, stream: 3, counter: 2 ** 34 + 1 }],
    ['a negative seed (two’s complement key)', { seed: -12345, stream: 1, counter: 17 }],
  ];
  for (const [name, attrs] of variants) {
    it(`draws exactly the reference's per-behaviour negatives: ${name}`, async () => {
      // 4,003 rows: 12,009 slots, not a multiple of the 8 slots native draws together, so its one-at-a-time tail runs too.
      const { users, positives } = viewedRows(2, 4003);
      const ref = await sample('js', users, positives, attrs);
      for (const threads of [1, 2]) {
        const got = await withNativeThreads(backend.name, threads, () => sample(backend, users, positives, attrs));
        assertExact(got.negatives, ref.negatives, `negatives (${threads} thread(s))`);
        expect(got.exhausted).toBe(ref.exhausted);
      }
      expect(ref.exhausted).toBeGreaterThan(0);
      expect(ref.negatives.includes(-1)).toBe(true);
    });
  }

  it('gives -1 exactly where the positive lacks the behaviour, and never a behaviour positive for light users', async () => {
    const { users, positives } = viewedRows(3, 3000);
    const { negatives } = await sample(backend, users, positives, { seed: 1, stream: 0, counter: 0, maxTries: 32 });
    const rows = [view, cart, buy];
    for (let r = 0; r < users.length; r++) {
      for (let b = 0; b < B; b++) {
        const row = rows[b].indices.subarray(rows[b].indptr[users[r]], rows[b].indptr[users[r] + 1]);
        if (!row.includes(positives[r])) expect(negatives[r * B + b]).toBe(-1);
        else if (users[r] >= 3) expect(row.includes(negatives[r * B + b])).toBe(false);
      }
    }
  });

  it('rejects a user outside the CSR', async () => {
    // webgpu finds the bad user on the GPU and reports it at the read, without its position.
    await expectFailure(() => sample(backend, Int32Array.of(0, USERS), Int32Array.of(0, 0), { seed: 1, stream: 0, counter: 0 }),
      backend.name === 'webgpu' ? /a user or positive id is out of range for 40 users and 300 items/ : /user 40 at position 1 is out of range for 40 users/);
  });
});
