/**
 * `skipgram_step` on `webgpu`: the glue for `kernels/wgsl/sgd/skipgram_step.wgsl`
 * — one workgroup walks the examples and their output rows in batch order (the
 * reference's single-thread semantics in f32; see the WGSL header for why and
 * what it costs). Shapes, dtypes and attributes are checked by the engine
 * before this runs (the spec's rule, `checkSkipgramStepInputs`); ids and the
 * category map (CSR) on the GPU (raised at the next read, nothing updated),
 * where they live. With the category inputs and `parts` ≥ 2 the step runs on
 * per-part copies of the category table, merged after it ({@link categoryParts}).
 */
import { effectiveParts, type KernelImpl, type SkipgramStepAttrs, type Tensor } from '@rec/core';
import { linearGrid, type Dispatch, type GpuHandle, type WebGPUBackend } from '../../backend.js';

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

/** The category table a step binds, and what follows the step (see {@link categoryParts}). */
export interface CategoryParts {
  /** The number of parts the step runs with (the `parts` uniform): 1, or the attribute. */
  readonly parts: number;
  /** What the step binds in place of X: X itself with one part, else the scratch [parts, Rx, d]. */
  readonly table: GPUBuffer;
  /** The dispatches to run right after the step, in the same run: `merge_parts`, or none with one part. */
  readonly merge: readonly Dispatch[];
  /** Destroys the scratch (after the run that uses it; WebGPU defers the release). */
  release(): void;
}

/**
 * The category table of one `bpr_step` / `skipgram_step` call under the attribute
 * `parts` (@rec/core's `kernels/sgd/category_parts.ts` is the contract: item t reads
 * and writes its category rows in part p(t) = ⌊t / PART_CHUNK⌋ mod parts's own copy
 * S_p of X, made at the call's start — PART_CHUNK = 64, a constant of the WGSL too —
 * and the copies are merged at the call's end). One part — the default, and
 * whenever `hogwild` is true, where the spec ignores `parts` — binds X itself: the
 * kernel as before, no copy. With parts ≥ 2: a scratch of `parts` GPU copies of X
 * (`concatStorage`, queued before the step), and `merge_parts`
 * (kernels/wgsl/sgd/merge_parts.wgsl) after it, X ← S_0 + Σ_{p≥1} (S_p − X), one
 * invocation per element, every part added (the reference adds only the parts that
 * wrote a row; another part adds +0, so only the sign of a zero can differ), and
 * nothing merged when the step's status word says it found bad input. Costs
 * O(parts·Rx·d) memory and copying per call. The attribute's value is checked by
 * the spec's rule before this runs.
 *
 * @param kernel the kernel id, for the error when the scratch exceeds the device's limit
 * @param X the category table f32 [Rx, d]
 * @param status the step's status word
 * @example
 * ```ts
 * const table = categoryParts(gpu, 'skipgram_step', X, attrs, status);
 * gpu.run([{ ...step, buffers: [..., table.table, ...] }, ...table.merge]);
 * table.release();
 * ```
 */
export function categoryParts(gpu: WebGPUBackend, kernel: string, X: Tensor, attrs: { readonly parts?: number; readonly hogwild?: boolean }, status: GPUBuffer): CategoryParts {
  const parts = effectiveParts(attrs);
  if (parts === 1) return { parts, table: buffer(X), merge: [], release: () => {} };
  const bytes = 4 * X.size;
  const limit = Math.min(gpu.device.limits.maxStorageBufferBindingSize, gpu.device.limits.maxBufferSize);
  if (parts * bytes > limit) {
    throw new Error(`${kernel}: ${parts} parts of the extra table (${X.shape.join(' × ')} f32) take ${parts * bytes} bytes, over this device's storage binding limit of ${limit} bytes; pass fewer parts`);
  }
  const scratch = gpu.concatStorage(Array.from({ length: parts }, () => ({ buffer: buffer(X), bytes })));
  const u = new Uint32Array([X.size, parts, 0, 0]);
  return {
    parts,
    table: scratch,
    merge: [{ stem: 'sgd/merge_parts', entry: 'merge_parts', uniforms: u.buffer, buffers: [buffer(X), scratch, status], groups: linearGrid(X.size, MERGE_WORKGROUP) }],
    release: () => scratch.destroy(),
  };
}

/** The workgroup size of `merge_parts` (its WGSL's WORKGROUP). */
const MERGE_WORKGROUP = 64;

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
    const idMessage = `${K}: a context, target or negative id is out of range for its table (${A.shape[0]} contextA, ${Bt.shape[0]} contextB, ${W.shape[0]} output rows); nothing was updated`;
    const status = gpu.statusWord(hasExtra ? extraStatusMessages(K, idMessage, nnz, rowsExtra) : idMessage);
    const table = hasExtra ? categoryParts(gpu, K, X, attrs, status) : undefined;
    const u = new ArrayBuffer(64);
    new Uint32Array(u, 0, 8).set([batch, d, N, A.shape[0], Bt.shape[0], W.shape[0], rowsExtra, nnz]);
    new Float32Array(u, 32, 5).set([attrs.alpha1, attrs.alpha2, attrs.extraWeight, attrs.lr, attrs.reg]);
    new Uint32Array(u, 52, 1)[0] = table?.parts ?? 1;
    // The ids, then (with the category map) indptr ‖ indices: one binding (see the WGSL header).
    const packed = hasExtra ? [ca, cb, targets, negs, indptr, indices] : [ca, cb, targets, negs];
    const examples = gpu.concatStorage(packed.map((t) => ({ buffer: buffer(t), bytes: 4 * t.size })));
    const placeholder = hasExtra ? undefined : gpu.createStorage(4);
    gpu.run([{
      stem: 'sgd/skipgram_step',
      entry: 'skipgram_step',
      constants: { HAS_EXTRA: hasExtra },
      uniforms: u,
      buffers: [buffer(A), buffer(Bt), buffer(W), table ? table.table : placeholder!, examples, loss.buffer, status],
      groups: [1, 1, 1],
    }, ...(table?.merge ?? [])]);
    examples.destroy();
    placeholder?.destroy();
    table?.release();
  }
  return { shape: [1], dtype: 'f32', handle: loss };
};
