/**
 * `clrec` and `category-clrec`: CLRec (Zhou et al., KDD 2021) — SASRec's encoder trained
 * with CLRec's queue-based contrastive loss — over items, and with categories as items
 * (CCRec §6.2's setting); and the sampled-softmax objective SASRec can train with instead
 * of its binary cross-entropy.
 */
import { z } from 'zod';
import { defineSequentialModels, type SequenceLevel } from '../sasrec/define-sequential.js';
import { sasrecEncoder, sasrecFields } from '../sasrec/index.js';
import { CLRecObjective } from './objective.js';

export { CLRecObjective, type CLRecBatch, type CLRecObjectiveOptions } from './objective.js';
export {
  type NegativeProposal, SampledSoftmaxObjective, type SampledSoftmaxBatch, type SampledSoftmaxObjectiveOptions,
} from './sampled-softmax.js';

/**
 * CLRec's fields: SASRec's (`heads`, `dropout`, `batchSize`) and
 * - `queueSize` Q (default 1024 on items: the paper's "thousand negatives per batch"; 256 on
 *   categories, where a vocabulary of a few dozen to a few hundred ids recurs many times in
 *   any queue longer than that);
 * - `temperature` τ (default 1: SASRec's unnormalised dot products carry their own scale;
 *   see `CLRecObjectiveOptions.temperature`).
 * @example
 * ```ts
 * parseModelConfig({ model: 'clrec', queueSize: 2048, temperature: 0.5 });
 * ```
 */
export const clrecFields = (level: SequenceLevel) => {
  // SASRec's encoder fields; its loss choice is not CLRec's (CLRec's loss is the queue's).
  const { loss: _loss, negatives: _negatives, ...encoder } = sasrecFields(level);
  return {
  ...encoder,
  /** Q: ids of recent positives each position is contrasted with. */
  queueSize: z.number().int().min(1).max(1 << 16).default(level === 'items' ? 1024 : 256),
  /** τ: scores are divided by it before the softmax. */
  temperature: z.number().positive().max(100).default(1),
  };
};

/**
 * CLRec on SASRec at both levels ({@link defineSequentialModels}):
 * - `clrec`: every user's items in time order; every position's next item against the
 *   queue of recent positives ({@link CLRecObjective}); a user is scored from the window of
 *   their last `maxLength` items, exactly as `sasrec`.
 * - `category-clrec`: the same over the category task's past-then-future category events
 *   (CCRec §6.2), scored from the user's last past categories.
 * Only the objective differs from `sasrec`: the encoder, windows, validation, saving and
 * scoring are SASRec's.
 * @example
 * ```ts
 * const trained = await trainModel(parseModelConfig({ model: 'clrec', epochs: 20 }), { train, valid });
 * await trained.model.scoreUsers!(Int32Array.of(0)); // 1 × numItems
 * ```
 * @see Zhou et al. 2021, §3 (the objective); Kang & McAuley 2018, §III (the encoder).
 */
export const { items: clrecModel, categories: categoryClrecModel } = defineSequentialModels({
  name: 'clrec',
  title: 'CLRec',
  paper: {
    cite: 'Zhou, Ma, Zhang, Zhou & Yang, Contrastive Learning for Debiased Candidate Generation in Large-Scale Recommender Systems, KDD 2021',
    section: '§3.2 (contrastive loss as inverse propensity weighting), §3.3–3.4 (the queue of recent positives); encoder: SASRec (Kang & McAuley 2018, §III)',
  },
  summary: 'SASRec\'s causal self-attention trained contrastively against a FIFO queue of recent positives (negatives from the data distribution, an inverse-propensity-weighted loss)',
  fields: clrecFields,
  encoder: sasrecEncoder,
  objective: (encoder, sequences, config) => new CLRecObjective(encoder, sequences, {
    positions: 'all', queueSize: config.queueSize, temperature: config.temperature, batchSize: config.batchSize ?? 128, seed: config.seed,
  }),
});
