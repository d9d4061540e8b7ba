/**
 * MRLR's fused training step checked against its equations: one D_c example (eq. 5 with
 * eq. 9's negative sampling, eq. 7's category term) and one D_r triple (eq. 6 with eq. 7),
 * each run through `MrlrObjective`, equal one SGD step of the same loss written with
 * autograd ops — L = −ln σ(c·ṽ'_k) − Σ_g ln σ(−c·ṽ'_g) + λ/2·Σ‖θ‖² over the touched rows,
 * c = α1·u + α2·v_i, ṽ' = v' + α3/|C|·Σ c_l; and L = −ln σ(u·(ṽ'_i − ṽ'_j)) + λ/2·Σ‖θ‖².
 * The rows of one example are distinct, so the kernels' in-order row updates equal the
 * simultaneous gradient step.
 */
import {
  add, backward, currentBackend, gather, logSigmoid, mul, neg, setBackend, SGD, square, sub, sum, tensor, type Tensor,
} from '@rec/core';
import { afterEach, describe, expect, it } from 'vitest';
import { MRLR, MrlrObjective, type MrlrBatch, MrlrSampler } from '../src/index.js';

const ALPHA1 = 0.7;
const ALPHA3 = 0.4;
const LR = 0.3;
const L2 = 0.05;
/** Item → categories: item 1 {0}, item 2 {1}, item 3 {2, 3}, others none. */
const CATS = { indptr: Int32Array.of(0, 0, 1, 2, 4, 4, 4), indices: Int32Array.of(0, 1, 2, 3) };

function model(): MRLR {
  const m = new MRLR({ variant: 'mrlr', numUsers: 3, numItems: 6, numCategories: 4, dim: 5, alpha1: ALPHA1, alpha3: ALPHA3, seed: 3 });
  // Start from larger values than the model's N(0, 0.01²), so the step is far from linear.
  for (const [k, p] of [m.users, m.itemsIn, m.itemsOut, m.categories!].entries()) {
    p.weight.assign(Float32Array.from({ length: p.weight.size }, (_, i) => Math.sin(1 + i * 0.7 + k * 1.3) * 0.8));
  }
  return m;
}

const rowsOf = (m: MRLR, table: 'users' | 'itemsIn' | 'itemsOut' | 'categories', rows: number[]): Tensor =>
  gather(m[table]!.weight, tensor(Int32Array.from(rows)));

/** λ/2·Σ‖row‖² over the touched rows of each table. */
function prior(m: MRLR, touched: { users?: number[]; itemsIn?: number[]; itemsOut?: number[]; categories?: number[] }): Tensor {
  let total: Tensor | undefined;
  for (const [table, rows] of Object.entries(touched) as ['users' | 'itemsIn' | 'itemsOut' | 'categories', number[]][]) {
    if (!rows.length) continue;
    const term = sum(square(rowsOf(m, table, rows)));
    total = total ? add(total, term) : term;
  }
  return mul(total!, L2 / 2);
}

const tables = async (m: MRLR) => Promise.all([m.users, m.itemsIn, m.itemsOut, m.categories!].map(async (e) => Float32Array.from(await e.weight.read())));

const sampler = new MrlrSampler(Int32Array.of(0, 2, 4, 5), Int32Array.of(1, 4, 1, 2, 5), 6, { coRated: true, ranking: true, negatives: 2, batchSize: 4, seed: 0 });
const empty = new Int32Array(0);

describe('MRLR\'s fused step equals an SGD step of eqs. 5–9 written with autograd', () => {
  const backend = currentBackend().name;
  afterEach(() => {
    setBackend(backend);
  });

  it('a D_c example: context (user 0, item 4), target 1, negatives 2 and 3 (eq. 5, 7, 9)', async () => {
    setBackend('js');
    const fused = model();
    const batch: MrlrBatch = {
      coUsers: Int32Array.of(0), coItems: Int32Array.of(4), coTargets: Int32Array.of(1), coNegatives: Int32Array.of(2, 3),
      rankUsers: empty, rankPositives: empty, rankNegatives: empty,
    };
    new MrlrObjective(fused, sampler, CATS, { learningRate: LR, l2: L2, hogwild: false }).batch(0, 0, batch);

    const ref = model();
    const c = add(mul(rowsOf(ref, 'users', [0]), ALPHA1), mul(rowsOf(ref, 'itemsIn', [4]), 1 - ALPHA1));
    const score = (item: number) => sum(mul(c, vec(ref, item)));
    const loss = add(
      neg(add(add(logSigmoid(score(1)), logSigmoid(neg(score(2)))), logSigmoid(neg(score(3))))),
      prior(ref, { users: [0], itemsIn: [4], itemsOut: [1, 2, 3], categories: [0, 1, 2, 3] }),
    );
    backward(loss);
    new SGD(ref, { lr: LR }).step();
    const [a, b] = [await tables(fused), await tables(ref)];
    a.forEach((t, k) => t.forEach((v, i) => expect(v).toBeCloseTo(b[k]![i]!, 5)));
    expect(a[0]![0]).not.toBeCloseTo(model().users.weight.readSync()[0]!, 3); // the step moved something
  });

  it('a D_r triple: user 1 prefers item 1 to item 3 (eq. 6, 7)', async () => {
    setBackend('js');
    const fused = model();
    const batch: MrlrBatch = {
      coUsers: empty, coItems: empty, coTargets: empty, coNegatives: empty,
      rankUsers: Int32Array.of(1), rankPositives: Int32Array.of(1), rankNegatives: Int32Array.of(3),
    };
    new MrlrObjective(fused, sampler, CATS, { learningRate: LR, l2: L2, hogwild: false }).batch(0, 0, batch);

    const ref = model();
    const u = rowsOf(ref, 'users', [1]);
    const loss = add(
      neg(logSigmoid(sum(mul(u, sub(vec(ref, 1), vec(ref, 3)))))),
      prior(ref, { users: [1], itemsOut: [1, 3], categories: [0, 2, 3] }),
    );
    backward(loss);
    new SGD(ref, { lr: LR }).step();
    const [a, b] = [await tables(fused), await tables(ref)];
    a.forEach((t, k) => t.forEach((v, i) => expect(v).toBeCloseTo(b[k]![i]!, 5)));
  });
});

/** ṽ'_item as a [1, d] autograd tensor. */
function vec(m: MRLR, item: number): Tensor {
  const base = gather(m.itemsOut.weight, tensor(Int32Array.of(item)));
  const cats = [...CATS.indices.subarray(CATS.indptr[item], CATS.indptr[item + 1])];
  if (cats.length === 0) return base;
  return add(base, mul(sum(gather(m.categories!.weight, tensor(Int32Array.from(cats))), 0, { keepDims: true }), ALPHA3 / cats.length));
}
