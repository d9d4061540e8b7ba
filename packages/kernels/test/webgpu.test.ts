/**
 * Parity of the `webgpu` kernels with the `@rec/core` js references, on the
 * same inputs: exact for sampled ids and counts, atol + rtol·|ref| for floats.
 * Without a WebGPU adapter every test skips with the reason (and fails when
 * REC_REQUIRE_WEBGPU=1).
 *
 * The kernels' shared parity suites (test/parity/, through `forEachBackend`)
 * also run on `webgpu`; this file keeps what only this backend has: storage
 * and error plumbing, the Philox helper, pipeline caching, and cases that
 * reach paths the shared fixtures do not (rank_topk's multi-round window).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsBackend, kernelBackends, runKernel, Tensor, u32At, type DType, type TypedArray } from '@rec/core';
import { skipOrFail, type SkippableContext } from '@rec/core/testing';
import { destroyWebGPU, loadWebGPU, registerWebGPUKernels, WEBGPU_KERNELS, WebGPUBackend, type WebGPULoadResult } from '../src/webgpu/index.js';
import { linearGrid } from '../src/webgpu/backend.js';
import { FAST_KERNELS } from '../src/coverage.js';
import { WGSL_SOURCES } from '../src/webgpu/shaders.generated.js';

let gpu: WebGPULoadResult = { ok: false, reason: 'not loaded' };

beforeAll(async () => {
  registerWebGPUKernels();
  gpu = await loadWebGPU();
  if (gpu.ok) console.log(`webgpu adapter: ${gpu.backend.adapterName}`);
  else console.log(`webgpu unavailable: ${gpu.reason}`);
});

afterAll(destroyWebGPU);

/** The backend, or a skip (a failure under REC_REQUIRE_WEBGPU=1) naming why there is none. */
function backendOr(ctx: SkippableContext): WebGPUBackend | undefined {
  if (gpu.ok) return gpu.backend;
  skipOrFail(ctx, 'REC_REQUIRE_WEBGPU', `no webgpu backend: ${gpu.reason}`);
  return undefined;
}

function on(backend: WebGPUBackend | typeof jsBackend, values: TypedArray, shape: number[]): Tensor {
  const dtype: DType = values instanceof Float32Array ? 'f32' : values instanceof Int32Array ? 'i32' : 'u32';
  return new Tensor(shape, dtype, backend.upload(dtype, values));
}

/** A small deterministic generator for test inputs (not the RNG under test). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomF32(n: number, seed: number): Float32Array {
  const next = lcg(seed);
  return Float32Array.from({ length: n }, () => next() * 2 - 1);
}

/** Asserts |a − r| ≤ atol + rtol·|r| elementwise, listing the first mismatches. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number, label: string): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  const bad: string[] = [];
  let count = 0;
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i] - expected[i]);
    if (!(diff <= atol + rtol * Math.abs(expected[i]))) {
      count++;
      if (bad.length < 5) bad.push(`[${i}] got ${actual[i]}, want ${expected[i]} (diff ${diff.toExponential(2)})`);
    }
  }
  expect(count, `${label}: ${count} of ${expected.length} outside atol ${atol} + rtol ${rtol}·|ref|\n${bad.join('\n')}`).toBe(0);
}

function expectExact(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
  expectClose(actual, expected, 0, 0, label);
}

describe('webgpu backend', () => {
  it('registers its kernels under <id>:webgpu', () => {
    for (const id of WEBGPU_KERNELS) expect(kernelBackends(id)).toContain('webgpu');
  });

  it('claims webgpu in src/coverage.ts for exactly the fast kernels it registers', () => {
    const claimed = Object.entries(FAST_KERNELS).filter(([, f]) => f.webgpu).map(([id]) => id).sort();
    expect(WEBGPU_KERNELS.filter((id) => id in FAST_KERNELS).sort()).toEqual(claimed);
  });

  it('round-trips f32, i32 and u32 storage through upload, write and read', async (ctx) => {
    const b = backendOr(ctx);
    if (!b) return;
    const f = Float32Array.of(1.5, -2, 3.25);
    const h = b.upload('f32', f);
    expect(await b.read(h)).toEqual(f);
    b.write(h, Float32Array.of(7, 8, 9));
    expect(await b.read(h)).toEqual(Float32Array.of(7, 8, 9));
    b.free(h);
    const i = b.upload('i32', Int32Array.of(-1, 2 ** 31 - 1));
    expect(await b.read(i)).toEqual(Int32Array.of(-1, 2 ** 31 - 1));
    const u = b.upload('u32', Uint32Array.of(0xffffffff));
    expect(await b.read(u)).toEqual(Uint32Array.of(0xffffffff));
    const z = b.alloc('f32', 5);
    expect(await b.read(z)).toEqual(new Float32Array(5));
    const empty = b.alloc('i32', 0);
    expect(await b.read(empty)).toEqual(new Int32Array(0));
  });
  it('raises WebGPU validation errors (e.g. a WGSL compile error) at the next read', async (ctx) => {
    const b = backendOr(ctx);
    if (!b) return;
    const probe = new WebGPUBackend(b.device, b.adapterName, { 'test/broken': '@compute @workgroup_size(1) fn broken() { let x: u32 = 1.5; }' });
    const out = probe.alloc('u32', 1);
    probe.run([{ stem: 'test/broken', entry: 'broken', uniforms: new ArrayBuffer(16), buffers: [], groups: [1, 1, 1] }]);
    await expect(probe.read(out)).rejects.toThrow(/WebGPU validation error/);
  });
});

describe('common/philox.wgsl', () => {
  it('gives the words of u32At bit for bit, across 2^32 counter boundaries and 64-bit seeds', async (ctx) => {
    const b = backendOr(ctx);
    if (!b) return;
    // A test-only entry point on the shared helper, compiled on the same device.
    const code = `//! requires common/philox.wgsl
struct Params { n: u32, stream: u32, key: vec2<u32>, counter: vec2<u32>, _p0: u32, _p1: u32 }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> words: array<u32>;
@compute @workgroup_size(64)
fn philox_words(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= params.n) { return; }
  words[gid.x] = philox_u32_at(params.key, params.stream, add_u64(params.counter, vec2<u32>(gid.x, 0u)));
}`;
    const probe = new WebGPUBackend(b.device, b.adapterName, { ...WGSL_SOURCES, 'test/philox_words': code });
    const cases = [
      { seed: 0, stream: 0, counter: 0 },
      { seed: 42, stream: 3, counter: 10 },
      { seed: -7, stream: 0xffffffff, counter: 2 ** 32 - 6 },
      { seed: 2 ** 40 + 12345, stream: 1, counter: 2 ** 34 + 2 ** 32 * 3 - 5 },
    ];
    for (const c of cases) {
      const n = 300;
      const out = probe.alloc('u32', n);
      const u = new Uint32Array(8);
      u.set([n, c.stream, c.seed >>> 0, Math.floor(c.seed / 2 ** 32) >>> 0, c.counter >>> 0, Math.floor(c.counter / 2 ** 32) >>> 0]);
      probe.run([{ stem: 'test/philox_words', entry: 'philox_words', uniforms: u.buffer, buffers: [out.buffer], groups: linearGrid(n, 64) }]);
      const want = Uint32Array.from({ length: n }, (_, i) => u32At(c.seed, c.stream, c.counter + i));
      expectExact(await probe.read(out), want, `philox seed ${c.seed} stream ${c.stream} counter ${c.counter}`);
    }
  });
});

describe('common/soft_f64.wgsl', () => {
  it('rounds sums, unit products and f32 quotients exactly as f64 hardware does', async (ctx) => {
    const b = backendOr(ctx);
    if (!b) return;
    // Per i: s = ((x0 + x1) + x2) + x3 in f64; t = (m·2⁻²⁴)·s; q = f32(x0 / s).
    const code = `//! requires common/soft_f64.wgsl
struct Params { n: u32, _p0: u32, _p1: u32, _p2: u32 }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> xs: array<f32>;
@group(0) @binding(2) var<storage, read> ms: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<u32>;
fn f64_bits(x: F64) -> vec2<u32> {
  if (u64_is_zero(x.m)) { return vec2<u32>(0u, 0u); }
  return vec2<u32>(x.m.x, (u32(x.e + 52 + 1023) << 20u) | (x.m.y & 0xfffffu));
}
@compute @workgroup_size(64)
fn soft_f64_probe(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.n) { return; }
  var s = f64_zero();
  for (var j = 0u; j < 4u; j++) { s = f64_add(s, f64_from_f32(xs[4u * i + j])); }
  let t = f64_mul_unit(s, ms[i]);
  let sb = f64_bits(s);
  let tb = f64_bits(t);
  out[5u * i] = sb.x; out[5u * i + 1u] = sb.y; out[5u * i + 2u] = tb.x; out[5u * i + 3u] = tb.y;
  out[5u * i + 4u] = bitcast<u32>(f64_div_to_f32(f64_from_f32(xs[4u * i]), s));
}`;
    const probe = new WebGPUBackend(b.device, b.adapterName, { ...WGSL_SOURCES, 'test/soft_f64_probe': code });
    const next = lcg(17);
    const n = 6000;
    const xs = new Float32Array(4 * n);
    const bits = new Uint32Array(xs.buffer);
    const ms = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const kind = i % 5;
      const e0 = Math.floor(next() * 254);
      for (let j = 0; j < 4; j++) {
        const frac = Math.floor(next() * 2 ** 23);
        // 0: any positive finite f32 (subnormals included); 1: exponents within ±30 of each
        // other; 2: small integers (exact sums); 3: 1 + k·2⁻²³ then 2⁻⁵³ (f64 ties to even);
        // 4: a subnormal over a power of two (f32 quotients that tie at the subnormal quantum).
        if (kind === 0) bits[4 * i + j] = (Math.floor(next() * 255) << 23) | frac;
        else if (kind === 1) bits[4 * i + j] = (Math.min(254, Math.max(0, e0 + Math.floor(next() * 61) - 30)) << 23) | frac;
        else if (kind === 2) xs[4 * i + j] = Math.floor(next() * 1000);
        else if (kind === 3) xs[4 * i + j] = j === 0 ? 1 + Math.floor(next() * 2 ** 23) * 2 ** -23 : j === 1 ? 2 ** -53 : j === 2 ? (next() < 0.5 ? 0 : 2 ** -53) : 0;
        else if (j === 0) bits[4 * i] = frac;
        else xs[4 * i + j] = j === 1 ? 2 ** (1 + Math.floor(next() * 3)) : 0;
      }
      if (kind === 2 && i % 8 === 2) xs.fill(0, 4 * i, 4 * i + 4);
      ms[i] = Math.floor(next() * 2 ** 24);
    }
    const xT = probe.upload('f32', xs);
    const mT = probe.upload('u32', ms);
    const out = probe.alloc('u32', 5 * n);
    probe.run([{ stem: 'test/soft_f64_probe', entry: 'soft_f64_probe', uniforms: Uint32Array.of(n, 0, 0, 0).buffer, buffers: [xT.buffer, mT.buffer, out.buffer], groups: linearGrid(n, 64) }]);
    const got = (await probe.read(out)) as Uint32Array;
    const want = new Uint32Array(5 * n);
    const f64 = new Float64Array(1);
    const f64Words = new Uint32Array(f64.buffer);
    const f32 = new Float32Array(1);
    for (let i = 0; i < n; i++) {
      const sum = ((xs[4 * i] + xs[4 * i + 1]) + xs[4 * i + 2]) + xs[4 * i + 3];
      f64[0] = sum;
      want.set(f64Words, 5 * i);
      f64[0] = (ms[i] * 2 ** -24) * sum;
      want.set(f64Words, 5 * i + 2);
      f32[0] = sum > 0 ? xs[4 * i] / sum : 0;
      want[5 * i + 4] = new Uint32Array(f32.buffer)[0];
    }
    expectExact(got, want, 'soft f64 words (sum lo, sum hi, product lo, product hi, f32 quotient) per case');
  });
});

describe('neg_sample_exclude:webgpu', () => {
  /** Per-user sorted positives: a few sparse users, and users holding all but 0–2 items (so tries run out). */
  function positives(numUsers: number, numItems: number, seed: number): { indptr: Int32Array; indices: Int32Array } {
    const next = lcg(seed);
    const indptr = new Int32Array(numUsers + 1);
    const indices: number[] = [];
    for (let u = 0; u < numUsers; u++) {
      const row = new Set<number>();
      if (u % 10 === 9) {
        const keep = u % 3;
        for (let i = keep; i < numItems; i++) row.add(i);
      } else {
        const count = Math.floor(next() * numItems * 0.5);
        for (let t = 0; t < count; t++) row.add(Math.floor(next() * numItems));
      }
      indices.push(...[...row].sort((a, b) => a - b));
      indptr[u + 1] = indices.length;
    }
    return { indptr, indices: Int32Array.from(indices) };
  }

  const variants = [
    { name: 'small counters, 16 tries', seed: 1, stream: 0, counter: 0, maxTries: 16 },
    { name: 'one try', seed: 99, stream: 2, counter: 1000, maxTries: 1 },
    { name: 'counters crossing 2^32, negative seed', seed: -123456789, stream: 7, counter: 2 ** 32 - 1000, maxTries: 5 },
    { name: 'seed beyond 2^32, counter beyond 2^40', seed: 2 ** 45 + 3, stream: 0xfffffffe, counter: 2 ** 41 + 17, maxTries: 32 },
  ];
  for (const v of variants) {
    it(`draws exactly the js reference's negatives and exhausted count (${v.name})`, async (ctx) => {
      const b = backendOr(ctx);
      if (!b) return;
      const numUsers = 120;
      const numItems = 257;
      const { indptr, indices } = positives(numUsers, numItems, 5);
      const next = lcg(11);
      const users = Int32Array.from({ length: 4000 }, () => Math.floor(next() * numUsers));
      const attrs = { numItems, seed: v.seed, stream: v.stream, counter: v.counter, maxTries: v.maxTries };
      const [refNeg, refExh] = runKernel('neg_sample_exclude', [on(jsBackend, users, [users.length]), on(jsBackend, indptr, [indptr.length]), on(jsBackend, indices, [indices.length])], attrs);
      const [neg, exh] = runKernel('neg_sample_exclude', [on(b, users, [users.length]), on(b, indptr, [indptr.length]), on(b, indices, [indices.length])], attrs);
      expect(neg.backend.name).toBe('webgpu');
      expectExact(await neg.read(), await refNeg.read(), 'negatives');
      expectExact(await exh.read(), await refExh.read(), 'exhausted');
      expect((await refExh.read())[0], 'some rows ran out of tries').toBeGreaterThan(0);
    });
  }

  it('reports a user id out of range at the next read', async (ctx) => {
    const b = backendOr(ctx);
    if (!b) return;
    const attrs = { numItems: 10, seed: 1, stream: 0, counter: 0, maxTries: 4 };
    const [neg] = runKernel('neg_sample_exclude', [on(b, Int32Array.of(0, 5), [2]), on(b, Int32Array.of(0, 1), [2]), on(b, Int32Array.of(3), [1])], attrs);
    await expect(neg.read()).rejects.toThrow(/user id is out of range for 1 users/);
  });
});

describe('matmul:webgpu', () => {
  const shapes: { name: string; a: number[]; b: number[] }[] = [
    { name: '2-D, sizes off the 64-tile', a: [67, 45], b: [45, 130] },
    { name: '2-D, one tile', a: [16, 8], b: [8, 3] },
    { name: 'batched both', a: [3, 33, 70], b: [3, 70, 65] },
    { name: 'batched A, shared 2-D B', a: [2, 5, 129], b: [129, 17] },
    { name: 'shared 2-D A, batched B', a: [31, 20], b: [4, 20, 9] },
  ];
  for (const transposeA of [false, true]) {
    for (const transposeB of [false, true]) {
      for (const s of shapes) {
        it(`matches the js reference within 1e-4 (transposeA ${transposeA}, transposeB ${transposeB}, ${s.name})`, async (ctx) => {
          const b = backendOr(ctx);
          if (!b) return;
          // The shapes above are of op(A), op(B); store the transposes where asked.
          const swap = (shape: number[], t: boolean) => (t ? [...shape.slice(0, -2), shape[shape.length - 1], shape[shape.length - 2]] : shape);
          const aShape = swap(s.a, transposeA);
          const bShape = swap(s.b, transposeB);
          const av = randomF32(aShape.reduce((p, d) => p * d, 1), 1);
          const bv = randomF32(bShape.reduce((p, d) => p * d, 1), 2);
          const attrs = { transposeA, transposeB };
          const [ref] = runKernel('matmul', [on(jsBackend, av, aShape), on(jsBackend, bv, bShape)], attrs);
          const [out] = runKernel('matmul', [on(b, av, aShape), on(b, bv, bShape)], attrs);
          expect(out.shape).toEqual(ref.shape);
          expectClose(await out.read(), await ref.read(), 1e-5, 1e-4, 'C');
        });
      }
    }
  }

  it('caches one pipeline per variant, whatever the sizes', async (ctx) => {
    const b = backendOr(ctx);
    if (!b) return;
    // B is [n, k]: op(B) = Bᵀ is [k, n].
    const run = (m: number, k: number, n: number) => runKernel('matmul', [on(b, randomF32(m * k, 3), [m, k]), on(b, randomF32(k * n, 4), [n, k])], { transposeA: false, transposeB: true });
    run(3, 4, 5);
    const before = b.pipelineCount;
    run(100, 7, 9);
    run(1, 1, 1);
    expect(b.pipelineCount).toBe(before);
    await b.sync();
  });
});

describe('sparse_adagrad:webgpu', () => {
  const cases = [
    { name: 'duplicates, no decay', rows: 50, width: 8, indices: [3, 7, 3, 3, 49, 0, 7], attrs: { lr: 0.1, eps: 1e-10, weightDecay: 0 } },
    { name: 'duplicates, weight decay', rows: 50, width: 5, indices: [3, 7, 3, 3, 49, 0, 7, 49], attrs: { lr: 0.05, eps: 1e-8, weightDecay: 0.01 } },
    { name: 'many entries over few rows', rows: 20, width: 16, indices: Array.from({ length: 300 }, (_, i) => (i * 7919) % 20), attrs: { lr: 0.01, eps: 1e-10, weightDecay: 0.001 } },
    { name: 'all distinct, width 1', rows: 1000, width: 1, indices: Array.from({ length: 700 }, (_, i) => 999 - i), attrs: { lr: 0.3, eps: 1e-6, weightDecay: 0 } },
  ];
  for (const c of cases) {
    it(`updates param and accumulator as the js reference, duplicates merged, within 1e-5 (${c.name})`, async (ctx) => {
      const b = backendOr(ctx);
      if (!b) return;
      const p0 = randomF32(c.rows * c.width, 7);
      const g0 = Float32Array.from(randomF32(c.rows * c.width, 8), (x) => Math.abs(x));
      const idx = Int32Array.from(c.indices);
      const vals = randomF32(idx.length * c.width, 9);
      const rowShape = [c.rows, c.width];
      const refP = on(jsBackend, p0, rowShape);
      const refG = on(jsBackend, g0, rowShape);
      runKernel('sparse_adagrad', [refP, on(jsBackend, idx, [idx.length]), on(jsBackend, vals, [idx.length, c.width]), refG], c.attrs);
      const gpuP = on(b, p0, rowShape);
      const gpuG = on(b, g0, rowShape);
      runKernel('sparse_adagrad', [gpuP, on(b, idx, [idx.length]), on(b, vals, [idx.length, c.width]), gpuG], c.attrs);
      expectClose(await gpuP.read(), await refP.read(), 1e-5, 1e-5, 'param');
      expectClose(await gpuG.read(), await refG.read(), 1e-5, 1e-5, 'accumulator');
    });
  }

  it('writes nothing when an index is out of range, and says so at the next read', async (ctx) => {
    const b = backendOr(ctx);
    if (!b) return;
    const p0 = randomF32(8, 1);
    const p = on(b, p0, [4, 2]);
    const g = on(b, new Float32Array(8), [4, 2]);
    runKernel('sparse_adagrad', [p, on(b, Int32Array.of(1, 4), [2]), on(b, randomF32(4, 2), [2, 2]), g], { lr: 0.1, eps: 1e-10, weightDecay: 0 });
    await expect(p.read()).rejects.toThrow(/row index is out of range for a parameter of 4 rows/);
    expect(await p.read()).toEqual(p0);
    expect(await g.read()).toEqual(new Float32Array(8));
  });
});

describe('rank_topk:webgpu', () => {
  // The shared parity suite ranks 531 items: one round of the kernel's 768-item window.
  // These cases cross several rounds (the kept top list merged with each new window).
  const cases = [
    { name: '2,000 items (3 rounds), k 200, integer scores with many ties', users: 9, items: 2000, d: 6, k: 200, lo: -2, hi: 2 },
    { name: '5,000 items (7 rounds), k 256, wide integer range', users: 5, items: 5000, d: 3, k: 256, lo: -50, hi: 50 },
    { name: '1,537 items, k 1, d 1', users: 4, items: 1537, d: 1, k: 1, lo: -3, hi: 3 },
  ];
  for (const c of cases) {
    it(`gives exactly the js reference's indices and scores across rounds (${c.name})`, async (ctx) => {
      const b = backendOr(ctx);
      if (!b) return;
      const next = lcg(c.items);
      const int = () => c.lo + Math.floor(next() * (c.hi - c.lo + 1));
      const U = Float32Array.from({ length: c.users * c.d }, int);
      const V = Float32Array.from({ length: c.items * c.d }, int);
      const indptr = new Int32Array(c.users + 1);
      const masked: number[] = [];
      for (let u = 0; u < c.users; u++) {
        for (let j = 0; j < c.items; j++) if (next() < 0.1 + 0.1 * u) masked.push(j);
        indptr[u + 1] = masked.length;
      }
      const indices = Int32Array.from(masked);
      const inputs = (on_: WebGPUBackend | typeof jsBackend) => [
        on(on_, U, [c.users, c.d]), on(on_, V, [c.items, c.d]), on(on_, indptr, [indptr.length]), on(on_, indices, [indices.length]),
      ];
      const [refTop, refScores] = runKernel('rank_topk', inputs(jsBackend), { k: c.k });
      const [top, scores] = runKernel('rank_topk', inputs(b), { k: c.k });
      expectExact(await top.read(), await refTop.read(), 'indices');
      expectExact(await scores.read(), await refScores.read(), 'scores');
    });
  }

  it('refuses k above 256, the size of its workgroup top list', (ctx) => {
    const b = backendOr(ctx);
    if (!b) return;
    const inputs = [on(b, new Float32Array(2), [1, 2]), on(b, new Float32Array(2), [1, 2]), on(b, Int32Array.of(0, 0), [2]), on(b, new Int32Array(0), [0])];
    expect(() => runKernel('rank_topk', inputs, { k: 257 })).toThrow(/at most k = 256/);
  });
});

describe('bpr_step:webgpu', () => {
  // The shared suite uses d = 64 and 13 (one column per invocation at most); d = 130 gives
  // some invocations three columns, and i = j triples check that q_j's update is kept.
  it('walks the triples in order with several columns per invocation and i = j triples (d = 130)', async (ctx) => {
    const b = backendOr(ctx);
    if (!b) return;
    const d = 130;
    const users = 7;
    const items = 11;
    const P0 = randomF32(users * d, 21).map((v) => v * 0.3);
    const Q0 = randomF32(items * d, 22).map((v) => v * 0.3);
    const next = lcg(23);
    const n = 200;
    const u = Int32Array.from({ length: n }, () => Math.floor(next() * users));
    const i = Int32Array.from({ length: n }, () => Math.floor(next() * items));
    const j = Int32Array.from({ length: n }, (_, t) => (t % 9 === 0 ? i[t] : Math.floor(next() * items)));
    const attrs = { lr: 0.05, reg: 0.01 };
    const refP = on(jsBackend, P0, [users, d]);
    const refQ = on(jsBackend, Q0, [items, d]);
    const [refLoss] = runKernel('bpr_step', [refP, refQ, on(jsBackend, u, [n]), on(jsBackend, i, [n]), on(jsBackend, j, [n])], attrs);
    const gpuP = on(b, P0, [users, d]);
    const gpuQ = on(b, Q0, [items, d]);
    const [loss] = runKernel('bpr_step', [gpuP, gpuQ, on(b, u, [n]), on(b, i, [n]), on(b, j, [n])], attrs);
    expectClose(await gpuP.read(), await refP.read(), 1e-5, 1e-4, 'user factors');
    expectClose(await gpuQ.read(), await refQ.read(), 1e-5, 1e-4, 'item factors');
    expectClose(await loss.read(), await refLoss.read(), 1e-6, 1e-5, 'mean loss');
  });
});
