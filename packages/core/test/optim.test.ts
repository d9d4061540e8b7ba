/**
 * Optimizers and their kernels (`sgd_update`, `sparse_sgd`, `adagrad_update`,
 * `sparse_adagrad`, `adam_update`, `sparse_adam`) on the js reference backend:
 * single steps against arithmetic written out here in plain numbers, duplicate
 * row merging, lazy sparse semantics, convergence on small convex problems,
 * checkpoint round trips, dispatch through the registry, and option errors.
 */
import { describe, expect, it } from 'vitest';
import {
  Adagrad, Adam, AdamW, backward, type Backend, type DataHandle, gather, jsBackend, matmul, mean, Optimizer, Parameter,
  registerBackend, registerKernel, findKernel, RowSparse, SGD, square, sub, tensor, tidy, type Tensor, declaredKernels,
} from '../src/index.js';

// ---------------------------------------------------------------------------
// helpers

/** A parameter holding a copy of `values` (a Parameter adopts its array, and steps write into it). */
const param = (values: readonly number[], shape: number[]): Parameter => new Parameter(Float32Array.from(values), shape);
const dense = (values: readonly number[], shape: number[]): Tensor => tensor(values, shape);
/** A row-sparse gradient for a table of `shape`: rows `indices`, flattened row values `values`. */
const rowSparse = (indices: readonly number[], values: readonly number[], shape: number[]): RowSparse =>
  new RowSparse(tensor(Int32Array.from(indices)), tensor(values, [indices.length, ...shape.slice(1)]), shape);
const values = (t: Tensor): number[] => Array.from(t.readSync());
const slot = (opt: Optimizer, p: Parameter, name: string): number[] => values(opt.stateOf(p)![name]);

/** |actual − expected| ≤ atol + rtol·|expected| elementwise; prints the first mismatches. */
function expectClose(actual: ArrayLike<number>, expected: readonly number[], atol = 1e-6, rtol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  const bad: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= atol + rtol * Math.abs(expected[i]))) {
      bad.push(`[${i}] got ${actual[i]}, expected ${expected[i]}`);
    }
  }
  expect(bad.slice(0, 5), `${bad.length} mismatches`).toEqual([]);
}

/** Elementwise map over equal-length number arrays, for writing the update equations out by hand. */
const zip = (f: (...xs: number[]) => number, ...arrays: readonly (readonly number[])[]): number[] =>
  arrays[0].map((_, i) => f(...arrays.map((a) => a[i])));

/** Rows `from` of a flattened [rows, width] array. */
const row = (flat: readonly number[], r: number, width: number): number[] => flat.slice(r * width, (r + 1) * width);

// ---------------------------------------------------------------------------
// SGD

describe('SGD', () => {
  const p0 = [1, -2, 3, 0.5];
  const g1 = [0.5, 0.25, -1, 2];
  const g2 = [-0.5, 1, 0.5, 1];

  it('plain step: p − lr·g', () => {
    const w = param(p0, [4]);
    const opt = new SGD([w], { lr: 0.1 });
    w.grad = dense(g1, [4]);
    opt.step();
    expectClose(values(w), [1 - 0.1 * 0.5, -2 - 0.1 * 0.25, 3 + 0.1 * 1, 0.5 - 0.1 * 2]); // [0.95, −2.025, 3.1, 0.3]
    expect(opt.stateOf(w)).toEqual({});
    expect(opt.stepCount).toBe(1);
  });

  it('L2 weight decay: g + λ·p', () => {
    const w = param(p0, [4]);
    const opt = new SGD([w], { lr: 0.1, weightDecay: 0.1 });
    w.grad = dense(g1, [4]);
    opt.step();
    // g' = [0.5 + 0.1, 0.25 − 0.2, −1 + 0.3, 2 + 0.05]
    expectClose(values(w), [1 - 0.1 * 0.6, -2 - 0.1 * 0.05, 3 - 0.1 * -0.7, 0.5 - 0.1 * 2.05]);
  });

  it('momentum, two steps: v = μ·v + g; p −= lr·v', () => {
    const w = param(p0, [4]);
    const opt = new SGD([w], { lr: 0.1, momentum: 0.9 });
    w.grad = dense(g1, [4]);
    opt.step();
    const v1 = g1; // v starts at 0
    const p1 = zip((p, v) => p - 0.1 * v, p0, v1);
    expectClose(values(w), p1);
    expectClose(slot(opt, w, 'momentum_buffer'), v1);
    w.grad = dense(g2, [4]);
    opt.step();
    const v2 = zip((v, g) => 0.9 * v + g, v1, g2); // [−0.05, 1.225, −0.4, 2.8]
    expectClose(v2, [-0.05, 1.225, -0.4, 2.8]);
    expectClose(values(w), zip((p, v) => p - 0.1 * v, p1, v2)); // [0.955, −2.1475, 3.14, 0.02]
    expectClose(slot(opt, w, 'momentum_buffer'), v2);
  });

  it('Nesterov momentum with weight decay, two steps: d = g + μ·v', () => {
    const w = param(p0, [4]);
    const opt = new SGD([w], { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 });
    w.grad = dense(g1, [4]);
    opt.step();
    const gd1 = zip((g, p) => g + 0.01 * p, g1, p0);
    const v1 = gd1;
    const p1 = zip((p, g, v) => p - 0.1 * (g + 0.9 * v), p0, gd1, v1);
    expectClose(values(w), p1);
    w.grad = dense(g2, [4]);
    opt.step();
    const gd2 = zip((g, p) => g + 0.01 * p, g2, p1);
    const v2 = zip((v, g) => 0.9 * v + g, v1, gd2);
    expectClose(values(w), zip((p, g, v) => p - 0.1 * (g + 0.9 * v), p1, gd2, v2));
  });

  it('sparse step with momentum and weight decay: only listed rows move, velocity is lazy', () => {
    const table = [1, 2, 3, 4, 5, 6, 7, 8]; // [4, 2]
    const w = param(table, [4, 2]);
    const opt = new SGD([w], { lr: 0.1, momentum: 0.9, weightDecay: 0.1 });
    w.grad = rowSparse([3, 1], [0.5, -0.5, 1, 2], [4, 2]);
    opt.step();
    // row 3: g = [0.5 + 0.1·7, −0.5 + 0.1·8] = [1.2, 0.3] = v; p = [7 − 0.12, 8 − 0.03]
    // row 1: g = [1 + 0.1·3, 2 + 0.1·4] = [1.3, 2.4] = v; p = [3 − 0.13, 4 − 0.24]
    expectClose(values(w), [1, 2, 2.87, 3.76, 5, 6, 6.88, 7.97]);
    expectClose(slot(opt, w, 'momentum_buffer'), [0, 0, 1.3, 2.4, 0, 0, 1.2, 0.3]);

    w.grad = rowSparse([1, 2], [1, 0, 0, 1], [4, 2]);
    opt.step();
    // row 1: g = [1 + 0.1·2.87, 0 + 0.1·3.76]; v = 0.9·[1.3, 2.4] + g; p −= 0.1·v
    const g1r = [1 + 0.1 * 2.87, 0 + 0.1 * 3.76];
    const v1r = [0.9 * 1.3 + g1r[0], 0.9 * 2.4 + g1r[1]]; // [2.457, 2.536]
    // row 2: g = [0 + 0.1·5, 1 + 0.1·6] = v
    const v2r = [0.5, 1.6];
    expectClose(values(w), [1, 2, 2.87 - 0.1 * v1r[0], 3.76 - 0.1 * v1r[1], 5 - 0.1 * v2r[0], 6 - 0.1 * v2r[1], 6.88, 7.97]);
    // Lazy: row 3's velocity is not decayed by 0.9 on a step that does not list it, and row 3 does not coast.
    expectClose(slot(opt, w, 'momentum_buffer'), [0, 0, ...v1r, ...v2r, 1.2, 0.3]);
  });
});

// ---------------------------------------------------------------------------
// Adagrad

describe('Adagrad', () => {
  const p0 = [1, -2, 3];
  const g1 = [0.5, 0.25, -1];
  const g2 = [-0.5, 1, 0.5];

  it('first step from G = 0 moves each weight by lr against the gradient sign', () => {
    const w = param(p0, [3]);
    const opt = new Adagrad([w], { lr: 0.1 });
    w.grad = dense(g1, [3]);
    opt.step();
    // G = g²; p −= 0.1·g/(|g| + 1e-10)
    expectClose(values(w), [0.9, -2.1, 3.1]);
    expectClose(slot(opt, w, 'sum'), [0.25, 0.0625, 1]);
  });

  it('two steps with weight decay and an initial accumulator', () => {
    const w = param(p0, [3]);
    const opt = new Adagrad([w], { lr: 0.1, weightDecay: 0.1, initialAccumulatorValue: 0.1, eps: 1e-10 });
    w.grad = dense(g1, [3]);
    opt.step();
    const gd1 = zip((g, p) => g + 0.1 * p, g1, p0); // [0.6, 0.05, −0.7]
    const G1 = gd1.map((g) => 0.1 + g * g); // [0.46, 0.1025, 0.59]
    const p1 = zip((p, g, G) => p - (0.1 * g) / (Math.sqrt(G) + 1e-10), p0, gd1, G1);
    expectClose(values(w), p1);
    expectClose(slot(opt, w, 'sum'), G1);
    w.grad = dense(g2, [3]);
    opt.step();
    const gd2 = zip((g, p) => g + 0.1 * p, g2, p1);
    const G2 = zip((G, g) => G + g * g, G1, gd2);
    expectClose(values(w), zip((p, g, G) => p - (0.1 * g) / (Math.sqrt(G) + 1e-10), p1, gd2, G2));
    expectClose(slot(opt, w, 'sum'), G2);
  });

  it('sparse step, with and without weight decay: listed rows only', () => {
    for (const wd of [0, 0.2]) {
      const table = [1, 2, 3, 4, 5, 6]; // [3, 2]
      const w = param(table, [3, 2]);
      const opt = new Adagrad([w], { lr: 0.5, weightDecay: wd, initialAccumulatorValue: 0.1 });
      w.grad = rowSparse([2, 0], [0.5, -1, 2, 0.25], [3, 2]);
      opt.step();
      const r2 = [0.5 + wd * 5, -1 + wd * 6];
      const r0 = [2 + wd * 1, 0.25 + wd * 2];
      const G2 = r2.map((g) => 0.1 + g * g);
      const G0 = r0.map((g) => 0.1 + g * g);
      expectClose(values(w), [
        1 - (0.5 * r0[0]) / (Math.sqrt(G0[0]) + 1e-10), 2 - (0.5 * r0[1]) / (Math.sqrt(G0[1]) + 1e-10),
        3, 4,
        5 - (0.5 * r2[0]) / (Math.sqrt(G2[0]) + 1e-10), 6 - (0.5 * r2[1]) / (Math.sqrt(G2[1]) + 1e-10),
      ]);
      expectClose(slot(opt, w, 'sum'), [...G0, 0.1, 0.1, ...G2]);
    }
  });
});

// ---------------------------------------------------------------------------
// Adam / AdamW

/** Kingma & Ba Alg. 1 written out for one element sequence, with coupled or decoupled decay. */
function adamByHand(
  p0: readonly number[], grads: readonly (readonly number[])[],
  o: { lr: number; b1: number; b2: number; eps: number; wd: number; decoupled: boolean; steps?: readonly number[] },
): { p: number[]; m: number[]; v: number[] } {
  let p = [...p0];
  let m = p0.map(() => 0);
  let v = p0.map(() => 0);
  grads.forEach((gRaw, k) => {
    const t = o.steps?.[k] ?? k + 1;
    const g = o.decoupled ? [...gRaw] : zip((gi, pi) => gi + o.wd * pi, gRaw, p);
    m = zip((mi, gi) => o.b1 * mi + (1 - o.b1) * gi, m, g);
    v = zip((vi, gi) => o.b2 * vi + (1 - o.b2) * gi * gi, v, g);
    const c1 = 1 - o.b1 ** t;
    const c2 = 1 - o.b2 ** t;
    const decay = o.decoupled ? 1 - o.lr * o.wd : 1;
    p = zip((pi, mi, vi) => decay * pi - (o.lr * (mi / c1)) / (Math.sqrt(vi / c2) + o.eps), p, m, v);
  });
  return { p, m, v };
}

describe('Adam and AdamW', () => {
  const p0 = [1, -2, 3];
  const g1 = [0.5, 0.25, -1];
  const g2 = [-0.5, 1, 0.5];

  it('first step moves each weight by ≈ lr (m̂ = g, v̂ = g²)', () => {
    const w = param(p0, [3]);
    const opt = new Adam([w], { lr: 0.1 });
    w.grad = dense(g1, [3]);
    opt.step();
    expectClose(values(w), [0.9, -2.1, 3.1]); // p − 0.1·sign(g)
    expectClose(slot(opt, w, 'exp_avg'), [0.05, 0.025, -0.1]); // (1 − 0.9)·g
    expectClose(slot(opt, w, 'exp_avg_sq'), [0.00025, 0.0000625, 0.001], 1e-9); // (1 − 0.999)·g²
  });

  it('two steps without weight decay exercise the bias correction', () => {
    const w = param(p0, [3]);
    const opt = new Adam([w], { lr: 0.1, betas: [0.9, 0.999], eps: 1e-8 });
    w.grad = dense(g1, [3]);
    opt.step();
    w.grad = dense(g2, [3]);
    opt.step();
    // Step 2 written out for element 0: m = 0.9·0.05 + 0.1·(−0.5) = −0.005, m̂ = −0.005/0.19;
    // v = 0.999·0.00025 + 0.001·0.25 = 0.00049975, v̂ = 0.00049975/0.001999.
    const p1 = 0.9;
    const e0 = p1 - (0.1 * (-0.005 / 0.19)) / (Math.sqrt(0.00049975 / 0.001999) + 1e-8);
    const ref = adamByHand(p0, [g1, g2], { lr: 0.1, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0, decoupled: false });
    expectClose([ref.p[0]], [e0], 1e-12);
    expectClose(values(w), ref.p);
    expectClose(slot(opt, w, 'exp_avg'), ref.m);
    expectClose(slot(opt, w, 'exp_avg_sq'), ref.v, 1e-9);
    expect(opt.stepCount).toBe(2);
  });

  it('coupled L2 weight decay (Adam), two steps', () => {
    const w = param(p0, [3]);
    const opt = new Adam([w], { lr: 0.05, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1 });
    w.grad = dense(g1, [3]);
    opt.step();
    w.grad = dense(g2, [3]);
    opt.step();
    const ref = adamByHand(p0, [g1, g2], { lr: 0.05, b1: 0.8, b2: 0.99, eps: 1e-6, wd: 0.1, decoupled: false });
    expectClose(values(w), ref.p);
    expectClose(slot(opt, w, 'exp_avg'), ref.m);
  });

  it('decoupled weight decay (AdamW), two steps: p ← (1 − lr·λ)·p − lr·m̂/(√v̂ + ε)', () => {
    const w = param(p0, [3]);
    const opt = new AdamW([w], { lr: 0.05, weightDecay: 0.1 });
    expect(opt.options.decoupledWeightDecay).toBe(true);
    w.grad = dense(g1, [3]);
    opt.step();
    // Step 1 by hand: decay 1 − 0.005 = 0.995, Adam term ±lr.
    expectClose(values(w), [0.995 * 1 - 0.05, 0.995 * -2 - 0.05, 0.995 * 3 + 0.05]);
    w.grad = dense(g2, [3]);
    opt.step();
    const ref = adamByHand(p0, [g1, g2], { lr: 0.05, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0.1, decoupled: true });
    expectClose(values(w), ref.p);
    // The moments see the raw gradient only.
    expectClose(slot(opt, w, 'exp_avg'), zip((a, b) => 0.9 * 0.1 * a + 0.1 * b, g1, g2));
    // Adam with decoupledWeightDecay: true is the same optimizer.
    const w2 = param(p0, [3]);
    const opt2 = new Adam([w2], { lr: 0.05, weightDecay: 0.1, decoupledWeightDecay: true });
    w2.grad = dense(g1, [3]);
    opt2.step();
    w2.grad = dense(g2, [3]);
    opt2.step();
    expect(values(w2)).toEqual(values(w));
  });

  it('AdamW defaults to weightDecay 0.01', () => {
    const opt = new AdamW([param([1], [1])]);
    expect(opt.options.weightDecay).toBe(0.01);
    expect(opt.lr).toBe(1e-3);
  });

  for (const decoupled of [false, true]) {
    it(`lazy sparse ${decoupled ? 'AdamW' : 'Adam'}: two steps, global t, untouched rows and moments unchanged`, () => {
      const table = [1, 2, 3, 4, 5, 6, 7, 8]; // [4, 2]
      const w = param(table, [4, 2]);
      const opt = new Adam([w], { lr: 0.1, weightDecay: 0.05, decoupledWeightDecay: decoupled });
      w.grad = rowSparse([1, 3], [0.5, -1, 2, 0.25], [4, 2]);
      opt.step();
      w.grad = rowSparse([1, 0], [1, 1, -0.5, 0.5], [4, 2]);
      opt.step();
      const o = { lr: 0.1, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0.05, decoupled };
      const r1 = adamByHand([3, 4], [[0.5, -1], [1, 1]], o); // touched at t = 1 and 2
      const r3 = adamByHand([7, 8], [[2, 0.25]], o); // touched at t = 1 only
      const r0 = adamByHand([1, 2], [[-0.5, 0.5]], { ...o, steps: [2] }); // first touched at t = 2: bias correction with the global t
      // Row 0 written out: m = 0.1·g, m̂ = 0.1·g/(1 − 0.81); v = 0.001·g², v̂ = 0.001·g²/(1 − 0.998001).
      if (!decoupled) {
        const g = [-0.5 + 0.05 * 1, 0.5 + 0.05 * 2];
        expectClose(r0.p, zip((p, gi) => p - (0.1 * ((0.1 * gi) / 0.19)) / (Math.sqrt((0.001 * gi * gi) / 0.001999) + 1e-8), [1, 2], g), 1e-12);
      }
      expectClose(values(w), [...r0.p, ...r1.p, 5, 6, ...r3.p]);
      expectClose(slot(opt, w, 'exp_avg'), [...r0.m, ...r1.m, 0, 0, ...r3.m]);
      expectClose(slot(opt, w, 'exp_avg_sq'), [...r0.v, ...r1.v, 0, 0, ...r3.v], 1e-9);
    });
  }
});

// ---------------------------------------------------------------------------
// sparse = dense when every row is listed; duplicates merge

type Factory = (params: Parameter[]) => Optimizer;
const sparseCases: [string, Factory][] = [
  ['SGD', (ps) => new SGD(ps, { lr: 0.1 })],
  ['SGD momentum + weight decay', (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9, weightDecay: 0.1 })],
  ['SGD Nesterov', (ps) => new SGD(ps, { lr: 0.1, momentum: 0.5, nesterov: true })],
  ['Adagrad', (ps) => new Adagrad(ps, { lr: 0.3, initialAccumulatorValue: 0.1 })],
  ['Adagrad weight decay', (ps) => new Adagrad(ps, { lr: 0.3, weightDecay: 0.2 })],
  ['Adam', (ps) => new Adam(ps, { lr: 0.1 })],
  ['Adam L2', (ps) => new Adam(ps, { lr: 0.1, weightDecay: 0.1 })],
  ['AdamW', (ps) => new AdamW(ps, { lr: 0.1, weightDecay: 0.1 })],
];

describe('row-sparse updates', () => {
  const table = [0.5, -1, 2, 0.25, -0.75, 1.5, 3, -2]; // [4, 2]

  for (const [name, make] of sparseCases) {
    it(`${name}: listing every row equals the dense step (two steps)`, () => {
      const a = param(table, [4, 2]);
      const b = param(table, [4, 2]);
      const oa = make([a]);
      const ob = make([b]);
      const grads = [[0.1, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7, 0.8], [-1, 0.5, 0.25, 0, 2, -1.5, 0.125, 1]];
      for (const g of grads) {
        a.grad = dense(g, [4, 2]);
        // Listed out of order and split in two entries for row 0, still every row.
        b.grad = rowSparse([3, 0, 1, 2, 0], [g[6], g[7], g[0] - 1, g[1], g[2], g[3], g[4], g[5], 1, 0], [4, 2]);
        oa.step();
        ob.step();
      }
      expectClose(values(b), values(a));
    });

    it(`${name}: row 2 listed twice equals the summed gradient listed once; untouched rows unchanged`, () => {
      const a = param(table, [4, 2]);
      const b = param(table, [4, 2]);
      const oa = make([a]);
      const ob = make([b]);
      // A first step touching row 1, so it has state that the next step must leave alone.
      a.grad = rowSparse([1, 2], [1, -1, 0.5, 0.5], [4, 2]);
      b.grad = rowSparse([1, 2], [1, -1, 0.5, 0.5], [4, 2]);
      oa.step();
      ob.step();
      const after1 = values(a);
      const state1 = Object.fromEntries(Object.entries(oa.stateOf(a)!).map(([k, t]) => [k, values(t)]));
      // Row 2 twice, [0.25, −0.5] and [0.5, 1.5], summing to [0.75, 1].
      a.grad = rowSparse([2, 0, 2], [0.25, -0.5, 1, 2, 0.5, 1.5], [4, 2]);
      b.grad = rowSparse([2, 0], [0.75, 1, 1, 2], [4, 2]);
      oa.step();
      ob.step();
      expectClose(values(a), values(b), 1e-7, 1e-6);
      for (const [k, t] of Object.entries(oa.stateOf(a)!)) expectClose(values(t), values(ob.stateOf(b)![k]), 1e-7, 1e-6);
      // Rows 1 and 3 are untouched by step 2: values and every state slot exactly as before.
      for (const r of [1, 3]) {
        expect(row(values(a), r, 2)).toEqual(row(after1, r, 2));
        for (const [k, t] of Object.entries(oa.stateOf(a)!)) expect(row(values(t), r, 2)).toEqual(row(state1[k], r, 2));
      }
      expect(row(values(a), 3, 2)).toEqual(row(Array.from(Float32Array.from(table)), 3, 2));
    });
  }

  it('the duplicate merge is not a double update: Adagrad adds (g₁ + g₂)², not g₁² + g₂²', () => {
    const w = param([0, 0, 0], [3, 1]);
    const opt = new Adagrad([w], { lr: 1 });
    w.grad = rowSparse([2, 2], [1, 2], [3, 1]);
    opt.step();
    expectClose(slot(opt, w, 'sum'), [0, 0, 9]); // (1 + 2)², where per-entry updates would give 1 + 4
    expectClose(values(w), [0, 0, -1]); // −1·3/√9
  });

  it('an out-of-range row index throws naming the index and its position, and writes nothing', () => {
    for (const make of [(ps: Parameter[]) => new SGD(ps, { lr: 0.1, momentum: 0.9 }), (ps: Parameter[]) => new Adagrad(ps), (ps: Parameter[]) => new Adam(ps)]) {
      const w = param(table, [4, 2]);
      const opt = make([w]);
      w.grad = rowSparse([0, 5], [1, 1, 1, 1], [4, 2]);
      expect(() => opt.step()).toThrow(/row index 5 at position 1 is out of range for a parameter of 4 rows/);
      w.grad = rowSparse([1, -1, 2], [1, 1, 1, 1, 1, 1], [4, 2]);
      expect(() => opt.step()).toThrow(/row index -1 at position 1/);
      expect(values(w)).toEqual(Array.from(Float32Array.from(table)));
    }
  });

  it('a values shape that does not match the parameter rows throws before any update', () => {
    const w = param(table, [4, 2]);
    const other = param([1, 2], [2]);
    const opt = new SGD([other, w], { lr: 0.1 });
    other.grad = dense([1, 1], [2]);
    w.grad = new RowSparse(tensor(Int32Array.from([0, 1])), tensor([1, 2, 3, 4, 5, 6], [2, 3]), [4, 2]);
    expect(() => opt.step()).toThrow(/parameter 1 \[4, 2\].*values f32 \[2, 3\]; expected f32 \[2, 2\]/);
    expect(values(other)).toEqual([1, 2]);
    w.grad = new RowSparse(tensor(Int32Array.from([0, 1])), tensor([1, 2, 3, 4], [2, 2]), [5, 2]);
    expect(() => opt.step()).toThrow(/row-sparse for a table of shape \[5, 2\]/);
    w.grad = new RowSparse(tensor([0, 1]), tensor([1, 2, 3, 4], [2, 2]), [4, 2]);
    expect(() => opt.step()).toThrow(/indices f32 \[2\]; expected i32 \[n\]/);
    w.grad = dense([1, 2, 3], [3]);
    expect(() => opt.step()).toThrow(/is f32 \[3\]; expected f32 \[4, 2\]/);
    expect(opt.stepCount).toBe(0);
  });
});

// ---------------------------------------------------------------------------
// convergence

/** Deterministic values in [−1, 1) from a linear congruential generator. */
function lcg(n: number, seed: number): number[] {
  const out: number[] = [];
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push((s / 2 ** 32) * 2 - 1);
  }
  return out;
}

describe('convergence', () => {
  // Least squares ‖Xw − y‖²/n with y = X·w* exactly, so the minimiser is w*.
  const n = 24;
  const wStar = [1.5, -2, 0.5];
  const xs = lcg(n * 3, 7);
  const X = tensor(xs, [n, 3]);
  const y = tensor(Array.from({ length: n }, (_, i) => xs[3 * i] * wStar[0] + xs[3 * i + 1] * wStar[1] + xs[3 * i + 2] * wStar[2]), [n, 1]);

  const dense: [string, Factory, number, number][] = [
    // name, optimizer, steps, tolerance on max |w − w*|
    ['SGD', (ps) => new SGD(ps, { lr: 0.3 }), 600, 1e-3],
    ['SGD Nesterov', (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true }), 400, 1e-3],
    ['Adagrad', (ps) => new Adagrad(ps, { lr: 0.5 }), 600, 1e-3],
    ['Adam', (ps) => new Adam(ps, { lr: 0.05 }), 800, 1e-3],
    ['AdamW (λ = 1e-4)', (ps) => new AdamW(ps, { lr: 0.05, weightDecay: 1e-4 }), 800, 5e-3],
  ];

  for (const [name, make, steps, tol] of dense) {
    it(`${name} solves least squares to within ${tol}`, () => {
      const w = param([0, 0, 0], [3, 1]);
      const opt = make([w]);
      let loss = Infinity;
      for (let i = 0; i < steps; i++) {
        opt.zeroGrad();
        loss = tidy(() => {
          const l = mean(square(sub(matmul(X, w), y)));
          backward(l);
          return l.item();
        });
        opt.step();
      }
      const got = values(w);
      const err = Math.max(...got.map((v, i) => Math.abs(v - wStar[i])));
      expect(err, `w = ${got}, loss ${loss}`).toBeLessThan(tol);
    });
  }

  // An embedding table trained through gather to match fixed target rows; batches repeat rows.
  const rows = 10;
  const dim = 3;
  const target = lcg(rows * dim, 11);
  const targets = tensor(target, [rows, dim]);
  const batches = Array.from({ length: 5 }, (_, b) => Int32Array.from([2 * b, 2 * b + 1, 2 * b, (2 * b + 5) % rows, 2 * b + 1, 2 * b]));

  const sparse: [string, Factory, number, number][] = [
    ['SGD', (ps) => new SGD(ps, { lr: 1 }), 500, 1e-3],
    ['SGD momentum (lazy)', (ps) => new SGD(ps, { lr: 0.3, momentum: 0.5 }), 500, 1e-3],
    ['Adagrad', (ps) => new Adagrad(ps, { lr: 0.3 }), 500, 1e-3],
    ['Adam (lazy)', (ps) => new Adam(ps, { lr: 0.02 }), 1500, 2e-3],
    ['AdamW (lazy, λ = 1e-4)', (ps) => new AdamW(ps, { lr: 0.02, weightDecay: 1e-4 }), 1500, 5e-3],
  ];

  for (const [name, make, steps, tol] of sparse) {
    it(`${name} fits an embedding table through gather (row-sparse gradients) to within ${tol}`, () => {
      const table = param(lcg(rows * dim, 3).map((v) => 0.1 * v), [rows, dim]);
      const opt = make([table]);
      for (let i = 0; i < steps; i++) {
        opt.zeroGrad();
        tidy(() => {
          const ids = tensor(batches[i % batches.length]);
          backward(mean(square(sub(gather(table, ids), gather(targets, ids)))));
        });
        expect(table.grad).toBeInstanceOf(RowSparse);
        opt.step();
      }
      const got = values(table);
      const err = Math.max(...got.map((v, i) => Math.abs(v - target[i])));
      expect(err).toBeLessThan(tol);
    });
  }
});

// ---------------------------------------------------------------------------
// bookkeeping: skipping, state, checkpoints, dispatch

describe('Optimizer', () => {
  it('skips parameters without a gradient (no state, values unchanged)', () => {
    const a = param([1, 2], [2]);
    const b = param([3, 4], [2]);
    const opt = new Adam([a, b], { lr: 0.1 });
    a.grad = dense([1, 1], [2]);
    opt.step();
    expect(values(b)).toEqual([3, 4]);
    expect(opt.stateOf(b)).toBeUndefined();
    expect(opt.stateOf(a)).toBeDefined();
    expect(opt.stateOf(0)).toBe(opt.stateOf(a));
    expect(() => opt.stateOf(param([0], [1]))).toThrow(/not one this optimizer steps/);
  });

  it('takes a module, and names its parameters in errors', () => {
    const weight = param([1, 2, 3, 4], [2, 2]);
    const model = {
      parameters: () => [weight],
      namedParameters: (): [string, Parameter][] => [['tower.weight', weight]],
    };
    const opt = new SGD(model, { lr: 0.1 });
    expect(opt.params).toEqual([weight]);
    weight.grad = dense([1, 2], [2]);
    expect(() => opt.step()).toThrow(/parameter 0 \('tower.weight'\)/);
    opt.zeroGrad();
    expect(weight.grad).toBeNull();
  });

  it('keeps state tensors on the parameter backend and out of tidy scopes', () => {
    const w = param([1, 2], [2]);
    const opt = new Adam([w]);
    tidy(() => {
      w.grad = dense([1, 1], [2]);
      opt.step();
    });
    const { exp_avg, exp_avg_sq } = opt.stateOf(w)!;
    expect(exp_avg.isDisposed).toBe(false);
    expect(exp_avg_sq.backend).toBe(w.backend);
  });

  it('stateDict / loadStateDict round trip continues identically', async () => {
    const start = [0.5, -1, 2, 0.25, -0.75, 1.5];
    const a = param(start, [3, 2]);
    const b = param([1, 1], [2]);
    const opt = new Adam([a, b], { lr: 0.1, weightDecay: 0.01 });
    for (let i = 0; i < 3; i++) {
      a.grad = rowSparse([i % 3, 1], [1, -1, 0.5, 0.25], [3, 2]);
      opt.step();
    }
    const saved = await opt.stateDict();
    expect(Object.keys(saved).sort()).toEqual(['0.exp_avg', '0.exp_avg_sq', 'step']); // b never stepped
    expect(saved.step).toEqual({ dtype: 'u32', shape: [], data: Uint32Array.of(3) });
    expect(saved['0.exp_avg'].shape).toEqual([3, 2]);

    const a2 = param(values(a), [3, 2]);
    const b2 = param([1, 1], [2]);
    const restored = new Adam([a2, b2], { lr: 0.1, weightDecay: 0.01 });
    restored.loadStateDict(saved);
    expect(restored.stepCount).toBe(3);
    // The copy is independent of the saved arrays.
    saved['0.exp_avg'].data[0] = 1234;
    expect(slot(restored, a2, 'exp_avg')[0]).not.toBe(1234);
    a.grad = dense([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [3, 2]);
    a2.grad = dense([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [3, 2]);
    opt.step();
    restored.step();
    expect(values(a2)).toEqual(values(a));
    expect(slot(restored, a2, 'exp_avg_sq')).toEqual(slot(opt, a, 'exp_avg_sq'));
  });

  it('loadStateDict rejects a bad state and changes nothing', async () => {
    const w = param([1, 2], [2]);
    const opt = new SGD([w], { lr: 0.1, momentum: 0.9 });
    w.grad = dense([1, 1], [2]);
    opt.step();
    const good = await opt.stateDict();
    const f32 = (shape: number[], n: number) => ({ dtype: 'f32' as const, shape, data: new Float32Array(n) });
    expect(() => opt.loadStateDict({ '0.momentum_buffer': f32([2], 2) })).toThrow(/no 'step' entry/);
    expect(() => opt.loadStateDict({ ...good, '0.momentum_buffer': f32([3], 3) })).toThrow(/'0.momentum_buffer' is f32 \[3\].*needs f32 \[2\]/);
    expect(() => opt.loadStateDict({ ...good, '0.exp_avg': f32([2], 2) })).toThrow(/slot 'exp_avg', which SGD with these options does not keep/);
    expect(() => opt.loadStateDict({ ...good, '1.momentum_buffer': f32([2], 2) })).toThrow(/names parameter 1, but this optimizer has 1 parameters/);
    expect(() => opt.loadStateDict({ ...good, '0.momentum_buffer': { dtype: 'f32', shape: [2], data: new Int32Array(2) } })).toThrow(/needs f32 \[2\]/);
    expect(() => opt.loadStateDict({ ...good, momentum: f32([2], 2) })).toThrow(/key 'momentum' is not '<paramIndex>.<slot>' or 'step'/);
    const adam = new Adam([w]);
    expect(() => adam.loadStateDict({ step: good.step, '0.exp_avg': f32([2], 2) })).toThrow(/lacks '0.exp_avg_sq'/);
    expect(opt.stepCount).toBe(1);
    expect(slot(opt, w, 'momentum_buffer')).toEqual([1, 1]);
    // Loading a state without entries for a parameter resets it.
    opt.loadStateDict({ step: { dtype: 'u32', shape: [], data: Uint32Array.of(0) } });
    expect(opt.stateOf(w)).toBeUndefined();
  });

  it('the learning rate can be changed between steps, and is validated', () => {
    const w = param([1], [1]);
    const opt = new SGD([w], { lr: 0.1 });
    opt.lr = 0.5;
    w.grad = dense([1], [1]);
    opt.step();
    expectClose(values(w), [0.5]);
    expect(() => {
      opt.lr = -1;
    }).toThrow("SGD: option 'lr' must be a finite number > 0, got -1");
  });

  it('declares every optim kernel with a js reference', () => {
    const ids = declaredKernels().filter((k) => k.family === 'optim').map((k) => k.id);
    expect(ids).toEqual(expect.arrayContaining(['adagrad_update', 'adam_update', 'sgd_update', 'sparse_adagrad', 'sparse_adam', 'sparse_sgd']));
    for (const id of ids) expect(findKernel(id, 'js'), id).toBeDefined();
  });

  it('dispatches through the registry, so a backend registering a kernel gets the call', () => {
    // A host-memory backend that falls back to js but registers its own sparse_adam.
    const spy: Backend = {
      name: 'optim-spy',
      fallback: 'js',
      alloc: (dtype, size) => ({ ...jsBackend.alloc(dtype, size), backend: spy }),
      upload: (dtype, v, adopt) => ({ ...jsBackend.upload(dtype, v, adopt), backend: spy }),
      write: (h: DataHandle, v) => jsBackend.write(h, v),
      read: (h: DataHandle) => jsBackend.read(h),
      readSync: (h: DataHandle) => jsBackend.readSync!(h),
      free: (h: DataHandle) => jsBackend.free(h),
    };
    registerBackend(spy);
    const calls: string[] = [];
    const reference = findKernel('sparse_adam', 'js')!;
    registerKernel('sparse_adam', 'optim-spy', (ctx) => {
      calls.push('sparse_adam');
      return reference(ctx);
    });
    const w = new Parameter(Float32Array.from([1, 2, 3, 4]), [2, 2], { backend: 'optim-spy' });
    const opt = new Adam([w], { lr: 0.1 });
    w.grad = new RowSparse(tensor(Int32Array.of(1), [1], { backend: spy }), tensor([1, 1], [1, 2], { backend: spy }), [2, 2]);
    opt.step();
    w.grad = tensor([1, 1, 1, 1], [2, 2], { backend: spy });
    opt.step(); // adam_update: not registered on the spy, runs the js fallback
    expect(calls).toEqual(['sparse_adam']);
    expect(opt.stateOf(w)!.exp_avg.backend).toBe(spy);
    expectClose(values(w), adamByHand([1, 2, 3, 4], [[0, 0, 1, 1], [1, 1, 1, 1]], { lr: 0.1, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0, decoupled: false }).p);
  });
});

// ---------------------------------------------------------------------------
// option validation

describe('bad options', () => {
  const ps = () => [param([1], [1])];
  const cases: [string, () => unknown, string][] = [
    ['SGD lr 0', () => new SGD(ps(), { lr: 0 }), "SGD: option 'lr' must be a finite number > 0, got 0"],
    ['SGD lr missing', () => new SGD(ps(), {} as never), "SGD: option 'lr' must be a finite number > 0, got undefined"],
    ['SGD lr NaN', () => new SGD(ps(), { lr: NaN }), "SGD: option 'lr' must be a finite number > 0, got NaN"],
    ['SGD lr string', () => new SGD(ps(), { lr: '0.1' as never }), `SGD: option 'lr' must be a finite number > 0, got "0.1" (a string)`],
    ['SGD momentum', () => new SGD(ps(), { lr: 0.1, momentum: -0.5 }), "SGD: option 'momentum' must be a number in [0, 1), got -0.5"],
    ['SGD momentum 1', () => new SGD(ps(), { lr: 0.1, momentum: 1 }), "SGD: option 'momentum' must be a number in [0, 1), got 1"],
    ['SGD weightDecay', () => new SGD(ps(), { lr: 0.1, weightDecay: -1 }), "SGD: option 'weightDecay' must be a finite number ≥ 0, got -1"],
    ['SGD nesterov without momentum', () => new SGD(ps(), { lr: 0.1, nesterov: true }), "SGD: option 'nesterov' is true but 'momentum' is 0"],
    ['SGD unknown option', () => new SGD(ps(), { lr: 0.1, momentun: 0.9 } as never), "SGD: unknown option 'momentun'; known options: lr, momentum, nesterov, weightDecay"],
    ['Adagrad lr', () => new Adagrad(ps(), { lr: -0.01 }), "Adagrad: option 'lr' must be a finite number > 0, got -0.01"],
    ['Adagrad eps', () => new Adagrad(ps(), { eps: 0 }), "Adagrad: option 'eps' must be a finite number > 0, got 0"],
    ['Adagrad weightDecay', () => new Adagrad(ps(), { weightDecay: -0.1 }), "Adagrad: option 'weightDecay' must be a finite number ≥ 0, got -0.1"],
    ['Adagrad initialAccumulatorValue', () => new Adagrad(ps(), { initialAccumulatorValue: -1 }), "Adagrad: option 'initialAccumulatorValue' must be a finite number ≥ 0, got -1"],
    ['Adam lr', () => new Adam(ps(), { lr: Infinity }), "Adam: option 'lr' must be a finite number > 0, got Infinity"],
    ['Adam beta1', () => new Adam(ps(), { betas: [1, 0.999] }), "Adam: option 'betas[0]' must be a number in [0, 1), got 1"],
    ['Adam beta2', () => new Adam(ps(), { betas: [0.9, -0.1] }), "Adam: option 'betas[1]' must be a number in [0, 1), got -0.1"],
    ['Adam betas shape', () => new Adam(ps(), { betas: [0.9] as never }), "Adam: option 'betas' must be a pair [β₁, β₂] of numbers in [0, 1), got [0.9]"],
    ['Adam eps', () => new Adam(ps(), { eps: -1e-8 }), "Adam: option 'eps' must be a finite number > 0, got -1e-8"],
    ['Adam weightDecay', () => new Adam(ps(), { weightDecay: -0.01 }), "Adam: option 'weightDecay' must be a finite number ≥ 0, got -0.01"],
    ['Adam decoupledWeightDecay', () => new Adam(ps(), { decoupledWeightDecay: 1 as never }), "Adam: option 'decoupledWeightDecay' must be true or false, got 1"],
    ['AdamW betas', () => new AdamW(ps(), { betas: [0.9, 1.5] }), "AdamW: option 'betas[1]' must be a number in [0, 1), got 1.5"],
    ['AdamW weightDecay', () => new AdamW(ps(), { weightDecay: -1 }), "AdamW: option 'weightDecay' must be a finite number ≥ 0, got -1"],
    ['AdamW coupled', () => new AdamW(ps(), { decoupledWeightDecay: false } as never), "AdamW: option 'decoupledWeightDecay' is always true for AdamW, got false"],
    ['no parameters', () => new Adam([]), 'Adam: no parameters to optimize'],
    ['duplicate parameter', () => {
      const p = param([1], [1]);
      return new SGD([p, p], { lr: 0.1 });
    }, 'SGD: parameter 1 is the same object as parameter 0'],
    ['not a parameter', () => new Adam([tensor([1])] as never), 'Adam: item 0 of the parameter list is not a Parameter'],
  ];
  for (const [name, make, message] of cases) {
    it(`${name}: ${message}`, () => {
      expect(make).toThrow(message);
    });
  }
});
