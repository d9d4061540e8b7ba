import { type Backend, runKernel, tensor } from '@rec/core';
import { assertExact, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { csr, expectFailure, ids } from './fixtures.js';

const ITEMS = 300;
const USERS = 40;
// Seen = viewed ∪ bought. Users 0–2 have seen nearly every item (exhausting the unseen channel);
// users 0–1 and 30–39 viewed nothing beyond what they bought (always the unseen channel).
const viewed = csr(6, USERS, ITEMS, (u) => (u >= 30 || u < 2 ? 0 : 0.05));
const bought = csr(7, USERS, ITEMS, (u) => (u < 3 ? 0.995 : 0.05));
const seenIndptr = new Int32Array(USERS + 1);
const seenItems: number[] = [];
for (let u = 0; u < USERS; u++) {
  const row = new Set([...viewed.indices.subarray(viewed.indptr[u], viewed.indptr[u + 1]), ...bought.indices.subarray(bought.indptr[u], bought.indptr[u + 1])]);
  seenItems.push(...[...row].sort((a, b) => a - b));
  seenIndptr[u + 1] = seenItems.length;
}

async function sample(backend: Backend | string, users: Int32Array, attrs: Record<string, number>): Promise<{ negatives: Int32Array; channel: Int32Array; exhausted: number }> {
  const inputs = [users, viewed.indptr, viewed.indices, seenIndptr, Int32Array.from(seenItems)].map((a) => tensor(a, undefined, { backend }));
  const [neg, channel, exhausted] = runKernel('neg_sample_multichannel', inputs, { numItems: ITEMS, viewedRate: 0.3, maxTries: 8, ...attrs });
  return { negatives: (await neg.read()) as Int32Array, channel: (await channel.read()) as Int32Array, exhausted: (await exhausted.read())[0] };
}

await forEachBackend(parityBackends('neg_sample_multichannel'), (backend) => {
  const variants: [string, Record<string, number>][] = [
    ['seed 7, p = 0.3', { seed: 7, stream: 0, counter: 0 }],
    ['p = 0 (never-seen only), a 64-bit seed, counter past 2³² words', { seed: 2 ** 40 + 5, stream: 3, counter: 2 ** 34 + 1, viewedRate: 0 }],
    ['p = 1 (viewed whenever there is one), a negative seed', { seed: -12345, stream: 1, counter: 17, viewedRate: 1 }],
  ];
  for (const [name, attrs] of variants) {
    it(`draws exactly the reference's negatives and channels: ${name}`, async () => {
      const users = ids(2, 5000, USERS);
      const ref = await sample('js', users, attrs);
      for (const threads of [1, 2]) {
        const got = await withNativeThreads(backend.name, threads, () => sample(backend, users, attrs));
        assertExact(got.negatives, ref.negatives, `negatives (${threads} thread(s))`);
        assertExact(got.channel, ref.channel, `channels (${threads} thread(s))`);
        expect(got.exhausted).toBe(ref.exhausted);
      }
      expect(ref.exhausted).toBeGreaterThan(0);
    });
  }

  it('draws viewed negatives from the viewed row and unseen ones outside the seen row', async () => {
    const users = ids(3, 3000, USERS);
    const { negatives, channel } = await sample(backend, users, { seed: 1, stream: 0, counter: 0 });
    for (let r = 0; r < users.length; r++) {
      const u = users[r];
      if (channel[r] === 1) expect(viewed.indices.subarray(viewed.indptr[u], viewed.indptr[u + 1])).toContain(negatives[r]);
      else if (u >= 3) expect(seenItems.slice(seenIndptr[u], seenIndptr[u + 1])).not.toContain(negatives[r]);
    }
  });

  it('rejects a user outside the CSR', async () => {
    // webgpu finds the bad user on the GPU and reports it at the read, without its position.
    await expectFailure(() => sample(backend, Int32Array.of(0, USERS), { seed: 1, stream: 0, counter: 0 }),
      backend.name === 'webgpu' ? /a user id is out of range for 40 users/ : /user 40 at position 1 is out of range for 40 users/);
  });
});
