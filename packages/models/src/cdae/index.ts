/**
 * `cdae`: the Collaborative Denoising Auto-Encoder (Wu et al., WSDM 2016, §4), RnR §5.1's
 * ranking baseline, trained through the shared trainer on batches of users.
 */
import type { NamedArray } from '@rec/core';
import { z } from 'zod';
import { negativesField, rankingValidationFields, targetField, trainingFields } from '../plugin/config.js';
import type { ModelShape } from '../plugin/data.js';
import { defineModel } from '../plugin/define.js';
import { behaviorLog, behaviorRows } from '../training/log.js';
import { CDAE, type UserItemRows } from './cdae.js';
import { CDAEObjective } from './objective.js';

export { CDAE, historyInput, type CDAEBatch, type CDAEConfig, type CDAEInput, type UserItemRows } from './cdae.js';
export { CDAEObjective, type CDAEObjectiveOptions } from './objective.js';

/**
 * CDAE's fields. Defaults: RnR §5.3's Adagrad at learning rate 0.001 and 50 hidden units
 * (its embedding size); λ = 0.01 (RnR's grid {0.01, 0.001}, and libcf's CDAE
 * default); CDAE's own corruption q = 0.5 and 5 negatives per observed item (both libcf's
 * defaults; §4.3 samples negatives per user and iteration);
 * batches of 32 users (the paper's SGD is per user; 32 keeps the step count high and the
 * batch's ops large enough to pay).
 *
 * Observed: at the paper's rate 0.001 Adagrad barely moves CDAE in a few epochs on
 * ml-100k (see `test/cdae.test.ts`, which passes a larger rate explicitly); the default
 * stays the paper's.
 */
export const cdaeFields = {
  ...trainingFields,
  dim: trainingFields.dim.removeDefault().default(50),
  learningRate: trainingFields.learningRate.removeDefault().default(0.001),
  /** λ of the objective's λ/2 ‖·‖², per user case, in the loss; the optimizer adds no weight decay. */
  l2: trainingFields.l2.removeDefault().default(0.01),
  /** Users per batch (default 32). */
  batchSize: trainingFields.batchSize,
  /** Corruption level q: each observed input entry is dropped with this probability. */
  corruption: z.number().min(0).lt(1).default(0.5),
  /** Negatives sampled per observed item of a user. */
  negatives: negativesField.negatives.removeDefault().default(5),
  ...targetField,
  ...rankingValidationFields,
};

type CdaeSettings = { dim: number; seed: number; l2: number; corruption: number };

const build = (config: CdaeSettings, shape: Pick<ModelShape, 'numUsers' | 'numItems'>, history: UserItemRows): CDAE => {
  const model = new CDAE({ numUsers: shape.numUsers, numItems: shape.numItems, dim: config.dim, seed: config.seed, l2: config.l2, corruption: config.corruption });
  model.setHistory(history);
  return model;
};

/** Where the users' histories y_u are kept among the saved tensors. */
const HISTORY_KEYS = { indptr: 'history.indptr', indices: 'history.indices' } as const;

/**
 * CDAE: z_u = σ(Wᵀỹ_u + V_u + b), ŷ_ui = σ(W'_iᵀ z_u + b'_i), logistic loss on the observed
 * items and 5× as many sampled negatives per user, input dropout q = 0.5, per-user L2. The
 * training histories it encodes at inference are saved with the parameters.
 */
export const cdaeModel = defineModel({
  name: 'cdae',
  title: 'CDAE',
  family: 'Auto-encoder',
  paper: {
    cite: 'Wu, DuBois, Zheng & Ester, Collaborative Denoising Auto-Encoders for Top-N Recommender Systems, WSDM 2016 (RnR §5.1 baseline)',
    section: '§4 (eq. 4–5), §4.3 (negative sampling); RnR §5.3 (settings)',
  },
  summary: 'a denoising auto-encoder over each user\'s item set with a per-user input node, logistic loss with sampled negatives',
  config: z.object(cdaeFields),
  outputs: ['items'],
  fit: async (data, config, context) => {
    const log = behaviorLog(data.train, [context.shape.behaviors[context.shape.behaviors.length - 1]]);
    const history = behaviorRows(log, 0);
    const model = build(config, context.shape, history);
    const objective = new CDAEObjective(model, history, { batchSize: config.batchSize ?? 32, negatives: config.negatives, seed: config.seed });
    // λ is in the loss (CDAE.batchLogits): no weight decay on top.
    return { model, history: await context.train(model, objective, { l2: 0 }) };
  },
  save: (model) => saveWithHistory(model),
  load: (state, config, shape) => {
    const { history, parameters } = splitHistory(state.tensors, 'cdae');
    const model = build(config, shape, history);
    model.loadStateDict(parameters);
    return model.eval();
  },
});

/**
 * A CDAE-based model's saved tensors: its parameters and the training histories it
 * encodes at inference (CDAE's `setHistory`), under `history.indptr` / `history.indices`.
 * Shared by `cdae`, `rnr-cdae` and `vanilla-cdae`.
 */
export async function saveWithHistory(model: CDAE): Promise<{ tensors: Record<string, NamedArray> }> {
  const { indptr, indices } = model.history!;
  return {
    tensors: {
      ...(await model.stateDict()),
      [HISTORY_KEYS.indptr]: { dtype: 'i32', shape: [indptr.length], data: indptr },
      [HISTORY_KEYS.indices]: { dtype: 'i32', shape: [indices.length], data: indices },
    },
  };
}

/**
 * Splits saved tensors ({@link saveWithHistory}) into the histories and the parameters.
 * @throws Error naming the model and the tensor when a history tensor is missing or not i32.
 */
export function splitHistory(tensors: Readonly<Record<string, NamedArray>>, name: string): { history: UserItemRows; parameters: Record<string, NamedArray> } {
  const { [HISTORY_KEYS.indptr]: indptr, [HISTORY_KEYS.indices]: indices, ...parameters } = tensors;
  const rows = (a: NamedArray | undefined, key: string): Int32Array => {
    if (a?.dtype !== 'i32') throw new Error(`the ${name} model's '${key}' (the users' training items) is missing or not i32`);
    return a.data as Int32Array;
  };
  return { history: { indptr: rows(indptr, HISTORY_KEYS.indptr), indices: rows(indices, HISTORY_KEYS.indices) }, parameters };
}
