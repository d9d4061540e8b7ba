/**
 * @rec/eval: ranking metrics, top-K selection and evaluation protocols. Never trains.
 */
export {
  hitAtK,
  ndcgAtK,
  recallAtK,
  precisionAtK,
  reciprocalRankAtK,
  RANKING_METRICS,
  type RankingMetric,
  type RankingMetricName,
  type RelevantItems,
} from './metrics.js';
export { topKIndices, type ExcludedItems } from './topk.js';
export {
  evaluateFullRanking,
  type FullRankingOptions,
  type FullRankingResult,
  type ItemRows,
  type PerUserItems,
  type PerUserMetrics,
  type ScoreUsers,
  type RankUsers,
} from './protocols/full-ranking.js';
export {
  averagePrecisionAtK,
  f1AtK,
  f1FromMeans,
  accuracyAtK,
  aucAtK,
} from './metrics.js';
export {
  aucFromScores,
  userAuc,
  userAucs,
  meanUserAuc,
  gauc,
  globalAuc,
  type AucNegatives,
  type AucSummary,
  type ScoredRows,
  type UserAucs,
} from './auc.js';
export { rmse, mae } from './rating.js';
export {
  regularizedIncompleteBeta,
  studentTTwoSidedP,
  studentTCdf,
  normalCdf,
  pairedTTest,
  wilcoxonSignedRank,
  meanStd,
  type PairedTTestResult,
  type WilcoxonResult,
} from './significance.js';
export {
  breakdownByGroup,
  breakdownByActivity,
  breakdownByBehavior,
  breakdownByItemPopularity,
  NMTR_ACTIVITY_EDGES,
  type Breakdown,
  type GroupMeans,
  type BehaviorRows,
  type ItemTestRows,
} from './breakdowns.js';
export { DEFAULT_MEMORY_BUDGET_BYTES, userBlockSize } from './protocols/full-ranking.js';
export {
  evaluateSampledRanking,
  sampleEvaluationNegatives,
  EVAL_NEGATIVES_STREAM,
  WORDS_PER_EVAL_SLOT,
  type CandidateSummary,
  type EvaluationCandidates,
  type EvaluationNegativesOptions,
  type PerRowMetrics,
  type SampledRankingOptions,
  type SampledRankingResult,
  type ScorePairs,
  type TieConvention,
} from './protocols/sampled-ranking.js';
export {
  evaluateAUC,
  type AucNegativeSet,
  type AucProtocolOptions,
  type AucProtocolResult,
} from './protocols/auc-protocol.js';
export {
  evaluateCategoryRanking,
  type CategoryMetricName,
  type CategoryRankingOptions,
  type CategoryRankingResult,
} from './protocols/category-ranking.js';
export { makeValidator, type ValidationModel, type Validator, type ValidatorOptions } from './protocols/validation.js';
export {
  createReport,
  validateReport,
  reportToJSON,
  reportFromJSON,
  rowFromResult,
  describeProtocol,
  kSeriesOf,
  bestRows,
  isLowerBetter,
  REPORT_FORMAT,
  REPORT_VERSION,
  type EvaluationReport,
  type KSeries,
  type ReportInit,
  type ReportRow,
  type TrainingCurve,
  type ReportFigure,
} from './report/result.js';
export { renderMarkdown, escapeMarkdown, type MarkdownOptions } from './report/markdown.js';
export { renderHtml, escapeHtml, type HtmlOptions } from './report/html.js';
