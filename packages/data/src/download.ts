/**
 * Fetching a dataset's official archive, for the datasets that have one (MovieLens from
 * GroupLens). The bytes are checked against a digest published by the provider before
 * anything is unpacked, and the folder appears under its final name only when it is
 * complete: it is unpacked into a temporary folder beside the target and renamed.
 *
 * The other datasets in `../shared/datasets/` were copied from the GitHub repositories of
 * the papers that published them (see each folder's MANIFEST.md); they have no archive to
 * download, and {@link download} says where they come from instead.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { writeFileAtomic } from '@rec/core/node';
import { unzipSync } from 'fflate';

/**
 * A digest an archive must have. `md5` only where the provider publishes nothing
 * stronger (GroupLens ships `<archive>.md5` files): it still catches a truncated or
 * corrupted transfer and a changed upstream file.
 *
 * @example
 * ```ts
 * const check: ArchiveChecksum = { algorithm: 'sha256', digest: 'e3b0c442…' };
 * ```
 */
export interface ArchiveChecksum {
  readonly algorithm: 'sha256' | 'md5';
  /** Lower-case hex. */
  readonly digest: string;
}

/**
 * A dataset's official archive: the file name under its provider's base URL, the folder
 * it unpacks to, and its published digest (`undefined` when none could be found, in
 * which case {@link download} refuses rather than install unverified bytes).
 *
 * @example
 * ```ts
 * OFFICIAL_ARCHIVES['ml-100k'].file; // 'ml-100k.zip'
 * ```
 */
export interface OfficialArchive {
  /** Archive file name, appended to the base URL. */
  readonly file: string;
  /** Folder under the data root that the archive's contents go to. */
  readonly folder: string;
  /** Provider base URL (ends with `/`). */
  readonly baseUrl: string;
  readonly checksum: ArchiveChecksum | undefined;
}

/**
 * The GroupLens download folder for MovieLens archives.
 * @example
 * ```ts
 * `${GROUPLENS_BASE_URL}ml-100k.zip`; // 'https://files.grouplens.org/datasets/movielens/ml-100k.zip'
 * ```
 */
export const GROUPLENS_BASE_URL = 'https://files.grouplens.org/datasets/movielens/';

/**
 * Datasets with an official archive, by registry name.
 *
 * Checksums: GroupLens publishes an MD5 beside each archive
 * (`https://files.grouplens.org/datasets/movielens/ml-100k.zip.md5` reads
 * `MD5 (ml-100k.zip) = 0e33842e24a9c977be4e0107933c0723`, `ml-1m.zip.md5` reads
 * `MD5 (ml-1m.zip) = c4d9eecfca2ab87c1945afe126590906`) and no SHA-256. The sidecars
 * could not be fetched from here; their text was taken from copies in public
 * repositories: `AKSW/frankgraphbench` `datasets/ml-1m.zip.md5` (commit 47eac0c755da),
 * which is the GroupLens file verbatim, and `eli-osherovich/papers_with_code`
 * `datasets/movielens/dl_config.py` (commit 3888fe1b7840), which lists both digests for
 * these URLs.
 *
 * @example
 * ```ts
 * Object.keys(OFFICIAL_ARCHIVES); // ['ml-100k', 'ml-1m']
 * ```
 */
export const OFFICIAL_ARCHIVES: Readonly<Record<string, OfficialArchive>> = {
  'ml-100k': {
    file: 'ml-100k.zip',
    folder: 'ml-100k',
    baseUrl: GROUPLENS_BASE_URL,
    checksum: { algorithm: 'md5', digest: '0e33842e24a9c977be4e0107933c0723' },
  },
  'ml-1m': {
    file: 'ml-1m.zip',
    folder: 'ml-1m',
    baseUrl: GROUPLENS_BASE_URL,
    checksum: { algorithm: 'md5', digest: 'c4d9eecfca2ab87c1945afe126590906' },
  },
};

/**
 * Where the datasets without an official archive were copied from, per their
 * MANIFEST.md (`../shared/datasets/<folder>/MANIFEST.md`, "Source(s)"): repository and
 * commit. Keyed by registry name, or by folder for every variant in it.
 */
const REPOSITORY_SOURCES: Readonly<Record<string, string>> = {
  'ml-1m-ncf': 'hexiangnan/neural_collaborative_filtering at commit 4aab159e81c44b062c091bdaed0ab54ac632371f',
  'tmall/mbgcn': 'tsinghua-fib-lab/MBGCN at commit a674f2a6aad84c50597a0a2c00bc0fc13d47f151',
  'tmall/mbcgcn': 'SS-00-SS/MBCGCN at commit 931f9c103817cdfa280353c506f4e3cb08306a1c',
  tmall:
    'tsinghua-fib-lab/MBGCN at commit a674f2a6aad84c50597a0a2c00bc0fc13d47f151 (mbgcn/) and SS-00-SS/MBCGCN at commit 931f9c103817cdfa280353c506f4e3cb08306a1c (mbcgcn/)',
  'beibei/ghcf': 'chenchongthu/GHCF at commit 5ca2d693410c90721a980bab609bfab140fa30b1',
  'beibei/crgcn': 'JingyunLiu663/CRGCN at commit 562430d95c91d9d89b236b19a9bfa59dc7fb7b39',
  beibei:
    'chenchongthu/GHCF at commit 5ca2d693410c90721a980bab609bfab140fa30b1 (ghcf/) and JingyunLiu663/CRGCN at commit 562430d95c91d9d89b236b19a9bfa59dc7fb7b39 (crgcn/)',
  taobao: 'chenchongthu/GHCF at commit 5ca2d693410c90721a980bab609bfab140fa30b1',
  'amazon-s3rec':
    'RUCAIBox/CIKM2020-S3Rec at commit 2a81540ae18615d88ef88227b0c066e5b74781e5 (sequences, attributes) and Wenyueh/LLM-RecSys-ID at commit 2200ad9fef647ef755c01d6d7e5c5de3082606c5 (datamaps)',
  'yelp-s3rec-hier':
    'RUCAIBox/CIKM2020-S3Rec at commit 2a81540ae18615d88ef88227b0c066e5b74781e5 (sequences, attributes) and Wenyueh/LLM-RecSys-ID at commit 2200ad9fef647ef755c01d6d7e5c5de3082606c5 (categories, datamaps)',
  'tiktok-diffmm': 'HKUDS/DiffMM at commit fae20e642aeeaad4284be6f7fb3432ebb551da8e',
};

/**
 * The GitHub repository and commit a dataset without an official archive was copied
 * from (per its MANIFEST.md), or `undefined` when it is not one of those.
 *
 * @example
 * ```ts
 * repositorySource('tmall/mbcgcn'); // 'SS-00-SS/MBCGCN at commit 931f9c10…'
 * ```
 */
export function repositorySource(name: string): string | undefined {
  if (Object.hasOwn(REPOSITORY_SOURCES, name)) return REPOSITORY_SOURCES[name];
  const folder = name.split('/')[0];
  return Object.hasOwn(REPOSITORY_SOURCES, folder) ? REPOSITORY_SOURCES[folder] : undefined;
}

/**
 * Options of {@link download}.
 * @example
 * ```ts
 * const options: DownloadOptions = { onProgress: (got, total) => process.stderr.write(`\r${got}/${total ?? '?'}`) };
 * ```
 */
export interface DownloadOptions {
  /** Replaces the provider's base URL (a mirror, or a test server); the archive's file name is appended. */
  readonly baseUrl?: string;
  /** The fetch to use; default `globalThis.fetch`. */
  readonly fetch?: typeof fetch;
  /** Called per received chunk with the bytes so far and the Content-Length (when the server sends one). */
  readonly onProgress?: (received: number, total: number | undefined) => void;
  /**
   * Replaces entries of the checksum table, by registry name: for a mirror that serves
   * repacked archives, or a test fixture. `undefined` for a name means "unknown".
   */
  readonly checksums?: Readonly<Record<string, ArchiveChecksum | undefined>>;
  /** Aborts the transfer. */
  readonly signal?: AbortSignal;
}

/**
 * What {@link download} installed.
 * @example
 * ```ts
 * const { dir, files } = await download('ml-100k', dataRoot());
 * ```
 */
export interface DownloadResult {
  /** The dataset folder now in place, `<dir>/<folder>`. */
  readonly dir: string;
  readonly url: string;
  /** Size of the archive. */
  readonly bytes: number;
  /** Files written, relative to `dir`, sorted. */
  readonly files: readonly string[];
  /** The verified digest. */
  readonly checksum: ArchiveChecksum;
}

/**
 * Downloads dataset `name`'s official archive into the data root `dir`: fetches
 * `<baseUrl><archive>`, verifies its digest against {@link OFFICIAL_ARCHIVES} (or
 * `options.checksums`), unzips it (a single top-level folder in the archive is
 * stripped) into a temporary folder inside `dir` and renames that to `<dir>/<folder>`.
 * On any failure nothing is left behind: not the temporary folder, and not `dir` itself
 * when this call created it. The archive is held in memory (ml-1m: 6 MB zipped, 25 MB
 * unpacked).
 *
 * @param name registry name with an official archive (`ml-100k`, `ml-1m`).
 * @param dir the data root to put the dataset folder in (created when missing).
 * @throws Error, one line each, when: the dataset has no official archive (naming the
 * GitHub repository and commit it comes from, where known); no checksum is known (before
 * any transfer); the target folder already exists; the server answers with an HTTP error
 * (naming URL and status); the body ends early; the digest differs (naming expected and
 * actual); or the archive holds an unsafe path.
 * @example
 * ```ts
 * const { dir } = await download('ml-100k', dataRoot());
 * const dataset = await readDataset('ml-100k');
 * ```
 */
export async function download(name: string, dir: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const archive = Object.hasOwn(OFFICIAL_ARCHIVES, name) ? OFFICIAL_ARCHIVES[name] : undefined;
  if (archive === undefined) {
    const source = repositorySource(name);
    if (source !== undefined) {
      throw new Error(
        `download: dataset "${name}" has no official archive to download; it was copied from the GitHub repository ${source} (see its MANIFEST.md); copy those files into ${join(dir, name.split('/')[0])}`,
      );
    }
    throw new Error(
      `download: no official archive is known for dataset "${name}"; datasets with one: ${Object.keys(OFFICIAL_ARCHIVES).join(', ')}`,
    );
  }
  const checksum =
    options.checksums !== undefined && Object.hasOwn(options.checksums, name) ? options.checksums[name] : archive.checksum;
  const url = `${options.baseUrl ?? archive.baseUrl}${archive.file}`;
  if (checksum === undefined) {
    throw new Error(
      `download: no published checksum is known for ${url}, so its bytes cannot be verified; refusing to install them. Download it by hand from the provider and check it yourself`,
    );
  }
  const target = join(dir, archive.folder);
  if (existsSync(target)) {
    throw new Error(`download: ${target} already exists; move it away first (or pass another data root) to download "${name}" again`);
  }

  const bytes = await fetchArchive(url, options);
  const actual = createHash(checksum.algorithm).update(bytes).digest('hex');
  if (actual !== checksum.digest.toLowerCase()) {
    throw new Error(
      `download: ${url} failed verification: expected ${checksum.algorithm} ${checksum.digest.toLowerCase()}, got ${actual} (${bytes.length} bytes); nothing was written`,
    );
  }
  const contents = unpack(bytes, url);

  // Everything that can be checked in memory has been; now touch the disk.
  let createdRoot: string | undefined;
  let staging: string | undefined;
  let renaming = false;
  try {
    createdRoot = mkdirSync(dir, { recursive: true });
    staging = mkdtempSync(join(dir, `.${archive.folder}.download-`));
    for (const [path, data] of contents) {
      const file = join(staging, ...path.split('/'));
      mkdirSync(dirname(file), { recursive: true });
      // Each file flushed before the folder is renamed into place, so that the
      // dataset folder never appears with empty or short files after a crash.
      await writeFileAtomic(file, data);
    }
    renaming = true;
    renameSync(staging, target);
  } catch (err) {
    if (staging !== undefined) rmSync(staging, { recursive: true, force: true });
    if (createdRoot !== undefined) rmSync(createdRoot, { recursive: true, force: true });
    const code = (err as NodeJS.ErrnoException).code;
    const reason = renaming && (code === 'ENOTEMPTY' || code === 'EEXIST')
      ? `${target} appeared while unpacking (another download?)`
      : (err as Error).message;
    throw new Error(`download: could not install ${url} into ${target}: ${reason}; nothing was left behind`);
  }
  return {
    dir: target,
    url,
    bytes: bytes.length,
    files: [...contents.keys()].sort(),
    checksum: { algorithm: checksum.algorithm, digest: actual },
  };
}

async function fetchArchive(url: string, options: DownloadOptions): Promise<Uint8Array> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await fetchImpl(url, { signal: options.signal, redirect: 'follow' });
  } catch (err) {
    throw new Error(`download: could not fetch ${url}: ${describeError(err)}`);
  }
  if (!response.ok) {
    // Drain nothing: the body of an error page is of no use, cancel it to free the socket.
    await response.body?.cancel().catch(() => {});
    throw new Error(`download: GET ${url} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
  }
  const header = response.headers.get('content-length');
  const total = header !== null && /^\d+$/.test(header) ? Number(header) : undefined;
  const chunks: Uint8Array[] = [];
  let received = 0;
  try {
    if (response.body !== null) {
      for await (const chunk of response.body) {
        chunks.push(chunk);
        received += chunk.length;
        options.onProgress?.(received, total);
      }
    }
  } catch (err) {
    const of = total !== undefined ? ` of ${total}` : '';
    throw new Error(`download: ${url} ended after ${received}${of} bytes: ${describeError(err)}; nothing was written`);
  }
  if (total !== undefined && received !== total) {
    throw new Error(`download: ${url} ended after ${received} of ${total} bytes (truncated body); nothing was written`);
  }
  const bytes = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
  return `${err.message}${cause}`;
}

/**
 * The archive's files by relative path, with one common top-level folder stripped.
 * Refuses paths that would escape the target (absolute, `..`, backslashes, drive letters).
 */
function unpack(bytes: Uint8Array, url: string): Map<string, Uint8Array> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (err) {
    throw new Error(`download: ${url} is not a readable zip archive: ${describeError(err)}`);
  }
  const files = Object.entries(entries).filter(([path]) => !path.endsWith('/'));
  for (const [path] of files) {
    const parts = path.split('/');
    if (path.startsWith('/') || path.includes('\\') || path.includes('\0') || /^[A-Za-z]:/.test(path) || parts.some((p) => p === '..' || p === '.' || p === '')) {
      throw new Error(`download: ${url} holds an unsafe path ${JSON.stringify(path)}; refusing to unpack it`);
    }
  }
  const tops = new Set(files.map(([path]) => path.split('/')[0]));
  const strip = tops.size === 1 && files.every(([path]) => path.includes('/'));
  const out = new Map<string, Uint8Array>();
  for (const [path, data] of files) {
    out.set(strip ? path.slice(path.indexOf('/') + 1) : posix.normalize(path), data);
  }
  if (out.size === 0) throw new Error(`download: ${url} is an empty archive`);
  return out;
}
