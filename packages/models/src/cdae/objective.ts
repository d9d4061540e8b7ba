import { add, bceWithLogits, Philox, sampleNegatives, sum, mul, tensor, type Tensor, tidy } from '@rec/core';
import { EpochOrder, type Objective } from '../training/objectives.js';
import { andThen, type MaybePromise, readAndDispose } from '../training/read.js';
import type { CDAE, CDAEBatch, UserItemRows } from './cdae.js';

/** Options of {@link CDAEObjective}. */
export interface CDAEObjectiveOptions {
  /** Users per batch (default 32). */
  readonly batchSize?: number;
  /** Negatives sampled per observed item of the user, |S_u| = negatives·|O_u| (default 5). */
  readonly negatives?: number;
  /** Seed of the order, the corruption and the negatives (default 0). */
  readonly seed?: number;
}

/** Retries of the negative sampler before a draw is kept (it may then be a positive). */
const MAX_TRIES = 32;
/** Philox stream base of the input corruption (the user order is EpochOrder's, 2³¹ + epoch, as the other objectives'). */
const CORRUPTION_STREAM = 0x40000000;

/**
 * CDAE's objective (Wu et al. 2016, §4.2–4.3) over batches of users: for each user u of a
 * batch, the input ỹ_u keeps each observed item with probability 1 − q (scaled by
 * 1/(1 − q)), and the loss is the logistic loss of every observed item (target 1) and of
 * `negatives`·|O_u| items drawn uniformly from those u has not interacted with (target 0),
 * summed per user, averaged over the batch's users, plus the model's λ/2 prior
 * (`CDAE.batchLogits`).
 *
 * Choices: every user with an observed item is visited once per epoch in a seeded order
 * (the paper's per-user SGD, in batches of users); negatives are drawn with replacement and
 * redrawn every epoch (§4.3 samples S_u for each user per iteration; libcf's CDAE
 * draws 5 per observed item, with replacement); the loss is summed over a user's cases, as the paper's ℓ(ỹ_u, ŷ_u) is, so a user's weight grows with its history,
 * and averaged over users, as the paper's 1/U.
 *
 * Randomness is a pure function of (seed, epoch, user): the corruption of user u's j-th
 * observed item is Philox word indptr[u] + j of stream 2³⁰ + epoch, and the negatives come
 * from the `neg_sample_exclude` kernel at counters that follow the epoch's order, so a
 * resumed run continues as the uninterrupted one.
 *
 * @example
 * ```ts
 * const objective = new CDAEObjective(cdae, rows, { batchSize: 32, negatives: 5, seed: 1 });
 * await new Trainer(cdae, objective, { optimizer: 'adagrad', learningRate: 0.05, l2: 0 }).fit();
 * ```
 * @see Wu et al. 2016, §4.3 (negative sampling).
 */
export class CDAEObjective implements Objective<CDAEBatch> {
  readonly #batchSize: number;
  readonly #negatives: number;
  readonly #seed: number;
  readonly #csr: { indptr: Tensor; indices: Tensor };
  readonly #userOrder: EpochOrder;
  #counters: { epoch: number; counters: Float64Array } | undefined;

  constructor(readonly model: CDAE, readonly rows: UserItemRows, options: CDAEObjectiveOptions = {}) {
    const batchSize = options.batchSize ?? 32;
    const negatives = options.negatives ?? 5;
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`CDAEObjective: batchSize must be a positive integer, got ${batchSize}`);
    if (!(Number.isInteger(negatives) && negatives >= 1)) throw new Error(`CDAEObjective: negatives must be a positive integer, got ${negatives}`);
    if (rows.indptr.length !== model.numUsers + 1) throw new Error(`CDAEObjective: the rows cover ${rows.indptr.length - 1} users, the model ${model.numUsers}`);
    this.#batchSize = batchSize;
    this.#negatives = negatives;
    this.#seed = options.seed ?? 0;
    const users: number[] = [];
    for (let u = 0; u < model.numUsers; u++) if (rows.indptr[u + 1] > rows.indptr[u]) users.push(u);
    if (users.length === 0) throw new Error('CDAEObjective: no user has an observed item');
    // Users with at least one observed item, in a seeded order per epoch.
    this.#userOrder = new EpochOrder(Int32Array.from(users), this.#seed, batchSize);
    this.#csr = { indptr: tensor(rows.indptr), indices: tensor(rows.indices) };
  }

  batches(): number {
    return this.#userOrder.batches();
  }

  /** Users visited per epoch: those with at least one observed item. */
  get numUsers(): number {
    return this.#userOrder.ids.length;
  }

  /** The epoch's user order and the first sampler counter of each batch. */
  #order(epoch: number): { order: Int32Array; counters: Float64Array } {
    const order = this.#userOrder.order(epoch);
    if (this.#counters?.epoch !== epoch) {
      const counters = new Float64Array(this.batches() + 1);
      for (let b = 0; b < this.batches(); b++) {
        let draws = 0;
        for (const u of order.subarray(b * this.#batchSize, (b + 1) * this.#batchSize)) draws += this.rows.indptr[u + 1] - this.rows.indptr[u];
        counters[b + 1] = counters[b] + draws * this.#negatives * MAX_TRIES;
      }
      this.#counters = { epoch, counters };
    }
    return { order, counters: this.#counters.counters };
  }

  prepare(epoch: number, index: number): MaybePromise<CDAEBatch> {
    const { order, counters } = this.#order(epoch);
    const users = order.slice(index * this.#batchSize, (index + 1) * this.#batchSize);
    const { indptr, indices } = this.rows;
    const q = this.model.corruption;
    const rng = new Philox({ seed: this.#seed, stream: CORRUPTION_STREAM + epoch });
    const inItems: number[] = [];
    const inRows: number[] = [];
    let observed = 0;
    users.forEach((u, b) => {
      rng.skipTo(indptr[u]);
      for (let p = indptr[u]; p < indptr[u + 1]; p++) {
        if (rng.uniform() >= q) {
          inItems.push(indices[p]);
          inRows.push(b);
        }
      }
      observed += indptr[u + 1] - indptr[u];
    });
    // Negative draws, user by user: negatives·|O_u| per user.
    const N = this.#negatives;
    const drawUsers = new Int32Array(observed * N);
    let at = 0;
    for (const u of users) {
      const n = (indptr[u + 1] - indptr[u]) * N;
      drawUsers.fill(u, at, at + n);
      at += n;
    }
    const drawn = tidy(() => sampleNegatives(tensor(drawUsers), this.#csr, this.model.numItems, { seed: this.#seed, stream: epoch, counter: counters[index] }, MAX_TRIES).negatives);
    return andThen(readAndDispose<Int32Array>(drawn), (negatives) => {
      const total = observed * (1 + N);
      const rows = new Int32Array(total);
      const items = new Int32Array(total);
      const labels = new Float32Array(total);
      let k = 0;
      let d = 0;
      users.forEach((u, b) => {
        for (let p = indptr[u]; p < indptr[u + 1]; p++) {
          rows[k] = b;
          items[k] = indices[p];
          labels[k++] = 1;
        }
        for (let t = (indptr[u + 1] - indptr[u]) * N; t > 0; t--) {
          rows[k] = b;
          items[k++] = negatives[d++];
        }
      });
      return {
        input: { users, items: Int32Array.from(inItems), rows: Int32Array.from(inRows), scale: 1 / (1 - q) },
        outputs: { rows, items, labels },
      };
    });
  }

  batch(_epoch: number, _index: number, batch: CDAEBatch): { loss: Tensor; examples: number } {
    const { logits, penalty } = this.model.batchLogits(batch);
    const B = batch.input.users.length;
    const loss = mul(sum(bceWithLogits(logits, tensor(batch.outputs.labels), 'none')), 1 / B);
    return { loss: penalty ? add(loss, penalty) : loss, examples: B };
  }
}
