/**
 * The next-id objective of the sequential recommenders (SASRec §III-E, FMLP-Rec §3.3):
 * windows of each sequence, the id after each scored position as the positive, one sampled
 * id as the negative, binary cross-entropy on their dot-product scores.
 */
import { bceWithLogits, concat, gather, mul, reshape, sampleNegatives, sum, tensor, type Tensor, tidy } from '@rec/core';
import type { Objective } from '../training/objectives.js';
import { andThen, type MaybePromise, readAndDispose } from '../training/read.js';
import type { EventSequences, SequenceEncoder } from './sequences.js';
import { type NextIdBatch, NextIdWindows, type ScoredPositions } from './windows.js';

export type { ScoredPositions } from './windows.js';

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
export interface NextItemBatch extends NextIdBatch {
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
 * Windows, their order and targets are {@link NextIdWindows}' (shared with CLRec's and the
 * sampled-softmax objective): with `all`, one window per sequence, its last T + 1 ids; with
 * `last`, one per prefix.
 *
 * Randomness is a pure function of (seed, epoch, batch): the window order is
 * `NextIdWindows`' (Philox stream 2³¹ + epoch), and batch b's negatives come from stream `epoch` at the
 * counter after the draws of batches 0 … b − 1, so a resumed run draws what the
 * uninterrupted one did. So are the dropout masks: they come from the encoder's own
 * `Dropout` counters, which the trainer keeps in its checkpoint and restores on resume.
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
  readonly #seed: number;
  readonly #windows: NextIdWindows;
  /** Each sequence's distinct ids, sorted: what its negatives avoid. */
  readonly #seen: { indptr: Tensor; indices: Tensor };
  #counters: { epoch: number; counters: Float64Array } | undefined;

  /**
   * @throws Error when no sequence has two ids, an id is outside 0 … V − 1, or an option is out of range.
   */
  constructor(readonly encoder: SequenceEncoder, readonly sequences: EventSequences, options: NextItemObjectiveOptions) {
    this.positions = options.positions;
    this.#seed = options.seed ?? 0;
    this.#windows = new NextIdWindows(encoder, sequences, options.positions, options.batchSize ?? 128, this.#seed, 'NextItemObjective');
    const { indptr, items } = sequences;
    const numUsers = indptr.length - 1;
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
    return this.#windows.batches();
  }

  /** Windows per epoch: sequences (`all`) or prefixes (`last`). */
  get numWindows(): number {
    return this.#windows.numWindows;
  }

  /** The first sampler counter of each batch of `epoch` (the draws of the batches before it). */
  #counterOf(epoch: number, index: number): number {
    if (this.#counters?.epoch !== epoch) {
      const counters = new Float64Array(this.batches() + 1);
      for (let b = 0; b < this.batches(); b++) counters[b + 1] = counters[b]! + this.#windows.scoredIn(epoch, b) * MAX_TRIES;
      this.#counters = { epoch, counters };
    }
    return this.#counters.counters[index]!;
  }

  prepare(epoch: number, index: number): MaybePromise<NextItemBatch> {
    const examples = this.#windows.batch(epoch, index);
    const drawn = tidy(() => sampleNegatives(tensor(examples.sequences), this.#seen, this.encoder.vocabularySize, { seed: this.#seed, stream: epoch, counter: this.#counterOf(epoch, index) }, MAX_TRIES).negatives);
    return andThen(readAndDispose<Int32Array>(drawn), (negatives) => ({ ...examples, negatives }));
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
