/**
 * `svd`: biased matrix factorisation on explicit ratings (RnR §5.1's rating baseline,
 * Paterek 2007 / Koren, Bell & Volinsky 2009 eq. 3–5).
 */
import { rmse } from '@rec/eval';
import { z } from 'zod';
import { rankingValidationFields, trainingFields } from '../plugin/config.js';
import type { ModelShape, TrainingData } from '../plugin/data.js';
import { defineModel } from '../plugin/define.js';
import { hitRateValidation } from '../plugin/train.js';
import type { Validation } from '../training/trainer.js';
import { RatingObjective, ratingLog } from './objective.js';
import { BiasedMF, meanRating } from './svd.js';

export { BiasedMF, type BiasedMFConfig, meanRating, RatingHead } from './svd.js';
export { RatingObjective, ratingLog, type RatingLog, type RatingObjectiveOptions, type RatingRows } from './objective.js';

/**
 * SVD's fields. Defaults are RnR §5.3's: Adagrad at learning rate 0.001, embedding size
 * 50, and λ = 0.01, the larger of its grid {0.01, 0.001}: on ml-100k with one random
 * rating per user held out (seed 1), 20 epochs at rate 0.05 end at held-out RMSE 1.057
 * with λ = 0.01 and 1.096 with λ = 0.001 (d = 50 overfits 100k ratings). The paper gives
 * no batch size or epoch count: batches of 256 rated rows, 20 epochs, early stopping on
 * the validation when there is one.
 *
 * Observed on that split (global mean: RMSE 1.142): at the paper's rate 0.001 Adagrad
 * moves the factors slowly — RMSE 1.119 after 20 epochs; at 0.01 0.972 after 30 and still
 * falling; at 0.05 0.977 after 3 epochs, the best, then overfitting. `test/svd.test.ts`
 * passes 0.05 explicitly; the default stays the paper's.
 *
 * `validation`: `rmse` (default) stops early on the held-out ratings' RMSE (reported as
 * −RMSE, since higher is better for the trainer), the task SVD is fitted for; `ranking`
 * on HR@`validationK` over all items, as RnR's grid search chose by ranking metrics.
 */
export const svdFields = {
  ...trainingFields,
  dim: trainingFields.dim.removeDefault().default(50),
  learningRate: trainingFields.learningRate.removeDefault().default(0.001),
  /** λ of eq. 5, per rated case, in the loss; the optimizer adds no weight decay. */
  l2: trainingFields.l2.removeDefault().default(0.01),
  validation: z.enum(['rmse', 'ranking']).default('rmse'),
  ...rankingValidationFields,
};

type SvdSettings = { dim: number; seed: number; l2: number };

const create = (config: SvdSettings, shape: Pick<ModelShape, 'numUsers' | 'numItems'>): BiasedMF =>
  new BiasedMF({ numUsers: shape.numUsers, numItems: shape.numItems, dim: config.dim, seed: config.seed, l2: config.l2 });

/**
 * −RMSE of `model` on the held-out rated rows of `data.valid` (undefined without them).
 * @example
 * ```ts
 * const validation = ratingValidation(model, { train, valid }, 3);
 * await validation?.evaluate(); // e.g. -0.95
 * ```
 */
export function ratingValidation(model: BiasedMF, data: TrainingData, patience: number): Validation | undefined {
  const valid = data.valid;
  if (!valid?.ratings || valid.length === 0) return undefined;
  const targets = valid.ratings;
  return {
    name: '-RMSE',
    patience,
    evaluate: async () => -rmse(await model.predictRatings(valid.users, valid.items), targets),
  };
}

/**
 * SVD: r̂_ui = μ + b_u + b_i + ⟨p_u, q_i⟩ fitted by squared error on the observed ratings
 * with eq. 5's per-case prior; μ is the training mean, fixed. It rates pairs, and ranks all
 * items by r̂.
 */
export const svdModel = defineModel({
  name: 'svd',
  aliases: ['biased-mf'],
  title: 'SVD',
  family: 'Factorization',
  paper: {
    cite: 'Koren, Bell & Volinsky, Matrix Factorization Techniques for Recommender Systems, IEEE Computer 2009 (Paterek 2007; RnR §5.1 baseline)',
    section: 'eq. 3–5 (biased MF); RnR §5.3 (settings)',
  },
  summary: 'biased matrix factorisation (μ + b_u + b_i + ⟨p_u, q_i⟩) by squared error on the observed ratings',
  config: z.object(svdFields),
  needs: { ratings: 'required' },
  outputs: ['ratings', 'items'],
  create,
  validation: (model, data, config, shape) =>
    config.validation === 'rmse' ? ratingValidation(model, data, config.patience) : hitRateValidation(model, data, config, shape.behaviors[shape.behaviors.length - 1]),
  fit: async (data, config, context) => {
    const log = ratingLog(data.train);
    const model = create(config, context.shape);
    model.setGlobalMean(meanRating(log.ratings));
    const objective = new RatingObjective(model, log, { batchSize: config.batchSize ?? 256, seed: config.seed });
    // λ is in the loss (BiasedMF.predictRows): no weight decay on top.
    return { model, history: await context.train(model, objective, { l2: 0 }) };
  },
});
