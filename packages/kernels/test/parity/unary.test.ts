import { type Backend, runKernel, tensor } from '@rec/core';
import { assertClose, assertExact, forEachBackend } from '@rec/core/testing';
import { it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
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

  // Math.*'s special values, an input long enough to split over native threads, and i32
  // input (the reference reads it as numbers; native hands it to the reference).
  it('NaN, ±0, ±∞, subnormals, 100,000 values at 1 and 2 native threads, and i32 input match the reference', async (ctx) => {
    if (backend.name === 'webgpu') ctx.skip('the webgpu unary leaves NaN / ±0 / subnormals to the driver and takes f32 only');
    const specials = Float32Array.of(NaN, 0, -0, Infinity, -Infinity, 1e-45, -1e-45, 3e38, -3e38, 1e-30);
    const long = uniformF32(23, 100_000, -10, 10);
    const ints = Int32Array.of(-3, -1, 0, 1, 2, 7);
    for (const fn of FNS) {
      for (const [name, x] of [['special values', specials], ['100,000 values', long], ['i32 input', ints]] as const) {
        const ref = (await runKernel('unary', [tensor(x, [x.length])], { fn })[0].read()) as Float32Array;
        for (const threads of [1, 2]) {
          const got = (await withNativeThreads(backend.name, threads, async () => runKernel('unary', [tensor(x, [x.length], { backend })], { fn })[0].read())) as Float32Array;
          if (EXACT.has(fn)) assertExact(got, ref, `${fn}, ${name} (${threads} thread(s))`);
          else assertClose(got, ref, TRANSCENDENTAL, `${fn}, ${name} (${threads} thread(s))`);
        }
      }
    }
  });
});
