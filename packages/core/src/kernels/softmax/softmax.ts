/**
 * `softmax`: y = exp(x − max) / Σ exp(x − max) along one axis, and
 * `log_softmax`: y = x − max − log Σ exp(x − max). Subtracting the row max
 * keeps exp ≤ 1, so neither overflows; sums in f64.
 */
import { hostF32, hostOutput } from '../../backends/js/backend.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { sizeOf } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { allocArray } from '../../tensor/dtype.js';

export interface SoftmaxAttrs {
  axis: number;
}

export const softmaxSpec = declareKernel({ id: 'softmax', family: 'softmax', summary: 'y = exp(x) / Σ exp(x) along an axis' });
export const logSoftmaxSpec = declareKernel({ id: 'log_softmax', family: 'softmax', summary: 'y = x − log Σ exp(x) along an axis' });

function softmaxAlong(x: Tensor, axis: number, log: boolean): Float32Array {
  const src = hostF32(x);
  const len = x.shape[axis];
  const inner = sizeOf(x.shape.slice(axis + 1));
  const outer = sizeOf(x.shape.slice(0, axis));
  const out = allocArray('f32', src.length);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < inner; c++) {
      const base = o * len * inner + c;
      let max = -Infinity;
      for (let i = 0; i < len; i++) max = Math.max(max, src[base + i * inner]);
      let sum = 0;
      for (let i = 0; i < len; i++) sum += Math.exp(src[base + i * inner] - max);
      const logSum = Math.log(sum);
      for (let i = 0; i < len; i++) {
        const z = src[base + i * inner] - max;
        out[base + i * inner] = log ? z - logSum : Math.exp(z) / sum;
      }
    }
  }
  return out;
}

registerKernel<SoftmaxAttrs>('softmax', 'js', ({ inputs: [x], attrs, backend }) =>
  hostOutput(backend, x.shape, 'f32', softmaxAlong(x, attrs.axis, false)),
);
registerKernel<SoftmaxAttrs>('log_softmax', 'js', ({ inputs: [x], attrs, backend }) =>
  hostOutput(backend, x.shape, 'f32', softmaxAlong(x, attrs.axis, true)),
);
