/**
 * `@rec/models`: recommender models and their training. Never does I/O beyond model files.
 */
export { recommendTopK, type Recommender, type TopK } from './recommender.js';
export { MostPopular, type ItemLog } from './baselines/most-popular.js';
export { WeakerBehaviorRule, type WeakerBehaviorRuleOptions } from './baselines/weaker-behaviour.js';
export { BPRMF, fitBPR, type BPRMFConfig, type BPRTrainingData, type FitBPROptions } from './bpr/bpr-mf.js';
export { InteractionUnit, towerSizes, UNIT_KINDS, type UnitKind, type UnitShape } from './ncf/unit.js';
export { NCF, type NCFConfig } from './ncf/ncf.js';
export type { BehaviorRows, PairwiseModel, PointwiseModel } from './ncf/rows.js';
export { NMTR, type NMTRConfig } from './nmtr/nmtr.js';
export { CMF, type CMFConfig } from './cmf/cmf.js';
export { behaviorLog, behaviorRows, type BehaviorLog } from './training/log.js';
export {
  FusedBPRObjective, PairwiseObjective, PointwiseObjective,
  type FusedBPROptions, type Objective, type PairwiseOptions, type PairwiseSampler, type PointwiseOptions,
} from './training/objectives.js';
export {
  Trainer, type BatchProgress, type EpochRecord, type OptimizerName, type TrainerOptions, type TrainingHistory, type Validation,
} from './training/trainer.js';
export {
  createModel, MODEL_NAMES, modelBehaviors, parseTrainConfig, trainModel, TrainConfigSchema,
  type ModelName, type TrainConfig, type TrainConfigInput, type TrainedModel, type TrainModelOptions,
} from './zoo.js';
export { loadTrainedModel, readSavedModelConfig, saveTrainedModel, SAVED_MODEL_FORMAT, SAVED_MODEL_VERSION, type LoadedTrainedModel, type LoadTrainedModelOptions, type SavedModelConfig, type SaveTrainedModelOptions } from './persist.js';
