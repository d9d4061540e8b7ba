/**
 * The S3-Rec sequential-recommendation datasets: Amazon 2014 5-core Beauty,
 * Sports_and_Outdoors and Toys_and_Games, and Yelp 2019, as preprocessed by S3-Rec
 * (K. Zhou et al., "S3-Rec: Self-Supervised Learning for Sequential Recommendation
 * with Mutual Information Maximization", CIKM 2020; github.com/RUCAIBox/CIKM2020-S3Rec),
 * with item attributes, and for Yelp a named coarse→fine category path per business.
 *
 * Sources, per the folders' MANIFEST.md: the Amazon review data of J. McAuley's group
 * (R. He and J. McAuley, "Ups and Downs", WWW 2016; J. McAuley et al., "Image-based
 * Recommendations on Styles and Substitutes", SIGIR 2015), the Yelp Open Dataset, and
 * for the id maps (`*_datamaps.json`) and Yelp's category paths the LLM-RecSys-ID
 * repository (W. Hua et al., "How to Index Item IDs for Recommendation Foundation
 * Models", SIGIR-AP 2023; MIT). Research use only; do not redistribute the files.
 *
 * File formats:
 * - `<Domain>.txt` (or `.txt.gz`): one user per line, `user item item …`, space-separated,
 *   items in chronological order (S3-Rec sorted each user's reviews by time and then
 *   dropped the times). Ids are 1-based and contiguous.
 * - `<Domain>_item2attributes.json`: one JSON object `{"item": [attribute, …]}`.
 * - `<Domain>_datamaps.json.gz` (Beauty, Sports, Yelp): `id2item` (ASIN / Yelp business
 *   id per item id), `id2attribute`, and more.
 * - `Yelp_closed_categories.json.gz`: `{"item": ["level 1", "level 2", …]}`.
 * - `Toys_and_Games_ratings.txt.gz` (Toys only; Cornac's `amazon_toy/rating.txt` from
 *   PreferredAI/static-data, cite Cornac, Salah et al., JMLR 2020): the 5-core review
 *   table behind S3-Rec's Toys, `reviewerID,asin,stars,unixReviewTime` per line, no
 *   header, grouped by ASIN. See {@link readS3RecToysRatings} for how it joins.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { Dataset } from '../dataset.js';
import { queryColumns, sqlString } from '../duckdb.js';
import { rowsByUser } from '../indexes.js';
import { createInteractions, IdMap, type InteractionDataset } from '../interactions.js';
import { CategoryTree } from '../side-info/category-tree.js';
import { ItemCategories } from '../side-info/item-categories.js';
import { MANIFEST_CHECKSUMS } from './checksums.js';
import type { DatasetEntry } from './entry.js';

const gunzipAsync = promisify(gunzip);

/**
 * The four S3-Rec domains this module reads: the three Amazon ones in folder
 * `amazon-s3rec` and `Yelp` in folder `yelp-s3rec-hier`.
 * @example
 * ```ts
 * const domain: S3RecDomain = 'Sports_and_Outdoors';
 * ```
 */
export type S3RecDomain = 'Beauty' | 'Sports_and_Outdoors' | 'Toys_and_Games' | 'Yelp';

interface DomainFiles {
  readonly sequences: readonly string[];
  readonly attributes: readonly string[];
  /** P5 / LLM-RecSys-ID id maps; absent for Toys, which has no verified map (MANIFEST). */
  readonly datamaps?: readonly string[];
  /**
   * Whether `id2attribute` in the datamaps is in the id space of `item2attributes`.
   * True only for Yelp: for Beauty and Sports the MANIFEST shows different id spaces
   * (2,320 vs 637 and 3,822 vs 2,277 attributes), so joining them would mislabel.
   */
  readonly attributeNames: boolean;
  readonly closedCategories?: readonly string[];
}

/** Files per domain, each as alternatives: the copy kept in this project first, then upstream's plain name. */
const DOMAIN_FILES: Readonly<Record<S3RecDomain, DomainFiles>> = {
  Beauty: {
    sequences: ['Beauty.txt.gz', 'Beauty.txt'],
    attributes: ['Beauty_item2attributes.json', 'Beauty_item2attributes.json.gz'],
    datamaps: ['Beauty_datamaps.json.gz', 'Beauty_datamaps.json'],
    attributeNames: false,
  },
  Sports_and_Outdoors: {
    sequences: ['Sports_and_Outdoors.txt.gz', 'Sports_and_Outdoors.txt'],
    attributes: ['Sports_and_Outdoors_item2attributes.json', 'Sports_and_Outdoors_item2attributes.json.gz'],
    datamaps: ['Sports_and_Outdoors_datamaps.json.gz', 'Sports_and_Outdoors_datamaps.json'],
    attributeNames: false,
  },
  Toys_and_Games: {
    sequences: ['Toys_and_Games.txt', 'Toys_and_Games.txt.gz'],
    attributes: ['Toys_and_Games_item2attributes.json', 'Toys_and_Games_item2attributes.json.gz'],
    attributeNames: false,
  },
  Yelp: {
    sequences: ['Yelp.txt.gz', 'Yelp.txt'],
    attributes: ['Yelp_item2attributes.json', 'Yelp_item2attributes.json.gz'],
    datamaps: ['Yelp_datamaps.json.gz', 'Yelp_datamaps.json'],
    attributeNames: true,
    closedCategories: ['Yelp_closed_categories.json.gz', 'Yelp_closed_categories.json'],
  },
};

const S3REC_HOMEPAGE = 'https://github.com/RUCAIBox/CIKM2020-S3Rec';

/** The first of `alternatives` present in `dir`, or an error naming every path tried. */
function findFile(dir: string, alternatives: readonly string[], context: string): string {
  const candidates = alternatives.map((file) => join(dir, file));
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) {
    throw new Error(`${context}: file not found: looked for ${candidates.join(' and ')}; expected the S3-Rec files from ${S3REC_HOMEPAGE}`);
  }
  return found;
}

/**
 * Reads and parses a JSON file, gunzipping it when it starts with the gzip magic. A
 * syntax error is reported with the file, line and column.
 *
 * These files are single JSON objects keyed by id (up to 3.5 MB), not JSON lines or
 * records, so DuckDB's readers see one row; unnesting it with `read_json_objects` +
 * `json_each` was measured at 11–18 s for Sports' item2attributes, 110–136 s for Yelp's
 * closed_categories and 2–4 s for Yelp's id2item, against 15 ms, 20 ms and 70 ms for
 * gunzip + `JSON.parse`. So JSON is parsed here.
 */
async function readJsonFile(path: string): Promise<unknown> {
  let bytes: Uint8Array = await readFile(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = await gunzipAsync(bytes);
    } catch (error) {
      throw new Error(`${path}: the gzip stream is corrupt or truncated (${(error as Error).message})`, { cause: error });
    }
  }
  const text = new TextDecoder('utf-8').decode(bytes);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = (error as Error).message;
    const at = /position (\d+)/.exec(message);
    let where = '';
    if (at) {
      const offset = Number(at[1]);
      const before = text.slice(0, offset);
      const line = before.split('\n').length;
      where = ` at line ${line}, column ${offset - before.lastIndexOf('\n')}`;
    }
    throw new Error(`${path}: not valid JSON${where}: ${message}`, { cause: error });
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON object key that is a canonical positive integer id ("12", not "012" or "1.0"). */
const ID_KEY = /^[1-9][0-9]*$/;

/**
 * The dense item index of each key of a `{"item id": …}` object, checking that every
 * key is an item of the sequences and that every item has a key.
 */
function itemIndexOfKeys(object: Record<string, unknown>, itemIds: IdMap<number>, path: string, sequencesPath: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const key of Object.keys(object)) {
    const index = ID_KEY.test(key) ? itemIds.indexOf(Number(key)) : -1;
    if (index < 0) {
      throw new Error(
        `${path}: key ${JSON.stringify(key)} is not an item of ${sequencesPath}; expected item ids 1..${itemIds.size} (the same domain's files)`,
      );
    }
    out.set(key, index);
  }
  if (out.size !== itemIds.size) {
    const missing = itemIds.toArray().find((id) => !(String(id) in object));
    throw new Error(`${path}: item ${missing} of ${sequencesPath} has no entry (${itemIds.size - out.size} items lack one); expected one per item`);
  }
  return out;
}

/**
 * The lines of a text file (gzipped or not), read and decompressed by DuckDB: element
 * `l` is line `l + 1`, a blank line is `''`, line ends are not stripped of `\r`.
 * @throws Error `<context>: file not found` when `path` does not exist.
 */
async function readTextLines(path: string, context: string): Promise<string[]> {
  if (!existsSync(path)) throw new Error(`${context}: file not found`);
  // A delimiter that cannot occur keeps each line one VARCHAR. Without auto-detection a
  // blank line is a NULL row rather than skipped, and a plain SELECT from one file keeps
  // file order, so result row r is line r + 1.
  const { columns } = await queryColumns(
    `SELECT COALESCE(line, '') AS line FROM read_csv(${sqlString(path)}, columns = {'line': 'VARCHAR'},
       header = false, auto_detect = false, delim = E'\\x01', quote = '', escape = '')`,
    { line: 'string' },
    context,
  );
  return columns.line;
}

/**
 * Reads an S3-Rec sequence file (`user item item …` per line, space-separated,
 * chronological, optionally gzipped) into columnar interactions.
 *
 * S3-Rec keeps each user's order but not the review times, so `timestamps[r]` is the
 * row's **position in its user's sequence** (0, 1, 2, …): "last by time" protocols
 * (`leaveLastOut` with mode `'last'`, S3-Rec's leave-one-out with the last item as
 * test and the second-to-last as validation) then pick the right rows, but the values
 * are ordinals, not seconds — do not compute durations from them.
 *
 * Rows come in file order (user by user, each user's items in order). Users and items
 * get dense indexes in ascending raw-id order; for S3-Rec's contiguous 1-based ids,
 * index = id − 1. A repeated item in a sequence (Yelp revisits) stays a repeated row.
 * Blank lines are skipped; CRLF line ends are fine.
 *
 * DuckDB reads and decompresses the file into one VARCHAR per line; the lines are
 * split here. Splitting in DuckDB instead (`string_split` + `unnest` in SQL, copying
 * out line, user, position and item columns) gave identical results but was slower on
 * all four files: medians of 15 interleaved runs on a 2-core machine, JS split vs
 * DuckDB unnest, Beauty 195 vs 260 ms, Sports 295 vs 355 ms, Toys 144 vs 202 ms, Yelp
 * 267 vs 347 ms (whole function, id encoding included). Each line must match
 * `[0-9]+( [0-9]+)+`, which also keeps out what DuckDB's lenient VARCHAR→INTEGER cast
 * would accept (`1.5` → 2, `1e3`, `0x10`).
 *
 * @param path the `.txt` or `.txt.gz` file.
 * @throws Error naming the file and line when a line is not a positive-integer user
 * id followed by at least one positive-integer item id (single spaces), when an id
 * exceeds int32, or when a user has a second line.
 * @example
 * ```ts
 * const { interactions, userIds, itemIds } = await readS3RecSequences(join(dir, 'Beauty.txt.gz'));
 * interactions.length; // 198502
 * interactions.timestamps![0]; // 0: the first item of user 1's sequence
 * ```
 */
export async function readS3RecSequences(path: string): Promise<InteractionDataset<number, number>> {
  const context = `readS3RecSequences: ${path}`;
  const lines = await readTextLines(path, context);
  const numLines = lines.length;

  let capacity = 1 << 16;
  let length = 0;
  let users = new Int32Array(capacity);
  let items = new Int32Array(capacity);
  let positions = new Float64Array(capacity);
  const lineOfUser = new Map<number, number>();
  for (let l = 0; l < numLines; l++) {
    const line = lines[l]!.trim();
    if (line === '') continue;
    if (!SEQUENCE_LINE.test(line)) throw new Error(`${context}: line ${l + 1}: ${explainBadLine(line)}`);
    const tokens = line.split(' ');
    const user = Number(tokens[0]);
    if (user < 1 || user > INT32_MAX) throw new Error(`${context}: line ${l + 1}: ${explainBadLine(line)}`);
    const earlier = lineOfUser.get(user);
    if (earlier !== undefined) {
      throw new Error(`${context}: line ${l + 1}: user ${user} already has a sequence on line ${earlier}; expected one line per user`);
    }
    lineOfUser.set(user, l + 1);
    if (length + tokens.length > capacity) {
      while (length + tokens.length > capacity) capacity *= 2;
      users = grow(users, new Int32Array(capacity));
      items = grow(items, new Int32Array(capacity));
      positions = grow(positions, new Float64Array(capacity));
    }
    for (let k = 1; k < tokens.length; k++, length++) {
      const item = Number(tokens[k]);
      if (item < 1 || item > INT32_MAX) throw new Error(`${context}: line ${l + 1}: ${explainBadLine(line)}`);
      users[length] = user;
      items[length] = item;
      positions[length] = k - 1;
    }
  }

  const userMap = IdMap.encode(users.subarray(0, length));
  const itemMap = IdMap.encode(items.subarray(0, length));
  const interactions = createInteractions({
    users: userMap.indexes,
    items: itemMap.indexes,
    timestamps: positions.slice(0, length),
    numUsers: userMap.ids.size,
    numItems: itemMap.ids.size,
  });
  return { interactions, userIds: userMap.ids, itemIds: itemMap.ids };
}

const SEQUENCE_LINE = /^[0-9]+( [0-9]+)+$/;
const INT32_MAX = 0x7fff_ffff;

function grow<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** Why `line` (trimmed, not blank) is not `user item item …`. */
function explainBadLine(line: string): string {
  const shown = JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}…` : line);
  const tokens = line.split(' ');
  const expected = 'expected `user item item …`: a positive integer user id and at least one positive integer item id, separated by single spaces';
  if (tokens.length < 2) return `${shown} has no items; ${expected}`;
  const bad = tokens.findIndex((token) => !/^[0-9]+$/.test(token) || Number(token) < 1 || Number(token) > INT32_MAX);
  if (bad === 0) return `user id ${JSON.stringify(tokens[0])} in ${shown} is not a positive int32; ${expected}`;
  if (bad > 0) return `item ${bad} (${JSON.stringify(tokens[bad])}) in ${shown} is not a positive int32; ${expected}`;
  return `${shown} is malformed; ${expected}`;
}

/**
 * The category tree of an Amazon domain's attribute lists, from their order (MANIFEST,
 * "Hierarchy from ids only": the brand first, when the item has one, then each category
 * path top to leaf): the *root* is the attribute most items have second (Toys: attribute
 * 3, at position 2 of 11,921 of 11,924 lists, the "Toys & Games" node the others hang
 * from), and an item's path is its list from that root up to (not including) the root's
 * next occurrence, where a second path begins. Items whose second attribute is not the
 * root have no path (leaf −1: Toys 348 items). Node names are the attributes' names.
 * @example
 * ```ts
 * const { categoryTree, itemLeafCategory } = attributeTree([[0, 1, 4, 7], [2, 1, 4]], names);
 * ```
 */
export function attributeTree(lists: readonly (readonly number[])[], names: readonly string[]): { categoryTree: CategoryTree; itemLeafCategory: Int32Array } {
  const second = new Map<number, number>();
  for (const list of lists) if (list && list.length > 1) second.set(list[1]!, (second.get(list[1]!) ?? 0) + 1);
  let root = -1;
  for (const [attribute, count] of second) if (root < 0 || count > second.get(root)!) root = attribute;
  const paths = lists.map((list): string[] => {
    if (!list || list[1] !== root) return [];
    const end = list.indexOf(root, 2);
    return list.slice(1, end < 0 ? list.length : end).map((a) => names[a] ?? `attribute ${a + 1}`);
  });
  const { tree, leafOf } = CategoryTree.fromPaths(paths);
  return { categoryTree: tree, itemLeafCategory: leafOf };
}

/**
 * Reads one S3-Rec domain from its folder: the sequences (see
 * {@link readS3RecSequences}: `timestamps` are positions in the user's sequence),
 * item attributes, and where the folder has them the id maps and Yelp's category paths.
 *
 * - `userIds` / `itemIds` keep the file's integer ids (1-based, so index = id − 1).
 * - `itemCategories`: S3-Rec's item attributes, deduplicated per item (5 Beauty, 957
 *   Sports, 51 Toys and 1 Yelp list repeat an id because an item can sit on several
 *   category paths). Category index = attribute id − 1 over ids 1..max. For Amazon an
 *   item's attributes are its brand and the non-root names on its category paths, but
 *   **the names are not shipped**: categories are named `attribute <id>`. The
 *   datamaps' `id2attribute` is deliberately not used for Beauty and Sports — the
 *   MANIFEST shows it is a different id space (2,320 vs 637 and 3,822 vs 2,277 ids).
 *   For Yelp the attributes are the business's category tags, named from
 *   `id2attribute`, which the MANIFEST checked to share the id space. These category
 *   indexes are not {@link CategoryTree} nodes.
 * - `itemNames` (Beauty, Sports, Yelp): the ASIN or Yelp business id of each item
 *   (`id2item`). Toys has no datamaps, so none here; {@link readS3RecToysRatings} names
 *   Toys items by the ASINs its review table joins.
 * - Yelp only: `categoryTree` and `itemLeafCategory` from `Yelp_closed_categories`,
 *   built with {@link CategoryTree.fromPaths}, one node per path prefix. The paths were
 *   derived by LLM-RecSys-ID from tag frequencies and are not a strict tree by name
 *   (321 of 414 non-root names have several parents), which per-prefix nodes absorb.
 *   Kept as published, not cleaned: 42 items have a numeric junk first level
 *   (`"17059"`, 40 items; `"133"`, 2), which become two extra roots, and 6 items have an
 *   empty path (`itemLeafCategory` −1).
 * - `splits` is `{}`: S3-Rec publishes no split files. Its protocol is leave-one-out by
 *   position (last item test, second-to-last validation): `leaveLastOut` on
 *   `interactions` reproduces the test half. Its 99-negative sample files are not in
 *   this copy.
 *
 * Takes about 0.2–0.6 s per domain: the sequences (see {@link readS3RecSequences}) and
 * the JSON files, read concurrently; Yelp's and Sports' datamaps are 3.5 and 2.9 MB.
 *
 * @param dir the folder holding the domain's files (`amazon-s3rec` or `yelp-s3rec-hier`).
 * @param domain which domain.
 * @throws Error naming the file and line or field: a missing file, a malformed sequence
 * line, an attribute list that is not positive integers, a JSON key that is not an
 * item of the sequences (or an item with no entry), an item or attribute without a
 * name in the datamaps, a category path that is not a list of strings.
 * @see K. Zhou et al., "S3-Rec", CIKM 2020 (its experiments: these four datasets,
 * leave-one-out evaluation); the folders' MANIFEST.md for sources and counts.
 * @example
 * ```ts
 * const found = locateDataset('yelp-s3rec-hier');
 * if (!found.ok) throw new Error(found.reason);
 * const yelp = await readS3Rec(found.dir, 'Yelp');
 * yelp.categoryTree!.levels;                 // 4
 * yelp.itemNames![0];                        // the Yelp business id of item 1
 * const { train, test } = leaveLastOut(yelp.interactions); // S3-Rec's test items
 * ```
 */
export async function readS3Rec(dir: string, domain: S3RecDomain, options: { attributeTree?: boolean } = {}): Promise<Dataset<number, number>> {
  const files = DOMAIN_FILES[domain];
  const context = `readS3Rec(${domain})`;
  const sequencesPath = findFile(dir, files.sequences, context);
  const attributesPath = findFile(dir, files.attributes, context);
  const datamapsPath = files.datamaps && findFile(dir, files.datamaps, context);
  const closedPath = files.closedCategories && findFile(dir, files.closedCategories, context);

  const [sequences, attributesJson, datamaps, closed] = await Promise.all([
    readS3RecSequences(sequencesPath),
    readJsonFile(attributesPath),
    datamapsPath === undefined ? undefined : readJsonFile(datamapsPath),
    closedPath === undefined ? undefined : readJsonFile(closedPath),
  ]);
  const { interactions, userIds, itemIds } = sequences;
  const numItems = itemIds.size;

  // Attributes → per-item lists of (attribute id − 1).
  if (!isPlainObject(attributesJson)) {
    throw new Error(`${attributesPath}: expected one JSON object {"item id": [attribute id, …]}`);
  }
  const keyIndex = itemIndexOfKeys(attributesJson, itemIds, attributesPath, sequencesPath);
  const lists: number[][] = new Array<number[]>(numItems);
  let numAttributes = 0;
  for (const [key, index] of keyIndex) {
    const value = attributesJson[key];
    if (!Array.isArray(value)) {
      throw new Error(`${attributesPath}: item "${key}" has ${JSON.stringify(value)}; expected a list of attribute ids`);
    }
    const list = new Array<number>(value.length);
    value.forEach((attribute: unknown, k) => {
      if (typeof attribute !== 'number' || !Number.isInteger(attribute) || attribute < 1 || attribute > 0x7fff_ffff) {
        throw new Error(`${attributesPath}: item "${key}" entry ${k} is ${JSON.stringify(attribute)}; expected a positive integer attribute id`);
      }
      list[k] = attribute - 1;
      if (attribute > numAttributes) numAttributes = attribute;
    });
    lists[index] = list;
  }

  let attributeNames: string[];
  let itemNames: string[] | undefined;
  if (datamapsPath !== undefined) {
    if (!isPlainObject(datamaps)) throw new Error(`${datamapsPath}: expected one JSON object with fields id2item, id2attribute, …`);
    const id2item = datamaps['id2item'];
    if (!isPlainObject(id2item)) throw new Error(`${datamapsPath}: field id2item is missing or not an object; expected {"item id": "ASIN"}`);
    itemNames = itemIds.toArray().map((id) => {
      const name = id2item[String(id)];
      if (typeof name !== 'string') {
        throw new Error(`${datamapsPath}: field id2item has ${JSON.stringify(name)} for item ${id}; expected its ASIN / business id string`);
      }
      return name;
    });
  }
  if (files.attributeNames && datamapsPath !== undefined) {
    const id2attribute = (datamaps as Record<string, unknown>)['id2attribute'];
    if (!isPlainObject(id2attribute)) {
      throw new Error(`${datamapsPath}: field id2attribute is missing or not an object; expected {"attribute id": "name"}`);
    }
    attributeNames = Array.from({ length: numAttributes }, (_, a) => {
      const name = id2attribute[String(a + 1)];
      if (typeof name !== 'string') {
        throw new Error(`${datamapsPath}: field id2attribute has ${JSON.stringify(name)} for attribute ${a + 1} (used in ${attributesPath}); expected its name`);
      }
      return name;
    });
  } else {
    attributeNames = Array.from({ length: numAttributes }, (_, a) => `attribute ${a + 1}`);
  }
  const itemCategories = ItemCategories.fromLists(lists, attributeNames, attributesPath);

  let hierarchy: { categoryTree: CategoryTree; itemLeafCategory: Int32Array } | undefined;
  if (options.attributeTree && domain !== 'Yelp') hierarchy = attributeTree(lists, attributeNames);
  if (closedPath !== undefined) {
    if (!isPlainObject(closed)) throw new Error(`${closedPath}: expected one JSON object {"item id": ["level 1", "level 2", …]}`);
    const paths: string[][] = new Array<string[]>(numItems);
    for (const [key, index] of itemIndexOfKeys(closed, itemIds, closedPath, sequencesPath)) {
      const path = closed[key];
      if (!Array.isArray(path) || !path.every((name): name is string => typeof name === 'string')) {
        throw new Error(`${closedPath}: item "${key}" has ${JSON.stringify(path)}; expected a list of category names, coarse to fine`);
      }
      paths[index] = path;
    }
    const { tree, leafOf } = CategoryTree.fromPaths(paths);
    hierarchy = { categoryTree: tree, itemLeafCategory: leafOf };
  }

  return {
    name: domain === 'Yelp' ? 'yelp-s3rec-hier' : `amazon-s3rec/${domain}`,
    interactions,
    userIds,
    itemIds,
    splits: {},
    itemCategories,
    ...(itemNames !== undefined ? { itemNames } : {}),
    ...(hierarchy ?? {}),
  };
}

// ---------------------------------------------------------------------------------------
// Toys with star ratings and review days

/** Cornac's Toys review table, as stored here (gzipped) or as extracted from `rating.zip`. */
const TOYS_RATINGS_FILES = ['Toys_and_Games_ratings.txt.gz', 'Toys_and_Games_ratings.txt'] as const;

/** The registry name of {@link readS3RecToysRatings}'s dataset. */
const TOYS_RATINGS_NAME = 'amazon-s3rec/Toys_and_Games-ratings';

/**
 * One review: an Amazon reviewer id (`A…`), a 10-character ASIN, 1–5 stars and Unix
 * seconds (at most 10 digits, so a safe integer). Nothing looser is accepted: a stray
 * header, quote or decimal is an error naming the line.
 */
const TOYS_RATINGS_LINE = /^(A[0-9A-Z]+),([0-9A-Z]{10}),([1-5]),([0-9]{1,10})$/;

const TOYS_RATINGS_SOURCE =
  "Cornac's amazon_toy/rating.txt (PreferredAI/static-data, cornac/datasets/amazon_toy/rating.zip), gzipped with gzip -9n";

/**
 * Reads Amazon Toys_and_Games with its **star ratings and real review times**: the
 * users, items, rows and item attributes of {@link readS3Rec}`(dir, 'Toys_and_Games')`
 * (the same dense indexes, so `itemCategories` applies unchanged), with `ratings` (1–5
 * stars) and `timestamps` (Unix seconds of the review day) taken from
 * `Toys_and_Games_ratings.txt.gz`, and `itemNames` = each item's ASIN, and a
 * `categoryTree` / `itemLeafCategory` read from the order of each item's attributes
 * ({@link attributeTree}: Toys & Games → 18 first-level → 164 second-level categories),
 * which CCRec's category-level protocol needs one level of.
 *
 * **The join** is the one the folder's MANIFEST.md ("Toys ratings file") prescribes,
 * which replays S3-Rec's `data_process.py`: S3-Rec user k is the k-th distinct reviewer
 * in file order; each reviewer's reviews are sorted by time with a stable sort (same-day
 * reviews keep file order); S3-Rec item j is the j-th ASIN met walking users 1, 2, …
 * and each user's sorted reviews. The join is not trusted but checked, review by
 * review: the k-th reviewer's sorted reviews must number exactly as many as line k of
 * `Toys_and_Games.txt` has items, and the j-th new ASIN met must be item j at that very
 * position. So every S3-Rec interaction gets exactly one review, and any review that
 * does not join is an error naming the file and line.
 *
 * Rows are those of the positional dataset in the same order (user by user, each
 * user's items in S3-Rec's order), so a user's last row among those on their latest day
 * is S3-Rec's test item: `timestamps` have **day resolution**, and 9,518 users' last two
 * reviews share a day (MANIFEST), which a "last by time" protocol must break somehow;
 * breaking it by row order reproduces S3-Rec's choice (see `allButLastOne`).
 *
 * `userIds` / `itemIds` stay S3-Rec's integer ids (index = id − 1). `splits` is `{}`.
 * The registered `amazon-s3rec/Toys_and_Games` is unchanged (positions as timestamps).
 *
 * Takes about 1 s: the S3-Rec files and the 6.5 MB review table (through DuckDB),
 * read concurrently, then one pass and a per-user sort.
 *
 * @param dir the `amazon-s3rec` folder.
 * @throws Error naming the file and line (or field): a missing file; a review line that
 * is not `reviewerID,asin,stars,unixReviewTime`; more or fewer reviewers than S3-Rec
 * users; a reviewer with more or fewer reviews than their S3-Rec sequence has items; an
 * ASIN that does not land on S3-Rec's item at its position; and everything
 * {@link readS3Rec} checks.
 * @see The folder's MANIFEST.md, "Toys ratings file"; RnR (Rank and Rate multi-task)
 * §5.2–5.3, which needs explicit ratings and time order on the same interactions.
 * @example
 * ```ts
 * const toys = await readS3RecToysRatings(join(dataRoot(), 'amazon-s3rec'));
 * toys.interactions.ratings![0];    // 5: user 1's first review, stars
 * toys.interactions.timestamps![0]; // its Unix day
 * toys.itemNames![0];               // the ASIN of item 1
 * ```
 */
export async function readS3RecToysRatings(dir: string): Promise<Dataset<number, number>> {
  const caller = 'readS3RecToysRatings';
  const ratingsPath = findFile(dir, TOYS_RATINGS_FILES, caller);
  const sequencesPath = findFile(dir, DOMAIN_FILES.Toys_and_Games.sequences, caller);
  const context = `${caller}: ${ratingsPath}`;
  const [base, lines] = await Promise.all([readS3Rec(dir, 'Toys_and_Games', { attributeTree: true }), readTextLines(ratingsPath, context)]);
  const { interactions: positional, userIds, itemIds } = base;
  const { numUsers, numItems } = positional;

  // Reviewers in order of first appearance (S3-Rec user k = reviewer k − 1 here), each
  // with the file lines (0-based) of their reviews.
  const reviewerIndex = new Map<string, number>();
  const reviewers: string[] = [];
  const linesOf: number[][] = [];
  const asins = new Array<string>(lines.length);
  const stars = new Uint8Array(lines.length);
  const times = new Float64Array(lines.length);
  for (let l = 0; l < lines.length; l++) {
    const line = lines[l]!.trim();
    if (line === '') continue;
    const match = TOYS_RATINGS_LINE.exec(line);
    if (match === null) {
      const shown = JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}…` : line);
      throw new Error(
        `${context}: line ${l + 1}: ${shown} is not \`reviewerID,asin,stars,unixReviewTime\`; expected an Amazon reviewer id ` +
          '(A followed by capitals and digits), a 10-character ASIN, 1 to 5 stars and Unix seconds, comma-separated',
      );
    }
    const [, reviewer, asin, star, time] = match as unknown as [string, string, string, string, string];
    let k = reviewerIndex.get(reviewer);
    if (k === undefined) {
      k = reviewers.length;
      if (k === numUsers) {
        throw new Error(
          `${context}: line ${l + 1}: reviewer ${reviewer} is distinct reviewer ${k + 1}, but ${sequencesPath} has ${numUsers} users; ` +
            `expected the review table behind S3-Rec's Toys, ${TOYS_RATINGS_SOURCE}`,
        );
      }
      reviewerIndex.set(reviewer, k);
      reviewers.push(reviewer);
      linesOf.push([]);
    }
    linesOf[k]!.push(l);
    asins[l] = asin;
    stars[l] = Number(star);
    times[l] = Number(time);
  }
  if (reviewers.length !== numUsers) {
    throw new Error(
      `${context}: has ${reviewers.length} distinct reviewers, but ${sequencesPath} has ${numUsers} users (S3-Rec users ` +
        `${reviewers.length + 1}… have no reviews); the file is cut short or not ${TOYS_RATINGS_SOURCE}`,
    );
  }

  // Replay S3-Rec's numbering and check it against the sequences, position by position.
  const { indptr, indices: rowsOfUser } = rowsByUser(positional);
  const ratings = new Float32Array(positional.length);
  const timestamps = new Float64Array(positional.length);
  const itemOfAsin = new Map<string, number>();
  const itemNames = new Array<string>(numItems);
  for (let k = 0; k < numUsers; k++) {
    const reviews = linesOf[k]!;
    // Stable: same-day reviews keep file order (Python's sort in data_process.py).
    reviews.sort((a, b) => times[a]! - times[b]! || a - b);
    const s3recUser = k + 1;
    const u = userIds.indexOf(s3recUser);
    const begin = u < 0 ? 0 : indptr[u]!;
    const length = u < 0 ? 0 : indptr[u + 1]! - begin;
    if (reviews.length !== length) {
      throw new Error(
        `${context}: line ${reviews[0]! + 1}: reviewer ${reviewers[k]} (S3-Rec user ${s3recUser}) has ${reviews.length} reviews, ` +
          `but user ${s3recUser}'s sequence in ${sequencesPath} has ${length} items; expected one review per interaction (${TOYS_RATINGS_SOURCE})`,
      );
    }
    for (let p = 0; p < length; p++) {
      const l = reviews[p]!;
      const r = rowsOfUser[begin + p]!;
      const asin = asins[l]!;
      let item = itemOfAsin.get(asin);
      if (item === undefined) {
        item = itemOfAsin.size + 1;
        itemOfAsin.set(asin, item);
      }
      const s3recItem = itemIds.idOf(positional.items[r]!);
      if (item !== s3recItem) {
        throw new Error(
          `${context}: line ${l + 1}: ASIN ${asin} of reviewer ${reviewers[k]} (S3-Rec user ${s3recUser}, review ${p + 1} by time) ` +
            `joins as item ${item}, but ${sequencesPath} has item ${s3recItem} there; expected the join of the folder's MANIFEST.md ` +
            `("Toys ratings file") to reproduce every sequence`,
        );
      }
      itemNames[positional.items[r]!] = asin;
      ratings[r] = stars[l]!;
      timestamps[r] = times[l]!;
    }
  }

  const interactions = createInteractions({
    users: positional.users,
    items: positional.items,
    ratings,
    timestamps,
    numUsers,
    numItems,
  });
  return { ...base, name: TOYS_RATINGS_NAME, interactions, itemNames };
}

/** Interactions per domain as the MANIFESTs count them (sum of the sequence lengths). */
const S3REC_INTERACTIONS: Readonly<Record<S3RecDomain, number>> = {
  Beauty: 198_502,
  Sports_and_Outdoors: 296_337,
  Toys_and_Games: 167_597,
  Yelp: 316_354,
};

function amazonEntry(domain: Exclude<S3RecDomain, 'Yelp'>, title: string): DatasetEntry {
  const files = DOMAIN_FILES[domain];
  return {
    name: `amazon-s3rec/${domain}`,
    folder: 'amazon-s3rec',
    title: `Amazon 2014 5-core ${title} (S3-Rec sequences with item attributes)`,
    homepage: S3REC_HOMEPAGE,
    files: [files.sequences, files.attributes, ...(files.datamaps ? [files.datamaps] : [])],
    checksums: MANIFEST_CHECKSUMS['amazon-s3rec'],
    expectedInteractions: S3REC_INTERACTIONS[domain],
    read: (folderDir) => readS3Rec(folderDir, domain),
  };
}

/**
 * Registry entries of the S3-Rec datasets: `amazon-s3rec/Beauty`,
 * `amazon-s3rec/Sports_and_Outdoors`, `amazon-s3rec/Toys_and_Games` (folder
 * `amazon-s3rec`) and `yelp-s3rec-hier` (folder `yelp-s3rec-hier`), each read with
 * {@link readS3Rec} (see there for what the {@link Dataset} holds); and
 * `amazon-s3rec/Toys_and_Games-ratings`, the same Toys users, items and attributes with
 * star ratings and review days ({@link readS3RecToysRatings}).
 *
 * @example
 * ```ts
 * const entry = s3recDatasets.find((d) => d.name === 'amazon-s3rec/Beauty')!;
 * const beauty = await entry.read(join(dataRoot(), entry.folder));
 * beauty.interactions.numUsers; // 22363
 * ```
 */
export const s3recDatasets: readonly DatasetEntry[] = [
  amazonEntry('Beauty', 'Beauty'),
  amazonEntry('Sports_and_Outdoors', 'Sports and Outdoors'),
  amazonEntry('Toys_and_Games', 'Toys and Games'),
  {
    name: TOYS_RATINGS_NAME,
    folder: 'amazon-s3rec',
    title: 'Amazon 2014 5-core Toys and Games (S3-Rec users, items and attributes) with star ratings and review days',
    homepage: S3REC_HOMEPAGE,
    files: [DOMAIN_FILES.Toys_and_Games.sequences, DOMAIN_FILES.Toys_and_Games.attributes, TOYS_RATINGS_FILES],
    whenIncomplete: `Toys_and_Games_ratings.txt.gz is ${TOYS_RATINGS_SOURCE}; see the folder's MANIFEST.md ("Toys ratings file")`,
    checksums: MANIFEST_CHECKSUMS['amazon-s3rec'],
    expectedInteractions: S3REC_INTERACTIONS.Toys_and_Games,
    // 2: the dataset gained its attribute category tree; older caches lack it.
    version: 2,
    read: readS3RecToysRatings,
  },
  {
    name: 'yelp-s3rec-hier',
    folder: 'yelp-s3rec-hier',
    title: 'Yelp 2019 (S3-Rec sequences) with named category paths',
    homepage: S3REC_HOMEPAGE,
    files: [
      DOMAIN_FILES.Yelp.sequences,
      DOMAIN_FILES.Yelp.attributes,
      DOMAIN_FILES.Yelp.datamaps!,
      DOMAIN_FILES.Yelp.closedCategories!,
    ],
    checksums: MANIFEST_CHECKSUMS['yelp-s3rec-hier'],
    expectedInteractions: S3REC_INTERACTIONS.Yelp,
    read: (folderDir) => readS3Rec(folderDir, 'Yelp'),
  },
];
