/**
 * `sasrec` and `category-sasrec`: SASRec (Kang & McAuley, ICDM 2018) over items, and with
 * categories as items as one of CCRec's §6.2 baselines, trained through the shared trainer.
 */
import { z } from 'zod';
import { SampledSoftmaxObjective } from '../clrec/sampled-softmax.js';
import { trainingFields } from '../plugin/config.js';
import { defineSequentialModels, type EncoderSettings, type SequenceLevel } from './define-sequential.js';
import { NextItemObjective } from './objective.js';
import { SASRec } from './sasrec.js';

export { SASRec, type SASRecConfig } from './sasrec.js';
export { NextItemObjective, type NextItemBatch, type NextItemObjectiveOptions } from './objective.js';
export { type NextIdBatch, NextIdWindows, type ScoredPositions } from './windows.js';
export { NextCategoryModel, pastWindowsOf, saveWithPast, splitPast, WindowScorer } from './category.js';
export { NextItemModel } from './items.js';
export { defineSequentialModels, type EncoderSettings, type SequenceLevel, type SequentialModelSpec } from './define-sequential.js';
export { sequenceCategoryFields, sequenceItemFields, taskOf } from './fields.js';
export {
  checkWindows, eventSequences, type EventSequences, historySequences, lastPositionScores, lastWindows, learningSequences, type SequenceEncoder, validPositions, windowsOf,
} from './sequences.js';

/**
 * SASRec's own fields:
 * - `heads` (default 1, the paper's single head; it must divide `dim`);
 * - `dropout`: 0.5 on items (§IV: "0.5 for the sparse Amazon and Steam datasets, due to
 *   their sparsity"); 0.2 on categories (the paper's rate on dense MovieLens-1M: a
 *   vocabulary of a few dozen categories is dense — every category recurs in most
 *   sequences);
 * - `batchSize`: sequences per batch (default 128, the paper's);
 * - `scaleEmbeddings`: multiply the id embedding by √d before adding the positions, as the
 *   authors' code does — on by default at item level, off at category level (why: `SASRec`'s
 *   TSDoc);
 * - `loss`: `bce` (default, §III-E: one sampled negative per position) or `sampled-softmax`,
 *   a variant not in the paper — each position's next id against `negatives` ids drawn
 *   uniformly per batch, with the log-Q correction, through the `sampled_softmax` kernel
 *   (`SampledSoftmaxObjective`).
 * @example
 * ```ts
 * parseModelConfig({ model: 'sasrec', heads: 2, dropout: 0.2, loss: 'sampled-softmax', negatives: 200 });
 * ```
 */
export const sasrecFields = (level: SequenceLevel) => ({
  heads: z.number().int().min(1).max(64).default(1),
  dropout: z.number().min(0).lt(1).default(level === 'items' ? 0.5 : 0.2),
  /** Sequences per batch (default 128, SASRec §IV's implementation details). */
  batchSize: trainingFields.batchSize,
  /** c = √d on the id embedding (the authors' code): needed when the vocabulary is large (items), not for a few dozen categories. */
  scaleEmbeddings: z.boolean().default(level === 'items'),
  /** The loss: §III-E's BCE with one negative, or the sampled-softmax variant. */
  loss: z.enum(['bce', 'sampled-softmax']).default('bce'),
  /** Negatives per batch of the sampled-softmax variant (unused by `bce`). */
  negatives: z.number().int().min(1).max(100_000).default(100),
});

/**
 * The SASRec encoder of a registration's config over `vocabularySize` ids: what `sasrec`
 * and `clrec` (SASRec trained against CLRec's queue) build.
 * @throws Error naming `heads` when it does not divide `dim`.
 * @example
 * ```ts
 * encoder: sasrecEncoder,
 * ```
 */
export function sasrecEncoder(config: EncoderSettings & { heads: number; dropout: number; scaleEmbeddings: boolean }, vocabularySize: number): SASRec {
  if (config.dim % config.heads !== 0) throw new Error(`config: heads: must divide dim (${config.dim}), got ${config.heads}`);
  return new SASRec({
    vocabularySize, maxLength: config.maxLength, dim: config.dim, blocks: config.blocks, heads: config.heads, dropout: config.dropout, scaleEmbeddings: config.scaleEmbeddings, seed: config.seed,
  });
}

/**
 * SASRec at both levels ({@link defineSequentialModels}):
 * - `sasrec`: every user's items in time order, the next item predicted at every position
 *   with one sampled negative (§III-E); a user is scored from the window of their last
 *   `maxLength` items.
 * - `category-sasrec`: the same over the category task's past-then-future category
 *   events (CCRec §6.2), scored from the window of the user's last past categories.
 * @example
 * ```ts
 * const trained = await trainModel(parseModelConfig({ model: 'sasrec', epochs: 20 }), { train, valid });
 * await trained.model.scoreUsers!(Int32Array.of(0)); // 1 × numItems
 * const byCategory = await trainModel(parseModelConfig({ model: 'category-sasrec' }), { train: fold.train, categoryTask: fold.task });
 * ```
 * @see Kang & McAuley 2018, §III; CCRec §6.2.
 */
export const { items: sasrecModel, categories: categorySasrecModel } = defineSequentialModels({
  name: 'sasrec',
  title: 'SASRec',
  paper: {
    cite: 'Kang & McAuley, Self-Attentive Sequential Recommendation, ICDM 2018',
    section: '§III (embedding, self-attention blocks, prediction layer, §III-E loss), §IV (settings)',
  },
  summary: 'causal self-attention over the last ids with learned positions, scored by dot product with the shared id embedding',
  fields: sasrecFields,
  encoder: sasrecEncoder,
  objective: (encoder, sequences, config) => (config.loss === 'sampled-softmax'
    ? new SampledSoftmaxObjective(encoder, sequences, { positions: 'all', negatives: config.negatives, batchSize: config.batchSize ?? 128, seed: config.seed })
    : new NextItemObjective(encoder, sequences, { positions: 'all', batchSize: config.batchSize ?? 128, seed: config.seed })),
});
