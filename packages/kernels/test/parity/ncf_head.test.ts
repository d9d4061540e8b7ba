import { type Backend, runKernel, tensor } from '@rec/core';
import { assertClose, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { bitsDiffer } from './fixtures.js';
import { NCF_HEAD_CASES, ncfHeadInputs } from './ncf_head_cases.js';

/**
 * NCF's output layer logit = hᵀ[p ⊙ q; z] against the js reference (f64 sums): within 1e-5
 * relative plus 1e-6 per summed term (E + Z). Native gives the same bits at 1 and 2 threads.
 */
async function logits(backend: Backend | string, c: (typeof NCF_HEAD_CASES)[number]): Promise<Float32Array> {
  const [out] = runKernel('ncf_head', ncfHeadInputs(backend, c), {});
  return (await out.read()) as Float32Array;
}

await forEachBackend(parityBackends('ncf_head'), (backend) => {
  for (const c of NCF_HEAD_CASES) {
    it(`matches the reference (${c.name})`, async () => {
      const ref = await logits('js', c);
      let first: Float32Array | undefined;
      for (const threads of [1, 2]) {
        const got = await withNativeThreads(backend.name, threads, () => logits(backend, c));
        assertClose(got, ref, { atol: 1e-6 * (c.e + (c.z ?? 0)), rtol: 1e-5 }, `logits (${threads} thread(s))`);
        if (first && backend.name === 'native') expect(bitsDiffer(got, first), 'logits at 2 threads vs 1').toBe(-1);
        first = got;
      }
    });
  }

  it('rejects shapes that do not chain', () => {
    const t = (s: number[]) => tensor(new Float32Array(s.reduce((a, d) => a * d, 1)), s, { backend });
    expect(() => runKernel('ncf_head', [t([3, 4]), t([3, 5]), t([4, 1])], {})).toThrow(/^ncf_head: p and q must be \[n, E\] alike/);
    expect(() => runKernel('ncf_head', [t([3, 4]), t([3, 4]), t([5, 1])], {})).toThrow(/^ncf_head: h must have E \+ Z = 4 entries/);
    expect(() => runKernel('ncf_head', [t([3, 4]), t([3, 4]), t([6, 1]), t([2, 2])], {})).toThrow(/^ncf_head: z must be \[3, Z\]/);
  });
});
