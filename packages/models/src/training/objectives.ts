import {
  bceWithLogits, bprLoss, MAX_LANES, mean, mul, Philox, runKernel, sampleCascadeNegatives, sampleMultichannelNegatives, sampleNegatives,
  tensor, type Tensor, tidy,
} from '@rec/core';
import type { BPRMF } from '../bpr/bpr-mf.js';
import type { PairwiseModel, PointwiseModel } from '../ncf/rows.js';
import { behaviorRows, type BehaviorLog } from './log.js';
import { andThen, hostValues, type MaybePromise, readAndDispose } from './read.js';

/**
 * One epoch's worth of work for the {@link Trainer}: how many batches, and what
 * each batch computes. Batches are a pure function of (epoch, batch), through
 * counter-based randomness, so a run resumed from a checkpoint continues
 * exactly as an uninterrupted run would.
 *
 * A batch runs in two phases because `webgpu` reads values back only
 * asynchronously: {@link prepare} does the host work that needs values read back
 * (the drawn negatives), outside any `tidy` scope, and may return a promise;
 * {@link batch} then builds the loss synchronously inside the trainer's scope.
 * On `js` and `native` `prepare` returns at once, so nothing waits.
 */
export interface Objective<Prepared = unknown> {
  /** Batches in `epoch`. */
  batches(epoch: number): number;
  /**
   * The host-side inputs of batch `index` of `epoch` (e.g. the batch's rows with
   * their sampled negatives): a value on backends that read synchronously, a
   * promise on `webgpu`. Tensors it creates are its own to dispose.
   */
  prepare?(epoch: number, index: number): MaybePromise<Prepared>;
  /**
   * Runs batch `index` of `epoch` on what {@link prepare} gave: returns a
   * differentiable loss for the trainer's optimizer to step, or — for fused
   * kernels, which update the parameters themselves ({@link fused}) — the loss as
   * a one-element tensor or a number, which the trainer only reads.
   * `examples` counts the scored rows.
   */
  batch(epoch: number, index: number, prepared: Prepared): { loss: Tensor | number; examples: number };
  /** True when {@link batch} updates the parameters itself (the trainer then creates no optimizer). */
  readonly fused?: boolean;
}

/** The behaviour-sorted rows of a pointwise batch (see {@link PointwiseObjective.rows}). */
export interface PointwiseRows {
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly labels: Float32Array;
  readonly weights: Float32Array;
  readonly starts: number[];
}

/** The (u, i, j) triples of a pairwise batch. */
export interface Triples {
  readonly users: Int32Array;
  readonly positives: Int32Array;
  readonly negatives: Int32Array;
}

/**
 * A pairwise batch whose negatives a fused step draws itself (`bpr_sample_step`): the
 * (u, i) of each triple, the users' positives, and the Philox draw — the same negatives
 * {@link Triples} would carry.
 */
export interface TriplesToDraw {
  readonly users: Int32Array;
  readonly positives: Int32Array;
  /** Each user's target-behaviour items, sorted (CSR). */
  readonly seen: { readonly indptr: Tensor; readonly indices: Tensor };
  readonly draw: { readonly seed: number; readonly stream: number; readonly counter: number; readonly maxTries: number };
}

/** Retries of the rejection samplers before a draw is kept and counted as exhausted. */
const MAX_TRIES = 32;

/**
 * Batches of pair ids in a seeded random order per epoch (Philox seed, stream
 * 2³¹ + epoch; the samplers use stream = epoch). The order of the latest epoch
 * asked for is kept, so a run of batches shuffles once. Shared by the pairwise, pointwise,
 * rating (`svd`) and CDAE objectives.
 *
 * @example
 * ```ts
 * const order = new EpochOrder(Int32Array.of(0, 1, 2, 3), 1, 2);
 * order.batch(0, 1); // the second two ids of epoch 0's shuffle
 * ```
 */
export class EpochOrder {
  #cached: { epoch: number; ids: Int32Array } | undefined;

  constructor(readonly ids: Int32Array, readonly seed: number, readonly batchSize: number) {}

  batches(): number {
    return Math.ceil(this.ids.length / this.batchSize);
  }

  /** Every id in `epoch`'s order. */
  order(epoch: number): Int32Array {
    if (this.#cached?.epoch !== epoch) this.#cached = { epoch, ids: new Philox({ seed: this.seed, stream: 0x80000000 + epoch }).shuffle(this.ids.slice()) };
    return this.#cached.ids;
  }

  /** The pair ids of batch `index` of `epoch`. */
  batch(epoch: number, index: number): Int32Array {
    return this.order(epoch).subarray(index * this.batchSize, (index + 1) * this.batchSize);
  }
}

/** Pair indices whose behaviour mask has any of `bits`. */
function pairsWith(log: BehaviorLog, bits: number): Int32Array {
  const out: number[] = [];
  for (let k = 0; k < log.pairs.mask.length; k++) if (log.pairs.mask[k] & bits) out.push(k);
  return Int32Array.from(out);
}

/** Options of {@link PointwiseObjective}. */
export interface PointwiseOptions {
  /** Observed pairs per batch (default 256; each gives 1 + `negatives` rows per behaviour it has). */
  batchSize?: number;
  /** Negatives per positive instance (default 4, NMTR §IV-A3 "negative sampling ratio as 4 for all methods"). */
  negatives?: number;
  /** λ_r of eq. 12, one per behaviour of the log, summing to 1 (default uniform). */
  weights?: readonly number[];
  /** Train only behaviour r's rows (Table V's sequential training, one phase). */
  onlyBehavior?: number;
  seed?: number;
}

/**
 * The multi-task pointwise log loss of NMTR eq. 12 over mini-batches formed as
 * §III-D describes: draw an observed (u, i) pair of any behaviour; for every
 * behaviour r it has, one positive instance y^r_ui = 1 and `negatives`
 * instances y^r_uj = 0 with j drawn uniformly from the items u has no
 * behaviour-r interaction with (kernel `neg_sample_cascade`; so a cart negative
 * may be an item u only viewed, as the paper's example says).
 * Loss = mean over rows of λ_r · ℓ_log(out^r, y). With one behaviour it is
 * NCF's pointwise log loss with sampled negatives (He et al. 2017 eq. 7).
 *
 * Choices: an epoch visits every observed pair once in a seeded random order
 * (the paper iterates sampling "until the desired size of a mini-batch is
 * reached", without saying with or without replacement); the loss is a mean
 * over rows so the learning rate does not depend on the batch size.
 */
export class PointwiseObjective implements Objective<PointwiseRows> {
  readonly #order: EpochOrder;
  readonly #negatives: number;
  readonly #weights: Float32Array;
  readonly #seed: number;
  readonly #only: number | undefined;
  readonly #csr: { indptr: Tensor; indices: Tensor };

  constructor(readonly model: PointwiseModel, readonly log: BehaviorLog, options: PointwiseOptions = {}) {
    const R = log.behaviors.length;
    if (model.numBehaviors !== R) throw new Error(`PointwiseObjective: the model predicts ${model.numBehaviors} behaviour(s) but the log has ${R} (${log.behaviors.join(', ')})`);
    const batchSize = positiveInt('batchSize', options.batchSize ?? 256);
    this.#negatives = positiveInt('negatives', options.negatives ?? 4);
    this.#seed = options.seed ?? 0;
    const weights = options.weights ?? log.behaviors.map(() => 1 / R);
    if (weights.length !== R || weights.some((w) => !(w >= 0))) throw new Error(`PointwiseObjective: weights must be ${R} non-negative numbers (one per behaviour: ${log.behaviors.join(', ')}), got [${weights.join(', ')}]`);
    const total = weights.reduce((a, b) => a + b, 0);
    if (Math.abs(total - 1) > 1e-6) throw new Error(`PointwiseObjective: weights must sum to 1 (NMTR eq. 12), got [${weights.join(', ')}] summing to ${total}`);
    this.#weights = Float32Array.from(weights);
    this.#only = options.onlyBehavior;
    if (this.#only !== undefined && !(Number.isInteger(this.#only) && this.#only >= 0 && this.#only < R)) throw new Error(`PointwiseObjective: onlyBehavior must be in 0..${R - 1}, got ${this.#only}`);
    const pairs = pairsWith(log, this.#only === undefined ? (1 << R) - 1 : 1 << this.#only);
    if (pairs.length === 0) throw new Error(`PointwiseObjective: the training log has no ${this.#only === undefined ? '' : `'${log.behaviors[this.#only]}' `}interactions`);
    this.#csr = { indptr: tensor(log.indptr, [R, log.numUsers + 1]), indices: tensor(log.indices) };
    this.#order = new EpochOrder(pairs, this.#seed, batchSize);
  }

  batches(): number {
    return this.#order.batches();
  }

  prepare(epoch: number, index: number): MaybePromise<PointwiseRows> {
    return this.rows(epoch, index, this.#order.batch(epoch, index));
  }

  batch(_epoch: number, _index: number, rows: PointwiseRows): { loss: Tensor; examples: number } {
    const logits = this.model.logits({ users: tensor(rows.users), items: tensor(rows.items), starts: rows.starts });
    const loss = mean(mul(bceWithLogits(logits, tensor(rows.labels), 'none'), tensor(rows.weights)));
    return { loss, examples: rows.users.length };
  }

  /**
   * The behaviour-sorted rows of a batch of pair ids (exposed for tests): at once on
   * backends that read synchronously, a promise on `webgpu` (the negatives are read back).
   */
  rows(epoch: number, index: number, ids: Int32Array): MaybePromise<PointwiseRows> {
    const { log } = this;
    const R = log.behaviors.length;
    const N = this.#negatives;
    const n = ids.length;
    const users = new Int32Array(n * N);
    const positives = new Int32Array(n * N);
    for (let k = 0; k < n; k++) {
      for (let t = 0; t < N; t++) {
        users[t * n + k] = log.pairs.users[ids[k]];
        positives[t * n + k] = log.pairs.items[ids[k]];
      }
    }
    const words = n * N * R * MAX_TRIES;
    const counter = index * words;
    const negatives = tidy(() => sampleCascadeNegatives(tensor(users), tensor(positives), this.#csr, log.numItems, { seed: this.#seed, stream: epoch, counter }, MAX_TRIES).negatives);
    return andThen(hostValues(negatives), (neg) => {
      const rows = this.#layout(ids, neg as Int32Array);
      negatives.dispose();
      return rows;
    });
  }

  /** Lays out the rows of `ids` behaviour by behaviour, with `neg` the cascade's draws (t·n + k)·R + r. */
  #layout(ids: Int32Array, neg: Int32Array): PointwiseRows {
    const { log } = this;
    const R = log.behaviors.length;
    const N = this.#negatives;
    const n = ids.length;
    // Rows behaviour by behaviour: count each behaviour's pairs, then write every row at its
    // behaviour's offset (typed arrays throughout; the weights are one fill per behaviour).
    const takes = (r: number, bits: number): boolean => (bits & (1 << r)) !== 0 && (this.#only === undefined || r === this.#only);
    const count = new Int32Array(R);
    for (let k = 0; k < n; k++) {
      const bits = log.pairs.mask[ids[k]];
      for (let r = 0; r < R; r++) if (takes(r, bits)) count[r] += 1 + N;
    }
    const starts = [0];
    for (let r = 0; r < R; r++) starts.push(starts[r] + count[r]);
    const total = starts[R];
    const out = { users: new Int32Array(total), items: new Int32Array(total), labels: new Float32Array(total), weights: new Float32Array(total), starts };
    const at = starts.slice(0, R);
    for (let k = 0; k < n; k++) {
      const id = ids[k];
      const bits = log.pairs.mask[id];
      const user = log.pairs.users[id];
      for (let r = 0; r < R; r++) {
        if (!takes(r, bits)) continue;
        let w = at[r];
        out.users[w] = user;
        out.items[w] = log.pairs.items[id];
        out.labels[w++] = 1;
        for (let t = 0; t < N; t++, w++) {
          out.users[w] = user;
          out.items[w] = neg[(t * n + k) * R + r];
        }
        at[r] = w;
      }
    }
    // λ_r·R, so uniform weights give plain log loss; a sequential phase weighs its one behaviour 1.
    for (let r = 0; r < R; r++) out.weights.fill(this.#only === undefined ? this.#weights[r] * R : 1, starts[r], starts[r + 1]);
    return out;
  }
}

/** How a pairwise objective draws the negative j of a purchase (u, i). */
export type PairwiseSampler =
  /** Uniform over the items u did not buy (BPR, Rendle et al. 2009 §4.3). */
  | { kind: 'uniform' }
  /**
   * Multi-channel (MC-BPR, Loni et al. 2016; NMTR §IV-A2): with probability
   * `viewedRate` an item u interacted with under a weaker behaviour but did not
   * buy, else an item u never interacted with (kernel `neg_sample_multichannel`).
   */
  | { kind: 'multichannel'; viewedRate: number };

/** Options of {@link PairwiseObjective} and {@link FusedBPRObjective}. */
export interface PairwiseOptions {
  /** Purchases per batch (default 1024). */
  batchSize?: number;
  /** Negatives per purchase, each a (u, i, j) triple (default 4, NMTR §IV-A3). */
  negatives?: number;
  sampler?: PairwiseSampler;
  seed?: number;
}

/**
 * Draws the (u, i, j) triples of a batch of target-behaviour purchases: every
 * purchase of the log is visited once per epoch in a seeded order, each with
 * `negatives` negatives from the chosen sampler. Shared by the autograd and the
 * fused BPR objectives.
 */
class TripleSampler {
  readonly #order: EpochOrder;
  readonly negatives: number;
  readonly seed: number;
  readonly sampler: PairwiseSampler;
  readonly #target: { indptr: Tensor; indices: Tensor };
  readonly #weaker: { indptr: Tensor; indices: Tensor } | undefined;
  readonly #seen: { indptr: Tensor; indices: Tensor } | undefined;

  constructor(readonly log: BehaviorLog, options: PairwiseOptions, who: string) {
    const R = log.behaviors.length;
    const batchSize = positiveInt('batchSize', options.batchSize ?? 1024);
    this.negatives = positiveInt('negatives', options.negatives ?? 4);
    this.seed = options.seed ?? 0;
    this.sampler = options.sampler ?? { kind: 'uniform' };
    const pairs = pairsWith(log, 1 << (R - 1));
    this.#order = new EpochOrder(pairs, this.seed, batchSize);
    if (pairs.length === 0) throw new Error(`${who}: the training log has no '${log.behaviors[R - 1]}' interactions`);
    const target = behaviorRows(log, R - 1);
    this.#target = { indptr: tensor(target.indptr), indices: tensor(target.indices) };
    if (this.sampler.kind === 'multichannel') {
      const rate = this.sampler.viewedRate;
      if (!(rate >= 0 && rate <= 1)) throw new Error(`${who}: sampler.viewedRate must be in [0, 1], got ${rate}`);
      if (R < 2) throw new Error(`${who}: the multi-channel sampler needs a weaker behaviour besides '${log.behaviors[0]}'`);
      const weaker = weakerOnlyRows(log);
      const seen = weakerOnlyRows(log, true);
      this.#weaker = { indptr: tensor(weaker.indptr), indices: tensor(weaker.indices) };
      this.#seen = { indptr: tensor(seen.indptr), indices: tensor(seen.indices) };
    }
  }

  batches(): number {
    return this.#order.batches();
  }

  /** Batch `index` of `epoch` without its negatives, for a step that draws them (uniform sampler only): the same draws as {@link triples}. */
  toDraw(epoch: number, index: number): TriplesToDraw {
    if (this.sampler.kind !== 'uniform') throw new Error('TripleSampler.toDraw: only the uniform sampler draws inside the step');
    const { users, positives } = this.#pairs(epoch, index);
    return { users, positives, seen: this.#target, draw: { ...this.#randomness(epoch, index, users.length), maxTries: MAX_TRIES } };
  }

  /** Where the negatives of batch `index` of `epoch` (n triples) are drawn: stream = epoch, T + 1 words per triple from index·n·(T + 1). */
  #randomness(epoch: number, index: number, n: number): { seed: number; stream: number; counter: number } {
    return { seed: this.seed, stream: epoch, counter: index * n * (MAX_TRIES + 1) };
  }

  /** The (u, i) of batch `index`'s triples: each purchase once per negative, negative-major. */
  #pairs(epoch: number, index: number): { users: Int32Array; positives: Int32Array } {
    const ids = this.#order.batch(epoch, index);
    const n = ids.length * this.negatives;
    const users = new Int32Array(n);
    const positives = new Int32Array(n);
    const { users: pairUsers, items: pairItems } = this.log.pairs;
    for (let k = 0; k < ids.length; k++) {
      users[k] = pairUsers[ids[k]];
      positives[k] = pairItems[ids[k]];
    }
    for (let t = 1; t < this.negatives; t++) {
      users.copyWithin(t * ids.length, 0, ids.length);
      positives.copyWithin(t * ids.length, 0, ids.length);
    }
    return { users, positives };
  }

  /** The triples of batch `index` of `epoch`: at once on host backends, a promise on `webgpu`. */
  triples(epoch: number, index: number): MaybePromise<Triples> {
    const { users, positives } = this.#pairs(epoch, index);
    const randomness = this.#randomness(epoch, index, users.length);
    const drawn = tidy(() => {
      const u = tensor(users);
      return this.sampler.kind === 'uniform'
        ? sampleNegatives(u, this.#target, this.log.numItems, randomness, MAX_TRIES).negatives
        : sampleMultichannelNegatives(u, this.#weaker!, this.#seen!, this.log.numItems, this.sampler.viewedRate, randomness, MAX_TRIES).negatives;
    });
    return andThen(readAndDispose<Int32Array>(drawn), (negatives) => ({ users, positives, negatives }));
  }
}

/**
 * Per user, the items of any weaker behaviour that are not target items (or,
 * with `all`, every item of any behaviour), ascending: the "viewed but not
 * bought" and "seen" channels of the multi-channel sampler.
 */
function weakerOnlyRows(log: BehaviorLog, all = false): { indptr: Int32Array; indices: Int32Array } {
  const R = log.behaviors.length;
  const targetBit = 1 << (R - 1);
  const indptr = new Int32Array(log.numUsers + 1);
  const indices: number[] = [];
  const { users, items, mask } = log.pairs;
  for (let k = 0; k < users.length; k++) {
    if (all || !(mask[k] & targetBit)) {
      indices.push(items[k]);
      indptr[users[k] + 1]++;
    }
  }
  for (let u = 0; u < log.numUsers; u++) indptr[u + 1] += indptr[u];
  return { indptr, indices: Int32Array.from(indices) };
}

/**
 * The BPR criterion (Rendle et al. 2009, eq. 4) on any differentiable scorer:
 * mean −ln σ(x̂_ui − x̂_uj) over the batch's triples. With the uniform sampler
 * and MF this is BPR; with the multi-channel sampler it is MC-BPR's learner,
 * and over NCF units it is NMTR's MC-GMF / MC-MLP / MC-NeuMF (§IV-A2: "we
 * optimized the three NCF models with the Multi-Channel BPR learner").
 */
export class PairwiseObjective implements Objective<Triples> {
  readonly #triples: TripleSampler;

  constructor(readonly model: PairwiseModel, log: BehaviorLog, options: PairwiseOptions = {}) {
    this.#triples = new TripleSampler(log, options, 'PairwiseObjective');
  }

  batches(): number {
    return this.#triples.batches();
  }

  prepare(epoch: number, index: number): MaybePromise<Triples> {
    return this.#triples.triples(epoch, index);
  }

  batch(_epoch: number, _index: number, t: Triples): { loss: Tensor; examples: number } {
    const u = tensor(t.users);
    const loss = bprLoss(this.model.score(u, tensor(t.positives)), this.model.score(u, tensor(t.negatives)));
    return { loss, examples: t.users.length };
  }
}

/** Options of {@link FusedBPRObjective}. */
export interface FusedBPROptions extends PairwiseOptions {
  /** SGD learning rate α (default 0.05). */
  learningRate?: number;
  /** λ_Θ on the touched rows (default 1e-5). */
  l2?: number;
  /**
   * Native backend on several threads: `true` runs `bpr_step` Hogwild (faster,
   * the model depends on thread timing); `false` (default) runs the triples in
   * the lane order (`lanes`), so the same seed, data and REC_THREADS give a
   * byte-identical model. js and webgpu are serial either way.
   */
  hogwild?: boolean;
  /**
   * The kernel's `lanes` when `hogwild` is off (core's `kernels/sgd/lane_strata.ts`: each
   * batch runs in a fixed permutation whose lanes touch disjoint rows, so native threads run
   * them at once). Default: {@link defaultLanes} of the backend's thread count and the
   * batch's triples, so that the same REC_THREADS gives the same model and one thread (and
   * js, webgpu, which are serial) is batch order; 1 keeps batch order on any thread count.
   */
  lanes?: number;
}

/** Triples each lane of each stratum should hold, on average, for the lanes to pay (see {@link defaultLanes}). */
const TRIPLES_PER_LANE_STRATUM = 128;

/**
 * The `lanes` a deterministic BPR batch runs with by default: the most lanes L ≤ `threads`
 * (and ≤ MAX_LANES) whose L(2L − 1) strata still give each lane of each stratum about 128 of
 * the batch's triples — 1 on one thread; 2 on two or more threads for batches of 1,536 to
 * 5,759 triples (the `bpr` model's 1,024 × 4); 3 from 5,760. Why the floor: a lane-stratum is
 * a task a thread claims and waits for, and below about a hundred triples the claims and
 * waits cost more than the second thread gives (apps/bench README, bench:bpr-threads).
 *
 * @example
 * ```ts
 * defaultLanes(2, 4096); // 2
 * defaultLanes(8, 4096); // 2
 * defaultLanes(1, 4096); // 1
 * ```
 */
export function defaultLanes(threads: number, triples: number): number {
  let lanes = 1;
  for (let L = 2; L <= Math.min(threads, MAX_LANES); L++) {
    if ((2 * L - 1) * L * L * TRIPLES_PER_LANE_STRATUM > triples) break;
    lanes = L;
  }
  return lanes;
}

/**
 * LearnBPR for matrix factorisation through the fused `bpr_step` kernel: each
 * batch's triples are applied one after another by SGD in place (Rendle et al.
 * 2009 §4.3), in the kernel's lane order (`lanes`: batch order on one thread, a
 * fixed permutation of the batch into row-disjoint lanes that native runs at once
 * on several), or Hogwild with `hogwild: true`. The trainer creates
 * no optimizer for it. Used for BPR-MF and MC-BPR (MF with the multi-channel
 * sampler, Loni et al. 2016), which are pure embedding models.
 */
export class FusedBPRObjective implements Objective<Triples | TriplesToDraw> {
  readonly fused = true;
  readonly #triples: TripleSampler;
  readonly #lr: number;
  readonly #l2: number;
  readonly #hogwild: boolean;
  readonly #lanes: number;

  constructor(readonly model: BPRMF, log: BehaviorLog, options: FusedBPROptions = {}) {
    this.#triples = new TripleSampler(log, options, 'FusedBPRObjective');
    this.#lr = options.learningRate ?? 0.05;
    this.#l2 = options.l2 ?? 1e-5;
    this.#hogwild = options.hogwild ?? false;
    if (this.#hogwild && options.lanes !== undefined) throw new Error('FusedBPRObjective: lanes orders the deterministic schedule; Hogwild ignores it, so give one or the other');
    const threads = model.users.weight.backend.threads?.() ?? 1;
    this.#lanes = this.#hogwild ? 1 : options.lanes ?? defaultLanes(threads, (options.batchSize ?? 1024) * this.#triples.negatives);
    if (!(this.#lr > 0)) throw new Error(`FusedBPRObjective: learningRate must be > 0, got ${this.#lr}`);
    if (!(this.#l2 >= 0)) throw new Error(`FusedBPRObjective: l2 must be ≥ 0, got ${this.#l2}`);
  }

  batches(): number {
    return this.#triples.batches();
  }

  /** With the uniform sampler, the batch's (u, i) and where its negatives are drawn (inside the step); else its triples. */
  prepare(epoch: number, index: number): MaybePromise<Triples | TriplesToDraw> {
    return this.#triples.sampler.kind === 'uniform' ? this.#triples.toDraw(epoch, index) : this.#triples.triples(epoch, index);
  }

  /**
   * Applies the batch's triples in place; the loss is a one-element tensor the trainer reads.
   * Uniform negatives are drawn inside the step (`bpr_sample_step`: the same draws as
   * `sampleNegatives` at the same counter, so the same model, with no negatives array
   * handed between the sampler and the kernel); multi-channel ones arrive drawn.
   */
  batch(_epoch: number, _index: number, t: Triples | TriplesToDraw): { loss: Tensor; examples: number } {
    const { users, items } = this.model;
    const step = { lr: this.#lr, reg: this.#l2, hogwild: this.#hogwild, lanes: this.#lanes };
    const [loss] = 'draw' in t
      ? runKernel('bpr_sample_step', [users.weight, items.weight, tensor(t.users), tensor(t.positives), t.seen.indptr, t.seen.indices], { ...step, ...t.draw })
      : runKernel('bpr_step', [users.weight, items.weight, tensor(t.users), tensor(t.positives), tensor(t.negatives)], step);
    return { loss, examples: t.users.length };
  }
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${value}`);
  return value;
}
