/**
 * Reading an interaction log dropped on the page: CSV or TSV text with the columns
 * `user,item[,rating][,timestamp]`. What is accepted, exactly (the page and the README
 * say the same):
 *
 * - **Separator**: a tab when the first non-blank line has one, else a comma. Fields are
 *   trimmed; quotes are not interpreted (a field holding `"` is refused), so ids must
 *   not contain the separator.
 * - **Header** (optional): the first line is a header when every field of it names a
 *   column — `user`, `item`, `rating`, `timestamp`, case-insensitive, with the aliases
 *   of {@link COLUMN_ALIASES} (`user_id`, `movieId`, `time`, …). With a header the
 *   columns may come in any order and other names are refused; `user` and `item` are
 *   required. Without a header the columns are positional: 2 fields are user, item;
 *   3 add rating; 4 add timestamp.
 * - **Rows**: every line has as many fields as the first; blank lines are skipped. Ids
 *   are non-empty; ratings and timestamps are finite numbers (timestamps in any unit,
 *   only their order is used).
 * - **Ids**: a column whose ids are all plain integers (`42`, not `042` or `4.0`) keeps
 *   them as numbers, as `@rec/data`'s file reader does; any other as strings. Indexes
 *   follow the sorted raw ids (`IdMap.encode`).
 *
 * Malformed input fails with one {@link LogFormatError} naming the file and the line.
 */
import { createInteractions, IdMap, type Interactions, type RawId } from '@rec/data';

/** The columns a log may have, in their positional order. */
export const LOG_COLUMNS = ['user', 'item', 'rating', 'timestamp'] as const;

/** One column of {@link LOG_COLUMNS}. */
export type LogColumn = (typeof LOG_COLUMNS)[number];

/**
 * Header names accepted for each column (compared lower-cased, with `-`, `_` and spaces
 * removed): `user_id`, `UserID` and `user-id` all name the user column.
 */
export const COLUMN_ALIASES: Readonly<Record<LogColumn, readonly string[]>> = {
  user: ['user', 'userid', 'users', 'customer', 'customerid', 'visitor', 'visitorid'],
  item: ['item', 'itemid', 'items', 'movie', 'movieid', 'product', 'productid', 'song', 'songid'],
  rating: ['rating', 'ratings', 'score', 'stars', 'value'],
  timestamp: ['timestamp', 'time', 'ts', 'date', 'datetime', 'unixtime'],
};

/** A dropped log that does not follow the accepted format; the message names the file and line. */
export class LogFormatError extends Error {
  override readonly name = 'LogFormatError';
  constructor(
    readonly file: string,
    /** 1-based line number, or 0 when the whole file is at fault. */
    readonly line: number,
    problem: string,
  ) {
    super(line > 0 ? `${file}, line ${line}: ${problem}` : `${file}: ${problem}`);
  }
}

/** A parsed log: the interactions by dense index, and the raw ids behind the indexes. */
export interface ParsedLog {
  /** The file's name (or the bundled log's). */
  readonly name: string;
  readonly interactions: Interactions;
  readonly userIds: IdMap<RawId>;
  readonly itemIds: IdMap<RawId>;
  /** The columns read, in the file's order. */
  readonly columns: readonly LogColumn[];
  /** True when the first line was a header. */
  readonly header: boolean;
  /**
   * True when the file had a timestamp column; without one, each row's line number is its
   * time, so a user's latest interaction is their last line.
   */
  readonly timed: boolean;
}

const normalise = (name: string): string => name.toLowerCase().replace(/[-_\s]/g, '');

/** The column a header field names, or undefined. */
function columnNamed(field: string): LogColumn | undefined {
  const key = normalise(field);
  return LOG_COLUMNS.find((column) => COLUMN_ALIASES[column].includes(key));
}

const PLAIN_INTEGER = /^(0|-?[1-9]\d*)$/;

/** Raw ids of one column: numbers when every id is a plain safe integer, else the strings. */
function rawIds(values: readonly string[]): RawId[] {
  const numeric = values.every((v) => PLAIN_INTEGER.test(v) && Number.isSafeInteger(Number(v)));
  return numeric ? values.map(Number) : [...values];
}

/** Quotes a line for a message, shortened. */
const quoted = (line: string): string => JSON.stringify(line.length > 80 ? `${line.slice(0, 77)}...` : line);

/**
 * Parses a CSV/TSV interaction log (see the module comment for the accepted format).
 * Cost: one pass over the text plus the id encoding (a sort per id column).
 *
 * @param text - the file's contents.
 * @param name - names the file in messages.
 * @throws LogFormatError naming the line: an empty file, a header without `user` and
 *   `item` or with an unknown or repeated column, a line with another number of fields,
 *   an empty id, a quote, a rating or timestamp that is not a number.
 * @example
 * ```ts
 * const log = parseInteractionLog('user,item,rating\nalice,m1,5\nbob,m1,3\n', 'ratings.csv');
 * log.interactions.length; // 2
 * log.userIds.idOf(log.interactions.users[1]!); // 'bob'
 * ```
 */
export function parseInteractionLog(text: string, name: string): ParsedLog {
  const lines = text.split(/\r?\n/);
  const first = lines.findIndex((line) => line.trim() !== '');
  if (first < 0) throw new LogFormatError(name, 0, 'the file is empty; expected lines of user,item[,rating][,timestamp]');
  const separator = lines[first]!.includes('\t') ? '\t' : ',';
  const separatorName = separator === '\t' ? 'tabs' : 'commas';
  const split = (line: string): string[] => line.split(separator).map((f) => f.trim());

  const firstFields = split(lines[first]!);
  const named = firstFields.map(columnNamed);
  const header = named.every((c) => c !== undefined);
  let columns: LogColumn[];
  if (header) {
    columns = named as LogColumn[];
    const repeated = columns.find((c, k) => columns.indexOf(c) !== k);
    if (repeated) throw new LogFormatError(name, first + 1, `the header names the ${repeated} column twice: ${quoted(lines[first]!)}`);
    for (const required of ['user', 'item'] as const) {
      if (!columns.includes(required)) throw new LogFormatError(name, first + 1, `the header has no ${required} column (it has ${firstFields.join(', ')}); expected user,item[,rating][,timestamp]`);
    }
  } else {
    const known = named.filter((c) => c !== undefined).length;
    const unknown = firstFields.filter((_, k) => named[k] === undefined);
    if (known > 0 && known >= firstFields.length - 1 && unknown.every((f) => f !== '' && !Number.isFinite(Number(f)))) {
      // Looks like a header with a typo: say which field is not a column name.
      throw new LogFormatError(name, first + 1, `the header field ${unknown.map((f) => JSON.stringify(f)).join(', ')} names no column; the columns are user, item, rating, timestamp`);
    }
    if (firstFields.length < 2 || firstFields.length > 4) {
      throw new LogFormatError(name, first + 1, `expected 2 to 4 fields separated by ${separatorName} (user, item[, rating][, timestamp]), found ${firstFields.length}: ${quoted(lines[first]!)}`);
    }
    columns = LOG_COLUMNS.slice(0, firstFields.length);
  }
  const at = (column: LogColumn): number => columns.indexOf(column);
  const userAt = at('user');
  const itemAt = at('item');
  const ratingAt = at('rating');
  const timeAt = at('timestamp');

  const users: string[] = [];
  const items: string[] = [];
  const ratings: number[] = [];
  const times: number[] = [];
  const expected = `${columns.length} fields separated by ${separatorName} (${columns.join(', ')})`;
  for (let l = header ? first + 1 : first; l < lines.length; l++) {
    const line = lines[l]!;
    if (line.trim() === '') continue;
    const fields = split(line);
    if (fields.length !== columns.length) throw new LogFormatError(name, l + 1, `expected ${expected}, found ${fields.length}: ${quoted(line)}`);
    const quote = fields.findIndex((f) => f.includes('"'));
    if (quote >= 0) throw new LogFormatError(name, l + 1, `the ${columns[quote]} field has a quote; quoted fields are not supported (ids may not contain the separator): ${quoted(line)}`);
    const user = fields[userAt]!;
    const item = fields[itemAt]!;
    if (user === '') throw new LogFormatError(name, l + 1, `the user id is empty: ${quoted(line)}`);
    if (item === '') throw new LogFormatError(name, l + 1, `the item id is empty: ${quoted(line)}`);
    users.push(user);
    items.push(item);
    if (ratingAt >= 0) {
      const rating = Number(fields[ratingAt]);
      if (fields[ratingAt] === '' || !Number.isFinite(rating)) throw new LogFormatError(name, l + 1, `the rating ${JSON.stringify(fields[ratingAt])} is not a number: ${quoted(line)}`);
      ratings.push(rating);
    }
    if (timeAt >= 0) {
      const time = Number(fields[timeAt]);
      if (fields[timeAt] === '' || !Number.isFinite(time)) throw new LogFormatError(name, l + 1, `the timestamp ${JSON.stringify(fields[timeAt])} is not a number (Unix seconds, or any increasing number): ${quoted(line)}`);
      times.push(time);
    } else {
      times.push(l + 1);
    }
  }
  if (users.length === 0) throw new LogFormatError(name, 0, 'the file has a header but no interactions');

  const user = IdMap.encode(rawIds(users));
  const item = IdMap.encode(rawIds(items));
  const interactions = createInteractions({
    users: user.indexes,
    items: item.indexes,
    ...(ratingAt >= 0 ? { ratings: Float32Array.from(ratings) } : {}),
    timestamps: Float64Array.from(times),
    numUsers: user.ids.size,
    numItems: item.ids.size,
  });
  return { name, interactions, userIds: user.ids, itemIds: item.ids, columns, header, timed: timeAt >= 0 };
}
