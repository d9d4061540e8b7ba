/** Inputs shared by the parity suites of `sampled_softmax` and `sampled_softmax_grad`. */
import { type Backend, type Tensor, tensor } from '@rec/core';
import { ids, uniformF32 } from './fixtures.js';

export const TOLERANCE = { atol: 1e-5, rtol: 1e-5 };

/** One size and variant. */
export interface Case {
  batch: number;
  dim: number;
  classes: number;
  samples: number;
  bias: boolean;
  removeAccidentalHits: boolean;
}

/** The kernel inputs of a case (with `dLoss` when `withGrad`), deterministic per case. */
export function makeInputs(c: Case, backend: Backend | string, withGrad: boolean): Tensor[] {
  const labels = ids(31, c.batch, c.classes);
  const sampled = ids(32, c.samples, c.classes);
  // Force accidental hits: some sampled classes are labels of the batch.
  for (let s = 0; s < Math.min(3, c.samples, c.batch); s++) sampled[s * 2 % c.samples] = labels[s];
  const inputs = [
    tensor(uniformF32(33, c.batch * c.dim, -0.5, 0.5), [c.batch, c.dim], { backend }),
    tensor(uniformF32(34, c.classes * c.dim, -0.5, 0.5), [c.classes, c.dim], { backend }),
    tensor(labels, undefined, { backend }),
    tensor(sampled, undefined, { backend }),
    tensor(uniformF32(35, c.batch, -9, -2), undefined, { backend }),
    tensor(uniformF32(36, c.samples, -9, -2), undefined, { backend }),
  ];
  if (withGrad) inputs.push(tensor(uniformF32(37, c.batch, 0.1, 1), undefined, { backend }));
  if (c.bias) inputs.push(tensor(uniformF32(38, c.classes, -0.3, 0.3), undefined, { backend }));
  return inputs;
}

/** Every variant: bias or not, hits masked or not, sizes off the matmul tiles, no samples. */
export const CASES: Case[] = [
  { batch: 7, dim: 5, classes: 20, samples: 6, bias: true, removeAccidentalHits: true },
  { batch: 300, dim: 64, classes: 5000, samples: 130, bias: true, removeAccidentalHits: true },
  { batch: 300, dim: 64, classes: 5000, samples: 130, bias: false, removeAccidentalHits: true },
  { batch: 129, dim: 33, classes: 400, samples: 70, bias: true, removeAccidentalHits: false },
  { batch: 4, dim: 8, classes: 10, samples: 0, bias: false, removeAccidentalHits: true },
];

