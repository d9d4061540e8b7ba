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
 * sparse_sgd: p, 512 B; bpr_step: p_u, q_i, q_j, 1,536 B per triple); their
 * sequential gradient reads are extra work not counted. rank_topk is rated
 * against FMA peak (2·B·n·d flops).
 *
 * Sizes are the issue's: a 1,000,000 × 64 f32 table with batches of 1,024 rows
 * or triples; Tmall 15,449 users × 11,953 items × 64 for rank_topk top-100,
 * with a synthetic train mask of ~40 items per user (Poisson-like). The
 * reference ranking is timed on the first 1,024 users and scaled to all users
 * (it is a plain loop, linear in users); marked "(scaled)".
 *
 * Run: `cd apps/bench && node --conditions=@rec/source --import tsx src/kernels.ts`
 * (or `pnpm --filter @rec/bench bench:kernels`). Results: stdout and
 * apps/bench/results/kernels.json.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Backend, getBackend, hostData, hostF32, Philox, registerBackend, runKernel, type Tensor, tensor } from '@rec/core';
import { assertClose, assertExact } from '@rec/core/testing';
import { loadNative, loadNativeBackend, setNativeThreads } from '@rec/kernels';

const ROWS = 1_000_000;
const DIM = 64;
const BATCH = 1024;
const TMALL = { users: 15_449, items: 11_953, dim: 64, k: 100 };
const THREAD_COUNTS = [1, 2];

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

for (const spec of sparseSpecs) {
  const make = (backend: Backend): Tensor[] => [
    tensor(uniform(5, ROWS * DIM, -0.1, 0.1), [ROWS, DIM], { backend }),
    ...Array.from({ length: spec.slots }, () => tensor(new Float32Array(ROWS * DIM), [ROWS, DIM], { backend })),
  ];
  const batchTensors = (backend: Backend) => batchIds.map((ids, b) => [tensor(ids, undefined, { backend }), tensor(batchValues[b], [BATCH, DIM], { backend })]);
  const refState = make(js);
  const natState = make(native);
  const refBatches = batchTensors(refState[0].backend);
  const natBatches = batchTensors(native);
  const step = (state: Tensor[], batches: Tensor[][], i: number) => {
    const [param, ...slots] = state;
    const [ids, values] = batches[i % BATCHES];
    runKernel(spec.kernel, [param, ids, values, ...slots], spec.attrs(i + 1));
  };
  // Check: three identical steps on both, then compare the whole tables.
  for (let i = 0; i < 3; i++) {
    step(refState, refBatches, i);
    step(natState, natBatches, i);
  }
  refState.forEach((t, s) => assertClose(hostF32(natState[s]), hostF32(t), { atol: 1e-7, rtol: 1e-6 }, `${spec.kernel} state ${s}`));
  const distinct = new Set(batchIds[0]).size;
  const refMs = timeCalls(15, 2, (i) => step(refState, refBatches, i + 3));
  const size = `${ROWS.toLocaleString('en')} × ${DIM}, batch ${BATCH}`;
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
}

// ---- bpr_step --------------------------------------------------------------------
{
  const P0 = uniform(7, ROWS * DIM, -0.1, 0.1);
  const Q0 = uniform(8, ROWS * DIM, -0.1, 0.1);
  const triples = Array.from({ length: BATCHES }, (_, b) => [randomIds(3000 + b, BATCH, ROWS), randomIds(4000 + b, BATCH, ROWS), randomIds(5000 + b, BATCH, ROWS)]);
  const state = (backend: Backend) => ({
    P: tensor(P0, [ROWS, DIM], { backend }), Q: tensor(Q0, [ROWS, DIM], { backend }),
    batches: triples.map((ts) => ts.map((a) => tensor(a, undefined, { backend }))),
  });
  const ref = state(js);
  const nat = state(native);
  const step = (s: ReturnType<typeof state>, i: number): number => hostF32(runKernel('bpr_step', [s.P, s.Q, ...s.batches[i % BATCHES]], { lr: 0.05, reg: 0.0025 })[0])[0];
  setNativeThreads(1);
  for (let i = 0; i < 3; i++) assertClose([step(nat, i)], [step(ref, i)], { atol: 1e-6, rtol: 1e-5 }, 'bpr_step loss');
  assertClose(hostF32(nat.P), hostF32(ref.P), { atol: 1e-6, rtol: 1e-5 }, 'bpr_step user factors');
  assertClose(hostF32(nat.Q), hostF32(ref.Q), { atol: 1e-6, rtol: 1e-5 }, 'bpr_step item factors');
  const size = `${ROWS.toLocaleString('en')} × ${DIM} (users and items), batch ${BATCH} triples`;
  const bytes = BATCH * 3 * 2 * 4 * DIM;
  const refMs = timeCalls(15, 2, (i) => step(ref, i + 3));
  results.push({ kernel: 'bpr_step', backend: 'js', threads: null, size, timeMs: refMs, throughput: `${((BATCH / refMs) * 1e3 / 1e6).toFixed(2)} M triples/s`, rate: bytes / refMs / 1e6, rateUnit: 'GB/s', boundName: null, percentOfBound: null, speedup: 1 });
  for (const t of THREAD_COUNTS) {
    setNativeThreads(t);
    const ms = timeCalls(200, 20, (i) => step(nat, i));
    const gbs = bytes / ms / 1e6;
    results.push({
      kernel: 'bpr_step', backend: 'native', threads: t, size, timeMs: ms, throughput: `${((BATCH / ms) * 1e3 / 1e6).toFixed(2)} M triples/s`,
      rate: gbs, rateUnit: 'GB/s', boundName: 'gather+scatter', percentOfBound: (100 * gbs) / bounds[t].gatherScatterGBs, speedup: refMs / ms,
      note: t > 1 ? 'Hogwild' : 'deterministic',
    });
  }
}

// ---- neg_sample_exclude -------------------------------------------------------------
{
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
  const refIn = inputs(js);
  const natIn = inputs(native);
  const attrs = (i: number) => ({ numItems: TMALL.items, seed: 42, stream: 0, counter: i * draws * 8, maxTries: 8 });
  const run = (ins: Tensor[], i: number) => runKernel('neg_sample_exclude', ins, attrs(i));
  setNativeThreads(defaultThreads);
  assertExact(hostData(run(natIn, 0)[0]), hostData(run(refIn, 0)[0]), 'neg_sample_exclude negatives');
  const size = `${draws.toLocaleString('en')} draws, Tmall-sized CSR (${TMALL.users.toLocaleString('en')} × ${TMALL.items.toLocaleString('en')})`;
  const refMs = timeCalls(3, 1, (i) => run(refIn, i));
  results.push({ kernel: 'neg_sample_exclude', backend: 'js', threads: null, size, timeMs: refMs, throughput: `${((draws / refMs) * 1e3 / 1e6).toFixed(1)} M draws/s`, rate: null, rateUnit: null, boundName: null, percentOfBound: null, speedup: 1 });
  for (const t of THREAD_COUNTS) {
    setNativeThreads(t);
    const ms = timeCalls(10, 2, (i) => run(natIn, i));
    results.push({ kernel: 'neg_sample_exclude', backend: 'native', threads: t, size, timeMs: ms, throughput: `${((draws / ms) * 1e3 / 1e6).toFixed(1)} M draws/s`, rate: null, rateUnit: null, boundName: null, percentOfBound: null, speedup: refMs / ms, note: 'Philox-bound; no memory bound applies' });
  }
}

// ---- rank_topk ---------------------------------------------------------------------------
{
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
  const subInputs = (backend: Backend) => [
    tensor(U.subarray(0, SUB * d), [SUB, d], { backend }), tensor(V, [n, d], { backend }),
    tensor(indptr.slice(0, SUB + 1), undefined, { backend }), tensor(mask.slice(0, indptr[SUB]), undefined, { backend }),
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
}
setNativeThreads(defaultThreads);

// ---- Report -------------------------------------------------------------------------------
const fmt = (x: number | null, digits = 2) => (x === null ? '—' : x.toFixed(digits));
console.log(`\nmachine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length} threads, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; addon ${addon.buildFlags}`);
console.log('bounds (native addon, this run):');
for (const t of THREAD_COUNTS) {
  console.log(`  ${t} thread(s): triad ${bounds[t].triadGBs.toFixed(1)} GB/s, gather+scatter (64-float rows) ${bounds[t].gatherScatterGBs.toFixed(1)} GB/s, FMA peak ${bounds[t].fmaGFLOPs.toFixed(1)} GFLOP/s`);
}
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

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');
mkdirSync(outDir, { recursive: true });
const out = join(outDir, 'kernels.json');
writeFileSync(`${out}.tmp`, `${JSON.stringify({ machine: { cpu: cpus()[0]?.model, threads: cpus().length, memoryGiB: totalmem() / 2 ** 30, addonFlags: addon.buildFlags }, bounds, results }, null, 2)}\n`);
renameSync(`${out}.tmp`, out);
console.log(`\nwrote ${out}`);
