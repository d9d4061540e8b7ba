/**
 * The layout kernels — `transpose`, `broadcast_to`, `slice`, its adjoint `pad_slice`, and `concat` — as
 * strided copies of 32-bit words, one plan shared by the fast backends: native (the C++
 * `strided_copy`) and webgpu (kernels/wgsl/layout/strided_copy.wgsl) run its copies (and the
 * js `transpose` walks its strides):
 *
 *   dst[dstBase + Σ_a idx_a·dstStride_a] = src[srcBase + Σ_a idx_a·srcStride_a]   for idx over shape
 *
 * A plan takes shapes and attributes that already passed its kernel's spec rule
 * (`checkTransposeInputs`, `checkBroadcastToInputs`, `checkSliceInputs`, `checkPadSliceInputs`,
 * `checkConcatInputs`), which `runKernel` runs before every backend: it does not check them
 * again, so called directly with a window outside the input it plans copies outside the arrays.
 */
import { type Shape, stridesOf } from '../../tensor/shape.js';

/** One strided copy from input `input` into the output (strides in elements). */
export interface CopyPlan {
  readonly input: number;
  readonly shape: Shape;
  readonly srcBase: number;
  readonly srcStride: readonly number[];
  readonly dstBase: number;
  readonly dstStride: readonly number[];
}

/** The output shape, whether it must start zeroed (`pad_slice`), and its copies. */
export interface LayoutPlan {
  readonly shape: Shape;
  readonly zeroed: boolean;
  readonly copies: readonly CopyPlan[];
}

const offsetOf = (begin: readonly number[], strides: readonly number[]): number => begin.reduce((o, b, a) => o + b * strides[a], 0);

/**
 * `broadcast_to`: x stretched to `shape` (NumPy rules: x's axes align to the right, each of
 * size 1 or equal to the target's).
 *
 * @example
 * ```ts
 * broadcastPlan([3, 1], [2, 3, 4]).copies[0].srcStride; // [0, 1, 0]
 * ```
 */
export function broadcastPlan(x: Shape, shape: Shape): LayoutPlan {
  const own = stridesOf(x);
  const offset = shape.length - x.length;
  const srcStride = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < x.length; i++) srcStride[i + offset] = x[i] === 1 ? 0 : own[i];
  return { shape: [...shape], zeroed: false, copies: [{ input: 0, shape: [...shape], srcBase: 0, srcStride, dstBase: 0, dstStride: stridesOf(shape) }] };
}

/**
 * `transpose`: x with its axes permuted (output axis i is input axis perm[i]): the output
 * written in order, the input read through its strides permuted. Axes that stay in order
 * keep a contiguous innermost run (multi-head attention's [B, T, h, d] ↔ [B, h, T, d] copies
 * rows of d), which the copies move as blocks.
 *
 * @example
 * ```ts
 * transposePlan([2, 3, 4], [0, 2, 1]).copies[0].srcStride; // [12, 1, 4]
 * ```
 */
export function transposePlan(x: Shape, perm: readonly number[]): LayoutPlan {
  const own = stridesOf(x);
  const shape = perm.map((p) => x[p]);
  return { shape, zeroed: false, copies: [{ input: 0, shape, srcBase: 0, srcStride: perm.map((p) => own[p]), dstBase: 0, dstStride: stridesOf(shape) }] };
}

/**
 * `slice`: x[begin : begin + size].
 *
 * @example
 * ```ts
 * slicePlan([4, 6], [1, 2], [2, 3]).copies[0].srcBase; // 8
 * ```
 */
export function slicePlan(x: Shape, begin: readonly number[], size: readonly number[]): LayoutPlan {
  const strides = stridesOf(x);
  return { shape: [...size], zeroed: false, copies: [{ input: 0, shape: [...size], srcBase: offsetOf(begin, strides), srcStride: strides, dstBase: 0, dstStride: stridesOf(size) }] };
}

/**
 * `pad_slice`: zeros(shape) with x written at `begin`.
 *
 * @example
 * ```ts
 * padSlicePlan([2, 3], [4, 6], [1, 2]).zeroed; // true
 * ```
 */
export function padSlicePlan(x: Shape, shape: Shape, begin: readonly number[]): LayoutPlan {
  const strides = stridesOf(shape);
  return { shape: [...shape], zeroed: true, copies: [{ input: 0, shape: [...x], srcBase: 0, srcStride: stridesOf(x), dstBase: offsetOf(begin, strides), dstStride: strides }] };
}

/**
 * `concat`: the inputs joined along `axis` (every other axis equal), one copy each.
 *
 * @example
 * ```ts
 * concatPlan([[2, 3], [2, 5]], 1).shape; // [2, 8]
 * ```
 */
export function concatPlan(inputs: readonly Shape[], axis: number): LayoutPlan {
  const shape = [...inputs[0]];
  shape[axis] = inputs.reduce((n, s) => n + s[axis], 0);
  const strides = stridesOf(shape);
  let at = 0;
  const copies = inputs.map((s, input) => {
    const c = { input, shape: [...s], srcBase: 0, srcStride: stridesOf(s), dstBase: at * strides[axis], dstStride: strides };
    at += s[axis];
    return c;
  });
  return { shape, zeroed: false, copies };
}
