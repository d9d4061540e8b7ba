/**
 * `@rec/data/node`: everything in `@rec/data` that needs Node — the file
 * system, DuckDB, the network. Dataset readers and their file formats, the
 * dataset folder resolver, the binary cache and the downloader live here so
 * that the package root stays browser-safe.
 *
 * @example
 * ```ts
 * import { readDataset } from '@rec/data/node';
 *
 * const ml = await readDataset('ml-100k');
 * ```
 * @packageDocumentation
 */
export { readDataset, type ReadDatasetOptions } from './load.js';
export {
  dataRoot,
  userCacheDir,
  locateDataset,
  checkDatasetFiles,
  KNOWN_DATASETS,
  type DatasetLocation,
  type KnownDataset,
  type LocateOptions,
} from './locate.js';
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
  CACHE_FORMAT_VERSION,
  DatasetCacheError,
  datasetCacheDir,
  datasetCacheKey,
  datasetCachePath,
  datasetSourceFiles,
  decodeDatasetCache,
  encodeDatasetCache,
  readThroughCache,
  readVerified,
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
export { DATASETS, datasetEntry, type DatasetEntry } from './readers/index.js';
export {
  checkDatasetRows,
  checkGzipStream,
  checkSourceSizes,
  verifyDatasetSources,
  type FileChecksum,
  type SourceChecksums,
} from './integrity.js';
export { MANIFEST_CHECKSUMS } from './readers/checksums.js';
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
export { attributeTree, readS3Rec, readS3RecSequences, readS3RecToysRatings, s3recDatasets, type S3RecDomain } from './readers/s3rec.js';
export { readTikTokDiffMM, tiktokDatasets } from './readers/tiktok.js';
export { readYelpCore40, yelpCore40Datasets, type YelpCore40 } from './readers/yelp-core40.js';
export { readNpzCsr } from './npz-file.js';
export { readNpy } from './npy-file.js';
export { readDatasetFile, type DatasetFile, type ReadDatasetFileOptions } from './readers/dataset-file.js';
