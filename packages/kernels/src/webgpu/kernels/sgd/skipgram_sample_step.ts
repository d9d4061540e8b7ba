/**
 * `skipgram_sample_step` on `webgpu`: the two shaders it is made of, back to back on the
 * GPU — `neg_sample_alias` draws the b·N negatives into a scratch buffer (bit-identical to
 * the reference's draws), then `skipgram_step` runs on them; nothing crosses to the host.
 * Shapes, dtypes and attributes are checked by the engine before this runs (the spec's rule,
 * `checkSkipgramSampleStepInputs`); the alias entries, ids and category lists on the GPU by
 * those two kernels (raised at the next read, nothing updated). Every attribute of the step
 * (`parts` included: per-part copies of the category table, see `categoryParts`) reaches
 * `skipgram_step` unchanged.
 */
import type { KernelImpl, KernelOutput, SkipgramSampleStepAttrs } from '@rec/core';
import type { WebGPUBackend } from '../../backend.js';
import { withDrawnIds } from '../sampling/drawn_ids.js';
import { negSampleAlias } from '../sampling/neg_sample_alias.js';
import { skipgramStep } from './skipgram_step.js';

/** The `webgpu` implementation of `skipgram_sample_step` (in place on the tables; returns the mean loss). */
export const skipgramSampleStep: KernelImpl<SkipgramSampleStepAttrs> = ({ inputs, attrs, backend }) => {
  const gpu = backend as WebGPUBackend;
  const hasExtra = inputs.length === 11;
  const batch = inputs[3].shape[0];
  const N = attrs.negatives;
  const drawn = negSampleAlias({
    inputs: [inputs[6], inputs[7]], attrs: { count: batch * N, seed: attrs.seed, stream: attrs.stream, counter: attrs.counter, maxTries: 1 }, backend,
  }) as KernelOutput[];
  return withDrawnIds(gpu, drawn, [batch, N], (negatives) =>
    skipgramStep({ inputs: [...inputs.slice(0, 6), negatives, ...(hasExtra ? inputs.slice(8) : [])], attrs, backend }));
};
