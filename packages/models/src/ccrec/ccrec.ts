/**
 * CCRec (§4–5) and the models of its ablation (§6.4.1, Tables 5–6) as one model with two
 * switches: `vae` (the user-distinctive category encoder of §5.2 feeds the MLE or the
 * final model) and `cascade` (the precision-centric recommender M2 of §5.3 re-scores the
 * MLE's candidates):
 *
 * | model         | vae | cascade | scores |
 * |---------------|-----|---------|--------|
 * | MLE           |  –  |   –     | M1(E1(δ_t)) |
 * | MLE+VAE       |  ✓  |   –     | M1(W_v·e_t) — "instead of feeding the category-level information directly to MLE" |
 * | MLE+Cascading |  –  |   ✓     | M2 over M1's candidates, without e_t |
 * | CCRec         |  ✓  |   ✓     | M2 over M1's candidates, with e_t |
 *
 * Training is staged as the paper's cascade is: the VAE (when used) on every user's past
 * (user, category) pairs, then M1 on the learning users' future categories, then M2 on
 * their candidates.
 *
 * **Candidates.** In training, each learning user's r_t is |r_t| draws from M1's
 * distribution over all categories by the probability-weighted sampler
 * (`sample_weighted_candidates`, fresh each epoch, duplicates collapsed), plus the user's
 * past categories (the released final model adds them). At inference r_t is M1's top
 * |r_t| (§5.1: "the categories with top probabilities will form a list of r_t") plus the
 * past categories; candidates are ranked by M2's score, above every other category, which
 * keeps M1's order. Drawing in training rather than always taking the top is what makes M1
 * a negative *sampler* (§4.2): a high-probability category is drawn often, a
 * low-probability one now and then, so M2 sees both strong and weaker negatives.
 *
 * @see Wang, Akash et al., On Recommending Category: A Cascading Approach (CCRec), §4.2, §5, §6.1, §6.4.
 */
import { Module, type NamedArray, Philox, type Tensor, tensor, tidy } from '@rec/core';
import type { Interactions } from '@rec/data';
import { pastSequences } from '../plugin/category-task.js';
import type { CategoryScorer } from '../plugin/inference.js';
import { hostValues } from '../training/read.js';
import { PrecisionRecommender } from './cascade.js';
import { CategoryMLE } from './mle.js';

/** The settings of a {@link CCRecModel}. */
export interface CCRecConfig {
  readonly numUsers: number;
  readonly numCategories: number;
  /** k: past categories read per user (§6.1: 10, or 5 for sparse sets). */
  readonly maxPast: number;
  readonly dim: number;
  readonly heads: number;
  /** Width of the user-distinctive embeddings (256, §6.1); used when `vae`. */
  readonly vaeDim: number;
  readonly vae: boolean;
  readonly cascade: boolean;
  /** |r_t|: the MLE's candidates handed to M2. */
  readonly candidates: number;
  readonly seed: number;
}

/**
 * A trained (or training) CCRec-family model: scores every category for a user from the
 * user's past categories (kept with the model) and, with `vae`, their user-distinctive
 * embeddings (kept too).
 * @example
 * ```ts
 * const model = new CCRecModel({ numUsers, numCategories: 19, maxPast: 10, dim: 64, heads: 2, vaeDim: 256, vae: false, cascade: true, candidates: 10, seed: 1 });
 * model.setPast(task.past);
 * await model.scoreCategories(Int32Array.of(0)); // [19]
 * ```
 */
export class CCRecModel extends Module implements CategoryScorer {
  readonly mle: CategoryMLE;
  readonly final: PrecisionRecommender | undefined;
  readonly numCategories: number;
  #sequences: Int32Array = new Int32Array(0);
  #valid: Float32Array = new Float32Array(0);
  #vaeTable: Float32Array | undefined;
  #mleProbabilities: Float32Array | undefined;
  /** Whether M2 is trained (scores go through it) — false while M1 trains. */
  #cascadeReady = false;

  constructor(readonly config: CCRecConfig) {
    super();
    this.numCategories = config.numCategories;
    const vaeDim = config.vae ? config.vaeDim : 0;
    const sizes = { numCategories: config.numCategories, maxPast: config.maxPast, dim: config.dim, seed: config.seed };
    this.mle = new CategoryMLE({ ...sizes, heads: config.heads, vaeDim: config.cascade ? 0 : vaeDim });
    this.final = config.cascade ? new PrecisionRecommender({ ...sizes, vaeDim }) : undefined;
  }

  /** Keeps each user's last k past categories (the task's `past`) as the model's input. */
  setPast(past: Interactions): this {
    if (past.numUsers !== this.config.numUsers || past.numItems !== this.numCategories) {
      throw new Error(`CCRec: the past events cover ${past.numUsers} users × ${past.numItems} categories; the model is built for ${this.config.numUsers} × ${this.numCategories}`);
    }
    this.setSequences(pastSequences(past, this.config.maxPast).sequences);
    return this;
  }

  /** Keeps padded past sequences `[numUsers × k]` (padding = numCategories) directly (a loaded model). */
  setSequences(sequences: Int32Array): this {
    const { numUsers, maxPast: k } = this.config;
    if (sequences.length !== numUsers * k) throw new Error(`CCRec: past sequences have ${sequences.length} entries, expected ${numUsers} users × k = ${k}`);
    const C = this.numCategories;
    const valid = new Float32Array(sequences.length);
    sequences.forEach((c, i) => {
      if (!(Number.isInteger(c) && c >= 0 && c <= C)) throw new Error(`CCRec: past sequence entry ${i} is ${c}, outside 0..${C} (${C} = padding)`);
      valid[i] = c < C ? 1 : 0;
    });
    this.#sequences = sequences;
    this.#valid = valid;
    this.#mleProbabilities = undefined;
    return this;
  }

  /** The padded past sequences `[numUsers × k]`. */
  get sequences(): Int32Array {
    return this.#sequences;
  }

  /** The user-distinctive embeddings of every user's past positions, `[numUsers × k × vaeDim]` (zeros at padding). */
  setVaeTable(table: Float32Array): this {
    const { numUsers, maxPast: k, vaeDim } = this.config;
    if (!this.config.vae) throw new Error('CCRec: this variant reads no user-distinctive embeddings');
    if (table.length !== numUsers * k * vaeDim) throw new Error(`CCRec: the embedding table has ${table.length} values, expected ${numUsers} × ${k} × ${vaeDim}`);
    this.#vaeTable = table;
    this.#mleProbabilities = undefined;
    return this;
  }

  get vaeTable(): Float32Array | undefined {
    return this.#vaeTable;
  }

  /** Marks M2 as trained (or not): from then on scores go through the cascade. */
  setCascadeReady(ready: boolean): void {
    if (ready && !this.final) throw new Error('CCRec: this variant has no cascade');
    this.#cascadeReady = ready;
  }

  /** Checks user indexes against the model's users. */
  #checkUsers(users: Int32Array): void {
    for (const u of users) {
      if (!(Number.isInteger(u) && u >= 0 && u < this.config.numUsers)) throw new Error(`CCRec: user ${u} is outside 0..${this.config.numUsers - 1}`);
    }
  }

  /** The inputs of `users`' rows: sequences i32 [B, k], valid f32 [B, k], and the embeddings f32 [B, k, vaeDim] when the model has them. */
  inputs(users: ArrayLike<number>): { sequences: Tensor; valid: Tensor; vae?: Tensor } {
    const { maxPast: k, vaeDim } = this.config;
    const B = users.length;
    const sequences = new Int32Array(B * k);
    const valid = new Float32Array(B * k);
    for (let b = 0; b < B; b++) {
      sequences.set(this.#sequences.subarray(users[b]! * k, users[b]! * k + k), b * k);
      valid.set(this.#valid.subarray(users[b]! * k, users[b]! * k + k), b * k);
    }
    const out: { sequences: Tensor; valid: Tensor; vae?: Tensor } = { sequences: tensor(sequences, [B, k]), valid: tensor(valid, [B, k]) };
    if (this.config.vae && this.#vaeTable) {
      const table = this.#vaeTable;
      const vae = new Float32Array(B * k * vaeDim);
      for (let b = 0; b < B; b++) vae.set(table.subarray(users[b]! * k * vaeDim, (users[b]! + 1) * k * vaeDim), b * k * vaeDim);
      out.vae = tensor(vae, [B, k, vaeDim]);
    } else if (this.config.vae) {
      throw new Error('CCRec: the user-distinctive embeddings are not set (setVaeTable)');
    }
    return out;
  }

  /** M1's log-probabilities `[B, C]` for `users` (differentiable: M1's training forward). */
  mleLogProbabilities(users: ArrayLike<number>): Tensor {
    const { sequences, valid, vae } = this.inputs(users);
    return this.mle.forward(sequences, valid, this.final ? undefined : vae);
  }

  /**
   * M1's probabilities of every user, `[numUsers × C]`, computed once M1 is trained (in
   * inference mode) and kept until the inputs change.
   */
  async mleProbabilities(): Promise<Float32Array> {
    if (this.#mleProbabilities) return this.#mleProbabilities;
    const { numUsers } = this.config;
    const C = this.numCategories;
    const out = new Float32Array(numUsers * C);
    const training = this.mle.training;
    this.mle.eval();
    const block = 1024;
    for (let start = 0; start < numUsers; start += block) {
      const users = Int32Array.from({ length: Math.min(block, numUsers - start) }, (_, b) => start + b);
      const logProbs = tidy(() => this.mleLogProbabilities(users));
      const values = await hostValues(logProbs);
      for (let n = 0; n < values.length; n++) out[start * C + n] = Math.exp(values[n]!);
      logProbs.dispose();
    }
    this.mle.train(training);
    this.#mleProbabilities = out;
    return out;
  }

  /** Forgets M1's cached probabilities (M1 trained further). */
  invalidateMle(): void {
    this.#mleProbabilities = undefined;
  }

  /**
   * Each of `users`' candidates at inference: M1's top |r_t| categories and the user's
   * past categories, ascending.
   */
  async candidatesOf(users: Int32Array): Promise<Int32Array[]> {
    const probabilities = await this.mleProbabilities();
    const C = this.numCategories;
    const { maxPast: k } = this.config;
    return Array.from(users, (u) => {
      const row = probabilities.subarray(u * C, (u + 1) * C);
      const order = Array.from({ length: C }, (_, c) => c).sort((a, b) => row[b]! - row[a]! || a - b);
      const set = new Set(order.slice(0, this.config.candidates));
      for (let j = 0; j < k; j++) if (this.#valid[u * k + j]) set.add(this.#sequences[u * k + j]!);
      return Int32Array.from(set).sort();
    });
  }

  /** M2's scores of aligned (users[n], candidates[n]) rows (differentiable: M2's training forward). */
  cascadeScores(users: ArrayLike<number>, candidates: Int32Array): Tensor {
    if (!this.final) throw new Error('CCRec: this variant has no cascade');
    const { sequences, vae } = this.inputs(users);
    return this.final.forward(sequences, tensor(candidates), vae);
  }

  /**
   * Scores of `users` against every category, row-major: M1's probabilities, or with a
   * trained cascade, M2's score for each candidate, as M2 gives it, and for every other
   * category (lowest − 2) + its M1 probability, where lowest is the user's lowest candidate
   * score: so the candidates rank first, by M2, and the rest after them, by M1 (each of them
   * within [lowest − 2, lowest − 1); its probability is the score − lowest + 2).
   *
   * Why not a constant offset on the candidates (10⁴ until 2026-12-06): in f32 it rounded M2's
   * scores to 2⁻¹⁰, tying candidates M2 told apart, and `rec recommend` printed 10⁴-sized
   * scores. The rest only matter past the |r_t| candidates (K ≤ |r_t| in §6.3's metrics).
   */
  async scoreCategories(users: Int32Array): Promise<Float32Array> {
    this.#checkUsers(users);
    const C = this.numCategories;
    const out = new Float32Array(users.length * C);
    const training = this.training;
    this.eval();
    try {
      if (!this.#cascadeReady) {
        const logProbs = tidy(() => this.mleLogProbabilities(users));
        out.set(await hostValues(logProbs));
        logProbs.dispose();
        return out;
      }
      const probabilities = await this.mleProbabilities();
      users.forEach((u, b) => out.set(probabilities.subarray(u * C, (u + 1) * C), b * C));
      const candidates = await this.candidatesOf(users);
      const rows: number[] = [];
      const cats: number[] = [];
      candidates.forEach((list, b) => list.forEach((c) => (rows.push(users[b]!), cats.push(c))));
      const scores = tidy(() => this.cascadeScores(rows, Int32Array.from(cats)));
      const values = await hostValues(scores);
      scores.dispose();
      let n = 0;
      candidates.forEach((list, b) => {
        const own = values.subarray(n, n + list.length);
        n += list.length;
        let lowest = Infinity;
        for (const v of own) lowest = Math.min(lowest, v);
        const row = out.subarray(b * C, (b + 1) * C);
        for (let c = 0; c < C; c++) row[c] = lowest - 2 + row[c]!;
        list.forEach((c, j) => (row[c] = own[j]!));
      });
      return out;
    } finally {
      this.train(training);
    }
  }

  /** The state kept beside the parameters: past sequences and, with `vae`, the embedding table. */
  inputState(): Record<string, NamedArray> {
    const { numUsers, maxPast: k, vaeDim } = this.config;
    return {
      'past.sequences': { dtype: 'i32', shape: [numUsers, k], data: this.#sequences },
      ...(this.#vaeTable ? { 'vae.table': { dtype: 'f32', shape: [numUsers, k, vaeDim], data: this.#vaeTable } } : {}),
    };
  }
}

/** Seeds of the stages' randomness, one Philox stream each. */
export const CCREC_STREAMS = { mleOrder: 1, encoderOrder: 2, encoderNoise: 3, cascadeOrder: 4, cascadeDraws: 5 } as const;

/** A Philox for one stage and epoch. */
export function stageRandom(seed: number, stream: number, epoch: number): Philox {
  return new Philox({ seed, stream: stream * 0x10000 + epoch });
}
