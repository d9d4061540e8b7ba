import { runKernel, tensor } from '@rec/core';
import { forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { bitsDiffer } from './fixtures.js';
import { assertScaled, forwardScales, layerNormCases, runLayerNorm } from './layer_norm_cases.js';

/**
 * y, mean and rstd within 10⁻⁶ of the scale of what each is made of (layer_norm_cases.ts) — native
 * does the reference's f64 arithmetic with its sums in lanes (bit-equal to the reference on every
 * case here); webgpu works in f32 with float-pair sums and a corrected mean (worst 2.7·10⁻⁷·scale
 * measured on llvmpipe, y of the SASRec case) — the same bits at 1 and 2 native threads, and one
 * message for bad input on every backend.
 */
const RTOL = 1e-6;

await forEachBackend(parityBackends('layer_norm'), (backend) => {
  for (const c of layerNormCases()) {
    it(`matches the reference within ${RTOL}·scale (${c.name})`, async () => {
      const ref = await runLayerNorm(c, 'js');
      const scales = forwardScales(c, ref[1], ref[2]);
      let first: Float32Array[] | undefined;
      for (const threads of [1, 2]) {
        const got = await withNativeThreads(backend.name, threads, () => runLayerNorm(c, backend));
        ['y', 'mean', 'rstd'].forEach((what, k) => assertScaled(got[k], ref[k], scales[k], RTOL, `layer_norm ${what}, ${c.name} (${threads} thread(s))`));
        if (first) got.forEach((g, k) => expect(bitsDiffer(g, first![k]), `output ${k} at 2 threads vs 1`).toBe(-1));
        first = got;
      }
    });
  }

  it('gives mean and rstd one entry per row, shaped as x without its last axis', () => {
    const [y, mean, rstd] = runKernel('layer_norm', [tensor(new Float32Array(24), [2, 3, 4], { backend }), tensor(new Float32Array(4), [4], { backend }), tensor(new Float32Array(4), [4], { backend })], { epsilon: 1e-5 });
    expect([y.shape, mean.shape, rstd.shape]).toEqual([[2, 3, 4], [2, 3], [2, 3]]);
  });

  const refusals: [string, number[], number[], number[], number, RegExp][] = [
    ['γ of the wrong size', [3, 4], [5], [4], 1e-5, /^layer_norm: gamma \[5\] needs 4 entries for x \[3, 4\]$/],
    ['β of the wrong size', [3, 4], [4], [3], 1e-5, /^layer_norm: beta \[3\] needs 4 entries for x \[3, 4\]$/],
    ['ε = 0', [3, 4], [4], [4], 0, /^layer_norm: epsilon must be a finite number > 0, got 0$/],
    ['an empty last axis', [3, 0], [0], [0], 1e-5, /^layer_norm: the last axis of x \[3, 0\] \(the normalised one\) is empty/],
  ];
  for (const [name, xs, gs, bs, epsilon, message] of refusals) {
    it(`refuses ${name} with one message on js and ${backend.name}`, () => {
      for (const on of ['js', backend] as const) {
        const t = (s: number[]) => tensor(new Float32Array(s.reduce((p, d) => p * d, 1)), s, { backend: on });
        expect(() => runKernel('layer_norm', [t(xs), t(gs), t(bs)], { epsilon })).toThrow(message);
      }
    });
  }
});
