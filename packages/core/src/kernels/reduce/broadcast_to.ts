/** `broadcast_to`: y = x stretched to a larger shape under broadcasting rules (a copy). */
import { hostData, hostOutput } from '../../backends/js/backend.js';
import { forEachStridedOffset } from '../../backends/js/strided.js';
import { allocArray } from '../../tensor/dtype.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { broadcastStrides, type Shape, sizeOf } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';

export interface BroadcastToAttrs {
  shape: Shape;
}

/**
 * Checks `broadcast_to`'s input and target: one input x, and `shape` a list of
 * non-negative integers x broadcasts to under NumPy rules (x's axes align to
 * the right, each of size 1 or equal to the target's). The spec's rule, run by
 * `runKernel` on every backend before its plan (`broadcastPlan`) is made.
 *
 * @example
 * ```ts
 * checkBroadcastToInputs([x], { shape: [2, 3, 4] }); // x [3, 1]
 * ```
 */
export function checkBroadcastToInputs(inputs: readonly Tensor[], attrs: BroadcastToAttrs): void {
  if (inputs.length !== 1) throw new Error(`broadcast_to: expected 1 input [x], got ${inputs.length}`);
  const x = inputs[0].shape;
  const { shape } = attrs;
  let fits = Array.isArray(shape) && shape.length >= x.length;
  const offset = fits ? shape.length - x.length : 0;
  for (let a = 0; fits && a < shape.length; a++) fits = Number.isInteger(shape[a]) && shape[a] >= 0;
  for (let i = 0; fits && i < x.length; i++) fits = x[i] === 1 || x[i] === shape[i + offset];
  if (!fits) throw new Error(`broadcast_to: [${x.join(', ')}] cannot be broadcast to [${Array.isArray(shape) ? shape.join(', ') : String(shape)}]`);
}

export const broadcastToSpec = declareKernel({ id: 'broadcast_to', family: 'reduce', summary: 'y = x broadcast to a shape', check: checkBroadcastToInputs });

registerKernel<BroadcastToAttrs>('broadcast_to', 'js', ({ inputs: [x], attrs, backend }) => {
  const shape = attrs.shape;
  const st = broadcastStrides(x.shape, shape);
  const src = hostData(x);
  const out = allocArray(x.dtype, sizeOf(shape));
  forEachStridedOffset(shape, st, 0, (i, o) => {
    out[i] = src[o];
  });
  return hostOutput(backend, shape, x.dtype, out);
});
