/**
 * The cached binary form of a {@link Dataset}: a safetensors file, keyed by the bytes of
 * the dataset's source files, so that a second load of the same files is a file read and
 * a few copies instead of the reader's parse.
 *
 * Layout of a cache file (`<cacheDir>/<name with / → __>-<key16>.safetensors`):
 * - every typed array of the Dataset is a tensor: `interactions.users` (i32),
 *   `interactions.items` (i32), `interactions.ratings` (f32), the same columns of each
 *   published split under `splits.<i>.train.` / `.test.` / `.valid.`, item categories,
 *   the category tree's parent links, leaf categories, dense features, user features and
 *   fixed test negatives;
 * - Float64 timestamps are stored as a u32 tensor of shape [n, 2] over the same bytes
 *   (safetensors has F64, but @rec/core reads only f32/i32/u32), so they round-trip bit
 *   for bit;
 * - Uint8 behaviours are packed four to a u32 word (shape [⌈n/4⌉], zero padding at the
 *   end): a quarter of the bytes of widening them to i32;
 * - a log that equals an earlier one column for column (published splits that share one
 *   train set, as tmall/mbcgcn's three do) is stored once; on load it is copied, or, when
 *   the dataset held the same Interactions object twice, that one object is reused, so the
 *   cached Dataset shares exactly what the freshly read one shared;
 * - everything that is not a typed array (the dataset name, id maps, behaviour names,
 *   category and item names, split names and descriptions, feature names and shapes) is
 *   one JSON string under the `__metadata__` key `dataset`; integer raw ids that fit
 *   int32 are a tensor (`userIds` / `itemIds`) instead, because that is the common case
 *   and reads faster than JSON.
 *
 * Arrays that can be derived (a tree's depths and children, `numCategories`) are rebuilt
 * on load through the same constructors the readers use, which re-check every invariant
 * (and the indexes the constructors do not know about, leaf categories, test negatives
 * and user feature codes, are range-checked here), so a cache file that decodes but is
 * inconsistent is reported rather than trusted.
 *
 * The cache is host-local: the key includes the host's byte order, so a cache directory
 * shared between machines of different endianness simply misses.
 *
 * Every cache file carries a checksum of itself (`__metadata__.payload`, `sha256:<hex>`:
 * the sha256 of the whole file with those 64 hex digits read as zeros), checked before
 * anything is decoded, so a flipped bit anywhere (tensor data, header, metadata) makes
 * the file a miss with one warning and a rebuild from the source files, never a quietly
 * different Dataset. Cost on a hit: one sha256 of the cache file (about 1 ms per MB: 14 ms for ml-100k's 16 MB).
 *
 * The source files themselves are verified on a miss ({@link readThroughCache}): sizes
 * and sha256 against the entry's MANIFEST table, gzip streams, the interaction count.
 * A hit needs no verification: its key covers exactly the bytes that were verified when
 * the file was written.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { endianness } from 'node:os';
import { dirname, join, posix, relative, sep } from 'node:path';
import { decodeSafetensors, encodeSafetensors, type NamedArray } from '@rec/core';
import { writeFileAtomic } from '@rec/core/node';
import type { Dataset, PublishedSplit } from './dataset.js';
import { createInteractions, IdMap, type Interactions, type RawId } from './interactions.js';
import { checkDatasetRows, verifyDatasetSources } from './integrity.js';
import type { DatasetEntry } from './readers/entry.js';
import { DATASETS } from './readers/index.js';
import { userCacheDir } from './locate.js';
import { CategoryTree } from './side-info/category-tree.js';
import { denseFeatures, type CategoricalFeature, type DenseFeatures, type UserFeatures } from './side-info/features.js';
import { ItemCategories } from './side-info/item-categories.js';

/**
 * Version of the cache file layout. It is part of every cache key, so bumping it when
 * the layout or the meaning of a field changes makes every older cache file miss.
 *
 * @example
 * ```ts
 * CACHE_FORMAT_VERSION; // 2
 * ```
 */
// 2: the file carries a sha256 of itself (`payload`); version 1 files had none.
export const CACHE_FORMAT_VERSION = 2;

/**
 * Any failure to turn a cache file back into a Dataset (or a Dataset into a cache file):
 * a missing or mistyped tensor, metadata that is not what this version writes, or a
 * decoded array that breaks an invariant. Callers treat it as "no usable cache".
 *
 * @example
 * ```ts
 * try {
 *   decodeDatasetCache(bytes);
 * } catch (err) {
 *   if (err instanceof DatasetCacheError) console.warn(err.message);
 * }
 * ```
 */
export class DatasetCacheError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetCacheError';
  }
}

/**
 * The folder of cached datasets: `datasets/` under {@link userCacheDir}
 * (`REC_CACHE_DIR`, else the per-user cache), never inside the data root, which
 * may be shared or read-only. Read on every call, so tests and benchmarks may
 * point it at a temporary folder.
 *
 * @example
 * ```ts
 * datasetCacheDir(); // '~/.cache/rec/cache/datasets' (under REC_CACHE_DIR when set)
 * ```
 */
export function datasetCacheDir(): string {
  return join(userCacheDir(), 'datasets');
}

/**
 * The source files a dataset's cache key covers, relative to the folder with `/`
 * separators, sorted: every regular file under the entry's folder, at any depth, except
 * names starting with a dot and files that another registry entry sharing the folder
 * requires and this one does not list. That is `entry.files` and everything else in the
 * folder a reader could touch: optional files (titles, splits, features) that `files`
 * does not require are covered, so editing any of them invalidates the cache; but
 * `tmall/mbcgcn` does not hash `tmall/mbgcn`'s files, nor `amazon-s3rec/Beauty` the
 * Sports and Toys ones.
 *
 * @param entry the registry entry (its name, folder and files; siblings are found in the registry).
 * @param folderDir the entry's folder, e.g. `<dataRoot>/ml-100k`.
 * @example
 * ```ts
 * await datasetSourceFiles(datasetEntry('ml-100k'), '/data/rec/ml-100k'); // ['MANIFEST.md', 'README', 'u.data.gz', …]
 * ```
 */
export async function datasetSourceFiles(entry: DatasetEntry, folderDir: string): Promise<string[]> {
  const own = new Set(entry.files.flat());
  const siblings = new Set(
    DATASETS.filter((other) => other.folder === entry.folder && other.name !== entry.name)
      .flatMap((other) => other.files.flat())
      .filter((file) => !own.has(file)),
  );
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const item of entries) {
      if (item.name.startsWith('.')) continue;
      const path = join(dir, item.name);
      if (item.isDirectory()) await walk(path);
      // A symbolic link is followed like the reader would follow it.
      else if (item.isFile() || (item.isSymbolicLink() && statSync(path).isFile())) {
        const file = relative(folderDir, path).split(sep).join(posix.sep);
        if (!siblings.has(file)) found.push(file);
      }
    }
  };
  await walk(folderDir);
  // Code-unit order, not locale order: the key must not depend on the machine's locale.
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** An entry may carry a reader version; bumping it makes old caches of that reader miss. */
function readerVersion(entry: DatasetEntry): string {
  const version = (entry as { readonly version?: unknown }).version;
  return typeof version === 'string' || typeof version === 'number' ? String(version) : '';
}

/**
 * The cache key of dataset `entry` read from `folderDir`: the hex sha256 over
 * {@link CACHE_FORMAT_VERSION}, the host byte order, the registry name, the reader's
 * version (an entry's optional `version` field) and, for each file of
 * {@link datasetSourceFiles} in order, its relative path, its length and its bytes.
 * Cost: one read and hash of every source file (a few ms for ml-100k's 6.5 MB).
 *
 * @example
 * ```ts
 * const key = await datasetCacheKey(datasetEntry('ml-100k'), '/data/rec/ml-100k');
 * key.length; // 64
 * ```
 */
export async function datasetCacheKey(entry: DatasetEntry, folderDir: string): Promise<string> {
  const hash = createHash('sha256');
  const field = (text: string): void => {
    hash.update(text);
    hash.update('\0');
  };
  field('rec.dataset-cache');
  field(String(CACHE_FORMAT_VERSION));
  field(endianness());
  field(entry.name);
  field(readerVersion(entry));
  // Synchronous reads, one file at a time: on a cache hit this is most of the I/O, and
  // readFile's chunked thread-pool round trips cost more than they overlap here.
  for (const file of await datasetSourceFiles(entry, folderDir)) {
    const bytes = readFileSync(join(folderDir, file));
    field(file);
    field(String(bytes.length));
    hash.update(bytes);
  }
  return hash.digest('hex');
}

/**
 * Where the cache file of registry name `name` with key `key` lives: `/` in the name
 * becomes `__` and the key is shortened to 16 hex digits (the full key is stored inside
 * the file and checked on load).
 *
 * @example
 * ```ts
 * datasetCachePath('/tmp/cache', 'tmall/mbcgcn', key); // '/tmp/cache/tmall__mbcgcn-3f2a…(16).safetensors'
 * ```
 */
export function datasetCachePath(cacheDir: string, name: string, key: string): string {
  return join(cacheDir, `${cacheStem(name)}-${key.slice(0, 16)}.safetensors`);
}

function cacheStem(name: string): string {
  return name.split('/').join('__');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------
// Encoding

/** What the `dataset` metadata JSON says about one {@link Interactions}. */
interface InteractionsLayout {
  numUsers: number;
  numItems: number;
  length: number;
  ratings: boolean;
  timestamps: boolean;
  behaviorNames?: string[];
  /**
   * Set when this log equals an earlier one column for column (several published splits
   * often share one train set): its tensors are not stored again, and loading copies
   * the earlier log's arrays, or, with `shared`, returns the earlier log itself.
   */
  copyOf?: string;
  /** The dataset held the very same Interactions object twice; keep that identity. */
  shared?: true;
}

type IdLayout = { kind: 'int32' } | { kind: 'number'; ids: number[] } | { kind: 'string'; ids: string[] };

interface SplitLayout {
  name: string;
  description: string;
  train: InteractionsLayout;
  test: InteractionsLayout;
  valid?: InteractionsLayout;
  testNegativesPerRow?: number;
}

/** The `dataset` metadata entry: everything of a Dataset that is not a typed array. */
interface DatasetLayout {
  format: number;
  name: string;
  interactions: InteractionsLayout;
  userIds: IdLayout;
  itemIds: IdLayout;
  splits: SplitLayout[];
  itemCategories?: { numItems: number; names: string[] };
  categoryTree?: { names: string[] };
  itemLeafCategory?: true;
  itemFeatures?: { name: string; rows: number; dim: number }[];
  userFeatures?: { categorical: { name: string; vocabulary: string[] }[]; numeric: string[] };
  itemNames?: string[];
}

const DATASET_FIELDS = new Set([
  'name', 'interactions', 'userIds', 'itemIds', 'splits', 'itemCategories', 'categoryTree',
  'itemLeafCategory', 'itemFeatures', 'userFeatures', 'itemNames',
]);
const INTERACTION_FIELDS = new Set([
  'numUsers', 'numItems', 'length', 'users', 'items', 'ratings', 'timestamps', 'behaviors', 'behaviorNames',
]);
const SPLIT_FIELDS = new Set(['train', 'test', 'valid', 'testNegatives', 'description']);

/** A field the cache does not know would be silently dropped; refuse instead. */
function checkFields(value: object, known: ReadonlySet<string>, where: string): void {
  for (const key of Object.keys(value)) {
    if (!known.has(key) && (value as Record<string, unknown>)[key] !== undefined) {
      throw new DatasetCacheError(
        `cannot cache ${where}.${key}: the cache format (version ${CACHE_FORMAT_VERSION}) does not store this field; add it to cache.ts and bump CACHE_FORMAT_VERSION`,
      );
    }
  }
}

function packBytes(bytes: Uint8Array): Uint32Array {
  const words = new Uint32Array(Math.ceil(bytes.length / 4));
  new Uint8Array(words.buffer).set(bytes);
  return words;
}

function unpackBytes(words: Uint32Array, length: number): Uint8Array {
  return new Uint8Array(words.buffer, words.byteOffset, length).slice();
}

function bytesOf(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

function sameColumn(a: ArrayBufferView | undefined, b: ArrayBufferView | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.constructor === b.constructor && (a === b || bytesOf(a).equals(bytesOf(b)));
}

function sameInteractions(a: Interactions, b: Interactions): boolean {
  return (
    a.length === b.length &&
    a.numUsers === b.numUsers &&
    a.numItems === b.numItems &&
    JSON.stringify(a.behaviorNames) === JSON.stringify(b.behaviorNames) &&
    sameColumn(a.users, b.users) &&
    sameColumn(a.items, b.items) &&
    sameColumn(a.ratings, b.ratings) &&
    sameColumn(a.timestamps, b.timestamps) &&
    sameColumn(a.behaviors, b.behaviors)
  );
}

/** The logs already stored in one cache file, by tensor prefix, to store repeats once. */
type StoredLogs = { prefix: string; log: Interactions }[];

function encodeInteractions(
  log: Interactions,
  prefix: string,
  tensors: Record<string, NamedArray>,
  where: string,
  stored: StoredLogs,
): InteractionsLayout {
  checkFields(log, INTERACTION_FIELDS, where);
  const n = log.length;
  const twin = stored.find((s) => s.log === log) ?? stored.find((s) => sameInteractions(s.log, log));
  if (twin !== undefined) {
    const layout: InteractionsLayout = {
      numUsers: log.numUsers,
      numItems: log.numItems,
      length: n,
      ratings: log.ratings !== undefined,
      timestamps: log.timestamps !== undefined,
      copyOf: twin.prefix,
    };
    if (twin.log === log) layout.shared = true;
    return layout;
  }
  stored.push({ prefix, log });
  tensors[`${prefix}.users`] = { dtype: 'i32', shape: [n], data: log.users };
  tensors[`${prefix}.items`] = { dtype: 'i32', shape: [n], data: log.items };
  if (log.ratings) tensors[`${prefix}.ratings`] = { dtype: 'f32', shape: [n], data: log.ratings };
  if (log.timestamps) {
    const ts = log.timestamps;
    tensors[`${prefix}.timestamps`] = { dtype: 'u32', shape: [n, 2], data: new Uint32Array(ts.buffer, ts.byteOffset, 2 * n) };
  }
  if (log.behaviors) tensors[`${prefix}.behaviors`] = { dtype: 'u32', shape: [Math.ceil(n / 4)], data: packBytes(log.behaviors) };
  const layout: InteractionsLayout = {
    numUsers: log.numUsers,
    numItems: log.numItems,
    length: n,
    ratings: log.ratings !== undefined,
    timestamps: log.timestamps !== undefined,
  };
  if (log.behaviorNames) layout.behaviorNames = [...log.behaviorNames];
  return layout;
}

function encodeIds(ids: IdMap, tensorName: string, tensors: Record<string, NamedArray>): IdLayout {
  const raw = ids.toArray();
  if (raw.length > 0 && typeof raw[0] === 'string') return { kind: 'string', ids: raw as string[] };
  const numbers = raw as number[];
  if (numbers.every((id) => Number.isInteger(id) && id >= -0x80000000 && id <= 0x7fffffff && !Object.is(id, -0))) {
    tensors[tensorName] = { dtype: 'i32', shape: [numbers.length], data: Int32Array.from(numbers) };
    return { kind: 'int32' };
  }
  return { kind: 'number', ids: numbers };
}

/**
 * Serialises `dataset` to the bytes of a cache file (see the module comment for the
 * layout). `key` is stored in the metadata so a load can tell a cache file of other
 * source files from its own even when the 16-digit file names collide.
 *
 * @throws DatasetCacheError when the dataset has a field this cache format does not store
 * (it would otherwise be lost on the next load).
 * @example
 * ```ts
 * const bytes = encodeDatasetCache(dataset, key);
 * const again = decodeDatasetCache(bytes, key); // deep-equals dataset
 * ```
 */
export function encodeDatasetCache(dataset: Dataset, key: string): Uint8Array {
  checkFields(dataset, DATASET_FIELDS, 'dataset');
  const tensors: Record<string, NamedArray> = {};
  const stored: StoredLogs = [];
  const layout: DatasetLayout = {
    format: CACHE_FORMAT_VERSION,
    name: dataset.name,
    interactions: encodeInteractions(dataset.interactions, 'interactions', tensors, 'dataset.interactions', stored),
    userIds: encodeIds(dataset.userIds, 'userIds', tensors),
    itemIds: encodeIds(dataset.itemIds, 'itemIds', tensors),
    splits: Object.entries(dataset.splits).map(([name, split], i) => encodeSplit(name, split, i, tensors, stored)),
  };
  const { itemCategories, categoryTree, itemLeafCategory, itemFeatures, userFeatures, itemNames } = dataset;
  if (itemCategories) {
    tensors['itemCategories.indptr'] = { dtype: 'i32', shape: [itemCategories.indptr.length], data: itemCategories.indptr };
    tensors['itemCategories.indices'] = { dtype: 'i32', shape: [itemCategories.indices.length], data: itemCategories.indices };
    layout.itemCategories = { numItems: itemCategories.numItems, names: [...itemCategories.names] };
  }
  if (categoryTree) {
    tensors['categoryTree.parents'] = { dtype: 'i32', shape: [categoryTree.size], data: categoryTree.parents };
    layout.categoryTree = { names: [...categoryTree.names] };
  }
  if (itemLeafCategory) {
    tensors.itemLeafCategory = { dtype: 'i32', shape: [itemLeafCategory.length], data: itemLeafCategory };
    layout.itemLeafCategory = true;
  }
  if (itemFeatures) {
    layout.itemFeatures = Object.entries(itemFeatures).map(([name, features], i) => {
      tensors[`itemFeatures.${i}`] = { dtype: 'f32', shape: [features.rows, features.dim], data: features.values };
      return { name, rows: features.rows, dim: features.dim };
    });
  }
  if (userFeatures) {
    layout.userFeatures = {
      categorical: Object.entries(userFeatures.categorical).map(([name, feature], i) => {
        tensors[`userFeatures.categorical.${i}`] = { dtype: 'i32', shape: [feature.codes.length], data: feature.codes };
        return { name, vocabulary: [...feature.vocabulary] };
      }),
      numeric: Object.entries(userFeatures.numeric).map(([name, values], i) => {
        tensors[`userFeatures.numeric.${i}`] = { dtype: 'f32', shape: [values.length], data: values };
        return name;
      }),
    };
  }
  if (itemNames) layout.itemNames = [...itemNames];
  try {
    const bytes = encodeSafetensors(tensors, {
      format: `rec.dataset/${CACHE_FORMAT_VERSION}`,
      key,
      dataset: JSON.stringify(layout),
      payload: `sha256:${PAYLOAD_PLACEHOLDER}`,
    });
    const at = payloadOffset(bytes, `sha256:${PAYLOAD_PLACEHOLDER}`);
    if (at < 0) throw new Error('the payload checksum placeholder is not in the header');
    bytes.set(Buffer.from(payloadDigest(bytes, at), 'latin1'), at);
    return bytes;
  } catch (err) {
    throw new DatasetCacheError(`cannot cache dataset ${dataset.name}: ${(err as Error).message}`);
  }
}

function encodeSplit(name: string, split: PublishedSplit, i: number, tensors: Record<string, NamedArray>, stored: StoredLogs): SplitLayout {
  const where = `dataset.splits[${JSON.stringify(name)}]`;
  checkFields(split, SPLIT_FIELDS, where);
  const prefix = `splits.${i}`;
  const layout: SplitLayout = {
    name,
    description: split.description,
    train: encodeInteractions(split.train, `${prefix}.train`, tensors, `${where}.train`, stored),
    test: encodeInteractions(split.test, `${prefix}.test`, tensors, `${where}.test`, stored),
  };
  if (split.valid) layout.valid = encodeInteractions(split.valid, `${prefix}.valid`, tensors, `${where}.valid`, stored);
  if (split.testNegatives) {
    const { perRow, items } = split.testNegatives;
    tensors[`${prefix}.testNegatives`] = { dtype: 'i32', shape: [items.length], data: items };
    layout.testNegativesPerRow = perRow;
  }
  return layout;
}

// ---------------------------------------------------------------------------------------
// Decoding

type TensorTable = Record<string, NamedArray>;

function take<D extends NamedArray['dtype']>(
  tensors: TensorTable,
  name: string,
  dtype: D,
  length: number,
): D extends 'f32' ? Float32Array : D extends 'i32' ? Int32Array : Uint32Array {
  const t = Object.hasOwn(tensors, name) ? tensors[name] : undefined;
  if (t === undefined) throw new DatasetCacheError(`tensor ${JSON.stringify(name)} is missing`);
  if (t.dtype !== dtype) throw new DatasetCacheError(`tensor ${JSON.stringify(name)} is ${t.dtype}, expected ${dtype}`);
  if (t.data.length !== length) {
    throw new DatasetCacheError(`tensor ${JSON.stringify(name)} has ${t.data.length} values, expected ${length}`);
  }
  return t.data as never;
}

/** The logs decoded so far from one cache file, by tensor prefix. */
type DecodedLogs = Map<string, Interactions>;

function decodeInteractions(tensors: TensorTable, prefix: string, layout: InteractionsLayout, decoded: DecodedLogs): Interactions {
  const log = decodeLog(tensors, prefix, layout, decoded);
  decoded.set(prefix, log);
  return log;
}

function decodeLog(tensors: TensorTable, prefix: string, layout: InteractionsLayout, decoded: DecodedLogs): Interactions {
  const n = layout.length;
  if (layout.copyOf !== undefined) {
    const twin = decoded.get(layout.copyOf);
    if (twin === undefined || twin.length !== n || twin.numUsers !== layout.numUsers || twin.numItems !== layout.numItems) {
      throw new DatasetCacheError(`${prefix} is a copy of ${JSON.stringify(layout.copyOf)}, which is missing or differs in size`);
    }
    if (layout.shared) return twin;
    // Copies, not shared arrays: the reader gave each split its own arrays, and code that
    // shuffles one split's columns in place must not change another. The twin was
    // validated when it was decoded, so its copy needs no second pass.
    const copy: {
      -readonly [K in keyof Interactions]: Interactions[K];
    } = { numUsers: twin.numUsers, numItems: twin.numItems, length: n, users: twin.users.slice(), items: twin.items.slice() };
    if (twin.ratings) copy.ratings = twin.ratings.slice();
    if (twin.timestamps) copy.timestamps = twin.timestamps.slice();
    if (twin.behaviors) copy.behaviors = twin.behaviors.slice();
    if (twin.behaviorNames) copy.behaviorNames = [...twin.behaviorNames];
    return copy;
  }
  const words = layout.timestamps ? take(tensors, `${prefix}.timestamps`, 'u32', 2 * n) : undefined;
  const packed = layout.behaviorNames ? take(tensors, `${prefix}.behaviors`, 'u32', Math.ceil(n / 4)) : undefined;
  try {
    // createInteractions re-checks every index and value, so a cache file that decodes
    // but does not describe a valid log fails here instead of inside a kernel.
    return createInteractions({
      users: take(tensors, `${prefix}.users`, 'i32', n),
      items: take(tensors, `${prefix}.items`, 'i32', n),
      ratings: layout.ratings ? take(tensors, `${prefix}.ratings`, 'f32', n) : undefined,
      // decodeSafetensors returns fresh arrays at offset 0, so the buffer is 8-byte aligned.
      timestamps: words ? new Float64Array(words.buffer, words.byteOffset, n) : undefined,
      behaviors: packed ? unpackBytes(packed, n) : undefined,
      behaviorNames: layout.behaviorNames,
      numUsers: layout.numUsers,
      numItems: layout.numItems,
    });
  } catch (err) {
    if (err instanceof DatasetCacheError) throw err;
    throw new DatasetCacheError(`${prefix}: ${(err as Error).message}`);
  }
}

/** What the payload checksum's 64 hex digits are read as while hashing. */
const PAYLOAD_PLACEHOLDER = '0'.repeat(64);

/**
 * Where the hex digits of metadata value `value` (`sha256:<hex>`) start in the file, or
 * -1: searched in the header only, as the JSON string `"<value>"`.
 */
function payloadOffset(bytes: Uint8Array, value: string): number {
  if (bytes.length < 8) return -1;
  const declared = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  const end = Number(declared > BigInt(bytes.length - 8) ? BigInt(bytes.length) : 8n + declared);
  const at = Buffer.from(bytes.buffer, bytes.byteOffset, end).indexOf(`"${value}"`, 8, 'latin1');
  return at < 0 ? -1 : at + 1 + 'sha256:'.length;
}

/** sha256 of the file with the 64 bytes at `at` (the checksum's digits) read as '0's. */
function payloadDigest(bytes: Uint8Array, at: number): string {
  return createHash('sha256')
    .update(bytes.subarray(0, at))
    .update(PAYLOAD_PLACEHOLDER)
    .update(bytes.subarray(at + PAYLOAD_PLACEHOLDER.length))
    .digest('hex');
}

/** Throws unless the file's `payload` checksum matches its bytes. */
function checkPayload(bytes: Uint8Array, value: string | undefined): void {
  if (value === undefined || !/^sha256:[0-9a-f]{64}$/.test(value)) {
    throw new DatasetCacheError(`metadata "payload" is ${JSON.stringify(value)}, not a sha256 checksum`);
  }
  const at = payloadOffset(bytes, value);
  if (at < 0) throw new DatasetCacheError('the payload checksum is not where the header keeps it');
  const found = payloadDigest(bytes, at);
  if (found !== value.slice('sha256:'.length)) {
    throw new DatasetCacheError(`its checksum does not match its bytes (stored ${value}, computed sha256:${found}): the file is damaged`);
  }
}

function decodeIds(tensors: TensorTable, name: string, layout: IdLayout): IdMap {
  if (layout.kind === 'int32') {
    const t = Object.hasOwn(tensors, name) ? tensors[name] : undefined;
    if (t === undefined || t.dtype !== 'i32') throw new DatasetCacheError(`tensor ${JSON.stringify(name)} is missing or not i32`);
    return new IdMap<RawId>(t.data);
  }
  if (!Array.isArray(layout.ids)) throw new DatasetCacheError(`${name}: ids must be an array`);
  return new IdMap<RawId>(layout.ids);
}

/**
 * Turns the bytes of a cache file back into a Dataset. With `expectedKey`, a file whose
 * stored key differs is refused (it was written for other source files). The file's
 * payload checksum is checked first (one sha256 of `bytes`).
 *
 * @throws DatasetCacheError naming what is wrong: not safetensors, another format version,
 * a checksum that does not match the bytes, another key, a missing or mistyped tensor, or arrays that break a Dataset invariant.
 * @example
 * ```ts
 * const dataset = decodeDatasetCache(new Uint8Array(await readFile(path)), key);
 * ```
 */
export function decodeDatasetCache(bytes: Uint8Array, expectedKey?: string): Dataset {
  let tensors: TensorTable;
  let metadata: Record<string, string>;
  try {
    ({ tensors, metadata } = decodeSafetensors(bytes));
  } catch (err) {
    throw new DatasetCacheError((err as Error).message);
  }
  if (metadata.format !== `rec.dataset/${CACHE_FORMAT_VERSION}`) {
    throw new DatasetCacheError(`format is ${JSON.stringify(metadata.format)}, expected "rec.dataset/${CACHE_FORMAT_VERSION}"`);
  }
  checkPayload(bytes, metadata.payload);
  if (expectedKey !== undefined && metadata.key !== expectedKey) {
    throw new DatasetCacheError(`it was written for source files with key ${metadata.key}, not ${expectedKey}`);
  }
  let layout: DatasetLayout;
  try {
    layout = JSON.parse(metadata.dataset ?? '') as DatasetLayout;
  } catch (err) {
    throw new DatasetCacheError(`metadata "dataset" is not JSON: ${(err as Error).message}`);
  }
  try {
    return decodeLayout(tensors, layout);
  } catch (err) {
    if (err instanceof DatasetCacheError) throw err;
    // A TypeError from a malformed layout (a missing array, a wrong type) or an invariant
    // error from a side-info constructor: either way the file is not usable.
    throw new DatasetCacheError((err as Error).message);
  }
}

/** Throws unless every value of `values` lies in [lo, hi). */
function checkRange(values: Int32Array, lo: number, hi: number, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (values[i] < lo || values[i] >= hi) throw new DatasetCacheError(`${what}[${i}] = ${values[i]} is outside [${lo}, ${hi})`);
  }
}

function decodeLayout(tensors: TensorTable, layout: DatasetLayout): Dataset {
  if (layout === null || typeof layout !== 'object' || layout.format !== CACHE_FORMAT_VERSION) {
    throw new DatasetCacheError(`metadata "dataset" is not a version ${CACHE_FORMAT_VERSION} layout`);
  }
  const splits: Record<string, PublishedSplit> = {};
  const decoded: DecodedLogs = new Map();
  const interactions = decodeInteractions(tensors, 'interactions', layout.interactions, decoded);
  layout.splits.forEach((s, i) => {
    const prefix = `splits.${i}`;
    const split: {
      -readonly [K in keyof PublishedSplit]: PublishedSplit[K];
    } = {
      train: decodeInteractions(tensors, `${prefix}.train`, s.train, decoded),
      test: decodeInteractions(tensors, `${prefix}.test`, s.test, decoded),
      description: s.description,
    };
    if (s.valid) split.valid = decodeInteractions(tensors, `${prefix}.valid`, s.valid, decoded);
    if (s.testNegativesPerRow !== undefined) {
      const t = Object.hasOwn(tensors, `${prefix}.testNegatives`) ? tensors[`${prefix}.testNegatives`] : undefined;
      if (t === undefined || t.dtype !== 'i32') throw new DatasetCacheError(`tensor "${prefix}.testNegatives" is missing or not i32`);
      const perRow = s.testNegativesPerRow;
      const items = t.data as Int32Array;
      if (!Number.isSafeInteger(perRow) || perRow < 0 || (perRow === 0 ? items.length !== 0 : items.length % perRow !== 0)) {
        throw new DatasetCacheError(`${prefix}.testNegatives holds ${items.length} items, not a multiple of ${perRow} per row`);
      }
      checkRange(items, 0, interactions.numItems, `${prefix}.testNegatives`);
      split.testNegatives = { perRow, items };
    }
    Object.defineProperty(splits, s.name, { value: split, enumerable: true, writable: true, configurable: true });
  });

  const dataset: {
    -readonly [K in keyof Dataset]: Dataset[K];
  } = {
    name: layout.name,
    interactions,
    userIds: decodeIds(tensors, 'userIds', layout.userIds),
    itemIds: decodeIds(tensors, 'itemIds', layout.itemIds),
    splits,
  };
  if (layout.itemCategories) {
    const { numItems, names } = layout.itemCategories;
    const indptr = take(tensors, 'itemCategories.indptr', 'i32', numItems + 1);
    const all = Object.hasOwn(tensors, 'itemCategories.indices') ? tensors['itemCategories.indices'] : undefined;
    if (all === undefined || all.dtype !== 'i32') throw new DatasetCacheError('tensor "itemCategories.indices" is missing or not i32');
    dataset.itemCategories = new ItemCategories({ numItems, names, indptr, indices: all.data as Int32Array }, 'cached item categories');
  }
  if (layout.categoryTree) {
    const { names } = layout.categoryTree;
    dataset.categoryTree = CategoryTree.fromParents(names, take(tensors, 'categoryTree.parents', 'i32', names.length), 'cached category tree');
  }
  if (layout.itemLeafCategory) {
    const t = Object.hasOwn(tensors, 'itemLeafCategory') ? tensors.itemLeafCategory : undefined;
    if (t === undefined || t.dtype !== 'i32') throw new DatasetCacheError('tensor "itemLeafCategory" is missing or not i32');
    checkRange(t.data as Int32Array, -1, dataset.categoryTree?.size ?? 0x7fffffff, 'itemLeafCategory');
    dataset.itemLeafCategory = t.data as Int32Array;
  }
  if (layout.itemFeatures) {
    const features: Record<string, DenseFeatures> = {};
    layout.itemFeatures.forEach(({ name, rows, dim }, i) => {
      const values = take(tensors, `itemFeatures.${i}`, 'f32', rows * dim);
      Object.defineProperty(features, name, {
        value: denseFeatures(rows, dim, values, `cached item features ${name}`),
        enumerable: true, writable: true, configurable: true,
      });
    });
    dataset.itemFeatures = features;
  }
  if (layout.userFeatures) {
    const categorical: Record<string, CategoricalFeature> = {};
    const numeric: Record<string, Float32Array> = {};
    layout.userFeatures.categorical.forEach(({ name, vocabulary }, i) => {
      const t = Object.hasOwn(tensors, `userFeatures.categorical.${i}`) ? tensors[`userFeatures.categorical.${i}`] : undefined;
      if (t === undefined || t.dtype !== 'i32') throw new DatasetCacheError(`tensor "userFeatures.categorical.${i}" is missing or not i32`);
      checkRange(t.data as Int32Array, -1, vocabulary.length, `userFeatures.categorical.${name}`);
      Object.defineProperty(categorical, name, { value: { codes: t.data, vocabulary }, enumerable: true, writable: true, configurable: true });
    });
    layout.userFeatures.numeric.forEach((name, i) => {
      const t = Object.hasOwn(tensors, `userFeatures.numeric.${i}`) ? tensors[`userFeatures.numeric.${i}`] : undefined;
      if (t === undefined || t.dtype !== 'f32') throw new DatasetCacheError(`tensor "userFeatures.numeric.${i}" is missing or not f32`);
      Object.defineProperty(numeric, name, { value: t.data, enumerable: true, writable: true, configurable: true });
    });
    const userFeatures: UserFeatures = { categorical, numeric };
    dataset.userFeatures = userFeatures;
  }
  if (layout.itemNames) dataset.itemNames = layout.itemNames;
  return dataset;
}

// ---------------------------------------------------------------------------------------
// Read through the cache

/**
 * How {@link readThroughCache} finds and reports its cache.
 * @example
 * ```ts
 * const options: DatasetCacheOptions = { cacheDir: '/tmp/rec-cache', warn: (line) => log.push(line) };
 * ```
 */
export interface DatasetCacheOptions {
  /** Folder of cache files; created when missing. */
  readonly cacheDir: string;
  /** Where the one-line warnings go (a corrupt cache file, a cache that cannot be written). Default `console.warn`. */
  readonly warn?: (line: string) => void;
}

/**
 * What {@link readThroughCache} did.
 * @example
 * ```ts
 * const { dataset, hit } = await readThroughCache(entry, dir, { cacheDir });
 * console.log(hit ? 'from cache' : 'read and cached');
 * ```
 */
export interface CachedRead {
  readonly dataset: Dataset;
  /** True when the dataset came from the cache file. */
  readonly hit: boolean;
  /** The cache file for these source files (written after a miss unless writing failed). */
  readonly path: string;
  /** The full cache key ({@link datasetCacheKey}). */
  readonly key: string;
}

/**
 * Reads dataset `entry` from `folderDir` through the cache: computes the key of the
 * source files, returns the cached Dataset when its file is there and sound, else calls
 * `entry.read(folderDir)` and writes the cache file (to a temporary name, then renamed,
 * so a reader never sees half a file; other cache files of the same name are removed).
 *
 * On a miss the source files are verified first ({@link readVerified}); a file that does
 * not match its MANIFEST is an error, and nothing is cached.
 *
 * A cache file that cannot be decoded, or whose checksum does not match its bytes, is
 * ignored with one warning line and rebuilt. A
 * cache that cannot be written (read-only folder, full disk) or a dataset with a field
 * the format cannot store costs one warning line; the freshly read dataset is returned.
 *
 * @example
 * ```ts
 * const entry = datasetEntry('ml-100k');
 * const { dataset, hit } = await readThroughCache(entry, '/data/rec/ml-100k', { cacheDir: datasetCacheDir() });
 * ```
 */
export async function readThroughCache(entry: DatasetEntry, folderDir: string, options: DatasetCacheOptions): Promise<CachedRead> {
  const warn = options.warn ?? ((line: string) => console.warn(line));
  const key = await datasetCacheKey(entry, folderDir);
  const path = datasetCachePath(options.cacheDir, entry.name, key);

  let bytes: Uint8Array | undefined;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') {
      warn(`rec: ignoring dataset cache ${path}: ${(err as Error).message}; reading ${entry.name} from its source files`);
    }
  }
  if (bytes !== undefined) {
    try {
      return { dataset: decodeDatasetCache(bytes, key), hit: true, path, key };
    } catch (err) {
      warn(`rec: ignoring corrupt dataset cache ${path} (${(err as Error).message}); rebuilding it from ${folderDir}`);
    }
  }

  const dataset = await readVerified(entry, folderDir);
  let encoded: Uint8Array | undefined;
  try {
    encoded = encodeDatasetCache(dataset, key);
  } catch (err) {
    warn(`rec: not caching ${entry.name}: ${(err as Error).message}`);
  }
  if (encoded !== undefined) await writeCacheFile(path, encoded, entry.name, warn);
  return { dataset, hit: false, path, key };
}

/**
 * Reads registered dataset `entry` from `folderDir` after verifying its source files
 * (sizes and sha256 against `entry.checksums`, whole gzip streams for the others), then
 * checks the interaction count against `entry.expectedInteractions`. What
 * {@link readThroughCache} does on a miss and `readDataset` does without the cache.
 *
 * Cost on top of `entry.read`: one read and sha256 of the source files (ml-100k: about
 * 6.5 MB) plus an inflate of any gzip file no checksum lists.
 *
 * @throws Error naming the file that does not match its MANIFEST (expected and found size
 * and sha256), the gzip file that is truncated or corrupt, or the count that is short.
 * @example
 * ```ts
 * const ml = await readVerified(datasetEntry('ml-100k'), '/data/rec/ml-100k');
 * ```
 */
export async function readVerified(entry: DatasetEntry, folderDir: string): Promise<Dataset> {
  await verifyDatasetSources(entry, folderDir, await datasetSourceFiles(entry, folderDir));
  const dataset = await entry.read(folderDir);
  checkDatasetRows(entry, dataset, folderDir);
  return dataset;
}

async function writeCacheFile(path: string, bytes: Uint8Array, name: string, warn: (line: string) => void): Promise<void> {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
    // Temporary name, fsync, rename: a reader (or the next run after a crash)
    // sees the old cache file or the complete new one; on error nothing is left.
    await writeFileAtomic(path, bytes);
  } catch (err) {
    warn(`rec: could not write dataset cache ${path}: ${(err as Error).message}; continuing without it`);
    return;
  }
  // Older cache files of this dataset belong to source files that are no longer there.
  const mine = new RegExp(`^${escapeRegExp(cacheStem(name))}-[0-9a-f]{16}\\.safetensors$`);
  const own = path.slice(dir.length + 1);
  try {
    for (const file of readdirSync(dir)) {
      if (file !== own && mine.test(file)) unlinkSync(join(dir, file));
    }
  } catch {
    // Best effort: a stale file left behind only costs disk space.
  }
}
