/**
 * `bpr_step` on `webgpu`: the glue for `kernels/wgsl/sgd/bpr_step.wgsl` — one
 * workgroup walks the triples in batch order (the reference's serial
 * semantics, f32 arithmetic; see the WGSL header for why and what it costs).
 * With the category inputs it runs the entry point `bpr_step_extra` (MRLR's
 * multi-level item vectors). Shapes, dtypes and attributes are checked by the
 * engine before this runs (the spec's rule, `checkBprStepInputs`); ids and the
 * category map (CSR) on the GPU (raised at the next read, nothing updated),
 * where they live. With the category inputs and `parts` ≥ 2 the step runs on
 * per-part copies of the category table, merged after it (`categoryParts`). Without them,
 * `lanes` ≥ 2 walks the triples in core's lane-strata order (`lane_strata.ts`), still serially.
 */
import { type BprStepAttrs, effectiveLanes, type KernelImpl, type Tensor } from '@rec/core';
import type { GpuHandle, WebGPUBackend } from '../../backend.js';
import { categoryParts, extraStatusMessages } from './skipgram_step.js';

function buffer(t: Tensor): GPUBuffer {
  return (t.handle as GpuHandle).buffer;
}

/** The `webgpu` implementation of `bpr_step` (in place on P and Q, and the category table when given; returns the mean loss). */
export const bprStep: KernelImpl<BprStepAttrs> = ({ inputs, attrs, backend }) => {
  const gpu = backend as WebGPUBackend;
  const [P, Q, users, pos, neg] = inputs;
  const d = P.shape[1];
  const hasExtra = inputs.length === 8;
  const [X, indptr, indices] = hasExtra ? inputs.slice(5) : [];
  const loss = gpu.alloc('f32', 1);
  const n = users.size;
  if (n > 0) {
    const rowsExtra = hasExtra ? X.shape[0] : 0;
    const nnz = hasExtra ? indices.size : 0;
    const u = new ArrayBuffer(48);
    new Uint32Array(u, 0, 4).set([n, d, P.shape[0], Q.shape[0]]);
    new Float32Array(u, 16, 3).set([attrs.lr, attrs.reg, attrs.extraWeight ?? 0]);
    new Uint32Array(u, 28, 2).set([nnz, rowsExtra]);
    // decay = 1 − lr·λ from f64, as the reference rounds it.
    new Float32Array(u, 36, 1)[0] = 1 - attrs.lr * attrs.reg;
    // parts: 1 unless the category path below sets it; lanes (the 5-input path's).
    new Uint32Array(u, 40, 2).set([1, effectiveLanes(attrs)]);
    const idMessage = `bpr_step: a user or item id is out of range for ${P.shape[0]} user rows and ${Q.shape[0]} item rows; nothing was updated`;
    if (!hasExtra) {
      gpu.run([{
        stem: 'sgd/bpr_step',
        entry: 'bpr_step',
        uniforms: u,
        buffers: [buffer(P), buffer(Q), buffer(users), buffer(pos), buffer(neg), loss.buffer, gpu.statusWord(idMessage)],
        groups: [1, 1, 1],
      }]);
    } else {
      const status = gpu.statusWord(extraStatusMessages('bpr_step', idMessage, nnz, rowsExtra));
      const table = categoryParts(gpu, 'bpr_step', X, attrs, status);
      new Uint32Array(u, 40, 1)[0] = table.parts;
      // users ‖ positives ‖ negatives ‖ indptr ‖ indices: one binding (see the WGSL header).
      const triples = gpu.concatStorage([users, pos, neg, indptr, indices].map((t) => ({ buffer: buffer(t), bytes: 4 * t.size })));
      gpu.run([{
        stem: 'sgd/bpr_step',
        entry: 'bpr_step_extra',
        uniforms: u,
        buffers: [buffer(P), buffer(Q), loss.buffer, status, table.table, triples],
        bindings: [1, 2, 6, 7, 8, 9],
        groups: [1, 1, 1],
      }, ...table.merge]);
      triples.destroy();
      table.release();
    }
  }
  return { shape: [1], dtype: 'f32', handle: loss };
};
