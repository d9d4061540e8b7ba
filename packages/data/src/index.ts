/**
 * @rec/data: datasets as columnar typed arrays — id maps, side information, filters,
 * splits and indexes. Never trains or scores.
 *
 * Browser-safe: no Node built-in, no DuckDB. Reading datasets from disk (`readDataset`,
 * the per-dataset readers, `readInteractionsFile`, `readNpy`, the cache, `download`)
 * is in `@rec/data/node`.
 */
export {
  createInteractions,
  selectInteractions,
  IdMap,
  type Interactions,
  type InteractionColumns,
  type InteractionDataset,
  type RawId,
} from './interactions.js';
export {
  generateSyntheticInteractions,
  SYNTHETIC_STREAMS,
  type SyntheticOptions,
  type SyntheticDataset,
} from './synthetic.js';
export { leaveLastOut, LEAVE_LAST_OUT_STREAM, type LeaveLastOutOptions, type TrainTestSplit } from './split.js';
export { UserItemCSR, itemPopularity, type UserItemCSRArrays } from './csr.js';
export { CategoryTree } from './side-info/category-tree.js';
export { clusterTree, type ClusterTreeOptions } from './side-info/cluster-tree.js';
export { ItemCategories } from './side-info/item-categories.js';
export { denseFeatures, type DenseFeatures, type CategoricalFeature, type UserFeatures } from './side-info/features.js';
export type { Dataset, PublishedSplit } from './dataset.js';
export type { LeaveOutMode } from './split.js';
export {
  compactInteractions,
  kCore,
  keepMultiBehaviorUsers,
  mergeDuplicates,
  minInteractionsPerItem,
  minInteractionsPerUser,
  ratingsToImplicit,
  sampleUsers,
  selectUsers,
  SAMPLE_USERS_STREAM,
  type CompactedInteractions,
  type IndexRemap,
  type KCoreOptions,
  type MergeDuplicatesOptions,
  type MultiBehaviorUserOptions,
  type RatingsToImplicitOptions,
  type SampleUsersOptions,
} from './filters.js';
export {
  assignFolds,
  CCREC_EVENT_WINDOW_SECONDS,
  coldStartUsers,
  kFoldSplit,
  multiBehaviorLeaveOneOut,
  NMTR_PURCHASE_GROUP_BOUNDS,
  randomRatioSplit,
  RNR_HELD_OUT_USERS,
  SPLIT_STREAMS,
  temporalCategorySplit,
  userGroupsByCount,
  type CategoryEvents,
  type ColdStartOptions,
  type KFoldOptions,
  type MultiBehaviorLeaveOneOutOptions,
  type RandomRatioSplitOptions,
  type TemporalCategorySplit,
  type TemporalCategorySplitOptions,
  type MultiBehaviorSplit,
  type TrainValidTestSplit,
  type UserGroup,
  type UserGroupOptions,
  type UserGroups,
  type UserSubset,
} from './splitters.js';
export {
  allButLastOne,
  ALL_BUT_LAST_ONE_STREAMS,
  type AllButLastOneCounts,
  type AllButLastOneOptions,
  type AllButLastOneSplit,
  type HeldOutChoice,
} from './all-but-last-one.js';
export {
  ALL_BEHAVIORS,
  categoryItemIndex,
  categorySiblings,
  itemCategoryAtDepth,
  itemPopularityByBehavior,
  positivesByBehavior,
  resolveBehavior,
  rowsByUser,
  userActivity,
  type CategoryItemIndex,
  type CSRLists,
  type RowsByUserOptions,
} from './indexes.js';
export { behaviorOverlap, formatOverlap, type BehaviorOverlap, type OverlapCount } from './overlap.js';
export { formatStats, stats, type CountSummary, type DatasetStats, type StatsOptions } from './stats.js';
export { parseNpzCsr, type CsrMatrix } from './npz.js';
export { parseNpy, type NpyArray } from './npy.js';
export {
  defaultSplitSpec,
  formatSplitSpec,
  parseSplitSpec,
  resolveSplit,
  SPLIT_SPEC_FORMS,
  type ResolvedSplit,
  type ResolveSplitOptions,
  type SplitSpec,
} from './protocols.js';
