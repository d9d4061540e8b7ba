/**
 * `skipgram_step` on `webgpu`: the glue for `kernels/wgsl/sgd/skipgram_step.wgsl`
 * — one workgroup walks the examples and their output rows in batch order (the
 * reference's single-thread semantics in f32; see the WGSL header for why and
 * what it costs). Shapes, dtypes and attributes are checked by the engine
 * before this runs (the spec's rule, `checkSkipgramStepInputs`); ids and the
 * category map (CSR) on the GPU (raised at the next read, nothing updated),
 * where they live.
 */
import type { KernelImpl, SkipgramStepAttrs, Tensor } from '@rec/core';
import type { GpuHandle, WebGPUBackend } from '../../backend.js';

const K = 'skipgram_step';
/** Largest width d the shader's per-invocation column registers hold (64 invocations × 16). */
export const SKIPGRAM_MAX_DIM = 1024;

function buffer(t: Tensor): GPUBuffer {
  return (t.handle as GpuHandle).buffer;
}

/**
 * The messages of the status bits a kernel with a category map sets on the
 * GPU: bit 0 an id, bit 1 the map's ends, bit 2 a touched row's range, bit 3 a
 * category row (the WGSL headers list the same bits).
 *
 * @example
 * ```ts
 * const status = gpu.statusWord(extraStatusMessages('bpr_step', idMessage, indices.size, X.shape[0]));
 * ```
 */
export function extraStatusMessages(kernel: string, idMessage: string, nnz: number, extraRows: number): string[] {
  return [
    idMessage,
    `${kernel}: extraIndptr must run from 0 to ${nnz} (the length of extraIndices); nothing was updated`,
    `${kernel}: the extraIndptr range of an output row in the batch is not a range of extraIndices (length ${nnz}); nothing was updated`,
    `${kernel}: an extra row of an output row in the batch is out of range for ${extraRows} rows; nothing was updated`,
  ];
}

/** The `webgpu` implementation of `skipgram_step` (in place on the tables; returns the mean loss). */
export const skipgramStep: KernelImpl<SkipgramStepAttrs> = ({ inputs, attrs, backend }) => {
  const gpu = backend as WebGPUBackend;
  const [A, Bt, W, ca, cb, targets, negs] = inputs;
  const hasExtra = inputs.length === 10;
  const d = A.shape[1];
  const batch = ca.shape[0];
  const [X, indptr, indices] = hasExtra ? inputs.slice(7) : [];
  if (d > SKIPGRAM_MAX_DIM) throw new Error(`${K}: the webgpu kernel holds at most d = ${SKIPGRAM_MAX_DIM} columns, got ${d}`);
  const N = negs.shape[1];
  const loss = gpu.alloc('f32', 1);
  if (batch > 0) {
    const rowsExtra = hasExtra ? X.shape[0] : 0;
    const nnz = hasExtra ? indices.size : 0;
    const u = new ArrayBuffer(64);
    new Uint32Array(u, 0, 8).set([batch, d, N, A.shape[0], Bt.shape[0], W.shape[0], rowsExtra, nnz]);
    new Float32Array(u, 32, 5).set([attrs.alpha1, attrs.alpha2, attrs.extraWeight, attrs.lr, attrs.reg]);
    const idMessage = `${K}: a context, target or negative id is out of range for its table (${A.shape[0]} contextA, ${Bt.shape[0]} contextB, ${W.shape[0]} output rows); nothing was updated`;
    const status = gpu.statusWord(hasExtra ? extraStatusMessages(K, idMessage, nnz, rowsExtra) : idMessage);
    // The ids, then (with the category map) indptr ‖ indices: one binding (see the WGSL header).
    const packed = hasExtra ? [ca, cb, targets, negs, indptr, indices] : [ca, cb, targets, negs];
    const examples = gpu.concatStorage(packed.map((t) => ({ buffer: buffer(t), bytes: 4 * t.size })));
    const placeholder = hasExtra ? undefined : gpu.createStorage(4);
    gpu.run([{
      stem: 'sgd/skipgram_step',
      entry: 'skipgram_step',
      constants: { HAS_EXTRA: hasExtra },
      uniforms: u,
      buffers: [buffer(A), buffer(Bt), buffer(W), hasExtra ? buffer(X) : placeholder!, examples, loss.buffer, status],
      groups: [1, 1, 1],
    }]);
    examples.destroy();
    placeholder?.destroy();
  }
  return { shape: [1], dtype: 'f32', handle: loss };
};
