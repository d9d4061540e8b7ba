/**
 * `dropout_mask`: m_i = 1/(1−p) if u_i ≥ p else 0, with u_i the uniform at
 * counter `counter + i` of Philox stream (seed, stream) — the same value on
 * every backend, so dropout is reproducible and parity-testable. Inverted
 * dropout: multiplying by m keeps the expected activation unchanged.
 */
import { hostOutput } from '../../backends/js/backend.js';
import { uniformAt } from '../../random/rng.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { type Shape, sizeOf } from '../../tensor/shape.js';
import { allocArray } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkDrawAttrs } from '../sampling/draw_attrs.js';

export interface DropoutMaskAttrs {
  shape: Shape;
  /** Drop probability in [0, 1). */
  p: number;
  seed: number;
  stream: number;
  /** First Philox counter; element i uses counter + i. */
  counter: number;
}

export const dropoutMaskSpec = declareKernel({
  id: 'dropout_mask',
  family: 'random',
  summary: 'm_i = [u(seed, stream, counter + i) ≥ p] / (1 − p)',
  check: checkDropoutMaskInputs,
});

/**
 * The rule of `dropout_mask` (its spec's `check`, run by `runKernel` on every backend): no
 * inputs; `shape` an array of non-negative integers, p in [0, 1) and the Philox attributes,
 * the size(shape) words from `counter` safe integers.
 *
 * @example
 * ```ts
 * checkDropoutMaskInputs([], { shape: [32, 64], p: 0.1, seed: 1, stream: 0, counter: 0 });
 * ```
 */
export function checkDropoutMaskInputs(inputs: readonly Tensor[], attrs: DropoutMaskAttrs): void {
  const K = 'dropout_mask';
  if (inputs.length !== 0) throw new Error(`${K}: takes no inputs (the shape is an attribute), got ${inputs.length}`);
  const { shape, p } = attrs;
  if (!Array.isArray(shape)) throw new Error(`${K}: shape must be an array of non-negative integers, got ${String(shape)}`);
  let n = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (!(Number.isInteger(d) && d >= 0)) throw new Error(`${K}: shape must be an array of non-negative integers, got [${shape.join(', ')}]`);
    n *= d;
  }
  if (!(typeof p === 'number' && p >= 0 && p < 1)) throw new Error(`${K}: p must be a number in [0, 1), got ${p}`);
  checkDrawAttrs(K, attrs, n, `${n}`);
}

registerKernel<DropoutMaskAttrs>('dropout_mask', 'js', ({ attrs, backend }) => {
  const n = sizeOf(attrs.shape);
  const out = allocArray('f32', n);
  const keep = 1 / (1 - attrs.p);
  for (let i = 0; i < n; i++) out[i] = uniformAt(attrs.seed, attrs.stream, attrs.counter + i) >= attrs.p ? keep : 0;
  return hostOutput(backend, attrs.shape, 'f32', out);
});
