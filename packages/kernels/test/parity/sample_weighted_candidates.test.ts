import { type Backend, runKernel, tensor } from '@rec/core';
import { assertExact, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { expectFailure, ids, uniformF32 } from './fixtures.js';

const ROWS = 3000;
const L = 20;
const candidates = ids(4, ROWS * L, 1107); // RetailRocket's 1,107 categories
// Softmax-like skewed weights with exact zeros sprinkled in (never drawn).
const weights = uniformF32(5, ROWS * L, 0, 1).map((x, i) => (i % 7 === 3 ? 0 : Math.exp(6 * x)));

async function sample(backend: Backend | string, attrs: Record<string, number>): Promise<{ samples: Int32Array; sampleWeights: Float32Array }> {
  const inputs = [tensor(candidates, [ROWS, L], { backend }), tensor(weights, [ROWS, L], { backend })];
  const [samples, sampleWeights] = runKernel('sample_weighted_candidates', inputs, { numSamples: 4, ...attrs });
  return { samples: (await samples.read()) as Int32Array, sampleWeights: (await sampleWeights.read()) as Float32Array };
}

await forEachBackend(parityBackends('sample_weighted_candidates'), (backend) => {
  const variants: [string, Record<string, number>][] = [
    ['seed 7, stream 0, counter 0', { seed: 7, stream: 0, counter: 0 }],
    ['a 64-bit seed, stream 3, counter past 2³² words, 1 sample', { seed: 2 ** 40 + 5, stream: 3, counter: 2 ** 34 + 1, numSamples: 1 }],
    ['a negative seed, 16 samples', { seed: -12345, stream: 1, counter: 17, numSamples: 16 }],
  ];
  for (const [name, attrs] of variants) {
    it(`draws exactly the reference's candidates and weights: ${name}`, async () => {
      const ref = await sample('js', attrs);
      for (const threads of [1, 2]) {
        const got = await withNativeThreads(backend.name, threads, () => sample(backend, attrs));
        assertExact(got.samples, ref.samples, `samples (${threads} thread(s))`);
        assertExact(got.sampleWeights, ref.sampleWeights, `sample weights (${threads} thread(s))`);
      }
    });
  }

  it('never draws a zero-weight candidate', async () => {
    const { samples, sampleWeights } = await sample(backend, { seed: 2, stream: 0, counter: 0, numSamples: 8 });
    for (let i = 0; i < sampleWeights.length; i++) expect(sampleWeights[i]).toBeGreaterThan(0);
    expect(samples.length).toBe(ROWS * 8);
  });

  it('rejects a negative weight naming the row and column', async () => {
    const bad = Float32Array.of(1, -1);
    // webgpu finds the bad weight on the GPU and reports it at the read, without its row and column.
    await expectFailure(async () => {
      const [samples] = runKernel('sample_weighted_candidates', [tensor(Int32Array.of(0, 1), [1, 2], { backend }), tensor(bad, [1, 2], { backend })], { numSamples: 1, seed: 1, stream: 0, counter: 0 });
      await samples.read();
    }, backend.name === 'webgpu' ? /a weight is negative, infinite or NaN/ : /weight -1 at row 0, column 1/);
  });
});
