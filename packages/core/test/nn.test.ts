/**
 * Modules: parameter naming and state round-trips, the layers against hand
 * computation, their gradients by finite differences, seeded dropout, and
 * multi-head attention / the Transformer encoder layer against plain-loop
 * references.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  add, ATTENTION_MASKED, backward, causalMask, Dropout, Embedding, keyPaddingMask, LayerNorm, layerNorm, Linear, mean, MLP, Module,
  MultiHeadAttention, ones, Parameter, Philox, RowSparse, rsqrt, square, sub, sum, mul, tensor, TransformerEncoderLayer, type Tensor,
} from '../src/index.js';
import { loadParameters, saveParameters } from '../src/node.js';
import { gradCheck } from '../src/testing/index.js';

/** Uniform values in [lo, hi) from a seeded Philox stream. */
function rand(shape: number[], seed: number, lo = -1, hi = 1): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  const v = new Philox({ seed, stream: 77 }).fillUniform(new Float32Array(n));
  for (let i = 0; i < n; i++) v[i] = lo + (hi - lo) * v[i];
  return tensor(v, shape);
}

function host(t: Tensor): Float32Array {
  return t.readSync() as Float32Array;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-5, rtol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  const bad: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs(actual[i] - expected[i]) > atol + rtol * Math.abs(expected[i]) && bad.length < 5) bad.push(`[${i}] ${actual[i]} vs ${expected[i]}`);
  }
  expect(bad).toEqual([]);
}

function expectGradients(results: ReturnType<typeof gradCheck>, what: string): void {
  expect(results.length).toBeGreaterThan(0);
  for (const r of results) expect(r.mismatches, `${what}: input ${r.input}`).toEqual([]);
}

class TwoTower extends Module {
  readonly users: Embedding;
  readonly tower: MLP;
  constructor(seed: number) {
    super();
    this.users = new Embedding(5, 3, { seed });
    this.tower = new MLP([3, 4, 2], { seed: seed + 1 }, { dropout: 0.5 });
  }
  forward(ids: Tensor): Tensor {
    return this.tower.forward(this.users.forward(ids));
  }
}

describe('Module', () => {
  it('names parameters by their field path and counts them', () => {
    const model = new TwoTower(1);
    expect(model.namedParameters().map(([n]) => n)).toEqual([
      'users.weight',
      'tower.layers.0.weight',
      'tower.layers.0.bias',
      'tower.layers.1.weight',
      'tower.layers.1.bias',
    ]);
    const params = model.parameters();
    expect(params).toHaveLength(5);
    expect(params.every((p) => p instanceof Parameter)).toBe(true);
    expect(params.reduce((n, p) => n + p.size, 0)).toBe(5 * 3 + 3 * 4 + 4 + 4 * 2 + 2);
  });

  it('propagates train() and eval() to every sub-module', () => {
    const model = new TwoTower(1);
    expect(model.modules().length).toBe(1 + 1 + 1 + 2 + 2); // model, users, tower, 2 Linear, 2 Dropout
    model.eval();
    expect(model.modules().every((m) => !m.training)).toBe(true);
    model.train();
    expect(model.modules().every((m) => m.training)).toBe(true);
    model.train(false);
    expect(model.tower.dropouts[1].training).toBe(false);
  });

  it('round-trips stateDict → saveParameters → loadParameters → loadStateDict into a fresh model', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rec-nn-'));
    try {
      const trained = new TwoTower(1).eval();
      const fresh = new TwoTower(99).eval();
      const ids = tensor(new Int32Array([4, 0, 2, 2]));
      const before = host(trained.forward(ids)).slice();
      expect(host(fresh.forward(ids))).not.toEqual(before);

      await saveParameters(dir, await trained.stateDict(), { model: 'two-tower' });
      const { tensors, config } = await loadParameters(dir);
      expect(config).toEqual({ model: 'two-tower' });
      fresh.loadStateDict(tensors);
      expect(host(fresh.forward(ids))).toEqual(before);
      for (const [[name, a], [, b]] of trained.namedParameters().map((e, i) => [e, fresh.namedParameters()[i]] as const)) {
        expect(host(b), name).toEqual(host(a));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('loadStateDict rejects missing, extra and misshaped entries and then writes nothing', async () => {
    const state = await new TwoTower(1).stateDict();
    const target = new TwoTower(2);
    const untouched = host(target.users.weight).slice();

    const { ['tower.layers.1.bias']: _dropped, ...missing } = state;
    expect(() => target.loadStateDict(missing)).toThrow(/'tower\.layers\.1\.bias' is missing/);

    const extra = { ...state, 'tower.layers.2.weight': state['tower.layers.1.weight'] };
    expect(() => target.loadStateDict(extra)).toThrow(/'tower\.layers\.2\.weight' is not a parameter/);

    const w = state['tower.layers.0.weight'];
    const misshaped = { ...state, 'tower.layers.0.weight': { ...w, shape: [4, 3] } };
    expect(() => target.loadStateDict(misshaped)).toThrow(/'tower\.layers\.0\.weight' is f32 \[4, 3\] in the saved state, the model has f32 \[3, 4\]/);

    const wrongDType = { ...state, 'users.weight': { dtype: 'i32' as const, shape: [5, 3], data: new Int32Array(15) } };
    expect(() => target.loadStateDict(wrongDType)).toThrow(/'users\.weight' is i32/);

    // users.weight came first and matched every time: all-or-nothing means it is still the old value.
    expect(host(target.users.weight)).toEqual(untouched);
  });
});

describe('Embedding', () => {
  it('looks up table rows and gets a row-sparse gradient of the looked-up rows', () => {
    const emb = new Embedding(6, 3, { seed: 4, std: 0.5 });
    const table = host(emb.weight);
    const ids = [5, 1, 5];
    const out = emb.forward(tensor(new Int32Array(ids), [3]));
    expect(out.shape).toEqual([3, 3]);
    expect(host(out)).toEqual(Float32Array.from(ids.flatMap((r) => [...table.subarray(r * 3, r * 3 + 3)])));

    const weights = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [3, 3]);
    backward(sum(mul(out, weights)));
    const g = emb.weight.grad;
    expect(g).toBeInstanceOf(RowSparse);
    const sparse = g as RowSparse;
    expect(Array.from(sparse.indices.readSync())).toEqual(ids);
    expect(sparse.values.shape).toEqual([3, 3]);
    expect(host(sparse.values)).toEqual(host(weights));
    expect(sparse.shape).toEqual([6, 3]);
    emb.zeroGrad();
    expect(emb.weight.grad).toBeNull();
  });

  it('passes a finite-difference check through the table', () => {
    const emb = new Embedding(5, 2, { seed: 4, std: 0.5 });
    const ids = tensor(new Int32Array([3, 0, 3, 1]), [2, 2]);
    expectGradients(gradCheck(() => mul(emb.forward(ids), emb.forward(ids)), [emb.weight]), 'Embedding');
  });
});

describe('Linear, MLP, LayerNorm', () => {
  it('Linear computes x·W + b', () => {
    const layer = new Linear(2, 3, { seed: 1 });
    layer.weight.assign(Float32Array.from([1, 2, 3, 4, 5, 6])); // [[1, 2, 3], [4, 5, 6]]
    layer.bias!.assign(Float32Array.from([0.5, -1, 2]));
    const y = layer.forward(tensor([1, -1, 2, 0.5], [2, 2]));
    expect(y.shape).toEqual([2, 3]);
    // row 0: [1−4, 2−5, 3−6] + b; row 1: [2+2, 4+2.5, 6+3] + b
    expect(Array.from(host(y))).toEqual([-2.5, -4, -1, 4.5, 5.5, 11]);
    expect(new Linear(2, 3, { seed: 1 }, { bias: false }).bias).toBeUndefined();
  });

  it('MLP applies ReLU between layers and not after the last', () => {
    const mlp = new MLP([2, 2, 1], { seed: 1 });
    mlp.layers[0].weight.assign(Float32Array.from([1, -1, 1, 1])); // h = relu([x0 + x1, −x0 + x1] + b)
    mlp.layers[0].bias!.assign(Float32Array.from([0, -0.5]));
    mlp.layers[1].weight.assign(Float32Array.from([2, -3]));
    mlp.layers[1].bias!.assign(Float32Array.from([-10]));
    const y = mlp.forward(tensor([1, 2, 3, -1], [2, 2]));
    // row 0: h = relu([3, 0.5]) = [3, 0.5] → 6 − 1.5 − 10 = −5.5 (negative: no ReLU after the last layer)
    // row 1: h = relu([2, −4.5]) = [2, 0] → 4 − 10 = −6
    expect(Array.from(host(y))).toEqual([-5.5, -6]);
    expect(Array.from(host(new MLP([2, 2, 1], { seed: 1 }, { activateLast: true }).forward(tensor([1, 2], [1, 2]))))[0]).toBeGreaterThanOrEqual(0);
  });

  it('LayerNorm normalises each row and applies γ and β', () => {
    const ln = new LayerNorm(4, 1e-5);
    ln.gamma.assign(Float32Array.from([1, 2, 0.5, -1]));
    ln.beta.assign(Float32Array.from([0, 1, 0, 3]));
    const rows = [
      [1, 2, 3, 4],
      [-2, 0, 0, 10],
    ];
    const y = host(ln.forward(tensor(rows.flat(), [2, 4])));
    const expected = rows.flatMap((r) => {
      const mu = r.reduce((a, b) => a + b, 0) / 4;
      const variance = r.reduce((a, b) => a + (b - mu) ** 2, 0) / 4;
      const gamma = [1, 2, 0.5, -1];
      const beta = [0, 1, 0, 3];
      return r.map((v, i) => ((v - mu) / Math.sqrt(variance + 1e-5)) * gamma[i] + beta[i]);
    });
    expectClose(y, expected, 1e-5);
  });

  it('pass finite-difference checks through their parameters and input', () => {
    const lin = new Linear(3, 2, { seed: 2 });
    lin.bias!.assign(Float32Array.from([0.1, -0.2]));
    const x = rand([2, 3], 1);
    expectGradients(gradCheck(() => lin.forward(x), [lin.weight, lin.bias!, x]), 'Linear');

    const mlp = new MLP([3, 4, 2], { seed: 5 });
    // Biases away from zero keep the ReLU kinks out of the finite-difference steps.
    mlp.layers[0].bias!.assign(Float32Array.from([0.6, -0.7, 0.8, 0.9]));
    const xm = rand([2, 3], 2, -0.2, 0.2);
    expectGradients(gradCheck(() => mlp.forward(xm), [...mlp.parameters(), xm]), 'MLP');

    const ln = new LayerNorm(5);
    ln.gamma.assign(Float32Array.from([1, 0.5, -1, 2, 1.5]));
    const xl = rand([3, 5], 3);
    expectGradients(gradCheck(() => ln.forward(xl), [ln.gamma, ln.beta, xl]), 'LayerNorm');
  });

  it('LayerNorm (the fused layer_norm kernel) agrees with LayerNorm composed of primitive ops within f32 rounding, forward and gradients', () => {
    // The composition layerNorm was before the fused kernel: its gradient comes from the primitives'.
    const composed = (x: Tensor, g: Tensor, b: Tensor, eps: number): Tensor => {
      const centered = sub(x, mean(x, -1, { keepDims: true }));
      return add(mul(mul(centered, rsqrt(add(mean(square(centered), -1, { keepDims: true }), eps))), g), b);
    };
    for (const [shape, eps, offset] of [[[4, 7, 64], 1e-5, 0], [[3, 33], 1e-3, 5], [[6, 1], 1e-5, 0]] as const) {
      const d = shape[shape.length - 1];
      const x0 = rand([...shape], 11, offset - 2, offset + 2);
      const g0 = rand([d], 12, 0.5, 1.5);
      const b0 = rand([d], 13);
      const upstream = rand([...shape], 14);
      const run = (f: typeof composed) => {
        const [x, g, b] = [x0, g0, b0].map((t) => tensor(host(t), t.shape));
        for (const t of [x, g, b]) t.requiresGrad = true;
        const y = f(x, g, b, eps);
        backward(sum(mul(y, upstream)));
        return [y, x.grad as Tensor, g.grad as Tensor, b.grad as Tensor].map(host);
      };
      const fused = run((x, g, b, eps) => layerNorm(x, g, b, eps));
      const reference = run(composed);
      ['y', 'dx', 'dγ', 'dβ'].forEach((what, k) => expectClose(fused[k], reference[k], 2e-5, 2e-5));
    }
  });
});

describe('Dropout', () => {
  const x = ones([100, 100]);
  const p = 0.3;

  it('is the identity in eval mode and for p = 0', () => {
    const d = new Dropout(p, { seed: 1 }).eval();
    expect(d.forward(x)).toBe(x);
    expect(new Dropout(0, { seed: 1 }).forward(x)).toBe(x);
  });

  it('zeroes about p of the elements and scales survivors by 1/(1 − p)', () => {
    const y = host(new Dropout(p, { seed: 1 }).forward(x));
    const zeros = y.filter((v) => v === 0).length;
    // 10 000 Bernoulli(0.3) draws: σ ≈ 46, so ±200 is over 4σ.
    expect(Math.abs(zeros - p * y.length)).toBeLessThan(200);
    const keep = Math.fround(1 / (1 - p));
    expect(y.every((v) => v === 0 || v === keep)).toBe(true);
  });

  it('is reproducible from its seed and draws a fresh mask on every call', () => {
    const a = new Dropout(p, { seed: 7 });
    const b = new Dropout(p, { seed: 7 });
    const first = host(a.forward(x)).slice();
    expect(host(b.forward(x))).toEqual(first);
    const second = host(a.forward(x));
    expect(second).not.toEqual(first);
    expect(host(new Dropout(p, { seed: 8 }).forward(x))).not.toEqual(first);
  });

  it('counts the mask values drawn in training mode, and a layer set to that count draws the next mask', () => {
    const a = new Dropout(p, { seed: 7 });
    a.forward(x);
    a.eval().forward(x);
    expect(a.counter).toBe(x.size);
    const next = host(a.train().forward(x)).slice();
    const resumed = new Dropout(p, { seed: 7 });
    resumed.seek(x.size);
    expect(host(resumed.forward(x))).toEqual(next);
    expect(() => resumed.seek(-1)).toThrow('Dropout: counter must be a non-negative integer, got -1');
    expect(() => resumed.seek(1.5)).toThrow(/non-negative integer, got 1\.5/);
  });
});

/**
 * Multi-head attention in plain loops (f64): the projections, per-head
 * softmax(q·kᵀ/√d_k + mask)·v over column blocks, then the output projection.
 */
function attentionReference(
  mha: MultiHeadAttention,
  query: Tensor,
  key: Tensor,
  value: Tensor,
  maskAt?: (b: number, h: number, i: number, j: number) => number,
): Float64Array {
  const [B, Tq, d] = query.shape;
  const Tk = key.shape[1];
  const h = mha.numHeads;
  const dk = d / h;
  const project = (x: Tensor, layer: Linear, rows: number): Float64Array => {
    const xv = host(x);
    const w = host(layer.weight);
    const bias = layer.bias ? host(layer.bias) : new Float32Array(d);
    const out = new Float64Array(rows * d);
    for (let r = 0; r < rows; r++) {
      for (let o = 0; o < d; o++) {
        let s = bias[o];
        for (let c = 0; c < d; c++) s += xv[r * d + c] * w[c * d + o];
        out[r * d + o] = s;
      }
    }
    return out;
  };
  const q = project(query, mha.queryProjection, B * Tq);
  const k = project(key, mha.keyProjection, B * Tk);
  const v = project(value, mha.valueProjection, B * Tk);
  const context = new Float64Array(B * Tq * d);
  for (let b = 0; b < B; b++) {
    for (let head = 0; head < h; head++) {
      for (let i = 0; i < Tq; i++) {
        const logits = new Float64Array(Tk);
        for (let j = 0; j < Tk; j++) {
          let s = 0;
          for (let c = 0; c < dk; c++) s += q[(b * Tq + i) * d + head * dk + c] * k[(b * Tk + j) * d + head * dk + c];
          logits[j] = s / Math.sqrt(dk) + (maskAt ? maskAt(b, head, i, j) : 0);
        }
        const max = Math.max(...logits);
        const e = logits.map((l) => Math.exp(l - max));
        const total = e.reduce((a, x) => a + x, 0);
        for (let c = 0; c < dk; c++) {
          let s = 0;
          for (let j = 0; j < Tk; j++) s += (e[j] / total) * v[(b * Tk + j) * d + head * dk + c];
          context[(b * Tq + i) * d + head * dk + c] = s;
        }
      }
    }
  }
  const wo = host(mha.outputProjection.weight);
  const bo = mha.outputProjection.bias ? host(mha.outputProjection.bias) : new Float32Array(d);
  const out = new Float64Array(B * Tq * d);
  for (let r = 0; r < B * Tq; r++) {
    for (let o = 0; o < d; o++) {
      let s = bo[o];
      for (let c = 0; c < d; c++) s += context[r * d + c] * wo[c * d + o];
      out[r * d + o] = s;
    }
  }
  return out;
}

/** Non-zero biases, so the reference checks where they are added. */
function setBiases(mha: MultiHeadAttention, seed: number): void {
  for (const layer of [mha.queryProjection, mha.keyProjection, mha.valueProjection, mha.outputProjection]) {
    layer.bias!.assign(host(rand([mha.dModel], seed++, -0.5, 0.5)));
  }
}

describe('MultiHeadAttention', () => {
  it('matches a single-head loop computation (cross-attention, Tq ≠ Tk)', () => {
    const mha = new MultiHeadAttention(4, 1, { seed: 3 });
    setBiases(mha, 10);
    const query = rand([2, 3, 4], 1);
    const kv = rand([2, 5, 4], 2);
    const value = rand([2, 5, 4], 3);
    const y = mha.forward(query, kv, value);
    expect(y.shape).toEqual([2, 3, 4]);
    expectClose(host(y), attentionReference(mha, query, kv, value), 1e-5, 1e-4);
  });

  it('matches the loop computation per head, with a [B, 1, Tq, Tk] mask and a [Tq, Tk] mask', () => {
    const mha = new MultiHeadAttention(6, 3, { seed: 4 });
    setBiases(mha, 20);
    const x = rand([2, 4, 6], 5);
    const kv = rand([2, 3, 6], 6);
    // Batch 0 cannot see key 2; batch 1 cannot see key 0.
    const banned = (b: number, j: number) => (b === 0 ? j === 2 : j === 0);
    const batchMask = tensor(
      Array.from({ length: 2 * 4 * 3 }, (_, n) => (banned(Math.floor(n / 12), n % 3) ? ATTENTION_MASKED : 0)),
      [2, 1, 4, 3],
    );
    const y = mha.forward(x, kv, kv, { mask: batchMask });
    expectClose(host(y), attentionReference(mha, x, kv, kv, (b, _h, _i, j) => (banned(b, j) ? ATTENTION_MASKED : 0)), 1e-5, 1e-4);

    const shared = tensor([0, ATTENTION_MASKED, 0, 0, 0, ATTENTION_MASKED, 0, 0, 0, ATTENTION_MASKED, 0, 0], [4, 3]);
    const sharedAt = (_b: number, _h: number, i: number, j: number) => ((i === 0 && j === 1) || (i === 1 && j === 2) || (i === 3 && j === 0) ? ATTENTION_MASKED : 0);
    expectClose(host(mha.forward(x, kv, kv, { mask: shared })), attentionReference(mha, x, kv, kv, sharedAt), 1e-5, 1e-4);
  });

  it('causal: equals the loop computation with j > i masked, and outputs at t ignore inputs after t', () => {
    const mha = new MultiHeadAttention(4, 2, { seed: 5 });
    setBiases(mha, 30);
    const x = rand([1, 4, 4], 7);
    const y = host(mha.forward(x, x, x, { causal: true })).slice();
    expectClose(y, attentionReference(mha, x, x, x, (_b, _h, i, j) => (j > i ? ATTENTION_MASKED : 0)), 1e-5, 1e-4);

    const perturbed = host(x).slice();
    for (let c = 0; c < 4; c++) perturbed[3 * 4 + c] += 5; // position 3, the last
    const y2 = host(mha.forward(tensor(perturbed, [1, 4, 4]), tensor(perturbed, [1, 4, 4]), tensor(perturbed, [1, 4, 4]), { causal: true }));
    expect(Array.from(y2.subarray(0, 12))).toEqual(Array.from(y.subarray(0, 12))); // positions 0–2: bit-identical
    expect(Array.from(y2.subarray(12))).not.toEqual(Array.from(y.subarray(12)));

    // Without the mask the perturbation leaks backwards.
    const free = host(mha.forward(x, x, x)).slice();
    const free2 = host(mha.forward(tensor(perturbed, [1, 4, 4]), tensor(perturbed, [1, 4, 4]), tensor(perturbed, [1, 4, 4])));
    expect(Array.from(free2.subarray(0, 4))).not.toEqual(Array.from(free.subarray(0, 4)));
  });

  it('causal mask and key-padding mask helpers', () => {
    expect(Array.from(causalMask(3).readSync())).toEqual([0, -1e9, -1e9, 0, 0, -1e9, 0, 0, 0].map(Math.fround));
    const pad = keyPaddingMask(tensor(new Int32Array([0, 1, 1, 1, 1, 1]), [2, 3]));
    expect(pad.shape).toEqual([2, 1, 1, 3]);
    expect(Array.from(pad.readSync())).toEqual([Math.fround(-1e9), 0, 0, 0, 0, 0]);

    // A left-padded sequence under a causal mask: the first query sees only padding and must not be NaN.
    const mha = new MultiHeadAttention(4, 2, { seed: 6 });
    const x = rand([2, 3, 4], 8);
    const y = host(mha.forward(x, x, x, { causal: true, mask: pad }));
    expect(y.every(Number.isFinite)).toBe(true);
    const ref = attentionReference(mha, x, x, x, (b, _h, i, j) => (j > i || (b === 0 && j === 0) ? ATTENTION_MASKED : 0));
    expectClose(y.subarray(4), ref.subarray(4), 1e-5, 1e-4); // row (0, 0) is all-masked: uniform, no reference needed
  });

  it('rejects bad sizes, masks and shapes with clear errors', () => {
    expect(() => new MultiHeadAttention(6, 4, { seed: 1 })).toThrow(/dModel 6 is not divisible by numHeads 4/);
    expect(() => new MultiHeadAttention(8, 0, { seed: 1 })).toThrow(/numHeads must be a positive integer/);
    expect(() => new MultiHeadAttention(8, 2, { seed: 1 }, { dropout: 1 })).toThrow(/dropout must be in \[0, 1\)/);
    const mha = new MultiHeadAttention(4, 2, { seed: 1 });
    const x = rand([2, 3, 4], 1);
    expect(() => mha.forward(x, x, x, { mask: causalMask(4) })).toThrow(/mask \[4, 4\] does not broadcast to the attention logits \[2, 2, 3, 3\]/);
    expect(() => mha.forward(x, x, x, { mask: tensor(new Int32Array(9), [3, 3]) })).toThrow(/mask has dtype i32; expected f32/);
    expect(() => mha.forward(x, rand([2, 5, 4], 2), rand([2, 5, 4], 3), { causal: true })).toThrow(/causal needs as many queries as keys, got Tq = 3 and Tk = 5/);
    expect(() => mha.forward(rand([2, 3, 5], 1), x, x)).toThrow(/query is \[2, 3, 5\]; expected \[B, T, 4\]/);
    expect(() => mha.forward(x, rand([2, 3, 4], 2), rand([2, 2, 4], 3))).toThrow(/must cover the same 3 positions/);
    expect(() => mha.forward(x, rand([1, 3, 4], 2), rand([1, 3, 4], 3))).toThrow(/batch sizes differ/);
  });

  it('names its parameters, and its weights do not depend on the dropout rate', () => {
    const plain = new MultiHeadAttention(4, 2, { seed: 9 });
    expect(plain.namedParameters().map(([n]) => n)).toEqual([
      'queryProjection.weight', 'queryProjection.bias',
      'keyProjection.weight', 'keyProjection.bias',
      'valueProjection.weight', 'valueProjection.bias',
      'outputProjection.weight', 'outputProjection.bias',
    ]);
    expect(new MultiHeadAttention(4, 2, { seed: 9 }, { bias: false }).parameters()).toHaveLength(4);

    const dropped = new MultiHeadAttention(4, 2, { seed: 9 }, { dropout: 0.5 });
    const x = rand([2, 3, 4], 4);
    const reference = host(plain.forward(x, x, x)).slice();
    expect(host(dropped.forward(x, x, x))).not.toEqual(reference); // training: weights dropped
    dropped.eval();
    expect(host(dropped.forward(x, x, x))).toEqual(reference);
  });

  it('passes finite-difference checks w.r.t. the input and the projection weights (B=1, T=3, d=4, h=2)', () => {
    const mha = new MultiHeadAttention(4, 2, { seed: 11 });
    setBiases(mha, 40);
    const x = rand([1, 3, 4], 12);
    const projections = [mha.queryProjection, mha.keyProjection, mha.valueProjection, mha.outputProjection];
    expectGradients(
      gradCheck(() => mha.forward(x, x, x), [x, ...projections.map((l) => l.weight), ...projections.map((l) => l.bias!)]),
      'self-attention',
    );
    expectGradients(gradCheck(() => mha.forward(x, x, x, { causal: true }), [x, mha.queryProjection.weight, mha.keyProjection.weight]), 'causal');

    const q = rand([1, 2, 4], 13);
    const k = rand([1, 3, 4], 14);
    const v = rand([1, 3, 4], 15);
    const mask = tensor([0, 0, ATTENTION_MASKED, 0, 0, 0], [2, 3]);
    expectGradients(gradCheck(() => mha.forward(q, k, v, { mask }), [q, k, v]), 'cross-attention');
  });
});

describe('TransformerEncoderLayer', () => {
  it('maps [B, T, d] to [B, T, d]; post-LN rows are normalised', () => {
    const layer = new TransformerEncoderLayer(8, 2, 16, { seed: 1 });
    const y = host(layer.forward(rand([2, 5, 8], 1), { causal: true }));
    expect(y.length).toBe(2 * 5 * 8);
    for (let r = 0; r < 10; r++) {
      const row = y.subarray(r * 8, r * 8 + 8);
      const mu = row.reduce((a, b) => a + b, 0) / 8;
      const variance = row.reduce((a, b) => a + (b - mu) ** 2, 0) / 8;
      expect(Math.abs(mu)).toBeLessThan(1e-5);
      expect(variance).toBeCloseTo(1, 3);
    }
    expect(new TransformerEncoderLayer(8, 2, 16, { seed: 1 }, { normFirst: true }).forward(rand([2, 5, 8], 1)).shape).toEqual([2, 5, 8]);
  });

  it('composes attention, FFN, residuals and norms as the paper says (post-LN) and as Xiong et al. say (pre-LN)', () => {
    const x = rand([1, 3, 4], 2);
    for (const normFirst of [false, true]) {
      const layer = new TransformerEncoderLayer(4, 2, 6, { seed: 2 }, { normFirst });
      const relu = (t: Tensor) => tensor(Array.from(host(t), (v) => Math.max(v, 0)), [...t.shape]);
      const feedForward = (h: Tensor) => layer.feedForwardOut.forward(relu(layer.feedForwardIn.forward(h)));
      const addT = (a: Tensor, b: Tensor) => tensor(Array.from(host(a), (v, i) => v + host(b)[i]), [...a.shape]);
      let expected: Tensor;
      if (normFirst) {
        const n1 = layer.attentionNorm.forward(x);
        const h = addT(x, layer.selfAttention.forward(n1, n1, n1));
        expected = addT(h, feedForward(layer.feedForwardNorm.forward(h)));
      } else {
        const h = layer.attentionNorm.forward(addT(x, layer.selfAttention.forward(x, x, x)));
        expected = layer.feedForwardNorm.forward(addT(h, feedForward(h)));
      }
      expectClose(host(layer.forward(x)), host(expected), 1e-6, 1e-5);
    }
  });

  it('names its parameters and validates its options', () => {
    const layer = new TransformerEncoderLayer(4, 2, 8, { seed: 1 });
    expect(layer.namedParameters().map(([n]) => n)).toEqual([
      'selfAttention.queryProjection.weight', 'selfAttention.queryProjection.bias',
      'selfAttention.keyProjection.weight', 'selfAttention.keyProjection.bias',
      'selfAttention.valueProjection.weight', 'selfAttention.valueProjection.bias',
      'selfAttention.outputProjection.weight', 'selfAttention.outputProjection.bias',
      'attentionNorm.gamma', 'attentionNorm.beta',
      'feedForwardIn.weight', 'feedForwardIn.bias',
      'feedForwardOut.weight', 'feedForwardOut.bias',
      'feedForwardNorm.gamma', 'feedForwardNorm.beta',
    ]);
    expect(layer.modules().filter((m) => m instanceof Dropout)).toHaveLength(4);
    expect(() => new TransformerEncoderLayer(6, 4, 8, { seed: 1 })).toThrow(/not divisible/);
    expect(() => new TransformerEncoderLayer(4, 2, 0, { seed: 1 })).toThrow(/dFF must be a positive integer/);
    expect(() => new TransformerEncoderLayer(4, 2, 8, { seed: 1 }, { activation: 'gelu' as 'relu' })).toThrow(/activation 'gelu' is not supported/);
    expect(() => layer.forward(rand([3, 4], 1))).toThrow(/expected \[B, T, 4\]/);
  });

  it('dropout is active in training and off in eval', () => {
    const layer = new TransformerEncoderLayer(4, 2, 8, { seed: 1 }, { dropout: 0.3 });
    const plain = new TransformerEncoderLayer(4, 2, 8, { seed: 1 });
    const x = rand([2, 3, 4], 3);
    const reference = host(plain.forward(x)).slice();
    expect(host(layer.forward(x))).not.toEqual(reference);
    expect(host(layer.eval().forward(x))).toEqual(reference);
  });

  for (const normFirst of [false, true]) {
    it(`passes finite-difference checks (${normFirst ? 'pre' : 'post'}-LN, B=1, T=3, d=4, h=2, dFF=6)`, () => {
      const layer = new TransformerEncoderLayer(4, 2, 6, { seed: 21 }, { normFirst });
      // First-layer biases away from zero keep the ReLU kinks out of the finite-difference steps.
      layer.feedForwardIn.bias!.assign(Float32Array.from([0.9, -0.9, 1.1, -1.1, 1.3, -1.3]));
      layer.attentionNorm.gamma.assign(Float32Array.from([1.2, 0.8, -0.5, 1.5]));
      const x = rand([1, 3, 4], 22);
      const params = layer.parameters();
      expectGradients(gradCheck(() => layer.forward(x, { causal: true }), [x, ...params]), `encoder layer (normFirst ${normFirst})`);
    });
  }
});
