/**
 * `sampled_softmax` on `webgpu`: the glue for
 * `kernels/wgsl/softmax/sampled_softmax.wgsl` (one workgroup per row, online
 * logsumexp; bias and hit masking are pipeline variants). The kernel's rule
 * (`checkSampledSoftmaxInputs` in `@rec/core`) has checked the shapes, dtypes
 * and attribute before this glue runs; class ids are checked on the GPU
 * (raised at the next read), since they live there.
 */
import { type KernelImpl, type SampledSoftmaxAttrs, sampledSoftmaxSizes, type SampledSoftmaxSizes, type Tensor } from '@rec/core';
import { MAX_WORKGROUPS_PER_DIM, type GpuHandle, type WebGPUBackend } from '../../backend.js';

function buffer(t: Tensor): GPUBuffer {
  return (t.handle as GpuHandle).buffer;
}

/** What the row pass of both kernels binds: the uniform, bindings 1–6 and the variant constants. */
export interface SampledSoftmaxRowPass {
  uniforms: ArrayBuffer;
  constants: { HAS_BIAS: boolean; REMOVE_HITS: boolean };
  /** hidden, classWeights, classes (labels ‖ sampled), logQ (label ‖ sampled), bias, status. */
  buffers: GPUBuffer[];
  /** Workgroups for one per row. */
  groups: [number, number, number];
  /** Buffers made for this call (packed inputs, placeholder), to destroy after the run. */
  scratch: GPUBuffer[];
}

/** Packs and binds the inputs of the shared row pass (`withGrad` picks the bias position and messages). */
export function sampledSoftmaxRowPass(gpu: WebGPUBackend, inputs: readonly Tensor[], sizes: SampledSoftmaxSizes, attrs: SampledSoftmaxAttrs, withGrad: boolean): SampledSoftmaxRowPass {
  const id = withGrad ? 'sampled_softmax_grad' : 'sampled_softmax';
  const { batch: B, dim, classes, samples: S, hasBias } = sizes;
  const [h, w, labels, sampled, lq, sq] = inputs;
  const classIds = gpu.concatStorage([{ buffer: buffer(labels), bytes: 4 * B }, { buffer: buffer(sampled), bytes: 4 * S }]);
  const logQ = gpu.concatStorage([{ buffer: buffer(lq), bytes: 4 * B }, { buffer: buffer(sq), bytes: 4 * S }]);
  const placeholder = hasBias ? undefined : gpu.createStorage(4);
  const bias = hasBias ? buffer(inputs[inputs.length - 1]) : placeholder!;
  const status = gpu.statusWord(`${id}: a label or sampled class is out of range for ${classes} classes (that row's outputs are 0)`);
  const x = Math.min(B, MAX_WORKGROUPS_PER_DIM);
  return {
    uniforms: new Uint32Array([B, dim, classes, S]).buffer,
    constants: { HAS_BIAS: hasBias, REMOVE_HITS: attrs.removeAccidentalHits },
    buffers: [buffer(h), buffer(w), classIds, logQ, bias, status],
    groups: [x, Math.ceil(B / x), 1],
    scratch: placeholder ? [classIds, logQ, placeholder] : [classIds, logQ],
  };
}

/** The `webgpu` implementation of `sampled_softmax` (loss per row). */
export const sampledSoftmax: KernelImpl<SampledSoftmaxAttrs> = ({ inputs, attrs, backend }) => {
  const gpu = backend as WebGPUBackend;
  const sizes = sampledSoftmaxSizes(inputs, false);
  const loss = gpu.alloc('f32', sizes.batch);
  if (sizes.batch > 0) {
    const pass = sampledSoftmaxRowPass(gpu, inputs, sizes, attrs, false);
    gpu.run([{ stem: 'softmax/sampled_softmax', entry: 'sampled_softmax', constants: pass.constants, uniforms: pass.uniforms, buffers: [...pass.buffers, loss.buffer], groups: pass.groups }]);
    for (const s of pass.scratch) s.destroy();
  }
  return { shape: [sizes.batch], dtype: 'f32', handle: loss };
};
