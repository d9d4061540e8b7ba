/**
 * `sampled_softmax` on `webgpu`: the glue for
 * `kernels/wgsl/softmax/sampled_softmax.wgsl` (one workgroup per row, online
 * logsumexp; bias and hit masking are pipeline variants). Shapes and dtypes
 * are checked here with the reference's messages; class ids on the GPU (raised
 * at the next read), since the shared check reads ids on the host and these
 * live on the GPU.
 */
import type { KernelImpl, SampledSoftmaxAttrs, SampledSoftmaxSizes, Tensor } from '@rec/core';
import { MAX_WORKGROUPS_PER_DIM, type GpuHandle, type WebGPUBackend } from '../../backend.js';

function buffer(t: Tensor): GPUBuffer {
  return (t.handle as GpuHandle).buffer;
}

/**
 * The shape and dtype half of `@rec/core`'s `checkSampledSoftmaxInputs`, with
 * its messages (the id ranges are checked on the GPU).
 */
export function checkSampledSoftmaxShapes(inputs: readonly Tensor[], withGrad: boolean): SampledSoftmaxSizes {
  const id = withGrad ? 'sampled_softmax_grad' : 'sampled_softmax';
  const base = withGrad ? 7 : 6;
  if (inputs.length !== base && inputs.length !== base + 1) {
    throw new Error(`${id}: expected ${base} inputs [hidden, classWeights, labels, sampled, labelLogQ, sampledLogQ${withGrad ? ', dLoss' : ''}] and an optional classBias, got ${inputs.length}`);
  }
  const [h, w, labels, sampled, lq, sq] = inputs;
  if (h.dtype !== 'f32' || w.dtype !== 'f32' || h.shape.length !== 2 || w.shape.length !== 2) throw new Error(`${id}: hidden and classWeights must be f32 matrices`);
  const [batch, dim] = h.shape;
  const classes = w.shape[0];
  if (w.shape[1] !== dim) throw new Error(`${id}: hidden has d = ${dim} but classWeights d = ${w.shape[1]}`);
  const vector = (t: Tensor, name: string, dtype: string, n: number) => {
    if (t.dtype !== dtype || t.shape.length !== 1 || t.shape[0] !== n) throw new Error(`${id}: ${name} must be ${dtype} [${n}], got ${t.dtype} [${t.shape.join(', ')}]`);
  };
  vector(labels, 'labels', 'i32', batch);
  const samples = sampled.shape[0];
  vector(sampled, 'sampled', 'i32', samples);
  vector(lq, 'labelLogQ', 'f32', batch);
  vector(sq, 'sampledLogQ', 'f32', samples);
  if (withGrad) vector(inputs[6], 'dLoss', 'f32', batch);
  const hasBias = inputs.length === base + 1;
  if (hasBias) vector(inputs[base], 'classBias', 'f32', classes);
  return { batch, dim, classes, samples, hasBias };
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
  const sizes = checkSampledSoftmaxShapes(inputs, false);
  const loss = gpu.alloc('f32', sizes.batch);
  if (sizes.batch > 0) {
    const pass = sampledSoftmaxRowPass(gpu, inputs, sizes, attrs, false);
    gpu.run([{ stem: 'softmax/sampled_softmax', entry: 'sampled_softmax', constants: pass.constants, uniforms: pass.uniforms, buffers: [...pass.buffers, loss.buffer], groups: pass.groups }]);
    for (const s of pass.scratch) s.destroy();
  }
  return { shape: [sizes.batch], dtype: 'f32', handle: loss };
};
