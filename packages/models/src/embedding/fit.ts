/**
 * What Item2Vec and Meta-Prod2Vec share as registered models: their config fields and
 * their fit (user item sets → pair sampler → fused SGNS objective → frozen profiles).
 */
import { z } from 'zod';
import { negativesField, rankingValidationFields, targetField, trainingFields } from '../plugin/config.js';
import type { FitContext, Fitted } from '../plugin/define.js';
import type { ModelShape, TrainingData } from '../plugin/data.js';
import { behaviorLog, behaviorRows } from '../training/log.js';
import { type EmbeddingScoring, ItemEmbeddings } from './item-embeddings.js';
import { FusedSkipGramObjective } from './objective.js';
import { ItemPairSampler } from './pairs.js';

/**
 * Pairs per batch when the config leaves `batchSize` out: only how often the host
 * prepares a batch, since the kernel steps per example.
 */
export const SKIP_GRAM_BATCH = 4096;

/**
 * The config fields of the skip-gram item-embedding models. Defaults: d = 10 (MRLR
 * §4.1); N = 5, α₀ = 0.025 with linear decay, no L2 (word2vec's skip-gram defaults,
 * which Item2Vec keeps); 20 epochs (the shared default; on Amazon Toys slices the AUC
 * levels off there, and α₀ = 0.1 gets as far in 5); no subsampling (see `subsample`).
 * SGD only: the update is the kernel's own.
 *
 * @example
 * ```ts
 * const config = z.object({ ...skipGramFields, lambda: z.number().default(1) });
 * ```
 */
export const skipGramFields = {
  ...trainingFields,
  dim: trainingFields.dim.removeDefault().default(10),
  learningRate: trainingFields.learningRate.removeDefault().default(0.025),
  /** word2vec's update is plain SGD inside the fused `skipgram_step` kernel; no other optimizer runs. */
  optimizer: z.literal('sgd').default('sgd'),
  ...negativesField,
  negatives: negativesField.negatives.removeDefault().default(5),
  /**
   * ρ of the frequent-item subsampling (each occurrence of item w kept with probability
   * min(1, √(ρ/f(w))) per epoch); 0 turns it off. Off by default: on MRLR's Amazon 5-core
   * data an item's share f(w) is at most 0.18 % (Toys: 309 of 167,597), so word2vec's
   * ρ = 10⁻³ touches 11 of 11,924 items (AUC unchanged on a Toys slice, 0.778 against
   * 0.780), while ρ = 10⁻⁵ thins every item, down to half or less of every user's set.
   */
  subsample: z.number().min(0).max(0.1).default(0),
  /**
   * How a user's items are ranked: the SGNS logit averaged over their items (default),
   * or the mean cosine of their items' vectors with the item's (the papers' item
   * similarity); `./item-embeddings.ts` gives the measurements behind the default.
   */
  scoring: z.enum(['logit', 'cosine']).default('logit'),
  /** Decay the step linearly over the epochs to α₀·10⁻⁴ (word2vec.c). */
  lrDecay: z.boolean().default(true),
  /** Native kernel over threads without ordering: faster, no longer the same model for a seed. */
  hogwild: z.boolean().default(false),
  /**
   * Native only: the skip-gram updates in f32 with a polynomial σ (`skipgram_step`'s `fast`),
   * about 2× the default's speed on one thread (`bench:skipgram`). Still the same model for a seed and thread
   * count, but not bit-equal to the js backend's.
   */
  fastMath: z.boolean().default(false),
  ...targetField,
  ...rankingValidationFields,
};

/** The parsed fields every skip-gram item model has. */
export type SkipGramConfig = z.output<z.ZodObject<typeof skipGramFields>>;

/**
 * The untrained model of a shape: items only (Item2Vec), or items then categories
 * (`withCategories`, Meta-Prod2Vec).
 * @throws Error when categories are asked for and the shape has none.
 * @example
 * ```ts
 * const model = createItemEmbeddings('meta-prod2vec', { dim: 10, seed: 1, scoring: 'logit' }, { numUsers: 5, numItems: 9, numCategories: 3, behaviors: ['all'] }, true);
 * model.input.shape; // [12, 10]
 * ```
 */
export function createItemEmbeddings(name: string, config: { dim: number; seed: number; scoring: EmbeddingScoring }, shape: ModelShape, withCategories: boolean): ItemEmbeddings {
  if (withCategories && !shape.numCategories) throw new Error(`${name}: the model needs item categories (numCategories ≥ 1)`);
  const vocabulary = shape.numItems + (withCategories ? shape.numCategories! : 0);
  return new ItemEmbeddings({ numUsers: shape.numUsers, numItems: shape.numItems, vocabulary, dim: config.dim, seed: config.seed, scoring: config.scoring });
}

/**
 * Fits Item2Vec (no `lambda`) or Meta-Prod2Vec (`lambda`, with the data's item
 * categories) on the target behaviour's distinct items of each user, then freezes the
 * user profiles so the model scores without its data.
 *
 * @throws Error when the data has no user with two training items, or (Meta-Prod2Vec)
 *   no item categories over the training items.
 * @example
 * ```ts
 * // a model definition's fit:
 * fit: (data, config, context) => fitSkipGram('item2vec', data, config, context),
 * ```
 */
export async function fitSkipGram(name: string, data: TrainingData, config: SkipGramConfig, context: FitContext, lambda?: number): Promise<Fitted<ItemEmbeddings>> {
  const withCategories = lambda !== undefined;
  const { shape } = context;
  const categories = data.itemCategories;
  if (withCategories && (!categories || categories.numItems !== shape.numItems)) {
    throw new Error(`${name}: needs item categories over the ${shape.numItems} training items, got ${categories ? `categories of ${categories.numItems} items` : 'none'}`);
  }
  const model = createItemEmbeddings(name, config, shape, withCategories);
  const log = behaviorLog(data.train, shape.behaviors);
  const userItems = behaviorRows(log, log.behaviors.length - 1);
  const sampler = new ItemPairSampler(userItems, shape.numItems, {
    negatives: config.negatives, batchSize: config.batchSize ?? SKIP_GRAM_BATCH, seed: config.seed, subsample: config.subsample,
    ...(withCategories ? { metadata: { itemCategories: categories!, numCategories: categories!.numCategories } } : {}),
  });
  model.live(userItems);
  const objective = new FusedSkipGramObjective(model, sampler, {
    learningRate: config.learningRate, l2: config.l2, decay: config.lrDecay, epochs: config.epochs, hogwild: config.hogwild, fastMath: config.fastMath,
    ...(withCategories ? { lambda } : {}),
  });
  const history = await context.train(model, objective);
  await model.freeze();
  return { model, history };
}
