/**
 * The next-id objective of the sequential recommenders (SASRec §III-E, FMLP-Rec §3.3):
 * windows of each sequence, the id after each scored position as the positive, one sampled
 * id as the negative, binary cross-entropy on their dot-product scores.
 */
import { bceWithLogits, concat, gather, mul, reshape, sampleNegatives, sum, tensor, type Tensor, tidy } from '@rec/core';
import { EpochOrder, type Objective } from '../training/objectives.js';
import { andThen, hostCopy, type MaybePromise } from '../training/read.js';
import type { EventSequences, SequenceEncoder } from './sequences.js';

/**
 * Which positions of a window are scored:
 * - `all`: every real position t predicts the id at t + 1 (SASRec §III-E; needs a causal
 *   encoder, whose F_t cannot see the id it predicts): one window per sequence, its last
 *   T + 1 ids;
 * - `last`: only the last position, one window per prefix of every sequence (FMLP-Rec's
 *   training: its filters mix every position, so only the last one may be scored).
 * @example
 * ```ts
 * const positions: ScoredPositions = encoder instanceof SASRec ? 'all' : 'last';
 * ```
 */
export type ScoredPositions = 'all' | 'last';

/**
 * Options of {@link NextItemObjective}.
 * @example
 * ```ts
 * const options: NextItemObjectiveOptions = { positions: 'all', batchSize: 128, seed: 1 };
 * ```
 */
export interface NextItemObjectiveOptions {
  /** Which positions are scored (see {@link ScoredPositions}). */
  readonly positions: ScoredPositions;
  /** Windows per batch (default 128, SASRec §IV's implementation details). */
  readonly batchSize?: number;
  /** Seed of the window order and of the negatives (default 0). */
  readonly seed?: number;
}

/**
 * One prepared batch: the windows, the scored positions with their targets, and the drawn negatives.
 * @example
 * ```ts
 * const batch: NextItemBatch = await objective.prepare(0, 0);
 * batch.targets[0]; // the id after the first scored position
 * ```
 */
export interface NextItemBatch {
  /** i32 `[B·T]`: the windows, left-padded. */
  readonly windows: Int32Array;
  readonly batch: number;
  /** i32 `[N]`: the scored positions, as rows of the flattened `[B·T, d]` hidden states. */
  readonly rows: Int32Array;
  /** i32 `[N]`: the id that follows each scored position. */
  readonly targets: Int32Array;
  /** i32 `[N]`: one sampled id per scored position, none of the sequence's own ids. */
  readonly negatives: Int32Array;
}

/** Retries of the negative sampler before a draw is kept (it may then be one of the sequence's ids). */
const MAX_TRIES = 32;

/**
 * The binary cross-entropy of SASRec §III-E with one sampled negative per scored position:
 *
 *   loss = (1/N) Σ_{(s,t) scored} [−log σ(⟨F_t, M_{o_t}⟩) − log(1 − σ(⟨F_t, M_j⟩))]
 *
 * with o_t the id after position t and j drawn uniformly from the ids absent from the whole
 * sequence s (kernel `neg_sample_exclude`; SASRec's code draws j ∉ S^u the same way), one
 * per scored position, fresh every epoch. N counts the scored positions, so the loss is the
 * authors' sum over positions divided by their number (SASRec) or the mean over prefixes
 * (FMLP-Rec). A sequence that holds every id keeps its last draw, which is then one of its
 * own ids.
 *
 * Windows: a sequence of n ids gives, with `all`, one window of its last T + 1 ids — the
 * first T are inputs (left-padded when fewer), each followed by its target; older ids are
 * cut, as SASRec keeps the most recent n; with `last`, n − 1 windows, one per prefix ending
 * at ids 1 … n − 1 (that id the target, up to T ids before it the inputs).
 *
 * Randomness is a pure function of (seed, epoch, batch): the window order is `EpochOrder`'s
 * (Philox stream 2³¹ + epoch), and batch b's negatives come from stream `epoch` at the
 * counter after the draws of batches 0 … b − 1, so a resumed run draws what the
 * uninterrupted one did. Dropout masks are not: they come from the encoder's own `Dropout`
 * counters, which restart with the process, so a resumed run drops other units than the
 * uninterrupted one (a fresh run from the same seed is identical).
 *
 * @example
 * ```ts
 * const objective = new NextItemObjective(sasrec, learningSequences(task), { positions: 'all', batchSize: 128, seed: 1 });
 * await new Trainer(sasrec, objective, { optimizer: 'adam', learningRate: 0.001 }).fit();
 * ```
 * @see Kang & McAuley 2018, §III-E (binary cross-entropy, one negative per time step).
 * @see Zhou et al. 2022, §3.3 (FMLP-Rec's prediction layer and loss).
 */
export class NextItemObjective implements Objective<NextItemBatch> {
  readonly positions: ScoredPositions;
  readonly #batchSize: number;
  readonly #seed: number;
  /** Per window: its sequence (user) and the end (exclusive) of its ids in that sequence. */
  readonly #windowUser: Int32Array;
  readonly #windowStop: Int32Array;
  readonly #order: EpochOrder;
  /** Each sequence's distinct ids, sorted: what its negatives avoid. */
  readonly #seen: { indptr: Tensor; indices: Tensor };
  #counters: { epoch: number; counters: Float64Array } | undefined;

  /**
   * @throws Error when no sequence has two ids, an id is outside 0 … V − 1, or an option is out of range.
   */
  constructor(readonly encoder: SequenceEncoder, readonly sequences: EventSequences, options: NextItemObjectiveOptions) {
    const batchSize = options.batchSize ?? 128;
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`NextItemObjective: batchSize must be a positive integer, got ${batchSize}`);
    if (options.positions !== 'all' && options.positions !== 'last') throw new Error(`NextItemObjective: positions must be 'all' or 'last', got '${String(options.positions)}'`);
    const { indptr, items } = sequences;
    const V = encoder.vocabularySize;
    for (const id of items) if (!(id >= 0 && id < V)) throw new Error(`NextItemObjective: id ${id} is outside 0..${V - 1}`);
    this.positions = options.positions;
    this.#batchSize = batchSize;
    this.#seed = options.seed ?? 0;
    const users: number[] = [];
    const stops: number[] = [];
    const numUsers = indptr.length - 1;
    for (let u = 0; u < numUsers; u++) {
      const n = indptr[u + 1]! - indptr[u]!;
      if (n < 2) continue;
      if (this.positions === 'all') {
        users.push(u);
        stops.push(n);
      } else {
        for (let stop = 2; stop <= n; stop++) {
          users.push(u);
          stops.push(stop);
        }
      }
    }
    if (users.length === 0) throw new Error('NextItemObjective: no sequence has two ids, so there is no next id to learn');
    this.#windowUser = Int32Array.from(users);
    this.#windowStop = Int32Array.from(stops);
    this.#order = new EpochOrder(Int32Array.from(users, (_, w) => w), this.#seed, batchSize);
    const seenIndptr = new Int32Array(numUsers + 1);
    const seen: number[] = [];
    for (let u = 0; u < numUsers; u++) {
      const distinct = [...new Set(items.subarray(indptr[u], indptr[u + 1]))].sort((a, b) => a - b);
      seen.push(...distinct);
      seenIndptr[u + 1] = seen.length;
    }
    this.#seen = { indptr: tensor(seenIndptr), indices: tensor(Int32Array.from(seen)) };
  }

  batches(): number {
    return this.#order.batches();
  }

  /** Windows per epoch: sequences (`all`) or prefixes (`last`). */
  get numWindows(): number {
    return this.#windowUser.length;
  }

  /** Scored positions of window w. */
  #scored(w: number): number {
    return this.positions === 'last' ? 1 : Math.min(this.#windowStop[w]! - 1, this.encoder.maxLength);
  }

  /** The first sampler counter of each batch of `epoch` (the draws of the batches before it). */
  #counterOf(epoch: number, index: number): number {
    if (this.#counters?.epoch !== epoch) {
      const order = this.#order.order(epoch);
      const counters = new Float64Array(this.batches() + 1);
      for (let b = 0; b < this.batches(); b++) {
        let draws = 0;
        for (const w of order.subarray(b * this.#batchSize, (b + 1) * this.#batchSize)) draws += this.#scored(w);
        counters[b + 1] = counters[b]! + draws * MAX_TRIES;
      }
      this.#counters = { epoch, counters };
    }
    return this.#counters.counters[index]!;
  }

  prepare(epoch: number, index: number): MaybePromise<NextItemBatch> {
    const ids = this.#order.batch(epoch, index);
    const { maxLength: T, pad } = this.encoder;
    const { indptr, items } = this.sequences;
    const B = ids.length;
    const windows = new Int32Array(B * T).fill(pad);
    const rows: number[] = [];
    const targets: number[] = [];
    const users: number[] = [];
    ids.forEach((w, b) => {
      const u = this.#windowUser[w]!;
      const stop = this.#windowStop[w]!;
      const base = indptr[u]!;
      // Inputs: ids first … stop − 2 of the sequence, right-aligned; the target of the last is id stop − 1.
      const first = Math.max(0, stop - 1 - T);
      const count = stop - 1 - first;
      windows.set(items.subarray(base + first, base + stop - 1), b * T + T - count);
      const scoredFrom = this.positions === 'all' ? 0 : count - 1;
      for (let j = scoredFrom; j < count; j++) {
        rows.push(b * T + T - count + j);
        targets.push(items[base + first + j + 1]!);
        users.push(u);
      }
    });
    const drawn = tidy(() => sampleNegatives(tensor(Int32Array.from(users)), this.#seen, this.encoder.vocabularySize, { seed: this.#seed, stream: epoch, counter: this.#counterOf(epoch, index) }, MAX_TRIES).negatives);
    return andThen(hostCopy(drawn), (negatives) => {
      drawn.dispose();
      return { windows, batch: B, rows: Int32Array.from(rows), targets: Int32Array.from(targets), negatives: negatives as Int32Array };
    });
  }

  batch(_epoch: number, _index: number, prepared: NextItemBatch): { loss: Tensor; examples: number } {
    const { windows, batch: B, rows, targets, negatives } = prepared;
    const { dim: d, maxLength: T, embeddings } = this.encoder;
    const hidden = gather(reshape(this.encoder.encode(windows, B), [B * T, d]), tensor(rows));
    const score = (ids: Int32Array): Tensor => sum(mul(hidden, gather(embeddings, tensor(ids))), 1);
    const N = rows.length;
    const labels = new Float32Array(2 * N);
    labels.fill(1, 0, N);
    const loss = mul(bceWithLogits(concat([score(targets), score(negatives)]), tensor(labels), 'sum'), 1 / N);
    return { loss, examples: N };
  }
}
