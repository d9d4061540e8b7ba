/**
 * `fmlp-rec` and `category-fmlp-rec`: FMLP-Rec (Zhou et al., WWW 2022) over items, and
 * with categories as items as one of CCRec's §6.2 baselines, trained through the shared
 * trainer on every prefix of each sequence.
 */
import { z } from 'zod';
import { trainingFields } from '../plugin/config.js';
import { defineSequentialModels } from '../sasrec/define-sequential.js';
import { NextItemObjective } from '../sasrec/objective.js';
import { FMLPRec } from './fmlp-rec.js';

export { FilterBlock, FMLPRec, type FMLPRecConfig, gelu } from './fmlp-rec.js';
export { realDftMatrices, type RealDftMatrices, realDftTensors, type RealDftTensors, spectralFilter } from './real-dft.js';

/**
 * FMLP-Rec's own fields:
 * - `dropout` (default 0.5: the authors' `hidden_dropout_prob`, which CCRec §6.2 says it
 *   kept — "the same architecture and other hyperparameters as the source codes");
 * - `batchSize`: prefixes per batch (default 256, the authors' code).
 * @example
 * ```ts
 * parseModelConfig({ model: 'fmlp-rec', dropout: 0.2, maxLength: 12 });
 * ```
 */
export const fmlpRecFields = () => ({
  dropout: z.number().min(0).lt(1).default(0.5),
  /** Prefixes per batch (default 256, the authors' code). */
  batchSize: trainingFields.batchSize,
});

/**
 * FMLP-Rec at both levels ({@link defineSequentialModels}): every prefix of each user's
 * sequence (items; or past-then-future category events for `category-fmlp-rec`) predicts
 * its next id at the last position with one sampled negative (§3.3); a user is scored from
 * the window of their last `maxLength` ids.
 * @example
 * ```ts
 * const trained = await trainModel(parseModelConfig({ model: 'fmlp-rec', epochs: 20 }), { train, valid });
 * const byCategory = await trainModel(parseModelConfig({ model: 'category-fmlp-rec' }), { train: fold.train, categoryTask: fold.task });
 * await byCategory.model.scoreCategories!(Int32Array.of(0)); // 1 × numCategories
 * ```
 * @see Zhou et al. 2022, §3; CCRec §6.2.
 */
export const { items: fmlpRecModel, categories: categoryFmlpRecModel } = defineSequentialModels({
  name: 'fmlp-rec',
  aliases: ['fmlprec'],
  title: 'FMLP-Rec',
  paper: {
    cite: 'Zhou, Yu, Zhao & Wen, Filter-enhanced MLP is All You Need for Sequential Recommendation, WWW 2022',
    section: '§3.1 (embedding layer), §3.2 (learnable filter-enhanced blocks, eq. 5–10), §3.3 (prediction and loss)',
  },
  summary: 'learnable frequency-domain filters (FFT, complex weights, inverse FFT) and point-wise FFNs over the last ids, scored at the last position',
  fields: fmlpRecFields,
  encoder: (config, vocabularySize) => new FMLPRec({ vocabularySize, maxLength: config.maxLength, dim: config.dim, blocks: config.blocks, dropout: config.dropout, seed: config.seed }),
  objective: (encoder, sequences, config) => new NextItemObjective(encoder, sequences, { positions: 'last', batchSize: config.batchSize ?? 256, seed: config.seed }),
});
