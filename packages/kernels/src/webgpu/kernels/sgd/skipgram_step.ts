/**
 * `skipgram_step` on `webgpu`: the glue for `kernels/wgsl/sgd/skipgram_step.wgsl`
 * — one workgroup walks the examples and their output rows in batch order (the
 * reference's single-thread semantics in f32; see the WGSL header for why and
 * what it costs). Shapes, dtypes and attributes are checked here with the
 * reference's messages; ids and the category map (CSR) on the GPU (raised at
 * the next read, nothing updated). The shared `checkSkipgramStepInputs` cannot
 * run here: it reads the ids on the host, and these live on the GPU.
 */
import { checkSkipgramStepFlags, type KernelImpl, type SkipgramStepAttrs, type Tensor } from '@rec/core';
import type { GpuHandle, WebGPUBackend } from '../../backend.js';

const K = 'skipgram_step';
/** Largest width d the shader's per-invocation column registers hold (64 invocations × 16). */
export const SKIPGRAM_MAX_DIM = 1024;

function buffer(t: Tensor): GPUBuffer {
  return (t.handle as GpuHandle).buffer;
}

/**
 * The host half of the reference's `checkExtraRows`: the shapes and dtypes of
 * an output table's category map in CSR form (`indptr` i32 [outputRows + 1],
 * `indices` i32 [nnz]), with its messages. Its ends and the touched rows' lists
 * are checked on the GPU. Shared with `bpr_step`.
 *
 * @example
 * ```ts
 * checkExtraShapes('bpr_step', indptr, indices, Q.shape[0]);
 * ```
 */
export function checkExtraShapes(kernel: string, indptr: Tensor, indices: Tensor, outputRows: number): void {
  if (indptr.dtype !== 'i32' || indptr.shape.length !== 1 || indptr.shape[0] !== outputRows + 1) {
    throw new Error(`${kernel}: extraIndptr must be i32 [${outputRows + 1}] (one more than the output rows), got ${indptr.dtype} [${indptr.shape.join(', ')}]`);
  }
  if (indices.dtype !== 'i32' || indices.shape.length !== 1) throw new Error(`${kernel}: extraIndices must be i32 [nnz], got ${indices.dtype} [${indices.shape.join(', ')}]`);
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
  checkSkipgramStepFlags(attrs);
  if (inputs.length !== 7 && inputs.length !== 10) {
    throw new Error(`${K}: expected 7 inputs [contextA, contextB, output, ctxA, ctxB, targets, negatives] and optionally [extra, extraIndptr, extraIndices], got ${inputs.length}`);
  }
  const [A, Bt, W, ca, cb, targets, negs] = inputs;
  const hasExtra = inputs.length === 10;
  const tables: [string, Tensor][] = [['contextA', A], ['contextB', Bt], ['output', W]];
  if (hasExtra) tables.push(['extra', inputs[7]]);
  const d = A.shape[1];
  for (const [name, t] of tables) {
    if (t.dtype !== 'f32' || t.shape.length !== 2 || t.shape[1] !== d) throw new Error(`${K}: ${name} must be f32 [rows, ${d}], got ${t.dtype} [${t.shape.join(', ')}]`);
  }
  for (let i = 0; i < tables.length; i++) {
    for (let j = i + 1; j < tables.length; j++) if (tables[i][1] === tables[j][1]) throw new Error(`${K}: ${tables[i][0]} and ${tables[j][0]} must be distinct tensors`);
  }
  const batch = ca.shape[0] ?? 0;
  for (const [name, t] of [['ctxA', ca], ['ctxB', cb], ['targets', targets]] as const) {
    if (t.dtype !== 'i32' || t.shape.length !== 1 || t.shape[0] !== batch) throw new Error(`${K}: ${name} must be i32 [${batch}], got ${t.dtype} [${t.shape.join(', ')}]`);
  }
  if (negs.dtype !== 'i32' || negs.shape.length !== 2 || negs.shape[0] !== batch) throw new Error(`${K}: negatives must be i32 [${batch}, N], got ${negs.dtype} [${negs.shape.join(', ')}]`);
  const [X, indptr, indices] = hasExtra ? inputs.slice(7) : [];
  if (hasExtra) checkExtraShapes(K, indptr, indices, W.shape[0]);
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
