/**
 * `sasrec`: SASRec (Kang & McAuley, ICDM 2018) with categories as items, one of CCRec's
 * §6.2 baselines, trained through the shared trainer on the category task's sequences.
 */
import { z } from 'zod';
import { categoryValidation } from '../plugin/category-task.js';
import { trainingFields } from '../plugin/config.js';
import { defineModel } from '../plugin/define.js';
import { NextCategoryModel, pastWindowsOf, saveWithPast, splitPast } from './category.js';
import { sequenceCategoryFields, taskOf } from './fields.js';
import { NextItemObjective } from './objective.js';
import { SASRec } from './sasrec.js';
import { learningSequences } from './sequences.js';

export { SASRec, type SASRecConfig } from './sasrec.js';
export { NextItemObjective, type NextItemBatch, type NextItemObjectiveOptions, type ScoredPositions } from './objective.js';
export { NextCategoryModel, pastWindowsOf, saveWithPast, splitPast } from './category.js';
export { sequenceCategoryFields, taskOf } from './fields.js';
export {
  checkWindows, eventSequences, type EventSequences, lastPositionScores, lastWindows, learningSequences, type SequenceEncoder, validPositions, windowsOf,
} from './sequences.js';

/**
 * SASRec's fields: {@link sequenceCategoryFields} plus
 * - `heads` (default 1, the paper's single head; it must divide `dim`);
 * - `dropout` (default 0.2: the paper uses 0.2 on its dense MovieLens-1M and 0.5 on its
 *   sparse Amazon and Steam sets, "due to their sparsity"; a category vocabulary of a few
 *   dozen ids is dense — every category recurs in most sequences — so the dense set's rate;
 *   the authors' script defaults to 0.5);
 * - `batchSize`: sequences per batch (default 128, the paper's).
 * @example
 * ```ts
 * parseModelConfig({ model: 'sasrec', heads: 2, dropout: 0.5 });
 * ```
 */
export const sasrecFields = {
  ...sequenceCategoryFields,
  heads: z.number().int().min(1).max(64).default(1),
  dropout: z.number().min(0).lt(1).default(0.2),
  /** Sequences per batch (default 128, SASRec §IV's implementation details). */
  batchSize: trainingFields.batchSize,
};

type SASRecSettings = { dim: number; maxLength: number; blocks: number; heads: number; dropout: number; seed: number };

/** The encoder of a config, over `numCategories` categories. */
const encoderOf = (config: SASRecSettings, numCategories: number): SASRec => {
  if (config.dim % config.heads !== 0) throw new Error(`config: heads: must divide dim (${config.dim}), got ${config.heads}`);
  return new SASRec({ vocabularySize: numCategories, maxLength: config.maxLength, dim: config.dim, blocks: config.blocks, heads: config.heads, dropout: config.dropout, seed: config.seed });
};

/**
 * SASRec over categories: each learning user's past then future category events, next
 * category predicted at every position with one sampled negative (§III-E); a user is
 * scored from the window of their last `maxLength` past categories, which is saved with the
 * parameters.
 * @example
 * ```ts
 * const { task, train } = ccrecSplit(log, { cutoff, itemCategories }).fold(0);
 * const trained = await trainModel(parseModelConfig({ model: 'sasrec' }), { train, categoryTask: task });
 * await trained.model.scoreCategories!(Int32Array.of(0)); // 1 × numCategories
 * ```
 * @see Kang & McAuley 2018, §III; CCRec §6.2.
 */
export const sasrecModel = defineModel({
  name: 'sasrec',
  title: 'SASRec',
  family: 'Sequential',
  paper: {
    cite: 'Kang & McAuley, Self-Attentive Sequential Recommendation, ICDM 2018 (CCRec §6.2 baseline, categories as items)',
    section: '§III (embedding, self-attention blocks, prediction layer, §III-E loss); CCRec §6.1–6.2 (settings)',
  },
  summary: 'causal self-attention over the last past categories with learned positions, scored by dot product with the shared category embedding',
  config: z.object(sasrecFields),
  needs: { categoryEvents: 'required' },
  outputs: ['categories'],
  fit: async (data, config, context) => {
    const task = taskOf(data, context.shape, 'sasrec');
    const model = new NextCategoryModel(encoderOf(config, task.numCategories), pastWindowsOf(task.past, config.maxLength, task.numCategories), 'sasrec');
    const objective = new NextItemObjective(model.encoder, learningSequences(task), { positions: 'all', batchSize: config.batchSize ?? 128, seed: config.seed });
    return { model, history: await context.train(model, objective) };
  },
  validation: (model, data, config) => categoryValidation(model, data.categoryTask!, config.patience),
  save: (model) => saveWithPast(model),
  load: (state, config, shape) => {
    const { past, parameters } = splitPast(state.tensors, 'sasrec', config.maxLength);
    if (shape.numCategories === undefined) throw new Error('the sasrec model\'s shape has no numCategories');
    const model = new NextCategoryModel(encoderOf(config, shape.numCategories), past, 'sasrec');
    model.loadStateDict(parameters);
    return model.eval();
  },
});
