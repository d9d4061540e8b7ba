/**
 * Where datasets live on this machine. One rule, no guessing: `REC_DATA_DIR` if set,
 * otherwise a per-user cache folder. Nothing here downloads; a missing dataset is
 * reported with where we looked and how to get it.
 */
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { OFFICIAL_ARCHIVES } from './download.js';
import { DATASETS } from './readers/index.js';
import type { DatasetEntry } from './readers/entry.js';
import { checkSourceSizes } from './integrity.js';

/**
 * What a registered dataset looks like on disk and where it comes from: its folder under
 * the data root and the files a reader needs there. Each entry of `files` is a list of
 * alternatives, one of which must exist (e.g. the gzipped copy kept in this project or
 * the plain file from the official zip).
 * @example
 * ```ts
 * const ml100k: KnownDataset = {
 *   folder: 'ml-100k',
 *   title: 'MovieLens 100K',
 *   homepage: 'https://grouplens.org/datasets/movielens/100k/',
 *   files: [['u.data.gz', 'u.data']],
 * };
 * ```
 */
export interface KnownDataset {
  /** Folder under the data root; several registry names may share one (`tmall/mbcgcn`, `tmall/mbgcn`). */
  readonly folder: string;
  /** Human name, used in messages. */
  readonly title: string;
  /** Where a person can get the data by hand. */
  readonly homepage: string;
  /** Files (relative to the folder) that must be present, each as alternatives (any one suffices). */
  readonly files: readonly (readonly string[])[];
  /** Said when a file is missing, after where to get it: e.g. why it cannot be rebuilt and what to use instead. */
  readonly whenIncomplete?: string;
}

let known: Record<string, KnownDataset> | undefined;

/**
 * Built on first use rather than at import: readers may import modules that import this
 * one, and the registry must be fully evaluated before it is read.
 */
function knownDatasets(): Record<string, KnownDataset> {
  if (known === undefined) {
    const table: Record<string, KnownDataset> = {};
    for (const entry of DATASETS) {
      const { folder, title, homepage, files, whenIncomplete } = entry;
      Object.defineProperty(table, entry.name, {
        value: { folder, title, homepage, files, ...(whenIncomplete !== undefined ? { whenIncomplete } : {}) },
        enumerable: true,
        configurable: true,
      });
    }
    known = table;
  }
  return known;
}

/**
 * The datasets @rec has readers for, by registry name, derived from the reader registry
 * (`DATASETS` in `readers/index.ts`): a reader registers once and {@link locateDataset}
 * can tell a complete folder from a half-copied one.
 *
 * @example
 * ```ts
 * KNOWN_DATASETS['ml-100k']?.homepage; // 'https://grouplens.org/datasets/movielens/100k/'
 * Object.keys(KNOWN_DATASETS); // ['ml-100k', 'ml-1m', …]
 * ```
 */
export const KNOWN_DATASETS: Readonly<Record<string, KnownDataset>> = new Proxy({} as Record<string, KnownDataset>, {
  get: (_target, key) => (typeof key === 'string' && Object.hasOwn(knownDatasets(), key) ? knownDatasets()[key] : undefined),
  has: (_target, key) => Object.hasOwn(knownDatasets(), key),
  ownKeys: () => Reflect.ownKeys(knownDatasets()),
  getOwnPropertyDescriptor: (_target, key) => Reflect.getOwnPropertyDescriptor(knownDatasets(), key),
  set: () => false,
  defineProperty: () => false,
  deleteProperty: () => false,
});

/**
 * The per-user folder @rec keeps downloaded datasets and caches under:
 * `$XDG_CACHE_HOME/rec` or `~/.cache/rec` (`%LOCALAPPDATA%\rec` on Windows),
 * with the pattern (for messages) it came from.
 */
function userCacheBase(): { base: string; pattern: string } {
  if (process.platform === 'win32') {
    const local = process.env.LOCALAPPDATA;
    const base = local !== undefined && local !== '' ? local : join(homedir(), 'AppData', 'Local');
    return { base: join(base, 'rec'), pattern: '%LOCALAPPDATA%\\rec' };
  }
  // The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg !== undefined && xdg !== '' && isAbsolute(xdg)) return { base: join(xdg, 'rec'), pattern: '$XDG_CACHE_HOME/rec' };
  return { base: join(homedir(), '.cache', 'rec'), pattern: '~/.cache/rec' };
}

/**
 * The per-user folder of @rec's caches (parsed datasets): `REC_CACHE_DIR` when
 * set, else `$XDG_CACHE_HOME/rec/cache` or `~/.cache/rec/cache`
 * (`%LOCALAPPDATA%\rec\cache` on Windows). Never inside the data root, which
 * may be shared or read-only.
 *
 * @example
 * ```ts
 * userCacheDir(); // '/home/me/.cache/rec/cache'
 * ```
 */
export function userCacheDir(): string {
  const fromEnv = process.env.REC_CACHE_DIR;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return join(userCacheBase().base, 'cache');
}

function describeRoot(override?: string): { root: string; source: string } {
  if (override !== undefined) return { root: override, source: 'the dataRoot option' };
  const fromEnv = process.env.REC_DATA_DIR;
  if (fromEnv !== undefined && fromEnv !== '') {
    return { root: fromEnv, source: 'REC_DATA_DIR' };
  }
  const { base, pattern } = userCacheBase();
  const sep = process.platform === 'win32' ? '\\' : '/';
  return { root: join(base, 'datasets'), source: `the per-user cache (${pattern}${sep}datasets)` };
}

/**
 * The folder that holds one sub-folder per dataset: `REC_DATA_DIR` when set, else
 * `$XDG_CACHE_HOME/rec/datasets` or `~/.cache/rec/datasets` (on Windows
 * `%LOCALAPPDATA%\rec\datasets`). Read on every call, so tests may change the
 * environment.
 *
 * @example
 * ```ts
 * process.env.REC_DATA_DIR = '/data/rec';
 * dataRoot(); // '/data/rec'
 * ```
 */
export function dataRoot(): string {
  return describeRoot().root;
}

/**
 * The result of {@link locateDataset}.
 * @example
 * ```ts
 * const found: DatasetLocation = locateDataset('ml-100k');
 * if (!found.ok) console.error(found.reason);
 * ```
 */
/**
 * The files of the entry's checksum table that are present in `dir` and belong to it:
 * not those another entry of the same folder requires and this one does not list
 * (`tmall/mbcgcn` is not made incomplete by a damaged `tmall/mbgcn` file).
 */
function checkedFiles(entry: DatasetEntry, dir: string): string[] {
  const own = new Set(entry.files.flat());
  const siblings = new Set(
    DATASETS.filter((other) => other.folder === entry.folder && other.name !== entry.name).flatMap((other) => other.files.flat()),
  );
  return Object.keys(entry.checksums ?? {}).filter(
    (file) => (own.has(file) || !siblings.has(file)) && existsSync(join(dir, file)),
  );
}

export type DatasetLocation = { ok: true; dir: string } | { ok: false; reason: string };

const DATASET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Where to look, for {@link locateDataset}.
 * @example
 * ```ts
 * locateDataset('ml-100k', { dataRoot: '/data/rec' } satisfies LocateOptions);
 * ```
 */
export interface LocateOptions {
  /** The data root to look under instead of {@link dataRoot}. */
  readonly dataRoot?: string;
}

/**
 * Finds dataset `name` under {@link dataRoot}: a registry name (`ml-100k`,
 * `tmall/mbcgcn`) is looked up in {@link KNOWN_DATASETS}, its folder found and its key
 * files checked, so a half-copied folder is reported rather than failing later inside a
 * reader; any other plain name is a folder of its own.
 *
 * @returns `{ ok: true, dir }` with `dir` the dataset's folder (for `tmall/mbcgcn`,
 * `<root>/tmall`), or `{ ok: false, reason }` where `reason` says where it looked and how
 * to get the data.
 * @throws Error when `name` is neither a registry name nor a plain folder name (no
 * separators or `..`).
 * @example
 * ```ts
 * const found = locateDataset('ml-100k');
 * if (!found.ok) throw new Error(found.reason);
 * const { interactions } = await readMovieLens100K(found.dir);
 * ```
 */
export function locateDataset(name: string, options: LocateOptions = {}): DatasetLocation {
  const registered = Object.hasOwn(knownDatasets(), name) ? knownDatasets()[name] : undefined;
  if (registered === undefined && (!DATASET_NAME.test(name) || name.includes('..'))) {
    throw new Error(
      `locateDataset: dataset name ${JSON.stringify(name)} must be a plain folder name such as "ml-100k" or a registry name such as "tmall/mbcgcn"`,
    );
  }
  const { root, source } = describeRoot(options.dataRoot);
  const dir = join(root, registered?.folder ?? name);
  const download = Object.hasOwn(OFFICIAL_ARCHIVES, name) ? ` (or run \`rec data download ${name}\`)` : '';
  const howToGet =
    (registered ? `Download it from ${registered.homepage} and unpack it into ${dir}${download}` : `Copy it into ${dir}`) +
    '; set REC_DATA_DIR to use a different folder of datasets.';

  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    return {
      ok: false,
      reason: `dataset "${name}" not found: no folder ${dir} (data root ${root}, from ${source}). ${howToGet}`,
    };
  }
  if (registered) {
    for (const alternatives of registered.files) {
      if (!alternatives.some((file) => existsSync(join(dir, file)))) {
        const wanted = alternatives.map((file) => join(dir, file)).join(' or ');
        return {
          ok: false,
          reason:
            `dataset "${name}" is incomplete: ${wanted} is missing (data root ${root}, from ${source}). ${howToGet}` +
            (registered.whenIncomplete !== undefined ? ` ${registered.whenIncomplete}` : ''),
        };
      }
    }
  }
  return { ok: true, dir };
}

/**
 * {@link locateDataset}, then the size of every stored file the registered reader reads
 * against its MANIFEST (`DatasetEntry.checksums`): a file cut short by a failed copy
 * makes the dataset as unreadable as a missing one. One `stat` per file, so
 * `rec data list` can afford it for every dataset; the sha256 is checked when the
 * dataset is read (`verifyDatasetSources`). `readDataset` calls this.
 *
 * @returns `{ ok: true, dir }`, or `{ ok: false, reason }` where an incomplete dataset's
 * reason says `is incomplete: <path> does not match <folder>/MANIFEST.md: expected … bytes, found … bytes`.
 * @example
 * ```ts
 * const found = checkDatasetFiles('ml-100k');
 * if (!found.ok) console.error(found.reason);
 * ```
 */
export function checkDatasetFiles(name: string, options: LocateOptions = {}): DatasetLocation {
  const found = locateDataset(name, options);
  const entry = DATASETS.find((d) => d.name === name);
  if (!found.ok || entry === undefined) return found;
  const wrongSize = checkSourceSizes(entry, found.dir, checkedFiles(entry, found.dir));
  if (wrongSize === undefined) return found;
  const { root, source } = describeRoot(options.dataRoot);
  return {
    ok: false,
    reason:
      `dataset "${name}" is incomplete: ${wrongSize} (data root ${root}, from ${source}). ` +
      `Copy the file again from ${entry.homepage}; set REC_DATA_DIR to use a different folder of datasets.`,
  };
}
