/**
 * `neg_sample_category` on `webgpu`: the glue for
 * `kernels/wgsl/sampling/neg_sample_category.wgsl` (equation, layouts and
 * threading in that file's header). Draws are bit-identical to the js
 * reference; the sibling coin is an exact integer threshold
 * ({@link coinThreshold}). The nine inputs would need 12 storage bindings with
 * the outputs, over the 10 this backend asks for, so users ‖ positives and the
 * two category indptrs each share one binding (GPU copies of O(batch) and
 * O(categories) words). Shapes, dtypes and attributes are the spec's rule
 * (`checkNegSampleCategoryInputs`, run by the engine before this); ids, the tree
 * rows the batch reaches and the user rows are checked on the GPU (raised at the
 * next read, those negatives -1).
 */
import type { KernelImpl, NegSampleCategoryAttrs, Tensor } from '@rec/core';
import type { GpuHandle, WebGPUBackend } from '../../backend.js';
import { linearGrid } from '../../backend.js';
import { coinThreshold, counterWords, philoxKey } from './philox_params.js';

const K = 'neg_sample_category';
const WORKGROUP = 64;

function buffer(t: Tensor): GPUBuffer {
  return (t.handle as GpuHandle).buffer;
}

/** The `webgpu` implementation of `neg_sample_category`. */
export const negSampleCategory: KernelImpl<NegSampleCategoryAttrs> = ({ inputs, attrs, backend }) => {
  const gpu = backend as WebGPUBackend;
  const [users, positives, itemCategory, catIndptr, catItems, sibIndptr, sibCats, userIndptr, userItems] = inputs;
  const numCats = catIndptr.size - 1;
  const numUsers = userIndptr.size - 1;
  const { siblingRate, seed, stream, counter, maxTries } = attrs;
  const [counterLo, counterHi] = counterWords(counter);
  const n = users.size;
  const negatives = gpu.alloc('i32', n);
  const exhausted = gpu.alloc('i32', 1);
  if (n > 0) {
    const [keyLo, keyHi] = philoxKey(seed);
    const u = new Uint32Array([
      n, numUsers, itemCategory.size, numCats, keyLo, keyHi, counterLo, counterHi,
      stream >>> 0, coinThreshold(siblingRate), maxTries, catItems.size, sibCats.size, userItems.size, 0, 0,
    ]);
    const status = gpu.statusWord([
      `${K}: a user or positive id is out of range for ${numUsers} users and ${itemCategory.size} items (its negative is -1)`,
      `${K}: the category tree is invalid where the batch reaches it (an itemCategory, sibling or category item out of range, or an indptr that is not a valid CSR row pointer; its negative is -1)`,
      `${K}: userIndptr is not a valid CSR row pointer into ${userItems.size} userItems for a user of the batch (its negative is -1)`,
    ]);
    const batch = gpu.concatStorage([{ buffer: buffer(users), bytes: 4 * n }, { buffer: buffer(positives), bytes: 4 * n }]);
    const catPtrs = gpu.concatStorage([{ buffer: buffer(catIndptr), bytes: 4 * (numCats + 1) }, { buffer: buffer(sibIndptr), bytes: 4 * (numCats + 1) }]);
    gpu.run([{
      stem: 'sampling/neg_sample_category',
      entry: 'neg_sample_category',
      uniforms: u.buffer,
      buffers: [batch, buffer(itemCategory), catPtrs, buffer(catItems), buffer(sibCats), buffer(userIndptr), buffer(userItems), negatives.buffer, exhausted.buffer, status],
      groups: linearGrid(n, WORKGROUP),
    }]);
    batch.destroy();
    catPtrs.destroy();
  }
  return [
    { shape: [n], dtype: 'i32', handle: negatives },
    { shape: [1], dtype: 'i32', handle: exhausted },
  ];
};
