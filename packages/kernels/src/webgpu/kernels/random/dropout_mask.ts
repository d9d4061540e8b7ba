/**
 * `dropout_mask` on `webgpu`: the glue for `kernels/wgsl/random/dropout_mask.wgsl`.
 * The drop test u ≥ p becomes an integer test on the 24-bit uniform
 * (`coinThreshold`), and 1/(1 − p) is rounded to f32 here as the reference
 * stores it, so the mask is bit-identical to `js` and `native`. The shape, p
 * and the Philox attributes are the spec's rule (`checkDropoutMaskInputs`, run
 * by the engine before this); what stays here is this kernel's own size limit.
 */
import { type KernelImpl, sizeOf } from '@rec/core';
import { linearGrid, type WebGPUBackend } from '../../backend.js';
import { coinThreshold, counterWords, philoxKey } from '../sampling/philox_params.js';

const WORKGROUP = 256;

/** `dropout_mask`'s attributes (core's DropoutMaskAttrs). */
interface DropoutMaskAttrs {
  shape: readonly number[];
  p: number;
  seed: number;
  stream: number;
  counter: number;
}

/** The `webgpu` implementation of `dropout_mask`. */
export const dropoutMask: KernelImpl<DropoutMaskAttrs> = ({ attrs: { shape, p, seed, stream, counter }, backend }) => {
  const K = 'dropout_mask';
  const gpu = backend as WebGPUBackend;
  const n = sizeOf(shape);
  const [counterLo, counterHi] = counterWords(counter);
  const offset = counterLo & 3;
  // Invocations run in blocks of four words, the grid padded to whole workgroups: t·4 must not wrap.
  if (n + offset + 4 * WORKGROUP >= 2 ** 32) throw new Error(`${K}: the webgpu kernel writes fewer than 2³² − 2¹⁰ elements, got ${n}`);
  const [keyLo, keyHi] = philoxKey(seed);
  const out = gpu.alloc('f32', n);
  if (n > 0) {
    // u ≥ p ⇔ (word >> 8) ≥ ⌈p·2²⁴⌉.
    const threshold = coinThreshold(p);
    const keep = new Uint32Array(Float32Array.of(1 / (1 - p)).buffer)[0];
    const blocks = Math.ceil((n + offset) / 4);
    gpu.run([{
      stem: 'random/dropout_mask',
      entry: K,
      uniforms: new Uint32Array([n, threshold, keep, stream, keyLo, keyHi, counterLo, counterHi]).buffer,
      buffers: [out.buffer],
      groups: linearGrid(blocks, WORKGROUP),
    }]);
  }
  return { shape: [...shape], dtype: 'f32', handle: out };
};
