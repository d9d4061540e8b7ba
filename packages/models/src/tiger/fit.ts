/**
 * TIGER's two training stages, shared by `tiger` (items) and `category-tiger` (categories
 * as items, CCRec §6.2): the RQ-VAE over the content vectors, the collision level, then the
 * seq2seq model on the users' sequences (Rajput et al. 2023, §3.1–3.2).
 */
import type { Module } from '@rec/core';
import type { FitContext, Fitted } from '../plugin/define.js';
import type { Predictor } from '../plugin/inference.js';
import type { EventSequences } from '../sasrec/sequences.js';
import type { ItemContent } from './content.js';
import { RQVAEObjective, SemanticIdObjective } from './objectives.js';
import { RQVAE } from './rq-vae.js';
import { appendCollisionLevel } from './semantic-ids.js';
import type { TigerModel } from './tiger.js';

/** The RQ-VAE and seq2seq settings {@link fitTiger} reads (TIGER's fields). */
export interface TigerStageSettings {
  readonly levels: number;
  readonly codebookSize: number;
  readonly latentDim: number;
  readonly rqvaeHidden: readonly number[];
  readonly beta: number;
  readonly rqvaeEpochs: number;
  readonly rqvaeLearningRate: number;
  readonly rqvaeBatchSize: number;
  readonly targetsPerUser: number;
  readonly batchSize?: number;
  readonly seed: number;
}

/**
 * What one TIGER fit trains on: the vocabulary's content vectors (one per id), the
 * sequences the seq2seq stage learns from, the ones it scores from afterwards, and each
 * id's count (the collision level numbers colliding ids most popular first).
 */
export interface TigerFitInputs<M extends TigerModel> {
  readonly content: ItemContent;
  readonly popularity: Float64Array;
  readonly learn: EventSequences;
  readonly scoreFrom: EventSequences;
  /** The model over the Semantic IDs (untrained transformer). */
  readonly model: (semanticIds: Int32Array) => M;
}

/**
 * Stage `rqvae`: the RQ-VAE learns codes of the content vectors (no validation: it scores
 * nothing), each id gets its m codes and a collision token; stage `seq2seq`: the
 * encoder–decoder learns to generate the next id's Semantic ID after every position of
 * `learn` (the trainer's early stopping on the registration's validation). The model then
 * scores from `scoreFrom`.
 * @example
 * ```ts
 * return fitTiger(config, context, { content, popularity, learn: eventSequences(train), scoreFrom: historySequences(train, valid), model: (ids) => modelOf(config, shape, ids) });
 * ```
 */
export async function fitTiger<M extends TigerModel>(settings: TigerStageSettings, context: FitContext, inputs: TigerFitInputs<M>): Promise<Fitted<M>> {
  const { content } = inputs;
  const rqvae = new RQVAE({
    inputDim: content.dim, hidden: [...settings.rqvaeHidden], latentDim: settings.latentDim, levels: settings.levels,
    codebookSize: settings.codebookSize, beta: settings.beta, seed: settings.seed,
  });
  const rqvaeObjective = new RQVAEObjective(rqvae, content, { batchSize: settings.rqvaeBatchSize, learningRate: settings.rqvaeLearningRate, seed: settings.seed });
  // The RQ-VAE scores no items: the cast only lets the trainer run it.
  const rqvaePhase = await context.train(rqvae as unknown as Module & Predictor, rqvaeObjective, { phase: 'rqvae', validate: false, epochs: settings.rqvaeEpochs });
  const codes = await rqvae.codesOf(content.values, content.numItems);
  const { ids } = appendCollisionLevel(codes, settings.levels, inputs.popularity);
  const model = inputs.model(ids);
  model.setHistories(inputs.learn);
  const objective = new SemanticIdObjective(model, inputs.learn, { batchSize: settings.batchSize ?? 256, targetsPerUser: settings.targetsPerUser, seed: settings.seed });
  const history = await context.train(model, objective, { phase: 'seq2seq' });
  model.setHistories(inputs.scoreFrom);
  return { model: model.eval() as M, history, phases: [rqvaePhase, history] };
}

/** Each id's count among `ids` (0 … size − 1). */
export function countsOf(ids: ArrayLike<number>, size: number): Float64Array {
  const counts = new Float64Array(size);
  for (let k = 0; k < ids.length; k++) counts[ids[k]!]!++;
  return counts;
}
