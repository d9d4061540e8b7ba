import { type Backend, runKernel, tensor } from '@rec/core';
import { assertClose, assertExact, forEachBackend } from '@rec/core/testing';
import { it } from 'vitest';
import { parityBackends } from './backends.js';
import { uniformF32 } from './fixtures.js';

/** Functions whose f32 result is exactly representable, so every backend must give it bit for bit. */
const EXACT = new Set(['neg', 'abs', 'sign', 'square', 'relu', 'step']);
/** exp/log/tanh in f32 (WGSL: a few ulps) against the f64 reference rounded to f32. */
const TRANSCENDENTAL = { atol: 1e-6, rtol: 1e-5 };
const POSITIVE_ONLY = new Set(['log', 'sqrt', 'rsqrt', 'reciprocal']);
const FNS = ['neg', 'exp', 'log', 'sqrt', 'rsqrt', 'abs', 'sign', 'square', 'reciprocal', 'relu', 'step', 'sigmoid', 'tanh', 'softplus', 'log_sigmoid'];

function inputs(fn: string): Float32Array {
  if (POSITIVE_ONLY.has(fn)) return uniformF32(21, 1000, 0.01, 10);
  const x = uniformF32(22, 1000, -6, 6);
  // Far tails (the stable forms must neither overflow nor lose digits), exact zeros and ties.
  x.set([0, -0, 1, -1, 40, -40, 90, -90, 1e-8, -1e-8]);
  return fn === 'exp' ? x.map((v) => Math.max(-80, Math.min(v, 80))) : x;
}

async function apply(backend: Backend | string, fn: string, x: Float32Array, shape: number[]): Promise<Float32Array> {
  return (await runKernel('unary', [tensor(x, shape, { backend })], { fn })[0].read()) as Float32Array;
}

await forEachBackend(parityBackends('unary'), (backend) => {
  for (const fn of FNS) {
    it(`${fn}: matches the reference${EXACT.has(fn) ? ' exactly' : ' to f32 rounding'} (including far tails)`, async () => {
      const x = inputs(fn);
      const ref = await apply('js', fn, x, [40, 25]);
      const got = await apply(backend, fn, x, [40, 25]);
      if (EXACT.has(fn)) assertExact(got.map((v) => v + 0), ref.map((v) => v + 0), fn);
      else assertClose(got, ref, TRANSCENDENTAL, fn);
    });
  }
});
