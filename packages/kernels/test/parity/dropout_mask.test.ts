import { type Backend, getBackend, runKernel } from '@rec/core';
import { assertExact, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';

/** The mask is counter-based Philox: every backend must give the reference's mask bit for bit. */
const CASES: [name: string, attrs: { shape: number[]; p: number; seed: number; stream: number; counter: number }][] = [
  ['p = 0.5, counter 0', { shape: [64, 33], p: 0.5, seed: 7, stream: 0, counter: 0 }],
  ['p = 0.1, a counter that is not a multiple of 4', { shape: [5, 7, 3], p: 0.1, seed: 123, stream: 2, counter: 3 }],
  ['p = 0.3 (not an f32), counter past 2³², negative seed', { shape: [1001], p: 0.3, seed: -5, stream: 9, counter: 2 ** 32 + 1 }],
  ['p = 0.999, a 64-bit seed and a counter past 2⁴⁰', { shape: [2, 50], p: 0.999, seed: 2 ** 40 + 7, stream: 4_000_000_000, counter: 2 ** 40 + 2 }],
  ['p = 0 keeps everything', { shape: [17], p: 0, seed: 1, stream: 0, counter: 5 }],
  ['p = 0 over whole blocks (the eight-block path)', { shape: [1000], p: 0, seed: 1, stream: 0, counter: 5 }],
  ['p = 1 − 2⁻²⁴, the highest threshold', { shape: [999], p: 1 - 2 ** -24, seed: 2, stream: 1, counter: 6 }],
  ['p = 2⁻²⁴ on the edge of the 24-bit uniform', { shape: [4096], p: 2 ** -24, seed: 3, stream: 0, counter: 0 }],
  ['an empty shape', { shape: [0, 4], p: 0.5, seed: 1, stream: 0, counter: 0 }],
  ['100,003 elements (split over threads), counter 1', { shape: [100_003], p: 0.25, seed: 11, stream: 1, counter: 1 }],
];

async function mask(backend: Backend | string, attrs: Record<string, unknown>): Promise<{ shape: number[]; data: Float32Array }> {
  const [m] = runKernel('dropout_mask', [], attrs, typeof backend === 'string' ? getBackend(backend) : backend);
  return { shape: [...m.shape], data: (await m.read()) as Float32Array };
}

await forEachBackend(parityBackends('dropout_mask'), (backend) => {
  for (const [name, attrs] of CASES) {
    it(`draws the reference's mask exactly (${name})`, async () => {
      const ref = await mask('js', attrs);
      for (const threads of [1, 2]) {
        const got = await withNativeThreads(backend.name, threads, () => mask(backend, attrs));
        expect(got.shape).toEqual(ref.shape);
        assertExact(got.data, ref.data, `${name} (${threads} thread(s))`);
      }
    });
  }

  it('drops about p of the elements and scales the rest by 1/(1 − p)', async () => {
    const { data } = await mask(backend, { shape: [20_000], p: 0.3, seed: 5, stream: 0, counter: 0 });
    const kept = data.filter((v) => v !== 0);
    expect(kept.every((v) => v === Math.fround(1 / 0.7))).toBe(true);
    expect(Math.abs(1 - kept.length / data.length - 0.3)).toBeLessThan(0.02);
  });
});
