import { type Backend, runKernel, tensor } from '@rec/core';
import { assertClose, assertExact, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { integerF32, uniformF32 } from './fixtures.js';

/** Correctly rounded in f32 on every backend (the f64 reference rounds to the same f32). */
const EXACT = new Set(['add', 'sub', 'mul', 'maximum', 'minimum', 'equal', 'greater', 'greater_equal']);
/** div (WGSL allows 2.5 ulps) and pow (exp2(b·log2 a) in drivers). */
const ROUNDED = { atol: 1e-6, rtol: 1e-5 };
const FNS = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'equal', 'greater', 'greater_equal'];

const SHAPES: [string, number[], number[]][] = [
  ['same shape', [37, 19], [37, 19]],
  ['a row broadcast over rows', [37, 19], [19]],
  ['column against row', [37, 1], [1, 19]],
  ['a scalar', [1], [5, 7]],
  ['rank 4 with stretched middle axes', [2, 1, 5, 3], [4, 1, 3]],
];

function operands(fn: string, n: number, m: number): [Float32Array, Float32Array] {
  if (fn === 'pow') return [uniformF32(31, n, 0.1, 3), uniformF32(32, m, -2, 2)];
  if (fn === 'div') return [uniformF32(33, n, -2, 2), uniformF32(34, m, 0.25, 2).map((v, i) => (i % 2 ? -v : v))];
  // Small integers, so the comparisons see equal values.
  return [integerF32(35, n, -3, 3), integerF32(36, m, -3, 3)];
}

async function apply(backend: Backend | string, fn: string, a: Float32Array, as: number[], b: Float32Array, bs: number[]): Promise<{ shape: number[]; data: Float32Array }> {
  const [z] = runKernel('binary', [tensor(a, as, { backend }), tensor(b, bs, { backend })], { fn });
  return { shape: [...z.shape], data: (await z.read()) as Float32Array };
}

const size = (s: number[]) => s.reduce((p, d) => p * d, 1);

await forEachBackend(parityBackends('binary'), (backend) => {
  for (const fn of FNS) {
    it(`${fn}: matches the reference${EXACT.has(fn) ? ' exactly' : ' to f32 rounding'}, on every broadcasting pattern`, async () => {
      for (const [name, as, bs] of SHAPES) {
        const [a, b] = operands(fn, size(as), size(bs));
        const ref = await apply('js', fn, a, as, b, bs);
        const got = await apply(backend, fn, a, as, b, bs);
        expect(got.shape, name).toEqual(ref.shape);
        if (EXACT.has(fn)) assertExact(got.data.map((v) => v + 0), ref.data.map((v) => v + 0), `${fn}, ${name}`);
        else assertClose(got.data, ref.data, ROUNDED, `${fn}, ${name}`);
      }
    });
  }

  // The reference takes i32 and u32 too (results stored as typed arrays store them) and gives
  // Math.*'s special values; native matches both, the webgpu kernel is f32-only.
  it('integer dtypes and NaN, ±0, ±∞ match the reference exactly, at 1 and 2 native threads', async (ctx) => {
    if (backend.name === 'webgpu') ctx.skip('the webgpu binary takes f32 only and leaves NaN / ±0 to the driver');
    const big = (seed: number, n: number) => integerF32(seed, n, -(2 ** 24), 2 ** 24).map((v, i) => v * (i % 3 === 0 ? 97 : 1));
    const specials = Float32Array.of(NaN, 0, -0, Infinity, -Infinity, 1, -1, 2, 0.5, 3);
    const cases: [string, number[], number[], (s: number, n: number) => Float32Array | Int32Array | Uint32Array][] = [
      ['i32, a row broadcast over rows', [37, 19], [19], (s, n) => Int32Array.from(big(s, n))],
      ['i32, 300 × 200 (split over threads)', [300, 200], [300, 200], (s, n) => Int32Array.from(big(s, n))],
      ['u32, column against row', [37, 1], [1, 19], (s, n) => Uint32Array.from(big(s, n), (v) => Math.abs(v))],
      ['u32, a scalar', [1], [5, 7], (s, n) => Uint32Array.from(big(s, n), (v) => Math.abs(v))],
      ['f32 special values, every pair', [10, 1], [1, 10], () => specials],
    ];
    for (const fn of FNS) {
      for (const [name, as, bs, make] of cases) {
        const a = make(37, size(as));
        const b = make(38, size(bs));
        const [zr] = runKernel('binary', [tensor(a, as), tensor(b, bs)], { fn });
        const ref = await zr.read();
        for (const threads of [1, 2]) {
          const got = await withNativeThreads(backend.name, threads, async () => (await runKernel('binary', [tensor(a, as, { backend }), tensor(b, bs, { backend })], { fn })[0].read()));
          expect(got.constructor, `${fn}, ${name}`).toBe(ref.constructor);
          if (fn === 'pow' && a instanceof Float32Array) assertClose(got, ref, ROUNDED, `${fn}, ${name} (${threads} thread(s))`);
          else assertExact(got, ref, `${fn}, ${name} (${threads} thread(s))`);
        }
      }
    }
  });
});
