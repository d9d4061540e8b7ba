import { type Backend, runKernel, tensor } from '@rec/core';
import { assertClose, assertExact, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { csr, expectFailure, integerF32, uniformF32 } from './fixtures.js';

// Not multiples of the native blocking (8 users, 256 items), so the edges run.
const USERS = 37;
const ITEMS = 531;

async function rank(
  backend: Backend | string, U: Float32Array, V: Float32Array, d: number, mask: { indptr: Int32Array; indices: Int32Array }, k: number, bias?: Float32Array,
): Promise<{ top: Int32Array; scores: Float32Array }> {
  const inputs = [
    tensor(U, [U.length / d, d], { backend }), tensor(V, [V.length / d, d], { backend }),
    tensor(mask.indptr, undefined, { backend }), tensor(mask.indices, undefined, { backend }),
    ...(bias ? [tensor(bias, undefined, { backend })] : []),
  ];
  const [top, scores] = runKernel('rank_topk', inputs, { k });
  return { top: (await top.read()) as Int32Array, scores: (await scores.read()) as Float32Array };
}

// Users 0 and 1 have almost every item masked, so they get fewer than k and padding.
const mask = csr(3, USERS, ITEMS, (u) => (u < 2 ? 0.97 : 0.05));

/**
 * Integer factors plus one column that gives item j the unique fraction j/1024:
 * every partial sum is exact in f32 (≤ 21 significant bits), whatever the
 * summation order, and no two items of a user tie.
 */
function distinctScores(d: number): { U: Float32Array; V: Float32Array } {
  const U = integerF32(1, USERS * d, -8, 8);
  const V = integerF32(2, ITEMS * d, -8, 8);
  for (let b = 0; b < USERS; b++) U[b * d + d - 1] = 1;
  for (let j = 0; j < ITEMS; j++) V[j * d + d - 1] = j / 1024;
  return { U, V };
}

await forEachBackend(parityBackends('rank_topk'), (backend) => {
  for (const k of [1, 20, 100, 200]) {
    it(`exact top-${k} indices and scores with distinct scores, masked`, async () => {
      const d = 17;
      const { U, V } = distinctScores(d);
      const ref = await rank('js', U, V, d, mask, k);
      for (const threads of [1, 2]) {
        const got = await withNativeThreads(backend.name, threads, () => rank(backend, U, V, d, mask, k));
        assertExact(got.top, ref.top, `top-${k} indices (${threads} thread(s))`);
        assertExact(got.scores, ref.scores, `top-${k} scores (${threads} thread(s))`);
      }
    });
  }

  it('ties go to the lower item index (small integer factors, many equal scores)', async () => {
    const d = 8;
    const U = integerF32(4, USERS * d, -1, 1);
    const V = integerF32(5, ITEMS * d, -1, 1);
    const ref = await rank('js', U, V, d, mask, 60);
    const got = await rank(backend, U, V, d, mask, 60);
    assertExact(got.top, ref.top, 'indices with ties');
    assertExact(got.scores, ref.scores, 'scores with ties');
    // The reference really has ties, broken by index.
    let ties = 0;
    for (let b = 2; b < USERS; b++) for (let o = b * 60 + 1; o < (b + 1) * 60; o++) if (ref.scores[o] === ref.scores[o - 1]) ties++;
    expect(ties).toBeGreaterThan(0);
  });

  it('pads with −1 and −∞ when fewer than k items are left, and never returns a masked item', async () => {
    const d = 17;
    const { U, V } = distinctScores(d);
    const k = 200;
    const got = await rank(backend, U, V, d, mask, k);
    const left = ITEMS - (mask.indptr[1] - mask.indptr[0]);
    expect(left).toBeLessThan(k);
    expect(got.top[left]).toBe(-1);
    expect(got.scores[left]).toBe(-Infinity);
    for (let b = 0; b < USERS; b++) {
      const masked = new Set(mask.indices.subarray(mask.indptr[b], mask.indptr[b + 1]));
      for (let o = 0; o < k; o++) expect(masked.has(got.top[b * k + o])).toBe(false);
    }
  });

  it('random f32 factors: scores agree to f32 rounding of the dot product', async () => {
    const d = 64;
    const U = uniformF32(6, USERS * d);
    const V = uniformF32(7, ITEMS * d);
    const ref = await rank('js', U, V, d, mask, 100);
    const got = await rank(backend, U, V, d, mask, 100);
    assertClose(got.scores, ref.scores, { atol: 1e-5, rtol: 1e-5 }, 'scores');
  });

  it('a few users (a serving request) get bit-for-bit the scores they get in a batch (random f32, every few-users count, 1 and 2 threads)', async () => {
    // d 37: two full 16-column chunks and a masked one; 1,107 items: over 64 tiles of 16 (so
    // the few-users path splits them over threads) and a tail past the last 16.
    const d = 37;
    const items = 1107;
    const U = uniformF32(8, USERS * d);
    const V = uniformF32(9, items * d);
    const bias = uniformF32(10, items);
    const none = { indptr: new Int32Array(USERS + 1), indices: new Int32Array(0) };
    const batch = await rank(backend, U, V, d, none, 50, bias);
    for (const threads of [1, 2]) {
      for (let few = 1; few < 8; few++) {
        const rows = { indptr: new Int32Array(few + 1), indices: new Int32Array(0) };
        const got = await withNativeThreads(backend.name, threads, () => rank(backend, U.subarray(0, few * d), V, d, rows, 50, bias));
        assertExact(got.top, batch.top.subarray(0, few * 50), `indices of ${few} user(s) alone (${threads} thread(s))`);
        assertExact(got.scores, batch.scores.subarray(0, few * 50), `scores of ${few} user(s) alone (${threads} thread(s))`);
      }
    }
  });

  it('no users: empty outputs (a served batch of none; the few-users path once read 7 users here)', async () => {
    const d = 5;
    const V = uniformF32(11, 40 * d);
    const got = await rank(backend, new Float32Array(0), V, d, { indptr: Int32Array.of(0), indices: new Int32Array(0) }, 3);
    expect(got.top.length).toBe(0);
    expect(got.scores.length).toBe(0);
  });

  it('with itemBias: exact top-100 of f32(dot) + bias[j], which reorders the items', async () => {
    // Integer factors and biases in 1/64 steps with a unique j/65536 part: every sum exact in f32.
    const d = 9;
    const { U, V } = distinctScores(d);
    const bias = Float32Array.from({ length: ITEMS }, (_, j) => ((j * 37) % 101) / 64 - 0.75 + j / 65536);
    const ref = await rank('js', U, V, d, mask, 100, bias);
    const plain = await rank('js', U, V, d, mask, 100);
    expect(Array.from(ref.top)).not.toEqual(Array.from(plain.top));
    // The reference's scores are the dot products plus the bias (checked on user 5's best item).
    const best = ref.top[5 * 100];
    let dot = 0;
    for (let c = 0; c < d; c++) dot += U[5 * d + c] * V[best * d + c];
    expect(ref.scores[5 * 100]).toBe(Math.fround(Math.fround(dot) + bias[best]));
    for (const threads of [1, 2]) {
      const got = await withNativeThreads(backend.name, threads, () => rank(backend, U, V, d, mask, 100, bias));
      assertExact(got.top, ref.top, `indices (${threads} thread(s))`);
      assertExact(got.scores, ref.scores, `scores (${threads} thread(s))`);
    }
  });

  it('rejects an itemBias of the wrong length', async () => {
    await expectFailure(() => rank(backend, new Float32Array(4), new Float32Array(6), 2, { indptr: Int32Array.of(0, 0, 0), indices: new Int32Array(0) }, 1, new Float32Array(2)),
      /^rank_topk: itemBias must be f32 \[3\] \(one per item\), got f32 \[2\]$/);
  });

  it('rejects an unsorted mask', async () => {
    const U = new Float32Array(4);
    const V = new Float32Array(6);
    // webgpu checks the mask on the GPU and reports it at the read, without the entry.
    await expectFailure(() => rank(backend, U, V, 2, { indptr: Int32Array.of(0, 2, 2), indices: Int32Array.of(2, 1) }, 1),
      backend.name === 'webgpu' ? /rank_topk: a user's mask must be a valid CSR row of item ids in \[0, 3\) sorted ascending without duplicates/ : /sorted ascending without duplicates; entry 1 is 1/);
  });
});
