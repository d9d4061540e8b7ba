/**
 * `softmax`: y = exp(x − max) / Σ exp(x − max) along one axis, and
 * `log_softmax`: y = x − max − log Σ exp(x − max). Subtracting the row max
 * keeps exp ≤ 1, so neither overflows; sums in f64. x is f32 of rank ≥ 1 and
 * the axis one of its axes (the ops normalise a negative axis).
 */
import { hostF32, hostOutput } from '../../backends/js/backend.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { sizeOf } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { allocArray } from '../../tensor/dtype.js';

/** Attributes of `softmax` and `log_softmax`. */
export interface SoftmaxAttrs {
  /** The axis the probabilities sum along, in [0, rank) (the op normalises a negative one). */
  axis: number;
}

/**
 * The declaration of `softmax` (family `softmax`).
 *
 * @example
 * ```ts
 * console.log(softmaxSpec.summary);
 * ```
 */
export const softmaxSpec = declareKernel({ id: 'softmax', family: 'softmax', summary: 'y = exp(x) / Σ exp(x) along an axis', check: checkSoftmaxInputs });

/**
 * The declaration of `log_softmax` (family `softmax`).
 *
 * @example
 * ```ts
 * console.log(logSoftmaxSpec.summary);
 * ```
 */
export const logSoftmaxSpec = declareKernel({ id: 'log_softmax', family: 'softmax', summary: 'y = x − log Σ exp(x) along an axis', check: checkLogSoftmaxInputs });

/**
 * The rule of `softmax` (its spec's `check`, run by `runKernel` on every backend): one f32
 * input x and an integer axis in [0, rank of x) (so a scalar has none). Reads no tensor data.
 *
 * @example
 * ```ts
 * checkSoftmaxInputs([x], { axis: 1 }); // throws `softmax: …` unless x is f32 of rank ≥ 2
 * ```
 */
export function checkSoftmaxInputs(inputs: readonly Tensor[], attrs: SoftmaxAttrs): void {
  checkSoftmaxAlong('softmax', inputs, attrs);
}

/**
 * The rule of `log_softmax` (its spec's `check`, run by `runKernel` on every backend):
 * `softmax`'s, under its own name.
 *
 * @example
 * ```ts
 * checkLogSoftmaxInputs([x], { axis: 0 }); // throws `log_softmax: …` unless x is f32 of rank ≥ 1
 * ```
 */
export function checkLogSoftmaxInputs(inputs: readonly Tensor[], attrs: SoftmaxAttrs): void {
  checkSoftmaxAlong('log_softmax', inputs, attrs);
}

/** The rule shared by `softmax` and `log_softmax` (`id` names the kernel in the messages). */
function checkSoftmaxAlong(id: string, inputs: readonly Tensor[], attrs: SoftmaxAttrs): void {
  if (inputs.length !== 1) throw new Error(`${id}: expected 1 input [x], got ${inputs.length}`);
  const x = inputs[0];
  if (x.dtype !== 'f32') throw new Error(`${id}: f32 input expected, got ${x.dtype}`);
  const axis = attrs.axis;
  if (!(Number.isInteger(axis) && axis >= 0 && axis < x.rank)) throw new Error(`${id}: axis ${axis} is out of range for rank ${x.rank}`);
}

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
