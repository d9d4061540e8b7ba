/**
 * `neg_sample_alias` on `webgpu`: the glue for
 * `kernels/wgsl/sampling/neg_sample_alias.wgsl` (equation, layouts and
 * threading in that file's header). Draws are bit-identical to the js
 * reference. The alias table itself is built on the host
 * (`AliasTable.fromWeights`, the documented exception: a sequential O(V) pass
 * once per run). Shapes, dtypes and attributes are the spec's rule
 * (`checkNegSampleAliasInputs`, run by the engine before this, and by
 * `skipgram_sample_step`'s rule for its draws); ids, rows and alias entries are
 * checked on the GPU (raised at the next read, those negatives -1).
 */
import type { KernelImpl, NegSampleAliasAttrs, Tensor } from '@rec/core';
import type { GpuHandle, WebGPUBackend } from '../../backend.js';
import { linearGrid } from '../../backend.js';
import { counterWords, philoxKey } from './philox_params.js';

const K = 'neg_sample_alias';
const WORKGROUP = 64;

function buffer(t: Tensor): GPUBuffer {
  return (t.handle as GpuHandle).buffer;
}

/** The `webgpu` implementation of `neg_sample_alias` (both variants: with and without exclusion). */
export const negSampleAlias: KernelImpl<NegSampleAliasAttrs> = ({ inputs, attrs, backend }) => {
  const gpu = backend as WebGPUBackend;
  const exclude = inputs.length === 5;
  const [prob, alias, users, indptr, indices] = inputs;
  const { seed, stream, counter, maxTries } = attrs;
  const [counterLo, counterHi] = counterWords(counter);
  const n = exclude ? users.size : attrs.count;
  const numUsers = exclude ? indptr.size - 1 : 0;
  const negatives = gpu.alloc('i32', n);
  const exhausted = gpu.alloc('i32', 1);
  if (n > 0) {
    const [keyLo, keyHi] = philoxKey(seed);
    const u = new Uint32Array([n, prob.size, numUsers, maxTries, keyLo, keyHi, counterLo, counterHi, stream >>> 0, exclude ? indices.size : 0, 0, 0]);
    const status = gpu.statusWord([
      `${K}: a user id is out of range for ${numUsers} users (its negative is -1)`,
      `${K}: indptr is not a valid CSR row pointer into ${exclude ? indices.size : 0} indices for a user of the batch (its negative is -1)`,
      `${K}: an alias entry is outside [0, ${alias.size}) (its negative is -1)`,
    ]);
    // Without exclusion the CSR bindings are unused; WebGPU still wants buffers there.
    const placeholders = exclude ? [] : [gpu.createStorage(4), gpu.createStorage(4), gpu.createStorage(4)];
    const csr = exclude ? [buffer(users), buffer(indptr), buffer(indices)] : placeholders;
    gpu.run([{
      stem: 'sampling/neg_sample_alias',
      entry: 'neg_sample_alias',
      constants: { EXCLUDE: exclude },
      uniforms: u.buffer,
      buffers: [buffer(prob), buffer(alias), ...csr, negatives.buffer, exhausted.buffer, status],
      groups: linearGrid(n, WORKGROUP),
    }]);
    for (const p of placeholders) p.destroy();
  }
  return [
    { shape: [n], dtype: 'i32', handle: negatives },
    { shape: [1], dtype: 'i32', handle: exhausted },
  ];
};
