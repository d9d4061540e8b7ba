/**
 * Checks that the files a dataset is read from are whole: the sizes and sha256 of a
 * registered dataset's stored files against the table its registry entry carries (the
 * values of its MANIFEST.md), and the gzip stream of any compressed file no table covers.
 *
 * Why the gzip check exists: DuckDB's `read_csv` stops quietly at the end of a truncated
 * gzip stream and returns the rows it decoded (a `u.data.gz` cut at 200 KB reads as
 * 24,644 ratings with no error), so a short file would become a short dataset. zlib
 * checks what DuckDB does not: the stream's end marker, its CRC-32 and its length
 * (the gzip trailer's ISIZE).
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { Dataset } from './dataset.js';
import type { DatasetEntry } from './readers/entry.js';

/**
 * The expected size and sha256 of one stored source file.
 * @example
 * ```ts
 * const sum: FileChecksum = { bytes: 827905, sha256: 'd5cd19fb…' };
 * ```
 */
export interface FileChecksum {
  /** Size in bytes, compared first (a `stat`, no read). */
  readonly bytes: number;
  /** Lower-case hex sha256 of the file's bytes as stored (the `.gz`, not its content). */
  readonly sha256: string;
}

/**
 * File (relative to the dataset folder, `/`-separated) → its {@link FileChecksum}.
 * @example
 * ```ts
 * const sums: SourceChecksums = { 'u.data.gz': { bytes: 827905, sha256: 'd5cd19fb…' } };
 * ```
 */
export type SourceChecksums = Readonly<Record<string, FileChecksum>>;

/** True when the file starts with the gzip magic bytes 1f 8b. */
function startsWithGzipMagic(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/**
 * Decompresses a gzip file to nowhere with node:zlib, which checks every member's end
 * marker, CRC-32 and ISIZE: a truncated or corrupt file throws one error naming it. A
 * file that does not start with the gzip magic is left alone (the reader will read it
 * as plain text). Cost: one streaming inflate of the file, no memory beyond a buffer
 * (a few ms per MB of compressed text).
 *
 * @param path the file to check.
 * @param context prefix for the message, e.g. the reader and file.
 * @throws Error `<context>: <path> is a truncated or corrupt gzip file (zlib: …)`.
 * @example
 * ```ts
 * await checkGzipStream('ratings.csv.gz', 'readInteractionsFile'); // throws when cut short
 * ```
 */
export async function checkGzipStream(path: string, context?: string): Promise<void> {
  if (!startsWithGzipMagic(path)) return;
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  try {
    await pipeline(createReadStream(path), createGunzip(), sink);
  } catch (error) {
    const prefix = context !== undefined ? `${context}: ` : '';
    throw new Error(
      `${prefix}${path} is a truncated or corrupt gzip file (zlib: ${(error as Error).message}); ` +
        'reading it would silently stop where the stream breaks, so it is refused: copy or download the file again',
      { cause: error },
    );
  }
}

/**
 * The files of `files` that `entry` is checked against: its checksum table's rows for
 * the files present, the others returned as `unlisted`.
 */
function hashedFiles(entry: DatasetEntry, files: readonly string[]): { listed: [string, FileChecksum][]; unlisted: string[] } {
  const table = entry.checksums ?? {};
  const listed: [string, FileChecksum][] = [];
  const unlisted: string[] = [];
  for (const file of files) {
    if (Object.hasOwn(table, file)) listed.push([file, table[file]!]);
    else unlisted.push(file);
  }
  return { listed, unlisted };
}

function mismatch(entry: DatasetEntry, path: string, want: FileChecksum, size: number, sha256?: string): Error {
  const found = sha256 === undefined ? `${size} bytes` : `${size} bytes, sha256 ${sha256}`;
  return new Error(
    `dataset "${entry.name}": ${path} does not match ${entry.folder}/MANIFEST.md: expected ${want.bytes} bytes, ` +
      `sha256 ${want.sha256}; found ${found}. The file is truncated or altered: copy it again (${entry.homepage})`,
  );
}

/**
 * The cheap part of {@link verifyDatasetSources}: the size of each listed file that is
 * present, by `stat` alone. Used by `rec data list`, which looks at every dataset.
 *
 * @returns what is wrong with the first file whose size is not the MANIFEST's
 * (`<path> does not match ml-100k/MANIFEST.md: expected 827905 bytes, found 200000 bytes`), or undefined.
 * @example
 * ```ts
 * checkSourceSizes(datasetEntry('ml-100k'), dir, ['u.data.gz']); // undefined when whole
 * ```
 */
export function checkSourceSizes(entry: DatasetEntry, folderDir: string, files: readonly string[]): string | undefined {
  for (const [file, want] of hashedFiles(entry, files).listed) {
    const size = statSync(join(folderDir, file)).size;
    if (size !== want.bytes) {
      return `${join(folderDir, file)} does not match ${entry.folder}/MANIFEST.md: expected ${want.bytes} bytes, found ${size} bytes`;
    }
  }
  return undefined;
}

/**
 * Verifies the source files of registered dataset `entry` in `folderDir`: every file of
 * `files` that the entry's checksum table lists must have the listed size and sha256;
 * every other gzip file must be a whole gzip stream ({@link checkGzipStream}). Readers
 * call it before parsing (through `readThroughCache` on a cache miss, and `readDataset`
 * without the cache); a cache hit skips it, because the cache key covers the same bytes.
 *
 * Cost: one read and sha256 of every listed file (about 1 ms per MB once the file is read) plus one inflate
 * of each unlisted gzip file.
 *
 * @param files the entry's source files present, relative to the folder (`datasetSourceFiles`).
 * @returns the files no table lists (the row count check {@link checkDatasetRows} covers them).
 * @throws Error naming the file, the expected and found size and sha256, and the MANIFEST.
 * @example
 * ```ts
 * await verifyDatasetSources(datasetEntry('ml-100k'), dir, await datasetSourceFiles(entry, dir));
 * ```
 */
export async function verifyDatasetSources(entry: DatasetEntry, folderDir: string, files: readonly string[]): Promise<string[]> {
  const { listed, unlisted } = hashedFiles(entry, files);
  for (const [file, want] of listed) {
    const path = join(folderDir, file);
    const bytes = readFileSync(path);
    if (bytes.length !== want.bytes) throw mismatch(entry, path, want, bytes.length);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== want.sha256) throw mismatch(entry, path, want, bytes.length, sha256);
  }
  for (const file of unlisted) await checkGzipStream(join(folderDir, file), `dataset "${entry.name}"`);
  return unlisted;
}

/**
 * Checks a freshly read dataset's interaction count against the entry's
 * `expectedInteractions` (the MANIFEST's count): the check that still applies where a
 * file is not the stored one (a plain copy, a user's own download) and so has no hash.
 *
 * @throws Error naming the dataset, both counts and the folder.
 * @example
 * ```ts
 * checkDatasetRows(datasetEntry('ml-100k'), dataset, dir); // throws unless 100,000 ratings
 * ```
 */
export function checkDatasetRows(entry: DatasetEntry, dataset: Dataset, folderDir: string): void {
  const want = entry.expectedInteractions;
  if (want === undefined || dataset.interactions.length === want) return;
  throw new Error(
    `dataset "${entry.name}": read ${dataset.interactions.length} interactions from ${folderDir}, but ${entry.folder}/MANIFEST.md ` +
      `counts ${want}; a source file is incomplete or not the published one: copy it again (${entry.homepage})`,
  );
}
