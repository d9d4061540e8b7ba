/**
 * CDAE: the Collaborative Denoising Auto-Encoder (Wu, DuBois, Zheng & Ester,
 * "Collaborative Denoising Auto-Encoders for Top-N Recommender Systems", WSDM 2016, §4),
 * RnR's ranking baseline (Hadash, Sar Shalom & Osadchy, RecSys 2018, §5.1).
 *
 *   ỹ_u   = y_u with each observed entry dropped with probability q, kept ones × 1/(1 − q)
 *   z_u   = h(Wᵀ ỹ_u + V_u + b)                                                (eq. 4)
 *   ŷ_ui  = f(W'_iᵀ z_u + b'_i)                                                (eq. 5)
 *   min (1/U) Σ_u Σ_{i ∈ O_u ∪ S_u} ℓ(y_ui, ŷ_ui) + λ/2 (‖W‖² + ‖W'‖² + ‖V‖² + ‖b‖² + ‖b'‖²)
 *
 * with W, W' ∈ R^{I×K} the encoder's and decoder's item weights, V_u ∈ R^K the user node,
 * O_u the user's observed items and S_u negatives sampled from the rest (§4.3).
 */
import { add, gather, matmul, Module, mul, noGrad, Parameter, reshape, scatterAdd, sigmoid, square, sum, tensor, type Tensor, xavierUniform, zeros } from '@rec/core';
import type { HistoryScorer, Recommender } from '../plugin/inference.js';
import { scoreInBlocks } from '../ncf/rows.js';
import type { MaybePromise } from '../training/read.js';

/** Each user's observed items y_u, as a user → items CSR (rows ascending, items distinct). */
export interface UserItemRows {
  /** i32 `[numUsers + 1]`. */
  readonly indptr: Int32Array;
  /** i32 `[nnz]`, ascending within a row. */
  readonly indices: Int32Array;
}

/** Hyper-parameters of {@link CDAE}. */
export interface CDAEConfig {
  readonly numUsers: number;
  readonly numItems: number;
  /** Hidden units K (default 50, RnR §5.3's embedding size). */
  readonly dim?: number;
  /** Seed of the Xavier-initialised weights (default 0). */
  readonly seed?: number;
  /** Corruption level q: the dropout probability of each observed input entry (default 0.5). */
  readonly corruption?: number;
  /** λ of the objective's λ/2 ‖·‖², per user case (default 0; see {@link CDAE.loss}). */
  readonly l2?: number;
}

/**
 * A batch's sparse input: entry e puts item `items[e]` into the input of batch row
 * `rows[e]` (the user `users[rows[e]]`) with value `scale`.
 */
export interface CDAEInput {
  /** i32 `[B]`: the batch's users. */
  readonly users: Int32Array;
  /** i32 `[nnz]`: input items. */
  readonly items: Int32Array;
  /** i32 `[nnz]`: the batch row of each input item, in 0..B−1. */
  readonly rows: Int32Array;
  /** The value of each present entry of ỹ_u: 1/(1 − q) in training, 1 at inference. */
  readonly scale: number;
}

/** One training batch: a set of users, their corrupted inputs and their output cases. */
export interface CDAEBatch {
  readonly input: CDAEInput;
  /** The scored cases O_u ∪ S_u: batch row, item and target (1 observed, 0 sampled). */
  readonly outputs: { readonly rows: Int32Array; readonly items: Int32Array; readonly labels: Float32Array };
}

/**
 * The Collaborative Denoising Auto-Encoder (Wu et al. 2016, §4): a one-hidden-layer
 * auto-encoder over a user's binary item vector with a per-user input node, trained to
 * reconstruct the full vector from a dropped-out copy, with sampled negatives.
 *
 * The named parts, for a multi-task model that shares "the user and item embeddings"
 * (RnR eq. 1–2 share matrices U and I between the ranking and the rating model):
 * - {@link users} (V, `[numUsers, K]`) is the user embedding U. It is CDAE's only per-user
 *   parameter matrix — eq. 1 regularises U as a matrix, which the hidden code z_u (a
 *   function of the history, W and b) is not — and it enters z_u the way p_u enters an MF
 *   score: one free vector per user, added to what the history says (the "collaborative"
 *   part of §4.2). Sharing it lets the rating loss shape z_u through V_u.
 * - {@link items} (W', `[numItems, K]`) is the item embedding I: the decoder's item
 *   vectors are what the user's representation is scored against (W'_iᵀ z_u, the role of
 *   q_i in ⟨p_u, q_i⟩). The encoder's {@link inputWeights} (W) are not item embeddings in
 *   that sense: they are summed into the user's code, like SVD++'s implicit factors y_j.
 * - {@link encode} gives z_u, the representation CDAE itself ranks with ("the so-called
 *   user vector", RnR §5.1), for a rating head that prefers it to V_u; it lives in the
 *   same space as W' (they are dotted), where V_u lives before the activation.
 *
 * Choices (the paper leaves them open or offers several):
 * - h = sigmoid, and the logistic loss ℓ = −y log σ(s) − (1 − y) log(1 − σ(s)) on the
 *   logit s = W'_iᵀ z_u + b'_i, i.e. f = sigmoid: the targets are binary, so the log loss
 *   is the Bernoulli likelihood, and its gradient σ(s) − y does not vanish on a
 *   saturated wrong output, where the squared loss's (σ(s) − y)·σ'(s) does. It is also
 *   what libcf's public C++ CDAE (to our knowledge the authors') uses by default: sigmoid
 *   hidden layer, logistic loss. The paper's own comparison of mapping functions and
 *   losses is not reproduced here.
 * - Corruption q = 0.5 by default, libcf's default; the kept entries are scaled by
 *   1/(1 − q) so E[ỹ_u] = y_u, and inference encodes the clean y_u.
 * - λ/2 ‖·‖² is applied per user case, as the paper's per-user SGD does: each user of a
 *   batch adds λ/2 (Σ ‖W_j‖² over its kept inputs + Σ ‖W'_i‖² + b'_i² over its output cases
 *   + ‖V_u‖² + ‖b‖²), and the batch loss is the mean over its users, so λ does not depend
 *   on the batch size. The optimizer's weight decay is not used for it.
 * - W, W' and V start Glorot/Xavier-uniform over their tables, b and b' at zero
 *   (RnR §5.3: "biases with zeros … all other parameters … Xavier initialization").
 * - {@link scoreUsers} returns the logits s, not σ(s): the same order, without the ties of
 *   a saturated sigmoid in float32.
 * - The history y_u a user is encoded from at inference is the training data's, kept with
 *   the model ({@link setHistory}) and saved with it.
 *
 * @example
 * ```ts
 * const cdae = new CDAE({ numUsers: 3, numItems: 4, dim: 8, seed: 1 });
 * cdae.setHistory({ indptr: Int32Array.of(0, 2, 3, 3), indices: Int32Array.of(0, 2, 1) });
 * const scores = await cdae.scoreUsers(Int32Array.of(0, 1)); // 2 × 4 logits
 * ```
 * @see Wu et al. 2016, §4 (eq. 4–5), §4.3 (negative sampling); RnR §5.1, §5.3.
 */
export class CDAE extends Module implements Recommender, HistoryScorer {
  /** W `[numItems, K]`: the encoder's item weights. */
  readonly inputWeights: Parameter;
  /** V `[numUsers, K]`: the user nodes V_u — the user embedding (class notes). */
  readonly users: Parameter;
  /** b `[K]`: the hidden layer's bias. */
  readonly hiddenBias: Parameter;
  /** W' `[numItems, K]`: the decoder's item vectors — the item embedding (class notes). */
  readonly items: Parameter;
  /** b' `[numItems, 1]`: the output layer's item biases. */
  readonly itemBias: Parameter;
  readonly numUsers: number;
  readonly numItems: number;
  readonly dim: number;
  readonly corruption: number;
  #history: UserItemRows | undefined;

  constructor(readonly config: CDAEConfig) {
    super();
    const { numUsers, numItems } = config;
    const K = config.dim ?? 50;
    const seed = config.seed ?? 0;
    const q = config.corruption ?? 0.5;
    if (!(Number.isInteger(K) && K >= 1)) throw new Error(`CDAE: dim must be a positive integer, got ${K}`);
    if (!(q >= 0 && q < 1)) throw new Error(`CDAE: corruption must be in [0, 1), got ${q}`);
    if (!((config.l2 ?? 0) >= 0)) throw new Error(`CDAE: l2 must be ≥ 0, got ${config.l2}`);
    this.numUsers = numUsers;
    this.numItems = numItems;
    this.dim = K;
    this.corruption = q;
    this.inputWeights = new Parameter(xavierUniform([numItems, K], { seed, stream: 0 }), [numItems, K]);
    this.users = new Parameter(xavierUniform([numUsers, K], { seed, stream: 1 }), [numUsers, K]);
    this.hiddenBias = new Parameter(new Float32Array(K), [K]);
    this.items = new Parameter(xavierUniform([numItems, K], { seed, stream: 2 }), [numItems, K]);
    this.itemBias = new Parameter(new Float32Array(numItems), [numItems, 1]);
  }

  /** The users' histories y_u encoded at inference (undefined until {@link setHistory}). */
  get history(): UserItemRows | undefined {
    return this.#history;
  }

  /**
   * Sets the histories y_u that {@link scoreUsers} encodes (the training items).
   * @throws Error when `rows` is not a CSR over this model's users and items.
   */
  setHistory(rows: UserItemRows): void {
    const { indptr, indices } = rows;
    if (indptr.length !== this.numUsers + 1 || indptr[0] !== 0 || indptr[this.numUsers] !== indices.length) {
      throw new Error(`CDAE.setHistory: indptr must have ${this.numUsers + 1} entries from 0 to indices.length (${indices.length})`);
    }
    for (let u = 0; u < this.numUsers; u++) if (indptr[u + 1] < indptr[u]) throw new Error(`CDAE.setHistory: indptr decreases at user ${u}`);
    for (const i of indices) if (!(i >= 0 && i < this.numItems)) throw new Error(`CDAE.setHistory: item ${i} is outside [0, ${this.numItems})`);
    this.#history = { indptr, indices };
  }

  /**
   * The hidden code z_u = σ(Wᵀ ỹ_u + V_u + b) of each batch row, f32 `[B, K]`, from the
   * sparse input and the user nodes `userNodes` (`[B, K]`, default V of `input.users`; a
   * multi-task model may pass shared or transformed ones).
   */
  encode(input: CDAEInput, userNodes: Tensor = gather(this.users, tensor(input.users))): Tensor {
    let pre = add(userNodes, this.hiddenBias);
    if (input.items.length > 0) {
      const weights = gather(this.inputWeights, tensor(input.items));
      const scaled = input.scale === 1 ? weights : mul(weights, input.scale);
      pre = add(pre, scatterAdd(zeros([input.users.length, this.dim]), tensor(input.rows), scaled));
    }
    return sigmoid(pre);
  }

  /**
   * The logits s = W'_iᵀ z_r + b'_i of output cases (batch row `rows[k]`, item `items[k]`),
   * f32 `[R]`, from codes `z` (`[B, K]`) and the item vectors `itemVectors` (`[R, K]`,
   * default W' of `items`).
   */
  decode(z: Tensor, rows: Tensor, items: Tensor, itemVectors: Tensor = gather(this.items, items)): Tensor {
    const s = sum(mul(gather(z, rows), itemVectors), 1);
    const b = gather(this.itemBias, items);
    return add(s, reshape(b, [b.shape[0]]));
  }

  /**
   * The logits of a batch's output cases and the λ/2 prior of what the batch touched, per
   * user case and averaged over the batch's users (class notes), a scalar (0 when λ = 0).
   */
  batchLogits(batch: CDAEBatch): { logits: Tensor; penalty?: Tensor } {
    const { input, outputs } = batch;
    const userNodes = gather(this.users, tensor(input.users));
    const z = this.encode(input, userNodes);
    const items = tensor(outputs.items);
    const itemVectors = gather(this.items, items);
    const logits = this.decode(z, tensor(outputs.rows), items, itemVectors);
    const l2 = this.config.l2 ?? 0;
    if (!(l2 > 0)) return { logits };
    const B = input.users.length;
    let prior = add(add(sum(square(userNodes)), sum(square(itemVectors))), sum(square(gather(this.itemBias, items))));
    prior = add(prior, mul(sum(square(this.hiddenBias)), B));
    if (input.items.length > 0) prior = add(prior, sum(square(gather(this.inputWeights, tensor(input.items)))));
    return { logits, penalty: mul(prior, l2 / 2 / B) };
  }

  /**
   * Logits of `users` against every item, row-major `users.length × numItems`, each user
   * encoded from its clean history y_u; a promise on `webgpu`.
   * @throws Error when no history was set.
   */
  scoreUsers(users: Int32Array): MaybePromise<Float32Array> {
    const history = this.#history;
    if (!history) throw new Error('CDAE.scoreUsers: no user histories; call setHistory with the training items first');
    return scoreInBlocks(users, this.numItems, 256, (block) => {
      const z = this.encode(historyInput(history, block, 1));
      return add(matmul(z, this.items, { transposeB: true }), reshape(this.itemBias, [1, this.numItems]));
    });
  }

  /**
   * Logits of new users against every item, each encoded from the items given (order does
   * not matter) with a zero user node: V_u's prior (λ/2 ‖V_u‖², §4) has its mode at 0, so 0
   * is the node of a user with no data of their own. Row-major `histories.length × numItems`.
   * @throws Error when a history is empty or holds an item outside 0 … numItems − 1.
   */
  scoreHistories(histories: readonly Int32Array[]): MaybePromise<Float32Array> {
    const indptr = new Int32Array(histories.length + 1);
    histories.forEach((h, b) => {
      if (h.length === 0) throw new Error(`CDAE.scoreHistories: history ${b} is empty; a new user needs at least one item`);
      for (const i of h) if (!(Number.isInteger(i) && i >= 0 && i < this.numItems)) throw new Error(`CDAE.scoreHistories: history ${b} holds item ${i}, outside [0, ${this.numItems})`);
      indptr[b + 1] = indptr[b]! + h.length;
    });
    const indices = new Int32Array(indptr[histories.length]!);
    histories.forEach((h, b) => indices.set(h, indptr[b]));
    const rows: UserItemRows = { indptr, indices };
    return scoreInBlocks(Int32Array.from(histories, (_, b) => b), this.numItems, 256, (block) => {
      const z = this.encode(historyInput(rows, block, 1), zeros([block.length, this.dim]));
      return add(matmul(z, this.items, { transposeB: true }), reshape(this.itemBias, [1, this.numItems]));
    });
  }

  /**
   * The hidden codes z_u of `users` from their clean histories, f32 `[users.length, K]`
   * (no gradient): CDAE's user representations.
   * @throws Error when no history was set.
   */
  userCodes(users: Int32Array): Tensor {
    const history = this.#history;
    if (!history) throw new Error('CDAE.userCodes: no user histories; call setHistory with the training items first');
    return noGrad(() => this.encode(historyInput(history, users, 1)));
  }
}

/**
 * The sparse input of `users` from their histories, every item present with value `scale`.
 * @example
 * ```ts
 * historyInput({ indptr: Int32Array.of(0, 2, 3), indices: Int32Array.of(4, 7, 1) }, Int32Array.of(1, 0), 1);
 * // { users: [1, 0], items: [1, 4, 7], rows: [0, 1, 1], scale: 1 }
 * ```
 */
export function historyInput(history: UserItemRows, users: Int32Array, scale: number): CDAEInput {
  let nnz = 0;
  for (const u of users) nnz += history.indptr[u + 1] - history.indptr[u];
  const items = new Int32Array(nnz);
  const rows = new Int32Array(nnz);
  let at = 0;
  users.forEach((u, b) => {
    for (let p = history.indptr[u]; p < history.indptr[u + 1]; p++) {
      items[at] = history.indices[p];
      rows[at++] = b;
    }
  });
  return { users, items, rows, scale };
}
