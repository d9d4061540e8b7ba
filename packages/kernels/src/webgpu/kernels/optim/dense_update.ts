/**
 * The shared glue of the dense optimizer steps on `webgpu` (`sgd_update`,
 * `adagrad_update`, `adam_update`): one dispatch of `optim/<id>.wgsl`, one
 * invocation per element, in place on the parameter and its state. Inputs the
 * WGSL does not take (another dtype, sizes that differ) throw here, naming
 * the kernel, as the backend has no host fallback.
 */
import type { Tensor } from '@rec/core';
import { linearGrid, type PipelineConstants, type WebGPUBackend } from '../../backend.js';
import { bufferOf } from './row_sparse.js';

const WORKGROUP = 256;

/** One dense update: the kernel, `[param, grad, ...state]`, the uniform words after `n`. */
export interface DenseUpdate {
  /** Kernel id, also the WGSL entry point and the stem `optim/<id>`. */
  kernel: string;
  /** `[param, grad, ...state]`, each f32 of the parameter's size. */
  tensors: readonly Tensor[];
  /** Names of `tensors`, for errors. */
  names: readonly string[];
  /** A buffer bound after the tensors (SGD's velocity placeholder without momentum). */
  placeholder?: GPUBuffer;
  /** f32 words of the uniform block after `n` (at most 11). */
  scalars: readonly number[];
  constants?: PipelineConstants;
}

/** Checks the inputs and encodes the update. */
export function runDenseUpdate(gpu: WebGPUBackend, u: DenseUpdate): void {
  const n = u.tensors[0].size;
  u.tensors.forEach((t, i) => {
    if (t.dtype !== 'f32') throw new Error(`${u.kernel}: the webgpu kernel takes f32 tensors, but ${u.names[i]} is ${t.dtype}`);
    if (t.size !== n) throw new Error(`${u.kernel}: ${u.names[i]} has ${t.size} elements, expected ${n} (the parameter's)`);
  });
  if (n >= 2 ** 32) throw new Error(`${u.kernel}: the webgpu kernel updates fewer than 2³² elements, got ${n}`);
  if (n === 0) return;
  const uniforms = new ArrayBuffer(u.scalars.length + 1 <= 4 ? 16 : 48);
  new Uint32Array(uniforms, 0, 1)[0] = n;
  new Float32Array(uniforms, 4, u.scalars.length).set(u.scalars);
  gpu.run([{
    stem: `optim/${u.kernel}`,
    entry: u.kernel,
    constants: u.constants,
    uniforms,
    buffers: [...u.tensors.map(bufferOf), ...(u.placeholder ? [u.placeholder] : [])],
    groups: linearGrid(n, WORKGROUP),
  }]);
}
