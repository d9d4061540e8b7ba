/**
 * The shared glue of the dense optimizer steps on `webgpu` (`sgd_update`,
 * `adagrad_update`, `adam_update`): one dispatch of `optim/<id>.wgsl`, one
 * invocation per element, in place on the parameter and its state. The input
 * count, dtypes (all f32), shapes (all the parameter's) and attributes are each
 * kernel's spec rule, run by the engine before this; what stays here is the
 * WGSL's own limit, fewer than 2³² elements.
 */
import type { Tensor } from '@rec/core';
import { linearGrid, type PipelineConstants, type WebGPUBackend } from '../../backend.js';
import { bufferOf } from './row_sparse.js';

const WORKGROUP = 256;

/** One dense update: the kernel, `[param, grad, ...state]`, the uniform words after `n`. */
export interface DenseUpdate {
  /** Kernel id, also the WGSL entry point and the stem `optim/<id>`. */
  kernel: string;
  /** `[param, grad, ...state]`, each f32 of the parameter's shape (the spec rule checked). */
  tensors: readonly Tensor[];
  /** A buffer bound after the tensors (SGD's velocity placeholder without momentum). */
  placeholder?: GPUBuffer;
  /** f32 words of the uniform block after `n` (at most 11). */
  scalars: readonly number[];
  constants?: PipelineConstants;
}

/** Encodes the update (nothing for an empty parameter). */
export function runDenseUpdate(gpu: WebGPUBackend, u: DenseUpdate): void {
  const n = u.tensors[0].size;
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
