import { formatShape } from '../tensor/shape.js';
import type { DType } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';

/** Throws unless `t` is a live tensor of one of `dtypes`; `op` and `what` name it in the error. */
export function expectDType(t: Tensor, dtypes: readonly DType[], op: string, what = 'input'): void {
  if (!(t instanceof Tensor)) throw new Error(`${op}: ${what} must be a Tensor, got ${typeof t}`);
  if (!dtypes.includes(t.dtype)) {
    throw new Error(`${op}: ${what} has dtype ${t.dtype} ${formatShape(t.shape)}; expected ${dtypes.join(' or ')}`);
  }
}

/** Throws unless `t` has exactly `rank` axes. */
export function expectRank(t: Tensor, rank: number | readonly number[], op: string, what = 'input'): void {
  const ranks = typeof rank === 'number' ? [rank] : rank;
  if (!ranks.includes(t.rank)) {
    throw new Error(`${op}: ${what} has shape ${formatShape(t.shape)}; expected rank ${ranks.join(' or ')}`);
  }
}
