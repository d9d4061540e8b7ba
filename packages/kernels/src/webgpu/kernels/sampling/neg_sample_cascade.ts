/**
 * `neg_sample_cascade` on `webgpu`: the glue for
 * `kernels/wgsl/sampling/neg_sample_cascade.wgsl` (equation, layouts and
 * threading in that file's header). Draws are bit-identical to the js
 * reference. Shapes, dtypes and attributes are the spec's rule
 * (`checkNegSampleCascadeInputs`, run by the engine before this); ids and row
 * pointers are checked on the GPU (raised at the next read, those negatives -1).
 */
import type { KernelImpl, NegSampleCascadeAttrs, Tensor } from '@rec/core';
import type { GpuHandle, WebGPUBackend } from '../../backend.js';
import { linearGrid } from '../../backend.js';
import { counterWords, philoxKey } from './philox_params.js';

const K = 'neg_sample_cascade';
const WORKGROUP = 64;

function buffer(t: Tensor): GPUBuffer {
  return (t.handle as GpuHandle).buffer;
}

/** The `webgpu` implementation of `neg_sample_cascade`. */
export const negSampleCascade: KernelImpl<NegSampleCascadeAttrs> = ({ inputs, attrs, backend }) => {
  const gpu = backend as WebGPUBackend;
  const [users, positives, indptr, indices] = inputs;
  const { numItems, seed, stream, counter, maxTries } = attrs;
  const [counterLo, counterHi] = counterWords(counter);
  const [B, stride] = indptr.shape;
  const numUsers = stride - 1;
  const n = users.size;
  if (n * B >= 2 ** 32) throw new Error(`${K}: ${n} rows × ${B} behaviours exceed the 2³² slots one dispatch indexes`);
  const negatives = gpu.alloc('i32', n * B);
  const exhausted = gpu.alloc('i32', 1);
  if (n > 0) {
    const [keyLo, keyHi] = philoxKey(seed);
    const u = new Uint32Array([n, B, numUsers, numItems, keyLo, keyHi, counterLo, counterHi, stream >>> 0, maxTries, indices.size, 0]);
    const status = gpu.statusWord([
      `${K}: a user or positive id is out of range for ${numUsers} users and ${numItems} items (its negatives are -1)`,
      `${K}: indptr is not a valid CSR row pointer into ${indices.size} indices for a user of the batch (its negatives are -1)`,
    ]);
    gpu.run([{
      stem: 'sampling/neg_sample_cascade',
      entry: 'neg_sample_cascade',
      uniforms: u.buffer,
      buffers: [buffer(users), buffer(positives), buffer(indptr), buffer(indices), negatives.buffer, exhausted.buffer, status],
      groups: linearGrid(n * B, WORKGROUP),
    }]);
  }
  return [
    { shape: [n, B], dtype: 'i32', handle: negatives },
    { shape: [1], dtype: 'i32', handle: exhausted },
  ];
};
