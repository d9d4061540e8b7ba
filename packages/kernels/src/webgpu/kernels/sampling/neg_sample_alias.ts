/**
 * `neg_sample_alias` on `webgpu`: the glue for
 * `kernels/wgsl/sampling/neg_sample_alias.wgsl` (equation, layouts and
 * threading in that file's header). Draws are bit-identical to the js
 * reference. The alias table itself is built on the host
 * (`AliasTable.fromWeights`, the documented exception: a sequential O(V) pass
 * once per run). Shapes and dtypes are checked here; ids, rows and alias
 * entries on the GPU (raised at the next read, those negatives -1).
 */
import type { KernelImpl, NegSampleAliasAttrs, Tensor } from '@rec/core';
import type { GpuHandle, WebGPUBackend } from '../../backend.js';
import { linearGrid } from '../../backend.js';
import { counterWords, maxTriesWord, philoxKey } from './philox_params.js';

const K = 'neg_sample_alias';
const WORKGROUP = 64;

function buffer(t: Tensor): GPUBuffer {
  return (t.handle as GpuHandle).buffer;
}

/** The `webgpu` implementation of `neg_sample_alias` (both variants: with and without exclusion). */
export const negSampleAlias: KernelImpl<NegSampleAliasAttrs> = ({ inputs, attrs, backend }) => {
  const gpu = backend as WebGPUBackend;
  const exclude = inputs.length === 5;
  if (!exclude && inputs.length !== 2) throw new Error(`${K}: expected 2 inputs (prob, alias) or 5 (prob, alias, users, indptr, indices), got ${inputs.length}`);
  const [prob, alias, users, indptr, indices] = inputs;
  if (prob.dtype !== 'f32') throw new Error(`${K}: prob must be f32, got ${prob.dtype}`);
  const ints = exclude ? ([['alias', alias], ['users', users], ['indptr', indptr], ['indices', indices]] as const) : ([['alias', alias]] as const);
  for (const [name, t] of ints) if (t.dtype !== 'i32') throw new Error(`${K}: ${name} must be i32, got ${t.dtype}`);
  if (prob.size === 0) throw new Error(`${K}: the alias table is empty`);
  if (alias.size !== prob.size) throw new Error(`${K}: prob has ${prob.size} entries but alias has ${alias.size}`);
  const { seed, stream, counter, maxTries } = attrs;
  const [counterLo, counterHi] = counterWords(K, counter);
  maxTriesWord(K, maxTries);
  const n = exclude ? users.size : attrs.count;
  if (!Number.isInteger(n) || n < 0) throw new Error(`${K}: count must be a non-negative integer, got ${n}`);
  const numUsers = exclude ? indptr.size - 1 : 0;
  const negatives = gpu.alloc('i32', n);
  const exhausted = gpu.alloc('i32', 1);
  if (n > 0) {
    const [keyLo, keyHi] = philoxKey(seed);
    const u = new Uint32Array([n, prob.size, Math.max(numUsers, 0), maxTries, keyLo, keyHi, counterLo, counterHi, stream >>> 0, exclude ? indices.size : 0, 0, 0]);
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
