/**
 * The parity suite shared by the layout copies (`broadcast_to`, `slice`, `pad_slice`,
 * `concat`): each case runs the kernel on the `js` reference and on the backend
 * under test with the same inputs, in f32 (with −0 and a subnormal, which a copy must
 * keep bit for bit) and i32, and compares exactly — a copy does no arithmetic.
 */
import { type Backend, type DType, runKernel, tensor, type TypedArray } from '@rec/core';
import { assertExact } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { ids, uniformF32 } from './fixtures.js';

/** One call of a layout kernel: its inputs' shapes and its attributes. */
export interface LayoutCase {
  readonly name: string;
  readonly shapes: readonly (readonly number[])[];
  readonly attrs: object;
}

const size = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);

function input(seed: number, dtype: DType, n: number): TypedArray {
  if (dtype === 'i32') return ids(seed, n, 1_000_000);
  const x = uniformF32(seed, n, -10, 10);
  if (n >= 2) x.set([-0, 1e-40], 0);
  return x;
}

async function run(kernel: string, backend: Backend | string, inputs: readonly TypedArray[], c: LayoutCase): Promise<{ shape: number[]; data: TypedArray }> {
  const ts = inputs.map((x, k) => tensor(x, [...c.shapes[k]], { backend }));
  const [y] = runKernel(kernel, ts, c.attrs);
  return { shape: [...y.shape], data: await y.read() };
}

/** Registers one exact-parity test per case and dtype on `backend`. */
export function layoutParity(kernel: string, backend: Backend, cases: readonly LayoutCase[]): void {
  for (const c of cases) {
    for (const dtype of ['f32', 'i32'] as const) {
      it(`${kernel} matches the reference exactly (${c.name}, ${dtype})`, async () => {
        const inputs = c.shapes.map((s, k) => input(61 + k, dtype, size(s)));
        const ref = await run(kernel, 'js', inputs, c);
        const got = await run(kernel, backend, inputs, c);
        expect(got.shape).toEqual(ref.shape);
        expect(got.data.constructor).toBe(ref.data.constructor);
        assertExact(got.data, ref.data, `${kernel} ${c.name} ${dtype}`);
      });
    }
  }
}

/** One call a layout kernel must refuse, and the message every backend gives (the shared plan's check). */
export interface LayoutFailure {
  readonly name: string;
  readonly shapes: readonly (readonly number[])[];
  readonly attrs: object;
  readonly message: RegExp;
}

/** Registers one test per failure: the reference and the backend under test refuse it with the same message. */
export function layoutFailures(kernel: string, backend: Backend, cases: readonly LayoutFailure[]): void {
  for (const c of cases) {
    it(`${kernel} refuses ${c.name} with one message on js and ${backend.name}`, () => {
      for (const on of ['js', backend] as const) {
        const ts = c.shapes.map((s) => tensor(new Float32Array(size(s)), [...s], { backend: on }));
        expect(() => runKernel(kernel, ts, c.attrs)).toThrow(c.message);
      }
    });
  }
}
