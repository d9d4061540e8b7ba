/**
 * Training speed of SASRec (Kang & McAuley 2018) on Amazon Beauty: sequences per second and
 * the seconds of one epoch, native (1 thread and the default threads) against the js
 * reference backend in the same run, and against a PyTorch SASRec of the same size on one
 * thread (an optional peer, `src/peers/torch_sasrec.py`).
 *
 * Data: `amazon-s3rec/Beauty` (22,363 users, 12,101 items), each user's last two items held
 * out (`leaveLastOut` twice, S3-Rec's protocol: test, then validation), the rest as the
 * training rows; the sequences are `eventSequences` of those rows, as the item-level `sasrec`
 * registration's fit builds them. Every user keeps ≥ 3 items, so an epoch is all 22,363
 * sequences: 175 batches of 128.
 *
 * Model and step: the registered `sasrec`'s item-level defaults (`parseModelConfig`: d = 64,
 * T = 50, 2 blocks, 1 head, dropout 0.5, 128 sequences per batch, Adam at lr 0.001), its
 * encoder (`SASRec`) and objective (`NextItemObjective`, positions `all`: BCE with one
 * sampled negative per real position), and the `Trainer`'s step: `prepare` (windows, the
 * negatives drawn by `neg_sample_exclude`), `batch` (forward and loss), `backward`, Adam's
 * `step` and `zeroGrad`, the loss read back. Batches run in the epoch-0 order and training
 * continues across rounds, so the loss curve of each side is one run.
 *
 * Timing: native at 1 thread and PyTorch (1 thread) in {@link ROUNDS} interleaved rounds of
 * {@link BATCHES_PER_ROUND} batches after {@link WARMUP} warm-up batches each (a change in
 * the machine's load hits both alike), then native at the default threads, then js (fewer
 * batches: it is ~7× slower than native). Rates are the median round's; s/epoch is 22,363 sequences
 * at that rate.
 *
 * Check first: every one of our sides starts from the same seeded weights, batch and dropout
 * masks, so their first-batch losses must agree to 1e-4; each side's loss must fall over
 * its batches (the first and last batch losses are printed, PyTorch's too).
 *
 * Then where one native step's time goes (1 thread): the step's phases, every kernel's own
 * time (each registered kernel wrapped with a timer; the ops that touch a [T, T] score
 * tensor — QKᵀ, masks, softmax, attention dropout, ·V and their gradients — apart), and the
 * step with each block's attention sublayer, then its FFN sublayer, taken out.
 *
 *   cd apps/bench && REC_DATA_DIR=… node --conditions=@rec/source --import tsx src/sasrec.ts
 *
 * Results: stdout and `results/sasrec.json`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Adam, add, backward, declaredKernels, findKernel, type KernelImpl, type KernelOutput, registerKernel, relu, resolveBackend, type Tensor, tidy,
  type TransformerEncoderLayer,
} from '@rec/core';
import { writeFileAtomic } from '@rec/core/node';
import { leaveLastOut } from '@rec/data';
import { readDataset } from '@rec/data/node';
import { nativeThreads, registerFastBackends, setNativeThreads } from '@rec/kernels';
import { eventSequences, NextItemObjective, parseModelConfig, SASRec } from '@rec/models';
import { PEER_PYTHON, type PeerProcess, startPeer, TORCH_INSTALL } from './peer-process.js';
import { median } from './stats.js';

/** Untimed batches before a side's first timed round. */
const WARMUP = 3;
/** Interleaved rounds of native (1 thread) and PyTorch. */
const ROUNDS = 3;
const BATCHES_PER_ROUND = 15;
/** Batches timed at the default threads (one round), and on js (one round). */
const DEFAULT_THREADS_BATCHES = 30;
const JS_BATCHES = 6;
/** Batches of the profile, and of each ablation (after 2 warm-up batches). */
const PROFILE_BATCHES = 10;
const ABLATION_BATCHES = 8;

/** What `prepare` gives `batch`: the windows, scored rows, targets and negatives. */
type NextItemBatch = Parameters<NextItemObjective['batch']>[2];

registerFastBackends();
const startedAt = performance.now();
const loadAtStart = loadavg();
const dataset = await readDataset('amazon-s3rec/Beauty');
const { train: withValid } = leaveLastOut(dataset.interactions);
const { train } = leaveLastOut(withValid);
const sequences = eventSequences(train);
const V = train.numItems;
const config = parseModelConfig({ model: 'sasrec', seed: 1 }) as unknown as {
  dim: number; maxLength: number; blocks: number; heads: number; dropout: number; batchSize?: number; learningRate: number; optimizer: string; l2: number; seed: number;
};
if (config.optimizer !== 'adam') throw new Error(`sasrec bench: the registry's sasrec now trains with '${config.optimizer}'; the PyTorch peer uses Adam`);
const BATCH = config.batchSize ?? 128;
const T = config.maxLength;
const numSequences = Array.from({ length: sequences.indptr.length - 1 }, (_, u) => sequences.indptr[u + 1]! - sequences.indptr[u]!).filter((n) => n >= 2).length;
const batchesPerEpoch = Math.ceil(numSequences / BATCH);
const sizes = `V = ${V.toLocaleString('en')} items, d = ${config.dim}, T = ${T}, ${config.blocks} blocks, ${config.heads} head, dropout ${config.dropout}, batch ${BATCH}, Adam lr ${config.learningRate}`;
console.log(`SASRec training on amazon-s3rec/Beauty: ${numSequences.toLocaleString('en')} training sequences (${train.length.toLocaleString('en')} rows, each user's last 2 held out), ${batchesPerEpoch} batches per epoch; ${sizes}`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; load average ${loadAtStart.map((x) => x.toFixed(2)).join(' / ')} at the start (1, 5, 15 min)`);

/** One timed stretch of a side: its batches, sequences, scored positions and seconds, and each batch's loss. */
interface Round { seconds: number; sequences: number; positions: number; losses: number[]; cpuSeconds: number }
type Phase = 'prepare' | 'forward' | 'backward' | 'optimizer' | 'read';

/**
 * Our SASRec on `backend` as the registered model trains it: a fresh encoder from the
 * config's seed, its objective, Adam, and a cursor over epoch 0's batches (wrapping into
 * epoch 1 if a side ran past 175).
 */
async function ourSide(backend: 'native' | 'js') {
  await resolveBackend({ prefer: backend });
  const encoder = new SASRec({ vocabularySize: V, maxLength: T, dim: config.dim, blocks: config.blocks, heads: config.heads, dropout: config.dropout, seed: config.seed });
  encoder.train();
  const objective = new NextItemObjective(encoder, sequences, { positions: 'all', batchSize: BATCH, seed: config.seed });
  const optimizer = new Adam(encoder, { lr: config.learningRate, weightDecay: config.l2 });
  let next = 0;
  /** One training step; `onPhase` is told where the step is (the profile's hook). */
  const step = (onPhase: (p: Phase) => void = () => {}): { sequences: number; positions: number; loss: number } => {
    const epoch = Math.floor(next / batchesPerEpoch);
    const b = next++ % batchesPerEpoch;
    onPhase('prepare');
    // js and native keep values on the host: prepare() returns synchronously there.
    const prepared = objective.prepare(epoch, b) as NextItemBatch;
    const out = tidy(() => {
      onPhase('forward');
      const { loss, examples } = objective.batch(epoch, b, prepared);
      onPhase('backward');
      backward(loss);
      onPhase('optimizer');
      optimizer.step();
      optimizer.zeroGrad();
      onPhase('read');
      return { loss: loss.item(), positions: examples };
    });
    return { sequences: prepared.batch, ...out };
  };
  const round = async (batches: number): Promise<Round> => {
    await resolveBackend({ prefer: backend });
    const r: Round = { seconds: 0, sequences: 0, positions: 0, losses: [], cpuSeconds: 0 };
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let k = 0; k < batches; k++) {
      const s = step();
      r.sequences += s.sequences;
      r.positions += s.positions;
      r.losses.push(s.loss);
    }
    r.seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    r.cpuSeconds = (cpu.user + cpu.system) / 1e6;
    return r;
  };
  return { encoder, step, round };
}

// ---- the PyTorch peer -------------------------------------------------------------------------
const dir = mkdtempSync(join(tmpdir(), 'rec-bench-sasrec-'));
writeFileSync(join(dir, 'seq_indptr.i32'), new Uint8Array(sequences.indptr.buffer, sequences.indptr.byteOffset, sequences.indptr.byteLength));
writeFileSync(join(dir, 'seq_items.i32'), new Uint8Array(sequences.items.buffer, sequences.items.byteOffset, sequences.items.byteLength));
const peer: PeerProcess | string = await startPeer(join(import.meta.dirname, 'peers', 'torch_sasrec.py'), {
  dir, numItems: V, maxLength: T, dim: config.dim, blocks: config.blocks, heads: config.heads, dropout: config.dropout, batch: BATCH, lr: config.learningRate, seed: config.seed,
}, TORCH_INSTALL);
let peerChoice: { config: string; selection: string } | undefined;
if (typeof peer === 'string') console.log(`peer skipped: ${peer}`);

const torchRound = async (batches: number): Promise<Round> => {
  const reply = await (peer as PeerProcess).request('round', { batches });
  return { seconds: reply.seconds as number, sequences: reply.sequences as number, positions: reply.positions as number, losses: reply.losses as number[], cpuSeconds: reply.cpuSeconds as number };
};

// ---- timing ------------------------------------------------------------------------------------
interface SideResult {
  label: string; threads: number | null; rounds: Round[]; warmupLosses: number[]; rate: number; positionsRate: number; secondsPerEpoch: number;
  /** CPU seconds of the process over wall seconds, all rounds: under 1 (one thread) when other jobs took the core. */
  cpuShare: number; firstLoss: number; lastLoss: number; load: number[];
}
const results: SideResult[] = [];
function record(label: string, threads: number | null, warmupLosses: number[], rounds: Round[]): SideResult {
  const rate = median(rounds.map((r) => r.sequences / r.seconds));
  const positionsRate = median(rounds.map((r) => r.positions / r.seconds));
  const losses = [...warmupLosses, ...rounds.flatMap((r) => r.losses)];
  const cpuShare = rounds.reduce((a, r) => a + r.cpuSeconds, 0) / rounds.reduce((a, r) => a + r.seconds, 0);
  const result = { label, threads, rounds, warmupLosses, rate, positionsRate, secondsPerEpoch: numSequences / rate, cpuShare, firstLoss: losses[0]!, lastLoss: losses[losses.length - 1]!, load: loadavg() };
  results.push(result);
  return result;
}
const fmtRound = (r: Round) => `${(r.sequences / r.seconds).toFixed(0)} seq/s (${r.losses.length} batches, ${r.seconds.toFixed(2)} s, CPU ${((100 * r.cpuSeconds) / r.seconds).toFixed(0)} %, loss ${r.losses[0]!.toFixed(4)} → ${r.losses[r.losses.length - 1]!.toFixed(4)})`;

const firstLosses: Record<string, number> = {};
const defaultThreads = (await resolveBackend({ prefer: 'native' }), nativeThreads());

// 1. native, 1 thread, interleaved with PyTorch.
setNativeThreads(1);
const native1 = await ourSide('native');
const native1Warmup = Array.from({ length: WARMUP }, () => native1.step().loss);
firstLosses['native ×1'] = native1Warmup[0]!;
let torchWarmup: number[] = [];
if (typeof peer !== 'string') {
  const selected = await peer.request('select', { batches: 4 });
  peerChoice = { config: selected.config as string, selection: Object.entries(selected.rates as Record<string, number>).map(([k, v]) => `${k} ${v.toFixed(0)} seq/s`).join(', ') };
  console.log(`peer configuration: ${peerChoice.config} (best of 2 × 4 batches each from fresh weights: ${peerChoice.selection})`);
  torchWarmup = (await torchRound(WARMUP)).losses;
}
const nativeRounds: Round[] = [];
const torchRounds: Round[] = [];
for (let r = 0; r < ROUNDS; r++) {
  nativeRounds.push(await native1.round(BATCHES_PER_ROUND));
  if (typeof peer !== 'string') torchRounds.push(await torchRound(BATCHES_PER_ROUND));
  console.log(`round ${r + 1}: native ×1 ${fmtRound(nativeRounds[r]!)}; PyTorch ×1 ${torchRounds[r] ? fmtRound(torchRounds[r]!) : '—'}; load ${loadavg()[0]!.toFixed(2)}`);
}
const nativeOne = record('native, 1 thread', 1, native1Warmup, nativeRounds);
const torchOne = typeof peer === 'string' ? undefined : record(`PyTorch ${peer.versions.torch ?? ''}, 1 thread (${peerChoice!.config})`, 1, torchWarmup, torchRounds);

// 2. native, default threads.
setNativeThreads(defaultThreads);
const nativeN = await ourSide('native');
const nativeNWarmup = Array.from({ length: WARMUP }, () => nativeN.step().loss);
firstLosses[`native ×${defaultThreads}`] = nativeNWarmup[0]!;
const nativeNRound = await nativeN.round(DEFAULT_THREADS_BATCHES);
console.log(`native ×${defaultThreads}: ${fmtRound(nativeNRound)}; load ${loadavg()[0]!.toFixed(2)}`);
record(`native, ${defaultThreads} threads (default)`, defaultThreads, nativeNWarmup, [nativeNRound]);

// 3. js.
const js = await ourSide('js');
const jsWarmup = [js.step().loss];
firstLosses.js = jsWarmup[0]!;
const jsRound = await js.round(JS_BATCHES);
console.log(`js: ${fmtRound(jsRound)}; load ${loadavg()[0]!.toFixed(2)}`);
record('js', null, jsWarmup, [jsRound]);

// Checks: the same first batch from the same weights on every one of our sides; every loss falling.
const checks: string[] = [];
const reference = firstLosses['native ×1']!;
for (const [side, loss] of Object.entries(firstLosses)) {
  if (Math.abs(loss - reference) > 1e-4) checks.push(`first-batch loss on ${side} (${loss.toFixed(6)}) differs from native ×1's (${reference.toFixed(6)})`);
}
for (const r of results) {
  const losses = [...r.warmupLosses, ...r.rounds.flatMap((x) => x.losses)];
  const head = losses.slice(0, 3).reduce((a, b) => a + b, 0) / Math.min(3, losses.length);
  const tail = losses.slice(-3).reduce((a, b) => a + b, 0) / Math.min(3, losses.length);
  if (!losses.every(Number.isFinite)) checks.push(`${r.label}: a loss is not finite`);
  else if (!(tail < head)) checks.push(`${r.label}: the loss did not fall (mean of the first 3 batches ${head.toFixed(4)}, of the last 3 ${tail.toFixed(4)})`);
}
if (checks.length) {
  process.exitCode = 1;
  for (const c of checks) console.log(`CHECK FAILED: ${c}`);
} else console.log(`check: ok (first-batch loss ${reference.toFixed(6)} on ${Object.keys(firstLosses).join(', ')}, within 1e-4; every side's loss falls)`);

// ---- where a native step's time goes (1 thread) ------------------------------------------------
setNativeThreads(1);
const profiled = native1;
await resolveBackend({ prefer: 'native' });

/** Phase times of `batches` steps, in ms per step. */
function phases(batches: number): Record<Phase, number> {
  const totals: Record<Phase, number> = { prepare: 0, forward: 0, backward: 0, optimizer: 0, read: 0 };
  for (let k = 0; k < batches; k++) {
    let phase: Phase | undefined;
    let since = performance.now();
    profiled.step((p) => {
      const now = performance.now();
      if (phase) totals[phase] += now - since;
      phase = p;
      since = now;
      kernelPhase = p;
    });
    totals[phase!] += performance.now() - since;
  }
  for (const p of Object.keys(totals) as Phase[]) totals[p] /= batches;
  return totals;
}

/** Each kernel's own time (time inside nested kernels subtracted), by phase, in ms over the profiled batches. */
interface KernelStat { kernel: string; scores: boolean; calls: number; ms: number; byPhase: Record<Phase, number> }
const kernelStats = new Map<string, KernelStat>();
let kernelPhase: Phase = 'prepare';
const originals: { id: string; backend: string; impl: KernelImpl }[] = [];
const touchesScores = (shapes: readonly (readonly number[])[]) => shapes.some((s) => s.length >= 2 && s[s.length - 1] === T && s[s.length - 2] === T);
const nested: number[] = [];
for (const { id } of declaredKernels()) {
  for (const backend of ['native', 'js']) {
    const impl = findKernel(id, backend);
    if (!impl) continue;
    originals.push({ id, backend, impl });
    registerKernel(id, backend, (ctx) => {
      nested.push(0);
      const t0 = performance.now();
      const out = impl(ctx);
      const total = performance.now() - t0;
      const own = total - nested.pop()!;
      if (nested.length) nested[nested.length - 1]! += total;
      const outputs: KernelOutput[] = out ? (Array.isArray(out) ? out : [out]) : [];
      const scores = touchesScores([...ctx.inputs.map((t) => t.shape), ...outputs.map((o) => o.shape)]);
      // A js implementation run for the native backend is its fallback: the kernel has no native version.
      const fn = (ctx.attrs as { fn?: unknown }).fn;
      const name = typeof fn === 'string' ? `${id} ${fn}` : id;
      const kernel = backend === 'js' && ctx.backend.name !== 'js' ? `${name} (js fallback)` : name;
      const key = `${kernel}|${scores}`;
      const stat = kernelStats.get(key) ?? { kernel, scores, calls: 0, ms: 0, byPhase: { prepare: 0, forward: 0, backward: 0, optimizer: 0, read: 0 } };
      stat.calls++;
      stat.ms += own;
      stat.byPhase[kernelPhase] += own;
      kernelStats.set(key, stat);
      return out;
    });
  }
}
phases(2);
kernelStats.clear();
const phaseMs = phases(PROFILE_BATCHES);
for (const { id, backend, impl } of originals) registerKernel(id, backend, impl);
const stepMs = Object.values(phaseMs).reduce((a, b) => a + b, 0);
const perStep = (byPhase: Record<Phase, number>) => Object.fromEntries(Object.entries(byPhase).map(([p, ms]) => [p, ms / PROFILE_BATCHES])) as Record<Phase, number>;
const kernelRows = [...kernelStats.values()]
  .map((s) => ({ ...s, ms: s.ms / PROFILE_BATCHES, calls: s.calls / PROFILE_BATCHES, byPhase: perStep(s.byPhase) }))
  .sort((a, b) => b.ms - a.ms);
const kernelMs = kernelRows.reduce((a, r) => a + r.ms, 0);
const scoresMs = kernelRows.filter((r) => r.scores).reduce((a, r) => a + r.ms, 0);
const fallbackMs = kernelRows.filter((r) => r.kernel.endsWith('(js fallback)')).reduce((a, r) => a + r.ms, 0);

/** ms per step with each block's forward replaced by `forward` (after 2 warm-up steps). */
function stepWith(forward: ((block: TransformerEncoderLayer, x: Tensor, options: object) => Tensor) | undefined): number {
  const saved = profiled.encoder.blocks.map((block) => block.forward);
  if (forward) profiled.encoder.blocks.forEach((block) => { block.forward = (x, options = {}) => forward(block, x, options); });
  try {
    for (let k = 0; k < 2; k++) profiled.step();
    const t0 = performance.now();
    for (let k = 0; k < ABLATION_BATCHES; k++) profiled.step();
    return (performance.now() - t0) / ABLATION_BATCHES;
  } finally {
    profiled.encoder.blocks.forEach((block, k) => { block.forward = saved[k]!; });
  }
}
// The sublayers as TransformerEncoderLayer's pre-LN forward writes them.
const attention = (block: TransformerEncoderLayer, x: Tensor, options: object) =>
  add(x, block.attentionOutputDropout.forward(block.selfAttention.forward(...Array<Tensor>(3).fill(block.attentionNorm.forward(x)) as [Tensor, Tensor, Tensor], options)));
const feedForward = (block: TransformerEncoderLayer, h: Tensor) =>
  add(h, block.feedForwardOutputDropout.forward(block.feedForwardOut.forward(block.activationDropout.forward(relu(block.feedForwardIn.forward(block.feedForwardNorm.forward(h)))))));
const fullMs = stepWith(undefined);
const withoutAttentionMs = stepWith((block, x) => feedForward(block, x));
const withoutFeedForwardMs = stepWith((block, x, options) => attention(block, x, options));
if (typeof peer !== 'string') peer.close();
rmSync(dir, { recursive: true, force: true });

// ---- report ------------------------------------------------------------------------------------
const git = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', cwd: import.meta.dirname }).trim();
  } catch {
    return null;
  }
})();
const loadAtEnd = loadavg();
const pct = (x: number, of: number) => `${((100 * x) / of).toFixed(0)} %`;
const ratio = torchOne ? nativeOne.rate / torchOne.rate : null;
const perCpuSecond = (r: SideResult) => r.rounds.reduce((x, k) => x + k.sequences, 0) / r.rounds.reduce((x, k) => x + k.cpuSeconds, 0);
const table = [
  `| side | sequences/s | scored positions/s | s/epoch (${batchesPerEpoch} batches) | CPU time / wall time | loss: first → last batch | load after |`,
  '|---|---|---|---|---|---|---|',
  ...results.map((r) => `| ${r.label} | ${r.rate.toFixed(0)} | ${r.positionsRate.toFixed(0)} | ${r.secondsPerEpoch.toFixed(1)} | ${(100 * r.cpuShare).toFixed(0)} % | ${r.firstLoss.toFixed(4)} → ${r.lastLoss.toFixed(4)} (${r.warmupLosses.length + r.rounds.reduce((a, x) => a + x.losses.length, 0)} batches) | ${r.load[0]!.toFixed(2)} |`),
  ...(typeof peer === 'string' ? [`| PyTorch, 1 thread | skipped: ${peer} | | | | | |`] : []),
];
const summary = [
  ...(ratio === null || !torchOne ? [] : [
    `native / PyTorch at 1 thread: **${ratio.toFixed(2)}×** (> 1: ours is faster)`,
    `per CPU-second of each process (less sensitive to the other jobs): native ×1 ${perCpuSecond(nativeOne).toFixed(0)} seq, PyTorch ${perCpuSecond(torchOne).toFixed(0)} seq: ${(perCpuSecond(nativeOne) / perCpuSecond(torchOne)).toFixed(2)}×`,
  ]),
  `native ×1 / js: ${(nativeOne.rate / results.find((r) => r.label === 'js')!.rate).toFixed(1)}×; native ×${defaultThreads} / native ×1: ${(results[results.length - 2]!.rate / nativeOne.rate).toFixed(2)}×`,
];
const phaseTable = [
  `Where a native step's time goes (1 thread, ${PROFILE_BATCHES} batches, kernels timed one by one: ${stepMs.toFixed(1)} ms per step, ${kernelMs.toFixed(1)} ms of it inside kernels)`,
  '| phase | ms/step | share |',
  '|---|---|---|',
  ...(Object.entries(phaseMs) as [Phase, number][]).map(([p, ms]) => `| ${p} | ${ms.toFixed(1)} | ${pct(ms, stepMs)} |`),
];
const kernelTable = [
  '| kernel | on a [T, T] score tensor | calls/step | ms/step | share of the step | forward / backward / optimizer ms |',
  '|---|---|---|---|---|---|',
  ...kernelRows.filter((r) => r.ms >= 0.005 * stepMs).map((r) => `| ${r.kernel} | ${r.scores ? 'yes' : ''} | ${r.calls.toFixed(0)} | ${r.ms.toFixed(2)} | ${pct(r.ms, stepMs)} | ${r.byPhase.forward.toFixed(1)} / ${r.byPhase.backward.toFixed(1)} / ${r.byPhase.optimizer.toFixed(1)} |`),
  '(kernels under 0.5 % of the step left out)',
];
const attentionLines = [
  `ops on the [B, h, T, T] attention scores (QKᵀ, mask adds, softmax, attention dropout, ·V and their gradients): ${scoresMs.toFixed(1)} ms/step, ${pct(scoresMs, stepMs)} of the step`,
  `kernels with no native version (js fallback): ${fallbackMs.toFixed(1)} ms/step, ${pct(fallbackMs, stepMs)}`,
  `ablation (${ABLATION_BATCHES} steps each, no kernel timers): full step ${fullMs.toFixed(1)} ms; without the attention sublayers ${withoutAttentionMs.toFixed(1)} ms (attention ≈ ${(fullMs - withoutAttentionMs).toFixed(1)} ms, ${pct(fullMs - withoutAttentionMs, fullMs)}); without the FFN sublayers ${withoutFeedForwardMs.toFixed(1)} ms (FFN ≈ ${(fullMs - withoutFeedForwardMs).toFixed(1)} ms, ${pct(fullMs - withoutFeedForwardMs, fullMs)})`,
];
const versions = { node: process.version, torch: typeof peer === 'string' ? null : (peer.versions.torch ?? null), blas: typeof peer === 'string' ? null : (peer.versions.blas ?? null), git };
const totalSeconds = (performance.now() - startedAt) / 1000;
console.log(`\nversions: node ${versions.node}, torch ${versions.torch ?? '—'} (BLAS: ${versions.blas ?? '—'}); git ${git ?? '—'}; load average ${loadAtStart.map((x) => x.toFixed(2)).join(' / ')} at the start, ${loadAtEnd.map((x) => x.toFixed(2)).join(' / ')} at the end; whole run ${totalSeconds.toFixed(0)} s`);
console.log(`rates: the median of ${ROUNDS} interleaved rounds of ${BATCHES_PER_ROUND} batches for native ×1 and PyTorch (after ${WARMUP} warm-up batches each), one round of ${DEFAULT_THREADS_BATCHES} (native ×${defaultThreads}) and of ${JS_BATCHES} (js); s/epoch = ${numSequences.toLocaleString('en')} sequences at that rate\n`);
console.log([...table, '', ...summary, '', ...phaseTable, '', ...kernelTable, '', ...attentionLines].join('\n'));
const out = join(import.meta.dirname, '..', 'results', 'sasrec.json');
await writeFileAtomic(out, `${JSON.stringify({
  date: new Date().toISOString(), command: 'node --conditions=@rec/source --import tsx src/sasrec.ts', versions, python: PEER_PYTHON,
  data: { dataset: 'amazon-s3rec/Beauty', split: 'leaveLastOut twice (last 2 items per user held out)', sequences: numSequences, rows: train.length, items: V, batchesPerEpoch },
  config: { ...config, batchSize: BATCH }, loadavg: { start: loadAtStart, end: loadAtEnd }, totalSeconds,
  sides: results, ratioNativeOverPyTorch: ratio, peer: typeof peer === 'string' ? { skipped: peer } : { choice: peerChoice },
  profile: { phaseMs, stepMs, kernelMs, scoresMs, fallbackMs, kernels: kernelRows, ablation: { fullMs, withoutAttentionMs, withoutFeedForwardMs } },
  checks: checks.length ? checks : 'ok',
}, null, 2)}\n`);
console.log(`\nwrote ${out}`);
