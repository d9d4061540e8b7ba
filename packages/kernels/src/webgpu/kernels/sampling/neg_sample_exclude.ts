/**
 * `neg_sample_exclude` on `webgpu`: the glue for
 * `kernels/wgsl/sampling/neg_sample_exclude.wgsl` (equation, layouts and
 * threading in that file's header). Draws are bit-identical to the js
 * reference: the same Philox counters, the same multiply-high. Shapes, dtypes
 * and attributes are the spec's rule (`checkNegSampleExcludeInputs`, run by the
 * engine before this, and by `bpr_sample_step`'s rule for its draws); user ids
 * and the batch's CSR rows are checked on the GPU (raised at the next read,
 * those negatives -1).
 */
import type { KernelImpl, Tensor } from '@rec/core';
import type { GpuHandle, WebGPUBackend } from '../../backend.js';
import { linearGrid } from '../../backend.js';
import { counterWords, philoxKey } from './philox_params.js';

export { philoxKey } from './philox_params.js';

/** Attributes, as `@rec/core` declares them for `neg_sample_exclude`. */
interface NegSampleExcludeAttrs {
  numItems: number;
  seed: number;
  stream: number;
  counter: number;
  maxTries: number;
}

const WORKGROUP = 64;

function buffer(t: Tensor): GPUBuffer {
  return (t.handle as GpuHandle).buffer;
}

/** The `webgpu` implementation of `neg_sample_exclude`. */
export const negSampleExclude: KernelImpl<NegSampleExcludeAttrs> = ({ inputs: [users, indptr, indices], attrs, backend }) => {
  const gpu = backend as WebGPUBackend;
  const { numItems, seed, stream, counter, maxTries } = attrs;
  const [counterLo, counterHi] = counterWords(counter);
  const n = users.size;
  const numUsers = indptr.size - 1;
  const negatives = gpu.alloc('i32', n);
  const exhausted = gpu.alloc('i32', 1);
  if (n > 0) {
    const [keyLo, keyHi] = philoxKey(seed);
    const u = new Uint32Array(12);
    u.set([n, numUsers, numItems, maxTries, keyLo, keyHi, counterLo, counterHi, stream >>> 0, indices.size]);
    const status = gpu.statusWord([
      `neg_sample_exclude: a user id is out of range for ${numUsers} users (its negative is -1)`,
      `neg_sample_exclude: the indptr range of a user in the batch is not a range of indices (length ${indices.size}; its negative is -1)`,
    ]);
    gpu.run([{
      stem: 'sampling/neg_sample_exclude',
      entry: 'neg_sample_exclude',
      uniforms: u.buffer,
      buffers: [buffer(users), buffer(indptr), buffer(indices), negatives.buffer, exhausted.buffer, status],
      groups: linearGrid(n, WORKGROUP),
    }]);
  }
  return [
    { shape: [n], dtype: 'i32', handle: negatives },
    { shape: [1], dtype: 'i32', handle: exhausted },
  ];
};
