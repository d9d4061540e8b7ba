/**
 * MovieLens 100K (GroupLens): 100,000 ratings (1..5 stars) by 943 users on 1682 movies,
 * with Unix-second timestamps.
 *
 * Cite: F. M. Harper and J. A. Konstan, "The MovieLens Datasets: History and Context",
 * ACM TiiS 5(4), 2015. Research use only; do not redistribute the files.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { queryColumns, sqlString } from '../duckdb.js';
import { createInteractions, IdMap, type InteractionDataset } from '../interactions.js';

/**
 * The MovieLens 100K log with maps back to the raw (numeric) user and movie ids.
 * @example
 * ```ts
 * const data: MovieLens100K = await readMovieLens100K(dir);
 * data.userIds.idOf(0); // 1
 * ```
 */
export type MovieLens100K = InteractionDataset<number, number>;

/** The rating file: this project keeps it gzipped; the official zip has it plain. */
const RATING_FILES = ['u.data.gz', 'u.data'] as const;

/**
 * Reads `u.data` (or `u.data.gz`) from a MovieLens 100K folder: tab-separated
 * `user id, item id, rating, timestamp`, no header.
 *
 * Users and items get dense indexes in ascending raw-id order (for this dataset, raw id
 * − 1), so indexes are stable across runs and row orders. Rows keep the file's order.
 * Ratings become `ratings` (Float32, 1..5) and timestamps `timestamps` (seconds).
 * Takes about 0.1 s.
 *
 * @param dir the dataset folder, e.g. from `locateDataset('ml-100k')`.
 * @throws Error naming the path when the file is missing, or naming the file and line
 * when it cannot be parsed.
 * @example
 * ```ts
 * const found = locateDataset('ml-100k');
 * if (!found.ok) throw new Error(found.reason);
 * const { interactions, userIds, itemIds } = await readMovieLens100K(found.dir);
 * interactions.length; // 100000
 * ```
 */
export async function readMovieLens100K(dir: string): Promise<MovieLens100K> {
  const candidates = RATING_FILES.map((file) => join(dir, file));
  const path = candidates.find((candidate) => existsSync(candidate));
  if (path === undefined) {
    throw new Error(
      `readMovieLens100K: rating file not found: looked for ${candidates.join(' and ')}; ` +
        'expected the MovieLens 100K folder from https://grouplens.org/datasets/movielens/100k/',
    );
  }

  // Explicit column types stop DuckDB from widening a column around a stray value, and
  // force_not_null turns an empty field into a conversion error: either way a bad line
  // is reported with its line number instead of becoming a NULL or a string.
  const sql = `
    SELECT user_id, item_id, rating, ts
    FROM read_csv(${sqlString(path)},
      delim = '\t', header = false, quote = '', escape = '',
      columns = {'user_id': 'INTEGER', 'item_id': 'INTEGER', 'rating': 'FLOAT', 'ts': 'BIGINT'},
      force_not_null = ['user_id', 'item_id', 'rating', 'ts'])`;
  const { columns } = await queryColumns(
    sql,
    { user_id: 'int32', item_id: 'int32', rating: 'float32', ts: 'float64' },
    `readMovieLens100K: ${path}`,
  );

  const users = IdMap.encode(columns.user_id);
  const items = IdMap.encode(columns.item_id);
  const interactions = createInteractions({
    users: users.indexes,
    items: items.indexes,
    ratings: columns.rating,
    timestamps: columns.ts,
    numUsers: users.ids.size,
    numItems: items.ids.size,
  });
  return { interactions, userIds: users.ids, itemIds: items.ids };
}
