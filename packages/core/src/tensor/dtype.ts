import { pooledCapacity, takePooled } from './host-pool.js';

/** Element types a {@link Tensor} can hold. Every backend supports all three. */
export type DType = 'f32' | 'i32' | 'u32';

/** The typed array that holds the values of a tensor of the matching dtype. */
export type TypedArray = Float32Array | Int32Array | Uint32Array;

/** Maps a dtype to its typed array type. */
export type ArrayFor<D extends DType> = D extends 'f32' ? Float32Array : D extends 'i32' ? Int32Array : Uint32Array;

/** Bytes per element of every dtype (all are 32-bit). */
export const BYTES_PER_ELEMENT = 4;

/**
 * Allocates a zero-filled typed array of `size` elements for `dtype`: one freed by a
 * disposed tensor when the host pool has one of that length (`host-pool.ts`), else a new one.
 */
export function allocArray<D extends DType>(dtype: D, size: number): ArrayFor<D> {
  return takePooled(dtype, size) ?? newArray(dtype, size);
}

/**
 * A typed array of `size` elements for `dtype` whose contents are unspecified (a pooled
 * array keeps its old values): for a kernel output of which the kernel writes every
 * element, which saves `allocArray`'s zero fill. Anything that reads before writing must
 * use `allocArray`.
 */
export function allocOutputArray<D extends DType>(dtype: D, size: number): ArrayFor<D> {
  return takePooled(dtype, size, false) ?? newArray(dtype, size);
}

/**
 * A new zero-filled typed array (the pool asked already), allocated at its pool size class
 * (`pooledCapacity`) so that it can serve other lengths of the class once recycled: a view
 * on the first `size` elements when the class is larger.
 */
function newArray<D extends DType>(dtype: D, size: number): ArrayFor<D> {
  const capacity = pooledCapacity(size);
  let full: TypedArray;
  switch (dtype) {
    case 'f32':
      full = new Float32Array(capacity);
      break;
    case 'i32':
      full = new Int32Array(capacity);
      break;
    case 'u32':
      full = new Uint32Array(capacity);
      break;
    default:
      throw new Error(`unknown dtype '${String(dtype)}': expected f32, i32 or u32`);
  }
  return (capacity === size ? full : full.subarray(0, size)) as ArrayFor<D>;
}

/** The dtype a typed array stores, or an error for any other array kind. */
export function dtypeOf(array: ArrayLike<number>): DType {
  if (array instanceof Float32Array) return 'f32';
  if (array instanceof Int32Array) return 'i32';
  if (array instanceof Uint32Array) return 'u32';
  throw new Error(`cannot infer a dtype from ${Object.prototype.toString.call(array)}: pass a Float32Array, Int32Array or Uint32Array, or name the dtype`);
}

/** True for integer dtypes, whose arithmetic wraps and whose values are never differentiated. */
export function isIntegerDType(dtype: DType): boolean {
  return dtype !== 'f32';
}
