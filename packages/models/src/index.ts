/**
 * `@rec/models`: a registry of model plug-ins (each one folder with its config schema,
 * the side inputs it needs, its outputs, fit and save/load), the shared trainer,
 * inference for every output, standalone saved models (pure encoding here; files
 * behind `@rec/models/node`) and the paper reproductions. Imports no Node built-in.
 */
import './models.js';
import './reproductions/index.js';

export {
  behaviorsField, describeIssues, funnelBehaviors, numberField, targetBehavior, negativesField, rankingValidationFields, targetField, trainingFields,
  type ModelConfig, type ModelConfigInput,
} from './plugin/config.js';
export {
  availableInputs, checkNeeds, MODEL_OUTPUTS, shapeOf, SIDE_INPUTS, trainingDataOf,
  type ModelNeeds, type ModelOutput, type ModelShape, type Need, type SideInput, type TrainingData,
} from './plugin/data.js';
export { categoriesAtLevel, categoryLog, categoryRows, categoryTaskOf, categoryValidation, pastSequences, usersOf, type CategoryTask, type CategoryTaskOptions } from './plugin/category-task.js';
export {
  configFieldsOf, defineModel, findModel, getModel, listModels, parseModelConfig,
  type ConfigOf, type FitContext, type FitHooks, type Fitted, type ModelDefinition, type ModelState, type PaperRef, type TrainRunOptions,
} from './plugin/define.js';
export {
  maskedRanker, rankingOf, recommendTopK, requireOutput, topKFor, topKOfVectors,
  type CategoryScorer, type DotProductFactors, type HistoryScorer, type Predictor, type RankTables, type RatingPredictor, type Recommender, type TopK,
} from './plugin/inference.js';
export { FactorFoldIn, ItemNeighbours, type FoldInOptions } from './plugin/fold-in.js';
export { fnv1a64, interactionsHash } from './plugin/identity.js';
export {
  decodeSavedModel, encodeSavedModel, parseManifest, rawIdsOf, SAVED_MODEL_FILES, SAVED_MODEL_FORMAT, SAVED_MODEL_VERSION,
  type DataIdentity, type DecodedSavedModel, type RawIds, type SavedModelFiles, type SavedModelManifest, type SaveInputs,
} from './plugin/saved.js';
export {
  StandaloneModel, UnknownIdError, UnsupportedRequestError, type FoldInRecommendOptions, type ModelAbilities, type Recommendation, type RecommendOptions,
} from './plugin/standalone.js';
export {
  hitRateValidation, holdOutValidation, modelBehaviors, trainModel, type TrainedModel, type TrainModelOptions,
} from './plugin/train.js';
export { MostPopular, type ItemLog } from './most-popular/index.js';
export { WeakerBehaviorRule, type WeakerBehaviorRuleOptions } from './weaker-behavior/index.js';
export { BPRMF, type BPRMFConfig } from './bpr/index.js';
export { InteractionUnit, NCF, towerSizes, UNIT_KINDS, type BehaviorRows, type NCFConfig, type PairwiseModel, type PointwiseModel, type UnitKind, type UnitShape } from './ncf/index.js';
export { NMTR, type NMTRConfig } from './nmtr/index.js';
export { CMF, type CMFConfig } from './cmf/index.js';
export { PMF, type PMFConfig } from './pmf/index.js';
export { BiasedMF, meanRating, RatingHead, RatingObjective, ratingLog, ratingValidation, type BiasedMFConfig, type RatingLog, type RatingObjectiveOptions, type RatingRows } from './svd/index.js';
export {
  CascadeObjective, CategoryEncoder, CategoryMLE, CCRecModel, EncoderInputs, EncoderObjective, MleObjective, PrecisionRecommender, precisionLoss, sinusoidalPositions,
  type CategoryEncoderConfig, type CategoryMLEConfig, type CCRecConfig, type PrecisionRecommenderConfig,
} from './ccrec/index.js';
export { CategoryRule } from './category-rules/index.js';
export { ccrecSplit, type CcrecFold, type CcrecSplit, type CcrecSplitOptions } from './reproductions/ccrec-protocol.js';
export { type SecondhandProtocol } from './reproductions/secondhand.js';
export {
  defineSequentialModels, eventSequences, historySequences, NextCategoryModel, NextIdWindows, NextItemModel, NextItemObjective, SASRec, type SASRecConfig, type SequenceEncoder, type SequenceLevel,
} from './sasrec/index.js';
export { FMLPRec, type FMLPRecConfig, realDftMatrices } from './fmlp-rec/index.js';
export { composedSelectiveScan, Mamba4Rec, type Mamba4RecConfig, NextItemSoftmaxObjective } from './mamba4rec/index.js';
export { CategoryMeLU, categoryMeluFields, categoryMeluModel, MeLU, MeLUNetwork, meluModel, MetaObjective } from './melu/index.js';
export { CategoryTigerModel, categoryTigerModel, RQVAE, SemanticIdTrie, TigerModel, tigerModel, TigerTransformer } from './tiger/index.js';
export { CLRecObjective, SampledSoftmaxObjective } from './clrec/index.js';
export { categoryProfiles, MultVAE, MultVAEObjective, multVAEInput, userConditions, type MultVAEConfig } from './vae-rec/index.js';
export { CDAE, CDAEObjective, historyInput, type CDAEBatch, type CDAEConfig, type CDAEInput, type CDAEObjectiveOptions, type UserItemRows } from './cdae/index.js';
export { CdaeRankAndRate, CdaeRnrObjective, pairRatings, RankAndRate, RnrObjective, RnrTransform, type CdaeRankAndRateConfig, type CdaeRnrBatch, type RankAndRateConfig, type RnrActivation, type RnrBatch, type RnrCoupling, type RnrObjectiveOptions } from './rnr/index.js';
export { FM, type FMConfig, type ItemCategoryLists } from './fm/index.js';
export { CoFactor, CoFactorALS, itemCooccurrence, solveSymmetric, sppmi, type CoFactorConfig, type CoFactorFactors, type CoFactorWeights, type CsrMatrix } from './cofactor/index.js';
export { FusedSkipGramObjective, ItemEmbeddings, ItemPairSampler, META_TERMS, type FusedSkipGramOptions, type ItemEmbeddingsConfig, type ItemPairSamplerOptions, type MetaTerm, type SkipGramBatch, type SkipGramPairs } from './item2vec/index.js';
export { CbowObjective, User2Vec, userSequences, type CbowBatch, type CbowOptions, type User2VecConfig, type UserSequences } from './user2vec/index.js';
export { SquaredPointwiseObjective, type RatingRegressor } from './training/squared.js';
export { rowMeans, type ItemLists } from './training/row-means.js';
export { MRLR, MrlrObjective, MrlrSampler, VARIANT_TERMS, type MrlrBatch, type MRLRConfig, type MrlrSamplerOptions, type MrlrVariant, type RowLists } from './mrlr/index.js';
export { categorySampling, SecondHandModel, SecondHandObjective, type PairScorer, type SecondHandConfig, type SecondHandStructure, VBPR, type VBPRConfig, DeepStyle, type DeepStyleConfig, type VisualStructure } from './secondhand/index.js';
export { behaviorLog, behaviorRows, type BehaviorLog } from './training/log.js';
export {
  defaultLanes, FusedBPRObjective, PairwiseObjective, PointwiseObjective,
  type FusedBPROptions, type Objective, type PairwiseOptions, type PairwiseSampler, type PointwiseOptions, type PointwiseRows, type Triples, type TriplesToDraw,
} from './training/objectives.js';
export { andThen, hostCopy, hostValues, readAndDispose, type MaybePromise } from './training/read.js';
export {
  Trainer, type BatchProgress, type Checkpoint, type CheckpointStore, type EpochRecord, type OptimizerName, type TrainerOptions, type TrainingHistory, type Validation,
} from './training/trainer.js';
export {
  bestValidation, candidateFields, defineReproduction, getReproduction, listReproductions,
  type MethodEvaluation, type MethodResult, type PerUserValues, type PreparedProtocol, type SeedRun, type Reproduction, type ReproductionDataset,
  type ReproductionMethod, type ReproductionReport, type ReproductionSettings, type TuningCandidate, type TuningRecord, type MethodSettings,
} from './reproduction/define.js';
