/**
 * MeLU as an item recommender (Lee et al. 2019, §3.3, the local update at recommendation
 * time): a user is scored by the network after a local update on what the user has done —
 * the user's observed items (label 1) and, on implicit data, as many sampled unobserved
 * items per positive as in training (label 0) — then every item (or each asked-for item)
 * is scored with the user's θ₂ᵘ. A user with no observed items is scored by the global θ₂,
 * MeLU's cold-start case.
 *
 * The negatives of a user's local update are drawn by Philox (the model's seed, stream
 * {@link INFERENCE_STREAM}, the user's words), so a user's scores are the same whoever
 * else is scored, in whatever order, and after a save and load.
 */
import { concat, gather, Module, noGrad, type Tensor, tensor, tidy } from '@rec/core';
import type { Recommender } from '../plugin/inference.js';
import { drawNegatives, labelled, userRng } from './inputs.js';
import type { LocalUpdate, MeLUNetwork } from './network.js';

/**
 * The Philox stream of the negatives of the local update at inference ('MI').
 * @example
 * ```ts
 * const rng = userRng(config.seed, INFERENCE_STREAM, user);
 * ```
 */
export const INFERENCE_STREAM = 0x4d49_0000;

/**
 * How a user is personalised before scoring: the local update and its sampled negatives per observed item.
 * @example
 * ```ts
 * const personalisation: Personalisation = { steps: 1, learningRate: 0.5, negatives: 1, seed: 1 };
 * ```
 */
export interface Personalisation extends LocalUpdate {
  /** Sampled negatives per observed item (as in training). */
  readonly negatives: number;
  readonly seed: number;
}

/**
 * Each user's observed ids, ascending (CSR over users).
 * @example
 * ```ts
 * const histories: UserHistories = { indptr: Int32Array.of(0, 2, 2), indices: Int32Array.of(4, 9) }; // user 1 has none
 * ```
 */
export interface UserHistories {
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
}

/**
 * A trained MeLU network with every user's observed items: `scoreUsers` and `scorePairs`
 * personalise the decision layers on a user's history (§3.3's local update) and score.
 * Parameters: the network's, under `network.`.
 * @example
 * ```ts
 * const model = new MeLU(network, userItemSets([train, valid], 'all'), { steps: 5, learningRate: 0.5, negatives: 1, seed: 1 });
 * const scores = model.scoreUsers(Int32Array.of(0)); // 1 × numItems
 * const pairs = model.scorePairs(Int32Array.of(0, 0), Int32Array.of(3, 9)); // 2 scores
 * ```
 * @see Lee et al. 2019, §3.3.
 */
export class MeLU extends Module implements Recommender {
  readonly numItems: number;
  readonly numUsers: number;
  #histories: UserHistories;

  /**
   * @throws Error when the histories do not cover the network's users and ids.
   */
  constructor(readonly network: MeLUNetwork, histories: UserHistories, readonly personalisation: Personalisation, readonly name = 'melu') {
    super();
    this.numItems = network.numIds;
    this.numUsers = network.numUsers;
    this.#histories = this.#checked(histories);
  }

  /** Every user's observed items, the support set of the local update at inference (do not write). */
  get histories(): UserHistories {
    return this.#histories;
  }

  /**
   * Replaces the users' histories: a model trained on `train` scores from `train` ∪ `valid`
   * after training (a user's test item comes after both).
   * @throws Error when they do not cover the model's users and items.
   */
  setHistories(histories: UserHistories): void {
    this.#histories = this.#checked(histories);
  }

  #checked(h: UserHistories): UserHistories {
    if (h.indptr.length !== this.numUsers + 1 || h.indptr[0] !== 0 || h.indptr[this.numUsers] !== h.indices.length) {
      throw new Error(`${this.name}: the histories must be a CSR over ${this.numUsers} users (indptr of ${this.numUsers + 1} entries from 0 to ${h.indices.length})`);
    }
    for (let u = 0; u < this.numUsers; u++) {
      for (let k = h.indptr[u]!; k < h.indptr[u + 1]!; k++) {
        const i = h.indices[k]!;
        if (!(i >= 0 && i < this.numItems) || (k > h.indptr[u]! && h.indices[k - 1]! >= i)) {
          throw new Error(`${this.name}: user ${u}'s history must be distinct items in 0..${this.numItems - 1}, ascending; it holds ${i}`);
        }
      }
    }
    return h;
  }

  /**
   * `user`'s θ₂ᵘ after the local update on the user's history with sampled negatives (the
   * global θ₂ without history or steps), computed without recording. Call inside `tidy`.
   */
  personalise(user: number): Tensor[] {
    const { indptr, indices } = this.#histories;
    const observed = indices.subarray(indptr[user], indptr[user + 1]);
    const { negatives, seed } = this.personalisation;
    const support = labelled(observed, drawNegatives(userRng(seed, INFERENCE_STREAM, user), observed, this.numItems, observed.length * negatives));
    return noGrad(() => this.network.adapt(user, support, this.personalisation, 'first'));
  }

  /**
   * Scores of `users` against every item, row-major `users.length × numItems` (logits ŷ;
   * higher is better), each user after its local update. Cost per user: the local update
   * and one pass of numItems rows through the decision layers.
   * @throws Error when a user is out of range.
   */
  scoreUsers(users: Int32Array): Float32Array {
    this.#checkUsers(users, 'scoreUsers');
    const N = this.numItems;
    const out = new Float32Array(users.length * N);
    const all = Int32Array.from({ length: N }, (_, i) => i);
    tidy(() => {
      const idPart = noGrad(() => this.network.idPart(all));
      users.forEach((u, b) => {
        tidy(() => {
          const weights = this.personalise(u);
          const scores = noGrad(() => {
            const userPart = this.network.userPart(Int32Array.of(u)).map((row) => gather(row, tensor(new Int32Array(N))));
            const x0 = userPart.length + idPart.length === 1 ? idPart[0]! : concat([...userPart, ...idPart], 1);
            return this.network.logits(x0, weights);
          });
          out.set(scores.readSync() as Float32Array, b * N);
        });
      });
    });
    return out;
  }

  /**
   * Scores of the aligned (users[k], items[k]) pairs, each user after its local update
   * (computed once per distinct user of the call): what sampled-negative evaluation asks
   * for (1 positive and 99 negatives per user), at 100 rows per user instead of numItems.
   * @throws Error when a user or item is out of range, or the arrays differ in length.
   */
  scorePairs(users: Int32Array, items: Int32Array): Float32Array {
    if (users.length !== items.length) throw new Error(`${this.name}.scorePairs: ${users.length} users for ${items.length} items`);
    this.#checkUsers(users, 'scorePairs');
    for (const i of items) if (!(Number.isInteger(i) && i >= 0 && i < this.numItems)) throw new Error(`${this.name}.scorePairs: item ${i} is outside 0..${this.numItems - 1}`);
    const positions = new Map<number, number[]>();
    users.forEach((u, k) => {
      const list = positions.get(u);
      if (list) list.push(k);
      else positions.set(u, [k]);
    });
    const out = new Float32Array(users.length);
    for (const [u, at] of positions) {
      tidy(() => {
        const weights = this.personalise(u);
        const ids = Int32Array.from(at, (k) => items[k]!);
        const scores = noGrad(() => this.network.logits(this.network.input(new Int32Array(ids.length).fill(u), ids), weights)).readSync();
        at.forEach((k, j) => (out[k] = scores[j]!));
      });
    }
    return out;
  }

  #checkUsers(users: Int32Array, caller: string): void {
    for (const u of users) if (!(Number.isInteger(u) && u >= 0 && u < this.numUsers)) throw new Error(`${this.name}.${caller}: user ${u} is outside 0..${this.numUsers - 1}`);
  }
}
