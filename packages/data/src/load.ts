/**
 * One call from a registry name to a {@link Dataset}: find the folder, read it through
 * the binary cache.
 */
import type { Dataset } from './dataset.js';
import { datasetCacheDir, readThroughCache, readVerified } from './cache.js';
import { checkDatasetFiles, dataRoot as defaultDataRoot } from './locate.js';
import { datasetEntry } from './readers/index.js';

/**
 * Options of {@link readDataset}.
 * @example
 * ```ts
 * const options: ReadDatasetOptions = { dataRoot: '/data/rec', cache: false };
 * ```
 */
export interface ReadDatasetOptions {
  /** Folder holding one sub-folder per dataset; default `dataRoot()` (`REC_DATA_DIR` or the per-user cache). */
  readonly dataRoot?: string;
  /**
   * Read through the binary cache (default true). The first load parses the source
   * files and writes `<cacheDir>/<name>-<key16>.safetensors`; later loads of the same
   * files read that instead, over 10× faster. `false` always parses and writes nothing.
   */
  readonly cache?: boolean;
  /** Folder of cache files; default `datasetCacheDir()` (`REC_CACHE_DIR/datasets`, else the per-user cache). */
  readonly cacheDir?: string;
  /** Where one-line cache warnings go (corrupt file ignored, cache not writable). Default `console.warn`. */
  readonly warn?: (line: string) => void;
}

/**
 * Reads registered dataset `name` (`ml-100k`, `tmall/mbcgcn`, `amazon-s3rec/Beauty`, …):
 * finds its folder under the data root, checks that the reader's files are there, and
 * reads it through the cache (see `readThroughCache`): the cache key is the sha256 of
 * every file in the dataset's folder plus the reader and format versions, so editing,
 * adding or removing a source file rebuilds the cache.
 *
 * Cost: a cache hit reads and hashes the source files once (a few ms per MB) and the
 * cache file (about the size of the Dataset's typed arrays); a miss adds the reader's
 * parse and one cache write.
 *
 * Every read that parses (a cache miss, or `cache: false`) first verifies the source
 * files: sizes and sha256 against the MANIFEST table of the registry entry, whole gzip
 * streams, and afterwards the interaction count (`readVerified`). A cache hit is not
 * re-verified: its key is a hash of the same bytes.
 *
 * @throws Error listing the registered names when `name` is unknown; Error saying where
 * it looked and how to get the data (`rec data download`, or the homepage) when the
 * folder or a required file is missing; Error naming a source file that does not match its MANIFEST (expected and found
 * size and sha256) or a truncated gzip file; a reader's error naming file and line.
 * @example
 * ```ts
 * const ml = await readDataset('ml-100k');
 * ml.interactions.length; // 100000
 * const fresh = await readDataset('ml-100k', { cache: false }); // always parses the files
 * ```
 */
export async function readDataset(name: string, options: ReadDatasetOptions = {}): Promise<Dataset> {
  const entry = datasetEntry(name);
  const root = options.dataRoot ?? defaultDataRoot();
  // Without an explicit root, locateDataset names REC_DATA_DIR (or the default) in its message.
  const found = checkDatasetFiles(name, { dataRoot: options.dataRoot });
  if (!found.ok) throw new Error(found.reason);
  if (options.cache === false) return readVerified(entry, found.dir);
  const { dataset } = await readThroughCache(entry, found.dir, {
    cacheDir: options.cacheDir ?? datasetCacheDir(),
    warn: options.warn,
  });
  return dataset;
}
