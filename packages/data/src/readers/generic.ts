/**
 * Reading users' own interaction files (CSV, TSV, Parquet, JSON lines; gzipped or not)
 * through DuckDB, with a column mapping, and the line-checked field reader the named
 * readers use for fixed-layout text files.
 *
 * Every value is validated in SQL before it reaches a typed array, so a bad file fails
 * once, with the file, the line (Parquet: the row) and what was expected, instead of
 * turning into a NaN or a wrapped id downstream. DuckDB's own CSV sniffer is not used:
 * on small or ragged files it guesses a different delimiter or skips lines, which would
 * hide exactly the errors this reader must report. The layout is stated (format,
 * delimiter, header) and every field is read as text first.
 */
import { existsSync, statSync } from 'node:fs';
import { openDuckDB, sqlString, type ColumnKind, type DuckDBSession } from '../duckdb.js';
import { checkGzipStream } from '../integrity.js';
import { createInteractions, IdMap, type InteractionDataset, type RawId } from '../interactions.js';

/**
 * A file layout {@link readInteractionsFile} reads.
 * @example
 * ```ts
 * const format: InteractionFileFormat = 'parquet';
 * ```
 */
export type InteractionFileFormat = 'csv' | 'tsv' | 'parquet' | 'jsonl';

const FORMATS: readonly InteractionFileFormat[] = ['csv', 'tsv', 'parquet', 'jsonl'];

/** Extension → format; a trailing `.gz` is allowed for the text formats. */
const EXTENSIONS: Readonly<Record<string, InteractionFileFormat>> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.tab': 'tsv',
  '.parquet': 'parquet',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};

/**
 * Which column of the file holds what. A column is named by its header name (CSV/TSV
 * with a header, Parquet), its JSON key (JSON lines), or its 0-based position (CSV/TSV,
 * Parquet).
 *
 * @example
 * ```ts
 * const byName: InteractionColumnMapping = { user: 'user_id', item: 'movie_id', rating: 'stars', timestamp: 'ts' };
 * const byPosition: InteractionColumnMapping = { user: 0, item: 1, rating: 2 };
 * ```
 */
export interface InteractionColumnMapping {
  /** User ids (integers or strings). */
  readonly user: string | number;
  /** Item ids (integers or strings). */
  readonly item: string | number;
  /** Explicit ratings: finite numbers that fit float32. */
  readonly rating?: string | number;
  /**
   * Event times: Unix seconds, an ISO date-time string (`2015-03-01 12:00:00`, read as
   * UTC), or a Parquet `TIMESTAMP`/`DATE` column.
   */
  readonly timestamp?: string | number;
  /** Behaviour type per row (`view`, `cart`, `buy`…), any non-empty text. */
  readonly behavior?: string | number;
}

/**
 * Options of {@link readInteractionsFile}.
 * @example
 * ```ts
 * const options: ReadInteractionsFileOptions = {
 *   format: 'tsv',
 *   header: false,
 *   columns: { user: 0, item: 1, rating: 2, timestamp: 3 },
 * };
 * ```
 */
export interface ReadInteractionsFileOptions<UserId extends RawId = RawId, ItemId extends RawId = RawId> {
  /** Which column holds what. */
  readonly columns: InteractionColumnMapping;
  /**
   * The layout. Default: from the extension (`.csv`, `.tsv`/`.tab`, `.parquet`,
   * `.jsonl`/`.ndjson`, each text one optionally followed by `.gz`); any other
   * extension is an error that asks for this option.
   */
  readonly format?: InteractionFileFormat;
  /** Field separator for CSV/TSV, 1 to 4 bytes (`::` works). Default `,` for CSV, tab for TSV. */
  readonly delimiter?: string;
  /** Whether the first line of a CSV/TSV file names the columns. Default `true`. */
  readonly header?: boolean;
  /**
   * Quote character of CSV/TSV fields (doubled inside a quoted field to escape it).
   * Default `"`; `''` turns quoting off, for formats like MovieLens' where a `"` is
   * just a character of a title.
   */
  readonly quote?: string;
  /** Text encoding of CSV/TSV/JSON-lines files: `utf-8` (default) or `latin-1`. */
  readonly encoding?: 'utf-8' | 'latin-1';
  /**
   * The behaviour names in order (funnel order where there is one: `['view', 'cart',
   * 'buy']`); a row with any other value is an error. Default: the distinct values
   * found, sorted.
   */
  readonly behaviorNames?: readonly string[];
  /**
   * Encode users with this map instead of building one from the file, so that the file
   * lands in an existing index space (a published test split over the training data's
   * ids). A user id not in the map is an error naming the line and the id. Raw ids
   * compare by type: a map of numbers needs a column of integers.
   */
  readonly userIds?: IdMap<UserId>;
  /** As {@link ReadInteractionsFileOptions.userIds}, for items. */
  readonly itemIds?: IdMap<ItemId>;
  /** Prefix of error messages, e.g. the named reader that calls this one. Default `readInteractionsFile`. */
  readonly caller?: string;
  /**
   * The ids already are 0-based dense indexes (as in NCF's files): keep index = id
   * instead of re-encoding, with identity id maps over `0..max`. Ids must be integers
   * in [0, 2^31). Ignored for a side that is given a map.
   */
  readonly denseIds?: boolean;
}

/**
 * What {@link readInteractionsFile} returns: the log over dense indexes, the maps back
 * to the raw ids, and the behaviour names when a behaviour column was mapped.
 * @example
 * ```ts
 * const { interactions, userIds, itemIds, behaviorNames }: InteractionFile = await readInteractionsFile(path, options);
 * ```
 */
export interface InteractionFile<UserId extends RawId = RawId, ItemId extends RawId = RawId>
  extends InteractionDataset<UserId, ItemId> {
  readonly behaviorNames?: readonly string[];
}

type Role = keyof InteractionColumnMapping;
const ROLES: readonly Role[] = ['user', 'item', 'rating', 'timestamp', 'behavior'];
/** SQL column names of the roles in the staging table. */
const SQL_NAME: Readonly<Record<Role, string>> = { user: 'u', item: 'i', rating: 'r', timestamp: 'ts', behavior: 'b' };

const MAX_SAFE = '9007199254740991';
const FLOAT32_MAX = '3.4028234663852886e38';

/** The format of `path` from its extension, or undefined. */
function formatFromExtension(path: string): InteractionFileFormat | undefined {
  const lower = path.toLowerCase();
  const bare = lower.endsWith('.gz') ? lower.slice(0, -3) : lower;
  for (const [extension, format] of Object.entries(EXTENSIONS)) {
    if (bare.endsWith(extension)) return format === 'parquet' && bare !== lower ? undefined : format;
  }
  return undefined;
}

/**
 * A read of a text file as one column `line`, one row per physical line, blank lines
 * kept as NULL rows so that `row_number()` is the line number. The delimiter is a
 * control character that text data does not contain (JSON forbids it unescaped).
 */
function linesSource(path: string, encoding: string): string {
  return `read_csv(${sqlString(path)}, auto_detect = false, header = false, skip = 0,
    delim = '\\x01', quote = '', escape = '', encoding = ${sqlString(encoding)},
    columns = {'line': 'VARCHAR'})`;
}

/** A SQL identifier for `name`. */
function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The fields of one CSV line, honouring `quote` (`''` = none). */
function splitCsvLine(line: string, delimiter: string, quote: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let at = 0; at < line.length; ) {
    if (quoted) {
      if (line.startsWith(quote, at)) {
        if (line.startsWith(quote, at + quote.length)) {
          field += quote;
          at += 2 * quote.length;
        } else {
          quoted = false;
          at += quote.length;
        }
      } else {
        field += line[at++];
      }
    } else if (quote !== '' && field === '' && line.startsWith(quote, at)) {
      quoted = true;
      at += quote.length;
    } else if (line.startsWith(delimiter, at)) {
      fields.push(field);
      field = '';
      at += delimiter.length;
    } else {
      field += line[at++];
    }
  }
  fields.push(field);
  return fields;
}

/**
 * Rewrites DuckDB's CSV parse errors (`CSV Error on Line: N` / `Original Line` /
 * `Expected Number of Columns`) into one sentence with the file and line; other errors
 * keep DuckDB's first paragraph. The full text stays in `cause`.
 */
function describeDuckDBError(error: unknown, context: string, delimiter?: string): Error {
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  const message = cause instanceof Error ? cause.message : String(cause);
  const line = /CSV Error on Line: (\d+)/.exec(message)?.[1];
  const original = /Original Line:\s*\n?([^\n]*)/.exec(message)?.[1];
  const counts = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(message);
  if (line !== undefined && counts !== null) {
    const separator = delimiter === undefined ? '' : ` separated by ${JSON.stringify(delimiter)}`;
    return new Error(
      `${context}, line ${line}: expected ${counts[1]} fields${separator}, found ${counts[2]}` +
        (original === undefined ? '' : `: ${JSON.stringify(original)}`),
      { cause },
    );
  }
  const head = message.split(/\n\s*\n/)[0]!.trim();
  if (line !== undefined) return new Error(`${context}, line ${line}: ${head}`, { cause });
  return new Error(`${context}: ${head}`, { cause });
}

/** Runs `sql` for its effect (DDL), with DuckDB's errors rewritten. */
async function execute(db: DuckDBSession, sql: string, context: string, delimiter?: string): Promise<void> {
  try {
    await db.queryColumns(sql, {}, context);
  } catch (error) {
    throw describeDuckDBError(error, context, delimiter);
  }
}

function checkFile(path: string, context: string, expected: string): void {
  if (!existsSync(path)) throw new Error(`${context}: file not found; expected ${expected}`);
  const stat = statSync(path);
  if (!stat.isFile()) throw new Error(`${context}: not a file; expected ${expected}`);
  if (stat.size === 0) throw new Error(`${context}: the file is empty; expected ${expected}`);
}

/** Where a staged record sits in its file, for messages. */
type Locator = (record: number) => Promise<string>;

interface Staged {
  /** Role → how its column is named in messages: `column "stars"`, `field 2, 0-based`, `key "r"`. */
  readonly mapped: Partial<Record<Role, string>>;
  /** Role → SQL type of the staged column (VARCHAR for text formats). */
  readonly types: Partial<Record<Role, string>>;
  readonly locate: Locator;
  readonly expectation: string;
}

/**
 * Stages the mapped columns of a CSV/TSV file into temp table `t(_rec, u, i, …)`, every
 * field as text, `_rec` the 1-based record number.
 */
async function stageDelimited(
  db: DuckDBSession,
  path: string,
  context: string,
  mapping: InteractionColumnMapping,
  layout: { delimiter: string; header: boolean; quote: string; encoding: string },
): Promise<Staged> {
  const { delimiter, header, quote, encoding } = layout;
  if (delimiter.length === 0 || Buffer.byteLength(delimiter) > 4) {
    throw new Error(`${context}: delimiter ${JSON.stringify(delimiter)} must be 1 to 4 bytes`);
  }
  if (quote.length > 1) throw new Error(`${context}: quote ${JSON.stringify(quote)} must be one character or ''`);
  const lines = linesSource(path, encoding);
  const first = await db.queryColumns(
    `SELECT line FROM ${lines} WHERE line IS NOT NULL LIMIT 1`,
    { line: 'string' },
    context,
  ).catch((error: unknown) => {
    throw describeDuckDBError(error, context);
  });
  if (first.length === 0) {
    throw new Error(`${context}: the file is empty (no lines); expected ${header ? 'a header line and ' : ''}delimited rows`);
  }
  const firstFields = splitCsvLine(first.columns.line[0]!.replace(/^\uFEFF/, ''), delimiter, quote);
  const width = firstFields.length;
  const names = header ? firstFields.map((name) => name.trim()) : undefined;

  const mapped: Partial<Record<Role, string>> = {};
  const select: string[] = ['_rec'];
  for (const role of ROLES) {
    const column = mapping[role];
    if (column === undefined) continue;
    let position: number;
    if (typeof column === 'number') {
      if (!Number.isInteger(column) || column < 0 || column >= width) {
        throw new Error(
          `${context}: columns.${role} = ${column} is not a field position; line 1 has ${width} fields ` +
            `(positions 0..${width - 1}) separated by ${JSON.stringify(delimiter)}`,
        );
      }
      position = column;
      mapped[role] = names === undefined ? `field ${column}, 0-based` : `column "${names[column]}"`;
    } else {
      if (names === undefined) {
        throw new Error(
          `${context}: columns.${role} = ${JSON.stringify(column)} names a column, but header is false; ` +
            `give the 0-based field position instead (line 1 has ${width} fields)`,
        );
      }
      position = names.indexOf(column);
      if (position < 0) {
        throw new Error(
          `${context}: missing column ${JSON.stringify(column)} (columns.${role}); the header has ` +
            `${names.map((name) => JSON.stringify(name)).join(', ')} (delimiter ${JSON.stringify(delimiter)})`,
        );
      }
      mapped[role] = `column "${column}"`;
    }
    select.push(`c${position} AS ${SQL_NAME[role]}`);
  }

  const columns = Array.from({ length: width }, (_, k) => `'c${k}': 'VARCHAR'`).join(', ');
  const source = `read_csv(${sqlString(path)}, auto_detect = false, header = ${header}, skip = 0,
      delim = ${sqlString(delimiter)}, quote = ${sqlString(quote)}, escape = ${sqlString(quote)},
      strict_mode = true, null_padding = false, encoding = ${sqlString(encoding)},
      columns = {${columns}})`;
  await execute(
    db,
    `CREATE OR REPLACE TEMP TABLE t AS
       SELECT ${select.join(', ')} FROM (SELECT row_number() OVER () AS _rec, * FROM ${source})`,
    context,
    delimiter,
  );

  // DuckDB skips blank lines when it parses records, so record k is the k-th non-blank
  // line after the header. Exact unless a quoted field spans lines.
  const locate: Locator = async (record) => {
    const { columns: found } = await db.queryColumns(
      `SELECT n FROM (
         SELECT n, row_number() OVER (ORDER BY n) AS k
         FROM (SELECT row_number() OVER () AS n, line FROM ${lines}) WHERE line IS NOT NULL)
       WHERE k = ${record + (header ? 1 : 0)}`,
      { n: 'float64' },
      context,
    );
    return found.n.length === 1 ? `line ${found.n[0]}` : `record ${record}`;
  };
  const types: Partial<Record<Role, string>> = {};
  for (const role of ROLES) if (mapped[role] !== undefined) types[role] = 'VARCHAR';
  return { mapped, types, locate, expectation: header ? 'a header line and delimited rows' : 'delimited rows' };
}

/** Stages a JSON-lines file: one object per line, values read as text. */
async function stageJsonLines(
  db: DuckDBSession,
  path: string,
  context: string,
  mapping: InteractionColumnMapping,
  encoding: string,
): Promise<Staged> {
  await execute(
    db,
    `CREATE OR REPLACE TEMP TABLE lines AS
       SELECT n AS _rec, line FROM (SELECT row_number() OVER () AS n, line FROM ${linesSource(path, encoding)})
       WHERE line IS NOT NULL AND trim(line) <> ''`,
    context,
  );
  const count = await db.queryColumns('SELECT count(*) AS n FROM lines', { n: 'float64' }, context);
  if (count.columns.n[0] === 0) throw new Error(`${context}: the file has no data rows; expected one JSON object per line`);
  const bad = await db.queryColumns(
    `SELECT _rec, line FROM lines WHERE NOT json_valid(line) OR json_type(line) <> 'OBJECT' ORDER BY _rec LIMIT 1`,
    { _rec: 'float64', line: 'string' },
    context,
  );
  if (bad.length > 0) {
    const text = bad.columns.line[0]!;
    throw new Error(
      `${context}, line ${bad.columns._rec[0]}: expected one JSON object per line, got ` +
        JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text),
    );
  }
  const firstKeys = await db.queryColumns(
    `SELECT unnest(json_keys(line)) AS k FROM (SELECT line FROM lines ORDER BY _rec LIMIT 1)`,
    { k: 'string' },
    context,
  );
  const mapped: Partial<Record<Role, string>> = {};
  const select: string[] = ['_rec'];
  for (const role of ROLES) {
    const key = mapping[role];
    if (key === undefined) continue;
    if (typeof key !== 'string') {
      throw new Error(`${context}: columns.${role} = ${key}: JSON-lines records are objects; name the column by its key`);
    }
    const keyPath = sqlString(`$.${JSON.stringify(key)}`);
    const present = await db.queryColumns(
      `SELECT count(*) AS n FROM lines WHERE json_extract(line, ${keyPath}) IS NOT NULL`,
      { n: 'float64' },
      context,
    );
    if (present.columns.n[0] === 0) {
      throw new Error(
        `${context}: missing column ${JSON.stringify(key)} (columns.${role}): no record has that key; the first ` +
          `record has ${firstKeys.columns.k.map((k) => JSON.stringify(k)).join(', ')}`,
      );
    }
    mapped[role] = `key "${key}"`;
    select.push(`json_extract_string(line, ${keyPath}) AS ${SQL_NAME[role]}`);
  }
  await execute(db, `CREATE OR REPLACE TEMP TABLE t AS SELECT ${select.join(', ')} FROM lines`, context);
  const types: Partial<Record<Role, string>> = {};
  for (const role of ROLES) if (mapped[role] !== undefined) types[role] = 'VARCHAR';
  // Records were numbered by physical line before blank lines were dropped.
  return { mapped, types, locate: async (record) => `line ${record}`, expectation: 'one JSON object per line' };
}

/** Stages a Parquet file, keeping its column types; records are its rows. */
async function stageParquet(
  db: DuckDBSession,
  path: string,
  context: string,
  mapping: InteractionColumnMapping,
): Promise<Staged> {
  const source = `read_parquet(${sqlString(path)})`;
  let schema;
  try {
    schema = await db.queryColumns(
      `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${source})`,
      { column_name: 'string', column_type: 'string' },
      context,
    );
  } catch (error) {
    throw describeDuckDBError(error, `${context} (read as Parquet)`);
  }
  const names = schema.columns.column_name;
  const mapped: Partial<Record<Role, string>> = {};
  const types: Partial<Record<Role, string>> = {};
  const select: string[] = ['file_row_number + 1 AS _rec'];
  for (const role of ROLES) {
    const column = mapping[role];
    if (column === undefined) continue;
    let position: number;
    if (typeof column === 'number') {
      position = Number.isInteger(column) && column >= 0 && column < names.length ? column : -1;
      if (position < 0) {
        throw new Error(`${context}: columns.${role} = ${column} is not a column position; the file has ${names.length} columns`);
      }
    } else {
      position = names.indexOf(column);
      if (position < 0) {
        throw new Error(
          `${context}: missing column ${JSON.stringify(column)} (columns.${role}); the file has ` +
            names.map((name, k) => `${JSON.stringify(name)} ${schema.columns.column_type[k]}`).join(', '),
        );
      }
    }
    mapped[role] = `column "${names[position]}"`;
    types[role] = schema.columns.column_type[position]!;
    select.push(`${ident(names[position]!)} AS ${SQL_NAME[role]}`);
  }
  await execute(
    db,
    `CREATE OR REPLACE TEMP TABLE t AS
       SELECT ${select.join(', ')} FROM read_parquet(${sqlString(path)}, file_row_number = true)`,
    context,
  );
  return { mapped, types, locate: async (record) => `row ${record}`, expectation: 'a Parquet file with rows' };
}

const INTEGER_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/;

/**
 * SQL for the number of a staged column: the rating as DOUBLE, the time as Unix
 * seconds. NULL where it is not one.
 */
function numberExpression(role: Role, type: string): string {
  const x = SQL_NAME[role];
  if (role === 'timestamp') {
    if (/^(TIMESTAMP|DATE)/.test(type)) return `epoch(${x})`;
    return `COALESCE(TRY_CAST(${x} AS DOUBLE), epoch(TRY_CAST(CAST(${x} AS VARCHAR) AS TIMESTAMP)))`;
  }
  return `TRY_CAST(${x} AS DOUBLE)`;
}

/** SQL: the `role` value is missing. */
function emptyCondition(role: Role): string {
  const x = SQL_NAME[role];
  return `(${x} IS NULL OR trim(CAST(${x} AS VARCHAR)) = '')`;
}

/** SQL: the `role` value is not a usable number (ratings must also fit float32). */
function notNumberCondition(role: Role, type: string): string {
  const value = numberExpression(role, type);
  const limit = role === 'rating' ? ` OR abs(${value}) > ${FLOAT32_MAX}` : '';
  return `(${value} IS NULL OR NOT isfinite(${value})${limit})`;
}

/** SQL: the `role` id is not an integer written plainly within ±(2^53 − 1). */
function notIntegerCondition(role: 'user' | 'item', type: string): string {
  const x = SQL_NAME[role];
  const asInteger = INTEGER_TYPES.test(type) ? `TRY_CAST(${x} AS HUGEINT)` : `TRY_CAST(CAST(${x} AS VARCHAR) AS HUGEINT)`;
  return `(${asInteger} IS NULL OR abs(${asInteger}) > ${MAX_SAFE} OR CAST(${asInteger} AS VARCHAR) <> CAST(${x} AS VARCHAR))`;
}

/**
 * Checks every staged value in one scan and fails on the first problem, in the order
 * a person would fix them: no rows, then empty values, then non-numbers. Returns
 * whether each id column is all integers (numeric raw ids) or not (strings).
 */
async function inspect(
  db: DuckDBSession,
  staged: Staged,
  context: string,
): Promise<{ userNumeric: boolean; itemNumeric: boolean }> {
  const roles = ROLES.filter((role) => staged.mapped[role] !== undefined);
  const numeric = roles.filter((role) => role === 'rating' || role === 'timestamp');
  const select = ['count(*) AS n'];
  const spec: Record<string, ColumnKind> = { n: 'float64' };
  for (const role of roles) {
    select.push(`coalesce(min(_rec) FILTER (WHERE ${emptyCondition(role)}), 0) AS empty_${role}`);
    spec[`empty_${role}`] = 'float64';
  }
  for (const role of numeric) {
    select.push(`coalesce(min(_rec) FILTER (WHERE ${notNumberCondition(role, staged.types[role]!)}), 0) AS nan_${role}`);
    spec[`nan_${role}`] = 'float64';
  }
  for (const role of ['user', 'item'] as const) {
    select.push(`count(*) FILTER (WHERE ${notIntegerCondition(role, staged.types[role]!)}) AS text_${role}`);
    spec[`text_${role}`] = 'float64';
  }
  const { columns } = await db.queryColumns(`SELECT ${select.join(', ')} FROM t`, spec, context);
  const at = (name: string): number => (columns[name] as Float64Array)[0]!;
  if (at('n') === 0) throw new Error(`${context}: the file has no data rows; expected ${staged.expectation}`);

  for (const role of roles) {
    const record = at(`empty_${role}`);
    if (record === 0) continue;
    const what = { user: 'a user id', item: 'an item id', rating: 'a rating', timestamp: 'a timestamp', behavior: 'a behaviour' }[role];
    throw new Error(`${context}, ${await staged.locate(record)}: the ${role} (${staged.mapped[role]}) is empty; expected ${what}`);
  }
  for (const role of numeric) {
    const record = at(`nan_${role}`);
    if (record === 0) continue;
    const value = await db.queryColumns(
      `SELECT CAST(${SQL_NAME[role]} AS VARCHAR) AS v FROM t WHERE _rec = ${record}`,
      { v: 'string' },
      context,
    );
    const expected =
      role === 'timestamp' ? 'Unix seconds or an ISO date-time such as 2015-03-01 12:00:00' : 'a finite number that fits float32';
    throw new Error(
      `${context}, ${await staged.locate(record)}: the ${role} ${JSON.stringify(value.columns.v[0])} ` +
        `(${staged.mapped[role]}) is not a number; expected ${expected}`,
    );
  }
  return { userNumeric: at('text_user') === 0, itemNumeric: at('text_item') === 0 };
}

/** Encodes raw ids with `given` (unknown id → error at its record), or builds a map. */
async function encodeIds<Id extends RawId>(
  raw: Float64Array | string[],
  role: 'user' | 'item',
  given: IdMap<Id> | undefined,
  dense: boolean,
  db: DuckDBSession,
  staged: Staged,
  context: string,
): Promise<{ ids: IdMap<Id>; indexes: Int32Array }> {
  const unknownAt = async (row: number): Promise<never> => {
    const { columns } = await db.queryColumns(
      `SELECT _rec FROM t ORDER BY _rec LIMIT 1 OFFSET ${row}`,
      { _rec: 'float64' },
      context,
    );
    const where = await staged.locate(columns._rec[0]!);
    throw new Error(
      `${context}, ${where}: unknown ${role} id ${JSON.stringify(raw[row])} (${staged.mapped[role]}); ` +
        (given === undefined
          ? 'expected a 0-based integer index below 2^31 (denseIds)'
          : `expected one of the ${given.size} known ${role} ids`),
    );
  };
  if (given !== undefined) {
    // Look ids up as the map's type: a column with one non-integer id arrives as text,
    // and its integer-looking ids must still find a map of numbers (and vice versa).
    const numericMap = given.size > 0 && typeof given.idOf(0) === 'number';
    const indexes = new Int32Array(raw.length);
    for (let r = 0; r < raw.length; r++) {
      let id: RawId = raw[r]!;
      if (numericMap && typeof id === 'string') id = /^-?\d+$/.test(id) ? Number(id) : id;
      else if (!numericMap && typeof id === 'number') id = String(id);
      const index = given.indexOf(id as Id);
      if (index < 0) await unknownAt(r);
      indexes[r] = index;
    }
    return { ids: given, indexes };
  }
  if (dense) {
    if (!(raw instanceof Float64Array)) {
      throw new Error(`${context}: denseIds needs integer ${role} ids, but ${staged.mapped[role]} holds text`);
    }
    let max = -1;
    for (let r = 0; r < raw.length; r++) {
      const id = raw[r]!;
      if (id < 0 || id > 0x7fffffff) await unknownAt(r);
      if (id > max) max = id;
    }
    return { ids: new IdMap(Array.from({ length: max + 1 }, (_, k) => k) as Id[]), indexes: Int32Array.from(raw) };
  }
  return IdMap.encode(raw as unknown as ArrayLike<Id>);
}

/**
 * Reads an interaction log from a CSV, TSV, Parquet or JSON-lines file (text formats
 * may be gzipped) with DuckDB, mapping the file's columns to users, items and
 * optionally ratings, timestamps and behaviour types.
 *
 * Ids that are all plain integers (`42`, not `042` or `4.0`) become numeric raw ids;
 * any other id column is kept as strings. Users and items get dense indexes in sorted
 * raw-id order (see {@link IdMap.encode}) unless maps are given; rows keep the file's
 * order. Cost: one DuckDB pass stages the mapped columns as text, one SQL scan checks
 * them all, one more copies them into typed arrays; with the id encoding, about 2 µs of
 * CPU per row (measured on a 3M-row CSV). Peak memory is a few times the text of the
 * mapped columns.
 *
 * Bad input fails with one error that names the file, the line (Parquet: the row) and
 * what was expected: an empty file, a line with the wrong number of fields, a missing
 * column (the message lists the columns found), an empty id, a rating or timestamp that
 * is not a number, an id not in a given map, a behaviour not in `behaviorNames`, an
 * unknown format. Line numbers are exact unless a quoted CSV field spans lines.
 *
 * @param path the file. The format comes from its extension unless `options.format`
 * says it.
 * @param options the column mapping and the layout; see {@link ReadInteractionsFileOptions}.
 * @throws Error as described above.
 * @example
 * ```ts
 * // ratings.csv:
 * //   user_id,movie_id,stars,ts
 * //   alice,m1,4.5,1425211200
 * const { interactions, userIds, itemIds } = await readInteractionsFile('ratings.csv', {
 *   columns: { user: 'user_id', item: 'movie_id', rating: 'stars', timestamp: 'ts' },
 * });
 * interactions.ratings![0]; // 4.5
 * userIds.idOf(interactions.users[0]!); // 'alice'
 * ```
 */
export async function readInteractionsFile<UserId extends RawId = RawId, ItemId extends RawId = RawId>(
  path: string,
  options: ReadInteractionsFileOptions<UserId, ItemId>,
): Promise<InteractionFile<UserId, ItemId>> {
  const context = `${options.caller ?? 'readInteractionsFile'}: ${path}`;
  const format = options.format ?? formatFromExtension(path);
  if (format === undefined) {
    throw new Error(
      `${context}: unknown format: cannot tell it from the file name; pass format: ${FORMATS.map((f) => `'${f}'`).join(' | ')} ` +
        `(recognised extensions: ${Object.keys(EXTENSIONS).join(', ')}, text ones optionally followed by .gz)`,
    );
  }
  if (!FORMATS.includes(format)) {
    throw new Error(`${context}: unknown format ${JSON.stringify(format)}; expected one of ${FORMATS.join(', ')}`);
  }
  const mapping = options.columns as InteractionColumnMapping | undefined;
  if (mapping === undefined || mapping.user === undefined || mapping.item === undefined) {
    throw new Error(`${context}: options.columns must name at least the user and item columns`);
  }
  const encoding = options.encoding ?? 'utf-8';
  if (encoding !== 'utf-8' && encoding !== 'latin-1') {
    throw new Error(`${context}: encoding ${JSON.stringify(encoding)} is not supported; expected 'utf-8' or 'latin-1'`);
  }
  checkFile(path, context, `a ${format} file of interactions`);
  // DuckDB stops quietly at the end of a truncated gzip stream; zlib does not.
  await checkGzipStream(path, options.caller ?? 'readInteractionsFile');

  const db = await openDuckDB();
  try {
    let staged: Staged;
    if (format === 'csv' || format === 'tsv') {
      staged = await stageDelimited(db, path, context, mapping, {
        delimiter: options.delimiter ?? (format === 'csv' ? ',' : '\t'),
        header: options.header ?? true,
        quote: options.quote ?? '"',
        encoding,
      });
    } else if (format === 'jsonl') {
      staged = await stageJsonLines(db, path, context, mapping, encoding);
    } else {
      staged = await stageParquet(db, path, context, mapping);
    }

    const { userNumeric, itemNumeric } = await inspect(db, staged, context);
    const select = [
      userNumeric ? 'CAST(u AS DOUBLE) AS u' : 'CAST(u AS VARCHAR) AS u',
      itemNumeric ? 'CAST(i AS DOUBLE) AS i' : 'CAST(i AS VARCHAR) AS i',
    ];
    const spec: Record<string, ColumnKind> = { u: userNumeric ? 'float64' : 'string', i: itemNumeric ? 'float64' : 'string' };
    if (staged.mapped.rating !== undefined) {
      select.push(`${numberExpression('rating', staged.types.rating!)} AS r`);
      spec.r = 'float32';
    }
    if (staged.mapped.timestamp !== undefined) {
      select.push(`${numberExpression('timestamp', staged.types.timestamp!)} AS ts`);
      spec.ts = 'float64';
    }
    if (staged.mapped.behavior !== undefined) {
      select.push('trim(CAST(b AS VARCHAR)) AS b');
      spec.b = 'string';
    }
    const { columns } = await db.queryColumns(`SELECT ${select.join(', ')} FROM t ORDER BY _rec`, spec, context);
    const rawUsers = columns.u as Float64Array | string[];
    const rawItems = columns.i as Float64Array | string[];

    const dense = options.denseIds ?? false;
    const users = await encodeIds(rawUsers, 'user', options.userIds, dense, db, staged, context);
    const items = await encodeIds(rawItems, 'item', options.itemIds, dense, db, staged, context);

    let behaviors: Uint8Array | undefined;
    let behaviorNames: readonly string[] | undefined;
    if (columns.b !== undefined) {
      const values = columns.b as string[];
      behaviorNames = options.behaviorNames ?? Array.from(new Set(values)).sort();
      if (behaviorNames.length > 256) {
        throw new Error(`${context}: ${staged.mapped.behavior} has ${behaviorNames.length} behaviour types; at most 256 fit`);
      }
      const code = new Map(behaviorNames.map((name, k) => [name, k]));
      behaviors = new Uint8Array(values.length);
      for (let r = 0; r < values.length; r++) {
        const k = code.get(values[r]!);
        if (k === undefined) {
          const rec = await db.queryColumns(`SELECT _rec FROM t ORDER BY _rec LIMIT 1 OFFSET ${r}`, { _rec: 'float64' }, context);
          const where = await staged.locate(rec.columns._rec[0]!);
          throw new Error(
            `${context}, ${where}: unknown behaviour ${JSON.stringify(values[r])} (${staged.mapped.behavior}); ` +
              `expected one of ${behaviorNames.map((name) => JSON.stringify(name)).join(', ')}`,
          );
        }
        behaviors[r] = k;
      }
    }

    const interactions = createInteractions({
      users: users.indexes,
      items: items.indexes,
      ...(columns.r !== undefined ? { ratings: columns.r as Float32Array } : {}),
      ...(columns.ts !== undefined ? { timestamps: columns.ts as Float64Array } : {}),
      ...(behaviors !== undefined ? { behaviors, behaviorNames } : {}),
      numUsers: users.ids.size,
      numItems: items.ids.size,
    });
    return {
      interactions,
      userIds: users.ids,
      itemIds: items.ids,
      ...(behaviorNames !== undefined ? { behaviorNames } : {}),
    };
  } finally {
    db.close();
  }
}

/**
 * The fields of a fixed-layout text file without quoting (MovieLens' `u.item`,
 * `movies.dat`, …), as text columns, with the line number of each row.
 * @example
 * ```ts
 * const { lines, columns }: DelimitedFields = await readDelimitedFields(path, { delimiter: '|', fields: 2, context: 'u.genre' });
 * ```
 */
export interface DelimitedFields {
  /** 1-based physical line number of each row (blank lines are skipped). */
  readonly lines: Int32Array;
  /** `columns[f][r]`: field `f` of row `r`. */
  readonly columns: readonly (readonly string[])[];
}

/**
 * Reads a text file whose every non-blank line has exactly `fields` fields separated by
 * `delimiter` (1 to 4 bytes, taken literally: no quoting), through DuckDB, keeping
 * physical line numbers for the caller's own value checks. Meant for small side files
 * (item titles, user demographics): the values come back as JS strings.
 *
 * @param path the file (`.gz` is decompressed).
 * @param options `context` prefixes every message (e.g. `readMovieLens1M: /data/ml-1m/movies.dat`);
 * `encoding` is `utf-8` (default) or `latin-1`.
 * @throws Error naming the file and the line when a line has a different number of
 * fields, or when the file is empty.
 * @example
 * ```ts
 * const { lines, columns } = await readDelimitedFields('/data/ml-100k/u.genre', { delimiter: '|', fields: 2 });
 * columns[0]; // ['unknown', 'Action', …]
 * lines[0]; // 1
 * ```
 */
export async function readDelimitedFields(
  path: string,
  options: { delimiter: string; fields: number; encoding?: 'utf-8' | 'latin-1'; context?: string },
): Promise<DelimitedFields> {
  const { delimiter, fields } = options;
  const context = options.context ?? `readDelimitedFields: ${path}`;
  const expected = `lines of ${fields} fields separated by ${JSON.stringify(delimiter)}`;
  checkFile(path, context, expected);
  await checkGzipStream(path, options.context ?? 'readDelimitedFields');
  const db = await openDuckDB();
  try {
    const source = linesSource(path, options.encoding ?? 'utf-8');
    await execute(
      db,
      `CREATE TEMP TABLE f AS
         SELECT n, string_split(line, ${sqlString(delimiter)}) AS parts
         FROM (SELECT row_number() OVER () AS n, line FROM ${source}) WHERE line IS NOT NULL`,
      context,
    );
    const bad = await db.queryColumns(
      `SELECT n, len(parts) AS k, array_to_string(parts, ${sqlString(delimiter)}) AS line
       FROM f WHERE len(parts) <> ${fields} ORDER BY n LIMIT 1`,
      { n: 'float64', k: 'float64', line: 'string' },
      context,
    );
    if (bad.length > 0) {
      throw new Error(
        `${context}, line ${bad.columns.n[0]}: expected ${fields} fields separated by ${JSON.stringify(delimiter)}, ` +
          `found ${bad.columns.k[0]}: ${JSON.stringify(bad.columns.line[0])}`,
      );
    }
    const spec: Record<string, ColumnKind> = { n: 'int32' };
    const select = ['n'];
    for (let f = 0; f < fields; f++) {
      select.push(`parts[${f + 1}] AS f${f}`);
      spec[`f${f}`] = 'string';
    }
    const { length, columns } = await db.queryColumns(`SELECT ${select.join(', ')} FROM f ORDER BY n`, spec, context);
    if (length === 0) throw new Error(`${context}: the file has no non-blank lines; expected ${expected}`);
    return {
      lines: columns.n as Int32Array,
      columns: Array.from({ length: fields }, (_, f) => columns[`f${f}`] as string[]),
    };
  } finally {
    db.close();
  }
}
