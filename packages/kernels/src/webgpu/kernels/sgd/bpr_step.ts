/**
 * `bpr_step` on `webgpu`: the glue for `kernels/wgsl/sgd/bpr_step.wgsl` — one
 * workgroup walks the triples in batch order (the reference's serial
 * semantics, f32 arithmetic; see the WGSL header for why and what it costs).
 * With the category inputs it runs the entry point `bpr_step_extra` (MRLR's
 * multi-level item vectors). Shapes, dtypes and attributes are checked here
 * with the reference's messages (`checkBprShapes`, shared with it); ids and the
 * category map (CSR) on the GPU (raised at the next read, nothing updated). The
 * rest of `checkBprStepInputs` cannot run here: it reads the ids on the host, and
 * these live on the GPU.
 */
import { type BprStepAttrs, checkBprShapes, type KernelImpl, type Tensor } from '@rec/core';
import type { GpuHandle, WebGPUBackend } from '../../backend.js';
import { checkExtraShapes, extraStatusMessages } from './skipgram_step.js';

function buffer(t: Tensor): GPUBuffer {
  return (t.handle as GpuHandle).buffer;
}

/** The `webgpu` implementation of `bpr_step` (in place on P and Q, and the category table when given; returns the mean loss). */
export const bprStep: KernelImpl<BprStepAttrs> = ({ inputs, attrs, backend }) => {
  const gpu = backend as WebGPUBackend;
  if (attrs.hogwild !== undefined && typeof attrs.hogwild !== 'boolean') {
    throw new Error(`bpr_step: attribute hogwild must be true or false, got ${String(attrs.hogwild)}`);
  }
  if (inputs.length !== 5 && inputs.length !== 8) {
    throw new Error(`bpr_step: expected 5 inputs [userFactors, itemFactors, users, positives, negatives] and optionally [extra, extraIndptr, extraIndices], got ${inputs.length}`);
  }
  const [P, Q, users, pos, neg] = inputs;
  const d = checkBprShapes('bpr_step', P, Q, users, [['positives', pos, 'positive item'], ['negatives', neg, 'negative item']]);
  const hasExtra = inputs.length === 8;
  const [X, indptr, indices] = hasExtra ? inputs.slice(5) : [];
  if (hasExtra) {
    if (X.dtype !== 'f32' || X.shape.length !== 2 || X.shape[1] !== d) throw new Error(`bpr_step: extra must be f32 [rows, ${d}], got ${X.dtype} [${X.shape.join(', ')}]`);
    if (X === P || X === Q) throw new Error('bpr_step: extra must be a tensor distinct from userFactors and itemFactors');
    const beta = attrs.extraWeight;
    if (typeof beta !== 'number' || !Number.isFinite(beta)) throw new Error(`bpr_step: attribute extraWeight must be a finite number when the extra table is given, got ${String(beta)}`);
    checkExtraShapes('bpr_step', indptr, indices, Q.shape[0]);
  }
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
      // users ‖ positives ‖ negatives ‖ indptr ‖ indices: one binding (see the WGSL header).
      const triples = gpu.concatStorage([users, pos, neg, indptr, indices].map((t) => ({ buffer: buffer(t), bytes: 4 * t.size })));
      gpu.run([{
        stem: 'sgd/bpr_step',
        entry: 'bpr_step_extra',
        uniforms: u,
        buffers: [buffer(P), buffer(Q), loss.buffer, status, buffer(X), triples],
        bindings: [1, 2, 6, 7, 8, 9],
        groups: [1, 1, 1],
      }]);
      triples.destroy();
    }
  }
  return { shape: [1], dtype: 'f32', handle: loss };
};
