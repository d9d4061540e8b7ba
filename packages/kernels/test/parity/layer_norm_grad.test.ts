import { runKernel, tensor } from '@rec/core';
import { forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { bitsDiffer } from './fixtures.js';
import { assertScaled, backwardScales, layerNormCases, runLayerNorm, runLayerNormGrad } from './layer_norm_cases.js';

/**
 * dx, dγ and dβ from the same dy, x, γ and the reference forward's mean and rstd, within 10⁻⁶ of
 * the scale of the terms each sums (layer_norm_cases.ts): native in f64 with dγ/dβ summed per
 * fixed block of rows (bit-equal to the reference on every case here), webgpu in f32 with
 * float-pair sums (worst 1.6·10⁻⁷·scale measured on llvmpipe). Native gives the same bits at 1
 * and 2 threads (its row blocks do not depend on the thread count).
 */
const RTOL = 1e-6;

await forEachBackend(parityBackends('layer_norm_grad'), (backend) => {
  for (const c of layerNormCases()) {
    it(`matches the reference within ${RTOL}·scale (${c.name})`, async () => {
      const [, mean, rstd] = await runLayerNorm(c, 'js');
      const ref = await runLayerNormGrad(c, 'js', mean, rstd);
      const scales = backwardScales(c, mean, rstd);
      let first: Float32Array[] | undefined;
      for (const threads of [1, 2]) {
        const got = await withNativeThreads(backend.name, threads, () => runLayerNormGrad(c, backend, mean, rstd));
        ['dx', 'dgamma', 'dbeta'].forEach((what, k) => assertScaled(got[k], ref[k], scales[k], RTOL, `layer_norm_grad ${what}, ${c.name} (${threads} thread(s))`));
        if (first) got.forEach((g, k) => expect(bitsDiffer(g, first![k]), `output ${k} at 2 threads vs 1`).toBe(-1));
        first = got;
      }
    });
  }

  it('gives dγ and dβ γ\'s shape', () => {
    const t = (s: number[]) => tensor(new Float32Array(s.reduce((p, d) => p * d, 1)).fill(1), s, { backend });
    const out = runKernel('layer_norm_grad', [t([2, 3, 4]), t([2, 3, 4]), t([1, 4]), t([2, 3]), t([2, 3])], { epsilon: 1e-5 });
    expect(out.map((o) => o.shape)).toEqual([[2, 3, 4], [1, 4], [1, 4]]);
  });

  const refusals: [string, number[][], RegExp][] = [
    ['dy of another shape', [[3, 4], [4, 3], [3], [4], [4]], /^layer_norm_grad: dy \[3, 4\] must have x's shape \[4, 3\]$/],
    ['a mean of the wrong size', [[3, 4], [3, 4], [4], [4], [3]], /^layer_norm_grad: mean \[4\] needs one entry per row of x \[3, 4\] \(3\)$/],
    ['γ of the wrong size', [[3, 4], [3, 4], [3], [3], [3]], /^layer_norm_grad: gamma \[3\] needs 4 entries for x \[3, 4\]$/],
  ];
  for (const [name, shapes, message] of refusals) {
    it(`refuses ${name} with one message on js and ${backend.name}`, () => {
      for (const on of ['js', backend] as const) {
        const ts = shapes.map((s) => tensor(new Float32Array(s.reduce((p, d) => p * d, 1)), s, { backend: on }));
        expect(() => runKernel('layer_norm_grad', ts, { epsilon: 1e-5 })).toThrow(message);
      }
    });
  }
});
