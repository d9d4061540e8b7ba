import { applyOp1, type OpDef } from '../autograd/op.js';
import type { SoftmaxAttrs } from '../kernels/softmax/softmax.js';
import { normalizeAxis } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { exp, mul, sub } from './elementwise.js';
import { sum } from './reduce.js';
import { expectDType } from './validate.js';

const softmaxDef: OpDef<SoftmaxAttrs> = {
  name: 'softmax',
  kernel: 'softmax',
  // dx = y ⊙ (dy − Σ dy ⊙ y)
  grad: ([dy], { outputs: [y], attrs }) => [mul(y, sub(dy, sum(mul(dy, y), attrs.axis, { keepDims: true })))],
};

const logSoftmaxDef: OpDef<SoftmaxAttrs> = {
  name: 'logSoftmax',
  kernel: 'log_softmax',
  // dx = dy − softmax(x) · Σ dy
  grad: ([dy], { outputs: [y], attrs }) => [sub(dy, mul(exp(y), sum(dy, attrs.axis, { keepDims: true })))],
};

/** softmax along `axis` (default last), stable for large inputs. */
export function softmax(x: Tensor, axis = -1): Tensor {
  expectDType(x, ['f32'], 'softmax');
  return applyOp1(softmaxDef, [x], { axis: normalizeAxis(axis, x.rank, 'softmax') });
}

/** log softmax along `axis` (default last), stable for large inputs. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  expectDType(x, ['f32'], 'logSoftmax');
  return applyOp1(logSoftmaxDef, [x], { axis: normalizeAxis(axis, x.rank, 'logSoftmax') });
}
