/**
 * `rnr-bpr`, `vanilla-bpr`, `rnr-cdae` and `vanilla-cdae`: RnR(R, SVD) (Rank and Rate, eq. 1)
 * and its vanilla multi-task baseline Vanilla(R, SVD) (eq. 2), ranking with R = BPR or CDAE
 * and rating with SVD.
 */
import { z } from 'zod';
import { rankingValidationFields, targetField, trainingFields } from '../plugin/config.js';
import { defineModel } from '../plugin/define.js';
import { meanRating } from '../svd/svd.js';
import { cdaeFields, saveWithHistory, splitHistory } from '../cdae/index.js';
import type { UserItemRows } from '../cdae/cdae.js';
import { behaviorLog, behaviorRows } from '../training/log.js';
import { CdaeRankAndRate, CdaeRnrObjective } from './cdae-rnr.js';
import type { RnrActivation } from './transform.js';
import { RnrObjective } from './objective.js';
import { RankAndRate, type RnrCoupling } from './rnr.js';

export { pairRatings, RnrObjective, type RnrObjectiveOptions } from './objective.js';
export { RankAndRate, type RankAndRateConfig, type RnrBatch, type RnrCoupling } from './rnr.js';
export { type RnrActivation, RnrTransform } from './transform.js';
export { CdaeRankAndRate, type CdaeRankAndRateConfig, type CdaeRnrBatch, CdaeRnrObjective } from './cdae-rnr.js';

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

/**
 * RnR(CDAE, SVD) and Vanilla(CDAE, SVD): CDAE's fields and defaults (`cdae`), plus α, and for
 * RnR the FC layer's activation. λ (`l2`) is CDAE's λ and eq. 1's.
 */
const cdaeRnrFields = {
  ...cdaeFields,
  alpha: fields.alpha,
};

for (const coupling of ['rnr', 'vanilla'] as const) {
  const name = `${coupling}-cdae`;
  type Settings = { dim: number; seed: number; l2: number; corruption: number; alpha: number; activation?: RnrActivation };
  const build = (config: Settings, shape: { numUsers: number; numItems: number }, history: UserItemRows) => {
    const model = new CdaeRankAndRate({
      numUsers: shape.numUsers, numItems: shape.numItems, dim: config.dim, seed: config.seed, l2: config.l2, corruption: config.corruption,
      coupling, alpha: config.alpha, activation: config.activation,
    });
    model.setHistory(history);
    return model;
  };
  defineModel({
    name,
    title: coupling === 'rnr' ? 'RnR(CDAE, SVD)' : 'Vanilla(CDAE, SVD)',
    family: 'RnR',
    paper,
    summary: coupling === 'rnr'
      ? 'CDAE ranks with its user nodes and decoder item vectors; SVD rates with them after an item deviation and a tied FC layer'
      : 'CDAE and SVD share the user nodes and decoder item vectors as they are (the vanilla multi-task baseline)',
    config: z.object(coupling === 'rnr' ? { ...cdaeRnrFields, activation: z.enum(['tanh', 'relu', 'sigmoid']).default('tanh') } : cdaeRnrFields),
    needs: { ratings: 'required' },
    outputs: ['items', 'ratings'],
    fit: async (data, config, context) => {
      const log = behaviorLog(data.train, [context.shape.behaviors[context.shape.behaviors.length - 1]!]);
      const history = behaviorRows(log, 0);
      const model = build(config, context.shape, history);
      model.setGlobalMean(meanRating(data.train.ratings!));
      const objective = new CdaeRnrObjective(model, history, data.train, { batchSize: config.batchSize ?? 32, negatives: config.negatives, seed: config.seed });
      // λ is in the loss (CdaeRankAndRate.loss): no weight decay on top.
      return { model, history: await context.train(model, objective, { l2: 0 }) };
    },
    save: (model) => saveWithHistory(model),
    load: (state, config, shape) => {
      const { history, parameters } = splitHistory(state.tensors, name);
      const model = build(config, shape, history);
      model.loadStateDict(parameters);
      return model.eval();
    },
  });
}
