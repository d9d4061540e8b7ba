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
} from './protocols/full-ranking.js';
