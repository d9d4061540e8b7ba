/**
 * `sample_weighted_candidates` on `webgpu`: the glue for
 * `kernels/wgsl/sampling/sample_weighted_candidates.wgsl` (equation, layouts
 * and threading in that file's header). The reference sums in f64; WGSL has
 * none, so the shader does those sums, the target product and the weight
 * quotient in software f64 (`common/soft_f64.wgsl`), rounded as an FPU does:
 * picks and weights are bit-identical. Shapes, dtypes and attributes are the
 * spec's rule (`checkSampleWeightedCandidatesInputs`, run by the engine before
 * this); the weights are checked on the GPU (raised at the next read, those
 * draws -1 / 0).
 */
import type { KernelImpl, SampleWeightedCandidatesAttrs, Tensor } from '@rec/core';
import type { GpuHandle, WebGPUBackend } from '../../backend.js';
import { linearGrid } from '../../backend.js';
import { counterWords, philoxKey } from './philox_params.js';

const K = 'sample_weighted_candidates';
const WORKGROUP = 64;

function buffer(t: Tensor): GPUBuffer {
  return (t.handle as GpuHandle).buffer;
}

/** The `webgpu` implementation of `sample_weighted_candidates`. */
export const sampleWeightedCandidates: KernelImpl<SampleWeightedCandidatesAttrs> = ({ inputs, attrs, backend }) => {
  const gpu = backend as WebGPUBackend;
  const [candidates, weights] = inputs;
  const [n, L] = candidates.shape;
  const { numSamples: S, seed, stream, counter } = attrs;
  const [counterLo, counterHi] = counterWords(counter);
  if (n * S >= 2 ** 32) throw new Error(`${K}: ${n} rows × ${S} samples exceed the 2³² draws one dispatch indexes`);
  const samples = gpu.alloc('i32', n * S);
  const sampleWeights = gpu.alloc('f32', n * S);
  if (n * S > 0) {
    const [keyLo, keyHi] = philoxKey(seed);
    const u = new Uint32Array([n, L, S, stream >>> 0, keyLo, keyHi, counterLo, counterHi]);
    const status = gpu.statusWord([
      `${K}: a weight is negative, infinite or NaN; weights must be finite and non-negative (those draws are -1)`,
      `${K}: the weights of a row sum to zero (its draws are -1)`,
    ]);
    gpu.run([{
      stem: 'sampling/sample_weighted_candidates',
      entry: 'sample_weighted_candidates',
      uniforms: u.buffer,
      buffers: [buffer(candidates), buffer(weights), samples.buffer, sampleWeights.buffer, status],
      groups: linearGrid(n * S, WORKGROUP),
    }]);
  }
  return [
    { shape: [n, S], dtype: 'i32', handle: samples },
    { shape: [n, S], dtype: 'f32', handle: sampleWeights },
  ];
};
