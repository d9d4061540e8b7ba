import type { Backend, DataHandle } from '../../tensor/backend.js';
import { allocArray, allocOutputArray, type DType, type TypedArray } from '../../tensor/dtype.js';
import { recycleHostArray } from '../../tensor/host-pool.js';
import type { KernelOutput } from '../../tensor/registry.js';
import type { Shape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';

/** Storage of the `js` backend: a host typed array. */
export interface HostHandle extends DataHandle {
  data: TypedArray;
  /**
   * True while no one outside the backend and its kernels holds `data`: storage the
   * backend allocated or copied, or a kernel's fresh output. Freeing such a handle hands
   * `data` to the host pool (`tensor/host-pool.ts`); `readSync` clears it.
   */
  recyclable?: boolean;
}

/**
 * The host-array part of a backend: allocation, upload, reads and freeing through the
 * host pool. `js` and `native` (whose kernels run on the same arrays) share it.
 */
export function hostStorage(self: () => Backend): Omit<Backend, 'name' | 'fallback'> {
  return {
    alloc(dtype: DType, size: number): HostHandle {
      return { backend: self(), dtype, size, refs: 1, data: allocArray(dtype, size), recyclable: true };
    },
    upload(dtype: DType, values: TypedArray, adopt = false): HostHandle {
      return { backend: self(), dtype, size: values.length, refs: 1, data: adopt ? values : copyOf(dtype, values), recyclable: !adopt };
    },
    write(handle: DataHandle, values: TypedArray): void {
      (handle as HostHandle).data.set(values);
    },
    read(handle: DataHandle): Promise<TypedArray> {
      return Promise.resolve((handle as HostHandle).data.slice());
    },
    readSync(handle: DataHandle): TypedArray {
      const h = handle as HostHandle;
      h.recyclable = false;
      return h.data;
    },
    free(handle: DataHandle): void {
      const h = handle as HostHandle;
      if (h.recyclable) recycleHostArray(h.dtype, h.data);
      h.recyclable = false;
      h.data = EMPTY[h.dtype];
    },
  };
}

const EMPTY: Record<DType, TypedArray> = { f32: new Float32Array(0), i32: new Int32Array(0), u32: new Uint32Array(0) };

function copyOf(dtype: DType, values: TypedArray): TypedArray {
  const out = allocOutputArray(dtype, values.length); // every element is set below: no zero fill
  out.set(values);
  return out;
}

/**
 * The reference backend: values in host typed arrays, kernels in plain
 * TypeScript loops. Every kernel has an implementation here; faster backends
 * are tested against it.
 */
export const jsBackend: Backend = {
  name: 'js',
  ...hostStorage(() => jsBackend),
};

/**
 * The host array behind a tensor on a host-memory backend (`js`, or one falling back to it),
 * for kernels: valid until the tensor is disposed (its array may then serve another tensor).
 * Code that keeps values beyond that reads them with `readSync` or `read`.
 */
export function hostData(t: Tensor): TypedArray {
  const h = t.handle as Partial<HostHandle>;
  if (!h.data) throw new Error(`tensor on backend '${t.handle.backend.name}' has no host array; kernels of the js backend cannot read it`);
  return h.data;
}

/** The host Float32Array behind an f32 tensor. */
export function hostF32(t: Tensor): Float32Array {
  return hostData(t) as Float32Array;
}

/**
 * Wraps a freshly computed host array as a kernel output on `backend`. `data` must be the
 * kernel's own (never an input's array, which would then have two owners): on a host
 * backend it goes to the host pool when the output is disposed.
 */
export function hostOutput(backend: Backend, shape: Shape, dtype: DType, data: TypedArray): KernelOutput {
  const handle = backend.upload(dtype, data, true);
  if ((handle as HostHandle).data === data) (handle as HostHandle).recyclable = true;
  return { shape, dtype, handle };
}
