/**
 * Kernel benchmark: each fast kernel against its js reference, in the same run,
 * next to this machine's bounds measured by the native addon in that run.
 *
 * For every entry: (1) check — run the reference and the native kernel on
 * identical inputs and compare (exact for ids, atol + rtol·|ref| for floats);
 * (2) time the reference, then the native kernel at 1 and 2 threads (warm-up
 * first; median over repetitions); (3) print kernel, backend, size, time,
 * throughput, GB/s or GFLOP/s, % of bound and speedup over the reference.
 *
 * Bounds (kernels/cpu/bench/bounds.cc), per thread count: STREAM triad; random
 * read-modify-write of 64-float rows of a 1,000,000-row table ("gather+scatter");
 * an FMA peak loop. Memory-bound kernels are rated against gather+scatter,
 * counting only the random-row traffic they must do (sparse_adagrad: p and G
 * rows read and written, 1,024 B per distinct row; sparse_adam: p, m, v, 1,536 B;
 * sparse_sgd: p, 512 B; bpr_step: p_u, q_i, q_j, 1,536 B per triple, plus 512 B per
 * category row in its category variant); their
 * sequential gradient reads are extra work not counted. rank_topk is rated
 * against FMA peak (2·B·n·d flops). Three kernels also get a hand-written C loop
 * timed in the same rounds ("C loop"): bpr_step on cache-sized tables
 * (bound_bpr_loop), sparse_adagrad (bound_adagrad_loop) and skipgram_sample_step
 * (bound_sgns_loop, word2vec's loop) on the 1,000,000-row tables, which says how much of
 * the gap to gather+scatter any loop closes.
 *
 * Sizes are the issue's: a 1,000,000 × 64 f32 table with batches of 1,024 rows
 * or triples; Tmall 15,449 users × 11,953 items × 64 for rank_topk top-100,
 * with a synthetic train mask of ~40 items per user (Poisson-like). The
 * reference ranking is timed on the first 1,024 users and scaled to all users
 * (it is a plain loop, linear in users); marked "(scaled)".
 *
 * webgpu: every kernel with a WGSL version is also run on the webgpu backend when an adapter
 * loads (here lavapipe, software Vulkan on the same CPU cores): its first result is checked
 * against the reference with the section's tolerance (a mismatch is printed and listed, and that
 * kernel is not timed), then it is timed by {@link timeGpu}: calls ended by one read, so no
 * per-call read-back is counted. No GPU bound is measured, so webgpu rows have no % of bound.
 * Inputs larger than the adapter's largest storage binding (lavapipe: 128 MiB, less than a
 * 1,000,000 × 64 f32 table) are not uploaded: one line says so, and the JSON lists them.
 *
 * Run: `cd apps/bench && node --conditions=@rec/source --import tsx src/kernels.ts`
 * (or `pnpm --filter @rec/bench bench:kernels`); `--only tower_score,matmul`
 * times just those kernels. Results: stdout and apps/bench/results/kernels.json
 * (a run with `--only` writes kernels.<names>.json, leaving the full table's file).
 */
import { mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  add, backward, type Backend, currentBackend, expandDims, gather, gatherMatvec, getBackend, hostData, hostF32, kernelBackends, matmul, mean, mul, noGrad, Philox, registerBackend, relu, reshape,
  resolveBackend, RowSparse, rsqrt, runKernel, scatterAdd, setBackend, square as squareOp, sub, Tensor, tensor, tidy, zeros,
} from '@rec/core';
import { writeFileAtomic } from '@rec/core/node';
import { assertClose, assertExact } from '@rec/core/testing';
import { FAST_KERNELS, loadNative, loadNativeBackend, registerFastBackends, setNativeThreads } from '@rec/kernels';
import { AliasTable, unigramWeights } from '@rec/core';

const ROWS = 1_000_000;
const DIM = 64;
const BATCH = 1024;
const TMALL = { users: 15_449, items: 11_953, dim: 64, k: 100 };
const THREAD_COUNTS = [1, 2];

/**
 * Every kernel this bench times: the fast kernels of `@rec/kernels` (the coverage check requires
 * an entry here for each); `--only a,b` times just those (the bounds are always measured).
 */
const BENCH_KERNELS = Object.keys(FAST_KERNELS);
const onlyAt = process.argv.indexOf('--only');
const ONLY = onlyAt >= 0 ? (process.argv[onlyAt + 1] ?? '').split(',').map((k) => k.trim()).filter(Boolean) : undefined;
for (const k of ONLY ?? []) {
  if (!BENCH_KERNELS.includes(k)) throw new Error(`--only: unknown kernel '${k}'; the kernels are ${BENCH_KERNELS.join(', ')}`);
}
if (ONLY && ONLY.length === 0) throw new Error(`--only needs a comma-separated list of kernels: ${BENCH_KERNELS.join(', ')}`);
/** True when this run times any of `kernels`. */
const wanted = (...kernels: string[]): boolean => !ONLY || kernels.some((k) => ONLY.includes(k));

interface Row {
  kernel: string;
  backend: string;
  threads: number | null;
  size: string;
  timeMs: number;
  throughput: string;
  rate: number | null;
  rateUnit: 'GB/s' | 'GFLOP/s' | null;
  boundName: string | null;
  percentOfBound: number | null;
  speedup: number | null;
  note?: string;
}

const loaded = loadNativeBackend();
if (!loaded.ok) {
  console.error(`bench:kernels needs the native backend: ${loaded.reason}`);
  process.exit(1);
}
registerBackend(loaded.backend);
const native: Backend = loaded.backend;
const js: Backend = getBackend('js');
const addon = (loadNative() as { ok: true; addon: import('@rec/kernels').NativeAddon }).addon;
const defaultThreads = addon.threads();

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median ms per call of fn(i) over `reps` calls, after `warm` untimed calls. */
function timeCalls(reps: number, warm: number, fn: (i: number) => void): number {
  for (let i = 0; i < warm; i++) fn(i);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    fn(warm + i);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

/**
 * The median of each timer's result over `rounds` rounds, each round running every timer once,
 * in order, so that load drifts on this shared machine hit all of them alike.
 */
function interleavedMedians(rounds: number, timers: readonly (() => number)[]): number[] {
  const samples = timers.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) timers.forEach((time, k) => samples[k].push(time()));
  return samples.map(median);
}

/** The arrays laid end to end: the batches a C loop probe walks in one call. */
function joined<A extends Int32Array | Float32Array>(parts: readonly A[]): A {
  const out = new (parts[0].constructor as new (n: number) => A)(parts.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of parts) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/**
 * A row rating a kernel against a hand-written C loop timed in the same rounds: `ms` per call
 * of BATCH items against the loop's `loopMs` per item; `note` says what the loop is.
 */
function cLoopRow(kernel: string, threads: number, size: string, ms: number, loopMs: number, unit: string, note: string): Row {
  return {
    kernel, backend: 'native', threads, size, timeMs: ms, throughput: `${((BATCH / ms) * 1e3 / 1e6).toFixed(2)} M ${unit}/s`,
    rate: null, rateUnit: null, boundName: 'C loop', percentOfBound: (100 * loopMs * BATCH) / ms, speedup: null, note,
  };
}

// ---- webgpu (optional) -------------------------------------------------------------------
// Resolved once, when this run times a kernel with a WGSL version; the previous backend is
// restored, so every tensor below names its backend. Without an adapter: one line, no webgpu rows.
registerFastBackends();
let gpu: Backend | undefined;
if (BENCH_KERNELS.some((k) => wanted(k) && kernelBackends(k).includes('webgpu'))) {
  const before = currentBackend().name;
  try {
    gpu = await resolveBackend({ prefer: 'webgpu', log: () => undefined });
  } catch (err) {
    console.log(`webgpu rows skipped: ${(err as Error).message}`);
  } finally {
    setBackend(before);
  }
}
const gpuInfo = gpu as (Backend & { adapterName?: string; device?: { limits: { maxStorageBufferBindingSize: number } } }) | undefined;
const adapterName = gpuInfo?.adapterName ?? 'an unnamed adapter';
/** Bytes of the largest buffer a kernel may bind on this adapter (lavapipe: 128 MiB). */
const maxBindingBytes = gpuInfo?.device?.limits.maxStorageBufferBindingSize ?? Infinity;
if (gpu) console.log(`webgpu: ${adapterName}, storage bindings up to ${maxBindingBytes.toLocaleString('en')} bytes`);
/** A one-element GPU tensor whose read ends a timed repetition: the queue runs in order, so it waits for every call before it. */
const fence = gpu && tensor(new Float32Array(1), [1], { backend: gpu });
/** Kernels (and sizes) the GPU did not run: an input over the adapter's largest binding. */
const gpuSkipped: { kernel: string; size: string; reason: string }[] = [];
/** Kernels (and sizes) whose webgpu result differs from the reference, or that the GPU failed on: not timed. */
const gpuMismatches: { kernel: string; size: string; reason: string }[] = [];

/**
 * The webgpu backend to time `kernel` on, or undefined: no adapter, no WGSL version of `kernel`,
 * or an input of `largestInputBytes` over the adapter's largest storage binding (one line printed;
 * nothing uploaded).
 */
function gpuFor(kernel: string, size: string, largestInputBytes: number): Backend | undefined {
  if (!gpu || !kernelBackends(kernel).includes('webgpu')) return undefined;
  if (largestInputBytes > maxBindingBytes) {
    const reason = `an input of ${largestInputBytes.toLocaleString('en')} bytes exceeds the adapter's largest storage binding (${maxBindingBytes.toLocaleString('en')} bytes)`;
    console.log(`webgpu ${kernel} (${size}) not run: ${reason}`);
    gpuSkipped.push({ kernel, size, reason });
    return undefined;
  }
  return gpu;
}

/**
 * Runs `check` (the first webgpu result against the reference, with the section's tolerance).
 * A mismatch or a GPU error is printed and listed instead of thrown, so one kernel cannot stop
 * the run; the caller then does not time that kernel.
 */
async function gpuChecked(kernel: string, size: string, check: () => Promise<void>): Promise<boolean> {
  try {
    await check();
    return true;
  } catch (err) {
    const reason = (err as Error).message;
    console.log(`webgpu ${kernel} (${size}) differs from the reference, not timed: ${reason}`);
    gpuMismatches.push({ kernel, size, reason });
    return false;
  }
}

/** Timed repetitions of {@link timeGpu}, their total time budget, and the most calls one repetition makes. */
const GPU_REPS = 5;
const GPU_BUDGET_MS = 1500;
const GPU_MAX_CALLS = 20;

/**
 * Median ms per call of `call(i)` on the GPU: {@link GPU_REPS} repetitions of n calls, each ended by
 * one `await read()` of {@link fence} (so the wait and the read are spread over n calls, and no
 * output is copied back), after a one-call warm-up repetition. The caller's check has already
 * compiled the pipelines; the warm-up's time sets n: 20, or fewer where 20 would make the timed
 * repetitions overrun {@link GPU_BUDGET_MS} (at least 1), which keeps lavapipe's slow kernels
 * to a few seconds. Outputs are disposed as soon as they are enqueued (the GPU finishes work
 * already submitted). `note` names the adapter and n, for the row.
 */
async function timeGpu(call: (i: number) => Tensor[] | void): Promise<{ ms: number; note: string }> {
  const repetition = async (calls: number, first: number): Promise<number> => {
    const t0 = process.hrtime.bigint();
    for (let c = 0; c < calls; c++) for (const out of call(first + c) ?? []) out.dispose();
    await fence!.read();
    return Number(process.hrtime.bigint() - t0) / 1e6 / calls;
  };
  const warmMs = await repetition(1, 0);
  const calls = Math.max(1, Math.min(GPU_MAX_CALLS, Math.floor(GPU_BUDGET_MS / GPU_REPS / warmMs)));
  const perCall: number[] = [];
  for (let r = 0; r < GPU_REPS; r++) perCall.push(await repetition(calls, 1 + r * calls));
  return { ms: median(perCall), note: `on ${adapterName}; ${calls} call${calls === 1 ? '' : 's'} per read` };
}

/** Disposes every tensor in `values` (arrays and plain objects walked): a section's webgpu inputs, freed before the next section. */
function disposeAll(...values: unknown[]): void {
  for (const v of values) {
    if (v instanceof Tensor) v.dispose();
    else if (Array.isArray(v)) disposeAll(...v);
    else if (v && typeof v === 'object') disposeAll(...Object.values(v));
  }
}

function uniform(seed: number, n: number, lo: number, hi: number): Float32Array {
  const rng = new Philox({ seed, stream: 1 });
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rng.uniform();
  return out;
}

function randomIds(seed: number, n: number, count: number): Int32Array {
  const rng = new Philox({ seed, stream: 2 });
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(count);
  return out;
}

const results: Row[] = [];
const bounds: Record<number, { triadGBs: number; gatherScatterGBs: number; fmaGFLOPs: number }> = {};

// ---- Bounds -------------------------------------------------------------------
{
  const table = uniform(3, ROWS * DIM, -1, 1);
  const rows = randomIds(4, 1 << 20, ROWS);
  for (const t of THREAD_COUNTS) {
    setNativeThreads(t);
    bounds[t] = {
      triadGBs: addon.bound_stream_triad(1 << 25, 5),
      gatherScatterGBs: addon.bound_gather_scatter(table, DIM, rows, 5),
      fmaGFLOPs: addon.bound_fma_peak(100_000_000),
    };
  }
}

// ---- Sparse optimizers ---------------------------------------------------------
interface SparseSpec {
  kernel: 'sparse_sgd' | 'sparse_adagrad' | 'sparse_adam';
  slots: number;
  attrs: (step: number) => Record<string, unknown>;
  bytesPerRow: number;
}
const sparseSpecs: SparseSpec[] = [
  { kernel: 'sparse_sgd', slots: 0, attrs: () => ({ lr: 0.05, momentum: 0, nesterov: false, weightDecay: 1e-4 }), bytesPerRow: 2 * 4 * DIM },
  { kernel: 'sparse_adagrad', slots: 1, attrs: () => ({ lr: 0.05, eps: 1e-10, weightDecay: 0 }), bytesPerRow: 2 * 2 * 4 * DIM },
  { kernel: 'sparse_adam', slots: 2, attrs: (step) => ({ lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false, step }), bytesPerRow: 3 * 2 * 4 * DIM },
];
const BATCHES = 64;
const batchIds = Array.from({ length: BATCHES }, (_, b) => randomIds(1000 + b, BATCH, ROWS));
const batchValues = Array.from({ length: BATCHES }, (_, b) => uniform(2000 + b, BATCH * DIM, -0.1, 0.1));

/** Categories of the category-table benches (bpr_step and skipgram_step with MRLR's Eq. 7 term). */
const CATEGORIES = 10_000;

/**
 * Category lists of `items` items in CSR form, 2 to 6 distinct categories of {@link CATEGORIES}
 * each (Amazon's items carry about 4–6 attributes), with a category table `X0`;
 * `rowsOf(ids)` counts the category rows a batch of item ids touches.
 */
function itemCategories(items: number): { X0: Float32Array; indptr: Int32Array; indices: Int32Array; rowsOf: (ids: Int32Array) => number } {
  const rng = new Philox({ seed: 45, stream: 4 });
  const indptr = new Int32Array(items + 1);
  const indices = new Int32Array(6 * items);
  let nnz = 0;
  for (let i = 0; i < items; i++) {
    const count = 2 + rng.int(5);
    const start = nnz;
    while (nnz - start < count) {
      const c = rng.int(CATEGORIES);
      let seen = false;
      for (let q = start; q < nnz; q++) seen ||= indices[q] === c;
      if (!seen) indices[nnz++] = c;
    }
    indptr[i + 1] = nnz;
  }
  const rowsOf = (ids: Int32Array): number => ids.reduce((n, i) => n + indptr[i + 1] - indptr[i], 0);
  return { X0: uniform(44, CATEGORIES * DIM, -0.1, 0.1), indptr, indices: indices.slice(0, nnz), rowsOf };
}

for (const spec of sparseSpecs.filter((s) => wanted(s.kernel))) {
  const make = (backend: Backend): Tensor[] => [
    tensor(uniform(5, ROWS * DIM, -0.1, 0.1), [ROWS, DIM], { backend }),
    ...Array.from({ length: spec.slots }, () => tensor(new Float32Array(ROWS * DIM), [ROWS, DIM], { backend })),
  ];
  const batchTensors = (backend: Backend) => batchIds.map((ids, b) => [tensor(ids, undefined, { backend }), tensor(batchValues[b], [BATCH, DIM], { backend })]);
  const size = `${ROWS.toLocaleString('en')} × ${DIM}, batch ${BATCH}`;
  const onGpu = gpuFor(spec.kernel, size, 4 * ROWS * DIM);
  const refState = make(js);
  const natState = make(native);
  const gpuState = onGpu && make(onGpu);
  const refBatches = batchTensors(refState[0].backend);
  const natBatches = batchTensors(native);
  const gpuBatches = onGpu && batchTensors(onGpu);
  const step = (state: Tensor[], batches: Tensor[][], i: number) => {
    const [param, ...slots] = state;
    const [ids, values] = batches[i % BATCHES];
    runKernel(spec.kernel, [param, ids, values, ...slots], spec.attrs(i + 1));
  };
  // Check: three identical steps on each backend, then compare the whole tables.
  for (let i = 0; i < 3; i++) {
    step(refState, refBatches, i);
    step(natState, natBatches, i);
    if (gpuState && gpuBatches) step(gpuState, gpuBatches, i);
  }
  refState.forEach((t, s) => assertClose(hostF32(natState[s]), hostF32(t), { atol: 1e-7, rtol: 1e-6 }, `${spec.kernel} state ${s}`));
  const gpuOk = gpuState && await gpuChecked(spec.kernel, size, async () => {
    for (const [s, t] of refState.entries()) assertClose(await gpuState[s].read(), hostF32(t), { atol: 1e-7, rtol: 1e-6 }, `${spec.kernel} webgpu state ${s}`);
  });
  const distinct = new Set(batchIds[0]).size;
  const refMs = timeCalls(15, 2, (i) => step(refState, refBatches, i + 3));
  results.push({ kernel: spec.kernel, backend: 'js', threads: null, size, timeMs: refMs, throughput: `${((BATCH / refMs) * 1e3 / 1e6).toFixed(2)} M rows/s`, rate: (distinct * spec.bytesPerRow) / refMs / 1e6, rateUnit: 'GB/s', boundName: null, percentOfBound: null, speedup: 1 });
  for (const t of THREAD_COUNTS) {
    setNativeThreads(t);
    const ms = timeCalls(200, 20, (i) => step(natState, natBatches, i));
    const gbs = (distinct * spec.bytesPerRow) / ms / 1e6;
    results.push({
      kernel: spec.kernel, backend: 'native', threads: t, size, timeMs: ms, throughput: `${((BATCH / ms) * 1e3 / 1e6).toFixed(2)} M rows/s`,
      rate: gbs, rateUnit: 'GB/s', boundName: 'gather+scatter', percentOfBound: (100 * gbs) / bounds[t].gatherScatterGBs, speedup: refMs / ms,
    });
  }
  if (gpuOk && gpuState && gpuBatches) {
    const { ms, note } = await timeGpu((i) => step(gpuState, gpuBatches, i + 3));
    results.push({
      kernel: spec.kernel, backend: 'webgpu', threads: null, size, timeMs: ms, throughput: `${((BATCH / ms) * 1e3 / 1e6).toFixed(2)} M rows/s`,
      rate: (distinct * spec.bytesPerRow) / ms / 1e6, rateUnit: 'GB/s', boundName: null, percentOfBound: null, speedup: refMs / ms, note,
    });
  }
  if (spec.kernel === 'sparse_adagrad') {
    // Against the hand-written C loop over the same batches in the same rounds
    // (bound_adagrad_loop: f32, no merge, no id checks), five interleaved rounds, medians.
    const [param, sum] = natState.map((t) => hostF32(t));
    const [flatIds, flatValues] = [joined(batchIds), joined(batchValues)];
    for (const t of THREAD_COUNTS) {
      setNativeThreads(t);
      const [loopMs, perRow] = interleavedMedians(5, [
        () => 1e3 / addon.bound_adagrad_loop(param, sum, DIM, flatIds, flatValues, 0.05, 1e-10, 3),
        () => timeCalls(100, 10, (i) => step(natState, natBatches, i)) / BATCH,
      ]);
      const loopShare = ((distinct * spec.bytesPerRow) / (loopMs * BATCH) / 1e6 / bounds[t].gatherScatterGBs) * 100;
      results.push(cLoopRow(spec.kernel, t, size, perRow * BATCH, loopMs, 'rows',
        `the hand-written C loop ${((1 / loopMs) * 1e3 / 1e6).toFixed(2)} M rows/s (${loopShare.toFixed(0)} % of gather+scatter) in the same rounds`));
    }
  }
  disposeAll(gpuState, gpuBatches);
}

// ---- bpr_step --------------------------------------------------------------------
// Plain LearnBPR (5 inputs), then MRLR's ranking term with categories (8 inputs): every item has
// 2–6 of 10,000 categories (CSR), so a triple also reads and writes |C_i| + |C_j| category rows.
if (wanted('bpr_step')) {
  const P0 = uniform(7, ROWS * DIM, -0.1, 0.1);
  const Q0 = uniform(8, ROWS * DIM, -0.1, 0.1);
  const triples = Array.from({ length: BATCHES }, (_, b) => [randomIds(3000 + b, BATCH, ROWS), randomIds(4000 + b, BATCH, ROWS), randomIds(5000 + b, BATCH, ROWS)]);
  for (const withCategories of [false, true]) {
    const cats = withCategories ? itemCategories(ROWS) : undefined;
    const state = (backend: Backend) => ({
      P: tensor(P0, [ROWS, DIM], { backend }), Q: tensor(Q0, [ROWS, DIM], { backend }),
      batches: triples.map((ts) => ts.map((a) => tensor(a, undefined, { backend }))),
      extra: cats ? [tensor(cats.X0, [CATEGORIES, DIM], { backend }), tensor(cats.indptr, undefined, { backend }), tensor(cats.indices, undefined, { backend })] : [],
    });
    // Rows read and written per triple: p_u, q_i, q_j and, with categories, the rows of C_i and C_j (their mean over the batches).
    const categoryRows = cats ? triples.reduce((n, [, i, j]) => n + cats.rowsOf(i) + cats.rowsOf(j), 0) / (BATCHES * BATCH) : 0;
    const size = `${ROWS.toLocaleString('en')} × ${DIM} (users and items), batch ${BATCH} triples` +
      (cats ? `, ${CATEGORIES.toLocaleString('en')} categories (2–6 per item, ${categoryRows.toFixed(1)} rows per triple)` : '');
    const onGpu = gpuFor('bpr_step', size, 4 * ROWS * DIM);
    const ref = state(js);
    const nat = state(native);
    const gpuState = onGpu && state(onGpu);
    const attrs = { lr: 0.05, reg: 0.0025, ...(cats ? { extraWeight: 0.3 } : {}) };
    // The deterministic runs pass parts = the thread count, as the models do (category_parts.ts).
    let parts = 1;
    const stepOut = (s: ReturnType<typeof state>, i: number, hogwild = false): Tensor[] => runKernel('bpr_step', [s.P, s.Q, ...s.batches[i % BATCHES], ...s.extra], { ...attrs, hogwild, parts });
    const step = (s: ReturnType<typeof state>, i: number, hogwild = false): number => hostF32(stepOut(s, i, hogwild)[0])[0];
    setNativeThreads(1);
    const refLosses: number[] = [];
    for (let i = 0; i < 3; i++) {
      refLosses.push(step(ref, i));
      assertClose([step(nat, i)], [refLosses[i]], { atol: 1e-6, rtol: 1e-5 }, 'bpr_step loss');
    }
    assertClose(hostF32(nat.P), hostF32(ref.P), { atol: 1e-6, rtol: 1e-5 }, 'bpr_step user factors');
    assertClose(hostF32(nat.Q), hostF32(ref.Q), { atol: 1e-6, rtol: 1e-5 }, 'bpr_step item factors');
    if (cats) assertClose(hostF32(nat.extra[0]), hostF32(ref.extra[0]), { atol: 1e-6, rtol: 1e-5 }, 'bpr_step category factors');
    const gpuOk = gpuState && await gpuChecked('bpr_step', size, async () => {
      for (let i = 0; i < 3; i++) assertClose(await stepOut(gpuState, i)[0].read(), [refLosses[i]], { atol: 1e-6, rtol: 1e-5 }, 'bpr_step webgpu loss');
      assertClose(await gpuState.P.read(), hostF32(ref.P), { atol: 1e-6, rtol: 1e-5 }, 'bpr_step webgpu user factors');
      assertClose(await gpuState.Q.read(), hostF32(ref.Q), { atol: 1e-6, rtol: 1e-5 }, 'bpr_step webgpu item factors');
      if (cats) assertClose(await gpuState.extra[0].read(), hostF32(ref.extra[0]), { atol: 1e-6, rtol: 1e-5 }, 'bpr_step webgpu category factors');
    });
    const bytes = BATCH * (3 + categoryRows) * 2 * 4 * DIM;
    const refMs = timeCalls(15, 2, (i) => step(ref, i + 3));
    results.push({ kernel: 'bpr_step', backend: 'js', threads: null, size, timeMs: refMs, throughput: `${((BATCH / refMs) * 1e3 / 1e6).toFixed(2)} M triples/s`, rate: bytes / refMs / 1e6, rateUnit: 'GB/s', boundName: null, percentOfBound: null, speedup: 1 });
    for (const t of THREAD_COUNTS) {
      setNativeThreads(t);
      parts = t;
      const ms = timeCalls(200, 20, (i) => step(nat, i));
      const gbs = bytes / ms / 1e6;
      results.push({
        kernel: 'bpr_step', backend: 'native', threads: t, size, timeMs: ms, throughput: `${((BATCH / ms) * 1e3 / 1e6).toFixed(2)} M triples/s`,
        rate: gbs, rateUnit: 'GB/s', boundName: 'gather+scatter', percentOfBound: (100 * gbs) / bounds[t].gatherScatterGBs, speedup: refMs / ms,
        note: `deterministic (row-ordered schedule${cats ? `, parts ${t}` : ''}, bitwise = js)`,
      });
      if (t > 1) {
        // Hogwild in the same run, interleaved with the deterministic default so load drifts hit both alike.
        const [hogMs, detMs] = interleavedMedians(5, [() => timeCalls(100, 10, (i) => step(nat, i, true)), () => timeCalls(100, 10, (i) => step(nat, i))]);
        const ratio = detMs / hogMs;
        const hgbs = bytes / hogMs / 1e6;
        results.push({
          kernel: 'bpr_step', backend: 'native', threads: t, size, timeMs: hogMs, throughput: `${((BATCH / hogMs) * 1e3 / 1e6).toFixed(2)} M triples/s`,
          rate: hgbs, rateUnit: 'GB/s', boundName: 'gather+scatter', percentOfBound: (100 * hgbs) / bounds[t].gatherScatterGBs, speedup: refMs / hogMs,
          note: `Hogwild; deterministic / Hogwild = ${ratio.toFixed(3)}`,
        });
        console.log(`bpr_step${cats ? ` with categories (parts ${t})` : ''} ${t} threads: deterministic / Hogwild time = ${ratio.toFixed(3)} (medians of 5 interleaved runs)`);
      }
    }
    parts = 1; // webgpu is one serial pass: models give it one part
    if (gpuOk && gpuState) {
      const { ms, note } = await timeGpu((i) => stepOut(gpuState, i + 3));
      results.push({
        kernel: 'bpr_step', backend: 'webgpu', threads: null, size, timeMs: ms, throughput: `${((BATCH / ms) * 1e3 / 1e6).toFixed(2)} M triples/s`,
        rate: bytes / ms / 1e6, rateUnit: 'GB/s', boundName: null, percentOfBound: null, speedup: refMs / ms, note,
      });
    }
    disposeAll(gpuState);
  }
}

// bpr_step on cache-sized tables (9,746 users and items × 64, 2.5 MB each: the issue's size),
// against the hand-written C loop over the same triples in the same run (bound_bpr_loop: f32,
// FMA allowed, no loss and no bitwise contract). Five interleaved rounds; medians.
if (wanted('bpr_step')) {
  const rows = 9_746;
  const batches = Array.from({ length: BATCHES }, (_, b) => [randomIds(6000 + b, BATCH, rows), randomIds(7000 + b, BATCH, rows), randomIds(8000 + b, BATCH, rows)]);
  const flat = [0, 1, 2].map((k) => joined(batches.map((b) => b[k])));
  const P = uniform(9, rows * DIM, -0.1, 0.1);
  const Q = uniform(10, rows * DIM, -0.1, 0.1);
  const [Pt, Qt] = [tensor(P, [rows, DIM], { backend: native }), tensor(Q, [rows, DIM], { backend: native })];
  const ids = batches.map((b) => b.map((a) => tensor(a, undefined, { backend: native })));
  const step = (i: number, hogwild: boolean) => runKernel('bpr_step', [Pt, Qt, ...ids[i % BATCHES]], { lr: 0.05, reg: 0.0025, hogwild });
  const size = `${rows.toLocaleString('en')} × ${DIM} (users and items, cache-sized), batch ${BATCH} triples`;
  for (const t of THREAD_COUNTS) {
    setNativeThreads(t);
    const variants = t > 1 ? [false, true] : [false];
    const [loopMs, ...perTriple] = interleavedMedians(5, [
      () => 1e3 / addon.bound_bpr_loop(hostF32(Pt), hostF32(Qt), DIM, flat[0], flat[1], flat[2], 0.05, 0.0025, 3),
      ...variants.map((hogwild) => () => timeCalls(100, 10, (i) => step(i, hogwild)) / BATCH),
    ]);
    variants.forEach((hogwild, k) => {
      results.push(cLoopRow('bpr_step', t, size, perTriple[k] * BATCH, loopMs, 'triples',
        `${hogwild ? 'Hogwild' : 'deterministic'}; the hand-written C loop ${((1 / loopMs) * 1e3 / 1e6).toFixed(2)} M triples/s in the same rounds`));
    });
  }
}

// ---- neg_sample_exclude -------------------------------------------------------------
if (wanted('neg_sample_exclude')) {
  const rng = new Philox({ seed: 9, stream: 3 });
  const indptr = new Int32Array(TMALL.users + 1);
  const items: number[] = [];
  for (let u = 0; u < TMALL.users; u++) {
    const count = 1 + rng.int(80);
    const row = new Set<number>();
    while (row.size < count) row.add(rng.int(TMALL.items));
    items.push(...[...row].sort((a, b) => a - b));
    indptr[u + 1] = items.length;
  }
  const indices = Int32Array.from(items);
  const draws = 1 << 20;
  const users = randomIds(10, draws, TMALL.users);
  const inputs = (backend: Backend) => [users, indptr, indices].map((a) => tensor(a, undefined, { backend }));
  const size = `${draws.toLocaleString('en')} draws, Tmall-sized CSR (${TMALL.users.toLocaleString('en')} × ${TMALL.items.toLocaleString('en')})`;
  const onGpu = gpuFor('neg_sample_exclude', size, Math.max(users.byteLength, indices.byteLength));
  const refIn = inputs(js);
  const natIn = inputs(native);
  const gpuIn = onGpu && inputs(onGpu);
  const attrs = (i: number) => ({ numItems: TMALL.items, seed: 42, stream: 0, counter: i * draws * 8, maxTries: 8 });
  const run = (ins: Tensor[], i: number) => runKernel('neg_sample_exclude', ins, attrs(i));
  setNativeThreads(defaultThreads);
  const expected = hostData(run(refIn, 0)[0]);
  assertExact(hostData(run(natIn, 0)[0]), expected, 'neg_sample_exclude negatives');
  const gpuOk = gpuIn && await gpuChecked('neg_sample_exclude', size, async () => assertExact(await run(gpuIn, 0)[0].read(), expected, 'neg_sample_exclude webgpu negatives'));
  const refMs = timeCalls(3, 1, (i) => run(refIn, i));
  results.push({ kernel: 'neg_sample_exclude', backend: 'js', threads: null, size, timeMs: refMs, throughput: `${((draws / refMs) * 1e3 / 1e6).toFixed(1)} M draws/s`, rate: null, rateUnit: null, boundName: null, percentOfBound: null, speedup: 1 });
  for (const t of THREAD_COUNTS) {
    setNativeThreads(t);
    const ms = timeCalls(10, 2, (i) => run(natIn, i));
    results.push({ kernel: 'neg_sample_exclude', backend: 'native', threads: t, size, timeMs: ms, throughput: `${((draws / ms) * 1e3 / 1e6).toFixed(1)} M draws/s`, rate: null, rateUnit: null, boundName: null, percentOfBound: null, speedup: refMs / ms, note: 'Philox-bound; no memory bound applies' });
  }
  if (gpuOk && gpuIn) {
    const { ms, note } = await timeGpu((i) => run(gpuIn, i));
    results.push({ kernel: 'neg_sample_exclude', backend: 'webgpu', threads: null, size, timeMs: ms, throughput: `${((draws / ms) * 1e3 / 1e6).toFixed(1)} M draws/s`, rate: null, rateUnit: null, boundName: null, percentOfBound: null, speedup: refMs / ms, note });
  }
  disposeAll(gpuIn);
}

// ---- neg_sample_alias, neg_sample_category, neg_sample_multichannel ---------------------------
// 2²⁰ draws against Tmall-sized per-user CSRs; each checked exactly against the reference first.
if (wanted('neg_sample_alias', 'neg_sample_category', 'neg_sample_multichannel', 'neg_sample_cascade', 'sample_weighted_candidates')) {
  const rng = new Philox({ seed: 19, stream: 3 });
  const userCsr = (maxPerUser: number) => {
    const indptr = new Int32Array(TMALL.users + 1);
    const items: number[] = [];
    for (let u = 0; u < TMALL.users; u++) {
      const count = rng.int(maxPerUser + 1);
      const row = new Set<number>();
      while (row.size < count) row.add(rng.int(TMALL.items));
      items.push(...[...row].sort((a, b) => a - b));
      indptr[u + 1] = items.length;
    }
    return { indptr, indices: Int32Array.from(items) };
  };
  const bought = userCsr(40);
  const viewed = userCsr(40);
  const seenIndptr = new Int32Array(TMALL.users + 1);
  const seenItems: number[] = [];
  for (let u = 0; u < TMALL.users; u++) {
    const row = new Set([...bought.indices.subarray(bought.indptr[u], bought.indptr[u + 1]), ...viewed.indices.subarray(viewed.indptr[u], viewed.indptr[u + 1])]);
    seenItems.push(...[...row].sort((a, b) => a - b));
    seenIndptr[u + 1] = seenItems.length;
  }
  // Popularity ~ Zipf, smoothed to unigram^0.75; 500 leaves under 50 parents of 10.
  const table = AliasTable.fromWeights(unigramWeights(Array.from({ length: TMALL.items }, (_, j) => Math.floor(1e6 / (1 + j)))));
  const LEAVES = 500;
  const itemCategory = Int32Array.from({ length: TMALL.items }, (_, j) => j % LEAVES);
  const catIndptr = new Int32Array(LEAVES + 1);
  const catItems: number[] = [];
  const sibIndptr = new Int32Array(LEAVES + 1);
  const sibCats: number[] = [];
  for (let c = 0; c < LEAVES; c++) {
    for (let j = c; j < TMALL.items; j += LEAVES) catItems.push(j);
    catIndptr[c + 1] = catItems.length;
    for (let s = c - (c % 10); s < c - (c % 10) + 10; s++) if (s !== c) sibCats.push(s);
    sibIndptr[c + 1] = sibCats.length;
  }
  const draws = 1 << 20;
  const users = randomIds(20, draws, TMALL.users);
  const positives = randomIds(21, draws, TMALL.items);
  const T = 8;
  // neg_sample_cascade: behaviour-major row pointers over one shared index array (view = seen, buy = bought).
  const cascadeIndptr = new Int32Array(2 * (TMALL.users + 1));
  for (let u = 0; u <= TMALL.users; u++) {
    cascadeIndptr[u] = seenIndptr[u];
    cascadeIndptr[TMALL.users + 1 + u] = seenItems.length + bought.indptr[u];
  }
  const cascadeIndices = Int32Array.from([...seenItems, ...bought.indices]);
  // Positives the user viewed, so every row has at least one behaviour to pair with.
  const viewedPositives = users.map((u, r) => (seenIndptr[u + 1] > seenIndptr[u] ? seenItems[seenIndptr[u] + (r % (seenIndptr[u + 1] - seenIndptr[u]))] : 0));
  const candidateLists = randomIds(22, draws * 5, 1107);
  const candidateWeights = uniform(23, draws * 5, 0, 1).map((x) => Math.exp(6 * x));
  const cases: { kernel: string; arrays: (Int32Array | Float32Array)[]; attrs: (i: number) => Record<string, number>; shapes?: (number[] | undefined)[] }[] = [
    { kernel: 'neg_sample_alias', arrays: [table.prob, table.alias, users, bought.indptr, bought.indices], attrs: (i) => ({ count: draws, seed: 42, stream: 0, counter: i * draws * 2 * T, maxTries: T }) },
    {
      kernel: 'neg_sample_category',
      arrays: [users, positives, itemCategory, catIndptr, Int32Array.from(catItems), sibIndptr, Int32Array.from(sibCats), bought.indptr, bought.indices],
      attrs: (i) => ({ siblingRate: 0.5, seed: 42, stream: 0, counter: i * draws * (1 + 2 * T), maxTries: T }),
    },
    {
      kernel: 'neg_sample_multichannel',
      arrays: [users, viewed.indptr, viewed.indices, seenIndptr, Int32Array.from(seenItems)],
      attrs: (i) => ({ viewedRate: 0.3, numItems: TMALL.items, seed: 42, stream: 0, counter: i * draws * (1 + T), maxTries: T }),
    },
    {
      kernel: 'neg_sample_cascade',
      // Two behaviours (view ⊇ buy is not enforced here; the kernel only reads each CSR).
      arrays: [users, viewedPositives, cascadeIndptr, cascadeIndices],
      attrs: (i) => ({ numItems: TMALL.items, seed: 42, stream: 0, counter: i * draws * 2 * T, maxTries: T }),
      shapes: [undefined, undefined, [2, TMALL.users + 1], undefined],
    },
    {
      kernel: 'sample_weighted_candidates',
      // RetailRocket-like: 1,107 categories, a 20-long MLE candidate list per row, 4 draws each.
      arrays: [candidateLists, candidateWeights],
      attrs: (i) => ({ numSamples: 4, seed: 42, stream: 0, counter: i * (draws / 4) * 4 }),
      shapes: [[draws / 4, 20], [draws / 4, 20]],
    },
  ];
  for (const { kernel, arrays, attrs, shapes } of cases) {
    const size = `${draws.toLocaleString('en')} draws, Tmall-sized CSRs (${TMALL.users.toLocaleString('en')} × ${TMALL.items.toLocaleString('en')})`;
    const onGpu = gpuFor(kernel, size, Math.max(...arrays.map((a) => a.byteLength)));
    const inputs = (backend: Backend) => arrays.map((a, k) => tensor(a, shapes?.[k], { backend }));
    const refIn = inputs(js);
    const natIn = inputs(native);
    const gpuIn = onGpu && inputs(onGpu);
    const run = (ins: Tensor[], i: number) => runKernel(kernel, ins, attrs(i));
    setNativeThreads(defaultThreads);
    const expected = hostData(run(refIn, 0)[0]);
    assertExact(hostData(run(natIn, 0)[0]), expected, `${kernel} negatives`);
    const gpuOk = gpuIn && await gpuChecked(kernel, size, async () => assertExact(await run(gpuIn, 0)[0].read(), expected, `${kernel} webgpu negatives`));
    const refMs = timeCalls(3, 1, (i) => run(refIn, i));
    results.push({ kernel, backend: 'js', threads: null, size, timeMs: refMs, throughput: `${((draws / refMs) * 1e3 / 1e6).toFixed(1)} M draws/s`, rate: null, rateUnit: null, boundName: null, percentOfBound: null, speedup: 1 });
    for (const t of THREAD_COUNTS) {
      setNativeThreads(t);
      const ms = timeCalls(10, 2, (i) => run(natIn, i));
      results.push({ kernel, backend: 'native', threads: t, size, timeMs: ms, throughput: `${((draws / ms) * 1e3 / 1e6).toFixed(1)} M draws/s`, rate: null, rateUnit: null, boundName: null, percentOfBound: null, speedup: refMs / ms, note: 'Philox-bound; no memory bound applies' });
    }
    if (gpuOk && gpuIn) {
      const { ms, note } = await timeGpu((i) => run(gpuIn, i));
      results.push({ kernel, backend: 'webgpu', threads: null, size, timeMs: ms, throughput: `${((draws / ms) * 1e3 / 1e6).toFixed(1)} M draws/s`, rate: null, rateUnit: null, boundName: null, percentOfBound: null, speedup: refMs / ms, note });
    }
    disposeAll(gpuIn);
  }
}

// ---- rank_topk ---------------------------------------------------------------------------
if (wanted('rank_topk')) {
  const { users: B, items: n, dim: d, k } = TMALL;
  const U = uniform(11, B * d, -0.5, 0.5);
  const V = uniform(12, n * d, -0.5, 0.5);
  const rng = new Philox({ seed: 13, stream: 4 });
  const indptr = new Int32Array(B + 1);
  const maskItems: number[] = [];
  for (let b = 0; b < B; b++) {
    const count = rng.int(81); // mean 40
    const row = new Set<number>();
    while (row.size < count) row.add(rng.int(n));
    maskItems.push(...[...row].sort((x, y) => x - y));
    indptr[b + 1] = maskItems.length;
  }
  const mask = Int32Array.from(maskItems);
  const SUB = 1024;
  /** The webgpu block: lavapipe ranks about 60 users a second, so it is timed on 64 users and scaled, as the reference is. */
  const GPU_SUB = 64;
  const subInputs = (backend: Backend, users = SUB) => [
    tensor(U.subarray(0, users * d), [users, d], { backend }), tensor(V, [n, d], { backend }),
    tensor(indptr.slice(0, users + 1), undefined, { backend }), tensor(mask.slice(0, indptr[users]), undefined, { backend }),
  ];
  const refSub = runKernel('rank_topk', subInputs(js), { k });
  const t0 = process.hrtime.bigint();
  runKernel('rank_topk', subInputs(js), { k });
  const refMs = (Number(process.hrtime.bigint() - t0) / 1e6) * (B / SUB);
  setNativeThreads(defaultThreads);
  const natSub = runKernel('rank_topk', subInputs(native), { k });
  assertClose(hostF32(natSub[1]), hostF32(refSub[1]), { atol: 1e-5, rtol: 1e-5 }, 'rank_topk scores');
  const refTop = hostData(refSub[0]);
  const natTop = hostData(natSub[0]);
  let sameIds = 0;
  for (let i = 0; i < refTop.length; i++) if (refTop[i] === natTop[i]) sameIds++;
  const all = [tensor(U, [B, d], { backend: native }), tensor(V, [n, d], { backend: native }), tensor(indptr, undefined, { backend: native }), tensor(mask, undefined, { backend: native })];
  const flops = 2 * B * n * d;
  const size = `${B.toLocaleString('en')} users × ${n.toLocaleString('en')} items × ${d}, top-${k}, masked`;
  const onGpu = gpuFor('rank_topk', size, V.byteLength);
  const gpuSub = onGpu && subInputs(onGpu, GPU_SUB);
  let gpuSameIds = 0;
  const gpuOk = gpuSub && await gpuChecked('rank_topk', size, async () => {
    const [ids, scores] = runKernel('rank_topk', gpuSub, { k });
    assertClose(await scores.read(), hostF32(refSub[1]).subarray(0, GPU_SUB * k), { atol: 1e-5, rtol: 1e-5 }, 'rank_topk webgpu scores');
    const gpuTop = await ids.read();
    for (let i = 0; i < gpuTop.length; i++) if (gpuTop[i] === refTop[i]) gpuSameIds++;
  });
  results.push({ kernel: 'rank_topk', backend: 'js', threads: null, size, timeMs: refMs, throughput: `${((B / refMs) * 1e3).toFixed(0)} users/s`, rate: flops / refMs / 1e6, rateUnit: 'GFLOP/s', boundName: null, percentOfBound: null, speedup: 1, note: `(scaled) timed on ${SUB} users` });
  for (const t of THREAD_COUNTS) {
    setNativeThreads(t);
    const ms = timeCalls(3, 1, () => runKernel('rank_topk', all, { k }));
    const gflops = flops / ms / 1e6;
    results.push({
      kernel: 'rank_topk', backend: 'native', threads: t, size, timeMs: ms, throughput: `${((B / ms) * 1e3).toFixed(0)} users/s`,
      rate: gflops, rateUnit: 'GFLOP/s', boundName: 'FMA peak', percentOfBound: (100 * gflops) / bounds[t].fmaGFLOPs, speedup: refMs / ms,
      note: `${((100 * sameIds) / refTop.length).toFixed(3)} % of top-${k} ids identical to the reference on the checked block (rest: near-ties within f32 rounding)`,
    });
  }
  if (gpuOk && gpuSub) {
    const timed = await timeGpu(() => runKernel('rank_topk', gpuSub, { k }));
    const ms = timed.ms * (B / GPU_SUB);
    results.push({
      kernel: 'rank_topk', backend: 'webgpu', threads: null, size, timeMs: ms, throughput: `${((B / ms) * 1e3).toFixed(0)} users/s`,
      rate: flops / ms / 1e6, rateUnit: 'GFLOP/s', boundName: null, percentOfBound: null, speedup: refMs / ms,
      note: `(scaled) timed on ${GPU_SUB} users ${timed.note}; ${((100 * gpuSameIds) / (GPU_SUB * k)).toFixed(3)} % of top-${k} ids identical to the reference`,
    });
  }
  disposeAll(gpuSub);

  // One user against the whole catalogue, top-10: what a served request costs. Below 8 users
  // the kernel reads the item table in place instead of packing it first, so this row is
  // rated by the table's bytes read once against the stream (triad) bound; the 3 MB table
  // sits in the last-level cache between calls, so it can pass that DRAM-sized bound.
  const oneInputs = (backend: Backend) => [
    tensor(U.subarray(0, d), [1, d], { backend }), tensor(V, [n, d], { backend }),
    tensor(indptr.slice(0, 2), undefined, { backend }), tensor(mask.slice(0, indptr[1]), undefined, { backend }),
  ];
  const oneJs = oneInputs(js);
  const oneRef = runKernel('rank_topk', oneJs, { k: 10 });
  const oneRefMs = timeCalls(3, 1, () => runKernel('rank_topk', oneJs, { k: 10 }));
  const oneNative = oneInputs(native);
  setNativeThreads(1);
  const oneGot = runKernel('rank_topk', oneNative, { k: 10 });
  assertClose(hostF32(oneGot[1]), hostF32(oneRef[1]), { atol: 1e-5, rtol: 1e-5 }, 'rank_topk one-user scores');
  const oneMs = timeCalls(200, 20, () => runKernel('rank_topk', oneNative, { k: 10 }));
  const oneGBs = V.byteLength / oneMs / 1e6;
  results.push({
    kernel: 'rank_topk', backend: 'native', threads: 1, size: `1 user × ${n.toLocaleString('en')} items × ${d}, top-10 (one served request)`, timeMs: oneMs,
    throughput: `${(1e3 / oneMs).toFixed(0)} users/s`, rate: oneGBs, rateUnit: 'GB/s', boundName: 'stream triad', percentOfBound: (100 * oneGBs) / bounds[1].triadGBs,
    speedup: oneRefMs / oneMs, note: 'the item table read in place, 16 rows at a time transposed in registers (AVX-512)',
  });
  setNativeThreads(defaultThreads);
}
// ---- matmul ----------------------------------------------------------------------------------
// 1024² · 1024 f32, the issue's size, in the three layouts the models use (C = A·B for
// dense layers, A·Bᵀ for score matrices, Aᵀ·B for weight gradients); then the products of
// one transformer training step at the sequence models' sizes: SASRec's (128 sequences × 50
// positions = 6,400 tokens, d = 64: a projection, its input gradient, its weight gradient)
// and TIGER's feed-forward (128 histories × 81 tokens = 10,368, d = 64 ↔ 256). Rated against
// FMA peak (2·m·n·k flops). Checked first on the full product against the f64 reference.
if (wanted('matmul')) {
  const N = 1024;
  const cases: { size: string; m: number; n: number; k: number; transposeA: boolean; transposeB: boolean }[] = [];
  for (const [transposeA, transposeB] of [[false, false], [false, true], [true, false]] as const) {
    cases.push({ size: `${N}² · ${N}, ${transposeA ? 'Aᵀ' : 'A'}·${transposeB ? 'Bᵀ' : 'B'}`, m: N, n: N, k: N, transposeA, transposeB });
  }
  cases.push(
    { size: 'SASRec step: 6,400 × 64 · 64 × 64 (a projection)', m: 6400, n: 64, k: 64, transposeA: false, transposeB: false },
    { size: 'SASRec step: 6,400 × 64 · (64 × 64)ᵀ (its input gradient)', m: 6400, n: 64, k: 64, transposeA: false, transposeB: true },
    { size: 'SASRec step: (6,400 × 64)ᵀ · 6,400 × 64 (its weight gradient)', m: 64, n: 64, k: 6400, transposeA: true, transposeB: false },
    { size: 'TIGER step: 10,368 × 64 · 64 × 256 (feed-forward in)', m: 10368, n: 256, k: 64, transposeA: false, transposeB: false },
    { size: 'TIGER step: 10,368 × 256 · 256 × 64 (feed-forward out)', m: 10368, n: 64, k: 256, transposeA: false, transposeB: false },
    { size: 'TIGER step: (10,368 × 256)ᵀ · 10,368 × 64 (its weight gradient)', m: 256, n: 64, k: 10368, transposeA: true, transposeB: false },
  );
  for (const { size, m, n, k, transposeA, transposeB } of cases) {
    const attrs = { transposeA, transposeB };
    const a = uniform(21, m * k, -1, 1);
    const b = uniform(22, k * n, -1, 1);
    const ins = (backend: Backend) => [tensor(a, transposeA ? [k, m] : [m, k], { backend }), tensor(b, transposeB ? [n, k] : [k, n], { backend })];
    const flops = 2 * m * n * k;
    const onGpu = gpuFor('matmul', size, a.byteLength);
    const refIn = ins(js);
    const natIn = ins(native);
    const gpuIn = onGpu && ins(onGpu);
    setNativeThreads(defaultThreads);
    const ref = runKernel('matmul', refIn, attrs)[0];
    assertClose(hostF32(runKernel('matmul', natIn, attrs)[0]), hostF32(ref), { atol: 1e-6 * k, rtol: 1e-4 }, 'matmul');
    const gpuOk = gpuIn && await gpuChecked('matmul', size, async () => assertClose(await runKernel('matmul', gpuIn, attrs)[0].read(), hostF32(ref), { atol: 1e-6 * k, rtol: 1e-4 }, 'matmul webgpu'));
    const refMs = timeCalls(1, 0, () => runKernel('matmul', refIn, attrs));
    results.push({ kernel: 'matmul', backend: 'js', threads: null, size, timeMs: refMs, throughput: `${(flops / refMs / 1e6).toFixed(2)} GFLOP/s`, rate: flops / refMs / 1e6, rateUnit: 'GFLOP/s', boundName: null, percentOfBound: null, speedup: 1 });
    for (const t of THREAD_COUNTS) {
      setNativeThreads(t);
      const ms = timeCalls(10, 2, () => runKernel('matmul', natIn, attrs));
      const gflops = flops / ms / 1e6;
      results.push({
        kernel: 'matmul', backend: 'native', threads: t, size, timeMs: ms, throughput: `${gflops.toFixed(1)} GFLOP/s`,
        rate: gflops, rateUnit: 'GFLOP/s', boundName: 'FMA peak', percentOfBound: (100 * gflops) / bounds[t].fmaGFLOPs, speedup: refMs / ms,
      });
    }
    if (gpuOk && gpuIn) {
      const { ms, note } = await timeGpu(() => runKernel('matmul', gpuIn, attrs));
      const gflops = flops / ms / 1e6;
      results.push({ kernel: 'matmul', backend: 'webgpu', threads: null, size, timeMs: ms, throughput: `${gflops.toFixed(1)} GFLOP/s`, rate: gflops, rateUnit: 'GFLOP/s', boundName: null, percentOfBound: null, speedup: refMs / ms, note });
    }
    disposeAll(gpuIn);
  }
}
// ---- sampled_softmax, sampled_softmax_grad ---------------------------------------------------
// A batch of 1,024 rows against 1,024 classes sampled from a 1,000,000 × 64 table (bias
// included, accidental hits masked). Rated against FMA peak: forward 2·B·S·d flops (the
// logit product), backward 3·2·B·S·d (logits again, Δ·W_S and Δᵀ·H).
if (wanted('sampled_softmax', 'sampled_softmax_grad')) {
  const B = BATCH;
  const S = 1024;
  const W = uniform(31, ROWS * DIM, -0.1, 0.1);
  const bias = uniform(32, ROWS, -0.1, 0.1);
  const base = [uniform(33, B * DIM, -1, 1), W, randomIds(34, B, ROWS), randomIds(35, S, ROWS), uniform(36, B, -14, -10), uniform(37, S, -14, -10)] as const;
  const dLoss = uniform(38, B, 0.5, 1.5);
  const make = (backend: Backend, withGrad: boolean) => [
    tensor(base[0], [B, DIM], { backend }), tensor(base[1], [ROWS, DIM], { backend }), tensor(base[2], undefined, { backend }),
    tensor(base[3], undefined, { backend }), tensor(base[4], undefined, { backend }), tensor(base[5], undefined, { backend }),
    ...(withGrad ? [tensor(dLoss, undefined, { backend })] : []), tensor(bias, undefined, { backend }),
  ];
  const attrs = { removeAccidentalHits: true };
  const variants = [{ kernel: 'sampled_softmax', withGrad: false, flops: 2 * B * S * DIM }, { kernel: 'sampled_softmax_grad', withGrad: true, flops: 6 * B * S * DIM }] as const;
  for (const { kernel, withGrad, flops } of variants) {
    const size = `B ${B}, S ${S} sampled of ${ROWS.toLocaleString('en')} × ${DIM}, bias, hits masked`;
    const onGpu = gpuFor(kernel, size, W.byteLength);
    const refIn = make(js, withGrad);
    const natIn = make(native, withGrad);
    const gpuIn = onGpu && make(onGpu, withGrad);
    setNativeThreads(defaultThreads);
    const ref = runKernel(kernel, refIn, attrs);
    runKernel(kernel, natIn, attrs).forEach((t, o) => assertClose(hostF32(t), hostF32(ref[o]), { atol: 1e-5, rtol: 1e-5 }, `${kernel} output ${o}`));
    const gpuOk = gpuIn && await gpuChecked(kernel, size, async () => {
      for (const [o, t] of runKernel(kernel, gpuIn, attrs).entries()) assertClose(await t.read(), hostF32(ref[o]), { atol: 1e-5, rtol: 1e-5 }, `${kernel} webgpu output ${o}`);
    });
    const refMs = timeCalls(3, 1, () => runKernel(kernel, refIn, attrs));
    results.push({ kernel, backend: 'js', threads: null, size, timeMs: refMs, throughput: `${((B / refMs) * 1e3 / 1e3).toFixed(1)} k rows/s`, rate: flops / refMs / 1e6, rateUnit: 'GFLOP/s', boundName: null, percentOfBound: null, speedup: 1 });
    for (const t of THREAD_COUNTS) {
      setNativeThreads(t);
      const ms = timeCalls(20, 3, () => runKernel(kernel, natIn, attrs));
      const gflops = flops / ms / 1e6;
      results.push({
        kernel, backend: 'native', threads: t, size, timeMs: ms, throughput: `${((B / ms) * 1e3 / 1e3).toFixed(1)} k rows/s`,
        rate: gflops, rateUnit: 'GFLOP/s', boundName: 'FMA peak', percentOfBound: (100 * gflops) / bounds[t].fmaGFLOPs, speedup: refMs / ms,
      });
    }
    if (gpuOk && gpuIn) {
      const { ms, note } = await timeGpu(() => runKernel(kernel, gpuIn, attrs));
      results.push({
        kernel, backend: 'webgpu', threads: null, size, timeMs: ms, throughput: `${((B / ms) * 1e3 / 1e3).toFixed(1)} k rows/s`,
        rate: flops / ms / 1e6, rateUnit: 'GFLOP/s', boundName: null, percentOfBound: null, speedup: refMs / ms, note,
      });
    }
    disposeAll(gpuIn);
  }
}
// ---- skipgram_step ---------------------------------------------------------------------------
// MRLR's step: context α1·u + α2·v (Tmall-sized user table, 1,000,000-row item tables),
// target + 5 negatives from the item output table, each with its 2–6 categories (10,000
// categories, CSR; Eq. 7's mean category vector), batches of 1,024 pairs. Rated against
// gather+scatter for the random rows it must read and write: u, v and 6 × (w + its category
// rows) rows of 64 floats, read and written (about 2 × 32 × 256 B per pair).
if (wanted('skipgram_step')) {
  const N = 5;
  const U0 = uniform(41, TMALL.users * DIM, -0.1, 0.1);
  const V0 = uniform(42, ROWS * DIM, -0.1, 0.1);
  const W0 = uniform(43, ROWS * DIM, -0.1, 0.1);
  const cats = itemCategories(ROWS);
  const batches = Array.from({ length: BATCHES }, (_, b) => [randomIds(6000 + b, BATCH, TMALL.users), randomIds(7000 + b, BATCH, ROWS), randomIds(8000 + b, BATCH, ROWS), randomIds(9000 + b, BATCH * N, ROWS)]);
  const state = (backend: Backend) => ({
    tables: [tensor(U0, [TMALL.users, DIM], { backend }), tensor(V0, [ROWS, DIM], { backend }), tensor(W0, [ROWS, DIM], { backend })],
    extra: [tensor(cats.X0, [CATEGORIES, DIM], { backend }), tensor(cats.indptr, undefined, { backend }), tensor(cats.indices, undefined, { backend })],
    batches: batches.map(([u, v, t, n]) => [tensor(u, undefined, { backend }), tensor(v, undefined, { backend }), tensor(t, undefined, { backend }), tensor(n, [BATCH, N], { backend })]),
  });
  // Category rows per pair: those of the target and the N negatives (their mean over the batches).
  const categoryRows = batches.reduce((n, [, , t, negs]) => n + cats.rowsOf(t) + cats.rowsOf(negs), 0) / (BATCHES * BATCH);
  const size = `u ${TMALL.users.toLocaleString('en')}, v and v′ ${ROWS.toLocaleString('en')} × ${DIM}, ${CATEGORIES.toLocaleString('en')} categories (2–6 per item, ` +
    `${categoryRows.toFixed(1)} rows per pair), batch ${BATCH} pairs × ${N} negatives`;
  const onGpu = gpuFor('skipgram_step', size, V0.byteLength);
  const ref = state(js);
  const nat = state(native);
  const gpuState = onGpu && state(onGpu);
  const attrs = { alpha1: 0.5, alpha2: 0.5, extraWeight: 0.3, lr: 0.025, reg: 1e-4 };
  // The deterministic runs pass parts = the thread count, as the models do (category_parts.ts).
  let parts = 1;
  const stepOut = (s: ReturnType<typeof state>, i: number, hogwild = false): Tensor[] => runKernel('skipgram_step', [...s.tables, ...s.batches[i % BATCHES], ...s.extra], { ...attrs, hogwild, parts });
  const step = (s: ReturnType<typeof state>, i: number, hogwild = false): number => hostF32(stepOut(s, i, hogwild)[0])[0];
  setNativeThreads(1);
  const refLosses: number[] = [];
  for (let i = 0; i < 3; i++) {
    refLosses.push(step(ref, i));
    assertClose([step(nat, i)], [refLosses[i]], { atol: 1e-5, rtol: 1e-5 }, 'skipgram_step loss');
  }
  [...ref.tables, ref.extra[0]].forEach((t, k) => assertClose(hostF32([...nat.tables, nat.extra[0]][k]), hostF32(t), { atol: 1e-5, rtol: 1e-5 }, `skipgram_step table ${k}`));
  const gpuOk = gpuState && await gpuChecked('skipgram_step', size, async () => {
    for (let i = 0; i < 3; i++) assertClose(await stepOut(gpuState, i)[0].read(), [refLosses[i]], { atol: 1e-5, rtol: 1e-5 }, 'skipgram_step webgpu loss');
    const gpuTables = [...gpuState.tables, gpuState.extra[0]];
    for (const [k, t] of [...ref.tables, ref.extra[0]].entries()) assertClose(await gpuTables[k].read(), hostF32(t), { atol: 1e-5, rtol: 1e-5 }, `skipgram_step webgpu table ${k}`);
  });
  const bytes = BATCH * (2 + (N + 1) + categoryRows) * 2 * 4 * DIM;
  const refMs = timeCalls(10, 2, (i) => step(ref, i + 3));
  results.push({ kernel: 'skipgram_step', backend: 'js', threads: null, size, timeMs: refMs, throughput: `${((BATCH / refMs) * 1e3 / 1e6).toFixed(2)} M pairs/s`, rate: bytes / refMs / 1e6, rateUnit: 'GB/s', boundName: null, percentOfBound: null, speedup: 1 });
  for (const t of THREAD_COUNTS) {
    setNativeThreads(t);
    parts = t;
    const ms = timeCalls(100, 10, (i) => step(nat, i));
    const gbs = bytes / ms / 1e6;
    results.push({
      kernel: 'skipgram_step', backend: 'native', threads: t, size, timeMs: ms, throughput: `${((BATCH / ms) * 1e3 / 1e6).toFixed(2)} M pairs/s`,
      rate: gbs, rateUnit: 'GB/s', boundName: 'gather+scatter', percentOfBound: (100 * gbs) / bounds[t].gatherScatterGBs, speedup: refMs / ms,
      note: `deterministic (row-ordered schedule, parts ${t}, bitwise = js)`,
    });
    if (t > 1) {
      const [hogMs, detMs] = interleavedMedians(5, [() => timeCalls(40, 5, (i) => step(nat, i, true)), () => timeCalls(40, 5, (i) => step(nat, i))]);
      const ratio = detMs / hogMs;
      const hgbs = bytes / hogMs / 1e6;
      results.push({
        kernel: 'skipgram_step', backend: 'native', threads: t, size, timeMs: hogMs, throughput: `${((BATCH / hogMs) * 1e3 / 1e6).toFixed(2)} M pairs/s`,
        rate: hgbs, rateUnit: 'GB/s', boundName: 'gather+scatter', percentOfBound: (100 * hgbs) / bounds[t].gatherScatterGBs, speedup: refMs / hogMs,
        note: `Hogwild; deterministic / Hogwild = ${ratio.toFixed(3)}`,
      });
      console.log(`skipgram_step (parts ${t}) ${t} threads: deterministic / Hogwild time = ${ratio.toFixed(3)} (medians of 5 interleaved runs)`);
    }
  }
  parts = 1; // webgpu is one serial pass: models give it one part
  if (gpuOk && gpuState) {
    const { ms, note } = await timeGpu((i) => stepOut(gpuState, i + 3));
    results.push({
      kernel: 'skipgram_step', backend: 'webgpu', threads: null, size, timeMs: ms, throughput: `${((BATCH / ms) * 1e3 / 1e6).toFixed(2)} M pairs/s`,
      rate: bytes / ms / 1e6, rateUnit: 'GB/s', boundName: null, percentOfBound: null, speedup: refMs / ms, note,
    });
  }
  disposeAll(gpuState);
}
// ---- bpr_sample_step ----------------------------------------------------------------------------
// LearnBPR with each negative drawn inside (uniform over the items the user has not bought) on
// the 1,000,000 × 64 tables: every user has 20 positives (CSR), batches of 1,024 (u, i);
// beside it, neg_sample_exclude + bpr_step apart (what it replaces). Rated against gather+scatter
// for the three rows per triple, as bpr_step.
if (wanted('bpr_sample_step')) {
  const P0 = uniform(17, ROWS * DIM, -0.1, 0.1);
  const Q0 = uniform(18, ROWS * DIM, -0.1, 0.1);
  const PER_USER = 20;
  const seenIndptr = Int32Array.from({ length: ROWS + 1 }, (_, u) => u * PER_USER);
  const seenIndices = new Int32Array(ROWS * PER_USER);
  for (let u = 0; u < ROWS; u++) seenIndices.set(Int32Array.from(new Set(randomIds(u, PER_USER, ROWS))).sort().slice(0, PER_USER), u * PER_USER);
  // Distinct sorted rows of exactly PER_USER: pad a row that drew a duplicate with the next ids past its maximum.
  for (let u = 0; u < ROWS; u++) {
    const row = seenIndices.subarray(u * PER_USER, (u + 1) * PER_USER);
    for (let k = 1; k < PER_USER; k++) if (row[k] <= row[k - 1]) row[k] = row[k - 1] + 1;
    if (row[PER_USER - 1] >= ROWS) for (let k = 0; k < PER_USER; k++) row[k] = k;
  }
  const pairs = Array.from({ length: BATCHES }, (_, b) => [randomIds(3500 + b, BATCH, ROWS), randomIds(4500 + b, BATCH, ROWS)]);
  const state = (backend: Backend) => ({
    P: tensor(P0, [ROWS, DIM], { backend }), Q: tensor(Q0, [ROWS, DIM], { backend }),
    seen: [tensor(seenIndptr, undefined, { backend }), tensor(seenIndices, undefined, { backend })],
    batches: pairs.map((ts) => ts.map((a) => tensor(a, undefined, { backend }))),
  });
  const size = `${ROWS.toLocaleString('en')} × ${DIM} (users and items), batch ${BATCH} (u, i), negatives drawn inside (${PER_USER} positives per user)`;
  const onGpu = gpuFor('bpr_sample_step', size, Math.max(P0.byteLength, seenIndices.byteLength));
  const ref = state(js);
  const nat = state(native);
  const gpuState = onGpu && state(onGpu);
  const draw = (i: number) => ({ seed: 1, stream: 0, counter: i * BATCH * 32, maxTries: 32 });
  const fusedOut = (s: ReturnType<typeof state>, i: number): Tensor[] =>
    runKernel('bpr_sample_step', [s.P, s.Q, ...s.batches[i % BATCHES], ...s.seen], { lr: 0.05, reg: 0.0025, ...draw(i) });
  const fused = (s: ReturnType<typeof state>, i: number): number => hostF32(fusedOut(s, i)[0])[0];
  const apart = (s: ReturnType<typeof state>, i: number): number => tidy(() => {
    const [u, pos] = s.batches[i % BATCHES];
    const [negs] = runKernel('neg_sample_exclude', [u, ...s.seen], { numItems: ROWS, ...draw(i) });
    return hostF32(runKernel('bpr_step', [s.P, s.Q, u, pos, negs], { lr: 0.05, reg: 0.0025 })[0])[0];
  });
  setNativeThreads(1);
  const refLosses: number[] = [];
  for (let i = 0; i < 3; i++) {
    refLosses.push(fused(ref, i));
    assertClose([fused(nat, i)], [refLosses[i]], { atol: 1e-6, rtol: 1e-5 }, 'bpr_sample_step loss');
  }
  assertClose(hostF32(nat.P), hostF32(ref.P), { atol: 1e-6, rtol: 1e-5 }, 'bpr_sample_step user factors');
  assertClose(hostF32(nat.Q), hostF32(ref.Q), { atol: 1e-6, rtol: 1e-5 }, 'bpr_sample_step item factors');
  const gpuOk = gpuState && await gpuChecked('bpr_sample_step', size, async () => {
    for (let i = 0; i < 3; i++) assertClose(await fusedOut(gpuState, i)[0].read(), [refLosses[i]], { atol: 1e-6, rtol: 1e-5 }, 'bpr_sample_step webgpu loss');
    assertClose(await gpuState.P.read(), hostF32(ref.P), { atol: 1e-6, rtol: 1e-5 }, 'bpr_sample_step webgpu user factors');
    assertClose(await gpuState.Q.read(), hostF32(ref.Q), { atol: 1e-6, rtol: 1e-5 }, 'bpr_sample_step webgpu item factors');
  });
  const bytes = BATCH * 3 * 2 * 4 * DIM;
  const refMs = timeCalls(15, 2, (i) => fused(ref, i + 3));
  results.push({ kernel: 'bpr_sample_step', backend: 'js', threads: null, size, timeMs: refMs, throughput: `${((BATCH / refMs) * 1e3 / 1e6).toFixed(2)} M triples/s`, rate: bytes / refMs / 1e6, rateUnit: 'GB/s', boundName: null, percentOfBound: null, speedup: 1 });
  for (const t of THREAD_COUNTS) {
    setNativeThreads(t);
    const ms = timeCalls(200, 20, (i) => fused(nat, i));
    const apartMs = timeCalls(200, 20, (i) => apart(nat, i));
    const gbs = bytes / ms / 1e6;
    results.push({
      kernel: 'bpr_sample_step', backend: 'native', threads: t, size, timeMs: ms, throughput: `${((BATCH / ms) * 1e3 / 1e6).toFixed(2)} M triples/s`,
      rate: gbs, rateUnit: 'GB/s', boundName: 'gather+scatter', percentOfBound: (100 * gbs) / bounds[t].gatherScatterGBs, speedup: refMs / ms,
      note: `deterministic; neg_sample_exclude + bpr_step apart: ${apartMs.toFixed(3)} ms (fused ${(apartMs / ms).toFixed(2)}× faster)`,
    });
  }
  if (gpuOk && gpuState) {
    const { ms, note } = await timeGpu((i) => fusedOut(gpuState, i + 3));
    results.push({
      kernel: 'bpr_sample_step', backend: 'webgpu', threads: null, size, timeMs: ms, throughput: `${((BATCH / ms) * 1e3 / 1e6).toFixed(2)} M triples/s`,
      rate: bytes / ms / 1e6, rateUnit: 'GB/s', boundName: null, percentOfBound: null, speedup: refMs / ms, note,
    });
  }
  disposeAll(gpuState);
}
// ---- skipgram_sample_step -----------------------------------------------------------------------
// Item2Vec's step (plain skip-gram: α2 = 0, λ = 0, no categories) on the 1,000,000-row item
// tables, its 5 negatives per pair drawn inside the kernel from a Zipf unigram^0.75 alias
// table; beside it, the same step as neg_sample_alias + skipgram_step (what it replaces), on
// native. Rated against gather+scatter for the rows it must read and write: the context row
// and 6 output rows of 64 floats per pair.
if (wanted('skipgram_sample_step')) {
  const N = 5;
  const noise = AliasTable.fromWeights(unigramWeights(Array.from({ length: ROWS }, (_, j) => Math.floor(1e6 / (1 + j)) + 1)));
  const batches = Array.from({ length: BATCHES }, (_, b) => [randomIds(6500 + b, BATCH, ROWS), new Int32Array(BATCH), randomIds(8500 + b, BATCH, ROWS)]);
  const state = (backend: Backend) => ({
    tables: [tensor(uniform(44, ROWS * DIM, -0.1, 0.1), [ROWS, DIM], { backend }), tensor(new Float32Array(DIM), [1, DIM], { backend }), tensor(uniform(45, ROWS * DIM, -0.1, 0.1), [ROWS, DIM], { backend })],
    noise: [tensor(noise.prob, undefined, { backend }), tensor(noise.alias, undefined, { backend })],
    batches: batches.map((ids) => ids.map((x) => tensor(x, undefined, { backend }))),
  });
  const size = `v and v′ ${ROWS.toLocaleString('en')} × ${DIM}, batch ${BATCH} pairs × ${N} negatives drawn inside (alias table of ${ROWS.toLocaleString('en')})`;
  const onGpu = gpuFor('skipgram_sample_step', size, 4 * ROWS * DIM);
  const ref = state(js);
  const nat = state(native);
  const gpuState = onGpu && state(onGpu);
  const attrs = { alpha1: 1, alpha2: 0, extraWeight: 0, lr: 0.025, reg: 0 };
  const draw = (i: number) => ({ seed: 1, stream: 0, counter: 2 * i * BATCH * N });
  const fusedOut = (s: ReturnType<typeof state>, i: number): Tensor[] =>
    runKernel('skipgram_sample_step', [...s.tables, ...s.batches[i % BATCHES], ...s.noise], { ...attrs, negatives: N, ...draw(i) });
  const fused = (s: ReturnType<typeof state>, i: number): number => hostF32(fusedOut(s, i)[0])[0];
  const composed = (s: ReturnType<typeof state>, i: number): number => tidy(() => {
    const [negs] = runKernel('neg_sample_alias', s.noise, { count: BATCH * N, maxTries: 1, ...draw(i) });
    return hostF32(runKernel('skipgram_step', [...s.tables, ...s.batches[i % BATCHES], reshape(negs, [BATCH, N])], attrs)[0])[0];
  });
  setNativeThreads(1);
  const refLosses: number[] = [];
  for (let i = 0; i < 3; i++) {
    refLosses.push(fused(ref, i));
    assertClose([fused(nat, i)], [refLosses[i]], { atol: 1e-5, rtol: 1e-5 }, 'skipgram_sample_step loss');
  }
  ref.tables.forEach((t, k) => assertClose(hostF32(nat.tables[k]), hostF32(t), { atol: 1e-5, rtol: 1e-5 }, `skipgram_sample_step table ${k}`));
  const gpuOk = gpuState && await gpuChecked('skipgram_sample_step', size, async () => {
    for (let i = 0; i < 3; i++) assertClose(await fusedOut(gpuState, i)[0].read(), [refLosses[i]], { atol: 1e-5, rtol: 1e-5 }, 'skipgram_sample_step webgpu loss');
    for (const [k, t] of ref.tables.entries()) assertClose(await gpuState.tables[k].read(), hostF32(t), { atol: 1e-5, rtol: 1e-5 }, `skipgram_sample_step webgpu table ${k}`);
  });
  const bytes = BATCH * (1 + N + 1) * 2 * 4 * DIM;
  const refMs = timeCalls(10, 2, (i) => fused(ref, i + 3));
  results.push({ kernel: 'skipgram_sample_step', backend: 'js', threads: null, size, timeMs: refMs, throughput: `${((BATCH / refMs) * 1e3 / 1e6).toFixed(2)} M pairs/s`, rate: bytes / refMs / 1e6, rateUnit: 'GB/s', boundName: null, percentOfBound: null, speedup: 1 });
  for (const t of THREAD_COUNTS) {
    setNativeThreads(t);
    const ms = timeCalls(100, 10, (i) => fused(nat, i));
    const apartMs = timeCalls(100, 10, (i) => composed(nat, i));
    const gbs = bytes / ms / 1e6;
    results.push({
      kernel: 'skipgram_sample_step', backend: 'native', threads: t, size, timeMs: ms, throughput: `${((BATCH / ms) * 1e3 / 1e6).toFixed(2)} M pairs/s`,
      rate: gbs, rateUnit: 'GB/s', boundName: 'gather+scatter', percentOfBound: (100 * gbs) / bounds[t].gatherScatterGBs, speedup: refMs / ms,
      note: `deterministic; neg_sample_alias + skipgram_step apart: ${apartMs.toFixed(3)} ms (fused ${(apartMs / ms).toFixed(2)}× faster)`,
    });
  }
  {
    // Against word2vec's loop written in C (bound_sgns_loop: f32, no loss, no bitwise contract)
    // over the same pairs and the negatives the kernel draws for them (neg_sample_alias with
    // the same counters), five rounds interleaved with the kernel; medians. The loop is given
    // its negatives, the kernel draws its own: the comparison favours the loop.
    const [contexts, positives] = [0, 2].map((k) => joined(batches.map((b) => b[k])));
    const negatives = joined(Array.from({ length: BATCHES }, (_, b) =>
      tidy(() => (hostData(runKernel('neg_sample_alias', nat.noise, { count: BATCH * N, maxTries: 1, ...draw(b) })[0]) as Int32Array).slice())));
    const [V, W] = [hostF32(nat.tables[0]), hostF32(nat.tables[2])];
    for (const t of THREAD_COUNTS) {
      setNativeThreads(t);
      const [loopMs, perPair] = interleavedMedians(5, [
        () => 1e3 / addon.bound_sgns_loop(V, W, DIM, contexts, positives, negatives, N, 0.025, 3),
        () => timeCalls(50, 5, (i) => fused(nat, i)) / BATCH,
      ]);
      const loopShare = (bytes / (loopMs * BATCH) / 1e6 / bounds[t].gatherScatterGBs) * 100;
      results.push(cLoopRow('skipgram_sample_step', t, size, perPair * BATCH, loopMs, 'pairs',
        `word2vec's loop in C ${((1 / loopMs) * 1e3 / 1e6).toFixed(2)} M pairs/s (${loopShare.toFixed(0)} % of gather+scatter) in the same rounds`));
    }
  }
  if (gpuOk && gpuState) {
    const { ms, note } = await timeGpu((i) => fusedOut(gpuState, i + 3));
    results.push({
      kernel: 'skipgram_sample_step', backend: 'webgpu', threads: null, size, timeMs: ms, throughput: `${((BATCH / ms) * 1e3 / 1e6).toFixed(2)} M pairs/s`,
      rate: bytes / ms / 1e6, rateUnit: 'GB/s', boundName: null, percentOfBound: null, speedup: refMs / ms, note,
    });
  }
  disposeAll(gpuState);
}
// ---- dense_bias_act ----------------------------------------------------------------------------
// An MLP tower layer: a batch of 4,096 rows, 256 → 256, relu. Rated against FMA peak (2·m·k·n).
if (wanted('dense_bias_act')) {
  const [m, k, n] = [4096, 256, 256];
  const x = uniform(61, m * k, -1, 1);
  const w = uniform(62, k * n, -0.1, 0.1);
  const b = uniform(63, n, -0.1, 0.1);
  const ins = (backend: Backend) => [tensor(x, [m, k], { backend }), tensor(w, [k, n], { backend }), tensor(b, undefined, { backend })];
  const flops = 2 * m * k * n;
  const size = `${m} × ${k} → ${n}, relu`;
  const onGpu = gpuFor('dense_bias_act', size, x.byteLength);
  const refIn = ins(js);
  const natIn = ins(native);
  const gpuIn = onGpu && ins(onGpu);
  const attrs = { activation: 'relu' as const };
  setNativeThreads(defaultThreads);
  const expected = hostF32(runKernel('dense_bias_act', refIn, attrs)[0]);
  assertClose(hostF32(runKernel('dense_bias_act', natIn, attrs)[0]), expected, { atol: 1e-6 * k, rtol: 1e-4 }, 'dense_bias_act');
  const gpuOk = gpuIn && await gpuChecked('dense_bias_act', size, async () => assertClose(await runKernel('dense_bias_act', gpuIn, attrs)[0].read(), expected, { atol: 1e-6 * k, rtol: 1e-4 }, 'dense_bias_act webgpu'));
  const refMs = timeCalls(3, 1, () => runKernel('dense_bias_act', refIn, attrs));
  results.push({ kernel: 'dense_bias_act', backend: 'js', threads: null, size, timeMs: refMs, throughput: `${((m / refMs) * 1e3 / 1e3).toFixed(1)} k rows/s`, rate: flops / refMs / 1e6, rateUnit: 'GFLOP/s', boundName: null, percentOfBound: null, speedup: 1 });
  for (const t of THREAD_COUNTS) {
    setNativeThreads(t);
    const ms = timeCalls(20, 3, () => runKernel('dense_bias_act', natIn, attrs));
    const gflops = flops / ms / 1e6;
    results.push({
      kernel: 'dense_bias_act', backend: 'native', threads: t, size, timeMs: ms, throughput: `${((m / ms) * 1e3 / 1e3).toFixed(1)} k rows/s`,
      rate: gflops, rateUnit: 'GFLOP/s', boundName: 'FMA peak', percentOfBound: (100 * gflops) / bounds[t].fmaGFLOPs, speedup: refMs / ms,
    });
  }
  if (gpuOk && gpuIn) {
    const { ms, note } = await timeGpu(() => runKernel('dense_bias_act', gpuIn, attrs));
    results.push({
      kernel: 'dense_bias_act', backend: 'webgpu', threads: null, size, timeMs: ms, throughput: `${((m / ms) * 1e3 / 1e3).toFixed(1)} k rows/s`,
      rate: flops / ms / 1e6, rateUnit: 'GFLOP/s', boundName: null, percentOfBound: null, speedup: refMs / ms, note,
    });
  }
  disposeAll(gpuIn);
}
// ---- dense_bias_act_grad -----------------------------------------------------------------------
// A tower layer's backward (dx, dW, db from dy and y): NeuMF's first layer (2,048 × 64 → 32, the
// issue-18 training step) and a wide one (4,096 × 256 → 256), relu. Rated against FMA peak
// (two products: 4·m·k·n).
if (wanted('dense_bias_act_grad')) {
  for (const [m, k, n] of [[2048, 64, 32], [4096, 256, 256]] as const) {
    const x = uniform(71, m * k, -1, 1);
    const w = uniform(72, k * n, -0.1, 0.1);
    const y = uniform(73, m * n, -1, 1).map((v) => Math.max(v, 0));
    const dy = uniform(74, m * n, -1, 1);
    const ins = (backend: Backend) => [tensor(dy, [m, n], { backend }), tensor(x, [m, k], { backend }), tensor(w, [k, n], { backend }), tensor(y, [m, n], { backend })];
    const flops = 4 * m * k * n;
    const size = `${m} × ${k} → ${n}, relu`;
    const onGpu = gpuFor('dense_bias_act_grad', size, x.byteLength + 3 * dy.byteLength);
    const refIn = ins(js);
    const natIn = ins(native);
    const gpuIn = onGpu && ins(onGpu);
    const attrs = { activation: 'relu' as const };
    setNativeThreads(defaultThreads);
    const expected = runKernel('dense_bias_act_grad', refIn, attrs).map(hostF32);
    const tolerances = [n, m, m].map((terms) => ({ atol: 1e-6 * terms, rtol: 1e-4 }));
    runKernel('dense_bias_act_grad', natIn, attrs).forEach((t, i) => assertClose(hostF32(t), expected[i], tolerances[i], `dense_bias_act_grad output ${i}`));
    const gpuOk = gpuIn && await gpuChecked('dense_bias_act_grad', size, async () => {
      const got = runKernel('dense_bias_act_grad', gpuIn, attrs);
      for (let i = 0; i < 3; i++) assertClose(await got[i].read(), expected[i], tolerances[i], `dense_bias_act_grad webgpu output ${i}`);
    });
    const refMs = timeCalls(2, 1, () => runKernel('dense_bias_act_grad', refIn, attrs));
    results.push({ kernel: 'dense_bias_act_grad', backend: 'js', threads: null, size, timeMs: refMs, throughput: `${((m / refMs) * 1e3 / 1e3).toFixed(1)} k rows/s`, rate: flops / refMs / 1e6, rateUnit: 'GFLOP/s', boundName: null, percentOfBound: null, speedup: 1 });
    for (const t of THREAD_COUNTS) {
      setNativeThreads(t);
      const ms = timeCalls(20, 3, () => runKernel('dense_bias_act_grad', natIn, attrs));
      const gflops = flops / ms / 1e6;
      results.push({
        kernel: 'dense_bias_act_grad', backend: 'native', threads: t, size, timeMs: ms, throughput: `${((m / ms) * 1e3 / 1e3).toFixed(1)} k rows/s`,
        rate: gflops, rateUnit: 'GFLOP/s', boundName: 'FMA peak', percentOfBound: (100 * gflops) / bounds[t].fmaGFLOPs, speedup: refMs / ms,
      });
    }
    if (gpuOk && gpuIn) {
      const { ms, note } = await timeGpu(() => runKernel('dense_bias_act_grad', gpuIn, attrs));
      results.push({
        kernel: 'dense_bias_act_grad', backend: 'webgpu', threads: null, size, timeMs: ms, throughput: `${((m / ms) * 1e3 / 1e3).toFixed(1)} k rows/s`,
        rate: flops / ms / 1e6, rateUnit: 'GFLOP/s', boundName: null, percentOfBound: null, speedup: refMs / ms, note,
      });
    }
    disposeAll(gpuIn);
  }
}
// ---- ncf_head, ncf_head_grad ---------------------------------------------------------------------
// NeuMF's output layer hᵀ[p ⊙ q; z] on a training batch (2,048 rows, E = 32, Z = 8), forward and
// backward, rated against the STREAM triad for the bytes each must move (forward: p, q, z read
// and the logits written; backward: the logit gradient, p, q, z read and dp, dq, dz written).
if (wanted('ncf_head', 'ncf_head_grad')) {
  const [n, E, Z] = [2048, 32, 8];
  const size = `${n.toLocaleString('en')} rows, E = ${E}, Z = ${Z} (NeuMF's batch)`;
  const p = uniform(101, n * E, -1, 1);
  const q = uniform(102, n * E, -1, 1);
  const h = uniform(103, E + Z, -1, 1);
  const z = uniform(104, n * Z, 0, 2);
  const dLogits = uniform(105, n, -1, 1);
  const forwardInputs = (backend: Backend) => [tensor(p, [n, E], { backend }), tensor(q, [n, E], { backend }), tensor(h, [E + Z, 1], { backend }), tensor(z, [n, Z], { backend })];
  const gradInputs = (backend: Backend) => [tensor(dLogits, [n], { backend }), ...forwardInputs(backend)];
  const tol = { atol: 1e-6 * n, rtol: 1e-5 };
  const kernels = [
    { kernel: 'ncf_head', inputs: forwardInputs, bytes: 4 * (2 * n * E + n * Z + n) },
    { kernel: 'ncf_head_grad', inputs: gradInputs, bytes: 4 * (n + 2 * (2 * n * E + n * Z)) },
  ] as const;
  for (const spec of kernels) {
    if (!wanted(spec.kernel)) continue;
    const refIn = spec.inputs(js);
    const natIn = spec.inputs(native);
    const expected = runKernel(spec.kernel, refIn, {}).map((t) => hostF32(t));
    setNativeThreads(defaultThreads);
    runKernel(spec.kernel, natIn, {}).forEach((t, k) => assertClose(hostF32(t), expected[k], tol, `${spec.kernel} native output ${k}`));
    const gbs = (ms: number) => spec.bytes / ms / 1e6;
    const perSecond = (ms: number) => `${((n / ms) * 1e3 / 1e6).toFixed(2)} M rows/s`;
    const refMs = timeCalls(5, 1, () => runKernel(spec.kernel, refIn, {}).forEach((t) => t.dispose()));
    results.push({ kernel: spec.kernel, backend: 'js', threads: null, size, timeMs: refMs, throughput: perSecond(refMs), rate: gbs(refMs), rateUnit: 'GB/s', boundName: null, percentOfBound: null, speedup: 1 });
    for (const t of THREAD_COUNTS) {
      setNativeThreads(t);
      const ms = timeCalls(50, 30, () => runKernel(spec.kernel, natIn, {}).forEach((o) => o.dispose()));
      results.push({
        kernel: spec.kernel, backend: 'native', threads: t, size, timeMs: ms, throughput: perSecond(ms),
        rate: gbs(ms), rateUnit: 'GB/s', boundName: 'triad', percentOfBound: (100 * gbs(ms)) / bounds[t].triadGBs, speedup: refMs / ms,
      });
    }
    setNativeThreads(defaultThreads);
    const onGpu = gpuFor(spec.kernel, size, spec.bytes);
    if (!onGpu) continue;
    const gpuIn = spec.inputs(onGpu);
    const checked = await gpuChecked(spec.kernel, size, async () => {
      const outs = runKernel(spec.kernel, gpuIn, {});
      for (const [k, t] of outs.entries()) assertClose(await t.read(), expected[k], tol, `${spec.kernel} webgpu output ${k}`);
    });
    if (checked) {
      const { ms, note } = await timeGpu(() => runKernel(spec.kernel, gpuIn, {}));
      results.push({ kernel: spec.kernel, backend: 'webgpu', threads: null, size, timeMs: ms, throughput: perSecond(ms), rate: gbs(ms), rateUnit: 'GB/s', boundName: null, percentOfBound: null, speedup: refMs / ms, note });
    }
    disposeAll(gpuIn);
  }
}
// ---- tower_score -------------------------------------------------------------------------------
// All-items scores of an NCF MLP tower (widths 64 → 32 → 16, NMTR's E = 64 tower above its split
// first layer) for 16 users × Tmall's 11,953 items. Rated against FMA peak (2·Σ H_{l-1}·H_l per
// pair); beside the js reference it is timed against the composite it replaced in
// InteractionUnit.scoreAll (broadcast add, relu, then matmul + add + relu per layer, on native).
if (wanted('tower_score')) {
  const [users, items] = [16, TMALL.items];
  const widths = [64, 32, 16];
  const arrays = [uniform(81, users * 64, -1, 1), uniform(82, items * 64, -1, 1), uniform(83, 64 * 32, -0.2, 0.2), uniform(84, 32, -0.1, 0.1), uniform(85, 32 * 16, -0.3, 0.3), uniform(86, 16, -0.1, 0.1), uniform(87, 16, -1, 1)];
  const shapes = [[users, 64], [items, 64], [64, 32], [32], [32, 16], [16], [16]];
  const ins = (backend: Backend) => arrays.map((a, i) => tensor(a, shapes[i], { backend }));
  const size = `${users} users × ${items.toLocaleString('en-US')} items, widths ${widths.join(' → ')}`;
  const onGpu = gpuFor('tower_score', size, Math.max(...arrays.map((a) => a.byteLength)));
  const refIn = ins(js);
  const natIn = ins(native);
  const gpuIn = onGpu && ins(onGpu);
  setNativeThreads(defaultThreads);
  const expected = hostF32(runKernel('tower_score', refIn, {})[0]);
  const scale = expected.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  assertClose(hostF32(runKernel('tower_score', natIn, {})[0]), expected, { atol: 1e-4 * scale, rtol: 1e-4 }, 'tower_score');
  const gpuOk = gpuIn && await gpuChecked('tower_score', size, async () => assertClose(await runKernel('tower_score', gpuIn, {})[0].read(), expected, { atol: 1e-4 * scale, rtol: 1e-4 }, 'tower_score webgpu'));
  const composite = ([u, v, w1, b1, w2, b2, h]: Tensor[]): Tensor => {
    let z = reshape(relu(add(reshape(u, [users, 1, 64]), reshape(v, [1, items, 64]))), [users * items, 64]);
    z = relu(add(matmul(z, w1), b1));
    z = relu(add(matmul(z, w2), b2));
    return reshape(matmul(z, reshape(h, [16, 1])), [users, items]);
  };
  assertClose(hostF32(noGrad(() => composite(natIn))), expected, { atol: 1e-4 * scale, rtol: 1e-4 }, 'tower_score composite');
  const flops = 2 * users * items * (64 * 32 + 32 * 16 + 16);
  const refMs = timeCalls(2, 1, () => runKernel('tower_score', refIn, {}));
  results.push({ kernel: 'tower_score', backend: 'js', threads: null, size, timeMs: refMs, throughput: `${((users * items) / refMs / 1e3).toFixed(1)} M pairs/s`, rate: flops / refMs / 1e6, rateUnit: 'GFLOP/s', boundName: null, percentOfBound: null, speedup: 1 });
  for (const t of THREAD_COUNTS) {
    setNativeThreads(t);
    const compositeMs = timeCalls(5, 1, () => tidy(() => noGrad(() => composite(natIn))));
    results.push({
      kernel: 'tower_score', backend: 'native composite', threads: t, size, timeMs: compositeMs, throughput: `${((users * items) / compositeMs / 1e3).toFixed(1)} M pairs/s`,
      rate: flops / compositeMs / 1e6, rateUnit: 'GFLOP/s', boundName: 'FMA peak', percentOfBound: (100 * flops / compositeMs / 1e6) / bounds[t].fmaGFLOPs, speedup: refMs / compositeMs,
    });
    const ms = timeCalls(10, 2, () => runKernel('tower_score', natIn, {}));
    const gflops = flops / ms / 1e6;
    results.push({
      kernel: 'tower_score', backend: 'native', threads: t, size, timeMs: ms, throughput: `${((users * items) / ms / 1e3).toFixed(1)} M pairs/s`,
      rate: gflops, rateUnit: 'GFLOP/s', boundName: 'FMA peak', percentOfBound: (100 * gflops) / bounds[t].fmaGFLOPs, speedup: refMs / ms,
    });
  }
  if (gpuOk && gpuIn) {
    const { ms, note } = await timeGpu(() => runKernel('tower_score', gpuIn, {}));
    results.push({
      kernel: 'tower_score', backend: 'webgpu', threads: null, size, timeMs: ms, throughput: `${((users * items) / ms / 1e3).toFixed(1)} M pairs/s`,
      rate: flops / ms / 1e6, rateUnit: 'GFLOP/s', boundName: null, percentOfBound: null, speedup: refMs / ms, note,
    });
  }
  disposeAll(gpuIn);
}
// ---- gather_matvec, scatter_outer_add ----------------------------------------------------------
// A matrix per row, gathered by index, and its gradient for the table: the second-hand model's
// per-category maps (Yu et al. 2020, eq. 1–2) and Sherlock's projections, at the sizes they run:
// N matrices of R × C for n rows with random (repeating) indices — 41 of 42 × 128 for 1,024 rows,
// a 3,089-node tree's 32 × 32 maps for 2,000 rows, 41 of 64 × 128 for 512 rows. Each kernel is
// checked against the reference (1e-5 + 1e-4·|ref|), then timed: js, native at 1 and 2 threads,
// webgpu; rated against FMA peak (2·n·R·C flops each). Then the reason for the kernels: forward +
// backward of `gatherMatvec` (gather_matvec forward; scatter_outer_add for W's dense gradient and
// gather_matvec transposed for x's) against the composite the models used before,
// reshape(matmul(gather(W, index), expandDims(x, 2))) and its autograd backward (which leaves W a
// row-sparse [n, R, C] gradient), both on native, after checking that they give the same y, dx and
// dW. Those rows' speedup is against gatherMatvec's forward + backward on js; the native rows' notes
// give the fused op's speedup over the composite.
if (wanted('gather_matvec', 'scatter_outer_add')) {
  const TOL = { atol: 1e-5, rtol: 1e-4 };
  const SIZES: [N: number, R: number, C: number, n: number][] = [[41, 42, 128, 1024], [3089, 32, 32, 2000], [41, 64, 128, 512]];
  for (const [N, R, C, n] of SIZES) {
    const w = uniform(101, N * R * C, -1, 1);
    const index = randomIds(102, n, N);
    const flops = 2 * n * R * C;
    const shape = `${N.toLocaleString('en')} × ${R} × ${C}, ${n.toLocaleString('en')} rows`;
    const gflops = (ms: number) => flops / ms / 1e6;
    const rowsPerSecond = (ms: number) => `${((n / ms) * 1e3 / 1e6).toFixed(2)} M rows/s`;
    const specs = [
      ...[false, true].map((transpose) => ({
        kernel: 'gather_matvec', size: `${shape}${transpose ? ', transposed' : ''}`, attrs: { transpose },
        arrays: [{ data: w, shape: [N, R, C] }, { data: index, shape: [n] }, { data: uniform(103, n * (transpose ? R : C), -1, 1), shape: [n, transpose ? R : C] }],
      })),
      {
        kernel: 'scatter_outer_add', size: `${shape} (into ${N.toLocaleString('en')} × ${R} × ${C})`, attrs: { matrices: N },
        arrays: [{ data: uniform(104, n * R, -1, 1), shape: [n, R] }, { data: uniform(105, n * C, -1, 1), shape: [n, C] }, { data: index, shape: [n] }],
      },
    ].filter((spec) => wanted(spec.kernel));
    for (const spec of specs) {
      const ins = (backend: Backend) => spec.arrays.map((a) => tensor(a.data, a.shape, { backend }));
      const onGpu = gpuFor(spec.kernel, spec.size, Math.max(...spec.arrays.map((a) => a.data.byteLength)));
      const refIn = ins(js);
      const natIn = ins(native);
      const gpuIn = onGpu && ins(onGpu);
      setNativeThreads(defaultThreads);
      const expected = hostF32(runKernel(spec.kernel, refIn, spec.attrs)[0]);
      assertClose(hostF32(runKernel(spec.kernel, natIn, spec.attrs)[0]), expected, TOL, `${spec.kernel} native (${spec.size})`);
      const gpuOk = gpuIn && await gpuChecked(spec.kernel, spec.size, async () => assertClose(await runKernel(spec.kernel, gpuIn, spec.attrs)[0].read(), expected, TOL, `${spec.kernel} webgpu (${spec.size})`));
      const refMs = timeCalls(2, 1, () => runKernel(spec.kernel, refIn, spec.attrs)[0].dispose());
      results.push({ kernel: spec.kernel, backend: 'js', threads: null, size: spec.size, timeMs: refMs, throughput: rowsPerSecond(refMs), rate: gflops(refMs), rateUnit: 'GFLOP/s', boundName: null, percentOfBound: null, speedup: 1 });
      for (const t of THREAD_COUNTS) {
        setNativeThreads(t);
        const ms = timeCalls(30, 5, () => runKernel(spec.kernel, natIn, spec.attrs)[0].dispose());
        results.push({
          kernel: spec.kernel, backend: 'native', threads: t, size: spec.size, timeMs: ms, throughput: rowsPerSecond(ms),
          rate: gflops(ms), rateUnit: 'GFLOP/s', boundName: 'FMA peak', percentOfBound: (100 * gflops(ms)) / bounds[t].fmaGFLOPs, speedup: refMs / ms,
        });
      }
      if (gpuOk && gpuIn) {
        const { ms, note } = await timeGpu(() => runKernel(spec.kernel, gpuIn, spec.attrs));
        results.push({ kernel: spec.kernel, backend: 'webgpu', threads: null, size: spec.size, timeMs: ms, throughput: rowsPerSecond(ms), rate: gflops(ms), rateUnit: 'GFLOP/s', boundName: null, percentOfBound: null, speedup: refMs / ms, note });
      }
      disposeAll(gpuIn);
    }
    if (!wanted('gather_matvec')) continue;

    // Forward + backward, fused against the composite (3·2·n·R·C flops: y, dW and dx).
    const size = `${shape}, forward + backward`;
    const x = uniform(103, n * C, -1, 1);
    const dy = uniform(106, n * R, -1, 1);
    const composite = (wt: Tensor, it: Tensor, xt: Tensor) => reshape(matmul(gather(wt, it), expandDims(xt, 2)), [n, R]);
    const fused = (wt: Tensor, it: Tensor, xt: Tensor) => gatherMatvec(wt, it, xt);
    const leaves = (backend: Backend) => {
      const [wt, it, xt] = [tensor(w, [N, R, C], { backend }), tensor(index, [n], { backend }), tensor(x, [n, C], { backend })];
      wt.requiresGrad = true;
      xt.requiresGrad = true;
      return { wt, it, xt, seed: tensor(dy, [n, R], { backend }) };
    };
    /** One forward + backward of `op` (the gradients are left on the leaves); returns y. */
    const step = (op: typeof fused, { wt, it, xt, seed }: ReturnType<typeof leaves>): Tensor => {
      wt.grad = null;
      xt.grad = null;
      const y = op(wt, it, xt);
      backward(y, seed);
      return y;
    };
    const dense = (g: Tensor['grad']): Float32Array => hostF32(g instanceof RowSparse ? scatterAdd(zeros([N, R, C], { backend: native }), g.indices, g.values) : g!);
    const refLeaves = leaves(js);
    const natLeaves = leaves(native);
    setNativeThreads(defaultThreads);
    const expectedY = hostF32(step(fused, refLeaves));
    const [expectedDW, expectedDX] = [hostF32(refLeaves.wt.grad as Tensor), hostF32(refLeaves.xt.grad as Tensor)];
    for (const [name, op] of [['gatherMatvec native', fused], ['composite native', composite]] as const) {
      assertClose(hostF32(step(op, natLeaves)), expectedY, TOL, `${name} y (${size})`);
      assertClose(dense(natLeaves.wt.grad), expectedDW, TOL, `${name} dW (${size})`);
      assertClose(hostF32(natLeaves.xt.grad as Tensor), expectedDX, TOL, `${name} dx (${size})`);
    }
    const stepFlops = 3 * flops;
    const timeSteps = (op: typeof fused, l: ReturnType<typeof leaves>, reps: number, warm: number) => timeCalls(reps, warm, () => tidy(() => { step(op, l); l.wt.grad = null; l.xt.grad = null; }));
    const refMs = timeSteps(fused, refLeaves, 1, 0);
    results.push({ kernel: 'gather_matvec', backend: 'js', threads: null, size, timeMs: refMs, throughput: rowsPerSecond(refMs), rate: stepFlops / refMs / 1e6, rateUnit: 'GFLOP/s', boundName: null, percentOfBound: null, speedup: 1 });
    for (const t of THREAD_COUNTS) {
      setNativeThreads(t);
      const compositeMs = timeSteps(composite, natLeaves, 10, 2);
      results.push({
        kernel: 'gather_matvec', backend: 'native composite', threads: t, size, timeMs: compositeMs, throughput: rowsPerSecond(compositeMs),
        rate: stepFlops / compositeMs / 1e6, rateUnit: 'GFLOP/s', boundName: 'FMA peak', percentOfBound: (100 * stepFlops / compositeMs / 1e6) / bounds[t].fmaGFLOPs, speedup: refMs / compositeMs,
      });
      const ms = timeSteps(fused, natLeaves, 20, 3);
      results.push({
        kernel: 'gather_matvec', backend: 'native', threads: t, size, timeMs: ms, throughput: rowsPerSecond(ms),
        rate: stepFlops / ms / 1e6, rateUnit: 'GFLOP/s', boundName: 'FMA peak', percentOfBound: (100 * stepFlops / ms / 1e6) / bounds[t].fmaGFLOPs, speedup: refMs / ms,
        note: `forward + backward ${(compositeMs / ms).toFixed(1)}× faster than the composite (gather + batched matmul, ${compositeMs.toFixed(2)} ms) on ${shape}`,
      });
    }
  }
  setNativeThreads(defaultThreads);
}
// ---- softmax, log_softmax, reduce, unary, binary, gather_rows, scatter_add_rows -------------------
// The dense ops of the MLP towers and classifiers, and the embedding gather / scatter. Each
// entry: the same inputs on js and native, checked first, then timed. Streaming kernels are
// rated against the STREAM triad for the bytes they must move (x read once, y written once);
// the row kernels against gather+scatter for their random rows (plus, for scatter_add_rows,
// the copy of the target the reference makes).
if (wanted('softmax', 'log_softmax', 'reduce', 'unary', 'binary', 'gather_rows', 'scatter_add_rows', 'take_along_axis', 'put_along_axis')) {
  const B = 4096;
  const H = 256;
  const CLASSES = 2000;
  const ID_COUNT = 16_384;
  const SCATTER_ROWS = 100_000;
  interface StreamingSpec {
    kernel: string;
    size: string;
    arrays: { data: Float32Array | Int32Array; shape: number[] }[];
    attrs: Record<string, unknown>;
    bytes: number;
    unit: [count: number, what: string];
    exact: boolean;
    tol?: { atol: number; rtol: number };
    bound: 'triad' | 'gather+scatter';
  }
  const logits = uniform(71, 1024 * CLASSES, -8, 8);
  const act = uniform(72, B * H, -4, 4);
  const bias = uniform(73, H, -0.1, 0.1);
  const specs: StreamingSpec[] = [
    { kernel: 'softmax', size: `1,024 × ${CLASSES} classes`, arrays: [{ data: logits, shape: [1024, CLASSES] }], attrs: { axis: 1 }, bytes: 8 * logits.length, unit: [1024, 'rows'], exact: false, tol: { atol: 1e-30, rtol: 1e-6 }, bound: 'triad' },
    { kernel: 'log_softmax', size: `1,024 × ${CLASSES} classes`, arrays: [{ data: logits, shape: [1024, CLASSES] }], attrs: { axis: 1 }, bytes: 8 * logits.length, unit: [1024, 'rows'], exact: false, tol: { atol: 1e-6, rtol: 1e-6 }, bound: 'triad' },
    { kernel: 'reduce', size: `sum over rows of ${B} × ${H}`, arrays: [{ data: act, shape: [B, H] }], attrs: { fn: 'sum', axes: [0] }, bytes: 4 * act.length, unit: [B, 'rows'], exact: false, tol: { atol: 1e-9, rtol: 2.5e-7 }, bound: 'triad' },
    { kernel: 'reduce', size: `max over columns of ${B} × ${H}`, arrays: [{ data: act, shape: [B, H] }], attrs: { fn: 'max', axes: [1] }, bytes: 4 * act.length, unit: [B, 'rows'], exact: true, bound: 'triad' },
    { kernel: 'unary', size: `sigmoid of ${B} × ${H}`, arrays: [{ data: act, shape: [B, H] }], attrs: { fn: 'sigmoid' }, bytes: 8 * act.length, unit: [B, 'rows'], exact: false, tol: { atol: 1e-6, rtol: 1e-5 }, bound: 'triad' },
    { kernel: 'unary', size: `relu of ${B} × ${H}`, arrays: [{ data: act, shape: [B, H] }], attrs: { fn: 'relu' }, bytes: 8 * act.length, unit: [B, 'rows'], exact: true, bound: 'triad' },
    { kernel: 'binary', size: `${B} × ${H} + bias [${H}]`, arrays: [{ data: act, shape: [B, H] }, { data: bias, shape: [H] }], attrs: { fn: 'add' }, bytes: 8 * act.length, unit: [B, 'rows'], exact: true, bound: 'triad' },
    {
      kernel: 'gather_rows', size: `${ID_COUNT.toLocaleString('en')} rows of ${ROWS.toLocaleString('en')} × ${DIM}`,
      arrays: [{ data: uniform(74, ROWS * DIM, -0.1, 0.1), shape: [ROWS, DIM] }, { data: randomIds(75, ID_COUNT, ROWS), shape: [ID_COUNT] }],
      attrs: {}, bytes: 2 * 4 * DIM * ID_COUNT, unit: [ID_COUNT, 'rows'], exact: true, bound: 'gather+scatter',
    },
    {
      kernel: 'scatter_add_rows', size: `${ID_COUNT.toLocaleString('en')} rows into ${SCATTER_ROWS.toLocaleString('en')} × ${DIM}`,
      arrays: [{ data: uniform(76, SCATTER_ROWS * DIM, -0.1, 0.1), shape: [SCATTER_ROWS, DIM] }, { data: randomIds(77, ID_COUNT, SCATTER_ROWS), shape: [ID_COUNT] }, { data: uniform(78, ID_COUNT * DIM, -0.1, 0.1), shape: [ID_COUNT, DIM] }],
      attrs: {}, bytes: 2 * 4 * DIM * SCATTER_ROWS + 3 * 4 * DIM * ID_COUNT, unit: [ID_COUNT, 'rows'], exact: true, bound: 'gather+scatter',
    },
    {
      kernel: 'take_along_axis', size: `1,024 rows of ${CLASSES} classes`,
      arrays: [{ data: logits.subarray(0, 1024 * CLASSES), shape: [1024, CLASSES] }, { data: randomIds(79, 1024, CLASSES), shape: [1024] }],
      attrs: {}, bytes: 3 * 4 * 1024, unit: [1024, 'rows'], exact: true, bound: 'triad',
    },
    {
      kernel: 'put_along_axis', size: `${B} rows into ${CLASSES} classes`,
      arrays: [{ data: act.subarray(0, B), shape: [B] }, { data: randomIds(80, B, CLASSES), shape: [B] }],
      attrs: { classes: CLASSES }, bytes: 4 * B * CLASSES + 2 * 4 * B, unit: [B, 'rows'], exact: true, bound: 'triad',
    },
  ];
  for (const spec of specs) {
    const inputs = (backend: Backend) => spec.arrays.map((a) => tensor(a.data, a.shape, { backend }));
    const onGpu = gpuFor(spec.kernel, spec.size, Math.max(...spec.arrays.map((a) => a.data.byteLength)));
    const refIn = inputs(js);
    const natIn = inputs(native);
    const gpuIn = onGpu && inputs(onGpu);
    setNativeThreads(defaultThreads);
    const want = hostData(runKernel(spec.kernel, refIn, spec.attrs)[0]);
    const check = (got: ArrayLike<number>, label: string) => {
      if (spec.exact) assertExact(got, want, label);
      else assertClose(got, want, spec.tol ?? { atol: 0, rtol: 0 }, label);
    };
    check(hostData(runKernel(spec.kernel, natIn, spec.attrs)[0]), `${spec.kernel} (${spec.size})`);
    const gpuOk = gpuIn && await gpuChecked(spec.kernel, spec.size, async () => check(await runKernel(spec.kernel, gpuIn, spec.attrs)[0].read(), `${spec.kernel} webgpu (${spec.size})`));
    const [count, what] = spec.unit;
    const refMs = timeCalls(5, 1, () => runKernel(spec.kernel, refIn, spec.attrs));
    const perSecond = (ms: number) => `${((count / ms) * 1e3 / 1e6).toFixed(2)} M ${what}/s`;
    results.push({ kernel: spec.kernel, backend: 'js', threads: null, size: spec.size, timeMs: refMs, throughput: perSecond(refMs), rate: spec.bytes / refMs / 1e6, rateUnit: 'GB/s', boundName: null, percentOfBound: null, speedup: 1 });
    for (const t of THREAD_COUNTS) {
      setNativeThreads(t);
      const ms = timeCalls(20, 3, () => runKernel(spec.kernel, natIn, spec.attrs));
      const gbs = spec.bytes / ms / 1e6;
      const bound = spec.bound === 'triad' ? bounds[t].triadGBs : bounds[t].gatherScatterGBs;
      results.push({
        kernel: spec.kernel, backend: 'native', threads: t, size: spec.size, timeMs: ms, throughput: perSecond(ms),
        rate: gbs, rateUnit: 'GB/s', boundName: spec.bound, percentOfBound: (100 * gbs) / bound, speedup: refMs / ms,
      });
    }
    if (gpuOk && gpuIn) {
      const { ms, note } = await timeGpu(() => runKernel(spec.kernel, gpuIn, spec.attrs));
      results.push({
        kernel: spec.kernel, backend: 'webgpu', threads: null, size: spec.size, timeMs: ms, throughput: perSecond(ms),
        rate: spec.bytes / ms / 1e6, rateUnit: 'GB/s', boundName: null, percentOfBound: null, speedup: refMs / ms, note,
      });
    }
    disposeAll(gpuIn);
  }
}
// ---- Dense optimizer steps and the dropout mask ------------------------------------------
// The dense steps run in place on a 1,000,000 × 64 table (a dense layer or an embedding
// trained with dense gradients): checked after one identical step on js and native, then
// timed; rated against the STREAM triad for the f32 streams each must move (sgd_update with
// momentum: p, v read and written, g read; adagrad_update: p, G, g; adam_update: p, m, v, g).
// dropout_mask is compute-bound (10 Philox rounds per four elements): exact check, no bound.
if (wanted('sgd_update', 'adagrad_update', 'adam_update', 'dropout_mask')) {
  interface DenseSpec {
    kernel: 'sgd_update' | 'adagrad_update' | 'adam_update';
    slots: number;
    attrs: (step: number) => Record<string, unknown>;
    streams: number;
  }
  const denseSpecs: DenseSpec[] = [
    { kernel: 'sgd_update', slots: 1, attrs: () => ({ lr: 0.05, momentum: 0.9, nesterov: false, weightDecay: 1e-4 }), streams: 5 },
    { kernel: 'adagrad_update', slots: 1, attrs: () => ({ lr: 0.05, eps: 1e-10, weightDecay: 0 }), streams: 5 },
    { kernel: 'adam_update', slots: 2, attrs: (step) => ({ lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupledWeightDecay: true, step }), streams: 7 },
  ];
  const n = ROWS * DIM;
  const size = `${ROWS.toLocaleString('en')} × ${DIM}`;
  const p0 = uniform(81, n, -0.1, 0.1);
  const g0 = uniform(82, n, -0.1, 0.1);
  for (const spec of denseSpecs) {
    const make = (backend: Backend): Tensor[] => [
      tensor(p0, [ROWS, DIM], { backend }), tensor(g0, [ROWS, DIM], { backend }),
      ...Array.from({ length: spec.slots }, () => tensor(new Float32Array(n), [ROWS, DIM], { backend })),
    ];
    const onGpu = gpuFor(spec.kernel, size, p0.byteLength);
    const ref = make(js);
    const nat = make(native);
    const gpuState = onGpu && make(onGpu);
    setNativeThreads(defaultThreads);
    runKernel(spec.kernel, ref, spec.attrs(1));
    runKernel(spec.kernel, nat, spec.attrs(1));
    ref.forEach((t, i) => assertClose(hostF32(nat[i]), hostF32(t), { atol: 1e-7, rtol: 1e-6 }, `${spec.kernel} input ${i}`));
    const gpuOk = gpuState && await gpuChecked(spec.kernel, size, async () => {
      runKernel(spec.kernel, gpuState, spec.attrs(1));
      for (const [i, t] of ref.entries()) assertClose(await gpuState[i].read(), hostF32(t), { atol: 1e-7, rtol: 1e-6 }, `${spec.kernel} webgpu input ${i}`);
    });
    const bytes = spec.streams * 4 * n;
    const refMs = timeCalls(3, 1, (i) => runKernel(spec.kernel, ref, spec.attrs(i + 2)));
    const perSecond = (ms: number) => `${((n / ms) * 1e3 / 1e9).toFixed(2)} G elements/s`;
    results.push({ kernel: spec.kernel, backend: 'js', threads: null, size, timeMs: refMs, throughput: perSecond(refMs), rate: bytes / refMs / 1e6, rateUnit: 'GB/s', boundName: null, percentOfBound: null, speedup: 1 });
    for (const t of THREAD_COUNTS) {
      setNativeThreads(t);
      const ms = timeCalls(10, 2, (i) => runKernel(spec.kernel, nat, spec.attrs(i + 2)));
      const gbs = bytes / ms / 1e6;
      results.push({
        kernel: spec.kernel, backend: 'native', threads: t, size, timeMs: ms, throughput: perSecond(ms),
        rate: gbs, rateUnit: 'GB/s', boundName: 'triad', percentOfBound: (100 * gbs) / bounds[t].triadGBs, speedup: refMs / ms,
      });
    }
    if (gpuOk && gpuState) {
      const { ms, note } = await timeGpu((i) => runKernel(spec.kernel, gpuState, spec.attrs(i + 2)));
      results.push({ kernel: spec.kernel, backend: 'webgpu', threads: null, size, timeMs: ms, throughput: perSecond(ms), rate: bytes / ms / 1e6, rateUnit: 'GB/s', boundName: null, percentOfBound: null, speedup: refMs / ms, note });
    }
    disposeAll(gpuState);
  }

  // A dropout mask the size of a batch of 4,096 hidden layers of 256 units.
  const shape = [4096, 256];
  const attrs = (i: number) => ({ shape, p: 0.2, seed: 42, stream: 0, counter: i * shape[0] * shape[1] });
  const count = shape[0] * shape[1];
  const maskSize = `${shape[0]} × ${shape[1]}, p = 0.2`;
  setNativeThreads(defaultThreads);
  const mask = hostData(runKernel('dropout_mask', [], attrs(0), js)[0]);
  assertExact(hostData(runKernel('dropout_mask', [], attrs(0), native)[0]), mask, 'dropout_mask');
  const onGpu = gpuFor('dropout_mask', maskSize, 4 * count);
  const gpuOk = onGpu && await gpuChecked('dropout_mask', maskSize, async () => assertExact(await runKernel('dropout_mask', [], attrs(0), onGpu)[0].read(), mask, 'dropout_mask webgpu'));
  const perSecond = (ms: number) => `${((count / ms) * 1e3 / 1e6).toFixed(1)} M elements/s`;
  const refMs = timeCalls(5, 1, (i) => runKernel('dropout_mask', [], attrs(i), js));
  results.push({ kernel: 'dropout_mask', backend: 'js', threads: null, size: maskSize, timeMs: refMs, throughput: perSecond(refMs), rate: null, rateUnit: null, boundName: null, percentOfBound: null, speedup: 1 });
  for (const t of THREAD_COUNTS) {
    setNativeThreads(t);
    const ms = timeCalls(20, 3, (i) => runKernel('dropout_mask', [], attrs(i), native));
    results.push({ kernel: 'dropout_mask', backend: 'native', threads: t, size: maskSize, timeMs: ms, throughput: perSecond(ms), rate: null, rateUnit: null, boundName: null, percentOfBound: null, speedup: refMs / ms, note: 'Philox-bound; no memory bound applies' });
  }
  if (gpuOk && onGpu) {
    const { ms, note } = await timeGpu((i) => runKernel('dropout_mask', [], attrs(i), onGpu));
    results.push({ kernel: 'dropout_mask', backend: 'webgpu', threads: null, size: maskSize, timeMs: ms, throughput: perSecond(ms), rate: null, rateUnit: null, boundName: null, percentOfBound: null, speedup: refMs / ms, note });
  }
}
setNativeThreads(defaultThreads);

// ---- Layout copies (native and webgpu) -------------------------------------------------------
// broadcast_to, slice, pad_slice and concat: one strided copy each (@rec/core kernels/layout/plans.ts). Sizes
// are a batch's: 16,384 rows of 64 floats (NMTR's behaviour-sorted rows of 1,024 pairs with 4
// negatives, and then some), plus NeuMF's concatenation of its two halves along the columns
// ([2,048 × 32] and [2,048 × 16]), where the reference copies one short row per JS call. Each
// result is checked bit for bit against the reference. Native is rated against the STREAM triad
// bound; the GPU is timed by timeGpu, with no GPU bound measured, so no % of bound there.
if (wanted('broadcast_to', 'slice', 'pad_slice', 'concat')) {
  const R = 16_384;
  const D = 64;
  const rows = uniform(81, R * D, -1, 1);
  const quarter = uniform(82, (R / 4) * D, -1, 1);
  const specs: { kernel: string; size: string; arrays: { data: Float32Array; shape: number[] }[]; attrs: Record<string, unknown>; bytes: number }[] = [
    { kernel: 'broadcast_to', size: `a bias [1, ${D}] to ${R} × ${D}`, arrays: [{ data: rows.subarray(0, D), shape: [1, D] }], attrs: { shape: [R, D] }, bytes: 4 * R * D },
    { kernel: 'slice', size: `rows ${R / 4}…${(3 * R) / 4} of ${R} × ${D}`, arrays: [{ data: rows, shape: [R, D] }], attrs: { begin: [R / 4, 0], size: [R / 2, D] }, bytes: 2 * 4 * (R / 2) * D },
    { kernel: 'slice', size: `columns 16…48 of 2,048 × ${D} (a tower's half)`, arrays: [{ data: rows.subarray(0, 2048 * D), shape: [2048, D] }], attrs: { begin: [0, 16], size: [2048, 32] }, bytes: 2 * 4 * 2048 * 32 },
    { kernel: 'pad_slice', size: `${R / 4} × ${D} into ${R} × ${D}`, arrays: [{ data: quarter, shape: [R / 4, D] }], attrs: { shape: [R, D], begin: [R / 4, 0] }, bytes: 4 * R * D + 4 * (R / 4) * D },
    {
      kernel: 'concat', size: `${R} × ${D} and ${R / 4} × ${D} by rows`, arrays: [{ data: rows, shape: [R, D] }, { data: quarter, shape: [R / 4, D] }], attrs: { axis: 0 },
      bytes: 2 * 4 * (R + R / 4) * D,
    },
    {
      kernel: 'concat', size: '2,048 × 32 and 2,048 × 16 by columns (NeuMF\'s halves)', arrays: [{ data: rows.subarray(0, 2048 * 32), shape: [2048, 32] }, { data: quarter.subarray(0, 2048 * 16), shape: [2048, 16] }],
      attrs: { axis: 1 }, bytes: 2 * 4 * 2048 * 48,
    },
  ];
  for (const spec of specs) {
    const inputs = (backend: Backend) => spec.arrays.map((a) => tensor(a.data, a.shape, { backend }));
    const onGpu = gpuFor(spec.kernel, spec.size, Math.max(...spec.arrays.map((a) => a.data.byteLength)));
    const refIn = inputs(js);
    const natIn = inputs(native);
    const expected = hostData(runKernel(spec.kernel, refIn, spec.attrs)[0]);
    assertExact(hostData(runKernel(spec.kernel, natIn, spec.attrs)[0]), expected, `${spec.kernel} native (${spec.size})`);
    const gbs = (ms: number) => spec.bytes / ms / 1e6;
    const refMs = timeCalls(10, 2, () => runKernel(spec.kernel, refIn, spec.attrs)[0].dispose());
    results.push({ kernel: spec.kernel, backend: 'js', threads: null, size: spec.size, timeMs: refMs, throughput: `${gbs(refMs).toFixed(2)} GB/s`, rate: gbs(refMs), rateUnit: 'GB/s', boundName: null, percentOfBound: null, speedup: 1 });
    for (const t of THREAD_COUNTS) {
      setNativeThreads(t);
      const ms = timeCalls(40, 5, () => runKernel(spec.kernel, natIn, spec.attrs)[0].dispose());
      results.push({
        kernel: spec.kernel, backend: 'native', threads: t, size: spec.size, timeMs: ms, throughput: `${gbs(ms).toFixed(2)} GB/s`,
        rate: gbs(ms), rateUnit: 'GB/s', boundName: 'triad', percentOfBound: (100 * gbs(ms)) / bounds[t].triadGBs, speedup: refMs / ms,
      });
    }
    if (!onGpu) continue;
    const gpuIn = inputs(onGpu);
    if (await gpuChecked(spec.kernel, spec.size, async () => assertExact(await runKernel(spec.kernel, gpuIn, spec.attrs)[0].read(), expected, `${spec.kernel} webgpu (${spec.size})`))) {
      const { ms, note } = await timeGpu(() => runKernel(spec.kernel, gpuIn, spec.attrs));
      results.push({
        kernel: spec.kernel, backend: 'webgpu', threads: null, size: spec.size, timeMs: ms, throughput: `${gbs(ms).toFixed(2)} GB/s`,
        rate: gbs(ms), rateUnit: 'GB/s', boundName: null, percentOfBound: null, speedup: refMs / ms, note,
      });
    }
    disposeAll(gpuIn);
  }
}

// ---- transpose, layer_norm, layer_norm_grad (a Transformer block's kernels) --------------------
// At SASRec's sizes on Beauty (batches of B = 128 sequences of T = 50, d = 64): the head split of
// multi-head attention at 4 heads ([B, T, h, d/h] → [B, h, T, d/h], the merge is its inverse),
// Mamba4Rec's [B, L, D] → [L, B, D], and a square matrix (the strided, cache-unfriendly case); each
// checked bit for bit against the reference, rated against the STREAM triad for x read and y
// written. layer_norm and layer_norm_grad over the B·T = 6,400 rows of d = 64 (checked within
// 1e-5 of the reference), rated for the streams each must move (forward x read, y written;
// backward dy and x read, dx written), and next to them the same maths as the composition of
// primitive ops that `layerNorm` was before the fused kernel ("native composed", timed on native:
// the forward's kernels, and the backward through their autograd graph).
if (wanted('transpose', 'layer_norm', 'layer_norm_grad')) {
  const B = 128;
  const T = 50;
  const D = 64;
  const H = 4;
  const n = B * T * D;
  const x = uniform(91, n, -2, 2);
  const square = uniform(92, 1024 * 1024, -1, 1);
  const transposes: { size: string; data: Float32Array; shape: number[]; perm: number[] }[] = [
    { size: `[B, T, h, d/h] → [B, h, T, d/h] = [${B}, ${T}, ${H}, ${D / H}] (heads split)`, data: x, shape: [B, T, H, D / H], perm: [0, 2, 1, 3] },
    { size: `[B, L, D] → [L, B, D] = [${B}, ${T}, ${D}] (Mamba4Rec)`, data: x, shape: [B, T, D], perm: [1, 0, 2] },
    { size: '1,024 × 1,024 matrix', data: square, shape: [1024, 1024], perm: [1, 0] },
  ];
  if (wanted('transpose')) {
    for (const spec of transposes) {
      const attrs = { perm: spec.perm };
      const refIn = [tensor(spec.data, spec.shape, { backend: js })];
      const natIn = [tensor(spec.data, spec.shape, { backend: native })];
      const expected = hostData(runKernel('transpose', refIn, attrs)[0]);
      assertExact(hostData(runKernel('transpose', natIn, attrs)[0]), expected, `transpose native (${spec.size})`);
      const bytes = 2 * 4 * spec.data.length;
      const gbs = (ms: number) => bytes / ms / 1e6;
      const refMs = timeCalls(5, 1, () => runKernel('transpose', refIn, attrs)[0].dispose());
      results.push({ kernel: 'transpose', backend: 'js', threads: null, size: spec.size, timeMs: refMs, throughput: `${gbs(refMs).toFixed(2)} GB/s`, rate: gbs(refMs), rateUnit: 'GB/s', boundName: null, percentOfBound: null, speedup: 1 });
      for (const t of THREAD_COUNTS) {
        setNativeThreads(t);
        // 100 untimed calls: each call's fresh 1.6 MB output faults its pages in until the GC has
        // returned the early ones to the heap (about 40 calls here), which is the allocator's cost,
        // not the copy's.
        const ms = timeCalls(40, 100, () => runKernel('transpose', natIn, attrs)[0].dispose());
        results.push({
          kernel: 'transpose', backend: 'native', threads: t, size: spec.size, timeMs: ms, throughput: `${gbs(ms).toFixed(2)} GB/s`,
          rate: gbs(ms), rateUnit: 'GB/s', boundName: 'triad', percentOfBound: (100 * gbs(ms)) / bounds[t].triadGBs, speedup: refMs / ms,
        });
      }
      setNativeThreads(defaultThreads);
      const onGpu = gpuFor('transpose', spec.size, spec.data.byteLength);
      if (!onGpu) continue;
      const gpuIn = [tensor(spec.data, spec.shape, { backend: onGpu })];
      if (await gpuChecked('transpose', spec.size, async () => assertExact(await runKernel('transpose', gpuIn, attrs)[0].read(), expected, `transpose webgpu (${spec.size})`))) {
        const { ms, note } = await timeGpu(() => runKernel('transpose', gpuIn, attrs));
        results.push({ kernel: 'transpose', backend: 'webgpu', threads: null, size: spec.size, timeMs: ms, throughput: `${gbs(ms).toFixed(2)} GB/s`, rate: gbs(ms), rateUnit: 'GB/s', boundName: null, percentOfBound: null, speedup: refMs / ms, note });
      }
      disposeAll(gpuIn);
    }
  }

  const rows = B * T;
  const size = `${rows.toLocaleString('en')} rows × d = ${D} (B·T of a SASRec batch)`;
  const gamma = uniform(93, D, 0.5, 1.5);
  const beta = uniform(94, D, -0.5, 0.5);
  const dy = uniform(95, n, -1, 1);
  const attrs = { epsilon: 1e-5 };
  const tol = { atol: 1e-5, rtol: 1e-5 };
  const forwardInputs = (backend: Backend) => [tensor(x, [rows, D], { backend }), tensor(gamma, [D], { backend }), tensor(beta, [D], { backend })];
  const [yRef, meanRef, rstdRef] = runKernel('layer_norm', forwardInputs(js), attrs).map((t) => hostF32(t));
  const gradInputs = (backend: Backend) => [
    tensor(dy, [rows, D], { backend }), tensor(x, [rows, D], { backend }), tensor(gamma, [D], { backend }), tensor(meanRef, [rows], { backend }), tensor(rstdRef, [rows], { backend }),
  ];
  const gradRef = runKernel('layer_norm_grad', gradInputs(js), attrs).map((t) => hostF32(t));
  /** y = (x − mean(x))·rsqrt(mean((x − mean)²) + ε)·γ + β: the composition `layerNorm` was before the fused kernel. */
  const composed = (xt: Tensor, g: Tensor, b: Tensor): Tensor => {
    const centered = sub(xt, mean(xt, -1, { keepDims: true }));
    return add(mul(mul(centered, rsqrt(add(mean(squareOp(centered), -1, { keepDims: true }), attrs.epsilon))), g), b);
  };
  const kernels = [
    { kernel: 'layer_norm', inputs: forwardInputs, expected: [yRef, meanRef, rstdRef], bytes: 2 * 4 * n + 2 * 4 * rows },
    { kernel: 'layer_norm_grad', inputs: gradInputs, expected: gradRef, bytes: 3 * 4 * n + 2 * 4 * rows },
  ] as const;
  for (const spec of kernels) {
    if (!wanted(spec.kernel)) continue;
    const refIn = spec.inputs(js);
    const natIn = spec.inputs(native);
    setNativeThreads(defaultThreads);
    runKernel(spec.kernel, natIn, attrs).forEach((t, k) => assertClose(hostF32(t), spec.expected[k], tol, `${spec.kernel} native output ${k}`));
    const gbs = (ms: number) => spec.bytes / ms / 1e6;
    const perSecond = (ms: number) => `${((rows / ms) * 1e3 / 1e6).toFixed(2)} M rows/s`;
    const refMs = timeCalls(5, 1, () => runKernel(spec.kernel, refIn, attrs).forEach((t) => t.dispose()));
    results.push({ kernel: spec.kernel, backend: 'js', threads: null, size, timeMs: refMs, throughput: perSecond(refMs), rate: gbs(refMs), rateUnit: 'GB/s', boundName: null, percentOfBound: null, speedup: 1 });
    for (const t of THREAD_COUNTS) {
      setNativeThreads(t);
      // The fused op against its old composition, on the same backend and threads.
      const [xc, gc, bc] = forwardInputs(native);
      const upstream = tensor(dy, [rows, D], { backend: native });
      const composedMs = spec.kernel === 'layer_norm'
        ? timeCalls(10, 30, () => tidy(() => { composed(xc, gc, bc); }))
        : (() => {
          for (const p of [xc, gc, bc]) p.requiresGrad = true;
          const times: number[] = [];
          // 20 untimed repetitions first, as for the fused kernel's warm-up below: fresh outputs fault
          // their pages in until the GC has returned early ones to the heap.
          for (let rep = 0; rep < 30; rep++) {
            tidy(() => {
              const y = composed(xc, gc, bc);
              const t0 = process.hrtime.bigint();
              backward(y, upstream);
              if (rep >= 20) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
              for (const p of [xc, gc, bc]) p.grad = null;
            });
          }
          return median(times);
        })();
      results.push({
        kernel: spec.kernel, backend: 'native composed', threads: t, size, timeMs: composedMs, throughput: perSecond(composedMs),
        rate: gbs(composedMs), rateUnit: 'GB/s', boundName: 'triad', percentOfBound: (100 * gbs(composedMs)) / bounds[t].triadGBs, speedup: refMs / composedMs,
        note: spec.kernel === 'layer_norm' ? 'the forward composed of primitive ops (mean, sub, square, add, rsqrt, mul, add)' : 'backward() through the composed forward\'s graph',
      });
      const ms = timeCalls(20, 30, () => runKernel(spec.kernel, natIn, attrs).forEach((o) => o.dispose()));
      results.push({
        kernel: spec.kernel, backend: 'native', threads: t, size, timeMs: ms, throughput: perSecond(ms),
        rate: gbs(ms), rateUnit: 'GB/s', boundName: 'triad', percentOfBound: (100 * gbs(ms)) / bounds[t].triadGBs, speedup: refMs / ms,
      });
    }
    setNativeThreads(defaultThreads);
    const onGpu = gpuFor(spec.kernel, size, 4 * n);
    if (!onGpu) continue;
    const gpuIn = spec.inputs(onGpu);
    const checked = await gpuChecked(spec.kernel, size, async () => {
      const outs = runKernel(spec.kernel, gpuIn, attrs);
      for (const [k, t] of outs.entries()) assertClose(await t.read(), spec.expected[k], tol, `${spec.kernel} webgpu output ${k}`);
    });
    if (checked) {
      const { ms, note } = await timeGpu(() => runKernel(spec.kernel, gpuIn, attrs));
      results.push({ kernel: spec.kernel, backend: 'webgpu', threads: null, size, timeMs: ms, throughput: perSecond(ms), rate: gbs(ms), rateUnit: 'GB/s', boundName: null, percentOfBound: null, speedup: refMs / ms, note });
    }
    disposeAll(gpuIn);
  }
}

// ---- selective_scan, selective_scan_grad (Mamba4Rec's SSM) -----------------------------------
// One Mamba block's scan at Mamba4Rec's item-level sizes on ml-100k (batches of 128 sequences of
// the last 50 items, d = 64, so E = 2d = 128 channels, N = 16 states), checked within 1e-5 of the
// reference, rated in (b, t, e) positions per second; beside it the same scan composed of
// primitive ops ("native composed", models' composedSelectiveScan: its forward, and backward()
// through its graph), which is what Mamba4Rec ran before the fused kernel; and webgpu when an
// adapter is found (checked within 1e-5 too: its chains run in f32, within ~2·10⁻⁷ of the largest
// output on the parity cases).
if (wanted('selective_scan', 'selective_scan_grad')) {
  const { composedSelectiveScan } = await import('@rec/models');
  const [B, T, E, N] = [128, 50, 128, 16];
  const size = `${B} sequences × ${T} positions × ${E} channels × ${N} states (Mamba4Rec, d = 64)`;
  const data = [uniform(101, B * T * E, -1, 1), uniform(102, B * T * E, 0.05, 1.5), uniform(103, E * N, -3, -0.1), uniform(104, B * T * N, -1, 1), uniform(105, B * T * N, -1, 1), uniform(106, E, -1, 1)];
  const shapes = [[B, T, E], [B, T, E], [E, N], [B, T, N], [B, T, N], [E]];
  const dy = uniform(107, B * T * E, -1, 1);
  const forwardInputs = (backend: Backend) => data.map((v, i) => tensor(v, shapes[i]!, { backend }));
  const gradInputs = (backend: Backend) => [tensor(dy, [B, T, E], { backend }), ...forwardInputs(backend)];
  const tol = { atol: 1e-5, rtol: 1e-5 };
  const perSecond = (ms: number) => `${((B * T * E) / ms * 1e3 / 1e6).toFixed(2)} M positions/s`;
  const kernels = [
    { kernel: 'selective_scan', inputs: forwardInputs },
    { kernel: 'selective_scan_grad', inputs: gradInputs },
  ] as const;
  for (const spec of kernels) {
    if (!wanted(spec.kernel)) continue;
    const refIn = spec.inputs(js);
    const natIn = spec.inputs(native);
    const expected = runKernel(spec.kernel, refIn, {}).map((t) => hostF32(t));
    setNativeThreads(defaultThreads);
    runKernel(spec.kernel, natIn, {}).forEach((t, k) => assertClose(hostF32(t), expected[k]!, tol, `${spec.kernel} native output ${k}`));
    const refMs = timeCalls(3, 1, () => runKernel(spec.kernel, refIn, {}).forEach((t) => t.dispose()));
    results.push({ kernel: spec.kernel, backend: 'js', threads: null, size, timeMs: refMs, throughput: perSecond(refMs), rate: null, rateUnit: null, boundName: null, percentOfBound: null, speedup: 1 });
    for (const t of THREAD_COUNTS) {
      setNativeThreads(t);
      const parts = forwardInputs(native);
      const upstream = tensor(dy, [B, T, E], { backend: native });
      const composedMs = spec.kernel === 'selective_scan'
        ? timeCalls(5, 2, () => tidy(() => { composedSelectiveScan(...(parts as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor])); }))
        : (() => {
          for (const p of parts) p.requiresGrad = true;
          const times: number[] = [];
          for (let rep = 0; rep < 7; rep++) {
            tidy(() => {
              const y = composedSelectiveScan(...(parts as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor]));
              const t0 = process.hrtime.bigint();
              backward(y, upstream);
              if (rep >= 2) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
              for (const p of parts) p.grad = null;
            });
          }
          return median(times);
        })();
      results.push({ kernel: spec.kernel, backend: 'native composed', threads: t, size, timeMs: composedMs, throughput: perSecond(composedMs), rate: null, rateUnit: null, boundName: null, percentOfBound: null, speedup: refMs / composedMs, note: spec.kernel === 'selective_scan' ? 'the scan composed of primitive ops, position by position' : "backward() through the composed scan's graph" });
      const ms = timeCalls(5, 2, () => runKernel(spec.kernel, natIn, {}).forEach((o) => o.dispose()));
      results.push({ kernel: spec.kernel, backend: 'native', threads: t, size, timeMs: ms, throughput: perSecond(ms), rate: null, rateUnit: null, boundName: null, percentOfBound: null, speedup: refMs / ms });
    }
    setNativeThreads(defaultThreads);
    const onGpu = gpuFor(spec.kernel, size, 4 * B * T * E);
    if (!onGpu) continue;
    const gpuIn = spec.inputs(onGpu);
    const checked = await gpuChecked(spec.kernel, size, async () => {
      const outs = runKernel(spec.kernel, gpuIn, {});
      for (const [k, t] of outs.entries()) assertClose((await t.read()) as Float32Array, expected[k]!, tol, `${spec.kernel} webgpu output ${k}`);
    });
    if (checked) {
      const { ms, note } = await timeGpu(() => runKernel(spec.kernel, gpuIn, {}));
      results.push({ kernel: spec.kernel, backend: 'webgpu', threads: null, size, timeMs: ms, throughput: perSecond(ms), rate: null, rateUnit: null, boundName: null, percentOfBound: null, speedup: refMs / ms, note });
    }
    disposeAll(gpuIn);
  }
}

// ---- Report -------------------------------------------------------------------------------
const fmt = (x: number | null, digits = 2) => (x === null ? '—' : x.toFixed(digits));
console.log(`\nmachine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length} threads, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; addon ${addon.buildFlags}`);
console.log('bounds (native addon, this run):');
for (const t of THREAD_COUNTS) {
  console.log(`  ${t} thread(s): triad ${bounds[t].triadGBs.toFixed(1)} GB/s, gather+scatter (64-float rows) ${bounds[t].gatherScatterGBs.toFixed(1)} GB/s, FMA peak ${bounds[t].fmaGFLOPs.toFixed(1)} GFLOP/s`);
}
if (gpu) console.log(`webgpu: ${adapterName} (no GPU bound measured)`);
const header = ['kernel', 'backend', 'size', 'time', 'throughput', 'rate', '% of bound', 'speedup'];
const lines = results.map((r) => [
  r.kernel, r.threads === null ? r.backend : `${r.backend} ×${r.threads}`, r.size, `${r.timeMs < 10 ? r.timeMs.toFixed(3) : r.timeMs.toFixed(1)} ms`, r.throughput,
  r.rate === null ? '—' : `${fmt(r.rate)} ${r.rateUnit}`, r.percentOfBound === null ? '—' : `${fmt(r.percentOfBound, 0)} % ${r.boundName}`, `${fmt(r.speedup, 1)}×`,
]);
const widths = header.map((h, c) => Math.max(h.length, ...lines.map((l) => l[c].length)));
console.log(`\n| ${header.map((h, c) => h.padEnd(widths[c])).join(' | ')} |`);
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const l of lines) console.log(`| ${l.map((x, c) => x.padEnd(widths[c])).join(' | ')} |`);
for (const r of results) if (r.note && r.backend === 'native') console.log(`  ${r.kernel} native ×${r.threads}: ${r.note}`);
for (const r of results) if (r.note && r.backend === 'native composed' && r.threads === 1) console.log(`  ${r.kernel} native composed: ${r.note}`);
for (const r of results) if (r.note && r.backend === 'webgpu') console.log(`  ${r.kernel} webgpu (${r.size}): ${r.note}`);
if (gpu) {
  for (const f of gpuSkipped) console.log(`  ${f.kernel} webgpu (${f.size}): not run, ${f.reason}`);
  for (const f of gpuMismatches) console.log(`  ${f.kernel} webgpu (${f.size}): DIFFERS from the reference, not timed: ${f.reason.split('\n')[0]}`);
}

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');
mkdirSync(outDir, { recursive: true });
const out = join(outDir, ONLY ? `kernels.${ONLY.join('+')}.json` : 'kernels.json');
const webgpu = gpu ? { adapter: adapterName, maxStorageBindingBytes: maxBindingBytes, skipped: gpuSkipped, mismatches: gpuMismatches } : null;
await writeFileAtomic(out, `${JSON.stringify({ machine: { cpu: cpus()[0]?.model, threads: cpus().length, memoryGiB: totalmem() / 2 ** 30, addonFlags: addon.buildFlags }, bounds, webgpu, results }, null, 2)}\n`);
console.log(`\nwrote ${out}`);
