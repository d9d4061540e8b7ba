/**
 * `bpr_step` on `webgpu`: the glue for `kernels/wgsl/sgd/bpr_step.wgsl` — one
 * workgroup walks the triples in batch order (the reference's serial
 * semantics, f32 arithmetic; see the WGSL header for why and what it costs).
 * Shapes and dtypes are checked here; ids out of range on the GPU (raised at
 * the next read, nothing updated).
 */
import type { BprStepAttrs, KernelImpl } from '@rec/core';
import type { GpuHandle, WebGPUBackend } from '../../backend.js';

/** The `webgpu` implementation of `bpr_step` (in place on P and Q; returns the mean loss). */
export const bprStep: KernelImpl<BprStepAttrs> = ({ inputs, attrs, backend }) => {
  const gpu = backend as WebGPUBackend;
  if (inputs.length !== 5) throw new Error(`bpr_step: expected 5 inputs [userFactors, itemFactors, users, positives, negatives], got ${inputs.length}`);
  const [P, Q, users, pos, neg] = inputs;
  if (P.shape.length !== 2 || Q.shape.length !== 2 || P.dtype !== 'f32' || Q.dtype !== 'f32') {
    throw new Error('bpr_step: userFactors and itemFactors must be f32 matrices [rows, d]');
  }
  const d = P.shape[1];
  if (Q.shape[1] !== d) throw new Error(`bpr_step: userFactors have d = ${d} but itemFactors d = ${Q.shape[1]}`);
  for (const [name, t] of [['users', users], ['positives', pos], ['negatives', neg]] as const) {
    if (t.dtype !== 'i32' || t.shape.length !== 1 || t.shape[0] !== users.shape[0]) {
      throw new Error(`bpr_step: ${name} must be i32 [${users.shape[0]}], got ${t.dtype} [${t.shape.join(', ')}]`);
    }
  }
  const loss = gpu.alloc('f32', 1);
  const n = users.size;
  if (n > 0) {
    const u = new ArrayBuffer(32);
    new Uint32Array(u, 0, 4).set([n, d, P.shape[0], Q.shape[0]]);
    new Float32Array(u, 16, 2).set([attrs.lr, attrs.reg]);
    const status = gpu.statusWord(`bpr_step: a user or item id is out of range for ${P.shape[0]} user rows and ${Q.shape[0]} item rows; nothing was updated`);
    const buf = (t: typeof P) => (t.handle as GpuHandle).buffer;
    gpu.run([{
      stem: 'sgd/bpr_step',
      entry: 'bpr_step',
      uniforms: u,
      buffers: [buf(P), buf(Q), buf(users), buf(pos), buf(neg), loss.buffer, status],
      groups: [1, 1, 1],
    }]);
  }
  return { shape: [1], dtype: 'f32', handle: loss };
};
