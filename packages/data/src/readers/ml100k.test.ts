import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireDataset } from '../testing/index.js';
import { readMovieLens100K } from './ml100k.js';

describe('readMovieLens100K', () => {
  it('reads all 100,000 ratings of ml-100k with dense ids', async (ctx) => {
    const dir = requireDataset(ctx, 'ml-100k');
    const { interactions: log, userIds, itemIds } = await readMovieLens100K(dir);
    expect(log.length).toBe(100_000);
    expect(log.numUsers).toBe(943);
    expect(log.numItems).toBe(1682);
    expect(userIds.size).toBe(943);
    expect(itemIds.size).toBe(1682);
    // Raw ids are 1..943 and 1..1682, so sorted order gives index = id - 1.
    expect(userIds.idOf(0)).toBe(1);
    expect(itemIds.indexOf(1682)).toBe(1681);

    let minRating = Infinity;
    let maxRating = -Infinity;
    let minTime = Infinity;
    let maxTime = -Infinity;
    let fractional = 0;
    for (let r = 0; r < log.length; r++) {
      const rating = log.ratings![r]!;
      if (!Number.isInteger(rating)) fractional++;
      minRating = Math.min(minRating, rating);
      maxRating = Math.max(maxRating, rating);
      minTime = Math.min(minTime, log.timestamps![r]!);
      maxTime = Math.max(maxTime, log.timestamps![r]!);
    }
    expect(fractional).toBe(0);
    expect([minRating, maxRating]).toEqual([1, 5]);
    expect([minTime, maxTime]).toEqual([874724710, 893286638]); // the range MANIFEST.md states

    // First line of u.data: "196\t242\t3\t881250949".
    expect(userIds.idOf(log.users[0]!)).toBe(196);
    expect(itemIds.idOf(log.items[0]!)).toBe(242);
    expect(log.ratings![0]).toBe(3);
    expect(log.timestamps![0]).toBe(881250949);

    // Every user has at least 20 ratings (MANIFEST.md).
    const perUser = new Int32Array(log.numUsers);
    for (const u of log.users) perUser[u]++;
    expect(Math.min(...perUser)).toBeGreaterThanOrEqual(20);
  });

  it('names the path when the rating file is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rec-ml100k-'));
    await expect(readMovieLens100K(dir)).rejects.toThrow(join(dir, 'u.data.gz'));
  });

  it('reads a plain u.data and reports a malformed line with the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rec-ml100k-'));
    writeFileSync(join(dir, 'u.data'), '10\t7\t4\t100\n3\t7\t5\t90\n');
    const { interactions, userIds } = await readMovieLens100K(dir);
    expect(userIds.toArray()).toEqual([3, 10]);
    expect(Array.from(interactions.users)).toEqual([1, 0]);
    expect(Array.from(interactions.items)).toEqual([0, 0]);

    writeFileSync(join(dir, 'u.data'), '10\t7\t4\t100\n3\tseven\t5\t90\n');
    await expect(readMovieLens100K(dir)).rejects.toThrow(/u\.data: .*Line: 2\nOriginal Line: 3\tseven/);
    writeFileSync(join(dir, 'u.data'), '10\t7\t4\t100\n3\t\t5\t90\n');
    await expect(readMovieLens100K(dir)).rejects.toThrow(/Line: 2/);
  });
});
