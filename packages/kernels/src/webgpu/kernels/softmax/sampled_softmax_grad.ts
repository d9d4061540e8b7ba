/**
 * `sampled_softmax_grad` on `webgpu`: the glue for
 * `kernels/wgsl/softmax/sampled_softmax_grad.wgsl` — the shared row pass writes
 * δ = γ·(p − [j = 0]) into a scratch [B, S + 1], then two dispatches form
 * dHidden and the row-sparse dRows / dBias (in the id order labels ++ sampled)
 * with sums in a fixed order (see the WGSL header). The kernel's rule
 * (`checkSampledSoftmaxGradInputs` in `@rec/core`) has checked the inputs
 * before this glue runs; class ids are checked on the GPU, as in `sampled_softmax`.
 */
import { type KernelImpl, type SampledSoftmaxAttrs, sampledSoftmaxSizes } from '@rec/core';
import { type GpuHandle, linearGrid, type WebGPUBackend } from '../../backend.js';
import { sampledSoftmaxRowPass } from './sampled_softmax.js';

const STEM = 'softmax/sampled_softmax_grad';
const GRID_WORKGROUP = 64;
// Binding numbers in sampled_softmax(_grad).wgsl.
const ROW_PASS = [1, 2, 3, 4, 5, 6];
const D_LOSS = 8;
const DELTA = 9;
const D_HIDDEN = 10;
const D_ROWS = 11;
const D_BIAS = 12;
const HIDDEN = 1;
const CLASS_WEIGHTS = 2;
const CLASSES = 3;

/** The `webgpu` implementation of `sampled_softmax_grad` ([dHidden, dRows, dBias]). */
export const sampledSoftmaxGrad: KernelImpl<SampledSoftmaxAttrs> = ({ inputs, attrs, backend }) => {
  const gpu = backend as WebGPUBackend;
  const sizes = sampledSoftmaxSizes(inputs, true);
  const { batch: B, dim: d, samples: S } = sizes;
  const dHidden = gpu.alloc('f32', B * d);
  const dRows = gpu.alloc('f32', (B + S) * d);
  const dBias = gpu.alloc('f32', B + S);
  if (B > 0) {
    const pass = sampledSoftmaxRowPass(gpu, inputs, sizes, attrs, true);
    const delta = gpu.createStorage(4 * B * (S + 1));
    const [h, w, classIds] = pass.buffers;
    const dLoss = (inputs[6].handle as GpuHandle).buffer;
    const common = { stem: STEM, constants: pass.constants, uniforms: pass.uniforms };
    gpu.run([
      { ...common, entry: 'sampled_softmax_grad', buffers: [...pass.buffers, dLoss, delta], bindings: [...ROW_PASS, D_LOSS, DELTA], groups: pass.groups },
      { ...common, entry: 'sampled_softmax_grad_hidden', buffers: [w, classIds, delta, dHidden.buffer], bindings: [CLASS_WEIGHTS, CLASSES, DELTA, D_HIDDEN], groups: linearGrid(B * d, GRID_WORKGROUP) },
      { ...common, entry: 'sampled_softmax_grad_rows', buffers: [h, delta, dRows.buffer, dBias.buffer], bindings: [HIDDEN, DELTA, D_ROWS, D_BIAS], groups: linearGrid((B + S) * Math.max(d, 1), GRID_WORKGROUP) },
    ]);
    delta.destroy();
    for (const s of pass.scratch) s.destroy();
  }
  return [
    { shape: [B, d], dtype: 'f32', handle: dHidden },
    { shape: [B + S, d], dtype: 'f32', handle: dRows },
    { shape: [B + S], dtype: 'f32', handle: dBias },
  ];
};
