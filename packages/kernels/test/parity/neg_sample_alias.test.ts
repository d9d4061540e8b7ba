import { AliasTable, type Backend, runKernel, tensor, unigramWeights } from '@rec/core';
import { assertExact, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { csr, expectFailure, ids } from './fixtures.js';

const ITEMS = 500;
const USERS = 40;
// Zipf-like counts with some zeros, smoothed to unigram^0.75 as word2vec does.
const table = AliasTable.fromWeights(unigramWeights(Array.from({ length: ITEMS }, (_, j) => (j % 37 === 5 ? 0 : Math.floor(10_000 / (1 + j))))));
// Users 0–2 hold nearly every item, so some rows exhaust their tries.
const positives = csr(4, USERS, ITEMS, (u) => (u < 3 ? 0.995 : 0.05 + 0.01 * u));

async function sample(backend: Backend | string, attrs: Record<string, number>, users?: Int32Array): Promise<{ negatives: Int32Array; exhausted: number }> {
  const arrays = users ? [table.prob, table.alias, users, positives.indptr, positives.indices] : [table.prob, table.alias];
  const inputs = arrays.map((a) => tensor(a, undefined, { backend }));
  const [neg, exhausted] = runKernel('neg_sample_alias', inputs, { count: 0, maxTries: 8, ...attrs });
  return { negatives: (await neg.read()) as Int32Array, exhausted: (await exhausted.read())[0] };
}

await forEachBackend(parityBackends('neg_sample_alias'), (backend) => {
  const variants: [string, Record<string, number>][] = [
    ['seed 7, stream 0, counter 0', { seed: 7, stream: 0, counter: 0 }],
    ['a 64-bit seed, stream 3, counter past 2³² words', { seed: 2 ** 40 + 5, stream: 3, counter: 2 ** 34 + 1 }],
    ['a negative seed (two’s complement key)', { seed: -12345, stream: 1, counter: 17 }],
    // Even counters with maxTries 1 give two rows per Philox block on native: one that starts
    // in a block's upper half, past 2³² blocks (the block's high word), must still align.
    ['an even counter in the middle of a block, past 2³² blocks', { seed: 9, stream: 2, counter: 2 ** 35 + 6 }],
  ];
  for (const [name, attrs] of variants) {
    // maxTries spaces the rows' words (2·maxTries apart): 1 and an odd 3 put the pair of words
    // of some rows across two Philox blocks (counter 17); native draws 8 rows at a time (16 with
    // maxTries 1 and an even counter) and the 6,001 rows leave a remainder.
    for (const maxTries of [1, 3]) {
      it(`draws exactly the reference's negatives without exclusion: ${name}, maxTries ${maxTries}`, async () => {
        const ref = await sample('js', { ...attrs, count: 6001, maxTries });
        for (const threads of [1, 2]) {
          const got = await withNativeThreads(backend.name, threads, () => sample(backend, { ...attrs, count: 6001, maxTries }));
          assertExact(got.negatives, ref.negatives, `negatives (${threads} thread(s))`);
          expect(got.exhausted).toBe(0);
        }
      });
    }

    it(`draws exactly the reference's negatives excluding positives: ${name}`, async () => {
      const users = ids(2, 5000, USERS);
      const ref = await sample('js', attrs, users);
      for (const threads of [1, 2]) {
        const got = await withNativeThreads(backend.name, threads, () => sample(backend, attrs, users));
        assertExact(got.negatives, ref.negatives, `negatives (${threads} thread(s))`);
        expect(got.exhausted).toBe(ref.exhausted);
      }
      expect(ref.exhausted).toBeGreaterThan(0);
    });
  }

  it('never returns a zero-weight item', async () => {
    const { negatives } = await sample(backend, { seed: 3, stream: 0, counter: 0, count: 20_000, maxTries: 1 });
    for (const j of negatives) expect(table.prob[j] > 0 || j !== table.alias[j]).toBe(true);
    expect(negatives.some((j) => j % 37 === 5)).toBe(false);
  });

  it('rejects a user outside the CSR', async () => {
    // webgpu finds the bad user on the GPU and reports it at the read, without its position.
    await expectFailure(() => sample(backend, { seed: 1, stream: 0, counter: 0 }, Int32Array.of(0, USERS)),
      backend.name === 'webgpu' ? /a user id is out of range for 40 users/ : /user 40 at position 1 is out of range for 40 users/);
  });

  it('rejects an alias entry outside the table that a draw reaches, naming the first bad entry', async () => {
    // prob 0 sends every draw to its column's alias entry; every entry but alias[0] is bad.
    for (const users of [undefined, Int32Array.of(0, 1, 2, 3)]) {
      const inputs = [tensor(new Float32Array(3), undefined, { backend }), tensor(Int32Array.of(0, 7, -2), undefined, { backend })];
      if (users) inputs.push(...[users, positives.indptr, positives.indices].map((a) => tensor(a, undefined, { backend })));
      await expectFailure(async () => {
        const [neg] = runKernel('neg_sample_alias', inputs, { count: 40, maxTries: 1, seed: 1, stream: 0, counter: 0 });
        await neg.read();
      }, backend.name === 'webgpu' ? /an alias entry is outside \[0, 3\)/ : /^neg_sample_alias: alias\[1\] = 7 is outside \[0, 3\)$/);
    }
  });
});
