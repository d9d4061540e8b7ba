/**
 * Your own data as a {@link Dataset}: a small YAML (or JSON) file that says where the
 * interaction log is, which of its columns hold what, and which side files go with it
 * (item categories or category paths, dense item features, user features, published
 * splits). {@link readDatasetFile} reads it into the same `Dataset` the registered
 * readers return, so every model, splitter and `rec` command works on it unchanged.
 *
 * ```yaml
 * name: my-shop                    # optional; default the file's base name
 * interactions:
 *   path: events.csv               # CSV, TSV, Parquet or JSON lines; .gz ok; relative to this file
 *   columns: { user: customer_id, item: sku, rating: stars, timestamp: ts, behavior: event }
 *   behaviors: [view, cart, buy]   # optional funnel order, target last
 * items:
 *   categories:                    # one row per (item, category) …
 *     path: item_categories.csv
 *     columns: { item: sku, category: category }
 *     separator: " > "             # … or, with a separator, a category path per row → a CategoryTree
 *   features:                      # dense matrices by name
 *     image: { path: image.npy, ids: item_ids.txt }   # .npy rows aligned to an id list (one id per line)
 *     text: { path: text.csv, columns: { item: sku } } # a table: every other column is a dimension
 * users:
 *   features:
 *     path: users.csv
 *     columns: { user: id }
 *     categorical: [gender, zip]   # optional; default: columns of numbers numeric, the others categorical
 * splits:                          # optional published splits, read with the interactions' columns
 *   default: { train: train.csv, test: test.csv, valid: valid.csv }
 * ```
 *
 * Node only (file system, DuckDB): exported from `@rec/data/node`.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import type { Dataset, PublishedSplit } from '../dataset.js';
import { openDuckDB, sqlString } from '../duckdb.js';
import { checkGzipStream } from '../integrity.js';
import { parseSplitSpec } from '../protocols.js';
import type { IdMap, RawId } from '../interactions.js';
import { readNpy } from '../npy-file.js';
import { CategoryTree } from '../side-info/category-tree.js';
import { denseFeatures, type CategoricalFeature, type DenseFeatures, type UserFeatures } from '../side-info/features.js';
import { ItemCategories } from '../side-info/item-categories.js';
import { readInteractionsFile, type InteractionColumnMapping, type InteractionFileFormat } from './generic.js';

// ---------------------------------------------------------------------------------------
// schema

/** A strict object whose unknown-field error lists the allowed fields. */
function strict<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown field; allowed: ${Object.keys(shape).join(', ')}` : undefined),
  });
}

const FORMAT = z.enum(['csv', 'tsv', 'parquet', 'jsonl']);
const COLUMN = z.union([z.string().min(1), z.number().int().min(0)]);
const PATH = z.string().min(1);
const TABLE_LAYOUT = { format: FORMAT.optional(), delimiter: z.string().min(1).max(4).optional() };

const INTERACTIONS = strict({
  path: PATH,
  ...TABLE_LAYOUT,
  header: z.boolean().optional(),
  quote: z.string().max(1).optional(),
  encoding: z.enum(['utf-8', 'latin-1']).optional(),
  columns: strict({
    user: COLUMN,
    item: COLUMN,
    rating: COLUMN.optional(),
    timestamp: COLUMN.optional(),
    time: COLUMN.optional(),
    behavior: COLUMN.optional(),
  }),
  behaviors: z.array(z.string().min(1)).min(1).optional(),
});

const CATEGORIES = strict({
  path: PATH,
  ...TABLE_LAYOUT,
  columns: strict({ item: z.string().min(1), category: z.string().min(1) }),
  separator: z.string().min(1).optional(),
});

const FEATURE = strict({
  path: PATH,
  ...TABLE_LAYOUT,
  ids: PATH.optional(),
  columns: strict({ item: z.string().min(1) }).optional(),
});

const USER_FEATURES = strict({
  path: PATH,
  ...TABLE_LAYOUT,
  columns: strict({ user: z.string().min(1) }),
  numeric: z.array(z.string().min(1)).optional(),
  categorical: z.array(z.string().min(1)).optional(),
});

const SPLIT_FILES = strict({ train: PATH, test: PATH, valid: PATH.optional(), description: z.string().min(1).optional() });

const SPLIT_NAME_RULE = 'a split name is letters, digits, ".", "_" and "-", and not a protocol (leave-last-out, random, kfold, …)';

/** Whether `--split <name>` would find this published split (it is not a protocol keyword). */
function isSplitName(name: string): boolean {
  try {
    return parseSplitSpec(name).kind === 'published';
  } catch {
    return false;
  }
}

const DATASET_FILE = strict({
  name: z.string().min(1).optional(),
  interactions: INTERACTIONS,
  items: strict({
    categories: CATEGORIES.optional(),
    // One source ({ path, … }) or sources by name; checked in normaliseFeatures.
    features: z.record(z.string().min(1), z.unknown()).optional(),
  }).optional(),
  users: strict({ features: USER_FEATURES.optional() }).optional(),
  splits: z.record(z.string().refine(isSplitName, SPLIT_NAME_RULE), SPLIT_FILES).optional(),
});

/**
 * A dataset description file as {@link readDatasetFile} reads it (after YAML/JSON
 * parsing and validation). Paths are relative to the file. See the module comment for
 * an example and each field's TSDoc in the README's "Your own data".
 * @example
 * ```ts
 * const file: DatasetFile = { interactions: { path: 'events.csv', columns: { user: 'u', item: 'i' } } };
 * ```
 */
export type DatasetFile = z.infer<typeof DATASET_FILE>;
type FeatureSource = z.infer<typeof FEATURE>;

/** The value at `path` inside `value`, or undefined. */
function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let at = value;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}

/**
 * One line for a failed check: the file, the field path, what was wrong. An unknown
 * field is reported first (a misspelt key also makes the right one "missing").
 */
function fieldError(file: string, value: unknown, issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): Error {
  const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0]!;
  const path = [...issue.path, ...(issue.code === 'unrecognized_keys' ? [issue.keys[0]!] : [])];
  const missing = issue.code !== 'unrecognized_keys' && valueAt(value, issue.path) === undefined;
  const field = [...prefix, ...path].map(String).join('.') || 'the top level';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  const what = missing ? 'required field is missing' : issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
  return new Error(`readDatasetFile: ${file}: ${field}: ${what}${more}`);
}

function check<T>(schema: z.ZodType<T>, value: unknown, file: string, prefix: readonly PropertyKey[] = []): T {
  const result = schema.safeParse(value);
  if (!result.success) throw fieldError(file, value, result.error.issues, prefix);
  return result.data;
}

/** `items.features` as sources by name: one `{ path, … }` is named after its file. */
function normaliseFeatures(raw: Record<string, unknown>, file: string): [string, FeatureSource][] {
  if (typeof raw.path === 'string') return [[stem(raw.path), check(FEATURE, raw, file, ['items', 'features'])]];
  return Object.entries(raw).map(([name, value]) => [name, check(FEATURE, value, file, ['items', 'features', name])]);
}

/** A file name without its directory and extensions (`events.csv.gz` → `events`). */
function stem(path: string): string {
  return basename(path).replace(/(\.(gz|npy|csv|tsv|tab|parquet|jsonl|ndjson|txt|ya?ml|json))+$/i, '');
}

// ---------------------------------------------------------------------------------------
// side tables

const TABLE_EXTENSIONS: Readonly<Record<string, InteractionFileFormat>> = {
  '.csv': 'csv', '.tsv': 'tsv', '.tab': 'tsv', '.parquet': 'parquet', '.jsonl': 'jsonl', '.ndjson': 'jsonl',
};

function tableFormat(path: string, given: InteractionFileFormat | undefined, context: string): InteractionFileFormat {
  if (given !== undefined) return given;
  const bare = path.toLowerCase().replace(/\.gz$/, '');
  for (const [extension, format] of Object.entries(TABLE_EXTENSIONS)) if (bare.endsWith(extension)) return format;
  throw new Error(`${context}: cannot tell the format from the file name; add format: csv | tsv | parquet | jsonl`);
}

/** A side table: its column names and every value as text ('' for an empty or null value). */
interface SideTable {
  readonly names: readonly string[];
  readonly length: number;
  readonly columns: Readonly<Record<string, string[]>>;
}

function requireFile(path: string, context: string): void {
  if (!existsSync(path)) throw new Error(`${context}: file not found: ${path}`);
  if (!statSync(path).isFile()) throw new Error(`${context}: not a file: ${path}`);
  if (statSync(path).size === 0) throw new Error(`${context}: the file is empty: ${path}`);
}

/**
 * Reads a small side file (CSV/TSV with a header line, Parquet, JSON lines) with DuckDB,
 * every value as text. Side files are catalogue-sized, so all columns come back.
 */
async function readSideTable(path: string, layout: { format?: InteractionFileFormat; delimiter?: string }, context: string): Promise<SideTable> {
  requireFile(path, context);
  await checkGzipStream(path, context);
  const format = tableFormat(path, layout.format, context);
  let source: string;
  if (format === 'csv' || format === 'tsv') {
    const delimiter = layout.delimiter ?? (format === 'csv' ? ',' : '\t');
    // Delimiter, quoting and header are stated, not sniffed (see readInteractionsFile).
    source = `read_csv(${sqlString(path)}, delim = ${sqlString(delimiter)}, quote = '"', escape = '"', header = true,
      all_varchar = true, skip = 0, strict_mode = true, null_padding = false)`;
  } else if (format === 'jsonl') {
    source = `read_json(${sqlString(path)}, format = 'newline_delimited')`;
  } else {
    source = `read_parquet(${sqlString(path)})`;
  }
  const db = await openDuckDB();
  try {
    const where = `${context}: ${path}`;
    const schema = await db.queryColumns(`SELECT column_name FROM (DESCRIBE SELECT * FROM ${source})`, { column_name: 'string' }, where);
    const names = schema.columns.column_name;
    const spec = Object.fromEntries(names.map((name, k) => [`c${k}`, 'string' as const]));
    const select = names.map((name, k) => `coalesce(trim(CAST("${name.replaceAll('"', '""')}" AS VARCHAR)), '') AS c${k}`);
    const { length, columns } = await db.queryColumns(`SELECT ${select.join(', ')} FROM ${source}`, spec, where);
    if (length === 0) throw new Error(`${where}: the file has no data rows`);
    return { names, length, columns: Object.fromEntries(names.map((name, k) => [name, columns[`c${k}`] as string[]])) };
  } finally {
    db.close();
  }
}

/** Column `name` of `table`, or an error naming the file, the field and the columns there are. */
function columnOf(table: SideTable, name: string, field: string, context: string): string[] {
  const column = Object.hasOwn(table.columns, name) ? table.columns[name] : undefined;
  if (column === undefined) {
    throw new Error(`${context}: missing column ${JSON.stringify(name)} (${field}); the file has ${table.names.map((n) => JSON.stringify(n)).join(', ')}`);
  }
  return column;
}

/** The index of raw id text in `ids` (numbers compare as numbers, as the interaction reader decided), or −1. */
function indexOfText(ids: IdMap<RawId>, text: string): number {
  if (ids.size === 0) return -1;
  if (typeof ids.idOf(0) === 'number') return /^-?\d+$/.test(text) ? ids.indexOf(Number(text)) : -1;
  return ids.indexOf(text);
}

/** Collects ids of a side file missing from the interactions, for one warning line. */
class UnknownIds {
  private readonly seen = new Set<string>();
  add(id: string): void {
    this.seen.add(id);
  }
  report(warn: (line: string) => void, context: string, kind: 'item' | 'user', field: string): void {
    if (this.seen.size === 0) return;
    const first = [...this.seen].slice(0, 3).map((id) => JSON.stringify(id)).join(', ');
    warn(
      `${context} (${field}): ${this.seen.size} ${kind} id${this.seen.size > 1 ? 's' : ''} not in the interactions ` +
        `(${first}${this.seen.size > 3 ? ', …' : ''}); their rows are ignored`,
    );
  }
}

// ---------------------------------------------------------------------------------------
// the reader

/**
 * Options of {@link readDatasetFile}.
 * @example
 * ```ts
 * const warnings: string[] = [];
 * await readDatasetFile('shop.yaml', { warn: (line) => warnings.push(line) });
 * ```
 */
export interface ReadDatasetFileOptions {
  /**
   * Where one-line warnings go: side-file rows of items or users that are not in the
   * interactions (ignored), and items or users with no row in a feature file (zeros /
   * missing). Default `console.warn`.
   */
  readonly warn?: (line: string) => void;
}

/**
 * Reads a dataset description file (YAML or JSON; format in the module comment and the
 * README's "Your own data") into a {@link Dataset}: the interaction log through
 * `readInteractionsFile` (DuckDB; CSV, TSV, Parquet, JSON lines, gzipped or not),
 * users and items indexed in sorted raw-id order, and the side information it names.
 *
 * How each part is read, and the choices made:
 * - **interactions** (required): `columns` maps `user` and `item` (required) and
 *   `rating`, `timestamp` (or its alias `time`), `behavior` to the file's columns, by
 *   header name or 0-based position; `behaviors` fixes the funnel order (target last),
 *   otherwise the behaviour names are sorted. `format`, `delimiter`, `header`, `quote`,
 *   `encoding` are passed on. The log defines the user and item index spaces.
 * - **items.categories**: a table with an item column and a category column, one row per
 *   (item, category) → `itemCategories` (multi-label, names in first-seen order). With
 *   `separator`, each category value is a coarse-to-fine path (`Clothing > Shoes`): the
 *   paths build `categoryTree` (one node per path prefix, `CategoryTree.fromPaths`),
 *   `itemLeafCategory` is the leaf of an item's first path row (−1 for items without
 *   one), and `itemCategories` holds the leaves of all of its paths (category index =
 *   tree node).
 * - **items.features**: dense matrices by name (one `{ path, … }` is named after its
 *   file). A `.npy` (or `.npy.gz`, float or int, 1-D or 2-D) needs `ids`, a text file of
 *   one item id per line aligned with its rows; a table needs `columns.item`, and every
 *   other column is a dimension (numbers). Items of the log without a row get zeros (and
 *   a warning).
 * - **users.features**: a table with `columns.user`; the other columns (or those listed
 *   in `numeric` / `categorical`) become `userFeatures`: numeric ones as float32 (NaN
 *   where missing), categorical ones as codes into their sorted values (−1 where missing).
 *   Without lists, a column whose non-empty values are all numbers is numeric.
 * - **splits**: published splits as file pairs (`train`, `test`, optional `valid`),
 *   read with the interactions' columns and layout and over its id maps, so an unknown
 *   user or item in a split file is an error naming its line.
 * - **Ids in side files that the log does not have are ignored, with one warning per
 *   file** (through `options.warn`) rather than an error: catalogues and user tables
 *   routinely list items nobody interacted with, and the log defines what a model can
 *   learn. A repeated id in a feature file is an error (which row would be meant?).
 *
 * Cost: one DuckDB read per file; the log as in `readInteractionsFile` (about 2 µs a
 * row), side files are read whole as text, so keep them catalogue-sized.
 *
 * @param path the dataset file (`.yaml`, `.yml` or `.json`).
 * @param options where warnings go.
 * @returns a {@link Dataset} named `name` (default the file's base name).
 * @throws Error, one line naming the dataset file and the field (`interactions.columns.usr:
 * unknown field; allowed: user, item, …`), or the data file, field and line or row: invalid
 * YAML, an unknown or mistyped field, a missing file or column, a value that is not a
 * number, a feature file whose rows do not match its ids.
 * @example
 * ```ts
 * const shop = await readDatasetFile('data/shop.yaml');
 * shop.interactions.behaviorNames; // ['view', 'cart', 'buy']
 * shop.categoryTree?.levels;       // 3
 * const split = resolveSplit(shop, defaultSplitSpec(shop));
 * ```
 */
export async function readDatasetFile(path: string, options: ReadDatasetFileOptions = {}): Promise<Dataset> {
  const warn = options.warn ?? ((line: string) => console.warn(line));
  const file = resolve(path);
  const dir = dirname(file);
  requireFile(file, 'readDatasetFile');
  const text = await readFile(file, 'utf8');
  const document = parseDocument(text, { prettyErrors: false });
  if (document.errors.length > 0) {
    const error = document.errors[0]!;
    const line = text.slice(0, error.pos[0]).split('\n').length;
    throw new Error(`readDatasetFile: ${file}, line ${line}: invalid YAML/JSON: ${error.message.split('\n')[0]}`);
  }
  const spec = check(DATASET_FILE, document.toJS(), file);
  const at = (relative: string): string => resolve(dir, relative);

  // Interactions.
  const { columns: given } = spec.interactions;
  if (given.time !== undefined && given.timestamp !== undefined) {
    throw new Error(`readDatasetFile: ${file}: interactions.columns: give timestamp or its alias time, not both`);
  }
  const columns: InteractionColumnMapping = {
    user: given.user,
    item: given.item,
    ...(given.rating !== undefined ? { rating: given.rating } : {}),
    ...((given.timestamp ?? given.time) !== undefined ? { timestamp: (given.timestamp ?? given.time)! } : {}),
    ...(given.behavior !== undefined ? { behavior: given.behavior } : {}),
  };
  if (spec.interactions.behaviors !== undefined && given.behavior === undefined) {
    throw new Error(`readDatasetFile: ${file}: interactions.behaviors lists behaviours, but interactions.columns.behavior names no column`);
  }
  const layout = {
    ...(spec.interactions.format !== undefined ? { format: spec.interactions.format } : {}),
    ...(spec.interactions.delimiter !== undefined ? { delimiter: spec.interactions.delimiter } : {}),
    ...(spec.interactions.header !== undefined ? { header: spec.interactions.header } : {}),
    ...(spec.interactions.quote !== undefined ? { quote: spec.interactions.quote } : {}),
    ...(spec.interactions.encoding !== undefined ? { encoding: spec.interactions.encoding } : {}),
  };
  const log = await readInteractionsFile<RawId, RawId>(at(spec.interactions.path), {
    columns,
    ...layout,
    ...(spec.interactions.behaviors !== undefined ? { behaviorNames: spec.interactions.behaviors } : {}),
    caller: `readDatasetFile: ${file} → interactions`,
  });
  const { interactions, userIds, itemIds } = log;
  const numItems = itemIds.size;
  const numUsers = userIds.size;
  const dataset: { -readonly [K in keyof Dataset]: Dataset[K] } = {
    name: spec.name ?? stem(file),
    interactions,
    userIds,
    itemIds,
    splits: {},
  };

  // Item categories.
  const categories = spec.items?.categories;
  if (categories !== undefined) {
    const context = `readDatasetFile: ${file} → items.categories`;
    const table = await readSideTable(at(categories.path), categories, context);
    const where = `${context}: ${at(categories.path)}`;
    const itemColumn = columnOf(table, categories.columns.item, 'items.categories.columns.item', where);
    const categoryColumn = columnOf(table, categories.columns.category, 'items.categories.columns.category', where);
    const unknown = new UnknownIds();
    const rows: { item: number; value: string; row: number }[] = [];
    for (let r = 0; r < table.length; r++) {
      const value = categoryColumn[r]!;
      if (value === '') continue; // an item listed without a category
      const item = indexOfText(itemIds, itemColumn[r]!);
      if (item < 0) unknown.add(itemColumn[r]!);
      else rows.push({ item, value, row: r + 1 });
    }
    unknown.report(warn, where, 'item', 'items.categories.columns.item');
    if (categories.separator === undefined) {
      const names: string[] = [];
      const index = new Map<string, number>();
      const lists: number[][] = Array.from({ length: numItems }, () => []);
      for (const { item, value } of rows) {
        let c = index.get(value);
        if (c === undefined) {
          c = names.length;
          index.set(value, c);
          names.push(value);
        }
        lists[item]!.push(c);
      }
      dataset.itemCategories = ItemCategories.fromLists(lists, names, where);
    } else {
      const separator = categories.separator;
      const paths = rows.map(({ value }) => value.split(separator).map((part) => part.trim()).filter((part) => part !== ''));
      const { tree, leafOf } = CategoryTree.fromPaths(paths);
      const leaf = new Int32Array(numItems).fill(-1);
      const lists: number[][] = Array.from({ length: numItems }, () => []);
      rows.forEach(({ item }, k) => {
        if (leafOf[k]! < 0) return;
        if (leaf[item] === -1) leaf[item] = leafOf[k]!;
        lists[item]!.push(leafOf[k]!);
      });
      dataset.categoryTree = tree;
      dataset.itemLeafCategory = leaf;
      dataset.itemCategories = ItemCategories.fromLists(lists, tree.names, where);
    }
  }

  // Item features.
  const featureSpec = spec.items?.features;
  if (featureSpec !== undefined) {
    const features: Record<string, DenseFeatures> = {};
    for (const [name, source] of normaliseFeatures(featureSpec, file)) {
      features[name] = await readItemFeatures(name, source, itemIds, numItems, file, at, warn);
    }
    dataset.itemFeatures = features;
  }

  // User features.
  const userSpec = spec.users?.features;
  if (userSpec !== undefined) dataset.userFeatures = await readUserFeatures(userSpec, userIds, numUsers, file, at, warn);

  // Published splits, over the log's id maps.
  const splits: Record<string, PublishedSplit> = {};
  for (const [name, files] of Object.entries(spec.splits ?? {})) {
    const readPart = async (part: 'train' | 'test' | 'valid', relative: string) =>
      (
        await readInteractionsFile<RawId, RawId>(at(relative), {
          columns,
          ...layout,
          ...(interactions.behaviorNames !== undefined ? { behaviorNames: interactions.behaviorNames } : {}),
          userIds,
          itemIds,
          caller: `readDatasetFile: ${file} → splits.${name}.${part}`,
        })
      ).interactions;
    const train = await readPart('train', files.train);
    const test = await readPart('test', files.test);
    const valid = files.valid !== undefined ? await readPart('valid', files.valid) : undefined;
    splits[name] = {
      train,
      test,
      ...(valid !== undefined ? { valid } : {}),
      description:
        files.description ??
        `${files.train} (${train.length} rows)` + (valid !== undefined ? ` / ${files.valid} (${valid.length})` : '') + ` / ${files.test} (${test.length}), from ${basename(file)}`,
    };
  }
  dataset.splits = splits;
  return dataset;
}

/** One dense item feature matrix, rows in item index order. */
async function readItemFeatures(
  name: string,
  source: FeatureSource,
  itemIds: IdMap<RawId>,
  numItems: number,
  file: string,
  at: (relative: string) => string,
  warn: (line: string) => void,
): Promise<DenseFeatures> {
  const field = `items.features.${name}`;
  const context = `readDatasetFile: ${file} → ${field}`;
  const path = at(source.path);
  const where = `${context}: ${path}`;
  const isNpy = /\.npy(\.gz)?$/i.test(source.path);
  let ids: string[];
  let values: Float32Array;
  let dim: number;
  if (isNpy) {
    if (source.ids === undefined) throw new Error(`${context}: a .npy matrix needs ids: a text file with one item id per row of ${source.path}`);
    if (source.columns !== undefined) throw new Error(`${context}: columns is for a table; a .npy matrix takes ids (a file of item ids)`);
    requireFile(path, context);
    const array = await readNpy(path);
    if (array.shape.length < 1 || array.shape.length > 2) {
      throw new Error(`${where}: expected a 1-D or 2-D array (items × dimensions), got shape [${array.shape.join(', ')}]`);
    }
    dim = array.shape.length === 2 ? array.shape[1]! : 1;
    values = array.kind === 'float32' ? array.data : Float32Array.from(array.data);
    ids = await readIdList(at(source.ids), `${context} → ids`);
    if (ids.length !== array.shape[0]) {
      throw new Error(`${where}: ${array.shape[0]} rows, but ${at(source.ids)} lists ${ids.length} ids; they must be aligned row for row`);
    }
  } else {
    if (source.columns === undefined) throw new Error(`${context}: a table of features needs columns: { item: <id column> }`);
    if (source.ids !== undefined) throw new Error(`${context}: ids is for a .npy matrix; a table names its id column in columns.item`);
    const table = await readSideTable(path, source, context);
    ids = columnOf(table, source.columns.item, `${field}.columns.item`, where);
    const dims = table.names.filter((column) => column !== source.columns!.item);
    if (dims.length === 0) throw new Error(`${where}: no feature columns besides the id column ${JSON.stringify(source.columns.item)}`);
    dim = dims.length;
    values = new Float32Array(table.length * dim);
    dims.forEach((column, d) => {
      const text = table.columns[column]!;
      for (let r = 0; r < table.length; r++) {
        const x = text[r] === '' ? NaN : Number(text[r]);
        if (!Number.isFinite(x)) {
          throw new Error(`${where}, data row ${r + 1}: column ${JSON.stringify(column)} holds ${JSON.stringify(text[r])}; expected a number (${field})`);
        }
        values[r * dim + d] = x;
      }
    });
  }
  const out = new Float32Array(numItems * dim);
  const rowOf = new Int32Array(numItems).fill(-1);
  const unknown = new UnknownIds();
  ids.forEach((id, r) => {
    const item = indexOfText(itemIds, id);
    if (item < 0) return unknown.add(id);
    if (rowOf[item] >= 0) throw new Error(`${where}: item id ${JSON.stringify(id)} has rows ${rowOf[item] + 1} and ${r + 1}; expected one row per item (${field})`);
    rowOf[item] = r;
    out.set(values.subarray(r * dim, (r + 1) * dim), item * dim);
  });
  unknown.report(warn, where, 'item', field);
  const missing = rowOf.reduce((n, r) => n + (r < 0 ? 1 : 0), 0);
  if (missing > 0) warn(`${where} (${field}): ${missing} of ${numItems} items have no row; their features are zeros`);
  return denseFeatures(numItems, dim, out, where);
}

/** One id per line of a text file (gzip allowed), blank last line ignored. */
async function readIdList(path: string, context: string): Promise<string[]> {
  requireFile(path, context);
  let bytes: Uint8Array = await readFile(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new Error(`${context}: ${path} is a truncated or corrupt gzip file (zlib: ${(error as Error).message})`, { cause: error });
    }
  }
  const lines = new TextDecoder().decode(bytes).split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line, k) => {
    const id = line.trim();
    if (id === '') throw new Error(`${context}: ${path}, line ${k + 1}: empty; expected one item id per line`);
    return id;
  });
}

/** User features from a table: numeric columns as float32 (NaN = missing), others as codes. */
async function readUserFeatures(
  source: z.infer<typeof USER_FEATURES>,
  userIds: IdMap<RawId>,
  numUsers: number,
  file: string,
  at: (relative: string) => string,
  warn: (line: string) => void,
): Promise<UserFeatures> {
  const field = 'users.features';
  const context = `readDatasetFile: ${file} → ${field}`;
  const path = at(source.path);
  const where = `${context}: ${path}`;
  const table = await readSideTable(path, source, context);
  const idColumn = columnOf(table, source.columns.user, `${field}.columns.user`, where);
  const listed = source.numeric !== undefined || source.categorical !== undefined;
  const numericNames = source.numeric ?? [];
  const categoricalNames = source.categorical ?? [];
  for (const [list, names] of [['numeric', numericNames], ['categorical', categoricalNames]] as const) {
    for (const name of names) columnOf(table, name, `${field}.${list}`, where);
  }
  const both = numericNames.find((name) => categoricalNames.includes(name));
  if (both !== undefined) throw new Error(`${where}: column ${JSON.stringify(both)} is listed as both numeric and categorical (${field})`);
  const others = table.names.filter((name) => name !== source.columns.user);
  const isNumber = (text: string): boolean => text !== '' && Number.isFinite(Number(text));
  const numericColumns = listed ? numericNames : others.filter((name) => table.columns[name]!.every((v) => v === '' || isNumber(v)));
  const categoricalColumns = listed ? categoricalNames : others.filter((name) => !numericColumns.includes(name));

  const rowOf = new Int32Array(numUsers).fill(-1);
  const unknown = new UnknownIds();
  idColumn.forEach((id, r) => {
    const user = indexOfText(userIds, id);
    if (user < 0) return unknown.add(id);
    if (rowOf[user] >= 0) throw new Error(`${where}: user id ${JSON.stringify(id)} has data rows ${rowOf[user] + 1} and ${r + 1}; expected one row per user (${field})`);
    rowOf[user] = r;
  });
  unknown.report(warn, where, 'user', `${field}.columns.user`);
  const missing = rowOf.reduce((n, r) => n + (r < 0 ? 1 : 0), 0);
  if (missing > 0) warn(`${where} (${field}): ${missing} of ${numUsers} users have no row; their features are missing (NaN, code −1)`);

  const numeric: Record<string, Float32Array> = {};
  for (const name of numericColumns) {
    const text = table.columns[name]!;
    const values = new Float32Array(numUsers).fill(NaN);
    for (let u = 0; u < numUsers; u++) {
      const r = rowOf[u]!;
      if (r < 0 || text[r] === '') continue;
      if (!isNumber(text[r]!)) {
        throw new Error(`${where}, data row ${r + 1}: column ${JSON.stringify(name)} holds ${JSON.stringify(text[r])}; expected a number (${field}.numeric)`);
      }
      values[u] = Number(text[r]);
    }
    numeric[name] = values;
  }
  const categorical: Record<string, CategoricalFeature> = {};
  for (const name of categoricalColumns) {
    const text = table.columns[name]!;
    const vocabulary = [...new Set(Array.from(rowOf, (r) => (r < 0 ? '' : text[r]!)).filter((v) => v !== ''))].sort();
    const code = new Map(vocabulary.map((v, k) => [v, k]));
    const codes = new Int32Array(numUsers).fill(-1);
    for (let u = 0; u < numUsers; u++) {
      const r = rowOf[u]!;
      if (r >= 0 && text[r] !== '') codes[u] = code.get(text[r]!)!;
    }
    categorical[name] = { codes, vocabulary };
  }
  return { numeric, categorical };
}
