/**
 * `cmf`: collective matrix factorisation over every behaviour (NMTR's baseline).
 */
import { z } from 'zod';
import { behaviorsField, funnelBehaviors, negativesField, rankingValidationFields, targetField, trainingFields } from '../plugin/config.js';
import { defineModel } from '../plugin/define.js';
import { behaviorLog } from '../training/log.js';
import { PointwiseObjective } from '../training/objectives.js';
import { CMF } from './cmf.js';

export { CMF, type CMFConfig } from './cmf.js';

/** λ_r of NMTR eq. 12 (or CMF's behaviour weights), one per behaviour, summing to 1; default uniform. */
export const weightsField = { weights: z.array(z.number().min(0).max(1)).optional() };

/** CMF: one user factor shared by every behaviour's item factors, the multi-task log loss of NMTR eq. 12. */
export const cmfModel = defineModel({
  name: 'cmf',
  title: 'CMF',
  family: 'Multi-behavior',
  paper: { cite: 'Zhao et al., Improving User Topic Interest Profiles by Behavior Factorization, WWW 2015 (NMTR §IV-A2 baseline)', section: 'NMTR §IV-A2' },
  summary: 'a user factor shared across behaviours, one item factor per behaviour, weighted multi-task log loss',
  config: z.object({ ...trainingFields, ...targetField, ...behaviorsField, ...negativesField, ...rankingValidationFields, ...weightsField }),
  needs: { behaviors: 'required' },
  outputs: ['items'],
  behaviors: (config, train) => funnelBehaviors('cmf', config, train),
  create: (config, shape) => new CMF({ numUsers: shape.numUsers, numItems: shape.numItems, dim: config.dim, seed: config.seed, behaviors: shape.behaviors }),
  fit: async (data, config, context) => {
    const model = new CMF({ numUsers: context.shape.numUsers, numItems: context.shape.numItems, dim: config.dim, seed: config.seed, behaviors: context.shape.behaviors });
    const objective = new PointwiseObjective(model, behaviorLog(data.train, context.shape.behaviors), {
      batchSize: config.batchSize, negatives: config.negatives, seed: config.seed, weights: config.weights,
    });
    return { model, history: await context.train(model, objective) };
  },
});
