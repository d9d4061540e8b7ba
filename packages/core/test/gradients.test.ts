/**
 * Finite-difference gradient checks for every differentiable op: each case
 * names the op, builds small random inputs, and compares autograd against
 * central differences.
 */
import { describe, expect, it } from 'vitest';
import {
  abs, add, bceWithLogits, bprLoss, broadcastTo, concat, dense, div, dropout, ncfHead, exp, expandDims, gather, gaussianKL, layerNorm, linear, log,
  logSigmoid, logSoftmax, matmul, max, maximum, mean, min, minimum, mseLoss, mul, neg, nllLoss, padSlice, pow, reciprocal,
  gatherMatvec, relu, reshape, rsqrt, sampledSoftmaxLoss, scatterAdd, scatterOuterAdd, sigmoid, slice, softmax, softmaxCrossEntropy, softplus, split,
  sqrt, square, squeeze, sub, sum, takeAlongAxis, tanh, tensor, transpose, type Tensor, backward, declaredKernels, findKernel, Parameter, registerKernel,
} from '../src/index.js';
import { gradCheck } from '../src/testing/index.js';

let seed = 1;
function rand(shape: number[], lo = -1, hi = 1): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    v[i] = lo + ((seed >>> 8) / 2 ** 24) * (hi - lo);
  }
  return tensor(v, shape);
}
/** Values at least 0.1 apart, so a finite-difference step never reorders them (max/min/maximum). */
function distinct(shape: number[]): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  const v = Float32Array.from({ length: n }, (_, i) => ((i * 7) % n) * 0.1 - 0.5);
  return tensor(v, shape);
}
const ids = (values: number[], shape?: number[]) => tensor(new Int32Array(values), shape);

type Case = [name: string, fn: (...xs: Tensor[]) => Tensor, inputs: () => Tensor[], wrt?: number[]];

const cases: Case[] = [
  ['neg', neg, () => [rand([3, 4])]],
  ['exp', exp, () => [rand([3, 4])]],
  ['log', log, () => [rand([3, 4], 0.5, 2)]],
  ['sqrt', sqrt, () => [rand([3, 4], 0.5, 2)]],
  ['rsqrt', rsqrt, () => [rand([3, 4], 0.5, 2)]],
  ['abs', abs, () => [rand([3, 4], 0.1, 1)]],
  ['square', square, () => [rand([3, 4])]],
  ['reciprocal', reciprocal, () => [rand([3, 4], 0.5, 2)]],
  ['relu', relu, () => [rand([3, 4], 0.1, 1)]],
  ['sigmoid', sigmoid, () => [rand([3, 4], -3, 3)]],
  ['tanh', tanh, () => [rand([3, 4], -2, 2)]],
  ['softplus', softplus, () => [rand([3, 4], -3, 3)]],
  ['logSigmoid', logSigmoid, () => [rand([3, 4], -3, 3)]],
  ['add (broadcast)', add, () => [rand([2, 3, 4]), rand([3, 1])]],
  ['sub (broadcast)', sub, () => [rand([2, 3, 4]), rand([4])]],
  ['mul (broadcast)', mul, () => [rand([2, 1, 4]), rand([3, 1])]],
  ['div', div, () => [rand([3, 4]), rand([3, 4], 0.5, 2)]],
  ['pow', pow, () => [rand([3, 4], 0.5, 2), rand([3, 4], 0.5, 2)]],
  ['maximum', maximum, () => [distinct([3, 4]), add(distinct([3, 4]), 0.05)]],
  ['minimum', minimum, () => [distinct([3, 4]), add(distinct([4]), 0.05)]],
  ['sum (axis)', (x) => sum(x, 1), () => [rand([2, 3, 4])]],
  ['sum (all)', (x) => sum(x), () => [rand([2, 3])]],
  ['mean (axes, keepDims)', (x) => mean(x, [0, 2], { keepDims: true }), () => [rand([2, 3, 4])]],
  ['max', (x) => max(x, -1), () => [distinct([3, 5])]],
  ['min', (x) => min(x, 0), () => [distinct([3, 5])]],
  ['broadcastTo', (x) => broadcastTo(x, [2, 3, 4]), () => [rand([3, 1])]],
  ['matmul', (a, b) => matmul(a, b), () => [rand([3, 4]), rand([4, 5])]],
  ['matmul transposeA', (a, b) => matmul(a, b, { transposeA: true }), () => [rand([4, 3]), rand([4, 5])]],
  ['matmul transposeB', (a, b) => matmul(a, b, { transposeB: true }), () => [rand([3, 4]), rand([5, 4])]],
  ['matmul transpose both', (a, b) => matmul(a, b, { transposeA: true, transposeB: true }), () => [rand([4, 3]), rand([5, 4])]],
  ['matmul batched', (a, b) => matmul(a, b), () => [rand([2, 3, 4]), rand([2, 4, 2])]],
  ['matmul batched × shared', (a, b) => matmul(a, b), () => [rand([2, 3, 4]), rand([4, 2])]],
  ['reshape', (x) => reshape(x, [4, -1]), () => [rand([2, 3, 2])]],
  ['expandDims + squeeze', (x) => squeeze(expandDims(x, 1), 1), () => [rand([3, 2])]],
  ['transpose', (x) => transpose(x, [2, 0, 1]), () => [rand([2, 3, 4])]],
  ['transpose of size-1 axes only (a view)', (x) => transpose(x, [0, 2, 1, 3]), () => [rand([2, 3, 1, 4])]],
  ['slice', (x) => slice(x, [1, 0, 1], [1, -1, 2]), () => [rand([2, 3, 4])]],
  ['padSlice', (x) => padSlice(x, [4, 5], [1, 2]), () => [rand([2, 3])]],
  ['concat', (a, b) => concat([a, b], 1), () => [rand([2, 3]), rand([2, 2])]],
  ['split', (x) => mul(split(x, [1, 3], 1)[1], 2), () => [rand([2, 4])]],
  ['gather (row-sparse, duplicates)', (t, i) => gather(t, i), () => [rand([5, 3]), ids([4, 1, 4, 0], [2, 2])], [0]],
  ['scatterAdd', (t, i, s) => scatterAdd(t, i, s), () => [rand([4, 3]), ids([1, 3, 1]), rand([3, 3])], [0, 2]],
  ['gatherMatvec (repeated index)', (w, i, x) => gatherMatvec(w, i, x), () => [rand([3, 2, 4]), ids([2, 0, 2, 1, 2]), rand([5, 4])], [0, 2]],
  ['gatherMatvec transpose', (w, i, x) => gatherMatvec(w, i, x, { transpose: true }), () => [rand([3, 2, 4]), ids([1, 1, 0]), rand([3, 2])], [0, 2]],
  ['scatterOuterAdd', (a, b, i) => scatterOuterAdd(a, b, i, 4), () => [rand([5, 2]), rand([5, 3]), ids([3, 0, 3, 1, 3])], [0, 1]],
  ['takeAlongAxis', (x, i) => takeAlongAxis(x, i), () => [rand([3, 4]), ids([3, 0, 2])], [0]],
  ['softmax', (x) => softmax(x), () => [rand([3, 5], -2, 2)]],
  ['softmax (axis 0)', (x) => softmax(x, 0), () => [rand([3, 5], -2, 2)]],
  ['logSoftmax', (x) => logSoftmax(x), () => [rand([3, 5], -2, 2)]],
  ['layerNorm', (x, g, b) => layerNorm(x, g, b), () => [rand([3, 6]), rand([6]), rand([6])]],
  ['layerNorm (rank 3, γ and β of shape [1, 5], ε 0.1)', (x, g, b) => layerNorm(x, g, b, 0.1), () => [rand([2, 3, 5]), rand([1, 5]), rand([1, 5])]],
  ['layerNorm (d = 1: y = β)', (x, g, b) => layerNorm(x, g, b), () => [rand([4, 1]), rand([1]), rand([1])]],
  ['dropout (fixed mask)', (x) => dropout(x, 0.3, { seed: 9, counter: 0 }), () => [rand([4, 5])]],
  ['linear', (x, w, b) => linear(x, w, b), () => [rand([2, 3, 4]), rand([4, 5]), rand([5])]],
  ['dense relu', (x, w, b) => dense(x, w, b, 'relu'), () => [rand([5, 4]), rand([4, 3]), rand([3])]],
  ['ncfHead (NeuMF: with z)', (p, q, h, z) => ncfHead(p, q, h, z), () => [rand([4, 3]), rand([4, 3]), rand([5, 1]), rand([4, 2])]],
  ['ncfHead (GMF: no z, h flat)', (p, q, h) => ncfHead(p, q, h), () => [rand([3, 4]), rand([3, 4]), rand([4])]],
  ['dense sigmoid (rank 3)', (x, w, b) => dense(x, w, b, 'sigmoid'), () => [rand([2, 3, 4]), rand([4, 5]), rand([5])]],
  ['bceWithLogits', (x, y) => bceWithLogits(x, y), () => [rand([6], -3, 3), tensor([1, 0, 1, 1, 0, 0])], [0]],
  ['bceWithLogits (soft targets, both differentiated)', (x, y) => bceWithLogits(x, y), () => [rand([2, 3], -3, 3), rand([2, 3], 0, 1)]],
  ['bceWithLogits (sum)', (x, y) => bceWithLogits(x, y, 'sum'), () => [rand([5], -3, 3), rand([5], 0, 1)]],
  ['bceWithLogits (none)', (x, y) => mul(bceWithLogits(x, y, 'none'), tensor([1, -2, 3, 0.5])), () => [rand([4], -3, 3), rand([4], 0, 1)]],
  ['bprLoss', (p, n) => bprLoss(p, n), () => [rand([5], -2, 2), rand([5], -2, 2)]],
  ['mseLoss', (p, t) => mseLoss(p, t), () => [rand([5]), rand([5])]],
  ['nllLoss', (x, i) => nllLoss(logSoftmax(x), i), () => [rand([3, 4]), ids([1, 0, 3])], [0]],
  ['softmaxCrossEntropy', (x, i) => softmaxCrossEntropy(x, i), () => [rand([3, 4], -2, 2), ids([1, 0, 3])], [0]],
  ['gaussianKL', (m, v) => gaussianKL(m, v), () => [rand([3, 4]), rand([3, 4], -1, 0.5)]],
  [
    'sampledSoftmaxLoss',
    (h, w, b, labels, sampled, lq, sq) =>
      sampledSoftmaxLoss({ hidden: h, classWeights: w, classBias: b, labels, sampled, labelLogQ: lq, sampledLogQ: sq }),
    () => [rand([3, 4]), rand([6, 4]), rand([6]), ids([0, 2, 5]), ids([1, 2, 4]), rand([3], -3, -1), rand([3], -3, -1)],
    [0, 1, 2],
  ],
];

describe('finite-difference gradient checks', () => {
  for (const [name, fn, make, wrt] of cases) {
    it(name, () => {
      const results = gradCheck(fn, make(), { wrt });
      expect(results.length).toBeGreaterThan(0);
      for (const r of results) expect(r.mismatches, `input ${r.input} of ${name}`).toEqual([]);
    });
  }
});

describe('operands that need no gradient', () => {
  /** The kernel calls (`binary mul`, `matmul`, …) run by `backward` of `build`'s scalar. */
  function backwardCalls(build: () => Tensor): string[] {
    const calls: string[] = [];
    const originals = declaredKernels().map(({ id }) => ({ id, impl: findKernel(id, 'js') })).filter((k) => k.impl !== undefined);
    const loss = build();
    for (const { id, impl } of originals) {
      registerKernel(id, 'js', (ctx) => {
        const fn = (ctx.attrs as { fn?: unknown }).fn;
        calls.push(typeof fn === 'string' ? `${id} ${fn}` : id);
        return impl!(ctx);
      });
    }
    try {
      backward(loss);
    } finally {
      for (const { id, impl } of originals) registerKernel(id, 'js', impl!);
    }
    return calls;
  }
  const param = (shape: number[]) => new Parameter(Float32Array.from({ length: shape[0]! * shape[1]! }, (_, i) => (i % 5) * 0.1 - 0.2), shape);

  it('get no product computed in the backward pass (x·mask: one multiply, x·W with x data: one matmul)', () => {
    const x = param([3, 4]);
    const mask = rand([3, 4]);
    expect(backwardCalls(() => sum(mul(x, mask))).filter((c) => c === 'binary mul')).toEqual(['binary mul']);
    expect(backwardCalls(() => sum(mul(mask, x))).filter((c) => c === 'binary mul')).toEqual(['binary mul']);
    const w = param([4, 2]);
    expect(backwardCalls(() => sum(matmul(rand([3, 4]), w))).filter((c) => c === 'matmul')).toEqual(['matmul']);
    // Both operands differentiated: both products.
    expect(backwardCalls(() => sum(mul(x, param([3, 4])))).filter((c) => c === 'binary mul')).toHaveLength(2);
  });
});
