import { type Backend, hostF32, runKernel, tensor } from '@rec/core';
import { assertClose, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { integerF32, uniformF32 } from './fixtures.js';

/** Shapes of op(A) and op(B); the stored operands are their transposes where asked. */
const SHAPES: { name: string; a: number[]; b: number[] }[] = [
  { name: '2-D, sizes off every tile', a: [67, 45], b: [45, 130] },
  { name: '2-D, smaller than one register tile', a: [5, 3], b: [3, 7] },
  { name: '2-D, k over one cache block (k = 600)', a: [130, 600], b: [600, 40] },
  { name: 'batched both', a: [3, 33, 70], b: [3, 70, 65] },
  { name: 'batched A, shared 2-D B', a: [2, 5, 129], b: [129, 17] },
  { name: 'shared 2-D A, batched B', a: [31, 20], b: [4, 20, 9] },
  { name: 'narrow output (n = 32, the unpacked path)', a: [301, 64], b: [64, 32] },
  { name: 'narrow output, k = 1', a: [97, 1], b: [1, 40] },
  { name: 'narrow output of 64 (AVX-512 tiles), k over three of its blocks (k = 700)', a: [151, 700], b: [700, 64] },
  { name: 'narrow outputs of 48 and 56 (AVX-512 and AVX2 tiles)', a: [53, 70], b: [70, 48] },
  { name: 'narrow output of 56, k over two of its blocks', a: [29, 300], b: [300, 56] },
  { name: 'tiled, sizes off the 12 × 32 tile, k over two cache blocks', a: [37, 600], b: [600, 200] },
  { name: 'one output column (k = 40)', a: [2048, 40], b: [40, 1] },
  { name: 'one output column, long k over rows', a: [40, 2048], b: [2048, 1] },
];

const swap = (shape: number[], t: boolean) => (t ? [...shape.slice(0, -2), shape[shape.length - 1], shape[shape.length - 2]] : shape);
const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

function product(backend: Backend | string, a: Float32Array, aShape: number[], b: Float32Array, bShape: number[], attrs: { transposeA: boolean; transposeB: boolean }): { data: Float32Array; shape: readonly number[] } {
  const [c] = runKernel('matmul', [tensor(a, aShape, { backend }), tensor(b, bShape, { backend })], attrs);
  return { data: hostF32(c), shape: c.shape };
}

// webgpu's matmul parity (async reads) is in test/webgpu.test.ts; this suite names no kernel, so it runs js and native.
await forEachBackend(parityBackends(), (backend) => {
  for (const transposeA of [false, true]) {
    for (const transposeB of [false, true]) {
      for (const s of SHAPES) {
        it(`equals the reference within 1e-4 relative (transposeA ${transposeA}, transposeB ${transposeB}, ${s.name})`, () => {
          const attrs = { transposeA, transposeB };
          const aShape = swap(s.a, transposeA);
          const bShape = swap(s.b, transposeB);
          const a = uniformF32(1, size(aShape));
          const b = uniformF32(2, size(bShape));
          const ref = product('js', a, aShape, b, bShape, attrs);
          for (const threads of [1, 2]) {
            const got = withNativeThreads(backend.name, threads, () => product(backend, a, aShape, b, bShape, attrs));
            expect(got.shape).toEqual(ref.shape);
            // f32 accumulation over k terms of size ≤ 1: the absolute error grows like √k·ε·k.
            assertClose(got.data, ref.data, { atol: 1e-6 * s.a[s.a.length - 1], rtol: 1e-4 }, `C (${threads} thread(s))`);
          }
        });
      }
    }
  }

  it('is exact on small integers at 1024 × 256 × 300 over two threads (every tile and k-block path)', () => {
    const attrs = { transposeA: false, transposeB: true };
    const a = integerF32(3, 1024 * 300, -3, 3);
    const b = integerF32(4, 256 * 300, -3, 3);
    const ref = product('js', a, [1024, 300], b, [256, 300], attrs);
    const got = withNativeThreads(backend.name, 2, () => product(backend, a, [1024, 300], b, [256, 300], attrs));
    expect(Array.from(got.data)).toEqual(Array.from(ref.data));
  });

  it('is exact on small integers on the narrow path across its k blocks and column halves (k = 700, Aᵀ as in a weight gradient)', () => {
    // 131 rows: two row blocks; 64 rows: one, split into column halves on two threads.
    for (const [m, n] of [[131, 64], [131, 40], [64, 64], [64, 48]] as const) {
      const attrs = { transposeA: true, transposeB: false };
      const a = integerF32(5, 700 * m, -3, 3);
      const b = integerF32(6, 700 * n, -3, 3);
      const ref = product('js', a, [700, m], b, [700, n], attrs);
      for (const threads of [1, 2]) {
        const got = withNativeThreads(backend.name, threads, () => product(backend, a, [700, m], b, [700, n], attrs));
        expect(Array.from(got.data), `${m} × ${n}, ${threads} thread(s)`).toEqual(Array.from(ref.data));
      }
    }
  });

  it('gives each product of a batch of small ones the same bits on one thread and two (attention\'s per-head scores)', () => {
    const attrs = { transposeA: false, transposeB: true };
    const a = uniformF32(7, 64 * 50 * 32);
    const b = uniformF32(8, 64 * 50 * 32);
    const one = withNativeThreads(backend.name, 1, () => product(backend, a, [64, 50, 32], b, [64, 50, 32], attrs));
    const two = withNativeThreads(backend.name, 2, () => product(backend, a, [64, 50, 32], b, [64, 50, 32], attrs));
    expect(Array.from(two.data)).toEqual(Array.from(one.data));
    assertClose(one.data, product('js', a, [64, 50, 32], b, [64, 50, 32], attrs).data, { atol: 1e-5, rtol: 1e-4 }, 'batched scores');
  });

  it('gives zeros when k = 0', () => {
    const got = product(backend, new Float32Array(0), [3, 0], new Float32Array(0), [0, 4], { transposeA: false, transposeB: false });
    expect(Array.from(got.data)).toEqual(new Array(12).fill(0));
  });
});
