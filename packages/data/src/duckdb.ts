/**
 * The one place @rec/data talks to DuckDB: run a SQL query, get typed-array columns.
 *
 * DuckDB reads CSV/TSV/JSON/Parquet, gzipped or not, with a fast multi-threaded parser
 * and reports malformed lines with their line numbers, so every reader is a SQL query
 * plus the id encoding. Readers never touch DuckDB's value classes; they declare the
 * columns they want and the typed array each one becomes.
 */
import type { DuckDBConnection, DuckDBInstance, DuckDBVector } from '@duckdb/node-api';

/**
 * `@duckdb/node-api` is an optional peer dependency of `@rec/data` (about 70 MB of
 * native binaries): only the file readers need it, so it is imported on first use,
 * and a missing install is one line instead of a failure at import.
 */
let duckdbModule: Promise<typeof import('@duckdb/node-api')> | undefined;

async function importDuckDB(): Promise<typeof import('@duckdb/node-api')> {
  duckdbModule ??= import('@duckdb/node-api').catch((error: unknown) => {
    duckdbModule = undefined;
    const code = (error as { code?: string }).code;
    // Only the package itself missing; a broken install of its native bindings keeps its own message.
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((error as Error).message).includes("'@duckdb/node-api'")) {
      throw new Error('install @duckdb/node-api to read files (npm install @duckdb/node-api)', { cause: error });
    }
    throw error;
  });
  return duckdbModule;
}

/**
 * The typed array (or string list) a result column is copied into.
 * @example
 * ```ts
 * const kind: ColumnKind = 'int32'; // the column becomes an Int32Array
 * ```
 */
export type ColumnKind = 'int32' | 'float32' | 'float64' | 'uint8' | 'string';

/**
 * Result column name → what to copy it into.
 * @example
 * ```ts
 * const spec = { user_id: 'int32', rating: 'float32', title: 'string' } as const satisfies ColumnSpec;
 * ```
 */
export type ColumnSpec = Readonly<Record<string, ColumnKind>>;

type ArrayOfKind<K extends ColumnKind> = K extends 'int32'
  ? Int32Array
  : K extends 'float32'
    ? Float32Array
    : K extends 'float64'
      ? Float64Array
      : K extends 'uint8'
        ? Uint8Array
        : string[];

/**
 * The columns {@link DuckDBSession.queryColumns} returns for a {@link ColumnSpec}.
 * @example
 * ```ts
 * type Cols = ColumnsOf<{ user_id: 'int32'; title: 'string' }>;
 * // { user_id: Int32Array; title: string[] }
 * ```
 */
export type ColumnsOf<S extends ColumnSpec> = { -readonly [K in keyof S]: ArrayOfKind<S[K]> };

/**
 * A query result copied out of DuckDB: `length` rows in typed-array columns.
 * @example
 * ```ts
 * const { length, columns }: QueryColumns<{ x: 'float64' }> = await queryColumns('SELECT 1.5 AS x', { x: 'float64' });
 * ```
 */
export interface QueryColumns<S extends ColumnSpec> {
  readonly length: number;
  readonly columns: ColumnsOf<S>;
}

function allocate(kind: ColumnKind, n: number): Int32Array | Float32Array | Float64Array | Uint8Array | string[] {
  switch (kind) {
    case 'int32':
      return new Int32Array(n);
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
    case 'uint8':
      return new Uint8Array(n);
    case 'string':
      return new Array<string>(n);
  }
}

const RANGE: Partial<Record<ColumnKind, [number, number]>> = {
  int32: [-0x8000_0000, 0x7fff_ffff],
  uint8: [0, 255],
};

/** The typed array a column is read into, for each kind of fixed-width vector it can be copied from whole. */
const TYPED_SOURCES: Partial<Record<ColumnKind, new (...args: never[]) => ArrayLike<number>>> = {
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
};

/**
 * The fast path: an INTEGER/FLOAT/DOUBLE vector whose values already sit in a
 * typed array of the target type is copied with one `set`, after a NULL scan.
 * The node-api keeps that array in the vector's `items` field (pinned version
 * 1.5.6-r.1); when the field is absent or of another type, the caller falls
 * back to value-by-value conversion, so a change there costs speed, not
 * correctness.
 */
function copyTypedItems(
  vector: DuckDBVector,
  out: Int32Array | Float32Array | Float64Array | Uint8Array | string[],
  kind: ColumnKind,
  offset: number,
  name: string,
  context: string,
): boolean {
  const Source = TYPED_SOURCES[kind];
  const items = (vector as unknown as { items?: unknown }).items;
  if (!Source || !(items instanceof Source) || !(out instanceof Source) || items.length !== vector.itemCount) return false;
  const validity = (vector as unknown as { validity?: { itemValid(i: number): boolean } }).validity;
  if (!validity) return false;
  for (let i = 0; i < items.length; i++) {
    if (!validity.itemValid(i)) throw new Error(`${context}: column "${name}" is NULL in result row ${offset + i}`);
  }
  (out as Int32Array).set(items as unknown as Int32Array, offset);
  return true;
}

/**
 * Copies one chunk's vector into `out` at `offset`. Values arrive as DuckDB's JS
 * values (number, bigint for BIGINT, string for VARCHAR); anything else, a NULL or a
 * value outside the target type is an error naming the column and the row, because a
 * silently wrapped id corrupts everything downstream.
 */
function copyVector(
  vector: DuckDBVector,
  out: Int32Array | Float32Array | Float64Array | Uint8Array | string[],
  kind: ColumnKind,
  offset: number,
  name: string,
  context: string,
): void {
  const count = vector.itemCount;
  if (copyTypedItems(vector, out, kind, offset, name, context)) return;
  const range = RANGE[kind];
  for (let i = 0; i < count; i++) {
    const value = vector.getItem(i);
    const row = offset + i;
    if (value === null) {
      throw new Error(`${context}: column "${name}" is NULL in result row ${row}`);
    }
    if (kind === 'string') {
      (out as string[])[row] = typeof value === 'string' ? value : String(value);
      continue;
    }
    const number = typeof value === 'bigint' ? Number(value) : value;
    if (typeof number !== 'number') {
      throw new Error(`${context}: column "${name}" in result row ${row} is not a number (${String(value)})`);
    }
    if (range && !(Number.isInteger(number) && number >= range[0] && number <= range[1])) {
      throw new Error(`${context}: column "${name}" in result row ${row} is ${number}, which does not fit ${kind}`);
    }
    (out as Int32Array | Float32Array | Float64Array | Uint8Array)[row] = number;
  }
}

/**
 * An in-memory DuckDB database and one connection. Open with {@link openDuckDB},
 * always {@link DuckDBSession.close} (use `try/finally`): native handles left open keep
 * the Node process alive.
 *
 * @example
 * ```ts
 * const db = await openDuckDB();
 * try {
 *   const { columns } = await db.queryColumns('SELECT 1 AS x', { x: 'int32' });
 *   columns.x; // Int32Array [1]
 * } finally {
 *   db.close();
 * }
 * ```
 */
export class DuckDBSession {
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  /** @internal use {@link openDuckDB}. */
  static async open(): Promise<DuckDBSession> {
    const { DuckDBInstance } = await importDuckDB();
    const instance = await DuckDBInstance.create(':memory:');
    try {
      return new DuckDBSession(instance, await instance.connect());
    } catch (error) {
      instance.closeSync();
      throw error;
    }
  }

  /**
   * Runs `sql` and copies the columns named in `spec` into typed arrays (or string
   * lists). The result is materialised once in DuckDB and then copied, so peak memory
   * is about twice the result. Other result columns are ignored.
   *
   * @param context prefix for error messages, e.g. the reader and file.
   * @throws Error when a column in `spec` is missing from the result, or holds NULL
   * or a value that does not fit its kind; DuckDB's own errors (parse errors with line
   * numbers) are rethrown with `context` in front.
   */
  async queryColumns<S extends ColumnSpec>(sql: string, spec: S, context = 'DuckDB query'): Promise<QueryColumns<S>> {
    if (this.closed) throw new Error(`${context}: the DuckDB session is closed`);
    let result;
    try {
      result = await this.connection.run(sql);
    } catch (error) {
      // DuckDB's CSV errors open with the line number and the offending line, then
      // append pages of sniffer settings; keep the first paragraph (the full text stays
      // in `cause`).
      const message = error instanceof Error ? error.message : String(error);
      const head = message.split(/\n\s*\n/)[0]!.trim();
      throw new Error(`${context}: ${head}`, { cause: error });
    }
    const names = result.columnNames();
    const wanted = Object.keys(spec);
    const positions = wanted.map((name) => {
      const at = names.indexOf(name);
      if (at < 0) {
        throw new Error(`${context}: the query returns no column "${name}" (it returns ${names.join(', ')})`);
      }
      return at;
    });
    const length = result.rowCount;
    const columns: Record<string, ReturnType<typeof allocate>> = {};
    for (const name of wanted) columns[name] = allocate(spec[name], length);

    let offset = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (chunk === null || chunk.rowCount === 0) break;
      wanted.forEach((name, c) => {
        copyVector(chunk.getColumnVector(positions[c]), columns[name], spec[name], offset, name, context);
      });
      offset += chunk.rowCount;
    }
    if (offset !== length) {
      throw new Error(`${context}: DuckDB reported ${length} rows but delivered ${offset}`);
    }
    return { length, columns: columns as ColumnsOf<S> };
  }

  /** Releases the connection and the database. Safe to call twice. */
  close(): void {
    // The native close is not documented as idempotent, so guard it here.
    if (this.closed) return;
    this.closed = true;
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/**
 * Opens an in-memory DuckDB session. Close it when done.
 *
 * @example
 * ```ts
 * const db = await openDuckDB();
 * try {
 *   await db.queryColumns(`SELECT * FROM read_csv(${sqlString(path)})`, { a: 'int32' });
 * } finally {
 *   db.close();
 * }
 * ```
 */
export function openDuckDB(): Promise<DuckDBSession> {
  return DuckDBSession.open();
}

/**
 * Runs one query in a fresh in-memory database and closes it: the common case for a
 * reader that needs one table.
 *
 * @example
 * ```ts
 * const { length, columns } = await queryColumns(
 *   `SELECT column0 AS user FROM read_csv(${sqlString(path)}, header=false)`,
 *   { user: 'int32' },
 * );
 * ```
 */
export async function queryColumns<S extends ColumnSpec>(
  sql: string,
  spec: S,
  context?: string,
): Promise<QueryColumns<S>> {
  const db = await openDuckDB();
  try {
    return await db.queryColumns(sql, spec, context);
  } finally {
    db.close();
  }
}

/**
 * A SQL string literal for `value` (single quotes doubled), for file paths inside
 * `read_csv(...)` where table functions take no bound parameters.
 *
 * @example
 * ```ts
 * sqlString("it's.csv"); // "'it''s.csv'"
 * ```
 */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
