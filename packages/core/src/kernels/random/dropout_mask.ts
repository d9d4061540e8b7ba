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

export interface DropoutMaskAttrs {
  shape: Shape;
  /** Drop probability in [0, 1). */
  p: number;
  seed: number;
  stream: number;
  /** First Philox counter; element i uses counter + i. */
  counter: number;
}

export const dropoutMaskSpec = declareKernel({ id: 'dropout_mask', family: 'random', summary: 'm_i = [u(seed, stream, counter + i) ≥ p] / (1 − p)' });

registerKernel<DropoutMaskAttrs>('dropout_mask', 'js', ({ attrs, backend }) => {
  const n = sizeOf(attrs.shape);
  const out = allocArray('f32', n);
  const keep = 1 / (1 - attrs.p);
  for (let i = 0; i < n; i++) out[i] = uniformAt(attrs.seed, attrs.stream, attrs.counter + i) >= attrs.p ? keep : 0;
  return hostOutput(backend, attrs.shape, 'f32', out);
});
