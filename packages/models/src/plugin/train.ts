/**
 * Training any registered model: the behaviours it uses, its validation, its fit
 * through the shared trainer, and the hold-out of validation rows when the split has none.
 */
import { Philox } from '@rec/core';
import { type Interactions, leaveLastOut, multiBehaviorLeaveOneOut, positivesByBehavior, UserItemCSR } from '@rec/data';
import { evaluateFullRanking, type RankingMetricName } from '@rec/eval';
import { type CheckpointStore, type OptimizerName, Trainer, type TrainingHistory, type Validation } from '../training/trainer.js';
import { type ModelConfig, numberField, targetBehavior } from './config.js';
import { checkNeeds, type ModelShape, shapeOf, type TrainingData } from './data.js';
import { type FitContext, type FitHooks, findModel, getModel, type ModelDefinition, parseModelConfig } from './define.js';
import { type Predictor, rankingOf } from './inference.js';

/** Options of {@link trainModel}. */
export interface TrainModelOptions extends FitHooks {
  /**
   * Where the trainer keeps its per-epoch checkpoint, per stage (`phase` names a stage of
   * a multi-stage fit); a later run with the same stores resumes. On Node,
   * `fileCheckpoints(dir)` of `@rec/models/node`.
   */
  checkpoints?: (phase?: string) => CheckpointStore;
  /** Names the data in error messages (a dataset name). */
  dataName?: string;
  /**
   * Validates with this instead of the model's own validation (a reproduction validating
   * every method by its paper's metric, e.g. MRLR's AUC); undefined trains without one.
   */
  validation?: (model: Predictor, data: TrainingData, config: ModelConfig) => Validation | undefined;
}

/**
 * A trained model with what produced it.
 * @example
 * ```ts
 * const trained: TrainedModel = await trainModel(parseModelConfig({ model: 'bpr' }), { train });
 * await trained.model.scoreUsers!(Int32Array.of(0));
 * ```
 */
export interface TrainedModel<M extends Predictor = Predictor> {
  /** The registered model name. */
  readonly name: string;
  readonly definition: ModelDefinition;
  readonly config: ModelConfig;
  readonly model: M;
  readonly shape: ModelShape;
  /** Behaviours the model was trained on, funnel order, target last (= `shape.behaviors`). */
  readonly behaviors: readonly string[];
  readonly numUsers: number;
  readonly numItems: number;
  readonly history?: TrainingHistory;
  /** Multi-stage training: one history per stage. */
  readonly phases?: readonly TrainingHistory[];
}

/**
 * The behaviours a model trains on, funnel order, target last: its definition's
 * `behaviors`, else the config's target alone.
 * @throws Error naming the config field when the data does not fit.
 * @example
 * ```ts
 * modelBehaviors(parseModelConfig({ model: 'nmtr-gmf' }), train); // ['view', 'cart', 'buy']
 * ```
 */
export function modelBehaviors(config: ModelConfig, train: Interactions): string[] {
  const definition = getModel(config.model);
  return definition.behaviors ? definition.behaviors(config as never, train) : [targetBehavior(config, train)];
}

/**
 * HR@K on one held-out target row per user (a seeded sample of at most
 * `validationUsers` users), ranking all items but the user's training target rows:
 * the early-stopping signal and tuning criterion of NMTR §IV-A3, and the default
 * validation of item-scoring models.
 * @example
 * ```ts
 * const validation = hitRateValidation(model, { train, valid }, config, 'buy');
 * await validation.evaluate(); // HR@100
 * ```
 */
export function hitRateValidation(model: Predictor, data: TrainingData, config: ModelConfig, target: string): Validation | undefined {
  const { train, valid } = data;
  if (!valid || typeof model.scoreUsers !== 'function') return undefined;
  const k = numberField(config, 'validationK', 100);
  const maxUsers = numberField(config, 'validationUsers', 3000);
  const seed = numberField(config, 'seed', 0);
  const mask = train.behaviorNames ? positivesByBehavior(train)[target] : UserItemCSR.fromInteractions(train);
  const testItems = UserItemCSR.fromInteractions(valid);
  const candidates: number[] = [];
  for (let u = 0; u < valid.numUsers; u++) if (testItems.rowLength(u) > 0) candidates.push(u);
  new Philox({ seed, stream: 7 }).shuffle(candidates);
  const users = Int32Array.from(candidates.slice(0, maxUsers)).sort();
  const name = `HR@${k}`;
  return {
    name,
    patience: numberField(config, 'patience', 3),
    evaluate: async () => {
      const result = await evaluateFullRanking({
        numItems: train.numItems, testItems, trainMask: mask, users, ks: [k], metrics: ['HR'],
        ...rankingOf(model, mask),
      });
      return result.metrics[name];
    },
  };
}

/**
 * A paper's ranking metric at K on every validation user (`data.valid`), the user's training
 * items masked, as a trainer's validation with `patience`: what a reproduction early-stops
 * and tunes on (RnR's Recall@10, the second-hand paper's Accuracy@10).
 * @returns undefined when there is no validation part or the model scores no items.
 * @example
 * ```ts
 * const validation = rankingValidation(model, data, 'Recall', 10, 3);
 * await validation?.evaluate(); // Recall@10
 * ```
 */
export function rankingValidation(model: Predictor, data: TrainingData, metric: RankingMetricName, k: number, patience: number): Validation | undefined {
  const { train, valid } = data;
  if (!valid || typeof model.scoreUsers !== 'function') return undefined;
  const testItems = UserItemCSR.fromInteractions(valid);
  const trainMask = UserItemCSR.fromInteractions(train);
  const name = `${metric}@${k}`;
  return {
    name,
    patience,
    evaluate: async () => (await evaluateFullRanking({ numItems: train.numItems, testItems, trainMask, ks: [k], metrics: [metric], ...rankingOf(model, trainMask) })).metrics[name]!,
  };
}

/**
 * Trains the model a configuration names on `data` and returns it with its history.
 * The registry supplies the model's behaviours, checks its needs against the data, builds
 * its validation on `data.valid`, and runs its `fit` with the shared trainer.
 *
 * @param config - from {@link parseModelConfig} (a raw input is parsed first).
 * @throws Error naming the field or the missing input when the configuration does not fit the data.
 * @example
 * ```ts
 * const trained = await trainModel(parseModelConfig({ model: 'nmtr-gmf', epochs: 5 }), { train: fit, valid });
 * ```
 */
export async function trainModel(config: ModelConfig, data: TrainingData, options: TrainModelOptions = {}): Promise<TrainedModel> {
  const parsed = parseModelConfig(config);
  const definition = getModel(parsed.model);
  if (data.train.length === 0) throw new Error(`${definition.name}: ${options.dataName ?? 'the training data'} has no interactions to train on`);
  checkNeeds(definition.name, definition.needs ?? {}, data, options.dataName);
  const behaviors = modelBehaviors(parsed, data.train);
  const shape = shapeOf(data, behaviors);
  const target = behaviors[behaviors.length - 1];
  const hooks: FitHooks = { onBatch: options.onBatch, onEpoch: options.onEpoch, signal: options.signal };
  const context: FitContext = {
    shape,
    hooks,
    validation: definition.rule
      ? undefined
      : options.validation
        ? (model) => options.validation!(model, data, parsed)
        : (model) => (definition.validation ? definition.validation(model as never, data, parsed as never, shape) : hitRateValidation(model, data, parsed, target)),
    train: (model, objective, run = {}) => {
      const validation = run.validate === false ? undefined : context.validation?.(model);
      return new Trainer(model, objective, {
        optimizer: (parsed.optimizer as OptimizerName | undefined) ?? 'adagrad',
        learningRate: numberField(parsed, 'learningRate', 0.01),
        l2: run.l2 ?? numberField(parsed, 'l2', 0),
        ...(typeof parsed.adamBeta2 === 'number' ? { adamBeta2: parsed.adamBeta2 } : {}),
        epochs: run.epochs ?? numberField(parsed, 'epochs', 20),
        checkpoint: options.checkpoints?.(run.phase),
        validation,
        onBatch: hooks.onBatch && ((p) => hooks.onBatch!({ ...p, phase: run.phase })),
        onEpoch: hooks.onEpoch && ((r) => hooks.onEpoch!({ ...r, phase: run.phase, ...(validation ? { metric: validation.name } : {}) })),
        signal: hooks.signal,
      }).fit();
    },
  };
  const fitted = await definition.fit(data, parsed as never, context);
  const { numUsers, numItems } = shape;
  return {
    name: definition.name, definition, config: parsed, model: fitted.model, shape, behaviors, numUsers, numItems,
    ...(fitted.history ? { history: fitted.history } : {}),
    ...(fitted.phases ? { phases: fitted.phases } : {}),
  };
}

/**
 * The validation part a model trains against when the split has none: one random
 * target row per user held out of the training rows (NMTR §IV-A3), seeded by the
 * config's seed — or, for a model that reads each user's rows in time order (it needs
 * timestamps: SASRec and the other sequence models), each user's latest training row, so
 * the held-out row is the next one after everything the model trains on (S3-Rec's
 * leave-one-out validation), not a gap in the middle of the sequence.
 * @returns the rows to fit on and the held-out rows.
 * @example
 * ```ts
 * const { fit, valid } = holdOutValidation(split.train, config);
 * ```
 */
export function holdOutValidation(train: Interactions, config: ModelConfig): { fit: Interactions; valid: Interactions } {
  const seed = numberField(config, 'seed', 0);
  const sequential = findModel(config.model)?.needs?.timestamps === 'required' && train.timestamps !== undefined;
  const split = train.behaviorNames
    ? multiBehaviorLeaveOneOut(train, { targetBehavior: targetBehavior(config, train), mode: sequential ? 'last' : 'random', seed })
    : leaveLastOut(train, { mode: sequential ? 'last' : 'random', seed });
  return { fit: split.train, valid: split.test };
}
