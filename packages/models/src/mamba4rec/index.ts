/**
 * `mamba4rec` and `category-mamba4rec`: Mamba4Rec (Liu et al. 2024) over items, and with
 * categories as items like CCRec's §6.2 sequential baselines, trained through the shared
 * trainer with a full-softmax cross-entropy at every position.
 */
import { z } from 'zod';
import { trainingFields } from '../plugin/config.js';
import { defineSequentialModels, type SequenceLevel } from '../sasrec/define-sequential.js';
import { Mamba4Rec } from './mamba4rec.js';
import { NextItemSoftmaxObjective } from './objective.js';

export { Mamba4Rec, type Mamba4RecConfig, MambaBlock, type MambaBlockSizes, MambaLayer } from './mamba4rec.js';
export { causalDepthwiseConv, composedSelectiveScan, selectiveScan, silu } from './selective-scan.js';
export { type NextItemSoftmaxBatch, NextItemSoftmaxObjective, type NextItemSoftmaxOptions, type TrainingWindows } from './objective.js';

/**
 * Mamba4Rec's own fields (its §4.1 settings and the released `config.yaml`):
 * - `blocks`: Mamba layers L (default 1: §4.1 and the released config's `num_layers: 1`; the
 *   level's shared default of 2 is SASRec's);
 * - `dState` N = 32, `dConv` K = 4, `expand` = 2 (the SSM state expansion factor, the
 *   convolution width and the block expansion factor of §4.1);
 * - `dropout` (default 0.2, the released config's `dropout_prob`, at both levels: a few
 *   dozen categories recur in nearly every sequence, which is the dense MovieLens case that
 *   rate was set for);
 * - `windows`: which windows of each sequence an epoch trains on (default `tiled`: every
 *   id after a user's first is a target once, as RecBole's prefix augmentation makes every
 *   one a target; `latest`: SASRec's last T + 1 ids only) — see `TrainingWindows`;
 * - `batchSize`: windows per batch (default 64 for items, 256 for categories). RecBole's
 *   batch is 2048 prefixes, one target each; a window scores up to T targets, so 64 full
 *   windows at T = 50 are 3200 targets, and 256 category windows of ≤ 10 inputs about 2500.
 * @example
 * ```ts
 * parseModelConfig({ model: 'mamba4rec', dState: 16, dropout: 0.4 });
 * ```
 */
export const mamba4recFields = (level: SequenceLevel) => ({
  blocks: z.number().int().min(1).max(16).default(1),
  dState: z.number().int().min(1).max(256).default(32),
  dConv: z.number().int().min(1).max(16).default(4),
  expand: z.number().int().min(1).max(8).default(2),
  dropout: z.number().min(0).lt(1).default(0.2),
  windows: z.enum(['tiled', 'latest']).default('tiled'),
  /** Windows per batch (64 for items, 256 for categories; see above). */
  batchSize: trainingFields.batchSize.unwrap().default(level === 'items' ? 64 : 256),
});

/**
 * Mamba4Rec at both levels ({@link defineSequentialModels}):
 * - `mamba4rec`: every user's items in time order, the next item predicted at every
 *   position under a softmax over all items (§3.4, cross-entropy); a user is scored from
 *   the window of their last `maxLength` items.
 * - `category-mamba4rec`: the same over the category task's past-then-future category
 *   events, scored from the window of the user's last past categories.
 * @example
 * ```ts
 * const trained = await trainModel(parseModelConfig({ model: 'mamba4rec', epochs: 20 }), { train, valid });
 * await trained.model.scoreUsers!(Int32Array.of(0)); // 1 × numItems
 * const byCategory = await trainModel(parseModelConfig({ model: 'category-mamba4rec' }), { train: fold.train, categoryTask: fold.task });
 * ```
 * @see Liu et al. 2024, §3–§4.1; Gu & Dao 2023, §3; CCRec §6.2.
 */
export const { items: mamba4recModel, categories: categoryMamba4recModel } = defineSequentialModels({
  name: 'mamba4rec',
  title: 'Mamba4Rec',
  paper: {
    cite: 'Liu, Lin, Wang, Liu & Caverlee, Mamba4Rec: Towards Efficient Sequential Recommendation with Selective State Space Models, 2024 (on Gu & Dao, Mamba, 2023)',
    section: '§3.2 (embedding layer), §3.3 (Mamba layer: Mamba block, position-wise FFN, stacking), §3.4 (prediction, cross-entropy), §4.1 (settings); Mamba §3.2–3.4',
  },
  summary: 'a selective state space model (Mamba block: causal convolution, input-dependent Δ, B, C, gated output) and a position-wise FFN over the last ids, scored by dot product with the shared id embedding under a full softmax',
  fields: mamba4recFields,
  encoder: (config, vocabularySize) => new Mamba4Rec({
    vocabularySize, maxLength: config.maxLength, dim: config.dim, layers: config.blocks,
    dState: config.dState, dConv: config.dConv, expand: config.expand, dropout: config.dropout, seed: config.seed,
  }),
  objective: (encoder, sequences, config) => new NextItemSoftmaxObjective(encoder, sequences, {
    windows: config.windows,
    batchSize: config.batchSize,
    seed: config.seed,
  }),
});
