/**
 * Multi-behaviour e-commerce datasets (purchase as the target behaviour, with carts,
 * collects or views as auxiliary behaviours), read from the files their repositories
 * published and kept exactly as published.
 *
 * | registry name | folder | behaviours (funnel order) | split source |
 * |---|---|---|---|
 * | `tmall/mbgcn` | `tmall/mbgcn/` | collect, cart, buy | tsinghua-fib-lab/MBGCN (Jin et al., SIGIR 2020); also CRGCN's and MuLE's assignment of the same files |
 * | `tmall/mbcgcn` | `tmall/mbcgcn/` | view, cart, buy | SS-00-SS/MBCGCN (MB-CGCN, arXiv 2303.15720) |
 * | `beibei/ghcf` | `beibei/ghcf/` | cart, buy | chenchongthu/GHCF (Chen et al., AAAI 2021; the EHCF split) |
 * | `beibei/crgcn` | `beibei/crgcn/` + `beibei/ghcf/cart.txt.gz` | cart, buy | JingyunLiu663/CRGCN (Yan et al., arXiv 2205.13128) |
 * | `taobao/ghcf` | `taobao/ghcf/` | cart, buy | chenchongthu/GHCF (the EHCF split) |
 *
 * Beibei is NMTR's own dataset (Gao et al., ICDE 2019, §IV-A: 21,716 users, 7,977
 * items); its views, and Tmall/mbgcn's clicks, are missing from every public copy
 * reachable here (each folder's MANIFEST.md says why). None of these files has
 * timestamps, so no `Interactions` here has a `timestamps` column.
 *
 * Every text file is parsed by DuckDB: lines are split and unnested in SQL, so a
 * `uid item item …` line becomes one row per item without a JS loop over text.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset, PublishedSplit } from '../dataset.js';
import { openDuckDB, sqlString, type DuckDBSession } from '../duckdb.js';
import { createInteractions, IdMap, type Interactions } from '../interactions.js';
import { readNpzCsr } from '../npz-file.js';
import { MANIFEST_CHECKSUMS } from './checksums.js';
import type { DatasetEntry } from './entry.js';

/** How the lines of a text file lay out a user's items. */
type LineLayout = 'pairs' | 'lists';

/** One published file of a variant, in one of the layouts the repositories use. */
interface SourceFile {
  /** Key the splits refer to. */
  readonly key: string;
  /** Index into the variant's behaviour names. */
  readonly behavior: number;
  /**
   * Alternatives relative to the dataset folder, first found wins: the copy stored in
   * `../shared/datasets` (gzipped above 1 MB) and the repository's original name.
   */
  readonly paths: readonly string[];
  /** `pairs`: `uid item` per line; `lists`: `uid item item …` per line. */
  readonly layout: LineLayout;
  readonly separator: ' ' | '\t';
  /** Added to every id of the file to bring it into the variant's id space (CRGCN's use of GHCF's 0-based cart: +1). */
  readonly idShift: number;
  /**
   * Set where an alternative is a SciPy CSR `.npz(.gz)` of the symmetric user–item
   * graph (MB-CGCN's `s_adj_mat.npz`): its number of user rows; rows and columns past
   * it are items.
   */
  readonly adjacencyUsers?: number;
}

/** A published split in terms of {@link SourceFile.key}s. */
interface SplitSpec {
  readonly name: string;
  readonly train: readonly string[];
  readonly valid?: string;
  readonly test: string;
  readonly description: string;
}

/** Where the sizes of the user and item index spaces come from. */
type UniverseSource =
  | { readonly kind: 'max-id' }
  | { readonly kind: 'data_size'; readonly path: string }
  | { readonly kind: 'count_json'; readonly path: string };

interface VariantSpec {
  readonly name: string;
  readonly reader: string;
  readonly behaviorNames: readonly string[];
  /** The smallest id of the variant's id space (CRGCN's files are 1-based). */
  readonly firstId: 0 | 1;
  readonly universe: UniverseSource;
  /** In the order of the union `interactions`: behaviours in funnel order, each train → valid → test. */
  readonly files: readonly SourceFile[];
  readonly splits: readonly SplitSpec[];
  /**
   * Evaluation rows whose user (or item) has no training interaction are an error
   * unless allowed here; where allowed, the split description counts them.
   */
  readonly allowColdTest: { readonly users: boolean; readonly items: boolean };
}

const TAB = '\t';
const SPACE = ' ';

/** The stored copy first, then the other compression, so an unpacked repository folder reads too. */
function alternatives(path: string): readonly string[] {
  return path.endsWith('.gz') ? [path, path.slice(0, -3)] : [path, `${path}.gz`];
}

function pairFile(key: string, behavior: number, path: string, separator: ' ' | '\t', idShift = 0): SourceFile {
  return { key, behavior, paths: alternatives(path), layout: 'pairs', separator, idShift };
}

function listFile(key: string, behavior: number, path: string, separator: ' ' | '\t'): SourceFile {
  return { key, behavior, paths: alternatives(path), layout: 'lists', separator, idShift: 0 };
}

const MBGCN: VariantSpec = {
  name: 'tmall/mbgcn',
  reader: 'readTmallMBGCN',
  behaviorNames: ['collect', 'cart', 'buy'],
  firstId: 0,
  universe: { kind: 'data_size', path: 'mbgcn/data_size.txt' },
  files: [
    pairFile('collect', 0, 'mbgcn/collect.txt.gz', SPACE),
    pairFile('cart', 1, 'mbgcn/cart.txt', SPACE),
    pairFile('train', 2, 'mbgcn/train.txt.gz', SPACE),
    pairFile('validation', 2, 'mbgcn/validation.txt', SPACE),
    pairFile('test', 2, 'mbgcn/test.txt', SPACE),
  ],
  splits: [
    {
      name: 'default',
      train: ['collect', 'cart', 'train'],
      valid: 'validation',
      test: 'test',
      description:
        'MBGCN Tmall (Jin et al., SIGIR 2020; tsinghua-fib-lab/MBGCN): purchases train.txt / validation.txt / test.txt ' +
        '(disjoint), all collect and cart pairs as auxiliary training; MBGCN\'s clicks are not available.',
    },
    {
      name: 'crgcn',
      train: ['collect', 'cart', 'train'],
      valid: 'test',
      test: 'validation',
      description:
        'CRGCN Tmall (Yan et al., arXiv 2205.13128; JingyunLiu663/CRGCN data/Tmall): the MBGCN files with validation ' +
        'and test swapped: valid = test.txt, test = validation.txt; collects and carts as auxiliary training.',
    },
    {
      name: 'mule',
      train: ['collect', 'cart', 'train', 'test'],
      valid: 'test',
      test: 'validation',
      description:
        'MuLE Tmall (CIKM 2024; geonwooko/MULE data/tmall, "from CRGCN"): train = train.txt ∪ test.txt with collects ' +
        'and carts, test = validation.txt; valid = test.txt as published, so it is also inside train. The MuLE README ' +
        'results for "Tmall" are on this split (with clicks, which are missing here).',
    },
  ],
  // test.txt holds 580 rows of users with no purchase, cart or collect in training:
  // MANIFEST.md states 41,314 test users but 40,159 train users, and MBGCN's clicks,
  // which would cover them, are not available. Items are all seen.
  allowColdTest: { users: true, items: false },
};

/** Users of MB-CGCN's Tmall data: rows 0..15448 of its adjacency matrices (MANIFEST.md). */
const MBCGCN_USERS = 15_449;

const MBCGCN: VariantSpec = {
  name: 'tmall/mbcgcn',
  reader: 'readTmallMBCGCN',
  behaviorNames: ['view', 'cart', 'buy'],
  firstId: 0,
  universe: { kind: 'max-id' },
  files: [
    {
      key: 'view-train',
      behavior: 0,
      paths: [
        'mbcgcn/view/train.txt.gz',
        'mbcgcn/view/train.txt',
        'mbcgcn/view/s_adj_mat.npz.gz',
        'mbcgcn/view/s_adj_mat.npz',
      ],
      layout: 'lists',
      separator: TAB,
      idShift: 0,
      adjacencyUsers: MBCGCN_USERS,
    },
    pairFile('view-test', 0, 'mbcgcn/view/test.txt', TAB),
    listFile('cart-train', 1, 'mbcgcn/cart/train.txt', TAB),
    pairFile('cart-test', 1, 'mbcgcn/cart/test.txt', TAB),
    listFile('buy-train', 2, 'mbcgcn/buy/train.txt', TAB),
    pairFile('buy-test', 2, 'mbcgcn/buy/test.txt', TAB),
  ],
  splits: [
    {
      name: 'default',
      train: ['view-train', 'cart-train', 'buy-train'],
      test: 'buy-test',
      description:
        'MB-CGCN Tmall (arXiv 2303.15720; SS-00-SS/MBCGCN Data/): leave-one-out purchase test (one per user), ' +
        'view, cart and purchase training pairs. 12,852 of the 15,449 test purchases are also training views or ' +
        'carts, so mask only training purchases when ranking. MuLE calls this data "Taobao".',
    },
    {
      name: 'view-test',
      train: ['view-train', 'cart-train', 'buy-train'],
      test: 'view-test',
      description: 'MB-CGCN Tmall, the same training data as "default", tested on the leave-one-out view file view/test.txt.',
    },
    {
      name: 'cart-test',
      train: ['view-train', 'cart-train', 'buy-train'],
      test: 'cart-test',
      description: 'MB-CGCN Tmall, the same training data as "default", tested on the leave-one-out cart file cart/test.txt.',
    },
  ],
  allowColdTest: { users: false, items: false },
};

const BEIBEI_GHCF: VariantSpec = {
  name: 'beibei/ghcf',
  reader: 'readBeibeiGHCF',
  behaviorNames: ['cart', 'buy'],
  firstId: 0,
  universe: { kind: 'max-id' },
  files: [
    listFile('cart', 0, 'ghcf/cart.txt.gz', SPACE),
    listFile('train', 1, 'ghcf/train.txt.gz', SPACE),
    pairFile('test', 1, 'ghcf/test.txt', SPACE),
  ],
  splits: [
    {
      name: 'default',
      train: ['cart', 'train'],
      test: 'test',
      description:
        'EHCF/GHCF Beibei (Chen et al., AAAI 2020/2021; chenchongthu/GHCF Data/Beibei; NMTR\'s data without views): ' +
        'leave-one-out purchase test (one per user); train = purchase train.txt and ALL carts from cart.txt, as ' +
        'published, so 13,525 test purchases are also training carts: mask only training purchases when ranking.',
    },
  ],
  allowColdTest: { users: false, items: false },
};

const BEIBEI_CRGCN: VariantSpec = {
  name: 'beibei/crgcn',
  reader: 'readBeibeiCRGCN',
  behaviorNames: ['cart', 'buy'],
  firstId: 1,
  universe: { kind: 'count_json', path: 'crgcn/count.txt' },
  files: [
    // CRGCN's own cart.txt is not obtainable; GHCF's holds the same 642,622 pairs 0-based.
    { ...listFile('cart', 0, 'ghcf/cart.txt.gz', SPACE), idShift: 1 },
    pairFile('train', 1, 'crgcn/train.txt.gz', SPACE),
    pairFile('validation', 1, 'crgcn/validation.txt', SPACE),
    pairFile('test', 1, 'crgcn/test.txt', SPACE),
  ],
  splits: [
    {
      name: 'default',
      train: ['cart', 'train'],
      valid: 'validation',
      test: 'test',
      description:
        'CRGCN Beibei (Yan et al., arXiv 2205.13128; JingyunLiu663/CRGCN data/beibei, 1-based ids): one validation ' +
        'and one test purchase per user; test.txt equals GHCF\'s, train ∪ validation equals GHCF\'s train; carts are ' +
        'GHCF\'s cart.txt (ids + 1), all of them, as CRGCN uses them.',
    },
  ],
  allowColdTest: { users: false, items: false },
};

const TAOBAO_GHCF: VariantSpec = {
  name: 'taobao/ghcf',
  reader: 'readTaobaoGHCF',
  behaviorNames: ['cart', 'buy'],
  firstId: 0,
  universe: { kind: 'max-id' },
  files: [
    listFile('cart', 0, 'ghcf/cart.txt.gz', SPACE),
    listFile('train', 1, 'ghcf/train.txt.gz', SPACE),
    pairFile('test', 1, 'ghcf/test.txt', SPACE),
  ],
  splits: [
    {
      name: 'default',
      train: ['cart', 'train'],
      test: 'test',
      description:
        'EHCF/GHCF Taobao (Chen et al., AAAI 2020/2021; chenchongthu/GHCF Data/Taobao): leave-one-out purchase test ' +
        '(one per user); train = purchase train.txt and ALL carts from cart.txt, as published, so 8,326 test ' +
        'purchases are also training carts: mask only training purchases when ranking.',
    },
  ],
  // 488 test rows name an item with no training purchase or cart (1,987 without carts):
  // the published leave-one-out split holds them, and dropping them would change it.
  allowColdTest: { users: false, items: true },
};

/** One file after parsing: ids already turned into indexes, with the line (or matrix row) of each pair. */
interface LoadedFile {
  readonly spec: SourceFile;
  readonly path: string;
  /** `line` for text files, `row` for an adjacency matrix. */
  readonly unit: 'line' | 'row';
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly lines: Int32Array;
}

/** Largest id digit count accepted: every id of up to 9 digits fits int32, so the SQL casts cannot fail. */
const ID_DIGITS = 9;

function expectedLine(layout: LineLayout, separator: ' ' | '\t'): string {
  return layout === 'pairs'
    ? `"user item": two integer ids (0 ≤ id < 10^${ID_DIGITS}) separated by ${separator === TAB ? 'a TAB' : 'a space'}`
    : `"user item item …": integer ids (0 ≤ id < 10^${ID_DIGITS}) separated by single ${separator === TAB ? 'TABs' : 'spaces'}, at least one item`;
}

/** Why `line` failed the line pattern, phrased for the error message. */
function describeBadLine(line: string, layout: LineLayout, separator: ' ' | '\t'): string {
  if (line === '') return 'empty line';
  const fields = line.split(separator);
  if (fields.length < 2 || (layout === 'pairs' && fields.length !== 2)) {
    return `${fields.length} field${fields.length === 1 ? '' : 's'} in ${JSON.stringify(line)}`;
  }
  const token = new RegExp(`^[0-9]{1,${ID_DIGITS}}$`);
  const k = fields.findIndex((field) => !token.test(field));
  return `field ${k + 1}: ${JSON.stringify(fields[k])} is not an id`;
}

/**
 * Parses a text file of `uid item` or `uid item item …` lines with DuckDB into raw
 * (file) ids and the line number of each pair.
 *
 * The lines go into a temporary table once. One regular expression over each whole
 * line finds the first malformed one; then `uid item` files are split with
 * `split_part`, and `uid item item …` files give one row per line (user, item count)
 * and one row per item (`unnest(string_split(…)[2:])`), the users being repeated in JS
 * rather than copied out of DuckDB once per item. Results keep file order because
 * DuckDB's `preserve_insertion_order` (on by default) keeps the order of a scan in
 * every query without an ORDER BY.
 */
async function readLines(
  db: DuckDBSession,
  path: string,
  layout: LineLayout,
  separator: ' ' | '\t',
  context: string,
): Promise<{ users: Int32Array; items: Int32Array; lines: Int32Array }> {
  const expected = expectedLine(layout, separator);
  // One VARCHAR column per line: DuckDB keeps empty lines as NULL (so line numbers stay
  // physical), strips CRLF, decompresses .gz by extension, and with strict_mode a stray
  // unit separator (our delimiter) is a CSV error with its line number.
  const created = await db.queryColumns(
    `CREATE OR REPLACE TEMP TABLE mb_lines AS
     SELECT row_number() OVER () AS line_no, line
     FROM read_csv(${sqlString(path)}, columns = {'line': 'VARCHAR'}, header = false, delim = chr(31),
                   quote = '', escape = '', auto_detect = false, strict_mode = true)`,
    { Count: 'float64' },
    context,
  );
  const lineCount = created.columns.Count[0];
  if (lineCount === 0) throw new Error(`${context}: the file is empty; expected lines of ${expected}`);

  const sep = separator === TAB ? 'chr(9)' : "' '";
  const id = `[0-9]{1,${ID_DIGITS}}`;
  const sepRe = separator === TAB ? '\\t' : ' ';
  const pattern = layout === 'pairs' ? `${id}${sepRe}${id}` : `${id}(${sepRe}${id})+`;
  const bad = await db.queryColumns(
    `SELECT line_no::INTEGER AS line_no, coalesce(line, '') AS line FROM mb_lines
     WHERE line IS NULL OR NOT regexp_full_match(line, '${pattern}')
     ORDER BY line_no LIMIT 1`,
    { line_no: 'int32', line: 'string' },
    context,
  );
  if (bad.length > 0) {
    const line = bad.columns.line[0];
    throw new Error(
      `${context}, line ${bad.columns.line_no[0]}: ${describeBadLine(line, layout, separator)}; expected ${expected}`,
    );
  }

  if (layout === 'pairs') {
    const { length, columns } = await db.queryColumns(
      `SELECT split_part(line, ${sep}, 1)::INTEGER AS user_id, split_part(line, ${sep}, 2)::INTEGER AS item_id
       FROM mb_lines`,
      { user_id: 'int32', item_id: 'int32' },
      context,
    );
    await db.queryColumns('DROP TABLE mb_lines', {}, context);
    const lines = new Int32Array(length);
    for (let r = 0; r < length; r++) lines[r] = r + 1; // no empty lines got past the check above
    return { users: columns.user_id, items: columns.item_id, lines };
  }

  const perLine = await db.queryColumns(
    `SELECT split_part(line, ${sep}, 1)::INTEGER AS user_id,
            (length(line) - length(replace(line, ${sep}, '')))::INTEGER AS item_count
     FROM mb_lines`,
    { user_id: 'int32', item_count: 'int32' },
    context,
  );
  const { columns } = await db.queryColumns(
    `SELECT unnest(string_split(line, ${sep})[2:]::INTEGER[]) AS item_id FROM mb_lines`,
    { item_id: 'int32' },
    context,
  );
  await db.queryColumns('DROP TABLE mb_lines', {}, context);
  const items = columns.item_id;
  const users = new Int32Array(items.length);
  const lines = new Int32Array(items.length);
  let at = 0;
  for (let l = 0; l < perLine.length; l++) {
    const count = perLine.columns.item_count[l];
    users.fill(perLine.columns.user_id[l], at, at + count);
    lines.fill(l + 1, at, at + count);
    at += count;
  }
  if (at !== items.length) {
    throw new Error(`${context}: the lines hold ${at} items but DuckDB unnested ${items.length}`);
  }
  return { users, items, lines };
}

/**
 * The user→item block of a symmetric user–item adjacency matrix saved by SciPy
 * (rows and columns `0..users-1` are users, the rest items, item id = column − users),
 * as raw (file) ids, with the matrix row of each pair for messages.
 */
async function readAdjacency(
  path: string,
  users: number,
  context: string,
): Promise<{ users: Int32Array; items: Int32Array; lines: Int32Array }> {
  const m = await readNpzCsr(path);
  if (m.numRows !== m.numCols || m.numRows <= users) {
    throw new Error(
      `${context}: the matrix is ${m.numRows} × ${m.numCols}; expected a square user–item adjacency with more ` +
        `than ${users} rows (users first, then items)`,
    );
  }
  const nnz = m.indptr[users];
  const outUsers = new Int32Array(nnz);
  const outItems = new Int32Array(nnz);
  const rows = new Int32Array(nnz);
  for (let u = 0; u < users; u++) {
    for (let p = m.indptr[u]; p < m.indptr[u + 1]; p++) {
      const column = m.indices[p];
      if (column < users) {
        throw new Error(
          `${context}, row ${u}: column ${column} is in the user–user block; expected only items (columns ≥ ${users})`,
        );
      }
      outUsers[p] = u;
      outItems[p] = column - users;
      rows[p] = u;
    }
  }
  // The item→user block mirrors the user→item one; a count mismatch means this is not
  // the bipartite adjacency the layout assumes.
  if (m.indptr[m.numRows] - nnz !== nnz) {
    throw new Error(
      `${context}: the user rows hold ${nnz} entries but the item rows ${m.indptr[m.numRows] - nnz}; ` +
        'expected a symmetric user–item adjacency',
    );
  }
  return { users: outUsers, items: outItems, lines: rows };
}

/** The declared sizes of the index spaces, from `data_size.txt` (`users items`) or `count.txt` (JSON). */
function readUniverse(dir: string, source: UniverseSource, context: string): { users: number; items: number } | null {
  if (source.kind === 'max-id') return null;
  const path = join(dir, source.path);
  if (!existsSync(path)) throw new Error(`${context}: ${path} is missing; it declares the number of users and items`);
  const text = readFileSync(path, 'utf8').trim();
  if (source.kind === 'data_size') {
    const match = /^(\d+)\s+(\d+)$/.exec(text);
    if (!match) throw new Error(`${context}: ${path}, line 1: ${JSON.stringify(text)}; expected "<users> <items>"`);
    return { users: Number(match[1]), items: Number(match[2]) };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${context}: ${path}: ${JSON.stringify(text)} is not JSON; expected {"user": <count>, "item": <count>}`);
  }
  const { user, item } = (parsed ?? {}) as { user?: unknown; item?: unknown };
  for (const [field, value] of [
    ['user', user],
    ['item', item],
  ] as const) {
    if (!Number.isSafeInteger(value) || (value as number) < 0) {
      throw new Error(`${context}: ${path}, field "${field}": ${JSON.stringify(value)}; expected a non-negative integer count`);
    }
  }
  return { users: user as number, items: item as number };
}

/** Raw file ids → indexes (`id + idShift − firstId`), checked against the declared sizes. */
function toIndexes(
  raw: { users: Int32Array; items: Int32Array; lines: Int32Array },
  spec: SourceFile,
  variant: VariantSpec,
  universe: { users: number; items: number } | null,
  context: string,
  unit: 'line' | 'row',
): { users: Int32Array; items: Int32Array } {
  const delta = spec.idShift - variant.firstId;
  const first = variant.firstId - spec.idShift; // the smallest id this file may hold
  const declaredBy = variant.universe.kind === 'max-id' ? '' : variant.universe.path;
  const convert = (column: Int32Array, what: 'user' | 'item', size: number | undefined): Int32Array => {
    const out = new Int32Array(column.length);
    for (let r = 0; r < column.length; r++) {
      const index = column[r] + delta;
      if (index < 0 || (size !== undefined && index >= size)) {
        const range =
          size === undefined
            ? `${first} or more (ids in this file start at ${first})`
            : `${first}..${first + size - 1} (${declaredBy} declares ${size} ${what}s)`;
        throw new Error(`${context}, ${unit} ${raw.lines[r]}: ${what} id ${column[r]} is outside ${range}`);
      }
      out[r] = index;
    }
    return out;
  };
  return {
    users: convert(raw.users, 'user', universe?.users),
    items: convert(raw.items, 'item', universe?.items),
  };
}

function concatInteractions(
  parts: readonly LoadedFile[],
  variant: VariantSpec,
  numUsers: number,
  numItems: number,
): Interactions {
  const length = parts.reduce((sum, part) => sum + part.users.length, 0);
  const users = new Int32Array(length);
  const items = new Int32Array(length);
  const behaviors = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    users.set(part.users, at);
    items.set(part.items, at);
    behaviors.fill(part.spec.behavior, at, at + part.users.length);
    at += part.users.length;
  }
  return createInteractions({ users, items, behaviors, behaviorNames: variant.behaviorNames, numUsers, numItems });
}

/**
 * Checks that every user and item of an evaluation file occurs in the split's
 * training rows; returns the counts of the allowed exceptions for the description.
 */
function checkSeen(
  evaluated: LoadedFile,
  train: Interactions,
  variant: VariantSpec,
  split: SplitSpec,
  userIds: IdMap<number>,
  itemIds: IdMap<number>,
): string {
  const seenUsers = new Uint8Array(train.numUsers);
  const seenItems = new Uint8Array(train.numItems);
  for (let r = 0; r < train.length; r++) {
    seenUsers[train.users[r]] = 1;
    seenItems[train.items[r]] = 1;
  }
  let coldUserRows = 0;
  let coldItemRows = 0;
  const coldUsers = new Set<number>();
  const coldItems = new Set<number>();
  for (let r = 0; r < evaluated.users.length; r++) {
    const user = evaluated.users[r];
    const item = evaluated.items[r];
    for (const [what, index, seen, allowed, ids] of [
      ['user', user, seenUsers[user], variant.allowColdTest.users, userIds],
      ['item', item, seenItems[item], variant.allowColdTest.items, itemIds],
    ] as const) {
      if (seen) continue;
      if (!allowed) {
        throw new Error(
          `${variant.reader}: ${evaluated.path}, ${evaluated.unit} ${evaluated.lines[r]}: ${what} ${ids.idOf(index)} ` +
            `never occurs in the training data of split "${split.name}" (${split.train.join(', ')}); ` +
            `expected every evaluated ${what} to have a training interaction`,
        );
      }
      if (what === 'user') {
        coldUserRows++;
        coldUsers.add(index);
      } else {
        coldItemRows++;
        coldItems.add(index);
      }
    }
  }
  const notes: string[] = [];
  const file = evaluated.spec.paths[0].split('/').pop()!;
  const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
  const note = (rows: number, distinct: number, what: 'user' | 'item'): string =>
    `${count(rows, `${file} row`)} (${count(distinct, what)}) ${rows === 1 ? 'has' : 'have'} ` +
    `${what === 'user' ? 'a user' : 'an item'} with no training interaction`;
  if (coldUserRows > 0) notes.push(note(coldUserRows, coldUsers.size, 'user'));
  if (coldItemRows > 0) notes.push(note(coldItemRows, coldItems.size, 'item'));
  return notes.join('; ');
}

function findFile(dir: string, spec: SourceFile, context: string): string {
  for (const candidate of spec.paths) {
    const path = join(dir, candidate);
    if (existsSync(path)) return path;
  }
  throw new Error(
    `${context}: ${spec.paths.map((p) => join(dir, p)).join(' or ')} is missing; expected the files listed in the folder's MANIFEST.md`,
  );
}

async function readVariant(variant: VariantSpec, dir: string): Promise<Dataset<number, number>> {
  const context = variant.reader;
  const universe = readUniverse(dir, variant.universe, context);
  const db = await openDuckDB();
  const loaded = new Map<string, LoadedFile>();
  try {
    for (const spec of variant.files) {
      const path = findFile(dir, spec, context);
      const fileContext = `${context}: ${path}`;
      const isAdjacency = spec.adjacencyUsers !== undefined && /\.npz(\.gz)?$/.test(path);
      const raw = isAdjacency
        ? await readAdjacency(path, spec.adjacencyUsers!, fileContext)
        : await readLines(db, path, spec.layout, spec.separator, fileContext);
      const unit = isAdjacency ? 'row' : 'line';
      const { users, items } = toIndexes(raw, spec, variant, universe, fileContext, unit);
      loaded.set(spec.key, { spec, path, unit, users, items, lines: raw.lines });
    }
  } finally {
    db.close();
  }

  let numUsers = universe?.users ?? 0;
  let numItems = universe?.items ?? 0;
  if (universe === null) {
    for (const file of loaded.values()) {
      for (const u of file.users) if (u >= numUsers) numUsers = u + 1;
      for (const i of file.items) if (i >= numItems) numItems = i + 1;
    }
  }
  const userIds = new IdMap(Array.from({ length: numUsers }, (_, k) => k + variant.firstId));
  const itemIds = new IdMap(Array.from({ length: numItems }, (_, k) => k + variant.firstId));
  const files = (keys: readonly string[]): LoadedFile[] => keys.map((key) => loaded.get(key)!);

  const splits: Record<string, PublishedSplit> = {};
  // Splits with the same training files share one training log (MB-CGCN's three do).
  const trains = new Map<string, Interactions>();
  for (const split of variant.splits) {
    const trainKey = split.train.join('\n');
    const train = trains.get(trainKey) ?? concatInteractions(files(split.train), variant, numUsers, numItems);
    trains.set(trainKey, train);
    const notes: string[] = [];
    const evaluate = (key: string): Interactions => {
      const file = loaded.get(key)!;
      const note = checkSeen(file, train, variant, split, userIds, itemIds);
      if (note !== '') notes.push(note);
      return concatInteractions([file], variant, numUsers, numItems);
    };
    const valid = split.valid === undefined ? undefined : evaluate(split.valid);
    const test = evaluate(split.test);
    const description = notes.length > 0 ? `${split.description} Kept as published: ${notes.join('; ')}.` : split.description;
    splits[split.name] = valid === undefined ? { train, test, description } : { train, valid, test, description };
  }

  return {
    name: variant.name,
    interactions: concatInteractions(files(variant.files.map((f) => f.key)), variant, numUsers, numItems),
    userIds,
    itemIds,
    splits,
  };
}

/**
 * Reads the MBGCN release of Tmall (`tmall/mbgcn`): purchases split into
 * `train.txt.gz` / `validation.txt` / `test.txt`, plus all `cart.txt` and
 * `collect.txt.gz` pairs; 0-based ids, one `uid item` pair per line.
 *
 * - Behaviours `['collect', 'cart', 'buy']`: weakest to strongest preference signal,
 *   the order CRGCN cascades Tmall in (its `main.py`: click, collect, cart, buy) and
 *   NMTR's footnote 1 prescribes when behaviours form no natural order (§III-C).
 * - Indexes equal the file ids; `numUsers` / `numItems` are `data_size.txt`'s
 *   41,738 / 11,953, although only 41,484 user ids occur in these files (MBGCN's
 *   clicks, which are not available, presumably hold the others).
 * - Splits: `default` (MBGCN's roles), `crgcn` (CRGCN's: validation and test files
 *   swapped), `mule` (MuLE's: train ∪ test for training, validation.txt for testing).
 *   Each split's `train` holds the auxiliary behaviours' pairs with `behaviors` set.
 * - 580 rows of `test.txt` have a user with no training interaction (MANIFEST.md
 *   counts 41,314 test users but 40,159 train users); they are kept, as published,
 *   and counted in the split descriptions. Items are all seen in training.
 * - `interactions` is the union: collects, carts, purchase train, validation, test, in
 *   that order (file order within each). No timestamps: the files have none.
 * Takes about 1 s on two cores.
 *
 * @param dir the `tmall` folder (holding `mbgcn/`), e.g. from `locateDataset('tmall')`.
 * @throws Error naming the file and line (or field) of a malformed line, a
 * non-numeric id, an id outside `data_size.txt`'s sizes, an empty or missing file, or
 * a validation row whose user or item has no training interaction.
 * @see Jin et al., "Multi-behavior Recommendation with Graph Convolutional Networks", SIGIR 2020 (tsinghua-fib-lab/MBGCN).
 * @example
 * ```ts
 * const found = locateDataset('tmall');
 * if (!found.ok) throw new Error(found.reason);
 * const data = await readTmallMBGCN(found.dir);
 * data.splits.default.test.length; // 74158
 * data.interactions.behaviorNames; // ['collect', 'cart', 'buy']
 * ```
 */
export function readTmallMBGCN(dir: string): Promise<Dataset<number, number>> {
  return readVariant(MBGCN, dir);
}

/**
 * Reads the MB-CGCN release of Tmall (`tmall/mbcgcn`; MuLE calls it "Taobao"): for each
 * of view, cart and buy a training file and a leave-one-out test file (one pair per
 * user); 0-based ids, TAB-separated `uid item item …` training lines and `uid item`
 * test lines.
 *
 * - Behaviours `['view', 'cart', 'buy']`, NMTR's cascade (§III-C, §IV-A).
 * - The view training pairs come from `view/train.txt.gz` (the conversion
 *   MANIFEST.md describes) or, where only the repository's original is present, from
 *   `view/s_adj_mat.npz(.gz)`: the user→item block of the symmetric adjacency
 *   (rows 0..15448 users, item id = column − 15449).
 * - Splits: `default` tests purchases (`buy/test.txt`); `view-test` and `cart-test`
 *   share its training log (the same object) and test on `view/test.txt` and `cart/test.txt`, so a
 *   multi-task model such as NMTR can be evaluated per behaviour. No validation file
 *   was published (MuLE's `valid.txt` is not available here).
 * - 12,852 test purchases are also training views or carts: mask only training
 *   purchases when ranking purchases.
 * - `interactions` is the union: view train, view test, cart train, cart test, buy
 *   train, buy test. No timestamps: the files have none.
 * Takes about 1 s on two cores.
 *
 * @param dir the `tmall` folder (holding `mbcgcn/`).
 * @throws Error naming the file and line (or matrix row) of malformed input, or of a
 * test row whose user or item has no training interaction.
 * @see "Multi-Behavior Recommendation with Cascading Graph Convolution Networks", arXiv 2303.15720 (SS-00-SS/MBCGCN).
 * @example
 * ```ts
 * const found = locateDataset('tmall');
 * if (!found.ok) throw new Error(found.reason);
 * const data = await readTmallMBCGCN(found.dir);
 * data.splits.default.train.length; // 1130712 = 858505 views + 180027 carts + 92180 buys
 * data.splits['view-test'].test.length; // 15449
 * ```
 */
export function readTmallMBCGCN(dir: string): Promise<Dataset<number, number>> {
  return readVariant(MBCGCN, dir);
}

/**
 * Reads the EHCF/GHCF split of Beibei (`beibei/ghcf`), NMTR's dataset without its
 * views: purchase train (`uid item item …` lines), one held-out purchase per user
 * (`uid item`), and every add-to-cart pair; 0-based, space-separated.
 *
 * - Behaviours `['cart', 'buy']`, NMTR's Beibei cascade (view → cart → buy, §IV-A)
 *   without the unavailable views.
 * - `default`: train = all carts + purchase train, test = test.txt; no validation
 *   file. As published, the cart file holds all carts, including 13,525 of the test
 *   purchases: mask only training purchases when ranking.
 * - `interactions` is carts, purchase train, purchase test. No timestamps.
 * Takes about 1 s on two cores.
 *
 * @param dir the `beibei` folder (holding `ghcf/`).
 * @throws Error naming the file and line of malformed input or of a test row whose
 * user or item has no training interaction.
 * @see Gao et al., "Neural Multi-Task Recommendation from Multi-Behavior Data", ICDE 2019, §IV-A; Chen et al., "Graph Heterogeneous Multi-Relational Recommendation", AAAI 2021 (chenchongthu/GHCF).
 * @example
 * ```ts
 * const found = locateDataset('beibei');
 * if (!found.ok) throw new Error(found.reason);
 * const data = await readBeibeiGHCF(found.dir);
 * [data.interactions.numUsers, data.interactions.numItems]; // [21716, 7977]
 * ```
 */
export function readBeibeiGHCF(dir: string): Promise<Dataset<number, number>> {
  return readVariant(BEIBEI_GHCF, dir);
}

/**
 * Reads the CRGCN split of Beibei (`beibei/crgcn`): purchase train, one validation
 * and one test purchase per user, 1-based ids (`count.txt` declares 21,716 users and
 * 7,977 items); carts are GHCF's `ghcf/cart.txt.gz` with ids + 1, as MANIFEST.md
 * verified against CRGCN's own cart dictionary.
 *
 * - Behaviours `['cart', 'buy']` (CRGCN's `view, cart, buy` without views).
 * - Index = raw id − 1, so indexes line up with `beibei/ghcf`'s.
 * - `interactions` is carts, purchase train, validation, test. No timestamps.
 * Takes about 1 s on two cores.
 *
 * @param dir the `beibei` folder (holding `crgcn/` and `ghcf/cart.txt.gz`).
 * @throws Error naming the file and line of malformed input, of an id outside
 * `count.txt`'s sizes, or of an evaluation row with no training interaction.
 * @see Yan et al., "Cascading Residual Graph Convolutional Network for Multi-Behavior Recommendation", arXiv 2205.13128 (JingyunLiu663/CRGCN).
 * @example
 * ```ts
 * const found = locateDataset('beibei');
 * if (!found.ok) throw new Error(found.reason);
 * const data = await readBeibeiCRGCN(found.dir);
 * data.userIds.idOf(0); // 1
 * data.splits.default.valid?.length; // 21716
 * ```
 */
export function readBeibeiCRGCN(dir: string): Promise<Dataset<number, number>> {
  return readVariant(BEIBEI_CRGCN, dir);
}

/**
 * Reads the EHCF/GHCF Taobao split (`taobao/ghcf`; not an NMTR dataset): purchase
 * train (`uid item item …`), one held-out purchase per user, and all carts; 0-based,
 * space-separated.
 *
 * - Behaviours `['cart', 'buy']`; views are not available.
 * - 488 test rows name an item that has no training purchase or cart; they are kept,
 *   as published, and counted in the split description.
 * - As published, the cart file holds all carts, including 8,326 of the test
 *   purchases: mask only training purchases when ranking.
 * - `interactions` is carts, purchase train, purchase test. No timestamps.
 * Takes about 1 s on two cores.
 *
 * @param dir the `taobao` folder (holding `ghcf/`).
 * @throws Error naming the file and line of malformed input or of a test row whose
 * user has no training interaction.
 * @see Chen et al., "Efficient Heterogeneous Collaborative Filtering without Negative Sampling for Recommendation", AAAI 2020 (chenchongthu/EHCF), and GHCF, AAAI 2021.
 * @example
 * ```ts
 * const found = locateDataset('taobao');
 * if (!found.ok) throw new Error(found.reason);
 * const data = await readTaobaoGHCF(found.dir);
 * data.splits.default.test.length; // 48749
 * ```
 */
export function readTaobaoGHCF(dir: string): Promise<Dataset<number, number>> {
  return readVariant(TAOBAO_GHCF, dir);
}

function entry(
  variant: VariantSpec,
  title: string,
  homepage: string,
  read: (dir: string) => Promise<Dataset<number, number>>,
  expectedInteractions: number,
): DatasetEntry {
  const files: (readonly string[])[] = variant.files.map((f) => f.paths);
  if (variant.universe.kind !== 'max-id') files.push([variant.universe.path]);
  const folder = variant.name.split('/')[0]!;
  return { name: variant.name, folder, title, homepage, files, checksums: MANIFEST_CHECKSUMS[folder], expectedInteractions, read };
}

/**
 * The registry entries of the multi-behaviour datasets: `tmall/mbgcn`,
 * `tmall/mbcgcn`, `beibei/ghcf`, `beibei/crgcn`, `taobao/ghcf`. Each reads its
 * dataset's folder (`tmall`, `beibei`, `taobao`) with the reader of the same variant.
 *
 * @example
 * ```ts
 * const entry = multiBehaviorDatasets.find((d) => d.name === 'beibei/ghcf')!;
 * const data = await entry.read(join(dataRoot(), entry.folder));
 * data.interactions.behaviorNames; // ['cart', 'buy']
 * ```
 */
export const multiBehaviorDatasets: readonly DatasetEntry[] = [
  entry(MBGCN, 'Tmall, MBGCN release (collect, cart, buy)', 'https://github.com/tsinghua-fib-lab/MBGCN', readTmallMBGCN, 510_668),
  entry(MBCGCN, 'Tmall, MB-CGCN release (view, cart, buy)', 'https://github.com/SS-00-SS/MBCGCN', readTmallMBCGCN, 1_177_059),
  entry(BEIBEI_GHCF, 'Beibei, EHCF/GHCF split (cart, buy)', 'https://github.com/chenchongthu/GHCF', readBeibeiGHCF, 947_198),
  entry(BEIBEI_CRGCN, 'Beibei, CRGCN split (cart, buy)', 'https://github.com/MingshiYan/CRGCN', readBeibeiCRGCN, 947_198),
  entry(TAOBAO_GHCF, 'Taobao, EHCF/GHCF split (cart, buy)', 'https://github.com/chenchongthu/GHCF', readTaobaoGHCF, 453_518),
];
