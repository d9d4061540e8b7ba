/**
 * `binary`: z = a ∘ b elementwise with NumPy broadcasting (axes aligned from
 * the right; size-1 axes stretch). Arithmetic ops keep the inputs' dtype
 * (integer results truncate, as typed arrays do); comparisons return f32 0/1.
 */
import { hostData, hostOutput } from '../../backends/js/backend.js';
import { allocArray, type TypedArray } from '../../tensor/dtype.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { broadcastShapes, broadcastStrides, shapesEqual, sizeOf } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';

export type BinaryFn = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum' | 'equal' | 'greater' | 'greater_equal';

export interface BinaryAttrs {
  fn: BinaryFn;
}

const FNS: Record<BinaryFn, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: Math.max,
  minimum: Math.min,
  equal: (a, b) => (a === b ? 1 : 0),
  greater: (a, b) => (a > b ? 1 : 0),
  greater_equal: (a, b) => (a >= b ? 1 : 0),
};

const FN_NAMES: ReadonlySet<string> = new Set(Object.keys(FNS));

/**
 * Checks `binary`'s inputs and function: two inputs a, b of one dtype whose
 * shapes broadcast (NumPy rules: axes aligned from the right, size-1 axes
 * stretch), and `fn` one of {@link BinaryFn}. The spec's rule, run by
 * `runKernel` on every backend.
 *
 * @example
 * ```ts
 * checkBinaryInputs([a, b], { fn: 'add' }); // a [37, 19], b [19]
 * ```
 */
export function checkBinaryInputs(inputs: readonly Tensor[], attrs: BinaryAttrs): void {
  if (inputs.length !== 2) throw new Error(`binary: expected 2 inputs [a, b], got ${inputs.length}`);
  if (!FN_NAMES.has(attrs.fn)) throw new Error(`binary: unknown function '${attrs.fn}'; expected one of ${[...FN_NAMES].join(', ')}`);
  const [{ shape: a, dtype: da }, { shape: b, dtype: db }] = inputs;
  if (da !== db) throw new Error(`binary: a and b must share a dtype, got ${da} and ${db}`);
  // Walk the shared trailing axes only: a leading axis of the longer shape meets an implicit 1.
  for (let i = 1; i <= a.length && i <= b.length; i++) {
    const x = a[a.length - i];
    const y = b[b.length - i];
    if (x !== y && x !== 1 && y !== 1) {
      const axis = Math.max(a.length, b.length) - i;
      throw new Error(`binary: shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast (axis ${axis}: ${x} vs ${y})`);
    }
  }
}

export const binarySpec = declareKernel({ id: 'binary', family: 'elementwise', summary: 'z = a ∘ b with broadcasting', check: checkBinaryInputs });

/** True for the comparison variants, whose result is f32 0/1 whatever the input dtype. */
export function isComparison(fn: BinaryFn): boolean {
  return fn === 'equal' || fn === 'greater' || fn === 'greater_equal';
}

type Loop = (out: TypedArray, a: TypedArray, ao: number, as: number, b: TypedArray, bo: number, bs: number, o: number, n: number) => void;

/**
 * The inner loop of each function over one run of the last axis, with each
 * input's stride (0 when broadcast, 1 otherwise). One monomorphic loop per
 * function keeps the hot path free of a per-element indirect call.
 */
const LOOPS: Record<BinaryFn, Loop> = {
  add: (out, a, ao, as, b, bo, bs, o, n) => { for (let i = 0; i < n; i++) out[o + i] = a[ao + i * as] + b[bo + i * bs]; },
  sub: (out, a, ao, as, b, bo, bs, o, n) => { for (let i = 0; i < n; i++) out[o + i] = a[ao + i * as] - b[bo + i * bs]; },
  mul: (out, a, ao, as, b, bo, bs, o, n) => { for (let i = 0; i < n; i++) out[o + i] = a[ao + i * as] * b[bo + i * bs]; },
  div: (out, a, ao, as, b, bo, bs, o, n) => { for (let i = 0; i < n; i++) out[o + i] = a[ao + i * as] / b[bo + i * bs]; },
  pow: (out, a, ao, as, b, bo, bs, o, n) => { for (let i = 0; i < n; i++) out[o + i] = Math.pow(a[ao + i * as], b[bo + i * bs]); },
  maximum: (out, a, ao, as, b, bo, bs, o, n) => { for (let i = 0; i < n; i++) out[o + i] = Math.max(a[ao + i * as], b[bo + i * bs]); },
  minimum: (out, a, ao, as, b, bo, bs, o, n) => { for (let i = 0; i < n; i++) out[o + i] = Math.min(a[ao + i * as], b[bo + i * bs]); },
  equal: (out, a, ao, as, b, bo, bs, o, n) => { for (let i = 0; i < n; i++) out[o + i] = a[ao + i * as] === b[bo + i * bs] ? 1 : 0; },
  greater: (out, a, ao, as, b, bo, bs, o, n) => { for (let i = 0; i < n; i++) out[o + i] = a[ao + i * as] > b[bo + i * bs] ? 1 : 0; },
  greater_equal: (out, a, ao, as, b, bo, bs, o, n) => { for (let i = 0; i < n; i++) out[o + i] = a[ao + i * as] >= b[bo + i * bs] ? 1 : 0; },
};

/** The scalar function of each variant (for tests and documentation). */
export function binaryScalar(fn: BinaryFn): (a: number, b: number) => number {
  return FNS[fn];
}

registerKernel<BinaryAttrs>('binary', 'js', ({ inputs: [ta, tb], attrs, backend }) => {
  const loop = LOOPS[attrs.fn];
  const shape = broadcastShapes(ta.shape, tb.shape, attrs.fn);
  const dtype = isComparison(attrs.fn) ? 'f32' : ta.dtype;
  const a = hostData(ta);
  const b = hostData(tb);
  const n = sizeOf(shape);
  const out = allocArray(dtype, n);
  if (shapesEqual(ta.shape, tb.shape)) {
    loop(out, a, 0, 1, b, 0, 1, 0, n);
  } else if (b.length === 1) {
    loop(out, a, 0, 1, b, 0, 0, 0, n);
  } else if (a.length === 1) {
    loop(out, a, 0, 0, b, 0, 1, 0, n);
  } else if (n > 0) {
    // Runs along the last axis; a multi-index over the outer axes moves each input by its broadcast stride.
    const rank = shape.length;
    const inner = shape[rank - 1];
    const sa = broadcastStrides(ta.shape, shape);
    const sb = broadcastStrides(tb.shape, shape);
    const idx = new Array<number>(rank).fill(0);
    let ia = 0;
    let ib = 0;
    for (let o = 0; o < n; o += inner) {
      loop(out, a, ia, sa[rank - 1], b, ib, sb[rank - 1], o, inner);
      for (let ax = rank - 2; ax >= 0; ax--) {
        idx[ax] += 1;
        ia += sa[ax];
        ib += sb[ax];
        if (idx[ax] < shape[ax]) break;
        ia -= sa[ax] * shape[ax];
        ib -= sb[ax] * shape[ax];
        idx[ax] = 0;
      }
    }
  }
  return hostOutput(backend, shape, dtype, out);
});
