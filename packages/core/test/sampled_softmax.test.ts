/**
 * The fused `sampled_softmax` / `sampled_softmax_grad` reference against the
 * composite `sampledSoftmaxLoss` and its autograd gradients, and the op over them
 * (`sampledSoftmaxRows`) through autograd.
 */
import { describe, expect, it } from 'vitest';
import { backward, hostF32, mul, Parameter, RowSparse, runKernel, sampledSoftmaxLoss, sampledSoftmaxRows, sum, type Tensor, tensor } from '../src/index.js';
import { denseGradient } from '../src/testing/index.js';

let seed = 7;
function values(n: number, lo = -1, hi = 1): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    v[i] = lo + ((seed >>> 8) / 2 ** 24) * (hi - lo);
  }
  return v;
}

function close(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++) if (!(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])))) bad.push(`${what}[${i}]: ${got[i]} vs ${want[i]}`);
  expect(bad.slice(0, 5)).toEqual([]);
}

describe('sampled_softmax reference', () => {
  const B = 5;
  const d = 6;
  const C = 9;
  // Row 1's label (3) and row 4's label (7) are also sampled: accidental hits; class 3 is sampled twice.
  const labels = Int32Array.of(0, 3, 2, 8, 7);
  const sampled = Int32Array.of(1, 3, 5, 7, 3, 6);
  const S = sampled.length;
  for (const withBias of [false, true]) {
    for (const removeAccidentalHits of [true, false]) {
      it(`equals sampledSoftmaxLoss and its autograd gradients (bias ${withBias}, removeAccidentalHits ${removeAccidentalHits})`, () => {
        const hv = values(B * d);
        const wv = values(C * d);
        const bv = values(C, -0.5, 0.5);
        const lqv = values(B, -3, -1);
        const sqv = values(S, -3, -1);
        const gamma = values(B, 0.2, 1.5);
        const h = tensor(hv, [B, d]);
        const w = tensor(wv, [C, d]);
        const bias = tensor(bv, [C]);
        const lab = tensor(labels);
        const smp = tensor(sampled);
        const lq = tensor(lqv);
        const sq = tensor(sqv);
        h.requiresGrad = true;
        w.requiresGrad = true;
        bias.requiresGrad = true;
        const composite = sampledSoftmaxLoss({ hidden: h, classWeights: w, classBias: withBias ? bias : undefined, labels: lab, sampled: smp, labelLogQ: lq, sampledLogQ: sq, removeAccidentalHits }, 'none');
        backward(sum(mul(composite, tensor(gamma))));

        const inputs: Tensor[] = [tensor(hv, [B, d]), tensor(wv, [C, d]), tensor(labels), tensor(sampled), tensor(lqv), tensor(sqv)];
        const biasIn = withBias ? [tensor(bv, [C])] : [];
        const [loss] = runKernel('sampled_softmax', [...inputs, ...biasIn], { removeAccidentalHits });
        close(hostF32(loss), hostF32(composite), 1e-5, 'loss');

        const [dHidden, dRows, dBias] = runKernel('sampled_softmax_grad', [...inputs, tensor(gamma), ...biasIn], { removeAccidentalHits });
        expect(dRows.shape).toEqual([B + S, d]);
        close(hostF32(dHidden), denseGradient(h.grad, B * d), 1e-5, 'dHidden');
        // Scatter the row-sparse gradient onto the table to compare with the dense autograd one.
        const ids = [...labels, ...sampled];
        const dW = new Float64Array(C * d);
        const db = new Float64Array(C);
        const rows = hostF32(dRows);
        const biasRows = hostF32(dBias);
        ids.forEach((c, r) => {
          db[c] += biasRows[r];
          for (let k = 0; k < d; k++) dW[c * d + k] += rows[r * d + k];
        });
        close(dW, denseGradient(w.grad, C * d), 1e-5, 'dClassWeights');
        if (withBias) close(db, denseGradient(bias.grad, C), 1e-5, 'dClassBias');
      });
    }
  }

  it('rejects a sampled class outside the table', () => {
    const inputs = [tensor(new Float32Array(2), [1, 2]), tensor(new Float32Array(4), [2, 2]), tensor(Int32Array.of(0)), tensor(Int32Array.of(2)), tensor(new Float32Array(1)), tensor(new Float32Array(1))];
    expect(() => runKernel('sampled_softmax', inputs, { removeAccidentalHits: true })).toThrow(/sampled class 2 at position 0 is out of range for 2 classes/);
  });
});

describe('sampledSoftmaxRows: the fused kernels with autograd', () => {
  it('gives sampledSoftmaxLoss per row, its hidden gradient, and its class-table gradient row-sparse', () => {
    const [B, C, d] = [5, 9, 4];
    const labels = Int32Array.of(0, 3, 3, 8, 5);
    const sampled = Int32Array.of(3, 1, 7, 3, 2, 8); // hits: rows 1, 2 (label 3), row 3 (label 8)
    const h0 = values(B * d);
    const w0 = values(C * d);
    const lq = values(B, -2, 2);
    const sq = values(sampled.length, -2, 2);
    const weights = tensor(Float32Array.of(1, 0.5, 2, -1, 0.25)); // each row's upstream gradient differs
    for (const removeAccidentalHits of [true, false]) {
      const run = (fused: boolean) => {
        const hidden = new Parameter(h0.slice(), [B, d]);
        const table = new Parameter(w0.slice(), [C, d]);
        const inputs = { hidden, classWeights: table, labels: tensor(labels), sampled: tensor(sampled), labelLogQ: tensor(lq), sampledLogQ: tensor(sq), removeAccidentalHits };
        const rows = fused ? sampledSoftmaxRows(inputs) : sampledSoftmaxLoss(inputs, 'none');
        backward(sum(mul(rows, weights)));
        return { rows: hostF32(rows), dHidden: denseGradient(hidden.grad, B * d), dTable: denseGradient(table.grad, C * d), sparse: table.grad instanceof RowSparse };
      };
      const fused = run(true);
      const composite = run(false);
      expect(fused.sparse).toBe(true);
      close(fused.rows, composite.rows, 1e-5, `loss (removeAccidentalHits ${removeAccidentalHits})`);
      close(fused.dHidden, composite.dHidden, 1e-5, 'dHidden');
      close(fused.dTable, composite.dTable, 1e-5, 'dClassWeights');
    }
  });
});
