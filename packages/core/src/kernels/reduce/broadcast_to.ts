/** `broadcast_to`: y = x stretched to a larger shape under broadcasting rules (a copy). */
import { hostData, hostOutput } from '../../backends/js/backend.js';
import { forEachStridedOffset } from '../../backends/js/strided.js';
import { allocArray } from '../../tensor/dtype.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { broadcastStrides, type Shape, sizeOf } from '../../tensor/shape.js';
import { broadcastPlan } from '../layout/plans.js';

export interface BroadcastToAttrs {
  shape: Shape;
}

export const broadcastToSpec = declareKernel({ id: 'broadcast_to', family: 'reduce', summary: 'y = x broadcast to a shape' });

registerKernel<BroadcastToAttrs>('broadcast_to', 'js', ({ inputs: [x], attrs, backend }) => {
  const shape = attrs.shape;
  broadcastPlan(x.shape, shape); // the shapes' check, shared with every backend
  const st = broadcastStrides(x.shape, shape);
  const src = hostData(x);
  const out = allocArray(x.dtype, sizeOf(shape));
  forEachStridedOffset(shape, st, 0, (i, o) => {
    out[i] = src[o];
  });
  return hostOutput(backend, shape, x.dtype, out);
});
