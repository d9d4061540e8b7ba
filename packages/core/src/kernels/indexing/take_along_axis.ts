/**
 * `take_along_axis`: y[r] = x[r, indices[r]] along the last axis (x `[..., C]`,
 * indices i32 `[...]`), e.g. the log-probability of each row's label; and its
 * adjoint `put_along_axis`: y = zeros([..., C]); y[r, indices[r]] += x[r].
 */
import { hostData, hostF32, hostOutput } from '../../backends/js/backend.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { allocArray } from '../../tensor/dtype.js';

export interface PutAlongAxisAttrs {
  /** Size C of the last axis of the output. */
  classes: number;
}

export const takeAlongAxisSpec = declareKernel({ id: 'take_along_axis', family: 'indexing', summary: 'y[r] = x[r, indices[r]] on the last axis' });
export const putAlongAxisSpec = declareKernel({ id: 'put_along_axis', family: 'indexing', summary: 'y = zeros([..., C]); y[r, indices[r]] += x[r]' });

function checkIndex(kernel: string, c: number, r: number, classes: number): void {
  if (c < 0 || c >= classes) throw new Error(`${kernel}: index ${c} in row ${r} is out of range for ${classes} classes`);
}

registerKernel('take_along_axis', 'js', ({ inputs: [x, indices], backend }) => {
  const classes = x.shape[x.shape.length - 1];
  const src = hostF32(x);
  const idx = hostData(indices);
  const out = allocArray('f32', idx.length);
  for (let r = 0; r < idx.length; r++) {
    checkIndex('take_along_axis', idx[r], r, classes);
    out[r] = src[r * classes + idx[r]];
  }
  return hostOutput(backend, indices.shape, 'f32', out);
});

registerKernel<PutAlongAxisAttrs>('put_along_axis', 'js', ({ inputs: [x, indices], attrs, backend }) => {
  const { classes } = attrs;
  const src = hostF32(x);
  const idx = hostData(indices);
  const out = allocArray('f32', idx.length * classes);
  for (let r = 0; r < idx.length; r++) {
    checkIndex('put_along_axis', idx[r], r, classes);
    out[r * classes + idx[r]] += src[r];
  }
  return hostOutput(backend, [...indices.shape, classes], 'f32', out);
});
