import { type Shape, sizeOf } from '../../tensor/shape.js';

/**
 * Visits every element of `shape` in row-major order with its offset into an
 * array read through `strides` from `base`: the walk behind the layout
 * references (transpose, broadcast, slice and its adjoint). A stride of 0
 * repeats an element (broadcasting).
 */
export function forEachStridedOffset(shape: Shape, strides: readonly number[], base: number, visit: (index: number, offset: number) => void): void {
  const rank = shape.length;
  const n = sizeOf(shape);
  const idx = new Array<number>(rank).fill(0);
  let o = base;
  for (let i = 0; i < n; i++) {
    visit(i, o);
    for (let ax = rank - 1; ax >= 0; ax--) {
      idx[ax] += 1;
      o += strides[ax];
      if (idx[ax] < shape[ax]) break;
      o -= strides[ax] * shape[ax];
      idx[ax] = 0;
    }
  }
}
