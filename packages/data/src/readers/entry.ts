import type { Dataset } from '../dataset.js';
import type { SourceChecksums } from '../integrity.js';

/**
 * One readable dataset: where its files live under the data root, what must be
 * there, and how to read it. `readDataset(name)` looks names up here.
 */
export interface DatasetEntry {
  /** Registry name: the folder, with a variant after a slash where a folder holds several (`tmall/mbcgcn`). */
  readonly name: string;
  /** Folder under the data root (`tmall`). */
  readonly folder: string;
  /** Human title for messages and `stats`. */
  readonly title: string;
  /** Where a person can get the data by hand. */
  readonly homepage: string;
  /** Files (relative to the folder) that must be present, each as alternatives (`['u.data.gz', 'u.data']`). */
  readonly files: readonly (readonly string[])[];
  /**
   * What a person should know when a file of `files` is missing, beyond where to get it
   * (e.g. that it cannot be rebuilt from other data, and what to use instead); appended
   * to `locateDataset`'s "incomplete" reason.
   */
  readonly whenIncomplete?: string;
  /**
   * The reader's version, part of the cache key: bump it when the reader's output
   * changes for the same files, so caches written by the old reader miss.
   */
  readonly version?: string | number;
  /**
   * Size and sha256 of the stored source files, as the folder's MANIFEST.md lists them
   * (`MANIFEST_CHECKSUMS[folder]`). Every uncached read checks the files it reads
   * against this table first (`verifyDatasetSources`), so a truncated or altered copy
   * is an error naming the file, not a smaller dataset. A file the table does not list
   * is not hashed; its gzip stream is still checked.
   */
  readonly checksums?: SourceChecksums;
  /**
   * How many interactions (`dataset.interactions.length`) the published files hold, per
   * the MANIFEST: checked after every uncached read, which covers files no checksum
   * applies to (a plain copy in place of the stored `.gz`, the official download).
   */
  readonly expectedInteractions?: number;
  /** Reads the dataset from its folder. Errors name the file and line (or field). */
  read(folderDir: string): Promise<Dataset>;
}
