/** `broadcast_to`: y = x stretched to a larger shape under broadcasting rules (a copy). */
import { hostData, hostOutput } from '../../backends/js/backend.js';
import { allocArray } from '../../tensor/dtype.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { broadcastStrides, type Shape, sizeOf } from '../../tensor/shape.js';

export interface BroadcastToAttrs {
  shape: Shape;
}

export const broadcastToSpec = declareKernel({ id: 'broadcast_to', family: 'reduce', summary: 'y = x broadcast to a shape' });

registerKernel<BroadcastToAttrs>('broadcast_to', 'js', ({ inputs: [x], attrs, backend }) => {
  const shape = attrs.shape;
  const rank = shape.length;
  const st = broadcastStrides(x.shape, shape);
  const src = hostData(x);
  const n = sizeOf(shape);
  const out = allocArray(x.dtype, n);
  const idx = new Array<number>(rank).fill(0);
  let s = 0;
  for (let i = 0; i < n; i++) {
    out[i] = src[s];
    for (let ax = rank - 1; ax >= 0; ax--) {
      idx[ax] += 1;
      s += st[ax];
      if (idx[ax] < shape[ax]) break;
      s -= st[ax] * shape[ax];
      idx[ax] = 0;
    }
  }
  return hostOutput(backend, shape, x.dtype, out);
});
