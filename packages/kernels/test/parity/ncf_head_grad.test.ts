import { type Backend, runKernel, tensor } from '@rec/core';
import { assertClose, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { bitsDiffer } from './fixtures.js';
import { NCF_HEAD_CASES, ncfHeadInputs, ncfHeadUpstream } from './ncf_head_cases.js';

/**
 * dp, dq, dh and dz of NCF's output layer against the js reference (f64 sums): within 1e-5
 * relative plus 1e-6 per summed term (dh sums n rows; the others are single products).
 * Native gives the same bits at 1 and 2 threads (dh's row blocks are a fixed grid).
 */
async function gradients(backend: Backend | string, c: (typeof NCF_HEAD_CASES)[number]): Promise<Float32Array[]> {
  const outs = runKernel('ncf_head_grad', [ncfHeadUpstream(backend, c.n), ...ncfHeadInputs(backend, c)], {});
  return Promise.all(outs.map(async (t) => (await t.read()) as Float32Array));
}

await forEachBackend(parityBackends('ncf_head_grad'), (backend) => {
  for (const c of NCF_HEAD_CASES) {
    it(`matches the reference (${c.name})`, async () => {
      const ref = await gradients('js', c);
      const names = ['dp', 'dq', 'dh', 'dz'];
      const terms = [1, 1, c.n, 1];
      let first: Float32Array[] | undefined;
      for (const threads of [1, 2]) {
        const got = await withNativeThreads(backend.name, threads, () => gradients(backend, c));
        expect(got.length).toBe(ref.length);
        got.forEach((g, i) => assertClose(g, ref[i], { atol: 1e-6 * terms[i], rtol: 1e-5 }, `${names[i]} (${threads} thread(s))`));
        if (first && backend.name === 'native') got.forEach((g, i) => expect(bitsDiffer(g, first![i]), `${names[i]} at 2 threads vs 1`).toBe(-1));
        first = got;
      }
    });
  }

  it('gives dh h\'s shape and dz only when z is given', () => {
    const t = (s: number[]) => tensor(new Float32Array(s.reduce((a, d) => a * d, 1)).fill(0.5), s, { backend });
    const neumf = runKernel('ncf_head_grad', [t([3]), t([3, 4]), t([3, 4]), t([6]), t([3, 2])], {});
    expect(neumf.map((o) => o.shape)).toEqual([[3, 4], [3, 4], [6], [3, 2]]);
    const gmf = runKernel('ncf_head_grad', [t([3]), t([3, 4]), t([3, 4]), t([4, 1])], {});
    expect(gmf.map((o) => o.shape)).toEqual([[3, 4], [3, 4], [4, 1]]);
  });

  it('rejects an upstream gradient of another length', () => {
    const t = (s: number[]) => tensor(new Float32Array(s.reduce((a, d) => a * d, 1)), s, { backend });
    expect(() => runKernel('ncf_head_grad', [t([2]), t([3, 4]), t([3, 4]), t([4, 1])], {})).toThrow(/^ncf_head_grad: dlogit must be \[3\]/);
  });
});
