/**
 * @rec/data: datasets as columnar typed arrays — readers, id maps, splits and indexes.
 * Never trains or scores.
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
export { dataRoot, userCacheDir, locateDataset, KNOWN_DATASETS, type DatasetLocation, type KnownDataset } from './locate.js';
export {
  openDuckDB,
  queryColumns,
  sqlString,
  DuckDBSession,
  type ColumnKind,
  type ColumnSpec,
  type ColumnsOf,
  type QueryColumns,
} from './duckdb.js';
export {
  generateSyntheticInteractions,
  SYNTHETIC_STREAMS,
  type SyntheticOptions,
  type SyntheticDataset,
} from './synthetic.js';
export { leaveLastOut, LEAVE_LAST_OUT_STREAM, type LeaveLastOutOptions, type TrainTestSplit } from './split.js';
export { UserItemCSR, itemPopularity, type UserItemCSRArrays } from './csr.js';
export { CategoryTree } from './side-info/category-tree.js';
export { ItemCategories } from './side-info/item-categories.js';
export { denseFeatures, type DenseFeatures, type CategoricalFeature, type UserFeatures } from './side-info/features.js';
export type { Dataset, PublishedSplit } from './dataset.js';
export type { LocateOptions } from './locate.js';
export { readDataset, type ReadDatasetOptions } from './load.js';
export {
  CACHE_FORMAT_VERSION,
  DatasetCacheError,
  datasetCacheDir,
  datasetCacheKey,
  datasetCachePath,
  datasetSourceFiles,
  decodeDatasetCache,
  encodeDatasetCache,
  readThroughCache,
  type CachedRead,
  type DatasetCacheOptions,
} from './cache.js';
export {
  download,
  GROUPLENS_BASE_URL,
  OFFICIAL_ARCHIVES,
  repositorySource,
  type ArchiveChecksum,
  type DownloadOptions,
  type DownloadResult,
  type OfficialArchive,
} from './download.js';
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
  rnrSplit,
  SPLIT_STREAMS,
  temporalCategorySplit,
  userGroupsByCount,
  type CategoryEvents,
  type ColdStartOptions,
  type KFoldOptions,
  type MultiBehaviorLeaveOneOutOptions,
  type RandomRatioSplitOptions,
  type RnRSplitOptions,
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
export {
  readMovieLens100K, readMovieLens1M, readMovieLens1MNCF, ML100K_SPLITS, movieLensDatasets, type MovieLens100K, type MovieLens1M,
} from './readers/movielens.js';
export {
  readInteractionsFile, readDelimitedFields, type InteractionFileFormat, type InteractionColumnMapping,
  type ReadInteractionsFileOptions, type InteractionFile, type DelimitedFields,
} from './readers/generic.js';
export {
  readTmallMBGCN, readTmallMBCGCN, readBeibeiGHCF, readBeibeiCRGCN, readTaobaoGHCF, multiBehaviorDatasets,
} from './readers/multi-behavior.js';
export { readNpzCsr, parseNpzCsr, type CsrMatrix } from './npz.js';
export { DATASETS, datasetEntry, type DatasetEntry } from './readers/index.js';
export { readS3Rec, readS3RecSequences, s3recDatasets, type S3RecDomain } from './readers/s3rec.js';
export { readTikTokDiffMM, tiktokDatasets } from './readers/tiktok.js';
export { parseNpy, readNpy, type NpyArray } from './npy.js';
