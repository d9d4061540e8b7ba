import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { skipOrFail } from '@rec/core/testing';
import { describe, expect, it } from 'vitest';
import { openDuckDB, sqlString } from '../duckdb.js';
import { IdMap } from '../interactions.js';
import { dataRoot } from '../locate.js';
import { requireDataset } from '../testing/index.js';
import { readDelimitedFields, readInteractionsFile } from './generic.js';

const dir = mkdtempSync(join(tmpdir(), 'rec-generic-'));

/** Writes `content` to a fresh file in the test folder and returns its path. */
function fixture(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** Writes a Parquet file from a SQL query, through DuckDB. */
async function parquetFixture(name: string, query: string): Promise<string> {
  const path = join(dir, name);
  const db = await openDuckDB();
  try {
    await db.queryColumns(`COPY (${query}) TO ${sqlString(path)} (FORMAT parquet)`, {});
  } finally {
    db.close();
  }
  return path;
}

describe('readInteractionsFile', () => {
  it('reads a CSV with a header, string ids, fractional ratings and Unix or ISO times', async () => {
    const path = fixture(
      'ratings.csv',
      'user_id,movie,stars,ts\r\nalice,"m,1",4.5,1425211200\r\n\r\nbob,m2,3,2015-03-01 12:00:00\r\nalice,m2,1,0\r\n',
    );
    const { interactions, userIds, itemIds, behaviorNames } = await readInteractionsFile(path, {
      columns: { user: 'user_id', item: 'movie', rating: 'stars', timestamp: 'ts' },
    });
    expect(userIds.toArray()).toEqual(['alice', 'bob']);
    expect(itemIds.toArray()).toEqual(['m,1', 'm2']);
    expect(Array.from(interactions.users)).toEqual([0, 1, 0]);
    expect(Array.from(interactions.items)).toEqual([0, 1, 1]);
    expect(Array.from(interactions.ratings!)).toEqual([4.5, 3, 1]);
    expect(Array.from(interactions.timestamps!)).toEqual([1425211200, 1425211200, 0]);
    expect(behaviorNames).toBeUndefined();
    expect('behaviors' in interactions).toBe(false);
  });

  it('reads a gzipped TSV without a header by field position, with integer ids', async () => {
    const path = fixture('log.tsv.gz', gzipSync('10\t7\t100\n3\t7\t90\n10\t8\t95\n'));
    const { interactions, userIds, itemIds } = await readInteractionsFile(path, {
      header: false,
      columns: { user: 0, item: 1, timestamp: 2 },
    });
    expect(userIds.toArray()).toEqual([3, 10]);
    expect(itemIds.toArray()).toEqual([7, 8]);
    expect(Array.from(interactions.users)).toEqual([1, 0, 1]);
    expect(Array.from(interactions.timestamps!)).toEqual([100, 90, 95]);
    expect(interactions.ratings).toBeUndefined();
  });

  it('keeps ids that are not plain integers as strings ("007" and "7" differ)', async () => {
    const path = fixture('codes.csv', 'u,i\n007,1\n7,2\n-3,3\n');
    const { userIds } = await readInteractionsFile(path, { columns: { user: 'u', item: 'i' } });
    expect(userIds.toArray()).toEqual(['-3', '007', '7']);
  });

  it('reads any delimiter, e.g. MovieLens 1M `::` with quoting off', async () => {
    const path = fixture('ratings.dat', '1::1193::5::978300760\n1::661::3::978302109\n');
    const { interactions } = await readInteractionsFile(path, {
      format: 'csv',
      delimiter: '::',
      header: false,
      quote: '',
      columns: { user: 0, item: 1, rating: 2, timestamp: 3 },
    });
    expect(interactions.length).toBe(2);
    expect(Array.from(interactions.ratings!)).toEqual([5, 3]);
  });

  it('reads Parquet with typed columns, by name or position, and TIMESTAMP times', async () => {
    const path = await parquetFixture(
      'log.parquet',
      `SELECT * FROM (VALUES (5::INTEGER, 'a', 2.5::FLOAT, TIMESTAMP '1970-01-02 00:00:00'),
                             (6::INTEGER, 'b', 4.0::FLOAT, TIMESTAMP '1970-01-01 00:01:00')) AS t(uid, sku, score, happened)`,
    );
    const { interactions, userIds, itemIds } = await readInteractionsFile(path, {
      columns: { user: 'uid', item: 1, rating: 'score', timestamp: 'happened' },
    });
    expect(userIds.toArray()).toEqual([5, 6]);
    expect(itemIds.toArray()).toEqual(['a', 'b']);
    expect(Array.from(interactions.ratings!)).toEqual([2.5, 4]);
    expect(Array.from(interactions.timestamps!)).toEqual([86400, 60]);
  });

  it('reads JSON lines by key, skipping blank lines', async () => {
    const path = fixture(
      'events.jsonl',
      '{"user": 1, "item": "x", "type": "view", "t": 5}\n\n{"user": 2, "item": "y", "type": "buy", "t": 6, "extra": [1]}\n',
    );
    const { interactions, userIds, behaviorNames } = await readInteractionsFile(path, {
      columns: { user: 'user', item: 'item', behavior: 'type', timestamp: 't' },
    });
    expect(userIds.toArray()).toEqual([1, 2]);
    expect(behaviorNames).toEqual(['buy', 'view']); // sorted when no order is given
    expect(Array.from(interactions.behaviors!)).toEqual([1, 0]);
    expect(interactions.behaviorNames).toEqual(['buy', 'view']);
  });

  it('codes behaviours in the order given, and rejects one outside it with its line', async () => {
    const path = fixture('funnel.csv', 'u,i,b\n1,1,buy\n1,2,view\n2,1,cart\n');
    const { interactions } = await readInteractionsFile(path, {
      columns: { user: 'u', item: 'i', behavior: 'b' },
      behaviorNames: ['view', 'cart', 'buy'],
    });
    expect(Array.from(interactions.behaviors!)).toEqual([2, 0, 1]);
    await expect(
      readInteractionsFile(path, { columns: { user: 'u', item: 'i', behavior: 'b' }, behaviorNames: ['view', 'buy'] }),
    ).rejects.toThrow(`${path}, line 4: unknown behaviour "cart" (column "b"); expected one of "view", "buy"`);
  });

  it('encodes with given id maps, and names the file, line and id of one the map lacks', async () => {
    const path = fixture('test.tsv', 'u\ti\n1\t10\n2\t20\n');
    const userIds = new IdMap([2, 1]);
    const itemIds = new IdMap([10, 20, 30]);
    const { interactions } = await readInteractionsFile(path, { columns: { user: 'u', item: 'i' }, userIds, itemIds });
    expect(Array.from(interactions.users)).toEqual([1, 0]);
    expect([interactions.numUsers, interactions.numItems]).toEqual([2, 3]);
    await expect(
      readInteractionsFile(path, { columns: { user: 'u', item: 'i' }, userIds, itemIds: new IdMap([10]) }),
    ).rejects.toThrow(`${path}, line 3: unknown item id 20 (column "i"); expected one of the 1 known item ids`);
  });

  it('keeps 0-based ids as indexes with denseIds, and rejects a negative one', async () => {
    const path = fixture('dense.tsv', '0\t5\n3\t0\n');
    const { interactions, userIds, itemIds } = await readInteractionsFile(path, {
      header: false,
      denseIds: true,
      columns: { user: 0, item: 1 },
    });
    expect([interactions.numUsers, interactions.numItems]).toEqual([4, 6]);
    expect(Array.from(interactions.users)).toEqual([0, 3]);
    expect([userIds.idOf(3), itemIds.idOf(5)]).toEqual([3, 5]);
    const negative = fixture('negative.tsv', '0\t5\n-1\t0\n');
    await expect(
      readInteractionsFile(negative, { header: false, denseIds: true, columns: { user: 0, item: 1 } }),
    ).rejects.toThrow(`${negative}, line 2: unknown user id -1 (field 0, 0-based); expected a 0-based integer index`);
  });

  it('reads the real ml-100k u.data.gz: the 100,000 ratings, 943 users and 1682 items of MANIFEST.md', async (ctx) => {
    const folder = requireDataset(ctx, 'ml-100k');
    const { interactions, userIds, itemIds } = await readInteractionsFile(join(folder, 'u.data.gz'), {
      format: 'tsv',
      header: false,
      columns: { user: 0, item: 1, rating: 2, timestamp: 3 },
    });
    expect(interactions.length).toBe(100_000);
    expect([userIds.size, itemIds.size]).toEqual([943, 1682]);
    expect([userIds.idOf(interactions.users[0]!), itemIds.idOf(interactions.items[0]!)]).toEqual([196, 242]);
    expect([interactions.ratings![99_999], interactions.timestamps![99_999]]).toEqual([3, 879959583]); // last line: "12\t203\t3\t879959583"
  });

  it('reads the real ml-1m-ncf test file with denseIds: 6040 users 0..6039, as MANIFEST.md states', async (ctx) => {
    // Not requireDataset: ml-1m-ncf is incomplete here (no NCF training file), and this test needs only the test file.
    const folder = join(dataRoot(), 'ml-1m-ncf');
    if (!existsSync(join(folder, 'ml-1m.test.rating'))) return skipOrFail(ctx, 'REC_REQUIRE_DATA', `${join(folder, 'ml-1m.test.rating')} is not there`);
    const { interactions, userIds } = await readInteractionsFile(join(folder, 'ml-1m.test.rating'), {
      format: 'tsv',
      header: false,
      denseIds: true,
      columns: { user: 0, item: 1, rating: 2, timestamp: 3 },
    });
    expect(interactions.length).toBe(6040);
    expect(userIds.size).toBe(6040);
    expect(Array.from(interactions.users)).toEqual(Array.from({ length: 6040 }, (_, u) => u));
  });
});

describe('readInteractionsFile on bad input', () => {
  const columns = { user: 'u', item: 'i', rating: 'r' };

  it('an empty file: zero bytes, an empty gzip, a header without rows', async () => {
    const empty = fixture('empty.csv', '');
    await expect(readInteractionsFile(empty, { columns })).rejects.toThrow(`${empty}: the file is empty`);
    const emptyGz = fixture('empty.csv.gz', gzipSync(''));
    await expect(readInteractionsFile(emptyGz, { columns })).rejects.toThrow(`${emptyGz}: the file is empty`);
    const headerOnly = fixture('header.csv', 'u,i,r\n');
    await expect(readInteractionsFile(headerOnly, { columns })).rejects.toThrow(`${headerOnly}: the file has no data rows`);
    const emptyJson = fixture('blank.jsonl', '\n\n');
    await expect(readInteractionsFile(emptyJson, { columns })).rejects.toThrow(`${emptyJson}: the file has no data rows`);
    const emptyParquet = await parquetFixture('empty.parquet', 'SELECT 1 AS u, 2 AS i, 3.0 AS r WHERE false');
    await expect(readInteractionsFile(emptyParquet, { columns })).rejects.toThrow(`${emptyParquet}: the file has no data rows`);
  });

  it('a missing column: names it and lists the columns found', async () => {
    const csv = fixture('missing.csv', 'user,i,r\n1,2,3\n');
    await expect(readInteractionsFile(csv, { columns })).rejects.toThrow(
      `${csv}: missing column "u" (columns.user); the header has "user", "i", "r" (delimiter ",")`,
    );
    const parquet = await parquetFixture('missing.parquet', 'SELECT 1::INTEGER AS u, 2::INTEGER AS item, 3.0::DOUBLE AS r');
    await expect(readInteractionsFile(parquet, { columns })).rejects.toThrow(
      `${parquet}: missing column "i" (columns.item); the file has "u" INTEGER, "item" INTEGER, "r" DOUBLE`,
    );
    const jsonl = fixture('missing.jsonl', '{"u": 1, "item": 2, "r": 3}\n');
    await expect(readInteractionsFile(jsonl, { columns })).rejects.toThrow(
      `${jsonl}: missing column "i" (columns.item): no record has that key; the first record has "u", "item", "r"`,
    );
    const position = fixture('narrow.tsv', '1\t2\n');
    await expect(readInteractionsFile(position, { header: false, columns: { user: 0, item: 1, rating: 2 } })).rejects.toThrow(
      `${position}: columns.rating = 2 is not a field position; line 1 has 2 fields (positions 0..1) separated by "\\t"`,
    );
    await expect(readInteractionsFile(position, { header: false, columns })).rejects.toThrow(
      /columns\.user = "u" names a column, but header is false; give the 0-based field position/,
    );
  });

  it('a non-numeric rating or timestamp: file, physical line and value', async () => {
    const csv = fixture('nonnumeric.csv', 'u,i,r\n1,2,3\n\n4,5,abc\n');
    await expect(readInteractionsFile(csv, { columns })).rejects.toThrow(
      `${csv}, line 4: the rating "abc" (column "r") is not a number; expected a finite number that fits float32`,
    );
    const huge = fixture('huge.csv', 'u,i,r\n1,2,1e39\n');
    await expect(readInteractionsFile(huge, { columns })).rejects.toThrow(`${huge}, line 2: the rating "1e39"`);
    const time = fixture('time.tsv', '1\t2\t100\n1\t3\tyesterday\n');
    await expect(readInteractionsFile(time, { header: false, columns: { user: 0, item: 1, timestamp: 2 } })).rejects.toThrow(
      `${time}, line 2: the timestamp "yesterday" (field 2, 0-based) is not a number; expected Unix seconds or an ISO date-time`,
    );
    const jsonl = fixture('nonnumeric.jsonl', '{"u": 1, "i": 2, "r": 3}\n\n{"u": 1, "i": 2, "r": "x"}\n');
    await expect(readInteractionsFile(jsonl, { columns })).rejects.toThrow(
      `${jsonl}, line 3: the rating "x" (key "r") is not a number`,
    );
    const parquet = await parquetFixture('nonnumeric.parquet', `SELECT * FROM (VALUES (1, 2, '4'), (1, 3, 'four')) AS t(u, i, r)`);
    await expect(readInteractionsFile(parquet, { columns })).rejects.toThrow(
      `${parquet}, row 2: the rating "four" (column "r") is not a number`,
    );
  });

  it('an empty id: file, line and which column', async () => {
    const csv = fixture('noid.csv', 'u,i,r\n1,2,3\n,2,3\n');
    await expect(readInteractionsFile(csv, { columns })).rejects.toThrow(
      `${csv}, line 3: the user (column "u") is empty; expected a user id`,
    );
    const jsonl = fixture('noid.jsonl', '{"u": 1, "i": 2}\n{"u": 1}\n');
    await expect(readInteractionsFile(jsonl, { columns: { user: 'u', item: 'i' } })).rejects.toThrow(
      `${jsonl}, line 2: the item (key "i") is empty; expected an item id`,
    );
  });

  it('a malformed line: wrong field count in CSV, broken JSON: file and line', async () => {
    const short = fixture('short.csv', 'u,i,r\n1,2,3\n4,5\n6,7,8\n');
    await expect(readInteractionsFile(short, { columns })).rejects.toThrow(
      `${short}, line 3: expected 3 fields separated by ",", found 2: "4,5"`,
    );
    const long = fixture('long.tsv', '1\t2\t3\n4\t5\t6\t7\n');
    await expect(readInteractionsFile(long, { header: false, columns: { user: 0, item: 1 } })).rejects.toThrow(
      `${long}, line 2: expected 3 fields separated by "\\t", found 4`,
    );
    const json = fixture('broken.jsonl', '{"u": 1, "i": 2, "r": 3}\n{"u": 1, "i": 2, "r": 3\n');
    await expect(readInteractionsFile(json, { columns })).rejects.toThrow(`${json}, line 2: expected one JSON object per line`);
    const notParquet = fixture('fake.parquet', 'u,i,r\n1,2,3\n');
    await expect(readInteractionsFile(notParquet, { columns })).rejects.toThrow(`${notParquet} (read as Parquet)`);
  });

  it('an unknown format: names the file and the formats it knows', async () => {
    const txt = fixture('log.txt', 'u,i\n1,2\n');
    await expect(readInteractionsFile(txt, { columns })).rejects.toThrow(
      `${txt}: unknown format: cannot tell it from the file name; pass format: 'csv' | 'tsv' | 'parquet' | 'jsonl'`,
    );
    await expect(readInteractionsFile(fixture('log.parquet.gz', 'x'), { columns })).rejects.toThrow(/unknown format/);
    await expect(
      readInteractionsFile(txt, { columns, format: 'xlsx' as unknown as 'csv' }),
    ).rejects.toThrow(`${txt}: unknown format "xlsx"; expected one of csv, tsv, parquet, jsonl`);
    await expect(readInteractionsFile(join(dir, 'absent.csv'), { columns })).rejects.toThrow(
      `${join(dir, 'absent.csv')}: file not found`,
    );
  });
});

describe('readDelimitedFields', () => {
  it('returns the fields with physical line numbers, and names the line of a wrong field count', async () => {
    const path = fixture('genres.txt', 'unknown|0\n\nAction|1\n');
    const { lines, columns } = await readDelimitedFields(path, { delimiter: '|', fields: 2 });
    expect(Array.from(lines)).toEqual([1, 3]);
    expect(columns).toEqual([['unknown', 'Action'], ['0', '1']]);
    await expect(readDelimitedFields(path, { delimiter: '|', fields: 3, context: 'genres' })).rejects.toThrow(
      'genres, line 1: expected 3 fields separated by "|", found 2: "unknown|0"',
    );
    const latin1 = fixture('latin1.txt', Buffer.from([0x4d, 0xe9, 0x7c, 0x31, 0x0a]));
    const decoded = await readDelimitedFields(latin1, { delimiter: '|', fields: 2, encoding: 'latin-1' });
    expect(decoded.columns[0]).toEqual(['Mé']);
  });
});
