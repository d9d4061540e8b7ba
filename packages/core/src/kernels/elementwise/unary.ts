/**
 * `unary`: y = f(x) elementwise on f32, for f in {@link UnaryFn}.
 *
 * Numerics: softplus(x) = max(x, 0) + log1p(exp(-|x|)) and
 * log_sigmoid(x) = min(x, 0) - log1p(exp(-|x|)) never overflow; sigmoid uses
 * the sign-split form so exp never sees a large positive argument.
 */
import { hostF32, hostOutput } from '../../backends/js/backend.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { allocArray } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';

export type UnaryFn =
  | 'neg' | 'exp' | 'log' | 'sqrt' | 'rsqrt' | 'abs' | 'sign' | 'square' | 'reciprocal'
  | 'relu' | 'step' | 'sigmoid' | 'tanh' | 'softplus' | 'log_sigmoid';

export interface UnaryAttrs {
  fn: UnaryFn;
}

function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

const FNS: Record<UnaryFn, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  abs: Math.abs,
  sign: Math.sign,
  square: (x) => x * x,
  reciprocal: (x) => 1 / x,
  relu: (x) => (x > 0 ? x : 0),
  step: (x) => (x > 0 ? 1 : 0),
  sigmoid,
  tanh: Math.tanh,
  softplus: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
  log_sigmoid: (x) => Math.min(x, 0) - Math.log1p(Math.exp(-Math.abs(x))),
};

const FN_NAMES: ReadonlySet<string> = new Set(Object.keys(FNS));

/**
 * Checks `unary`'s input and function: one input x (f32; i32 and u32 are read
 * as numbers) and `fn` one of {@link UnaryFn}. The spec's rule, run by
 * `runKernel` on every backend.
 *
 * @example
 * ```ts
 * checkUnaryInputs([x], { fn: 'sigmoid' });
 * ```
 */
export function checkUnaryInputs(inputs: readonly Tensor[], attrs: UnaryAttrs): void {
  if (inputs.length !== 1) throw new Error(`unary: expected 1 input [x], got ${inputs.length}`);
  if (!FN_NAMES.has(attrs.fn)) throw new Error(`unary: unknown function '${attrs.fn}'; expected one of ${[...FN_NAMES].join(', ')}`);
}

export const unarySpec = declareKernel({ id: 'unary', family: 'elementwise', summary: 'y_i = f(x_i) for an elementwise f', check: checkUnaryInputs });

/** The scalar function behind each unary kernel variant, shared with tests. */
export function unaryScalar(fn: UnaryFn): (x: number) => number {
  return FNS[fn];
}

registerKernel<UnaryAttrs>('unary', 'js', ({ inputs: [x], attrs, backend }) => {
  const f = FNS[attrs.fn];
  const a = hostF32(x);
  const out = allocArray('f32', a.length);
  for (let i = 0; i < a.length; i++) out[i] = f(a[i]);
  return hostOutput(backend, x.shape, 'f32', out);
});
