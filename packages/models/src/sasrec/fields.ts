/**
 * What the sequential models share in their registrations: the config fields of each
 * level (CCRec's settings for category baselines, SASRec's for items), and the category
 * task of a fit.
 */
import { z } from 'zod';
import type { CategoryTask } from '../plugin/category-task.js';
import { trainingFields } from '../plugin/config.js';
import type { ModelShape } from '../plugin/data.js';

/**
 * The fields every sequential category baseline shares, with CCRec's settings where
 * §6.1–6.2 give one: embedding 64 ("the embedding layers have a dimension of 64"), learning
 * rate 0.0001 ("a learning rate of 0.0001 for our model and all the baselines"), 100 epochs
 * ("we trained all the models for 100 epochs", here a maximum, with early stopping on the
 * validation users' HR@3 after 10 epochs without a better one). Adam, as both SASRec
 * (§IV, implementation details) and FMLP-Rec use. `maxLength` = 10 positions = CCRec's k for Tmall and its
 * industry set (§6.1): the window a user's past fills at inference. Training windows hold
 * up to 10 inputs as well; with k = 10 past and up to 3 future events, SASRec's window of a
 * learning user drops at most its two oldest past events (see `NextItemObjective`).
 *
 * Observed: at CCRec's rate 0.0001 Adam moves these models slowly on the ml-100k category
 * task (SASRec with these defaults: warm users' HR@3 0.63 after 30 epochs, against 0.85
 * after 6 epochs at 0.01; `test/category-sequence-baselines.test.ts` passes a larger rate
 * explicitly); the default stays CCRec's.
 * @example
 * ```ts
 * const config = z.object({ ...sequenceCategoryFields, dropout: z.number().min(0).lt(1).default(0.5) });
 * ```
 */
export const sequenceCategoryFields = {
  ...trainingFields,
  dim: trainingFields.dim.removeDefault().default(64),
  epochs: trainingFields.epochs.removeDefault().default(100),
  optimizer: trainingFields.optimizer.removeDefault().default('adam'),
  learningRate: trainingFields.learningRate.removeDefault().default(0.0001),
  patience: trainingFields.patience.removeDefault().default(10),
  /** Positions of a window T (the position table's size): the last T past categories are a user's input. */
  maxLength: z.number().int().min(1).max(512).default(10),
  /** Blocks of the encoder (2: SASRec §IV's implementation details, FMLP-Rec's code). */
  blocks: z.number().int().min(1).max(16).default(2),
};

/**
 * The fields every item-level sequential model shares, with the settings of SASRec §IV
 * (implementation details) on its sparse Amazon sets where it gives one: n = 50 positions
 * ("maximum sequence length n to 200 for MovieLens-1m and 50 for the other three"), Adam at
 * learning rate 0.001, 2 blocks, 200 epochs here as a maximum (the paper trains 200 and
 * reports the best validation) with early stopping after 20 epochs without a better
 * validation score. The embedding is 64 (S3-Rec's hidden size, whose SASRec numbers the
 * fidelity check compares with; the SASRec paper uses 50).
 *
 * Why patience 20, not the 10 of the category level: at 0.001, SASRec on ml-100k
 * plateaus early — full-ranking validation HR@100 sat at 0.36 from epoch 7 to 17 and a
 * patience of 10 stopped it there (sampled HR@10 0.423), while at 0.005 the same model
 * climbed past the plateau to 0.53 by epoch 27 (sampled HR@10 0.599): BCE with one negative
 * learns popularity first and the sequence after.
 * @example
 * ```ts
 * const config = z.object({ ...sequenceItemFields, dropout: z.number().min(0).lt(1).default(0.5) });
 * ```
 */
export const sequenceItemFields = {
  ...trainingFields,
  dim: trainingFields.dim.removeDefault().default(64),
  epochs: trainingFields.epochs.removeDefault().default(200),
  optimizer: trainingFields.optimizer.removeDefault().default('adam'),
  learningRate: trainingFields.learningRate.removeDefault().default(0.001),
  patience: trainingFields.patience.removeDefault().default(20),
  /** Positions of a window T: a user's last T items are the input. */
  maxLength: z.number().int().min(1).max(512).default(50),
  /** Blocks of the encoder (2: SASRec §IV). */
  blocks: z.number().int().min(1).max(16).default(2),
};

/**
 * The category task of a fit, and the size of its category space as the model shape has it.
 * @throws Error when the data has no category task (the registry's needs check says so first).
 * @example
 * ```ts
 * fit: (data, config, context) => { const task = taskOf(data, context.shape, 'sasrec'); … },
 * ```
 */
export function taskOf(data: { categoryTask?: CategoryTask }, shape: ModelShape, name: string): CategoryTask {
  const task = data.categoryTask;
  if (!task) throw new Error(`${name} needs a category task (data.categoryTask)`);
  if (shape.numCategories !== undefined && shape.numCategories !== task.numCategories) {
    throw new Error(`${name}: the data's categories (${shape.numCategories}) are not the category task's (${task.numCategories})`);
  }
  return task;
}
