import { describe, expect, it } from 'vitest';
import { openDuckDB, queryColumns, sqlString } from './duckdb.js';

describe('queryColumns', () => {
  it('copies columns into the requested typed arrays', async () => {
    const { length, columns } = await queryColumns(
      `SELECT i::INTEGER AS a, (i * 0.5)::DOUBLE AS b, (i * 1000000000000)::BIGINT AS c,
              'x' || i AS s, (i % 256)::UTINYINT AS t
       FROM range(5000) r(i)`,
      { a: 'int32', b: 'float32', c: 'float64', s: 'string', t: 'uint8' },
    );
    expect(length).toBe(5000); // spans several 2048-row chunks
    expect(columns.a).toBeInstanceOf(Int32Array);
    expect(columns.a[4999]).toBe(4999);
    expect(columns.b[3]).toBe(1.5);
    expect(columns.c[4999]).toBe(4999e12);
    expect(columns.s[2]).toBe('x2');
    expect(columns.t[257]).toBe(1);
  });

  it('names a missing column, a NULL and an overflow', async () => {
    await expect(queryColumns('SELECT 1 AS a', { b: 'int32' }, 'test')).rejects.toThrow(
      'test: the query returns no column "b" (it returns a)',
    );
    await expect(queryColumns('SELECT NULL::INTEGER AS a', { a: 'int32' }, 'test')).rejects.toThrow(
      'column "a" is NULL in result row 0',
    );
    await expect(queryColumns('SELECT 3000000000::BIGINT AS a', { a: 'int32' }, 'test')).rejects.toThrow(
      'is 3000000000, which does not fit int32',
    );
    await expect(queryColumns('SELEC 1', { a: 'int32' }, 'ctx')).rejects.toThrow(/^ctx: .*syntax error/i);
  });

  it('quotes strings for SQL and closes idempotently', async () => {
    expect(sqlString("it's")).toBe("'it''s'");
    const db = await openDuckDB();
    const { columns } = await db.queryColumns(`SELECT ${sqlString("it's")} AS s`, { s: 'string' });
    expect(columns.s).toEqual(["it's"]);
    db.close();
    db.close();
    await expect(db.queryColumns('SELECT 1 AS a', { a: 'int32' })).rejects.toThrow('closed');
  });
});
