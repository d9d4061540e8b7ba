/**
 * `fmlp-rec`: FMLP-Rec (Zhou et al., WWW 2022) with categories as items, one of CCRec's
 * §6.2 baselines, trained through the shared trainer on every prefix of the category
 * task's sequences.
 */
import { z } from 'zod';
import { categoryValidation } from '../plugin/category-task.js';
import { trainingFields } from '../plugin/config.js';
import { defineModel } from '../plugin/define.js';
import { NextCategoryModel, pastWindowsOf, saveWithPast, splitPast } from '../sasrec/category.js';
import { sequenceCategoryFields, taskOf } from '../sasrec/fields.js';
import { NextItemObjective } from '../sasrec/objective.js';
import { learningSequences } from '../sasrec/sequences.js';
import { FMLPRec } from './fmlp-rec.js';

export { FilterBlock, FMLPRec, type FMLPRecConfig, gelu } from './fmlp-rec.js';
export { realDftMatrices, type RealDftMatrices, realDftTensors, type RealDftTensors, spectralFilter } from './real-dft.js';

/**
 * FMLP-Rec's fields: the shared sequential fields (`sequenceCategoryFields` of `sasrec`:
 * CCRec's embedding 64, learning rate 0.0001, 100 epochs, Adam; T = 10 positions) plus
 * - `dropout` (default 0.5: the authors' `hidden_dropout_prob`, which CCRec §6.2 says it
 *   kept — "the same architecture and other hyperparameters as the source codes");
 * - `batchSize`: prefixes per batch (default 256, the authors' code).
 * @example
 * ```ts
 * parseModelConfig({ model: 'fmlp-rec', dropout: 0.2, maxLength: 12 });
 * ```
 */
export const fmlpRecFields = {
  ...sequenceCategoryFields,
  dropout: z.number().min(0).lt(1).default(0.5),
  /** Prefixes per batch (default 256, the authors' code). */
  batchSize: trainingFields.batchSize,
};

type FMLPRecSettings = { dim: number; maxLength: number; blocks: number; dropout: number; seed: number };

const encoderOf = (config: FMLPRecSettings, numCategories: number): FMLPRec =>
  new FMLPRec({ vocabularySize: numCategories, maxLength: config.maxLength, dim: config.dim, blocks: config.blocks, dropout: config.dropout, seed: config.seed });

/**
 * FMLP-Rec over categories: every prefix of each learning user's past-then-future category
 * events predicts its next category at the last position with one sampled negative (§3.3);
 * a user is scored from the window of their last `maxLength` past categories, which is
 * saved with the parameters.
 * @example
 * ```ts
 * const { task, train } = ccrecSplit(log, { cutoff, itemCategories }).fold(0);
 * const trained = await trainModel(parseModelConfig({ model: 'fmlp-rec' }), { train, categoryTask: task });
 * await trained.model.scoreCategories!(Int32Array.of(0)); // 1 × numCategories
 * ```
 * @see Zhou et al. 2022, §3; CCRec §6.2.
 */
export const fmlpRecModel = defineModel({
  name: 'fmlp-rec',
  aliases: ['fmlprec'],
  title: 'FMLP-Rec',
  family: 'Sequential',
  paper: {
    cite: 'Zhou, Yu, Zhao & Wen, Filter-enhanced MLP is All You Need for Sequential Recommendation, WWW 2022 (CCRec §6.2 baseline, categories as items)',
    section: '§3.1 (embedding layer), §3.2 (learnable filter-enhanced blocks, eq. 5–10), §3.3 (prediction and loss); CCRec §6.1–6.2 (settings)',
  },
  summary: 'learnable frequency-domain filters (FFT, complex weights, inverse FFT) and point-wise FFNs over the last past categories, scored at the last position',
  config: z.object(fmlpRecFields),
  needs: { categoryEvents: 'required' },
  outputs: ['categories'],
  fit: async (data, config, context) => {
    const task = taskOf(data, context.shape, 'fmlp-rec');
    const model = new NextCategoryModel(encoderOf(config, task.numCategories), pastWindowsOf(task.past, config.maxLength, task.numCategories), 'fmlp-rec');
    const objective = new NextItemObjective(model.encoder, learningSequences(task), { positions: 'last', batchSize: config.batchSize ?? 256, seed: config.seed });
    return { model, history: await context.train(model, objective) };
  },
  validation: (model, data, config) => categoryValidation(model, data.categoryTask!, config.patience),
  save: (model) => saveWithPast(model),
  load: (state, config, shape) => {
    const { past, parameters } = splitPast(state.tensors, 'fmlp-rec', config.maxLength);
    if (shape.numCategories === undefined) throw new Error('the fmlp-rec model\'s shape has no numCategories');
    const model = new NextCategoryModel(encoderOf(config, shape.numCategories), past, 'fmlp-rec');
    model.loadStateDict(parameters);
    return model.eval();
  },
});
