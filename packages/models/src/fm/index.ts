/**
 * `fm`: a 2-way factorization machine over user, item and item-category features,
 * fitted as rating prediction on implicit feedback (MRLR §4.1's third baseline).
 */
import type { NamedArray } from '@rec/core';
import { z } from 'zod';
import { negativesField, rankingValidationFields, targetField, trainingFields } from '../plugin/config.js';
import type { ModelShape } from '../plugin/data.js';
import { defineModel } from '../plugin/define.js';
import { behaviorLog } from '../training/log.js';
import { SquaredPointwiseObjective } from '../training/squared.js';
import { FM, type ItemCategoryLists } from './fm.js';

export { FM, type FMConfig, type ItemCategoryLists } from './fm.js';

/**
 * FM's fields. `l2` is λ_v, the 2-way (factor) regularisation, and `l2Linear` λ_w, the
 * 1-way one: MRLR §4.1 grids "1/2-way regularization of FM" over {0.001, 0.01, 0.1, 1.0}.
 * Defaults: k = 10 (MRLR's d); Adam at learning rate 0.01 with λ_w = λ_v = 0.001, from
 * that grid, measured on the Toys slice of `test/mrlr-baselines-mf.test.ts` (AUC 0.69
 * after 5 epochs; λ = 0.01 gave 0.68, learning rate 0.1 0.64). libFM's own learner is
 * plain SGD; Adam, the trainer's adaptive method, needs no per-dataset step size.
 * N = 5 negatives per observed pair (MRLR's grid); batches of 1,024 observed pairs.
 */
export const fmFields = {
  ...trainingFields,
  dim: trainingFields.dim.removeDefault().default(10),
  optimizer: trainingFields.optimizer.removeDefault().default('adam'),
  learningRate: trainingFields.learningRate.removeDefault().default(0.01),
  /** λ_v: the 2-way (factor) regularisation. */
  l2: trainingFields.l2.removeDefault().default(0.001),
  /** λ_w: the 1-way (linear weight) regularisation; w_0 is not regularised. */
  l2Linear: z.number().min(0).max(1).default(0.001),
  ...targetField,
  negatives: negativesField.negatives.removeDefault().default(5),
  ...rankingValidationFields,
};

type FMSettings = { dim: number; seed: number; l2: number; l2Linear: number };

const build = (config: FMSettings, shape: ModelShape, itemCategories: ItemCategoryLists): FM => {
  if (shape.numCategories === undefined) throw new Error('fm needs item categories (the shape has no numCategories)');
  return new FM({
    numUsers: shape.numUsers, numItems: shape.numItems, numCategories: shape.numCategories, itemCategories,
    dim: config.dim, seed: config.seed, l2Factors: config.l2, l2Linear: config.l2Linear,
  });
};

const CATEGORY_KEYS = { indptr: 'itemCategories.indptr', indices: 'itemCategories.indices' } as const;

/**
 * FM: ŷ = w_0 + Σ w_j x_j + Σ_{j<j'} ⟨v_j, v_j'⟩ x_j x_j' over [user | item | the item's
 * categories at 1/|C_i|], squared loss on observed (1) and sampled unobserved (0) pairs,
 * separate 1-way and 2-way L2. The item → category lists are saved with the parameters.
 */
export const fmModel = defineModel({
  name: 'fm',
  title: 'FM',
  family: 'Factorization',
  paper: { cite: 'Rendle, Factorization Machines, ICDM 2010 (MRLR §4.1 baseline)', section: '§III-A (eq. 1, Lemma 3.1 eq. 5), §III-B (least-squares regression, L2)' },
  summary: 'a 2-way factorization machine over user, item and item-category features, squared loss with sampled negatives',
  config: z.object(fmFields),
  needs: { categories: 'required' },
  outputs: ['items'],
  fit: async (data, config, context) => {
    if (!data.itemCategories) throw new Error('fm needs item categories (the user one-hot + item one-hot + category multi-hot features of MRLR §4.1), which the data lacks');
    const model = build(config, context.shape, data.itemCategories);
    const objective = new SquaredPointwiseObjective(model, behaviorLog(data.train, context.shape.behaviors), {
      batchSize: config.batchSize ?? 1024, negatives: config.negatives, seed: config.seed,
    });
    // The priors are in the loss (FM.predictRows), one λ per order: no weight decay on top.
    return { model, history: await context.train(model, objective, { l2: 0 }) };
  },
  save: async (model) => {
    const { indptr, indices } = model.itemCategories;
    return {
      tensors: {
        ...(await model.stateDict()),
        [CATEGORY_KEYS.indptr]: { dtype: 'i32', shape: [indptr.length], data: indptr },
        [CATEGORY_KEYS.indices]: { dtype: 'i32', shape: [indices.length], data: indices },
      },
    };
  },
  load: (state, config, shape) => {
    const { [CATEGORY_KEYS.indptr]: indptr, [CATEGORY_KEYS.indices]: indices, ...parameters } = state.tensors;
    const lists = (a: NamedArray | undefined, name: string): Int32Array => {
      if (a?.dtype !== 'i32') throw new Error(`the fm model's '${name}' (its item → category lists) is missing or not i32`);
      return a.data as Int32Array;
    };
    const model = build(config, shape, { indptr: lists(indptr, CATEGORY_KEYS.indptr), indices: lists(indices, CATEGORY_KEYS.indices) });
    model.loadStateDict(parameters);
    return model.eval();
  },
});
