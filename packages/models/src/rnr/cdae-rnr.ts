import { type Interactions, rowsByUser } from '@rec/data';
import { add, bceWithLogits, gather, mul, square, sub, sum, tensor, type Tensor } from '@rec/core';
import { CDAE, type CDAEBatch, type CDAEConfig, type UserItemRows } from '../cdae/cdae.js';
import { CDAEObjective, type CDAEObjectiveOptions } from '../cdae/objective.js';
import type { RatingPredictor } from '../plugin/inference.js';
import { predictPairs, RatingHead } from '../svd/svd.js';
import type { Objective } from '../training/objectives.js';
import { andThen, type MaybePromise } from '../training/read.js';
import type { RnrCoupling } from './rnr.js';
import { type RnrActivation, RnrTransform } from './transform.js';

/** Hyper-parameters of {@link CdaeRankAndRate}: CDAE's, plus the multi-task ones. */
export interface CdaeRankAndRateConfig extends CDAEConfig {
  readonly coupling?: RnrCoupling;
  /** α of eq. 1 / eq. 2: the ranking (CDAE) loss's weight; 1 − α the rating loss's. */
  readonly alpha?: number;
  readonly activation?: RnrActivation;
}

/** A batch of users: CDAE's corrupted inputs and outputs, and every training rating of those users. */
export interface CdaeRnrBatch {
  readonly cdae: CDAEBatch;
  /** The batch users' rated pairs; `rows` indexes the user within the batch. */
  readonly rated: { readonly users: Int32Array; readonly items: Int32Array; readonly ratings: Float32Array };
  /** The batch's share of one epoch's users, for θ's prior. */
  readonly share: number;
}

/**
 * RnR(CDAE, SVD) and Vanilla(CDAE, SVD) (Hadash et al., RecSys 2018, eq. 1 and 2, §5.1): CDAE
 * (Wu et al. 2016) is the ranking model R and SVD the rating model P over shared user and
 * item embeddings.
 *
 * Which CDAE tensors are "U and I": the user input node V (one row per user, the only
 * per-user matrix, which eq. 1's ‖U‖² regularises) and the decoder's item vectors W′ (each
 * scored against the user's code, the role q_i has in MF) — the `users` and `items` of
 * {@link CDAE}. P rates r̂_ui = μ + b_u + b_i + ⟨p̃_u, q̃_i⟩ ({@link RatingHead}) with p̃_u =
 * FCθ(V_u), q̃_i = FCθ(W′_i + q^d_i) for RnR ({@link RnrTransform}) and V_u, W′_i as they are
 * for the vanilla model. R ranks as CDAE does, from the user's clean training items.
 *
 * The loss of a batch of users follows CDAE's form (a sum over each user's rows, averaged
 * over the batch's users) for both tasks: α·CDAE's logistic loss + (1 − α)·Σ over the
 * user's training ratings of (r − r̂)², plus CDAE's own λ/2 prior and, per rated row,
 * λ(b_u² + b_i² + ‖q^d_i‖²), and λ‖θ‖² times the batch's share of an epoch. A batch is CDAE's
 * (users, corruption and negatives; `CDAEObjective`), so α = 1 trains CDAE exactly.
 *
 * @example
 * ```ts
 * const model = new CdaeRankAndRate({ numUsers: 943, numItems: 1682, dim: 50, alpha: 0.95, l2: 0.001 });
 * model.setHistory(trainingItems);
 * model.setGlobalMean(3.53);
 * ```
 */
export class CdaeRankAndRate extends CDAE implements RatingPredictor {
  /** b_u, b_i and μ of the rating model. */
  readonly head: RatingHead;
  /** I_d and θ (RnR only). */
  readonly transform: RnrTransform | undefined;

  constructor(readonly options: CdaeRankAndRateConfig) {
    super(options);
    this.head = new RatingHead(options.numUsers, options.numItems);
    if ((options.coupling ?? 'rnr') === 'rnr') this.transform = new RnrTransform(options.numItems, this.dim, { seed: options.seed ?? 0, stream: 3 }, options.activation);
  }

  /** Sets μ (the training ratings' mean). */
  setGlobalMean(mu: number): void {
    this.head.setGlobalMean(mu);
  }

  /** P's r̂ of aligned pairs: the head over V_u and W′_i, through the transform for RnR. */
  #rate(users: Tensor, items: Tensor): Tensor {
    const p = gather(this.users, users);
    const q = gather(this.items, items);
    const view = this.transform ? this.transform.view(items, p, q) : { p, q };
    return this.head.rate(users, items, view.p, view.q);
  }

  /** The batch's loss (class notes). */
  loss(batch: CdaeRnrBatch): Tensor {
    const alpha = this.options.alpha ?? 0.95;
    const lambda = this.options.l2 ?? 0;
    const B = batch.cdae.input.users.length;
    const { logits, penalty } = this.batchLogits(batch.cdae);
    const ranking = mul(sum(bceWithLogits(logits, tensor(batch.cdae.outputs.labels), 'none')), 1 / B);
    let loss = mul(ranking, alpha);
    const { rated } = batch;
    if (rated.users.length > 0) {
      const u = tensor(rated.users);
      const i = tensor(rated.items);
      const rating = mul(sum(square(sub(this.#rate(u, i), tensor(rated.ratings)))), 1 / B);
      loss = add(loss, mul(rating, 1 - alpha));
      if (lambda > 0) {
        const biases = add(sum(square(gather(this.head.userBias, u))), sum(square(gather(this.head.itemBias, i))));
        loss = add(loss, mul(biases, lambda / B));
        if (this.transform) loss = add(loss, this.transform.prior(i, lambda, B, batch.share));
      }
    }
    return penalty ? add(loss, penalty) : loss;
  }

  /** P's r̂ of aligned (users[k], items[k]); a promise on `webgpu`. */
  predictRatings(users: Int32Array, items: Int32Array): MaybePromise<Float32Array> {
    return predictPairs(users, items, 'CdaeRankAndRate.predictRatings', (u, i) => this.#rate(u, i));
  }
}

/**
 * RnR(CDAE, SVD)'s pass over the data: CDAE's batches of users (its order, corruption and
 * negatives; {@link CDAEObjective}) with every training rating of the batch's users for P.
 *
 * @example
 * ```ts
 * const objective = new CdaeRnrObjective(model, history, train, { batchSize: 32, negatives: 5, seed: 1 });
 * ```
 */
export class CdaeRnrObjective implements Objective<CdaeRnrBatch> {
  readonly #cdae: CDAEObjective;
  /** Each user's training rows (`rowsByUser`). */
  readonly #byUser: { indptr: Int32Array; indices: Int32Array };

  constructor(readonly model: CdaeRankAndRate, history: UserItemRows, readonly train: Interactions, options: CDAEObjectiveOptions = {}) {
    if (!train.ratings) throw new Error('CdaeRnrObjective: the training rows have no ratings');
    this.#cdae = new CDAEObjective(model, history, options);
    this.#byUser = rowsByUser(train);
  }

  batches(): number {
    return this.#cdae.batches();
  }

  prepare(epoch: number, index: number): MaybePromise<CdaeRnrBatch> {
    return andThen(this.#cdae.prepare(epoch, index), (cdae) => {
      const { indptr, indices } = this.#byUser;
      const { users, items, ratings } = this.train;
      let n = 0;
      for (const u of cdae.input.users) n += indptr[u + 1]! - indptr[u]!;
      const rated = { users: new Int32Array(n), items: new Int32Array(n), ratings: new Float32Array(n) };
      let at = 0;
      for (const u of cdae.input.users) {
        for (let p = indptr[u]!; p < indptr[u + 1]!; p++, at++) {
          const r = indices[p]!;
          rated.users[at] = users[r]!;
          rated.items[at] = items[r]!;
          rated.ratings[at] = ratings![r]!;
        }
      }
      return { cdae, rated, share: cdae.input.users.length / this.#cdae.numUsers };
    });
  }

  batch(_epoch: number, _index: number, b: CdaeRnrBatch): { loss: Tensor; examples: number } {
    return { loss: this.model.loss(b), examples: b.cdae.input.users.length };
  }
}
