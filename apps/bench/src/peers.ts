/**
 * @rec against its peers — PyTorch, gensim and tfjs — in the same run (issue 18).
 *
 * Each workload runs @rec and, where installed, its peer, interleaved: one untimed warm-up
 * round each (for a peer with several configurations, one round of each, keeping the
 * faster: its "best config"), then {@link ROUNDS} rounds of ours then the peer's, back to
 * back, so a change in the machine's load hits both sides alike. It reports the median
 * rate of each side and the speed ratio @rec / peer (> 1: @rec is faster), and checks each
 * side cheaply (losses finite and lower after the timed rounds than after the first; the
 * ranking's top lists equal up to near-ties).
 *
 * Everything runs on one thread unless `--threads n` says otherwise: @rec's native kernels
 * through `setNativeThreads(n)`, the Python peers with `torch.set_num_threads(n)` /
 * `workers=n` and OMP/OpenBLAS/MKL pinned to n in their environment, tfjs on its wasm
 * backend without threads (always one). A run with `--threads` writes
 * `results/peers[.<names>].threads-<n>.json`.
 *
 * Data: a synthetic MovieLens-1M-shaped log (6,040 users × 3,706 items, 166 distinct items
 * per user drawn with Zipf popularity by `generateSyntheticInteractions`, seed 1: 1,002,640
 * pairs), written as raw int32 files to a temporary folder for the Python side, and for
 * NMTR-NeuMF a view → cart → buy funnel over its pairs; Amazon Toys for skip-gram (as
 * `src/skipgram.ts`); tmall/mbcgcn for full ranking (as `src/ranking.ts`).
 *
 * Peers are optional and never a dependency of @rec: PyTorch and gensim run as child
 * processes of `/usr/bin/python3` (Debian's python3-torch 1.13 and python3-gensim 4.2;
 * REC_PYTHON names another interpreter) with the scripts of `src/peers/`; tfjs
 * (`@tensorflow/tfjs-core` + `@tensorflow/tfjs-backend-wasm`, devDependencies of
 * @rec/bench) is imported dynamically. A missing peer prints one line saying which and how
 * to install it, and its column stays empty.
 *
 *   cd apps/bench && REC_DATA_DIR=… node --conditions=@rec/source --import tsx src/peers.ts [--only bpr_step,ranking]
 *
 * Results: stdout (a markdown table at the end) and `results/peers.json`; a run with
 * `--only` writes `results/peers.<names>.json`, leaving the full run's file.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Adagrad, Adam, backward, bceWithLogits, Philox, resolveBackend, runKernel, sampleNegatives, tensor, type Tensor, tidy,
} from '@rec/core';
import { writeFileAtomic } from '@rec/core/node';
import { createInteractions, generateSyntheticInteractions, type Interactions, positivesByBehavior, type UserItemCSR } from '@rec/data';
import { readDataset } from '@rec/data/node';
import { userBlockSize } from '@rec/eval';
import { registerFastBackends, setNativeThreads } from '@rec/kernels';
import {
  BPRMF, behaviorLog, FusedBPRObjective, getModel, maskedRanker, modelBehaviors, NCF, type NMTR, PairwiseObjective, parseModelConfig, PointwiseObjective,
  type PointwiseRows, shapeOf, towerSizes, Trainer, type Triples,
} from '@rec/models';
import { type PeerProcess, PEER_PYTHON, startPeer, TORCH_INSTALL } from './peer-process.js';
import { loadTfjsWasm, TfjsNeuMF } from './peers/tfjs-neumf.js';
import { SKIPGRAM_SETTINGS, skipGramCorpus, skipGramEpoch, skipGramTables, writeGensimCorpus } from './skipgram-corpus.js';
import { median } from './stats.js';

/** Timed rounds per side. */
const ROUNDS = 5;
/** The synthetic log: ML-1M's users and items, 166 items per user (≈ ML-1M's 1,000,209 ratings). */
const SYNTHETIC = { numUsers: 6040, numItems: 3706, numClusters: 10, interactionsPerUser: 166, seed: 1 };
const DIM = 64;
const NEUMF_DIM = 32;
/** How much work one round is, per workload (chosen so the whole run stays near 10 minutes on 2 cores). */
const SIZES = {
  bprStep: { batch: 1024, batches: 2048, lr: 0.05, reg: 0.0025 },
  bprAdam: { batch: 1024, batches: 400, lr: 0.01 },
  neumf256: { batch: 256, batches: 800 },
  neumf2048: { batch: 2048, batches: 200 },
  neumfSampled: { pairs: 410, batches: 200 },
  nmtrNeumf: { pairs: 410, batches: 200 },
  neumfTfjs: { batch: 256, batches: 200 },
  ranking: { dim: 64, k: 100, checkedUsers: 8 },
};

const WORKLOADS = ['bpr_step', 'bpr_train', 'bpr_adam', 'neumf', 'neumf_sampled', 'nmtr_neumf', 'skipgram', 'ranking', 'neumf_tfjs'] as const;
type WorkloadName = (typeof WORKLOADS)[number];
const threadsAt = process.argv.indexOf('--threads');
/** Threads for both sides (`--threads n`, default 1): ours through setNativeThreads, the Python peers' through their pinned environment. */
const THREADS = threadsAt >= 0 ? Number(process.argv[threadsAt + 1]) : 1;
if (!Number.isInteger(THREADS) || THREADS < 1 || THREADS > 64) throw new Error(`--threads needs a whole number of threads from 1 to 64, got '${process.argv[threadsAt + 1] ?? ''}'`);
const THREADS_LABEL = THREADS === 1 ? '1 thread' : `${THREADS} threads`;
const onlyAt = process.argv.indexOf('--only');
const ONLY = onlyAt >= 0 ? (process.argv[onlyAt + 1] ?? '').split(',').map((w) => w.trim()).filter(Boolean) : undefined;
if (ONLY && ONLY.length === 0) throw new Error(`--only needs a comma-separated list of workloads: ${WORKLOADS.join(', ')}`);
for (const w of ONLY ?? []) if (!(WORKLOADS as readonly string[]).includes(w)) throw new Error(`--only: unknown workload '${w}'; the workloads are ${WORKLOADS.join(', ')}`);
const wanted = (w: WorkloadName): boolean => !ONLY || ONLY.includes(w);

const GENSIM_INSTALL = `install Debian's python3-gensim for ${PEER_PYTHON} (apt-get install python3-gensim), or point REC_PYTHON at a Python with gensim`;
const PEERS_DIR = join(import.meta.dirname, 'peers');

/** One timed round of one side: `count` items of work (triples, samples, pairs, users) in `seconds`. */
interface Round {
  seconds: number;
  count: number;
  /** Mean training loss over the round, when the side trains. */
  loss?: number;
  /** The configuration a peer ran. */
  config?: string;
}

/** A side of a comparison: its label and how to run round `r` (r = −1 is the warm-up). */
interface Side {
  label: string;
  round(r: number): Round | Promise<Round>;
  /**
   * A peer's choice among its configurations, run instead of the warm-up round: the one
   * kept, and the warm-up measurements it was chosen by.
   */
  select?(): Promise<{ config: string; selection: string }>;
}

/** One workload's result, as `results/peers.json` keeps it. */
interface WorkloadResult {
  workload: WorkloadName;
  /** The table's name of the workload. */
  title: string;
  /** Sizes and settings, in words. */
  detail: string;
  /** The peer library, e.g. PyTorch. */
  peerName: string;
  /** `triples/s`, `samples/s`, `pairs/s` (higher is better) or `s` (a time: lower is better). */
  unit: string;
  rounds: number;
  ours: { label: string; median: number; perRound: number[]; losses?: number[] };
  peer: { label: string; median: number; perRound: number[]; losses?: number[]; config?: string; selection?: string } | { skipped: string };
  /** Speed ratio @rec / peer: > 1 when @rec is faster; null when the peer was skipped. */
  ratio: number | null;
  check: string;
  note: string;
  loadavg: { start: number[]; end: number[] };
}

const isTime = (unit: string): boolean => unit === 's';
const valueOf = (unit: string, r: Round): number => (isTime(unit) ? r.seconds : r.count / r.seconds);

/** "ok" when every loss is finite and the last round's is below the first's, else what is wrong. */
function lossesDecrease(side: string, losses: (number | undefined)[]): string {
  if (losses.some((l) => l === undefined || !Number.isFinite(l))) return `${side}: a loss is not finite (${losses.join(', ')})`;
  const [first, last] = [losses[0]!, losses[losses.length - 1]!];
  return last < first ? 'ok' : `${side}: the loss did not decrease over the rounds (${first.toFixed(4)} → ${last.toFixed(4)})`;
}

const results: WorkloadResult[] = [];
const versions: Record<string, string | null> = { node: process.version, torch: null, blas: null, gensim: null, tfjs: null, git: gitHead() };
let failedChecks = 0;

/**
 * Runs `ours` and `peer` interleaved and records the result. `check` sees both sides'
 * rounds and returns "ok" or what failed (a failed check is printed and fails the run at its end).
 */
async function compare(spec: {
  workload: WorkloadName;
  title: string;
  detail: string;
  peerName: string;
  unit: string;
  ours: Side;
  peer: Side | string;
  note: string;
  check?: (ours: Round[], peer: Round[] | undefined) => string | Promise<string>;
}): Promise<void> {
  const { workload, title, detail, peerName, unit, ours, peer } = spec;
  const start = loadavg();
  console.log(`\n## ${workload}: ${title} — ${detail}`);
  let chosen: { config: string; selection: string } | undefined;
  await ours.round(-1);
  if (typeof peer === 'string') console.log(`peer skipped: ${peer}`);
  else if (peer.select) {
    chosen = await peer.select();
    console.log(`peer configuration: ${chosen.config} (${chosen.selection})`);
  } else await peer.round(-1);
  const ourRounds: Round[] = [];
  const peerRounds: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    ourRounds.push(await ours.round(r));
    if (typeof peer !== 'string') peerRounds.push(await peer.round(r));
    const fmt = (x: Round | undefined) => (x ? `${formatValue(unit, valueOf(unit, x))}${x.loss === undefined ? '' : ` (loss ${x.loss.toFixed(4)})`}` : '—');
    console.log(`round ${r + 1}: @rec ${fmt(ourRounds[r])}, peer ${fmt(peerRounds[r])}`);
  }
  const ourValues = ourRounds.map((x) => valueOf(unit, x));
  const peerValues = peerRounds.map((x) => valueOf(unit, x));
  const ourMedian = median(ourValues);
  const peerMedian = typeof peer === 'string' ? NaN : median(peerValues);
  const ratio = typeof peer === 'string' ? null : isTime(unit) ? peerMedian / ourMedian : ourMedian / peerMedian;
  const check = spec.check ? await spec.check(ourRounds, typeof peer === 'string' ? undefined : peerRounds) : 'not checked';
  if (!check.startsWith('ok') && !check.startsWith('not checked')) {
    failedChecks++;
    console.log(`CHECK FAILED: ${check}`);
  } else console.log(`check: ${check}`);
  const losses = (rounds: Round[]) => (rounds.some((x) => x.loss !== undefined) ? rounds.map((x) => x.loss!) : undefined);
  results.push({
    workload, title, detail, peerName, unit, rounds: ROUNDS,
    ours: { label: ours.label, median: ourMedian, perRound: ourValues, losses: losses(ourRounds) },
    peer: typeof peer === 'string' ? { skipped: peer } : { label: peer.label, median: peerMedian, perRound: peerValues, losses: losses(peerRounds), config: chosen?.config, selection: chosen?.selection },
    ratio, check, note: spec.note, loadavg: { start, end: loadavg() },
  });
}

function formatValue(unit: string, v: number): string {
  if (isTime(unit)) return `${v.toFixed(2)} s`;
  return v >= 1e6 ? `${(v / 1e6).toFixed(2)} M ${unit}` : `${(v / 1e3).toFixed(1)} k ${unit}`;
}

function gitHead(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', cwd: import.meta.dirname }).trim();
  } catch {
    return null;
  }
}

/** A Python peer as a {@link Side}: "select" picks its configuration, "round" runs one timed round. */
function pythonSide(label: string, peer: PeerProcess, options: { select?: boolean } = {}): Side {
  return {
    label,
    round: async () => {
      const reply = await peer.request('round');
      return { seconds: reply.seconds as number, count: reply.count as number, loss: reply.loss as number | undefined, config: reply.config as string | undefined };
    },
    ...(options.select
      ? {
          select: async () => {
            const reply = await peer.request('select');
            const measured = (reply.rates ?? reply.seconds) as Record<string, number>;
            const unit = reply.rates ? '/s' : ' s';
            const best = Object.entries(measured).map(([k, v]) => `${k} ${reply.rates ? Math.round(v).toLocaleString('en') : v.toFixed(2)}${unit}`);
            return { config: reply.config as string, selection: `best of 2 warm-up rounds each: ${best.join(', ')}` };
          },
        }
      : {}),
  };
}

/** Starts a PyTorch script, noting its version; a reason string when PyTorch is missing. */
async function torchPeer(script: string, config: Record<string, unknown>): Promise<PeerProcess | string> {
  const peer = await startPeer(join(PEERS_DIR, script), config, TORCH_INSTALL, THREADS);
  if (typeof peer !== 'string') {
    versions.torch = peer.versions.torch ?? null;
    versions.blas = peer.versions.blas ?? null;
  }
  return peer;
}

/** Writes a typed array as a raw little-endian file for the Python side (`numpy.fromfile`). */
const writeRaw = (dir: string, name: string, a: Int32Array | Float32Array): void => writeFileSync(join(dir, name), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));

// ---- Setup ------------------------------------------------------------------------------
const startedAt = performance.now();
registerFastBackends();
await resolveBackend({ prefer: 'native' });
setNativeThreads(THREADS);
const dir = mkdtempSync(join(tmpdir(), 'rec-peers-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const { interactions } = generateSyntheticInteractions(SYNTHETIC);
const log = behaviorLog(interactions);
const { numUsers, numItems } = interactions;
const numPairs = log.pairs.users.length;
writeRaw(dir, 'pair_users.i32', log.pairs.users);
writeRaw(dir, 'pair_items.i32', log.pairs.items);
const positives = { indptr: tensor(log.indptr), indices: tensor(log.indices) };
console.log(`synthetic log: ${numUsers} users × ${numItems} items, ${numPairs.toLocaleString('en')} pairs (seed ${SYNTHETIC.seed}); ${ROUNDS} rounds per side, one thread each; peers through ${PEER_PYTHON}`);

/** One uniform negative per entry of `users`, redrawn while the user has it (the samplers' rule), seeded. */
function negativesFor(users: Int32Array, stream: number): Int32Array {
  return tidy(() => sampleNegatives(tensor(users), positives, numItems, { seed: 7, stream, counter: 0 }, 32).negatives.readSync() as Int32Array).slice();
}

/** `n` observed pairs drawn uniformly (with replacement), seeded. */
function drawPairs(n: number, stream: number): { users: Int32Array; items: Int32Array } {
  const rng = new Philox({ seed: 7, stream });
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const p = rng.int(numPairs);
    users[k] = log.pairs.users[p]!;
    items[k] = log.pairs.items[p]!;
  }
  return { users, items };
}

const normalTable = (rows: number, dim: number, stream: number, std: number): Tensor => tensor(new Philox({ seed: 11, stream }).fillNormal(new Float32Array(rows * dim), 0, std), [rows, dim]);

// ---- 1. bpr_step alone ----------------------------------------------------------------
if (wanted('bpr_step')) {
  const { batch, batches, lr, reg } = SIZES.bprStep;
  const { users, items } = drawPairs(batch * batches, 1);
  const negs = negativesFor(users, 2);
  writeRaw(dir, 'triples_users.i32', users);
  writeRaw(dir, 'triples_pos.i32', items);
  writeRaw(dir, 'triples_neg.i32', negs);
  const P = normalTable(numUsers, DIM, 1, 0.01);
  const Q = normalTable(numItems, DIM, 2, 0.01);
  const inputs = Array.from({ length: batches }, (_, b) => [users, items, negs].map((a) => tensor(a.subarray(b * batch, (b + 1) * batch))));
  const peer = await torchPeer('torch_bpr.py', { mode: 'kernel', dir, numUsers, numItems, dim: DIM, lr, reg, batch, seed: 1 });
  await compare({
    workload: 'bpr_step',
    title: '1. `bpr_step` kernel alone',
    detail: `${batches} pre-generated batches of ${batch} (u, i, j) triples, d = ${DIM}`,
    peerName: 'PyTorch',
    unit: 'triples/s',
    ours: {
      label: `runKernel('bpr_step'), native, ${THREADS_LABEL}`,
      round: () => {
        let loss = 0;
        const t0 = performance.now();
        for (const [u, i, j] of inputs) loss += tidy(() => runKernel('bpr_step', [P, Q, u!, i!, j!], { lr, reg })[0]!.item());
        return { seconds: (performance.now() - t0) / 1000, count: batch * batches, loss: loss / batches };
      },
    },
    peer: typeof peer === 'string' ? peer : pythonSide(`PyTorch, minibatch SGD on the same triples, ${THREADS_LABEL}`, peer, { select: true }),
    note: `lr ${lr}, λ ${reg}; ours applies each triple in order (LearnBPR), PyTorch one minibatch step per batch (loss summed, so the same per-triple lr)`,
    check: (o, p) => [lossesDecrease('@rec', o.map((x) => x.loss)), ...(p ? [lossesDecrease('PyTorch', p.map((x) => x.loss))] : [])].filter((c) => c !== 'ok').join('; ') || 'ok',
  });
  if (typeof peer !== 'string') peer.close();
}

// ---- 2. rec train bpr ------------------------------------------------------------------
if (wanted('bpr_train')) {
  // What `rec train bpr` runs: the registry's BPR-MF and its fit's FusedBPRObjective (the
  // TripleSampler's order and uniform negatives, drawn by the objective's kernels), driven by
  // the Trainer, one epoch per round, no validation.
  const config = parseModelConfig({ model: 'bpr', seed: 1 });
  const behaviors = modelBehaviors(config, interactions);
  const model = getModel('bpr').create!(config as never, shapeOf({ train: interactions }, behaviors)) as unknown as BPRMF;
  const c = config as unknown as { batchSize?: number; negatives: number; learningRate: number; l2: number; hogwild: boolean; dim: number };
  const objective = new FusedBPRObjective(model, behaviorLog(interactions, behaviors), {
    batchSize: c.batchSize, negatives: c.negatives, seed: 1, sampler: { kind: 'uniform' }, learningRate: c.learningRate, l2: c.l2, hogwild: c.hogwild,
  });
  const batch = c.batchSize ?? 1024;
  const peer = await torchPeer('torch_bpr.py', { mode: 'train', dir, numUsers, numItems, dim: c.dim, lr: c.learningRate, reg: c.l2, batch, negatives: c.negatives, seed: 1 });
  await compare({
    workload: 'bpr_train',
    title: '2. `rec train bpr` (sampling included)',
    detail: `one epoch per round: ${numPairs.toLocaleString('en')} pairs × ${c.negatives} negatives, batches of ${batch} pairs, d = ${c.dim}`,
    peerName: 'PyTorch',
    unit: 'triples/s',
    ours: {
      label: `Trainer + FusedBPRObjective, what \`rec train bpr\` runs, native, ${THREADS_LABEL}`,
      round: async () => {
        const t0 = performance.now();
        const history = await new Trainer(model, objective, { epochs: 1 }).fit();
        const epoch = history.epochs[0]!;
        return { seconds: (performance.now() - t0) / 1000, count: epoch.examples, loss: epoch.loss };
      },
    },
    peer: typeof peer === 'string' ? peer : pythonSide(`PyTorch SGD, uniform negatives drawn in the loop, ${THREADS_LABEL}`, peer, { select: true }),
    note: `registry defaults: ${batch} pairs × ${c.negatives} negatives per batch, lr ${c.learningRate}, λ ${c.l2}; negatives redrawn while the user has the item (≤ 32 tries) on both sides; PyTorch tests membership in a dense user × item mask, ours binary-searches the user's CSR row; our rounds repeat epoch 0 (Trainer with epochs: 1), PyTorch reshuffles`,
    check: (o, p) => [lossesDecrease('@rec', o.map((x) => x.loss)), ...(p ? [lossesDecrease('PyTorch', p.map((x) => x.loss))] : [])].filter((x) => x !== 'ok').join('; ') || 'ok',
  });
  if (typeof peer !== 'string') peer.close();
}

// ---- 3. autograd BPR-MF + lazy Adam (what fitBPR was) ---------------------------------------
if (wanted('bpr_adam')) {
  const { batch, batches, lr } = SIZES.bprAdam;
  const model = new BPRMF({ numUsers, numItems, dim: DIM, seed: 1, initStd: 0.01 });
  const objective = new PairwiseObjective(model, log, { batchSize: batch, negatives: 1, seed: 1, sampler: { kind: 'uniform' } });
  const optimizer = new Adam(model, { lr });
  const peer = await torchPeer('torch_bpr.py', { mode: 'adam', dir, numUsers, numItems, dim: DIM, lr, reg: 0, batch, negatives: 1, batches, seed: 1 });
  await compare({
    workload: 'bpr_adam',
    title: '3. BPR-MF, autograd + lazy Adam (fitBPR\'s loop)',
    detail: `${batches} batches of ${batch} triples per round (1 negative each, drawn in the loop), d = ${DIM}`,
    peerName: 'PyTorch',
    unit: 'triples/s',
    ours: {
      label: `BPRMF.loss + backward + Adam (sparse_adam on touched rows), native, ${THREADS_LABEL}`,
      round: (r) => {
        let loss = 0;
        const t0 = performance.now();
        for (let b = 0; b < batches; b++) {
          const t = objective.prepare(r + 1, b) as Triples;
          loss += tidy(() => {
            const l = model.loss(tensor(t.users), tensor(t.positives), tensor(t.negatives));
            backward(l);
            optimizer.step();
            optimizer.zeroGrad();
            return l.item();
          });
        }
        return { seconds: (performance.now() - t0) / 1000, count: batch * batches, loss: loss / batches };
      },
    },
    peer: typeof peer === 'string' ? peer : pythonSide(`PyTorch nn.Embedding(sparse=True) + SparseAdam, ${THREADS_LABEL}`, peer),
    note: `lr ${lr}, no weight decay (SparseAdam has none); fitBPR was removed in 049c307, so this is its loop (PairwiseObjective's sampler, BPRMF.loss, Adam), as a user of @rec/models writes it`,
    check: (o, p) => [lossesDecrease('@rec', o.map((x) => x.loss)), ...(p ? [lossesDecrease('PyTorch', p.map((x) => x.loss))] : [])].filter((x) => x !== 'ok').join('; ') || 'ok',
  });
  if (typeof peer !== 'string') peer.close();
}

// ---- 4 and 8. NeuMF on pre-generated batches (PyTorch, tfjs) ---------------------------------
const neumfConfig = parseModelConfig({ model: 'neumf', seed: 1, dim: NEUMF_DIM });
const neumf = neumfConfig as unknown as { dim: number; layers: number; learningRate: number; optimizer: string; negatives: number };
if (neumf.optimizer !== 'adagrad') throw new Error(`peers: the NeuMF peers use Adagrad, but the registry's neumf now defaults to '${neumf.optimizer}'`);
const tower = towerSizes(neumf.dim, neumf.layers);
/** Rows (user, item, label) for the NeuMF workloads: pairs in a seeded order, each a positive and `negatives` sampled negatives. */
const neumfRows = (() => {
  if (!wanted('neumf') && !wanted('neumf_tfjs')) return undefined;
  const rows = Math.max(SIZES.neumf256.batch * SIZES.neumf256.batches, SIZES.neumf2048.batch * SIZES.neumf2048.batches, SIZES.neumfTfjs.batch * SIZES.neumfTfjs.batches);
  const per = 1 + neumf.negatives;
  const pairs = drawPairs(Math.ceil(rows / per), 3);
  const negs = negativesFor(Int32Array.from({ length: pairs.users.length * neumf.negatives }, (_, k) => pairs.users[Math.floor(k / neumf.negatives)]!), 4);
  const out = { users: new Int32Array(rows), items: new Int32Array(rows), labels: new Float32Array(rows) };
  for (let r = 0; r < rows; r++) {
    const p = Math.floor(r / per);
    const slot = r % per;
    out.users[r] = pairs.users[p]!;
    out.items[r] = slot === 0 ? pairs.items[p]! : negs[p * neumf.negatives + slot - 1]!;
    out.labels[r] = slot === 0 ? 1 : 0;
  }
  writeRaw(dir, 'rows_users.i32', out.users);
  writeRaw(dir, 'rows_items.i32', out.items);
  writeRaw(dir, 'rows_labels.f32', out.labels);
  return out;
})();

/** @rec's NeuMF (the registry's NCF unit 'neumf' at E = 32) stepping over the pre-generated rows in batches of `batch`. */
function ourNeuMFSide(batch: number, batches: number): Side {
  const model = new NCF({ numUsers, numItems, unit: 'neumf', dim: neumf.dim, layers: neumf.layers, seed: 1 });
  const optimizer = new Adagrad(model, { lr: neumf.learningRate });
  const rows = neumfRows!;
  return {
    label: `NCF neumf: forward + log loss + backward + Adagrad, native, ${THREADS_LABEL}`,
    round: () => {
      let loss = 0;
      const t0 = performance.now();
      for (let b = 0; b < batches; b++) {
        const [lo, hi] = [b * batch, (b + 1) * batch];
        loss += tidy(() => {
          const l = bceWithLogits(model.score(tensor(rows.users.subarray(lo, hi)), tensor(rows.items.subarray(lo, hi))), tensor(rows.labels.subarray(lo, hi)));
          backward(l);
          optimizer.step();
          optimizer.zeroGrad();
          return l.item();
        });
      }
      return { seconds: (performance.now() - t0) / 1000, count: batch * batches, loss: loss / batches };
    },
  };
}
const neumfNote = `E = ${neumf.dim}, tower ${tower.join('→')}, h over [p ⊙ q; z], Adagrad lr ${neumf.learningRate}; batches of (user, item, label), ${neumf.negatives} negatives per positive`;
const bothLosses = (name: string) => (o: Round[], p: Round[] | undefined) =>
  [lossesDecrease('@rec', o.map((x) => x.loss)), ...(p ? [lossesDecrease(name, p.map((x) => x.loss))] : [])].filter((x) => x !== 'ok').join('; ') || 'ok';

if (wanted('neumf')) {
  for (const { batch, batches } of [SIZES.neumf256, SIZES.neumf2048]) {
    const peer = await torchPeer('torch_neumf.py', { mode: 'batches', dir, numUsers, numItems, dim: neumf.dim, towerSizes: tower, lr: neumf.learningRate, batch, batches, seed: 1 });
    await compare({
      workload: 'neumf',
      title: `4. NeuMF, batch ${batch}`,
      detail: `${batches} pre-generated batches of ${batch} (user, item, label) rows per round`,
      peerName: 'PyTorch',
      unit: 'samples/s',
      ours: ourNeuMFSide(batch, batches),
      peer: typeof peer === 'string' ? peer : pythonSide(`PyTorch, same architecture, Adagrad, ${THREADS_LABEL}`, peer, { select: true }),
      note: neumfNote,
      check: bothLosses('PyTorch'),
    });
    if (typeof peer !== 'string') peer.close();
  }
}

/**
 * Round `r` of a PointwiseObjective workload: `batches` batches of epoch r + 1 (so each round
 * draws a fresh order and fresh negatives), each sampled, scored, differentiated and stepped;
 * the count is the rows scored, the loss their mean (batches weighted by their rows).
 */
function pointwiseRound(objective: PointwiseObjective, optimizer: Adagrad, batches: number): (r: number) => Round {
  return (r) => {
    let loss = 0;
    let count = 0;
    const t0 = performance.now();
    for (let b = 0; b < batches; b++) {
      const out = tidy(() => {
        const { loss: l, examples } = objective.batch(r + 1, b, objective.prepare(r + 1, b) as PointwiseRows);
        backward(l);
        optimizer.step();
        optimizer.zeroGrad();
        return { l: l.item(), examples };
      });
      loss += out.l * out.examples;
      count += out.examples;
    }
    return { seconds: (performance.now() - t0) / 1000, count, loss: loss / count };
  };
}

// ---- 5. NeuMF through PointwiseObjective (sampling included) ----------------------------------
if (wanted('neumf_sampled')) {
  const { pairs, batches } = SIZES.neumfSampled;
  const model = new NCF({ numUsers, numItems, unit: 'neumf', dim: neumf.dim, layers: neumf.layers, seed: 1 });
  const objective = new PointwiseObjective(model, log, { batchSize: pairs, negatives: neumf.negatives, seed: 1 });
  const optimizer = new Adagrad(model, { lr: neumf.learningRate });
  const peer = await torchPeer('torch_neumf.py', { mode: 'sampled', dir, numUsers, numItems, dim: neumf.dim, towerSizes: tower, lr: neumf.learningRate, pairs, negatives: neumf.negatives, batches, seed: 1 });
  await compare({
    workload: 'neumf_sampled',
    title: `5. NeuMF via PointwiseObjective, batch ${pairs * (1 + neumf.negatives)}`,
    detail: `${batches} batches of ${pairs} pairs × (1 + ${neumf.negatives}) = ${pairs * (1 + neumf.negatives)} samples per round, negatives drawn in the loop`,
    peerName: 'PyTorch',
    unit: 'samples/s',
    ours: {
      label: `PointwiseObjective (neg_sample_cascade) + NCF neumf + Adagrad, native, ${THREADS_LABEL}`,
      round: pointwiseRound(objective, optimizer, batches),
    },
    peer: typeof peer === 'string' ? peer : pythonSide(`PyTorch, same architecture, uniform negatives drawn in the loop, ${THREADS_LABEL}`, peer, { select: true }),
    note: `${neumfNote}; negatives redrawn while the user has the item (≤ 32 tries) on both sides`,
    check: bothLosses('PyTorch'),
  });
  if (typeof peer !== 'string') peer.close();
}

// ---- 5b. NMTR-NeuMF through PointwiseObjective (sampling included) ----------------------------
/**
 * A three-behaviour funnel over the synthetic log's pairs, decided by a hash of (user, item)
 * rather than random draws so it needs no seed: every pair is a view; a cart when
 * (u·7919 + i·104729) mod 2 = 0 (about half); a buy when also (u·31 + i·17) mod 4 = 0 (about
 * half the carts). One behaviour-typed row per (pair, behaviour), as a multi-behaviour dataset
 * holds it, so ours reaches NMTR through `modelBehaviors` and `behaviorLog` as a user's data would.
 */
function syntheticFunnel(): Interactions {
  const { users, items } = log.pairs;
  // Each pair's highest behaviour (0 view, 1 cart, 2 buy): the funnel gives it every one below.
  const top = new Uint8Array(numPairs);
  let rows = 0;
  for (let k = 0; k < numPairs; k++) {
    const [u, i] = [users[k]!, items[k]!];
    top[k] = (u * 7919 + i * 104729) % 2 !== 0 ? 0 : (u * 31 + i * 17) % 4 === 0 ? 2 : 1;
    rows += top[k]! + 1;
  }
  const out = { users: new Int32Array(rows), items: new Int32Array(rows), behaviors: new Uint8Array(rows) };
  for (let k = 0, w = 0; k < numPairs; k++) {
    for (let r = 0; r <= top[k]!; r++, w++) {
      out.users[w] = users[k]!;
      out.items[w] = items[k]!;
      out.behaviors[w] = r;
    }
  }
  return createInteractions({ ...out, behaviorNames: ['view', 'cart', 'buy'], numUsers, numItems });
}

if (wanted('nmtr_neumf')) {
  const { pairs, batches } = SIZES.nmtrNeumf;
  const train = syntheticFunnel();
  const config = parseModelConfig({ model: 'nmtr-neumf', seed: 1, dim: NEUMF_DIM });
  const nmtr = config as unknown as { dim: number; layers: number; learningRate: number; optimizer: string; negatives: number };
  if (nmtr.optimizer !== 'adagrad') throw new Error(`peers: the NMTR-NeuMF peer uses Adagrad, but the registry's nmtr-neumf now defaults to '${nmtr.optimizer}'`);
  const behaviors = modelBehaviors(config, train);
  const model = getModel('nmtr-neumf').create!(config as never, shapeOf({ train }, behaviors)) as unknown as NMTR;
  const funnel = behaviorLog(train, behaviors);
  // Each behaviour's pairs, from the log ours samples from, so both sides train on the same ones.
  const counts = behaviors.map((name, r) => {
    const { users, items, mask } = funnel.pairs;
    const [us, is]: [number[], number[]] = [[], []];
    for (let k = 0; k < mask.length; k++) {
      if (mask[k]! & (1 << r)) {
        us.push(users[k]!);
        is.push(items[k]!);
      }
    }
    writeRaw(dir, `nmtr_${name}_users.i32`, Int32Array.from(us));
    writeRaw(dir, `nmtr_${name}_items.i32`, Int32Array.from(is));
    return us.length;
  });
  const objective = new PointwiseObjective(model, funnel, { batchSize: pairs, negatives: nmtr.negatives, seed: 1 });
  const optimizer = new Adagrad(model, { lr: nmtr.learningRate });
  const nmtrTower = towerSizes(nmtr.dim, nmtr.layers);
  const peer = await torchPeer('torch_nmtr_neumf.py', {
    dir, numUsers, numItems, behaviors, dim: nmtr.dim, towerSizes: nmtrTower, lr: nmtr.learningRate, pairs, negatives: nmtr.negatives, batches, seed: 1,
  });
  const sizes = behaviors.map((name, r) => `${name} ${counts[r]!.toLocaleString('en')}`).join(', ');
  await compare({
    workload: 'nmtr_neumf',
    title: `5b. NMTR-NeuMF via PointwiseObjective, ${pairs} pairs per batch`,
    detail: `${batches} batches of ${pairs} pairs per round, each pair 1 + ${nmtr.negatives} rows per behaviour it has, negatives drawn in the loop`,
    peerName: 'PyTorch',
    unit: 'samples/s',
    ours: {
      label: `PointwiseObjective (neg_sample_cascade) + registry nmtr-neumf + Adagrad, native, ${THREADS_LABEL}`,
      round: pointwiseRound(objective, optimizer, batches),
    },
    peer: typeof peer === 'string' ? peer : pythonSide(`PyTorch, same architecture and cascade, uniform negatives drawn in the loop, ${THREADS_LABEL}`, peer, { select: true }),
    note: `data: the synthetic log as a hashed view → cart → buy funnel (pairs: ${sizes}; buy ⊂ cart ⊂ view); `
      + `model: shared E = ${nmtr.dim} embeddings, per behaviour a NeuMF unit (tower ${nmtrTower.join('→')}, h over [p ⊙ q; z]) and an item bias, `
      + `cascade out^r = out^(r−1) + f^r + b^r_i on behaviour-sorted rows, mean log loss (λ uniform), Adagrad lr ${nmtr.learningRate}; `
      + `sampling on both sides: pairs in a shuffled order, for each behaviour r a pair has its positive and ${nmtr.negatives} uniform negatives `
      + 'redrawn while the user has the item under r (≤ 32 tries); ours `neg_sample_cascade` on per-behaviour CSR rows, PyTorch a dense per-behaviour user × item mask',
    check: bothLosses('PyTorch'),
  });
  if (typeof peer !== 'string') peer.close();
}

// ---- 6. skip-gram against gensim --------------------------------------------------------
if (wanted('skipgram')) {
  const { interactions: toys } = await readDataset('amazon-s3rec/Toys_and_Games');
  const corpus = skipGramCorpus(toys);
  const tables = skipGramTables(corpus);
  const path = join(dir, 'corpus.txt');
  writeGensimCorpus(corpus, path);
  const { dim, window, negatives } = SKIPGRAM_SETTINGS;
  const peer = await startPeer(join(PEERS_DIR, 'gensim_sg.py'), { corpus: path, dim, window, negatives }, GENSIM_INSTALL, THREADS);
  if (typeof peer !== 'string') versions.gensim = peer.versions.gensim ?? null;
  const gensimFinite: boolean[] = [];
  await compare({
    workload: 'skipgram',
    title: '6. skip-gram (SGNS)',
    detail: `Amazon Toys, ${corpus.sentences.length.toLocaleString('en')} sentences, one epoch of ${corpus.pairs.toLocaleString('en')} pairs per round, d = ${dim}, window ${window}, N = ${negatives}`,
    peerName: 'gensim',
    unit: 'pairs/s',
    ours: {
      label: `skipgram_sample_step, fast: true, pairs built in the epoch, native, ${THREADS_LABEL}`,
      round: (r) => {
        const { seconds, loss } = skipGramEpoch(corpus, tables, { fast: true, fused: true, epoch: r + 1 });
        return { seconds, count: corpus.pairs, loss };
      },
    },
    peer: typeof peer === 'string' ? peer : {
      label: 'gensim Word2Vec(sg=1, hs=0, sample=0, shrink_windows=False, workers=1)',
      round: async () => {
        const reply = await peer.request('round');
        gensimFinite.push(reply.finite as boolean);
        return { seconds: reply.seconds as number, count: corpus.pairs };
      },
    },
    note: `one epoch per round; ours lr ${SKIPGRAM_SETTINGS.lr} fixed, gensim's alpha decays 0.025 → 0.0001 within each train() call`,
    check: (o, p) => [lossesDecrease('@rec', o.map((x) => x.loss)), gensimFinite.every(Boolean) ? 'ok' : 'gensim: vectors not finite'].filter((x) => x !== 'ok').join('; ') || (p ? 'ok (gensim: vectors finite)' : 'ok'),
  });
  if (typeof peer !== 'string') peer.close();
}

// ---- 7. full ranking, tmall/mbcgcn --------------------------------------------------------------
if (wanted('ranking')) {
  const { dim, k, checkedUsers } = SIZES.ranking;
  const dataset = await readDataset('tmall/mbcgcn');
  const train = dataset.splits.default!.train;
  const trainMask: UserItemCSR = positivesByBehavior(train).buy!;
  const U = train.numUsers;
  const I = train.numItems;
  const rng = new Philox({ seed: 7, stream: 1 });
  const userFactors = rng.fillNormal(new Float32Array(U * dim), 0, 0.1);
  const itemFactors = rng.fillNormal(new Float32Array(I * dim), 0, 0.1);
  writeRaw(dir, 'rank_users.f32', userFactors);
  writeRaw(dir, 'rank_items.f32', itemFactors);
  writeRaw(dir, 'rank_indptr.i32', trainMask.indptr);
  writeRaw(dir, 'rank_indices.i32', trainMask.indices);
  const users = tensor(userFactors, [U, dim]);
  const items = tensor(itemFactors, [I, dim]);
  const rankUsers = maskedRanker({ dotProductFactors: () => ({ users, items }) }, trainMask)!;
  const block = userBlockSize(I);
  const top = new Int32Array(U * k);
  const peer = await torchPeer('torch_rank.py', { dir, dim, k, block });
  await compare({
    workload: 'ranking',
    title: '7. full ranking, top-100 masked (time)',
    detail: `tmall/mbcgcn: ${U.toLocaleString('en')} users × ${I.toLocaleString('en')} items × ${dim} random factors, top-${k}, training purchases masked`,
    peerName: 'PyTorch',
    unit: 's',
    ours: {
      label: `maskedRanker (rank_topk), native, ${THREADS_LABEL}`,
      round: async () => {
        const t0 = performance.now();
        for (let s = 0; s < U; s += block) {
          const ids = Int32Array.from({ length: Math.min(block, U - s) }, (_, b) => s + b);
          top.set(await rankUsers(ids, k), s * k);
        }
        return { seconds: (performance.now() - t0) / 1000, count: U };
      },
    },
    peer: typeof peer === 'string' ? peer : pythonSide(`PyTorch matmul + mask (−∞) + topk in blocks of ${block} users, ${THREADS_LABEL}`, peer, { select: true }),
    note: `blocks of ${block} users on both sides (userBlockSize, what evaluation uses); time for all users`,
    check: async () => {
      if (typeof peer === 'string') return 'not checked (no peer)';
      const checked = Array.from({ length: checkedUsers }, (_, c) => Math.floor((c * (U - 1)) / (checkedUsers - 1)));
      const theirs = (await peer.request('top', { users: checked })).top as number[][];
      let identical = 0;
      const problems: string[] = [];
      checked.forEach((u, c) => {
        const ours = Array.from(top.subarray(u * k, (u + 1) * k));
        if (ours.every((item, r) => item === theirs[c]![r])) return void identical++;
        // Differences allowed only between items whose f64 scores are within f32 rounding of each other.
        const score = (i: number) => { let s = 0; for (let d = 0; d < dim; d++) s += userFactors[u * dim + d]! * itemFactors[i * dim + d]!; return s; };
        const kth = Math.min(score(ours[k - 1]!), score(theirs[c]![k - 1]!));
        const a = new Set(ours);
        const b = new Set(theirs[c]!);
        const swapped = [...ours.filter((i) => !b.has(i)), ...theirs[c]!.filter((i) => !a.has(i))];
        const orderOnly = swapped.length === 0;
        if (!orderOnly && swapped.some((i) => Math.abs(score(i) - kth) > 1e-5)) problems.push(`user ${u}: items ${swapped.join(', ')} differ beyond a tie`);
        if (orderOnly && ours.some((item, r) => item !== theirs[c]![r] && Math.abs(score(item) - score(theirs[c]![r]!)) > 1e-5)) problems.push(`user ${u}: the order differs beyond a tie`);
      });
      return problems.length ? problems.join('; ') : `ok (top-${k} of ${checkedUsers} users: ${identical} identical, ${checkedUsers - identical} differing only at near-ties)`;
    },
  });
  if (typeof peer !== 'string') peer.close();
}

// ---- 8. NeuMF against tfjs (wasm) -----------------------------------------------------------------
if (wanted('neumf_tfjs')) {
  const { batch, batches } = SIZES.neumfTfjs;
  const tfjs = await loadTfjsWasm();
  if (typeof tfjs !== 'string') versions.tfjs = tfjs.version;
  const rows = neumfRows!;
  const model = typeof tfjs === 'string' ? undefined : new TfjsNeuMF(tfjs.tf, { numUsers, numItems, dim: neumf.dim, towerSizes: tower, learningRate: neumf.learningRate, seed: 1 });
  await compare({
    workload: 'neumf_tfjs',
    title: `8. NeuMF, batch ${batch}, against tfjs`,
    detail: `${batches} pre-generated batches of ${batch} rows per round (the rows of 4)`,
    peerName: 'tfjs',
    unit: 'samples/s',
    ours: ourNeuMFSide(batch, batches),
    peer: typeof tfjs === 'string' ? tfjs : {
      label: `tfjs wasm backend (${tfjs.version}), optimizer.minimize + Adagrad`,
      round: () => {
        let loss = 0;
        const t0 = performance.now();
        for (let b = 0; b < batches; b++) {
          const [lo, hi] = [b * batch, (b + 1) * batch];
          loss += model!.step(rows.users.subarray(lo, hi), rows.items.subarray(lo, hi), rows.labels.subarray(lo, hi));
        }
        return { seconds: (performance.now() - t0) / 1000, count: batch * batches, loss: loss / batches };
      },
    },
    note: `${neumfNote}; tfjs: gather's gradient as scatterND (wasm has no UnsortedSegmentSum), so Adagrad updates the whole embedding tables each step`,
    check: bothLosses('tfjs'),
  });
}

// ---- Report -------------------------------------------------------------------------------------
const totalSeconds = (performance.now() - startedAt) / 1000;
const ratioText = (r: WorkloadResult) => (r.ratio === null ? '—' : `**${r.ratio.toFixed(2)}×**`);
const table = [
  '| workload | @rec | peer | @rec / peer | note |',
  '|---|---|---|---|---|',
  ...results.map((r) => {
    const peer = 'skipped' in r.peer ? `${r.peerName}: skipped` : `${formatValue(r.unit, r.peer.median)} (${r.peerName}${r.peer.config ? `, ${r.peer.config}` : ''})`;
    const load = `load ${r.loadavg.start[0]!.toFixed(1)} → ${r.loadavg.end[0]!.toFixed(1)}`;
    return `| ${r.title} | ${formatValue(r.unit, r.ours.median)} | ${peer} | ${ratioText(r)} | check ${r.check}; ${load} |`;
  }),
];
const details = results.map((r) => {
  const peer = 'skipped' in r.peer ? `skipped: ${r.peer.skipped}` : `${r.peer.label}${r.peer.config ? `; kept ${r.peer.config} (${r.peer.selection})` : ''}`;
  return `- ${r.title}: ${r.detail}. @rec: ${r.ours.label}. Peer: ${peer}. ${r.note}.`;
});
console.log(`\nversions: node ${versions.node}, torch ${versions.torch ?? '—'} (BLAS: ${versions.blas ?? '—'}), gensim ${versions.gensim ?? '—'}, tfjs ${versions.tfjs ?? '—'}; git ${versions.git ?? '—'}`);
console.log(`medians of ${ROUNDS} interleaved rounds per side; @rec / peer > 1 means @rec is faster; whole run ${totalSeconds.toFixed(0)} s\n`);
console.log(table.join('\n'));
console.log(`\n${details.join('\n')}`);
const name = `peers${ONLY ? `.${ONLY.join(',')}` : ''}${THREADS === 1 ? '' : `.threads-${THREADS}`}.json`;
const out = join(import.meta.dirname, '..', 'results', name);
await writeFileAtomic(out, `${JSON.stringify({
  date: new Date().toISOString(), command: `node --conditions=@rec/source --import tsx src/peers.ts${ONLY ? ` --only ${ONLY.join(',')}` : ''}${THREADS === 1 ? '' : ` --threads ${THREADS}`}`,
  versions, threads: THREADS, rounds: ROUNDS, python: PEER_PYTHON, synthetic: { ...SYNTHETIC, pairs: numPairs }, sizes: SIZES, totalSeconds, workloads: results,
}, null, 2)}\n`);
console.log(`\nwrote ${out}`);
if (failedChecks > 0) {
  console.error(`${failedChecks} check(s) failed: see CHECK FAILED above`);
  process.exitCode = 1;
}
