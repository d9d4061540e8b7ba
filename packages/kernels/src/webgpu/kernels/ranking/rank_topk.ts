/**
 * `rank_topk` on `webgpu`: the glue for `kernels/wgsl/ranking/rank_topk.wgsl`
 * (one workgroup per user; dot products, masking through the CSR and a
 * bitonic top-k in workgroup memory — see that file's header). Shapes, dtypes
 * and k are checked here; the mask CSR on the GPU (raised at the next read).
 */
import type { KernelImpl, RankTopkAttrs } from '@rec/core';
import { MAX_WORKGROUPS_PER_DIM, type GpuHandle, type WebGPUBackend } from '../../backend.js';

/** The largest k the WGSL kernel keeps (its workgroup-memory top list). */
export const RANK_TOPK_MAX_K = 256;

/** The bits of f32 −∞, passed in the uniform (WGSL has no infinite constants). */
const NEG_INF_BITS = 0xff800000;

/** The `webgpu` implementation of `rank_topk`. */
export const rankTopk: KernelImpl<RankTopkAttrs> = ({ inputs, attrs, backend }) => {
  const gpu = backend as WebGPUBackend;
  const { k } = attrs;
  if (inputs.length !== 4) throw new Error(`rank_topk: expected 4 inputs [userFactors, itemFactors, maskIndptr, maskIndices], got ${inputs.length}`);
  const [U, V, indptr, indices] = inputs;
  if (!Number.isInteger(k) || k < 1) throw new Error(`rank_topk: k must be an integer ≥ 1, got ${k}`);
  if (k > RANK_TOPK_MAX_K) throw new Error(`rank_topk: the webgpu kernel keeps at most k = ${RANK_TOPK_MAX_K}, got ${k}`);
  if (U.dtype !== 'f32' || V.dtype !== 'f32' || U.shape.length !== 2 || V.shape.length !== 2 || U.shape[1] !== V.shape[1]) {
    throw new Error(`rank_topk: userFactors [B, d] and itemFactors [n, d] must be f32 with the same d; got [${U.shape.join(', ')}] and [${V.shape.join(', ')}]`);
  }
  const B = U.shape[0];
  const n = V.shape[0];
  const d = U.shape[1];
  if (indptr.dtype !== 'i32' || indptr.shape.length !== 1 || indptr.shape[0] !== B + 1) {
    throw new Error(`rank_topk: maskIndptr must be i32 [${B + 1}] (users + 1), got ${indptr.dtype} [${indptr.shape.join(', ')}]`);
  }
  if (indices.dtype !== 'i32' || indices.shape.length !== 1) throw new Error('rank_topk: maskIndices must be i32 [nnz]');
  const top = gpu.alloc('i32', B * k);
  const scores = gpu.alloc('f32', B * k);
  if (B > 0) {
    const u = new Uint32Array([B, n, d, k, indices.size, NEG_INF_BITS, 0, 0]);
    const status = gpu.statusWord(
      `rank_topk: a user's mask must be a valid CSR row of item ids in [0, ${n}) sorted ascending without duplicates`,
    );
    const x = Math.min(B, MAX_WORKGROUPS_PER_DIM);
    const buf = (t: typeof U) => (t.handle as GpuHandle).buffer;
    gpu.run([{
      stem: 'ranking/rank_topk',
      entry: 'rank_topk',
      uniforms: u.buffer,
      buffers: [buf(U), buf(V), buf(indptr), buf(indices), top.buffer, scores.buffer, status],
      groups: [x, Math.ceil(B / x), 1],
    }]);
  }
  return [
    { shape: [B, k], dtype: 'i32', handle: top },
    { shape: [B, k], dtype: 'f32', handle: scores },
  ];
};
