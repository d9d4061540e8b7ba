import { allocArray, type DType, dtypeOf, type TypedArray } from '../tensor/dtype.js';
import type { Backend } from '../tensor/backend.js';
import { currentBackend, getBackend } from '../tensor/engine.js';
import { assertValidShape, formatShape, type Shape, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** Options for creating a tensor: its dtype and the backend that owns it. */
export interface CreateOptions {
  dtype?: DType;
  /** Backend name or object; the current backend when omitted. */
  backend?: string | Backend;
}

function resolveBackend(b: string | Backend | undefined): Backend {
  if (b === undefined) return currentBackend();
  return typeof b === 'string' ? getBackend(b) : b;
}

/**
 * A tensor holding a copy of `values`. The dtype is the typed array's, or
 * `options.dtype` (default f32) for plain number arrays; the shape defaults to
 * one axis.
 *
 * @example
 * ```ts
 * const ids = tensor(new Int32Array([3, 1, 4]));       // i32 [3]
 * const w = tensor([0.1, 0.2, 0.3, 0.4], [2, 2]);      // f32 [2, 2]
 * ```
 */
export function tensor(values: TypedArray | readonly number[], shape?: Shape, options: CreateOptions = {}): Tensor {
  const isTyped = ArrayBuffer.isView(values);
  const dtype = options.dtype ?? (isTyped ? dtypeOf(values as TypedArray) : 'f32');
  const s = shape ?? [values.length];
  assertValidShape(s, 'tensor()');
  if (sizeOf(s) !== values.length) {
    throw new Error(`tensor(): ${values.length} values do not fill shape ${formatShape(s)} (${sizeOf(s)} elements)`);
  }
  const data = isTyped && dtypeOf(values as TypedArray) === dtype ? (values as TypedArray) : copyAs(values, dtype);
  const backend = resolveBackend(options.backend);
  return new Tensor(s, dtype, backend.upload(dtype, data, data !== values));
}

function copyAs(values: ArrayLike<number>, dtype: DType): TypedArray {
  const out = allocArray(dtype, values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i];
  return out;
}

/** A rank-0 tensor. */
export function scalar(value: number, options: CreateOptions = {}): Tensor {
  return tensor([value], [], options);
}

/** A tensor of the given shape filled with `value`. */
export function full(shape: Shape, value: number, options: CreateOptions = {}): Tensor {
  assertValidShape(shape, 'full()');
  const dtype = options.dtype ?? 'f32';
  const data = allocArray(dtype, sizeOf(shape));
  if (value !== 0) data.fill(value);
  const backend = resolveBackend(options.backend);
  return new Tensor(shape, dtype, backend.upload(dtype, data, true));
}

/** A tensor of zeros. */
export function zeros(shape: Shape, options: CreateOptions = {}): Tensor {
  return full(shape, 0, options);
}

/** A tensor of ones. */
export function ones(shape: Shape, options: CreateOptions = {}): Tensor {
  return full(shape, 1, options);
}

/** Zeros with the shape, dtype and backend of `t`. */
export function zerosLike(t: Tensor): Tensor {
  return full(t.shape, 0, { dtype: t.dtype, backend: t.backend });
}

/** Ones with the shape, dtype and backend of `t`. */
export function onesLike(t: Tensor): Tensor {
  return full(t.shape, 1, { dtype: t.dtype, backend: t.backend });
}

/** A copy of `t` on another backend (the values pass through the host). */
export async function toBackend(t: Tensor, backend: string | Backend): Promise<Tensor> {
  const b = resolveBackend(backend);
  const values = await t.read();
  return new Tensor(t.shape, t.dtype, b.upload(t.dtype, values, true));
}

/** Either a tensor or a plain number, which ops turn into a scalar of the other operand's dtype and backend. */
export type TensorLike = Tensor | number;

/** Turns a number into a scalar like `like`; passes tensors through. */
export function asTensor(x: TensorLike, like: Tensor | undefined): Tensor {
  if (x instanceof Tensor) return x;
  return scalar(x, { dtype: like?.dtype ?? 'f32', backend: like?.backend });
}
