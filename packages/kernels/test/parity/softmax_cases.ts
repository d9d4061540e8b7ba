/**
 * The cases of the `softmax` and `log_softmax` parity suites (one kernel
 * family, one set of inputs): the last axis at classifier sizes, strided
 * axes (one column block and several), and rows with NaN, ±∞ and spreads
 * wide enough that the smallest probabilities underflow.
 */
import { type Backend, runKernel, tensor } from '@rec/core';
import { uniformF32 } from './fixtures.js';

export interface SoftmaxCase {
  name: string;
  shape: number[];
  axis: number;
  x: Float32Array;
}

const size = (s: number[]) => s.reduce((p, d) => p * d, 1);

export function softmaxCases(): SoftmaxCase[] {
  const cases: SoftmaxCase[] = [
    { name: '256 rows × 1,000 classes', shape: [256, 1000], axis: 1, x: uniformF32(71, 256_000, -8, 8) },
    { name: '7 rows × 3,001 classes', shape: [7, 3001], axis: 1, x: uniformF32(72, 7 * 3001, -20, 20) },
    { name: 'rows of 1, 2 and 9 classes', shape: [3, 1], axis: 1, x: uniformF32(73, 3) },
    { name: 'a 1-d vector', shape: [17], axis: 0, x: uniformF32(74, 17, -3, 3) },
    { name: 'middle axis of [5, 7, 9]', shape: [5, 7, 9], axis: 1, x: uniformF32(75, 315, -4, 4) },
    { name: 'first axis of [6, 3, 130] (several column blocks)', shape: [6, 3, 130], axis: 0, x: uniformF32(76, 2340, -4, 4) },
    { name: 'an empty batch', shape: [0, 5], axis: 1, x: new Float32Array(0) },
  ];
  // Special rows of 8 classes: NaN, +∞ (one and two), all −∞, −∞ among finite values,
  // a spread of 200 (probabilities below f32's normal range), exact ties.
  const special = Float32Array.from([
    0, 1, NaN, 2, 3, 4, 5, 6,
    0, 1, Infinity, 2, 3, 4, 5, 6,
    Infinity, 1, Infinity, 2, 3, 4, 5, 6,
    -Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity,
    -Infinity, 1, 2, -Infinity, 3, 4, 5, 6,
    100, -100, 50, -50, 0, 99, -99, 1,
    3, 3, 3, 3, 3, 3, 3, 3,
    -1e30, 1e30, 0, 1, 2, 3, 4, 5,
  ]);
  cases.push({ name: 'NaN, ±∞, underflow and ties (last axis)', shape: [8, 8], axis: 1, x: special });
  // The same rows as columns: the strided path's special cases.
  const columns = new Float32Array(64);
  for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) columns[c * 8 + r] = special[r * 8 + c];
  cases.push({ name: 'NaN, ±∞, underflow and ties (first axis)', shape: [8, 8], axis: 0, x: columns });
  for (const c of cases) if (c.x.length !== size(c.shape)) throw new Error(`softmax case ${c.name}: ${c.x.length} values for [${c.shape}]`);
  return cases;
}

/** Runs `id` (softmax or log_softmax) on `backend`. */
export async function runSoftmax(id: 'softmax' | 'log_softmax', backend: Backend | string, c: SoftmaxCase): Promise<Float32Array> {
  return (await runKernel(id, [tensor(c.x, c.shape, { backend })], { axis: c.axis })[0].read()) as Float32Array;
}
