/**
 * `rank_topk` on `webgpu`: the glue for `kernels/wgsl/ranking/rank_topk.wgsl`
 * (one workgroup per user; dot products, masking through the CSR and a
 * bitonic top-k in workgroup memory — see that file's header). Shapes, dtypes
 * and k are the spec's rule (`checkRankTopkInputs`, run by the engine before
 * this); what stays here is this kernel's largest k, and the mask CSR is checked
 * on the GPU (raised at the next read).
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
  if (k > RANK_TOPK_MAX_K) throw new Error(`rank_topk: the webgpu kernel keeps at most k = ${RANK_TOPK_MAX_K}, got ${k}`);
  const [U, V, indptr, indices, bias] = inputs;
  const B = U.shape[0];
  const n = V.shape[0];
  const d = U.shape[1];
  const top = gpu.alloc('i32', B * k);
  const scores = gpu.alloc('f32', B * k);
  if (B > 0) {
    const u = new Uint32Array([B, n, d, k, indices.size, NEG_INF_BITS, 0, 0]);
    const status = gpu.statusWord(
      `rank_topk: a user's mask must be a valid CSR row of item ids in [0, ${n}) sorted ascending without duplicates`,
    );
    const x = Math.min(B, MAX_WORKGROUPS_PER_DIM);
    const buf = (t: typeof U) => (t.handle as GpuHandle).buffer;
    const placeholder = bias ? undefined : gpu.createStorage(4);
    gpu.run([{
      stem: 'ranking/rank_topk',
      entry: 'rank_topk',
      constants: { HAS_BIAS: bias !== undefined },
      uniforms: u.buffer,
      buffers: [buf(U), buf(V), buf(indptr), buf(indices), top.buffer, scores.buffer, status, bias ? buf(bias) : placeholder!],
      groups: [x, Math.ceil(B / x), 1],
    }]);
    placeholder?.destroy();
  }
  return [
    { shape: [B, k], dtype: 'i32', handle: top },
    { shape: [B, k], dtype: 'f32', handle: scores },
  ];
};
