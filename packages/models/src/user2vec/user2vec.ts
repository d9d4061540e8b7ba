/**
 * User2Vec (Grbovic et al., "E-commerce in Your Inbox: Product Recommendations at
 * Scale", KDD 2015, §3.3 "user2vec"): users and products embedded together, the user
 * vector a "global context" of the user's product sequence as the paragraph vector of
 * PV-DM (Le & Mikolov 2014) is of a document's words. MRLR (§4.1 method 7, §4.3) uses it
 * as a baseline that "adopts CBOW to integrate personalization".
 *
 * Model: for user u with training sequence (p_1 … p_M) in log order, each position m is
 * a CBOW example whose context is the user vector and the items of the window around m,
 *
 *   h_um = (u_u + Σ_{w∈W_m} v_{p_w}) / (1 + |W_m|),   W_m = {m−c … m+c} ∖ {m} within 1 … M,
 *
 * predicting the centre item p_m with N negatives (negative sampling in place of the
 * paper's softmax, as word2vec's CBOW):
 *
 *   ln σ(h_um·v'_{p_m}) + Σ_{n=1..N} ln σ(−h_um·v'_n),   n ~ unigram^{3/4}.
 *
 * A user's items are ranked by s(u, k) = ⟨u_u, v'_k⟩: the user vector alone as the
 * context (what the paper recommends from: the products nearest the user vector).
 *
 * Choices the paper leaves open, and why:
 * - **Context = mean** of the user and window vectors (word2vec's CBOW mean, PV-DM's
 *   averaging form), so the user vector always weighs like one context item.
 * - **Sequence order**: the rows' time order when the log has timestamps (stable, so
 *   ties keep row order), else row order (amazon-s3rec's rows are chronological per
 *   user); repeated items stay, as in a purchase sequence. A fixed window `window` = c
 *   (word2vec's default 5), no random shrinking.
 * - **Negatives**: unigram^{3/4} of the items' occurrences in the sequences (word2vec),
 *   drawn through an alias table (kernel `neg_sample_alias`); a negative may equal the
 *   centre item (word2vec skips those; it is rare at these catalogue sizes).
 * - **Training**: autograd through the shared trainer — the context is a mean over up
 *   to 2c + 1 rows, which the two-row `skipgram_step` cannot express — one loss per
 *   example, averaged over a batch of examples in a seeded random order per epoch,
 *   with the config's optimizer (Adagrad by default, the trainer's default).
 * - **Initialisation**: word2vec's, user and input vectors U(−0.5/d, 0.5/d), output
 *   vectors 0.
 *
 * @see Grbovic et al., KDD 2015, §3.3 (user2vec, Fig. 3); Mikolov et al. 2013a (CBOW),
 *   2013b §2.2 (negative sampling); MRLR §4.3 ("User2Vec adopts CBOW").
 */
import {
  add, AliasTable, bceWithLogits, expandDims, gather, matmul, mean, Module, mul, noGrad, Parameter, Philox, reshape, sampleAliasNegatives,
  scatterAdd, sum, tensor, type Tensor, tidy, uniformInit, unigramWeights, zeros,
} from '@rec/core';
import type { Interactions } from '@rec/data';
import { type EmbeddingScoring, unitRows } from '../embedding/item-embeddings.js';
import type { Recommender } from '../plugin/inference.js';
import type { Objective } from '../training/objectives.js';
import { andThen, type MaybePromise, readAndDispose } from '../training/read.js';

/** Sizes of a {@link User2Vec}. */
export interface User2VecConfig {
  readonly numUsers: number;
  readonly numItems: number;
  /** d (MRLR §4.1: 10). */
  readonly dim: number;
  readonly seed: number;
  /** Default `logit`: ⟨u_u, v'_k⟩; `cosine`: cos(u_u, v_k) with the input vectors (the context space u_u shares). */
  readonly scoring?: EmbeddingScoring;
}

/**
 * User vectors u_u, item input vectors v_i (the window's context) and item output
 * vectors v'_i (the predicted side), scored by ⟨u_u, v'_k⟩.
 *
 * @example
 * ```ts
 * const model = new User2Vec({ numUsers: 100, numItems: 50, dim: 10, seed: 1 });
 * const scores = await model.scoreUsers(Int32Array.of(0)); // 1 × 50
 * ```
 */
export class User2Vec extends Module implements Recommender {
  readonly users: Parameter;
  readonly input: Parameter;
  readonly output: Parameter;
  readonly numItems: number;

  constructor(readonly config: User2VecConfig) {
    super();
    const { numUsers, numItems, dim, seed } = config;
    this.numItems = numItems;
    this.users = new Parameter(uniformInit([numUsers, dim], -0.5 / dim, 0.5 / dim, { seed, stream: 0 }), [numUsers, dim]);
    this.input = new Parameter(uniformInit([numItems, dim], -0.5 / dim, 0.5 / dim, { seed, stream: 1 }), [numItems, dim]);
    this.output = new Parameter(new Float32Array(numItems * dim), [numItems, dim]);
  }

  /** ⟨u_u, v'_k⟩ (logit) or cos(u_u, v_k) (cosine) for `users` against every item, row-major; a promise on `webgpu`. */
  scoreUsers(users: Int32Array): MaybePromise<Float32Array> {
    const scores = tidy(() =>
      noGrad(() => {
        const u = gather(this.users, tensor(users));
        return this.config.scoring === 'cosine' ? matmul(unitRows(u), unitRows(this.input), { transposeB: true }) : matmul(u, this.output, { transposeB: true });
      }),
    );
    return readAndDispose(scores);
  }
}

/**
 * Each user's training items in sequence order: user u's are
 * `items[indptr[u] … indptr[u + 1])`.
 */
export interface UserSequences {
  readonly indptr: Int32Array;
  readonly items: Int32Array;
}

/**
 * The sequences of `train`'s rows whose behaviour is `behavior` (every row for a log
 * without behaviour types): per user, by timestamp when the log has them (a stable
 * sort, so equal times keep row order), else in row order.
 *
 * @example
 * ```ts
 * const { indptr, items } = userSequences(train); // user 0's sequence: items.subarray(indptr[0], indptr[1])
 * ```
 */
export function userSequences(train: Interactions, behavior?: string): UserSequences {
  const code = behavior === undefined || !train.behaviorNames ? -1 : train.behaviorNames.indexOf(behavior);
  if (behavior !== undefined && train.behaviorNames && code < 0) throw new Error(`userSequences: the log has no behaviour '${behavior}'`);
  const rows: number[] = [];
  for (let r = 0; r < train.length; r++) if (code < 0 || train.behaviors![r] === code) rows.push(r);
  const t = train.timestamps;
  // Array.prototype.sort is stable: equal keys keep row order.
  rows.sort((a, b) => train.users[a] - train.users[b] || (t ? t[a] - t[b] : 0) || a - b);
  const indptr = new Int32Array(train.numUsers + 1);
  for (const r of rows) indptr[train.users[r] + 1]++;
  for (let u = 0; u < train.numUsers; u++) indptr[u + 1] += indptr[u];
  return { indptr, items: Int32Array.from(rows, (r) => train.items[r]) };
}

/** One CBOW batch: each example's user, window items (flat, with their example and weight), centre item and negatives. */
export interface CbowBatch {
  /** The user of each example. */
  readonly users: Int32Array;
  /** 1 / (1 + |W|) per example: the user's weight in the mean. */
  readonly userWeights: Float32Array;
  /** The window items of every example, example after example. */
  readonly windowItems: Int32Array;
  /** The example each window item belongs to. */
  readonly windowExample: Int32Array;
  /** 1 / (1 + |W|) of that example. */
  readonly windowWeights: Float32Array;
  /** The centre item, then its N negatives, per example: row-major `[examples, 1 + N]`. */
  readonly candidates: Int32Array;
}

/** Options of {@link CbowObjective}. */
export interface CbowOptions {
  /** c: items on each side of the centre. */
  readonly window: number;
  /** N, negatives per example. */
  readonly negatives: number;
  /** Examples (sequence positions) per batch. */
  readonly batchSize: number;
  readonly seed: number;
}

/**
 * User2Vec's CBOW objective with the user as global context (see the file's header):
 * an epoch visits every position of every user's sequence once, in a seeded random
 * order; the loss is the mean over the batch's examples of −ln σ(h·v'_p) − Σ_n ln σ(−h·v'_n).
 *
 * @example
 * ```ts
 * const objective = new CbowObjective(model, userSequences(train), { window: 5, negatives: 5, batchSize: 1024, seed: 1 });
 * await new Trainer(model, objective, { epochs: 20, optimizer: 'adagrad', learningRate: 0.1 }).fit();
 * ```
 */
export class CbowObjective implements Objective<CbowBatch> {
  /** The user of each sequence position. */
  readonly #userOf: Int32Array;
  readonly #noise: { prob: Tensor; alias: Tensor };
  readonly #labels: Float32Array;
  #order: { epoch: number; ids: Int32Array } | undefined;

  constructor(readonly model: User2Vec, readonly sequences: UserSequences, readonly options: CbowOptions) {
    const { window, negatives, batchSize } = options;
    if (!Number.isInteger(window) || window < 1) throw new Error(`CbowObjective: window must be a positive integer, got ${window}`);
    if (!Number.isInteger(negatives) || negatives < 1) throw new Error(`CbowObjective: negatives must be a positive integer, got ${negatives}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`CbowObjective: batchSize must be a positive integer, got ${batchSize}`);
    const { indptr, items } = sequences;
    if (items.length === 0) throw new Error('CbowObjective: the training data has no interactions to train on');
    this.#userOf = new Int32Array(items.length);
    for (let u = 0; u + 1 < indptr.length; u++) this.#userOf.fill(u, indptr[u], indptr[u + 1]);
    const counts = new Float64Array(model.numItems);
    for (const i of items) counts[i]++;
    const table = AliasTable.fromWeights(unigramWeights(counts));
    this.#noise = { prob: tensor(table.prob), alias: tensor(table.alias) };
    this.#labels = new Float32Array(batchSize * (1 + negatives));
    for (let e = 0; e < batchSize; e++) this.#labels[e * (1 + negatives)] = 1;
  }

  batches(): number {
    return Math.ceil(this.sequences.items.length / this.options.batchSize);
  }

  /** The positions of batch `index` of `epoch` (a Philox shuffle per epoch). */
  #positions(epoch: number, index: number): Int32Array {
    if (this.#order?.epoch !== epoch) {
      const ids = Int32Array.from({ length: this.sequences.items.length }, (_, p) => p);
      this.#order = { epoch, ids: new Philox({ seed: this.options.seed, stream: 0x80000000 + epoch }).shuffle(ids) };
    }
    const B = this.options.batchSize;
    return this.#order.ids.subarray(index * B, (index + 1) * B);
  }

  /** The examples of batch `index` of `epoch` (exposed for tests): at once on host backends, a promise on `webgpu`. */
  prepare(epoch: number, index: number): MaybePromise<CbowBatch> {
    const { window: c, negatives: N, batchSize: B, seed } = this.options;
    const { indptr, items } = this.sequences;
    const positions = this.#positions(epoch, index);
    const n = positions.length;
    const users = new Int32Array(n);
    const userWeights = new Float32Array(n);
    const windowItems: number[] = [];
    const windowExample: number[] = [];
    const windowWeights: number[] = [];
    const centres = new Int32Array(n);
    for (let e = 0; e < n; e++) {
      const p = positions[e];
      const u = this.#userOf[p];
      const lo = Math.max(indptr[u], p - c);
      const hi = Math.min(indptr[u + 1] - 1, p + c);
      const w = 1 / (1 + hi - lo); // 1 / (1 + |W|): the window holds hi − lo items besides the centre
      users[e] = u;
      userWeights[e] = w;
      centres[e] = items[p];
      for (let q = lo; q <= hi; q++) {
        if (q === p) continue;
        windowItems.push(items[q]);
        windowExample.push(e);
        windowWeights.push(w);
      }
    }
    const drawn = tidy(() => sampleAliasNegatives(this.#noise, n * N, { seed, stream: epoch, counter: 2 * index * B * N }).negatives);
    return andThen(readAndDispose<Int32Array>(drawn), (negatives) => {
      const candidates = new Int32Array(n * (1 + N));
      for (let e = 0; e < n; e++) {
        candidates[e * (1 + N)] = centres[e];
        candidates.set(negatives.subarray(e * N, (e + 1) * N), e * (1 + N) + 1);
      }
      return {
        users, userWeights, candidates,
        windowItems: Int32Array.from(windowItems), windowExample: Int32Array.from(windowExample), windowWeights: Float32Array.from(windowWeights),
      };
    });
  }

  batch(_epoch: number, _index: number, b: CbowBatch): { loss: Tensor; examples: number } {
    const { model } = this;
    const n = b.users.length;
    const N = this.options.negatives;
    const d = model.config.dim;
    let h = mul(gather(model.users, tensor(b.users)), tensor(b.userWeights, [n, 1]));
    const m = b.windowItems.length;
    if (m > 0) h = add(h, scatterAdd(zeros([n, d]), tensor(b.windowExample), mul(gather(model.input, tensor(b.windowItems)), tensor(b.windowWeights, [m, 1]))));
    const outputs = reshape(gather(model.output, tensor(b.candidates)), [n, 1 + N, d]);
    const logits = sum(mul(expandDims(h, 1), outputs), 2);
    const labels = tensor(this.#labels.subarray(0, n * (1 + N)), [n, 1 + N]);
    return { loss: mean(sum(bceWithLogits(logits, labels, 'none'), 1)), examples: n };
  }
}
