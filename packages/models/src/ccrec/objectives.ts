/**
 * The three training stages of CCRec as objectives of the shared trainer: the
 * user-distinctive category encoder (§5.2), the MLE (§5.1) and the precision-centric
 * recommender (§5.3). Every random choice (order, ε, candidate draws) is a pure function
 * of (seed, epoch, batch), so a resumed run continues exactly.
 */
import { nllLoss, sampleWeightedCandidates, type Tensor, tensor, tidy } from '@rec/core';
import type { Objective } from '../training/objectives.js';
import { EpochOrder } from '../training/objectives.js';
import { hostCopy } from '../training/read.js';
import { precisionLoss } from './cascade.js';
import { CCREC_STREAMS, type CCRecModel, stageRandom } from './ccrec.js';
import type { CategoryEncoder, EncoderInputs } from './encoder.js';

/**
 * L_MLE of §5.1: one NLL term per (learning user, future category), in shuffled batches.
 * @example
 * ```ts
 * const objective = new MleObjective(model, futureUsers, futureCategories, { batchSize: 256, seed: 1 });
 * ```
 */
export class MleObjective implements Objective {
  readonly #order: EpochOrder;

  /** @param users, categories - the aligned (user, future category) examples. */
  constructor(private readonly model: CCRecModel, private readonly users: Int32Array, private readonly categories: Int32Array, options: { batchSize: number; seed: number }) {
    this.#order = new EpochOrder(Int32Array.from(users, (_, n) => n), options.seed * 8 + CCREC_STREAMS.mleOrder, options.batchSize);
  }

  batches(): number {
    return this.#order.batches();
  }

  batch(epoch: number, index: number): { loss: Tensor; examples: number } {
    const ids = this.#order.batch(epoch, index);
    const users = Int32Array.from(ids, (n) => this.users[n]!);
    const labels = Int32Array.from(ids, (n) => this.categories[n]!);
    this.model.invalidateMle();
    return { loss: nllLoss(this.model.mleLogProbabilities(users), tensor(labels)), examples: ids.length };
  }
}

/**
 * The VAE's negative ELBO (§5.2) over (user, past category) pairs, ε drawn per row.
 * @example
 * ```ts
 * const objective = new EncoderObjective(encoder, inputs, pairUsers, pairCategories, { batchSize: 256, seed: 1 });
 * ```
 */
export class EncoderObjective implements Objective {
  readonly #order: EpochOrder;

  constructor(
    private readonly encoder: CategoryEncoder, private readonly inputs: EncoderInputs,
    private readonly users: Int32Array, private readonly categories: Int32Array, private readonly options: { batchSize: number; seed: number },
  ) {
    this.#order = new EpochOrder(Int32Array.from(users, (_, n) => n), options.seed * 8 + CCREC_STREAMS.encoderOrder, options.batchSize);
  }

  batches(): number {
    return this.#order.batches();
  }

  batch(epoch: number, index: number): { loss: Tensor; examples: number } {
    const ids = this.#order.batch(epoch, index);
    const dim = this.encoder.config.embeddingDim;
    const rng = stageRandom(this.options.seed, CCREC_STREAMS.encoderNoise, epoch);
    rng.skipTo(index * this.options.batchSize * dim * 2);
    const eps = new Float32Array(ids.length * dim);
    for (let n = 0; n < eps.length; n++) eps[n] = rng.normal();
    const x = this.inputs.tensor(Array.from(ids, (n) => this.users[n]!), Array.from(ids, (n) => this.categories[n]!));
    return { loss: this.encoder.loss(x, tensor(eps, [ids.length, dim])), examples: ids.length };
  }
}

/** One epoch's candidate rows of the cascade: (user, category, label, M1 probability). */
interface CandidateRows {
  readonly users: Int32Array;
  readonly categories: Int32Array;
  readonly labels: Float32Array;
  readonly probabilities: Float32Array;
}

/**
 * L_total of §5.3 over each learning user's candidates: |r_t| draws from M1's
 * distribution (`sample_weighted_candidates`, redrawn each epoch) plus the user's past
 * categories, duplicates collapsed; labelled by the user's future categories.
 * @example
 * ```ts
 * const objective = new CascadeObjective(model, learners, futureRows, { batchSize: 256, seed: 1 });
 * ```
 */
export class CascadeObjective implements Objective<CandidateRows> {
  #epoch: { epoch: number; rows: CandidateRows; order: EpochOrder } | undefined;

  constructor(
    private readonly model: CCRecModel,
    /** The learning users, ascending. */
    private readonly learners: Int32Array,
    /** Each user's future categories (sorted rows). */
    private readonly future: { rowOf(user: number): Int32Array },
    private readonly options: { batchSize: number; seed: number },
  ) {}

  /** The epoch's candidate rows (drawn once per epoch), in a seeded order. */
  async #rows(epoch: number): Promise<{ rows: CandidateRows; order: EpochOrder }> {
    if (this.#epoch?.epoch === epoch) return this.#epoch;
    const model = this.model;
    const C = model.numCategories;
    const { maxPast: k, candidates: draws } = model.config;
    const probabilities = await model.mleProbabilities();
    const L = this.learners.length;
    const candidateIds = new Int32Array(L * C);
    const weights = new Float32Array(L * C);
    this.learners.forEach((u, n) => {
      for (let c = 0; c < C; c++) {
        candidateIds[n * C + c] = c;
        weights[n * C + c] = probabilities[u * C + c]!;
      }
    });
    const drawn = tidy(() => sampleWeightedCandidates(tensor(candidateIds, [L, C]), tensor(weights, [L, C]), draws, {
      seed: this.options.seed, stream: CCREC_STREAMS.cascadeDraws * 0x10000 + epoch, counter: 0,
    }).samples);
    const samples = (await hostCopy(drawn)) as Int32Array;
    drawn.dispose();
    const users: number[] = [];
    const categories: number[] = [];
    const labels: number[] = [];
    const probs: number[] = [];
    const sequences = model.sequences;
    this.learners.forEach((u, n) => {
      const set = new Set<number>();
      for (let j = 0; j < draws; j++) set.add(samples[n * draws + j]!);
      for (let j = 0; j < k; j++) if (sequences[u * k + j]! < C) set.add(sequences[u * k + j]!);
      const future = this.future.rowOf(u);
      for (const c of [...set].sort((a, b) => a - b)) {
        users.push(u);
        categories.push(c);
        labels.push(future.includes(c) ? 1 : 0);
        probs.push(probabilities[u * C + c]!);
      }
    });
    const rows: CandidateRows = {
      users: Int32Array.from(users), categories: Int32Array.from(categories), labels: Float32Array.from(labels), probabilities: Float32Array.from(probs),
    };
    const order = new EpochOrder(Int32Array.from(users, (_, n) => n), this.options.seed * 8 + CCREC_STREAMS.cascadeOrder, this.options.batchSize);
    this.#epoch = { epoch, rows, order };
    return this.#epoch;
  }

  batches(): number {
    // Every epoch has the same number of learners; rows vary with the draws, so batches
    // are counted from the largest possible row count: |r_t| draws + k past per learner.
    const { maxPast: k, candidates } = this.model.config;
    return Math.ceil((this.learners.length * Math.min(this.model.numCategories, candidates + k)) / this.options.batchSize);
  }

  async prepare(epoch: number, index: number): Promise<CandidateRows> {
    const { rows, order } = await this.#rows(epoch);
    const ids = order.batch(epoch, index);
    return {
      users: Int32Array.from(ids, (n) => rows.users[n]!),
      categories: Int32Array.from(ids, (n) => rows.categories[n]!),
      labels: Float32Array.from(ids, (n) => rows.labels[n]!),
      probabilities: Float32Array.from(ids, (n) => rows.probabilities[n]!),
    };
  }

  batch(_epoch: number, _index: number, rows: CandidateRows): { loss: Tensor | number; examples: number } {
    if (rows.users.length === 0) return { loss: 0, examples: 0 };
    const scores = this.model.cascadeScores(rows.users, rows.categories);
    return { loss: precisionLoss(scores, tensor(rows.labels), tensor(rows.probabilities)), examples: rows.users.length };
  }
}
