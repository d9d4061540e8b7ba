/**
 * `tiger`: TIGER (Rajput et al., "Recommender Systems with Generative Retrieval", NeurIPS
 * 2023) — items named by Semantic IDs from an RQ-VAE over their content (§3.1), a
 * Transformer encoder–decoder that generates the next item's Semantic ID from the user's
 * history (§3.2), decoding constrained to the catalogue's IDs. Two stages through the
 * shared trainer: `rqvae`, then `seq2seq`.
 */
import { type NamedArray, Philox } from '@rec/core';
import { UserItemCSR } from '@rec/data';
import { evaluateSampledRanking } from '@rec/eval';
import { z } from 'zod';
import { trainingFields } from '../plugin/config.js';
import { categoryValidation } from '../plugin/category-task.js';
import type { TrainingData } from '../plugin/data.js';
import { defineModel } from '../plugin/define.js';
import { taskOf } from '../sasrec/fields.js';
import { eventSequences, historySequences, learningSequences } from '../sasrec/sequences.js';
import type { Validation } from '../training/trainer.js';
import { CategoryTigerModel } from './category.js';
import { cooccurrenceContent, itemContentOf } from './content.js';
import { countsOf, fitTiger } from './fit.js';
import { TigerModel, type TigerModelConfig } from './tiger.js';

export { categoryContent, type ContentSource, cooccurrenceContent, type ItemContent, itemContentOf } from './content.js';
export { TransformerDecoderLayer } from './decoder.js';
export { type RQVAEBatch, RQVAEObjective, type RQVAEObjectiveOptions, type SemanticIdBatch, SemanticIdObjective, type SemanticIdObjectiveOptions } from './objectives.js';
export { KMEANS_ITERATIONS, kMeans, nearestCodes, RQVAE, type RQVAEConfig } from './rq-vae.js';
export { appendCollisionLevel, SemanticIdTrie } from './semantic-ids.js';
export { TigerTransformer, type TigerTransformerConfig, TokenLayout, userHash } from './seq2seq.js';
export { type BeamOptions, type BeamResult, TigerModel, type TigerModelConfig } from './tiger.js';
export { CategoryTigerModel } from './category.js';
export { countsOf, fitTiger, type TigerFitInputs, type TigerStageSettings } from './fit.js';

/** Where the Semantic IDs and the users' histories are kept among a saved model's tensors. */
const IDS_KEY = 'tiger.semanticIds';
const HISTORIES_KEY = 'tiger.histories';

/**
 * TIGER's fields. §4's settings where they fit our data, smaller where they do not (and
 * why):
 * - seq2seq: `dim` 64, `heads` 2, `feedForward` 256, `encoderLayers` = `decoderLayers` = 2,
 *   `dropout` 0.1, `maxHistory` 20, `userBuckets` 2000 (§4: d 128, 6 heads, MLP 1024, 4 + 4
 *   layers, dropout 0.1, user IDs hashed into 2000 tokens; the model is smaller for catalogues
 *   of a few thousand items and the pure-JS backend); batches of 256 (§4); Adam at 0.001 for
 *   at most 20 epochs with patience 5 (§4 trains 200k steps at 0.01 with an inverse-square-root
 *   decay, T5X's Adafactor; Adam at a fixed 0.001 is the usual stable choice for a small
 *   Transformer without warm-up); `targetsPerUser` 0 (every position a target);
 * - RQ-VAE: `levels` 3, `latentDim` 32, `rqvaeHidden` [512, 256, 128], `beta` 0.25,
 *   Adagrad on batches of `rqvaeBatchSize` 1024 (all §4), at `rqvaeLearningRate` 0.01
 *   instead of §4's 0.4, which diverges on our content (ml-100k genres with these sizes:
 *   the loss passed 10⁹ in the second epoch and every item fell on one code; at 0.01, ten
 *   epochs keep 206 of the 216 distinct genre sets on distinct code triples);
 *   `codebookSize` 32 instead of §4's 256: our content vectors are multi-hots of a few dozen
 *   categories (ml-100k: 216 distinct genre sets) or catalogues of a few thousand items, so
 *   256 codes per level would leave most codes dead and the tuples almost all distinct at
 *   the first level, without the coarse-to-fine sharing Semantic IDs exist for; 32³ ≈ 33k
 *   tuples still exceed every catalogue here. `rqvaeEpochs` 100 instead of §4's 20k (which
 *   §4 needs for ≥ 80% use of 256-code books over 768-d text embeddings; here it is 100–200
 *   Adagrad steps on a catalogue of a few thousand items, about 5 s an epoch at these sizes
 *   on ml-100k with the `js` backend);
 * - `content` `auto`: the category multi-hot when the data has categories, else the
 *   co-occurrence projection of `contentDim` 64 dimensions (see `content.ts`);
 * - `beam` 20 (§4 reports Recall@5 and @10; the beam holds the items a user is scored on);
 * - validation: sampled HR@`validationK` 10 among `validationNegatives` 99 uniform negatives
 *   on `validationUsers` 1000 sampled users (see {@link sampledHitRateValidation}).
 * @example
 * ```ts
 * parseModelConfig({ model: 'tiger', dim: 32, codebookSize: 16, beam: 50 });
 * ```
 */
export const tigerFields = {
  ...trainingFields,
  dim: trainingFields.dim.removeDefault().default(64),
  optimizer: trainingFields.optimizer.removeDefault().default('adam'),
  learningRate: trainingFields.learningRate.removeDefault().default(0.001),
  patience: trainingFields.patience.removeDefault().default(5),
  /** Attention heads of every layer; must divide `dim`. */
  heads: z.number().int().min(1).max(64).default(2),
  /** Hidden width of every feed-forward network. */
  feedForward: z.number().int().min(1).max(16_384).default(256),
  encoderLayers: z.number().int().min(1).max(24).default(2),
  decoderLayers: z.number().int().min(1).max(24).default(2),
  dropout: z.number().min(0).lt(1).default(0.1),
  /** H: the last items of a user's history the encoder reads. */
  maxHistory: z.number().int().min(1).max(512).default(20),
  /** User tokens the user ids are hashed into (0: no user token). */
  userBuckets: z.number().int().min(0).max(1_000_000).default(2000),
  /** Training targets per user and epoch (0: every position). */
  targetsPerUser: z.number().int().min(0).max(1_000_000).default(0),
  /** Beam width: the items `scoreUsers` scores per user. */
  beam: z.number().int().min(1).max(10_000).default(20),
  /** What the RQ-VAE quantises: `categories`, `cooccurrence`, or `auto` (categories when present). */
  content: z.enum(['auto', 'categories', 'cooccurrence']).default('auto'),
  /** Dimensions of the co-occurrence projection. */
  contentDim: z.number().int().min(1).max(4096).default(64),
  /** m: RQ-VAE levels (a Semantic ID has m + 1 tokens with the collision level). */
  levels: z.number().int().min(1).max(8).default(3),
  /** K: codes per RQ-VAE level. */
  codebookSize: z.number().int().min(2).max(65_536).default(32),
  /** D: the RQ-VAE's latent and codeword width. */
  latentDim: z.number().int().min(1).max(4096).default(32),
  /** The RQ-VAE encoder's hidden widths (the decoder's reversed). */
  rqvaeHidden: z.array(z.number().int().min(1).max(16_384)).max(8).default([512, 256, 128]),
  /** β of the commitment term. */
  beta: z.number().min(0).max(100).default(0.25),
  rqvaeEpochs: z.number().int().min(1).max(100_000).default(100),
  rqvaeLearningRate: z.number().positive().max(100).default(0.01),
  rqvaeBatchSize: z.number().int().min(1).max(1 << 20).default(1024),
  /** Validation cut-off K of the sampled HR@K. */
  validationK: z.number().int().min(1).max(1000).default(10),
  /** Validation users (a seeded sample; all when fewer). */
  validationUsers: z.number().int().min(1).default(1000),
  /** Uniform negatives ranked against each validation item. */
  validationNegatives: z.number().int().min(1).max(100_000).default(99),
};

const configSchema = z.object(tigerFields);
type TigerSettings = z.output<typeof configSchema>;
/** The fields both levels have (the model's, not the content's or the validation's). */
type ModelSettings = Pick<TigerSettings, 'dim' | 'heads' | 'codebookSize' | 'levels' | 'beam' | 'userBuckets' | 'maxHistory' | 'feedForward' | 'encoderLayers' | 'decoderLayers' | 'dropout' | 'seed'>;

/** Checks what the schema alone cannot: `heads` divides `dim`. */
function checkConfig(config: Pick<TigerSettings, 'dim' | 'heads'>): void {
  if (config.dim % config.heads !== 0) throw new Error(`config: heads: must divide dim (${config.dim}), got ${config.heads}`);
}

/** The model a config builds over `numUsers` users and `numItems` ids with these Semantic IDs (untrained transformer). */
function modelOf<M extends TigerModel>(
  Model: new (config: TigerModelConfig) => M, config: ModelSettings, numUsers: number, numItems: number, semanticIds: Int32Array,
): M {
  checkConfig(config);
  return new Model({
    numUsers, numItems, codebookSize: config.codebookSize, semanticIds, levels: config.levels + 1, beam: config.beam,
    userBuckets: config.userBuckets, maxHistory: config.maxHistory, dim: config.dim, heads: config.heads, feedForward: config.feedForward,
    encoderLayers: config.encoderLayers, decoderLayers: config.decoderLayers, dropout: config.dropout, seed: config.seed,
  });
}

/** A TIGER model's saved tensors: its parameters, every id's Semantic ID and every user's last ids. */
async function saveTiger(model: TigerModel): Promise<{ tensors: Record<string, NamedArray> }> {
  return {
    tensors: {
      ...(await model.stateDict()),
      [IDS_KEY]: { dtype: 'i32', shape: [model.numItems, model.levels], data: model.semanticIds.slice() },
      [HISTORIES_KEY]: { dtype: 'i32', shape: [model.numUsers, model.maxHistory], data: model.histories.slice() },
    },
  };
}

/**
 * The model {@link saveTiger}'s tensors rebuild, over `numUsers` users and `numItems` ids.
 * @throws Error naming the tensor when the Semantic IDs or the histories are missing or mis-shaped.
 */
function loadTiger<M extends TigerModel>(
  Model: new (config: TigerModelConfig) => M, name: string, tensors: Readonly<Record<string, NamedArray>>, config: ModelSettings, numUsers: number, numItems: number,
): M {
  const { [IDS_KEY]: ids, [HISTORIES_KEY]: histories, ...parameters } = tensors as Record<string, NamedArray | undefined>;
  if (ids?.dtype !== 'i32' || ids.shape.length !== 2 || ids.shape[0] !== numItems || ids.shape[1] !== config.levels + 1) {
    throw new Error(`the ${name} model's '${IDS_KEY}' (every id's Semantic ID) is missing or not i32 [${numItems}, ${config.levels + 1}]`);
  }
  if (histories?.dtype !== 'i32' || histories.shape.length !== 2 || histories.shape[0] !== numUsers || histories.shape[1] !== config.maxHistory) {
    throw new Error(`the ${name} model's '${HISTORIES_KEY}' (every user's last ids) is missing or not i32 [${numUsers}, ${config.maxHistory}]`);
  }
  const model = modelOf(Model, config, numUsers, numItems, ids.data as Int32Array);
  model.setHistoryWindows(histories.data as Int32Array);
  model.loadStateDict(parameters as Record<string, NamedArray>);
  return model.eval() as M;
}

/**
 * TIGER's validation: HR@K of each sampled validation user's held-out item among
 * `validationNegatives` items drawn uniformly from those the user has neither trained on
 * nor holds out (`evaluateSampledRanking`, seeded by the config's seed), scored exactly by
 * `scorePairs`. Not the default HR@100 over all items: TIGER scores only its beam (every
 * other item −Infinity), so a full ranking past the beam is a tie, and the sampled protocol
 * is the one the model is evaluated by. Users with fewer candidate items than negatives are
 * left out.
 * @returns undefined when the data has no validation rows.
 * @example
 * ```ts
 * const validation = sampledHitRateValidation(model, data, { validationK: 10, validationUsers: 500, validationNegatives: 99, seed: 1, patience: 5 });
 * await validation?.evaluate(); // sampled HR@10
 * ```
 */
export function sampledHitRateValidation(
  model: Pick<TigerModel, 'scorePairs'>, data: TrainingData,
  config: Pick<TigerSettings, 'validationK' | 'validationUsers' | 'validationNegatives' | 'seed' | 'patience'>,
): Validation | undefined {
  const { train, valid } = data;
  if (!valid || valid.length === 0) return undefined;
  const trainItems = UserItemCSR.fromInteractions(train);
  const testItems = UserItemCSR.fromInteractions(valid);
  const candidates: number[] = [];
  for (let u = 0; u < valid.numUsers; u++) {
    const held = testItems.rowLength(u);
    if (held > 0 && train.numItems - trainItems.rowLength(u) - held >= config.validationNegatives) candidates.push(u);
  }
  if (candidates.length === 0) return undefined;
  new Philox({ seed: config.seed, stream: 7 }).shuffle(candidates);
  const users = Int32Array.from(candidates.slice(0, config.validationUsers)).sort();
  const metric = `HR@${config.validationK}`;
  return {
    // Named with its protocol, as MeLU's: a bare HR@10 reads as the full ranking the other models validate on.
    name: `${metric} (${config.validationNegatives} sampled negatives)`,
    patience: config.patience,
    evaluate: async () => {
      const result = await evaluateSampledRanking({
        numItems: train.numItems, testItems, trainItems, users, ks: [config.validationK], metrics: ['HR'],
        candidates: { kind: 'sampled', numNegatives: config.validationNegatives, seed: config.seed },
        scorePairs: (u, i) => model.scorePairs(u, i),
      });
      return result.metrics[metric]!;
    },
  };
}

/**
 * TIGER over items: the RQ-VAE stage turns each item's content vector into its Semantic
 * ID, the collision level makes the IDs unique, and the seq2seq stage learns to generate
 * the next item's ID from the user's last items. After training a user is scored from
 * their train then validation items (`historySequences`), kept with the parameters and
 * the Semantic IDs, so a saved model scores without the dataset.
 * @example
 * ```ts
 * const trained = await trainModel(parseModelConfig({ model: 'tiger', epochs: 5 }), trainingDataOf(dataset, train, valid));
 * await trained.model.scoreUsers!(Int32Array.of(0)); // 1 × numItems: the beam's 20 items, −Infinity elsewhere
 * ```
 * @see Rajput et al. 2023, §3.1 (Semantic IDs), §3.2 (generative retrieval), §4 (settings).
 */
export const tigerModel = defineModel({
  name: 'tiger',
  title: 'TIGER',
  family: 'Sequential',
  paper: {
    cite: 'Rajput, Mehta, Singh, Keshavan, Vu, Heldt, Hong, Tay, Tran, Samost, Kula, Chi & Sathiamoorthy, Recommender Systems with Generative Retrieval, NeurIPS 2023',
    section: '§3.1 (RQ-VAE Semantic IDs, collisions), §3.2 (seq2seq generative retrieval, invalid IDs), §4 (settings)',
  },
  summary: 'items as RQ-VAE Semantic IDs of their content; a Transformer encoder–decoder generates the next item\'s ID by beam search over the catalogue\'s trie',
  config: configSchema,
  needs: { timestamps: 'required', categories: 'optional' },
  outputs: ['items'],
  fit: async (data, config, context) => {
    checkConfig(config);
    return fitTiger(config, context, {
      content: itemContentOf(data, config.content, config.contentDim, config.seed),
      popularity: countsOf(data.train.items, context.shape.numItems),
      learn: eventSequences(data.train),
      scoreFrom: historySequences(data.train, data.valid),
      model: (ids) => modelOf(TigerModel, config, context.shape.numUsers, context.shape.numItems, ids),
    });
  },
  validation: (model, data, config) => sampledHitRateValidation(model, data, config),
  save: (model) => saveTiger(model),
  load: (state, config, shape) => loadTiger(TigerModel, 'tiger', state.tensors, config, shape.numUsers, shape.numItems),
});

/**
 * `category-tiger`'s fields: TIGER's, less the item content source and the sampled
 * validation (a category model validates on the task's validation users, NDCG@5), with
 * CCRec's category-level settings where §6.1–6.2 give one — learning rate 0.0001 ("for our
 * model and all the baselines"), at most 100 epochs with patience 10, and `maxHistory` 10
 * (CCRec's k: the past window a user is scored from), as the other category baselines
 * (`sequenceCategoryFields`). `contentDim` sizes the categories' content vectors (below).
 * @example
 * ```ts
 * parseModelConfig({ model: 'category-tiger', learningRate: 0.001, codebookSize: 8 });
 * ```
 */
export const categoryTigerFields = (() => {
  const { content: _content, validationK: _k, validationUsers: _users, validationNegatives: _negatives, ...shared } = tigerFields;
  return {
    ...shared,
    epochs: tigerFields.epochs.removeDefault().default(100),
    learningRate: tigerFields.learningRate.removeDefault().default(0.0001),
    patience: tigerFields.patience.removeDefault().default(10),
    maxHistory: tigerFields.maxHistory.removeDefault().default(10),
  };
})();

/**
 * TIGER with categories as items (CCRec §6.2: "we directly use categories as items in the
 * original model"; CCRec's public-data tables rank it among the strongest baselines). The
 * "items" are the task's categories:
 * - content: categories carry no text or attributes, so each category's content vector is
 *   the co-occurrence projection of its audience in the users' past events (`cooccurrence`
 *   content over the task's `past`: categories the same users visit share codes) — the
 *   issue's "learned embeddings when nothing else exists";
 * - the seq2seq stage learns from each learning user's past then future categories (as the
 *   other category baselines, `learningSequences`), and a user is scored from their last
 *   `maxHistory` past categories;
 * - scores are the beam's (`beam` 20 covers the ≤ 15 categories the protocol asks for);
 *   past categories are not masked (returning to a category counts).
 * @example
 * ```ts
 * const trained = await trainModel(parseModelConfig({ model: 'category-tiger' }), { train: fold.train, categoryTask: fold.task });
 * await trained.model.scoreCategories!(Int32Array.of(0)); // 1 × numCategories, −Infinity outside the beam
 * ```
 * @see Rajput et al. 2023, §3; CCRec §6.2.
 */
export const categoryTigerModel = defineModel({
  name: 'category-tiger',
  title: 'TIGER',
  family: 'Sequential',
  paper: {
    cite: 'Rajput et al., Recommender Systems with Generative Retrieval, NeurIPS 2023 (CCRec §6.2 baseline, categories as items)',
    section: '§3.1–3.2, §4; CCRec §6.1–6.2 (settings)',
  },
  summary: 'categories as RQ-VAE Semantic IDs of their audience; a Transformer encoder–decoder generates the next category\'s ID after the user\'s last past categories',
  config: z.object(categoryTigerFields),
  needs: { categoryEvents: 'required' },
  outputs: ['categories'],
  fit: async (data, config, context) => {
    checkConfig(config);
    const task = taskOf(data, context.shape, 'category-tiger');
    const learn = learningSequences(task);
    return fitTiger(config, context, {
      content: cooccurrenceContent(task.past, config.contentDim, config.seed),
      popularity: countsOf(learn.items, task.numCategories),
      learn,
      scoreFrom: eventSequences(task.past),
      model: (ids) => modelOf(CategoryTigerModel, config, context.shape.numUsers, task.numCategories, ids),
    });
  },
  validation: (model, data, config) => categoryValidation(model, data.categoryTask!, config.patience),
  save: (model) => saveTiger(model),
  load: (state, config, shape) => {
    if (shape.numCategories === undefined) throw new Error('the category-tiger model\'s shape has no numCategories');
    return loadTiger(CategoryTigerModel, 'category-tiger', state.tensors, config, shape.numUsers, shape.numCategories);
  },
});
