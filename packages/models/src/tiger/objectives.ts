/**
 * TIGER's two training stages as trainer objectives (Rajput et al. 2023): the RQ-VAE over
 * the items' content vectors (§3.1), then the sequence-to-sequence model over the users'
 * histories as Semantic IDs (§3.2).
 */
import { Adagrad, add, backward, Philox, softmaxCrossEntropy, tensor, type Tensor } from '@rec/core';
import type { EventSequences } from '../sasrec/sequences.js';
import { EpochOrder, type Objective } from '../training/objectives.js';
import type { ItemContent } from './content.js';
import type { RQVAE } from './rq-vae.js';
import type { TigerModel } from './tiger.js';

/**
 * Options of {@link RQVAEObjective}.
 * @example
 * ```ts
 * const options: RQVAEObjectiveOptions = { batchSize: 1024, learningRate: 0.4, seed: 1 }; // §4's
 * ```
 */
export interface RQVAEObjectiveOptions {
  /** Items per batch (default 1024, §4). */
  readonly batchSize?: number;
  /** Adagrad's learning rate (default 0.4, §4). */
  readonly learningRate?: number;
  readonly seed?: number;
}

/**
 * One RQ-VAE batch: its content rows and their codes under the current parameters.
 * @example
 * ```ts
 * const batch: RQVAEBatch = await objective.prepare(0, 0); // k-means runs here on epoch 0, batch 0
 * batch.codes.length; // batch.rows · levels
 * ```
 */
export interface RQVAEBatch {
  readonly x: Float32Array;
  readonly rows: number;
  readonly codes: Int32Array;
}

/**
 * The RQ-VAE loss of §3.1 (see `RQVAE`) over the catalogue's content vectors: every item
 * once per epoch in a seeded order (`EpochOrder`), the codebooks set by k-means on the first
 * batch of the first epoch.
 *
 * It steps its own optimizer (`fused`): Adagrad at `learningRate` with TensorFlow's initial
 * accumulator 0.1 — §4 trains the RQ-VAE with Adagrad (learning rate 0.4, batches of
 * 1024), settings that differ from the transformer's, which the shared trainer would
 * otherwise impose (one optimizer per fit config). On our multi-hot content §4's rate 0.4
 * diverges (ml-100k genres, the §4 RQ-VAE sizes: the loss reached 10⁹ within two epochs and
 * every item fell on one code); the registration's default is 0.01. TF's accumulator
 * start (core's default is 0) keeps the first steps at about lr·g/√0.1 instead of lr per
 * weight. A checkpoint therefore holds the parameters but not this optimizer's sums: a
 * resumed RQ-VAE phase restarts them.
 *
 * Codes are found on the host (`prepare`, reading the latents back), so `batch` stays
 * synchronous on every backend.
 *
 * @example
 * ```ts
 * const objective = new RQVAEObjective(rqvae, content, { batchSize: 1024, learningRate: 0.4, seed: 1 });
 * await context.train(rqvae, objective, { phase: 'rqvae', validate: false, epochs: 100 });
 * ```
 * @see Rajput et al. 2023, §3.1 (loss, k-means initialisation), §4 (optimizer, batch).
 */
export class RQVAEObjective implements Objective<RQVAEBatch> {
  readonly fused = true;
  readonly #order: EpochOrder;
  readonly #optimizer: Adagrad;

  /** @throws Error when the content does not fit the RQ-VAE or an option is out of range. */
  constructor(readonly rqvae: RQVAE, readonly content: ItemContent, options: RQVAEObjectiveOptions = {}) {
    if (content.dim !== rqvae.inputDim) throw new Error(`tiger: the content vectors have ${content.dim} dimensions, the RQ-VAE reads ${rqvae.inputDim}`);
    const batchSize = options.batchSize ?? 1024;
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`tiger: rqvaeBatchSize must be a positive integer, got ${batchSize}`);
    this.#order = new EpochOrder(Int32Array.from({ length: content.numItems }, (_, i) => i), options.seed ?? 0, batchSize);
    this.#optimizer = new Adagrad(rqvae, { lr: options.learningRate ?? 0.4, initialAccumulatorValue: 0.1 });
  }

  batches(): number {
    return this.#order.batches();
  }

  async prepare(epoch: number, index: number): Promise<RQVAEBatch> {
    const ids = this.#order.batch(epoch, index);
    const D = this.content.dim;
    const x = new Float32Array(ids.length * D);
    ids.forEach((item, b) => x.set(this.content.values.subarray(item * D, (item + 1) * D), b * D));
    const z = await this.rqvae.latentsOf(x, ids.length);
    if (epoch === 0 && index === 0) this.rqvae.initialiseCodebooks(z, ids.length);
    return { x, rows: ids.length, codes: await this.rqvae.quantizeLatents(z, ids.length) };
  }

  batch(_epoch: number, _index: number, prepared: RQVAEBatch): { loss: Tensor; examples: number } {
    const { loss } = this.rqvae.loss(tensor(prepared.x, [prepared.rows, this.content.dim]), prepared.codes);
    backward(loss);
    this.#optimizer.step();
    this.#optimizer.zeroGrad();
    return { loss, examples: prepared.rows };
  }
}

/**
 * Options of {@link SemanticIdObjective}.
 * @example
 * ```ts
 * const options: SemanticIdObjectiveOptions = { batchSize: 256, targetsPerUser: 0, seed: 1 };
 * ```
 */
export interface SemanticIdObjectiveOptions {
  /** Examples per batch (default 256, §4). */
  readonly batchSize?: number;
  /**
   * Targets per user and epoch: 0 (default) takes every position of every sequence; n > 0
   * draws n positions per user afresh each epoch (all when the user has fewer), which
   * bounds an epoch's cost on long histories.
   */
  readonly targetsPerUser?: number;
  readonly seed?: number;
}

/**
 * One seq2seq batch: encoder inputs, teacher-forced decoder inputs and each level's targets.
 * @example
 * ```ts
 * const batch: SemanticIdBatch = objective.prepare(0, 0);
 * batch.targets[0]![0]; // the first example's level-0 code
 * ```
 */
export interface SemanticIdBatch {
  readonly batch: number;
  /** i32 `[B · S]`. */
  readonly encoderInputs: Int32Array;
  /** i32 `[B · L]`: bos, then the target's codes of levels 0 … L − 2. */
  readonly decoderInputs: Int32Array;
  /** Per level: i32 `[B]`, the target's level-local code. */
  readonly targets: Int32Array[];
}

/**
 * Teacher-forced next-item cross-entropy over Semantic IDs (§3.2: the model learns to
 * predict the Semantic ID of the next item of the user's sequence):
 *
 *   loss = (1/B) Σ_examples Σ_{l=0}^{L−1} −log softmax_{level l}(⟨F_l, E⟩)[c_l(y)]
 *
 * An example is a user u and a position t ≥ 1 of u's sequence: the encoder reads u's
 * bucket token and the H items before t, the decoder predicts item t's L tokens. Every
 * position is a target (each prefix of a sequence is one training example, as the
 * sliding windows of the paper's data pipeline give); the softmax of level l runs over
 * that level's whole vocabulary, valid continuation or not, as the paper's cross-entropy
 * over its vocabulary does. (Restricting it to the trie's continuations of the target's
 * prefix, the likelihood `TigerModel` scores by, made no difference on ml-100k: sampled
 * HR@10 0.480 either way, 300 users, d = 32, 75k training examples.)
 *
 * Randomness is a pure function of (seed, epoch): the drawn positions (Philox stream
 * 2³⁰ + epoch) and the example order (stream 2³¹ + epoch), so a resumed run draws what an
 * uninterrupted one did (dropout masks excepted, as in `NextItemObjective`).
 *
 * @example
 * ```ts
 * const objective = new SemanticIdObjective(model, eventSequences(data.train), { batchSize: 256, seed: 1 });
 * await context.train(model, objective, { phase: 'seq2seq' });
 * ```
 * @see Rajput et al. 2023, §3.2, §4.
 */
export class SemanticIdObjective implements Objective<SemanticIdBatch> {
  readonly #batchSize: number;
  readonly #targetsPerUser: number;
  readonly #seed: number;
  #epoch: { epoch: number; users: Int32Array; positions: Int32Array } | undefined;
  readonly #count: number;

  /** @throws Error when no sequence has two items, an item is out of range, or an option is out of range. */
  constructor(readonly model: TigerModel, readonly sequences: EventSequences, options: SemanticIdObjectiveOptions = {}) {
    this.#batchSize = options.batchSize ?? 256;
    this.#targetsPerUser = options.targetsPerUser ?? 0;
    this.#seed = options.seed ?? 0;
    if (!(Number.isInteger(this.#batchSize) && this.#batchSize >= 1)) throw new Error(`tiger: batchSize must be a positive integer, got ${this.#batchSize}`);
    if (!(Number.isInteger(this.#targetsPerUser) && this.#targetsPerUser >= 0)) throw new Error(`tiger: targetsPerUser must be a non-negative integer, got ${this.#targetsPerUser}`);
    if (sequences.indptr.length - 1 !== model.numUsers) throw new Error(`tiger: the sequences cover ${sequences.indptr.length - 1} users, the model ${model.numUsers}`);
    for (const item of sequences.items) if (!(item >= 0 && item < model.numItems)) throw new Error(`tiger: a sequence holds item ${item}, outside 0..${model.numItems - 1}`);
    let count = 0;
    for (let u = 0; u < model.numUsers; u++) {
      const targets = Math.max(0, sequences.indptr[u + 1]! - sequences.indptr[u]! - 1);
      count += this.#targetsPerUser > 0 ? Math.min(targets, this.#targetsPerUser) : targets;
    }
    if (count === 0) throw new Error('tiger: no user has two training items, so there is no next item to learn');
    this.#count = count;
  }

  /** Examples per epoch. */
  get numExamples(): number {
    return this.#count;
  }

  batches(): number {
    return Math.ceil(this.#count / this.#batchSize);
  }

  /** Epoch `epoch`'s examples (user, target position within the user's sequence), in training order. */
  #examples(epoch: number): { users: Int32Array; positions: Int32Array } {
    if (this.#epoch?.epoch === epoch) return this.#epoch;
    const { indptr } = this.sequences;
    const users = new Int32Array(this.#count);
    const positions = new Int32Array(this.#count);
    const draw = new Philox({ seed: this.#seed, stream: 0x40000000 + epoch });
    let at = 0;
    for (let u = 0; u < this.model.numUsers; u++) {
      const n = indptr[u + 1]! - indptr[u]!;
      const all = Int32Array.from({ length: Math.max(0, n - 1) }, (_, j) => j + 1);
      const chosen = this.#targetsPerUser > 0 && all.length > this.#targetsPerUser ? draw.shuffle(all).subarray(0, this.#targetsPerUser) : all;
      users.fill(u, at, at + chosen.length);
      positions.set(chosen, at);
      at += chosen.length;
    }
    const order = new Philox({ seed: this.#seed, stream: 0x80000000 + epoch }).shuffle(Int32Array.from({ length: this.#count }, (_, k) => k));
    this.#epoch = { epoch, users: Int32Array.from(order, (k) => users[k]!), positions: Int32Array.from(order, (k) => positions[k]!) };
    return this.#epoch;
  }

  prepare(epoch: number, index: number): SemanticIdBatch {
    const { users, positions } = this.#examples(epoch);
    const from = index * this.#batchSize;
    const B = Math.min(this.#batchSize, this.#count - from);
    const { model } = this;
    const { indptr, items } = this.sequences;
    const H = model.maxHistory;
    const L = model.levels;
    const { layout } = model.transformer;
    const windows = new Int32Array(B * H).fill(model.numItems);
    const decoderInputs = new Int32Array(B * L);
    const targets = Array.from({ length: L }, () => new Int32Array(B));
    const batchUsers = users.subarray(from, from + B);
    for (let b = 0; b < B; b++) {
      const u = batchUsers[b]!;
      const t = positions[from + b]!;
      const base = indptr[u]!;
      const first = Math.max(0, t - H);
      windows.set(items.subarray(base + first, base + t), b * H + H - (t - first));
      const target = items[base + t]!;
      decoderInputs[b * L] = layout.bos;
      for (let l = 0; l < L; l++) {
        const code = model.semanticIds[target * L + l]!;
        targets[l]![b] = code;
        if (l + 1 < L) decoderInputs[b * L + 1 + l] = layout.levelToken(l, code);
      }
    }
    return { batch: B, encoderInputs: model.encoderInputs(batchUsers, windows), decoderInputs, targets };
  }

  batch(_epoch: number, _index: number, prepared: SemanticIdBatch): { loss: Tensor; examples: number } {
    const { batch: B, encoderInputs, decoderInputs, targets } = prepared;
    const net = this.model.transformer;
    const { memory, mask } = net.encode(encoderInputs, B);
    const hidden = net.decode(decoderInputs, B, this.model.levels, memory, mask, 1);
    let loss: Tensor | undefined;
    targets.forEach((codes, level) => {
      const term = softmaxCrossEntropy(net.levelLogits(hidden, level), tensor(codes), 'mean');
      loss = loss ? add(loss, term) : term;
    });
    return { loss: loss!, examples: B };
  }
}
