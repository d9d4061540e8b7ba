/**
 * A pool of host typed arrays freed by disposed tensors, so that a training step does not
 * allocate (and the garbage collector does not chase) every intermediate afresh.
 *
 * Why: a step of an autograd model (SASRec, TIGER, NeuMF) creates a few hundred
 * intermediates, each a new typed array: fresh zeroed pages from the system (page faults,
 * a memset), and an ArrayBuffer whose external memory, growing by hundreds of MB a second,
 * makes V8 start a full mark-compact every few dozen milliseconds. With the pool a
 * disposed tensor's array goes back to a free list by (dtype, length) and the next
 * allocation of that length takes it, zeroed.
 *
 * Safety rule: an array enters the pool only from a host handle that is `recyclable` —
 * storage the backend allocated or copied itself, or a kernel's fresh output — and that no
 * caller has seen: `readSync` (and so `Tensor.readSync` and `item`) clears the flag,
 * because the caller may keep the array after the tensor is gone. Arrays handed in with
 * `upload(…, adopt = true)` from outside a kernel (a `Parameter`'s initial values) are never
 * recyclable. Views on a larger buffer are never pooled.
 */
import type { ArrayFor, DType, TypedArray } from './dtype.js';

/** Arrays smaller than this many elements are left to the garbage collector (cheap on V8's heap). */
const MIN_POOLED_ELEMENTS = 1024;

const free: Record<DType, Map<number, TypedArray[]>> = { f32: new Map(), i32: new Map(), u32: new Map() };
let pooledBytes = 0;
let limitBytes = 256 * 1024 * 1024;
let hits = 0;
let misses = 0;

/**
 * A pooled array of `size` elements for `dtype`, zero-filled, or undefined when none is free.
 * (`allocArray` calls this first.)
 */
export function takePooled<D extends DType>(dtype: D, size: number): ArrayFor<D> | undefined {
  if (size < MIN_POOLED_ELEMENTS) return undefined;
  const stack = free[dtype].get(size);
  const array = stack?.pop();
  if (!array) {
    misses++;
    return undefined;
  }
  hits++;
  pooledBytes -= array.byteLength;
  array.fill(0);
  return array as ArrayFor<D>;
}

/**
 * Offers a disposed tensor's array to the pool. The caller guarantees that nothing else
 * holds it (see the module's safety rule); arrays that are views on a larger buffer, too
 * small, or over the pool's limit are dropped.
 */
export function recycleHostArray(dtype: DType, array: TypedArray): void {
  const size = array.length;
  if (size < MIN_POOLED_ELEMENTS || array.byteOffset !== 0 || array.buffer.byteLength !== array.byteLength) return;
  if (pooledBytes + array.byteLength > limitBytes) return;
  let stack = free[dtype].get(size);
  if (!stack) free[dtype].set(size, (stack = []));
  stack.push(array);
  pooledBytes += array.byteLength;
}

/**
 * Sets the most bytes the pool keeps (default 256 MiB; 0 turns pooling off) and drops what
 * is over it. Returns the previous limit.
 *
 * @example
 * ```ts
 * setHostPoolLimit(64 * 1024 * 1024); // a browser tab with little memory to spare
 * ```
 */
export function setHostPoolLimit(bytes: number): number {
  if (!(Number.isFinite(bytes) && bytes >= 0)) throw new Error(`setHostPoolLimit: bytes must be a finite number ≥ 0, got ${bytes}`);
  const previous = limitBytes;
  limitBytes = bytes;
  if (pooledBytes > limitBytes) clearHostPool();
  return previous;
}

/**
 * Empties the pool (its arrays go to the garbage collector), e.g. after training, before
 * work that needs the memory.
 *
 * @example
 * ```ts
 * await model.fit(data);
 * clearHostPool();
 * ```
 */
export function clearHostPool(): void {
  for (const map of Object.values(free)) map.clear();
  pooledBytes = 0;
}

/**
 * What the pool holds and how often an allocation found an array in it.
 *
 * @example
 * ```ts
 * const { bytes, hits, misses } = hostPoolStats();
 * ```
 */
export function hostPoolStats(): { bytes: number; arrays: number; hits: number; misses: number; limitBytes: number } {
  let arrays = 0;
  for (const map of Object.values(free)) for (const stack of map.values()) arrays += stack.length;
  return { bytes: pooledBytes, arrays, hits, misses, limitBytes };
}
