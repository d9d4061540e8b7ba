/**
 * `take_along_axis`: y[r] = x[r, indices[r]] along the last axis (x `[..., C]`,
 * indices i32 `[...]`), e.g. the log-probability of each row's label; and its
 * adjoint `put_along_axis`: y = zeros([..., C]); y[r, indices[r]] += x[r].
 */
import { hostData, hostF32, hostOutput } from '../../backends/js/backend.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { allocArray } from '../../tensor/dtype.js';
import { formatShape, type Shape, shapesEqual } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';

export interface PutAlongAxisAttrs {
  /** Size C of the last axis of the output. */
  classes: number;
}

/** True when `lead` is `shape` without its last axis. */
function isLeadingShape(lead: Shape, shape: Shape): boolean {
  if (lead.length !== shape.length - 1) return false;
  for (let a = 0; a < lead.length; a++) if (lead[a] !== shape[a]) return false;
  return true;
}

/**
 * Checks `take_along_axis`' inputs: x `[..., C]` (rank ≥ 1, any dtype, read as
 * numbers) and i32 indices shaped as x without its last axis. The spec's rule,
 * run by `runKernel` on every backend; that each index is below C needs the
 * indices themselves, so the backends check it.
 *
 * @example
 * ```ts
 * checkTakeAlongAxisInputs([x, indices]); // x [257, 100], indices [257]
 * ```
 */
export function checkTakeAlongAxisInputs(inputs: readonly Tensor[]): void {
  const K = 'take_along_axis';
  if (inputs.length !== 2) throw new Error(`${K}: expected 2 inputs [x, indices], got ${inputs.length}`);
  const [x, indices] = inputs;
  if (x.shape.length < 1) throw new Error(`${K}: x must have at least one axis (its classes), got ${formatShape(x.shape)}`);
  if (indices.dtype !== 'i32') throw new Error(`${K}: indices must be i32, got ${indices.dtype}`);
  if (!isLeadingShape(indices.shape, x.shape)) {
    throw new Error(`${K}: indices ${formatShape(indices.shape)} must match x ${formatShape(x.shape)} without its last axis`);
  }
}

/**
 * Checks `put_along_axis`' inputs and attribute: x and i32 indices of one
 * shape (one value per index; x any dtype, read as numbers) and `classes` a
 * non-negative integer. The spec's rule, run by `runKernel` on every backend;
 * that each index is below `classes` needs the indices, so the backends check it.
 *
 * @example
 * ```ts
 * checkPutAlongAxisInputs([x, indices], { classes: 100 }); // x [257], indices [257]
 * ```
 */
export function checkPutAlongAxisInputs(inputs: readonly Tensor[], attrs: PutAlongAxisAttrs): void {
  const K = 'put_along_axis';
  if (inputs.length !== 2) throw new Error(`${K}: expected 2 inputs [x, indices], got ${inputs.length}`);
  const [x, indices] = inputs;
  if (indices.dtype !== 'i32') throw new Error(`${K}: indices must be i32, got ${indices.dtype}`);
  const { classes } = attrs;
  if (!(Number.isInteger(classes) && classes >= 0)) throw new Error(`${K}: classes must be a non-negative integer, got ${classes}`);
  if (!shapesEqual(x.shape, indices.shape)) throw new Error(`${K}: x ${formatShape(x.shape)} must have the shape of indices ${formatShape(indices.shape)} (one value per index)`);
}

export const takeAlongAxisSpec = declareKernel({
  id: 'take_along_axis',
  family: 'indexing',
  summary: 'y[r] = x[r, indices[r]] on the last axis',
  check: checkTakeAlongAxisInputs,
});
export const putAlongAxisSpec = declareKernel({
  id: 'put_along_axis',
  family: 'indexing',
  summary: 'y = zeros([..., C]); y[r, indices[r]] += x[r]',
  check: checkPutAlongAxisInputs,
});

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
