/**
 * `rnr-bpr` and `vanilla-bpr`: RnR(BPR, SVD) (Rank and Rate, eq. 1) and its vanilla
 * multi-task baseline Vanilla(BPR, SVD) (eq. 2), each ranking with BPR and rating with SVD.
 */
import { z } from 'zod';
import { rankingValidationFields, targetField, trainingFields } from '../plugin/config.js';
import { defineModel } from '../plugin/define.js';
import { meanRating } from '../svd/svd.js';
import { behaviorLog } from '../training/log.js';
import { RnrObjective } from './objective.js';
import { RankAndRate, type RnrCoupling } from './rnr.js';

export { pairRatings, RnrObjective, type RnrObjectiveOptions } from './objective.js';
export { RankAndRate, type RankAndRateConfig, type RnrActivation, type RnrBatch, type RnrCoupling } from './rnr.js';

const paper = { cite: 'Hadash, Sar Shalom & Osadchy, Rank and Rate: Multi-task Learning for Recommender Systems, RecSys 2018', section: '§4 (eq. 1), §5 (eq. 2), §5.3' };

/**
 * The fields of both models. Defaults are §5.3's: Adagrad at learning rate 0.001,
 * embedding size 50; α and λ are the middle of its grid α ∈ {0.9, 0.95, 1.0} and the
 * smaller of λ ∈ {0.01, 0.001}; batches of 1,024 rated pairs (the paper does not say).
 */
const fields = {
  ...trainingFields,
  dim: trainingFields.dim.removeDefault().default(50),
  learningRate: trainingFields.learningRate.removeDefault().default(0.001),
  /** λ of eq. 1 / eq. 2, in the loss (per training tuple); the optimizer adds no weight decay. */
  l2: trainingFields.l2.removeDefault().default(0.001),
  /** α: the ranking loss's weight, 1 − α the rating loss's (α = 1: BPR alone). */
  alpha: z.number().min(0).max(1).default(0.95),
  ...targetField,
  ...rankingValidationFields,
};

const create = (coupling: RnrCoupling) => (config: z.infer<z.ZodObject<typeof fields>> & { activation?: 'tanh' | 'relu' | 'sigmoid' }, shape: { numUsers: number; numItems: number }) =>
  new RankAndRate({ numUsers: shape.numUsers, numItems: shape.numItems, dim: config.dim, seed: config.seed, coupling, alpha: config.alpha, l2: config.l2, activation: config.activation });

for (const coupling of ['rnr', 'vanilla'] as const) {
  const make = create(coupling);
  defineModel({
    name: `${coupling}-bpr`,
    title: coupling === 'rnr' ? 'RnR(BPR, SVD)' : 'Vanilla(BPR, SVD)',
    family: 'RnR',
    paper,
    summary: coupling === 'rnr'
      ? 'BPR ranks with the raw embeddings; SVD rates with them after an item deviation and a tied FC layer'
      : 'BPR and SVD share the user and item embeddings as they are (the vanilla multi-task baseline)',
    config: z.object(coupling === 'rnr'
      ? {
        ...fields,
        /** The tied FC layer's non-linearity (§4 says only "non-linear"; see RankAndRate). */
        activation: z.enum(['tanh', 'relu', 'sigmoid']).default('tanh'),
      }
      : fields),
    needs: { ratings: 'required' },
    outputs: ['items', 'ratings'],
    create: make,
    fit: async (data, config, context) => {
      const model = make(config, context.shape);
      model.setGlobalMean(meanRating(data.train.ratings!));
      const log = behaviorLog(data.train, context.shape.behaviors);
      const objective = new RnrObjective(model, log, data.train, { batchSize: config.batchSize ?? 1024, seed: config.seed });
      // λ is in the loss (RankAndRate.loss): no weight decay on top.
      return { model, history: await context.train(model, objective, { l2: 0 }) };
    },
  });
}
