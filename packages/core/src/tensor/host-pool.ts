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
 * recyclable. Views on a larger buffer are never pooled, except the arrays this module hands
 * out itself (below).
 *
 * Size classes: lengths from {@link MIN_POOLED_ELEMENTS} up are rounded up to one of eight
 * steps per power of two (at most 12.5 % more), and an array of a class serves every length
 * of that class as a view on its first elements. A model whose shapes vary by batch (NMTR's
 * behaviour suffixes, TIGER's padded histories) then finds its arrays in the pool: keyed by
 * exact length, NMTR-NeuMF's step missed on most of its intermediates, and allocating them
 * took 10 % of its time (a V8 CPU profile beside two other jobs, 2026-12-07; on a quiet
 * machine the size classes gain 1.5–4 %: apps/bench/README.md).
 */
import type { ArrayFor, DType, TypedArray } from './dtype.js';

/**
 * Arrays smaller than this many elements are left to the garbage collector: up to 64 bytes
 * V8 keeps a typed array's elements on its own heap. Above that every array has a backing
 * store allocated apart, so a NeuMF step at batch 256 (its 256-element per-row vectors)
 * gained from pooling them too.
 */
const MIN_POOLED_ELEMENTS = 16;

/**
 * Free arrays by (dtype, length). The map's order is the order in which its lengths were
 * last used (a hit or a return moves the key to the end), so when the pool is full the
 * lengths unused for longest are dropped first: a model whose shapes vary by batch (TIGER's
 * padded histories) keeps the lengths it still meets.
 */
const free = new Map<number, TypedArray[]>();
let pooledBytes = 0;
/**
 * The default limit: 2 GiB under Node, 256 MiB elsewhere (a browser tab). A training step
 * whose intermediates exceed the limit gains little (TIGER's category-level step on Yelp
 * frees about 1.5 GB per step: at 256 MiB the pool found 55 % of its allocations, at 2 GiB
 * 96 %, and the epoch took 40 s instead of 63–69 s). TIGER's item-level step on ml-100k
 * keeps 1.3 GB in the pool: at the former 1 GiB it missed 52 % of its arrays and trained
 * 574 rows/s, with room for all of them 826 (2026-12-07, apps/bench/README.md).
 */
const DEFAULT_LIMIT_BYTES = (typeof process !== 'undefined' && process.versions?.node ? 2048 : 256) * 1024 * 1024;
let limitBytes = DEFAULT_LIMIT_BYTES;
let hits = 0;
let misses = 0;

/**
 * A pooled array of `size` elements for `dtype`, zero-filled unless `zero` is false (its
 * previous values then remain), or undefined when none is free. (`allocArray` and
 * `allocOutputArray` call this first.)
 */
export function takePooled<D extends DType>(dtype: D, size: number, zero = true): ArrayFor<D> | undefined {
  if (size < MIN_POOLED_ELEMENTS) return undefined;
  const key = keyOf(dtype, pooledCapacity(size));
  const stack = free.get(key);
  const full = stack?.pop();
  if (!full) {
    misses++;
    return undefined;
  }
  hits++;
  touch(key, stack!);
  pooledBytes -= full.byteLength;
  const array = full.length === size ? full : full.subarray(0, size);
  if (zero) array.fill(0);
  return array as ArrayFor<D>;
}

/**
 * Offers a disposed tensor's array to the pool. The caller guarantees that nothing else
 * holds it (see the module's safety rule); arrays that are views on a larger buffer, too
 * small, or larger than the pool's limit are dropped. A full pool makes room by dropping
 * the arrays of the lengths used least recently.
 */
export function recycleHostArray(dtype: DType, array: TypedArray): void {
  const size = array.length;
  if (size < MIN_POOLED_ELEMENTS || array.byteOffset !== 0) return;
  // The whole class-sized array this one is a view on (or is); any other view is dropped.
  const capacity = pooledCapacity(size);
  if (array.buffer.byteLength !== capacity * array.BYTES_PER_ELEMENT) return;
  const full = capacity === size ? array : new (array.constructor as new (buffer: ArrayBufferLike) => TypedArray)(array.buffer);
  if (full.byteLength > limitBytes) return;
  const key = keyOf(dtype, capacity);
  const stack = free.get(key) ?? [];
  touch(key, stack);
  // Room for it: drop arrays of the least recently used lengths (this one's last).
  for (const [k, s] of free) {
    if (pooledBytes + full.byteLength <= limitBytes) break;
    while (s.length > 0 && pooledBytes + full.byteLength > limitBytes) pooledBytes -= s.pop()!.byteLength;
    if (s.length === 0 && k !== key) free.delete(k);
  }
  stack.push(full);
  pooledBytes += full.byteLength;
}

/**
 * The length an array of `size` elements is allocated with: `size` below
 * {@link MIN_POOLED_ELEMENTS}, else `size` rounded up to a multiple of an eighth of the power
 * of two at or below it (16 → 16, 17 → 18, 1,000 → 1,024, 2,050 → 2,304).
 */
export function pooledCapacity(size: number): number {
  if (size < MIN_POOLED_ELEMENTS) return size;
  const step = 2 ** Math.floor(Math.log2(size)) / 8;
  return Math.ceil(size / step) * step;
}

/** The pool's key of (dtype, length): a number, so that a lookup builds no string. */
function keyOf(dtype: DType, size: number): number {
  return size * 4 + (dtype === 'f32' ? 0 : dtype === 'i32' ? 1 : 2);
}

/** Marks a length as just used: its stack moves to the end of the eviction order. */
function touch(key: number, stack: TypedArray[]): void {
  free.delete(key);
  free.set(key, stack);
}

/**
 * Sets the most bytes the pool keeps (default 2 GiB under Node, 256 MiB elsewhere; 0 turns
 * pooling off), emptying the pool when it holds more. Returns the previous limit. The pool holds at most
 * what a step had alive at once, so it keeps the process's memory at the step's peak; the
 * trainer empties it when a fit ends.
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
  free.clear();
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
  for (const stack of free.values()) arrays += stack.length;
  return { bytes: pooledBytes, arrays, hits, misses, limitBytes };
}
