/**
 * `bpr_sample_step` on `webgpu`: the two shaders it is made of, back to back on the GPU —
 * `neg_sample_exclude` draws each triple's negative into a scratch buffer (bit-identical to
 * the reference's draws), then `bpr_step` runs on the triples; nothing crosses to the host.
 * Shapes, dtypes and attributes are checked by the engine before this runs (the spec's rule,
 * `checkBprSampleStepInputs`); ids and the CSR rows on the GPU by those two kernels (raised at
 * the next read, nothing updated).
 */
import type { BprSampleStepAttrs, KernelImpl, KernelOutput } from '@rec/core';
import type { WebGPUBackend } from '../../backend.js';
import { withDrawnIds } from '../sampling/drawn_ids.js';
import { negSampleExclude } from '../sampling/neg_sample_exclude.js';
import { bprStep } from './bpr_step.js';

/** The `webgpu` implementation of `bpr_sample_step` (in place on the tables; returns the mean loss). */
export const bprSampleStep: KernelImpl<BprSampleStepAttrs> = ({ inputs, attrs, backend }) => {
  const gpu = backend as WebGPUBackend;
  const [P, Q, users, positives, indptr, indices] = inputs;
  const n = users.shape[0] ?? 0;
  const drawn = negSampleExclude({
    inputs: [users, indptr, indices],
    attrs: { numItems: Q.shape[0], seed: attrs.seed, stream: attrs.stream, counter: attrs.counter, maxTries: attrs.maxTries },
    backend,
  }) as KernelOutput[];
  return withDrawnIds(gpu, drawn, [n], (negatives) => bprStep({ inputs: [P, Q, users, positives, negatives], attrs: { lr: attrs.lr, reg: attrs.reg, hogwild: attrs.hogwild, lanes: attrs.lanes }, backend }));
};
