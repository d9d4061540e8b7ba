import type { BinaryAttrs, BinaryFn } from '../../kernels/elementwise/binary.js';
import type { UnaryAttrs, UnaryFn } from '../../kernels/elementwise/unary.js';
import { zerosLike } from '../../ops/create.js';
import { div, greaterEqual, log, mul, neg, sigmoid, sign, step, sub, square, greater } from '../../ops/elementwise.js';
import { sumToShape } from '../../ops/reduce.js';
import { type GradFn, gradientIf } from '../tape.js';

type UnaryGrad = GradFn<UnaryAttrs>;

/** dL/dx for each unary function, given dy and the op's input x and output y. */
export const unaryGrads: Record<UnaryFn, UnaryGrad> = {
  neg: ([dy]) => [neg(dy)],
  exp: ([dy], { outputs: [y] }) => [mul(dy, y)],
  log: ([dy], { inputs: [x] }) => [div(dy, x)],
  sqrt: ([dy], { outputs: [y] }) => [div(mul(dy, 0.5), y)],
  // d/dx x^(-1/2) = -1/2 x^(-3/2) = -1/2 y³
  rsqrt: ([dy], { outputs: [y] }) => [mul(mul(dy, -0.5), mul(y, square(y)))],
  abs: ([dy], { inputs: [x] }) => [mul(dy, sign(x))],
  sign: ([dy]) => [zerosLike(dy)],
  step: ([dy]) => [zerosLike(dy)],
  square: ([dy], { inputs: [x] }) => [mul(dy, mul(x, 2))],
  reciprocal: ([dy], { outputs: [y] }) => [neg(mul(dy, square(y)))],
  relu: ([dy], { inputs: [x] }) => [mul(dy, step(x))],
  sigmoid: ([dy], { outputs: [y] }) => [mul(dy, mul(y, sub(1, y)))],
  tanh: ([dy], { outputs: [y] }) => [mul(dy, sub(1, square(y)))],
  softplus: ([dy], { inputs: [x] }) => [mul(dy, sigmoid(x))],
  log_sigmoid: ([dy], { inputs: [x] }) => [mul(dy, sigmoid(neg(x)))],
};

type BinaryGrad = GradFn<BinaryAttrs>;
const noGradient: BinaryGrad = () => [null, null];

/**
 * dL/da and dL/db for each binary function. Each local gradient is computed at
 * the broadcast shape, then summed back to its operand's shape; an operand that
 * needs no gradient gets none computed ({@link gradientIf}).
 */
export const binaryGrads: Record<BinaryFn, BinaryGrad> = {
  add: ([dy], { inputs: [a, b] }) => [gradientIf(a, () => sumToShape(dy, a.shape)), gradientIf(b, () => sumToShape(dy, b.shape))],
  sub: ([dy], { inputs: [a, b] }) => [gradientIf(a, () => sumToShape(dy, a.shape)), gradientIf(b, () => sumToShape(neg(dy), b.shape))],
  mul: ([dy], { inputs: [a, b] }) => [gradientIf(a, () => sumToShape(mul(dy, b), a.shape)), gradientIf(b, () => sumToShape(mul(dy, a), b.shape))],
  div: ([dy], { inputs: [a, b], outputs: [y] }) => [gradientIf(a, () => sumToShape(div(dy, b), a.shape)), gradientIf(b, () => sumToShape(neg(div(mul(dy, y), b)), b.shape))],
  pow: ([dy], { inputs: [a, b], outputs: [y] }) => [
    gradientIf(a, () => sumToShape(mul(dy, mul(b, div(y, a))), a.shape)),
    gradientIf(b, () => sumToShape(mul(dy, mul(y, log(a))), b.shape)),
  ],
  maximum: ([dy], { inputs: [a, b] }) => {
    const toA = greaterEqual(a, b);
    return [gradientIf(a, () => sumToShape(mul(dy, toA), a.shape)), gradientIf(b, () => sumToShape(mul(dy, sub(1, toA)), b.shape))];
  },
  minimum: ([dy], { inputs: [a, b] }) => {
    const toB = greater(a, b);
    return [gradientIf(a, () => sumToShape(mul(dy, sub(1, toB)), a.shape)), gradientIf(b, () => sumToShape(mul(dy, toB), b.shape))];
  },
  equal: noGradient,
  greater: noGradient,
  greater_equal: noGradient,
};

