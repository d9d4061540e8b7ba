/**
 * `neg_sample_multichannel` on `webgpu`: the glue for
 * `kernels/wgsl/sampling/neg_sample_multichannel.wgsl` (equation, layouts and
 * threading in that file's header). Draws and channels are bit-identical to
 * the js reference; the viewed-channel coin is an exact integer threshold
 * ({@link coinThreshold}). Shapes, dtypes and attributes are the spec's rule
 * (`checkNegSampleMultichannelInputs`, run by the engine before this); ids and
 * row pointers are checked on the GPU (raised at the next read, those negatives
 * -1).
 */
import type { KernelImpl, NegSampleMultichannelAttrs, Tensor } from '@rec/core';
import type { GpuHandle, WebGPUBackend } from '../../backend.js';
import { linearGrid } from '../../backend.js';
import { coinThreshold, counterWords, philoxKey } from './philox_params.js';

const K = 'neg_sample_multichannel';
const WORKGROUP = 64;

function buffer(t: Tensor): GPUBuffer {
  return (t.handle as GpuHandle).buffer;
}

/** The `webgpu` implementation of `neg_sample_multichannel`. */
export const negSampleMultichannel: KernelImpl<NegSampleMultichannelAttrs> = ({ inputs, attrs, backend }) => {
  const gpu = backend as WebGPUBackend;
  const [users, viewedIndptr, viewedItems, seenIndptr, seenItems] = inputs;
  const { viewedRate, numItems, seed, stream, counter, maxTries } = attrs;
  const [counterLo, counterHi] = counterWords(counter);
  const numUsers = seenIndptr.size - 1;
  const n = users.size;
  const negatives = gpu.alloc('i32', n);
  const channel = gpu.alloc('i32', n);
  const exhausted = gpu.alloc('i32', 1);
  if (n > 0) {
    const [keyLo, keyHi] = philoxKey(seed);
    const u = new Uint32Array([
      n, numUsers, numItems, maxTries, keyLo, keyHi, counterLo, counterHi,
      stream >>> 0, coinThreshold(viewedRate), viewedItems.size, seenItems.size,
    ]);
    const status = gpu.statusWord([
      `${K}: a user id is out of range for ${numUsers} users (its negative is -1)`,
      `${K}: the viewed or seen indptr is not a valid CSR row pointer for a user of the batch (its negative is -1)`,
      `${K}: a drawn viewed item is outside [0, ${numItems}) (its negative is -1)`,
    ]);
    gpu.run([{
      stem: 'sampling/neg_sample_multichannel',
      entry: 'neg_sample_multichannel',
      uniforms: u.buffer,
      buffers: [buffer(users), buffer(viewedIndptr), buffer(viewedItems), buffer(seenIndptr), buffer(seenItems), negatives.buffer, channel.buffer, exhausted.buffer, status],
      groups: linearGrid(n, WORKGROUP),
    }]);
  }
  return [
    { shape: [n], dtype: 'i32', handle: negatives },
    { shape: [n], dtype: 'i32', handle: channel },
    { shape: [1], dtype: 'i32', handle: exhausted },
  ];
};
