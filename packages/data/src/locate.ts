/**
 * Where datasets live on this machine. One rule, no guessing: `REC_DATA_DIR` if set,
 * otherwise a per-user cache folder. Nothing here downloads; a missing dataset is
 * reported with where we looked and how to get it.
 */
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * What a known dataset looks like on disk and where it comes from. Each entry of
 * `files` is a list of alternatives, one of which must exist (e.g. the gzipped copy
 * kept in this project or the plain file from the official zip).
 * @example
 * ```ts
 * const ml100k: KnownDataset = {
 *   title: 'MovieLens 100K',
 *   homepage: 'https://grouplens.org/datasets/movielens/100k/',
 *   files: [['u.data.gz', 'u.data']],
 * };
 * ```
 */
export interface KnownDataset {
  /** Human name, used in messages. */
  readonly title: string;
  /** Where a person can get the data by hand. */
  readonly homepage: string;
  /** Files that must be present, each as alternatives (any one suffices). */
  readonly files: readonly (readonly string[])[];
}

/**
 * The datasets @rec has readers for. Readers add their entry here so that
 * {@link locateDataset} can tell a complete folder from a half-copied one.
 *
 * @example
 * ```ts
 * KNOWN_DATASETS['ml-100k']?.homepage; // 'https://grouplens.org/datasets/movielens/100k/'
 * ```
 */
export const KNOWN_DATASETS: Readonly<Record<string, KnownDataset>> = {
  'ml-100k': {
    title: 'MovieLens 100K',
    homepage: 'https://grouplens.org/datasets/movielens/100k/',
    files: [['u.data.gz', 'u.data']],
  },
};

function describeRoot(): { root: string; source: string } {
  const fromEnv = process.env.REC_DATA_DIR;
  if (fromEnv !== undefined && fromEnv !== '') {
    return { root: fromEnv, source: 'REC_DATA_DIR' };
  }
  if (process.platform === 'win32') {
    const local = process.env.LOCALAPPDATA;
    const base = local !== undefined && local !== '' ? local : join(homedir(), 'AppData', 'Local');
    return { root: join(base, 'rec', 'datasets'), source: 'the per-user cache (%LOCALAPPDATA%\\rec\\datasets)' };
  }
  // The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg !== undefined && xdg !== '' && isAbsolute(xdg)) {
    return { root: join(xdg, 'rec', 'datasets'), source: 'the per-user cache ($XDG_CACHE_HOME/rec/datasets)' };
  }
  return { root: join(homedir(), '.cache', 'rec', 'datasets'), source: 'the per-user cache (~/.cache/rec/datasets)' };
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
export type DatasetLocation = { ok: true; dir: string } | { ok: false; reason: string };

const DATASET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Finds dataset `name` under {@link dataRoot}. For a dataset in {@link KNOWN_DATASETS}
 * its key files must be present too, so a half-copied folder is reported rather than
 * failing later inside a reader.
 *
 * @returns `{ ok: true, dir }`, or `{ ok: false, reason }` where `reason` says where it
 * looked and how to get the data.
 * @throws Error when `name` is not a plain folder name (no separators or `..`).
 * @example
 * ```ts
 * const found = locateDataset('ml-100k');
 * if (!found.ok) throw new Error(found.reason);
 * const { interactions } = await readMovieLens100K(found.dir);
 * ```
 */
export function locateDataset(name: string): DatasetLocation {
  if (!DATASET_NAME.test(name) || name.includes('..')) {
    throw new Error(
      `locateDataset: dataset name ${JSON.stringify(name)} must be a plain folder name such as "ml-100k"`,
    );
  }
  const { root, source } = describeRoot();
  const dir = join(root, name);
  const known = KNOWN_DATASETS[name];
  // `rec data download` arrives with the data layer; until then the reason names only what works today.
  const howToGet =
    (known ? `Download it from ${known.homepage} and unpack it into ${dir}` : `Copy it into ${dir}`) +
    '; set REC_DATA_DIR to use a different folder of datasets.';

  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    return {
      ok: false,
      reason: `dataset "${name}" not found: no folder ${dir} (data root ${root}, from ${source}). ${howToGet}`,
    };
  }
  if (known) {
    for (const alternatives of known.files) {
      if (!alternatives.some((file) => existsSync(join(dir, file)))) {
        const wanted = alternatives.map((file) => join(dir, file)).join(' or ');
        return {
          ok: false,
          reason: `dataset "${name}" is incomplete: ${wanted} is missing (data root ${root}, from ${source}). ${howToGet}`,
        };
      }
    }
  }
  return { ok: true, dir };
}
