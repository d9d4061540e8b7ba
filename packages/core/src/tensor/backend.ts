import type { DType, TypedArray } from './dtype.js';

/**
 * Storage for one tensor's values, owned by a backend. Reshaped views share a
 * handle, so it is reference-counted: the backend frees it when the last
 * tensor using it is disposed.
 */
export interface DataHandle {
  readonly backend: Backend;
  readonly dtype: DType;
  readonly size: number;
  refs: number;
}

/**
 * Where tensors live and kernels run. `js` (plain TypeScript loops, the
 * reference) is always present; `@rec/kernels` adds `native` and `webgpu`.
 */
export interface Backend {
  /** The name kernels are registered under: `<kernel id>:<name>`. */
  readonly name: string;
  /**
   * A backend whose kernels can run directly on this backend's storage; used
   * for any kernel this backend does not implement (e.g. `native` falls back to
   * `js`, since both keep values in host typed arrays).
   */
  readonly fallback?: string;
  /** Zero-filled storage for `size` elements. */
  alloc(dtype: DType, size: number): DataHandle;
  /** Storage holding a copy of `values` (or taking ownership when `adopt` is true). */
  upload(dtype: DType, values: TypedArray, adopt?: boolean): DataHandle;
  /** Overwrites the storage with `values` (same length), e.g. when loading saved parameters. */
  write(handle: DataHandle, values: TypedArray): void;
  /** The values, copied to the host. */
  read(handle: DataHandle): Promise<TypedArray>;
  /** The values without waiting, where the backend keeps them on the host; otherwise undefined. */
  readSync?(handle: DataHandle): TypedArray;
  /** Releases the storage. */
  free(handle: DataHandle): void;
  /**
   * The threads this backend's kernels run on (native: REC_THREADS); absent means one. A
   * kernel whose result depends on how its work is split (`bpr_step`'s `parts`) is given
   * this by its caller, so that the same thread count gives the same result.
   */
  threads?(): number;
}
