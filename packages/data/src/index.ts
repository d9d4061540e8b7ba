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
export { dataRoot, locateDataset, KNOWN_DATASETS, type DatasetLocation, type KnownDataset } from './locate.js';
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
export { readMovieLens100K, type MovieLens100K } from './readers/ml100k.js';
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
