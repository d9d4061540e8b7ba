import type { Backend, DataHandle } from '../../tensor/backend.js';
import { allocArray, type DType, type TypedArray } from '../../tensor/dtype.js';
import type { KernelOutput } from '../../tensor/registry.js';
import type { Shape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';

/** Storage of the `js` backend: a host typed array. */
export interface HostHandle extends DataHandle {
  data: TypedArray;
}

/**
 * The reference backend: values in host typed arrays, kernels in plain
 * TypeScript loops. Every kernel has an implementation here; faster backends
 * are tested against it.
 */
export const jsBackend: Backend = {
  name: 'js',
  alloc(dtype: DType, size: number): HostHandle {
    return { backend: jsBackend, dtype, size, refs: 1, data: allocArray(dtype, size) };
  },
  upload(dtype: DType, values: TypedArray, adopt = false): HostHandle {
    const data = adopt ? values : values.slice();
    return { backend: jsBackend, dtype, size: values.length, refs: 1, data };
  },
  write(handle: DataHandle, values: TypedArray): void {
    (handle as HostHandle).data.set(values);
  },
  read(handle: DataHandle): Promise<TypedArray> {
    return Promise.resolve((handle as HostHandle).data.slice());
  },
  readSync(handle: DataHandle): TypedArray {
    return (handle as HostHandle).data;
  },
  free(handle: DataHandle): void {
    (handle as HostHandle).data = allocArray(handle.dtype, 0);
  },
};

/** The host array behind a tensor on a host-memory backend (`js`, or one falling back to it). */
export function hostData(t: Tensor): TypedArray {
  const h = t.handle as Partial<HostHandle>;
  if (!h.data) throw new Error(`tensor on backend '${t.handle.backend.name}' has no host array; kernels of the js backend cannot read it`);
  return h.data;
}

/** The host Float32Array behind an f32 tensor. */
export function hostF32(t: Tensor): Float32Array {
  return hostData(t) as Float32Array;
}

/** Wraps a freshly computed host array as a kernel output on `backend`. */
export function hostOutput(backend: Backend, shape: Shape, dtype: DType, data: TypedArray): KernelOutput {
  return { shape, dtype, handle: backend.upload(dtype, data, true) };
}
