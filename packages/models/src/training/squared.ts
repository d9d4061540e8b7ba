import { add, mean, mul, square, sub, tensor, type Tensor } from '@rec/core';
import type { BehaviorLog } from './log.js';
import { type Objective, PointwiseObjective, type PointwiseOptions, type PointwiseRows } from './objectives.js';
import type { MaybePromise } from './read.js';

/**
 * A rating-prediction model: ŷ of aligned (user, item) pairs given on the host (so a model
 * can lay out per-row side features, e.g. FM's item categories, without reading ids back
 * from a device), and optionally the prior of the parameters those rows touch.
 */
export interface RatingRegressor {
  /** Behaviours the model predicts (1: the target). */
  readonly numBehaviors: number;
  /**
   * ŷ of each (users[r], items[r]), differentiable, f32 `[rows]`; with `penalty`, a scalar
   * the loss adds (FM's per-feature λ_w·w² + λ_v·‖v‖², averaged over the rows).
   */
  predictRows(users: Int32Array, items: Int32Array): { prediction: Tensor; penalty?: Tensor };
}

/**
 * Rating prediction on implicit feedback: the squared error (ŷ_ui − y_ui)² of each row,
 * y = 1 for an observed (u, i) and 0 for each of the `negatives` unobserved items drawn
 * per observed pair, averaged over the batch's rows (weighted by λ_r as
 * {@link PointwiseObjective}'s log loss is), plus the model's own penalty when it gives
 * one. The rows, their negatives and their order are {@link PointwiseObjective}'s (it
 * does the sampling here); only the loss differs. Used by PMF (Mnih & Salakhutdinov
 * 2007, eq. 1–4) and FM (Rendle 2010, eq. 1 with §III-B's least-squares regression), which
 * MRLR §4.3 classes as rating prediction methods.
 *
 * Choice: ŷ is the model's raw output, not squashed by σ, as both papers' Gaussian
 * likelihood has it (PMF's optional logistic g(·) maps ratings 1…K onto [0, 1]; these
 * targets are 0/1 already).
 *
 * @example
 * ```ts
 * const objective = new SquaredPointwiseObjective(model, behaviorLog(train, ['all']), { negatives: 4, seed: 1 });
 * await new Trainer(model, objective, { optimizer: 'adam', learningRate: 0.01 }).fit();
 * ```
 */
export class SquaredPointwiseObjective implements Objective<PointwiseRows> {
  /** The sampler: its rows and negatives, never its log loss. */
  readonly #sampler: PointwiseObjective;

  constructor(readonly model: RatingRegressor, log: BehaviorLog, options: PointwiseOptions = {}) {
    const unused = (): never => {
      throw new Error('SquaredPointwiseObjective: the sampler never scores');
    };
    this.#sampler = new PointwiseObjective({ numBehaviors: model.numBehaviors, logits: unused }, log, options);
  }

  batches(): number {
    return this.#sampler.batches();
  }

  prepare(epoch: number, index: number): MaybePromise<PointwiseRows> {
    return this.#sampler.prepare(epoch, index);
  }

  batch(_epoch: number, _index: number, rows: PointwiseRows): { loss: Tensor; examples: number } {
    const { prediction, penalty } = this.model.predictRows(rows.users, rows.items);
    const loss = mean(mul(square(sub(prediction, tensor(rows.labels))), tensor(rows.weights)));
    return { loss: penalty ? add(loss, penalty) : loss, examples: rows.users.length };
  }
}
