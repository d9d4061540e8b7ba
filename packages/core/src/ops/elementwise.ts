import { applyOp1, type OpDef } from '../autograd/op.js';
import { binaryGrads, unaryGrads } from '../autograd/grads/elementwise.js';
import type { BinaryAttrs, BinaryFn } from '../kernels/elementwise/binary.js';
import type { CastAttrs } from '../kernels/elementwise/cast.js';
import type { UnaryAttrs, UnaryFn } from '../kernels/elementwise/unary.js';
import type { DType } from '../tensor/dtype.js';
import { broadcastShapes } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { asTensor, type TensorLike } from './create.js';
import { expectDType } from './validate.js';

const unaryDefs = new Map<UnaryFn, OpDef<UnaryAttrs>>();
function unary(fn: UnaryFn, x: Tensor): Tensor {
  expectDType(x, ['f32'], fn);
  let def = unaryDefs.get(fn);
  if (!def) unaryDefs.set(fn, (def = { name: fn, kernel: 'unary', grad: unaryGrads[fn] }));
  return applyOp1(def, [x], { fn });
}

/** −x. */
export const neg = (x: Tensor): Tensor => unary('neg', x);
/** eˣ. */
export const exp = (x: Tensor): Tensor => unary('exp', x);
/** Natural logarithm. */
export const log = (x: Tensor): Tensor => unary('log', x);
/** √x. */
export const sqrt = (x: Tensor): Tensor => unary('sqrt', x);
/** 1/√x. */
export const rsqrt = (x: Tensor): Tensor => unary('rsqrt', x);
/** |x|. */
export const abs = (x: Tensor): Tensor => unary('abs', x);
/** sign(x) ∈ {−1, 0, 1}; its gradient is zero. */
export const sign = (x: Tensor): Tensor => unary('sign', x);
/** x². */
export const square = (x: Tensor): Tensor => unary('square', x);
/** 1/x. */
export const reciprocal = (x: Tensor): Tensor => unary('reciprocal', x);
/** max(x, 0). */
export const relu = (x: Tensor): Tensor => unary('relu', x);
/** 1 where x > 0 else 0; its gradient is zero. */
export const step = (x: Tensor): Tensor => unary('step', x);
/** σ(x) = 1 / (1 + e⁻ˣ), computed without overflow. */
export const sigmoid = (x: Tensor): Tensor => unary('sigmoid', x);
/** tanh(x). */
export const tanh = (x: Tensor): Tensor => unary('tanh', x);
/** log(1 + eˣ), computed without overflow. */
export const softplus = (x: Tensor): Tensor => unary('softplus', x);
/** log σ(x) = −softplus(−x), computed without overflow (the BPR and skip-gram log-likelihood). */
export const logSigmoid = (x: Tensor): Tensor => unary('log_sigmoid', x);

const binaryDefs = new Map<BinaryFn, OpDef<BinaryAttrs>>();
function binary(fn: BinaryFn, a: TensorLike, b: TensorLike): Tensor {
  const like = typeof a === 'number' ? (b as Tensor) : a;
  const ta = asTensor(a, like);
  const tb = asTensor(b, like);
  expectDType(ta, ['f32', 'i32', 'u32'], fn, 'a');
  if (ta.dtype !== tb.dtype) throw new Error(`${fn}: operands have dtypes ${ta.dtype} and ${tb.dtype}; cast one with cast()`);
  broadcastShapes(ta.shape, tb.shape, fn);
  let def = binaryDefs.get(fn);
  if (!def) binaryDefs.set(fn, (def = { name: fn, kernel: 'binary', grad: binaryGrads[fn] }));
  return applyOp1(def, [ta, tb], { fn });
}

/** a + b with broadcasting. */
export const add = (a: TensorLike, b: TensorLike): Tensor => binary('add', a, b);
/** a − b with broadcasting. */
export const sub = (a: TensorLike, b: TensorLike): Tensor => binary('sub', a, b);
/** a · b elementwise with broadcasting. */
export const mul = (a: TensorLike, b: TensorLike): Tensor => binary('mul', a, b);
/** a / b with broadcasting. */
export const div = (a: TensorLike, b: TensorLike): Tensor => binary('div', a, b);
/** aᵇ with broadcasting (a > 0 for a gradient in b). */
export const pow = (a: TensorLike, b: TensorLike): Tensor => binary('pow', a, b);
/** max(a, b) elementwise; on ties the gradient goes to a. */
export const maximum = (a: TensorLike, b: TensorLike): Tensor => binary('maximum', a, b);
/** min(a, b) elementwise; on ties the gradient goes to a. */
export const minimum = (a: TensorLike, b: TensorLike): Tensor => binary('minimum', a, b);
/** 1 where a = b else 0 (f32); not differentiable. */
export const equal = (a: TensorLike, b: TensorLike): Tensor => binary('equal', a, b);
/** 1 where a > b else 0 (f32); not differentiable. */
export const greater = (a: TensorLike, b: TensorLike): Tensor => binary('greater', a, b);
/** 1 where a ≥ b else 0 (f32); not differentiable. */
export const greaterEqual = (a: TensorLike, b: TensorLike): Tensor => binary('greater_equal', a, b);

const castDef: OpDef<CastAttrs> = { name: 'cast', kernel: 'cast' };
/** x converted to `dtype` (float → integer truncates toward zero); not differentiable. */
export function cast(x: Tensor, dtype: DType): Tensor {
  expectDType(x, ['f32', 'i32', 'u32'], 'cast');
  return applyOp1(castDef, [x], { dtype });
}
