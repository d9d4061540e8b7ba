import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { defaultSplitSpec, resolveSplit } from '../protocols.js';
import { requireDataset } from '../testing/index.js';
import { readYelpCore40, yelpCore40Datasets, type YelpCore40 } from './yelp-core40.js';

const distinct = (column: Int32Array): number => new Set(column).size;

describe('readYelpCore40 on the real files', () => {
  let loaded: Promise<YelpCore40> | undefined;
  const load = (dir: string): Promise<YelpCore40> => (loaded ??= readYelpCore40(dir));

  it('reads the ratings with the counts MANIFEST.md states', async (ctx) => {
    const yelp = await load(requireDataset(ctx, 'yelp-core40'));
    const log = yelp.interactions;
    expect(yelp.name).toBe('yelp-core40');
    // MANIFEST "Counts": 1,355 users, 1,272 businesses, 100,409 ratings, each pair once.
    expect(log.length).toBe(100_409);
    expect([log.numUsers, log.numItems]).toEqual([1_355, 1_272]);
    expect([distinct(log.users), distinct(log.items)]).toEqual([1_355, 1_272]);
    expect(new Set(Array.from(log.users, (u, r) => u * log.numItems + log.items[r]!)).size).toBe(100_409);
    // Ids from 2,387 to 1,506,099 (users) and 34 to 188,578 (businesses), indexes in id order.
    expect([yelp.userIds.idOf(0), yelp.userIds.idOf(1_354)]).toEqual([2_387, 1_506_099]);
    expect([yelp.itemIds.idOf(0), yelp.itemIds.idOf(1_271)]).toEqual([34, 188_578]);
    expect(log.timestamps).toBeUndefined();
    const histogram = [0, 0, 0, 0, 0];
    for (const stars of log.ratings!) histogram[stars - 1]++;
    expect(histogram).toEqual([3_173, 7_591, 20_004, 39_956, 29_685]);
    // First line of ratings.txt: "1272914\t172108\t3"; rows keep the file's order.
    expect([yelp.userIds.idOf(log.users[0]!), yelp.itemIds.idOf(log.items[0]!), log.ratings![0]]).toEqual([1_272_914, 172_108, 3]);
    // At least 40 ratings per user and per business (a 40-core).
    const perUser = new Int32Array(log.numUsers);
    const perItem = new Int32Array(log.numItems);
    for (let r = 0; r < log.length; r++) {
      perUser[log.users[r]!]++;
      perItem[log.items[r]!]++;
    }
    expect([Math.min(...perUser), Math.max(...perUser)]).toEqual([40, 661]);
    expect([Math.min(...perItem), Math.max(...perItem)]).toEqual([40, 352]);
    expect(yelp.splits).toEqual({});
  });

  it('reads 2–15 categories per business over 320 names, and the gender of every user', async (ctx) => {
    const yelp = await load(requireDataset(ctx, 'yelp-core40'));
    const categories = yelp.itemCategories;
    expect(categories.numItems).toBe(1_272);
    expect(categories.numCategories).toBe(320);
    expect(categories.indices.length).toBe(6_156); // one per line of items.txt
    const counts = Array.from({ length: 1_272 }, (_, item) => categories.of(item).length);
    expect([Math.min(...counts), Math.max(...counts)]).toEqual([2, 15]);
    // items.txt starts "34\tAmerican (Traditional)", "34\tBeer", "34\tBreakfast & Brunch", "34\tFood", "34\tItalian", …
    const first = Array.from(categories.of(yelp.itemIds.indexOf(34)), (c) => categories.names[c]);
    expect(first.slice(0, 5)).toEqual(['American (Traditional)', 'Beer', 'Breakfast & Brunch', 'Food', 'Italian']);
    // MANIFEST: Restaurants on 977 businesses, Food 330, Nightlife 269.
    const { indptr } = categories.itemsByCategory();
    const businessesWith = (name: string): number => {
      const c = categories.names.indexOf(name);
      return indptr[c + 1]! - indptr[c]!;
    };
    expect([businessesWith('Restaurants'), businessesWith('Food'), businessesWith('Nightlife')]).toEqual([977, 330, 269]);

    const gender = yelp.userFeatures.categorical.gender!;
    expect(gender.vocabulary).toEqual(['F', 'M', 'N']);
    const byGender = [0, 0, 0];
    for (const code of gender.codes) byGender[code]++;
    expect(byGender).toEqual([742, 574, 39]);
    // "2387\tF", the first line of users.txt.
    expect(gender.vocabulary[gender.codes[yelp.userIds.indexOf(2_387)]!]).toBe('F');
    // Ratings by gender F / M / N: 55,669 / 42,322 / 2,418.
    const ratingsBy = [0, 0, 0];
    for (const u of yelp.interactions.users) ratingsBy[gender.codes[u]!]++;
    expect(ratingsBy).toEqual([55_669, 42_322, 2_418]);
  });

  it('defaults to a random 80/10/10 split that keeps every user in train and test', async (ctx) => {
    const yelp = await load(requireDataset(ctx, 'yelp-core40'));
    expect(defaultSplitSpec(yelp)).toBe('random:0.8,0.1,0.1');
    const split = resolveSplit(yelp, defaultSplitSpec(yelp), { seed: 1 });
    expect(split.train.length + split.valid!.length + split.test.length).toBe(100_409);
    expect([distinct(split.train.users), distinct(split.test.users)]).toEqual([1_355, 1_355]);
  });

  it('is registered under yelp-core40 with files that exist', (ctx) => {
    const dir = requireDataset(ctx, 'yelp-core40');
    const entry = yelpCore40Datasets[0]!;
    expect([entry.name, entry.folder]).toEqual(['yelp-core40', 'yelp-core40']);
    expect(entry.read).toBe(readYelpCore40);
    expect(dir.endsWith('yelp-core40')).toBe(true);
  });
});

describe('readYelpCore40 on small folders', () => {
  const ratings = '20\t7\t4\n10\t5\t5\n20\t5\t1\n';
  const items = '5\tFood\n5\tBars\n7\tFood\n';
  const users = '20\tM\n10\tF\n';
  function fixture(files: Record<string, string | Buffer> = {}): string {
    const dir = mkdtempSync(join(tmpdir(), 'rec-yelp-core40-'));
    const all = { 'ratings.txt.gz': gzipSync(ratings), 'items.txt': items, 'users.txt': users, ...files };
    for (const [name, content] of Object.entries(all)) writeFileSync(join(dir, name), content);
    return dir;
  }

  it('reads ratings, sorted category names and gender over id-ordered indexes', async () => {
    const yelp = await readYelpCore40(fixture());
    expect(yelp.userIds.toArray()).toEqual([10, 20]);
    expect(yelp.itemIds.toArray()).toEqual([5, 7]);
    expect(Array.from(yelp.interactions.users)).toEqual([1, 0, 1]);
    expect(Array.from(yelp.interactions.items)).toEqual([1, 0, 0]);
    expect(Array.from(yelp.interactions.ratings!)).toEqual([4, 5, 1]);
    expect(yelp.itemCategories.names).toEqual(['Bars', 'Food']);
    expect(Array.from(yelp.itemCategories.of(0))).toEqual([0, 1]);
    expect(Array.from(yelp.itemCategories.of(1))).toEqual([1]);
    expect(Array.from(yelp.userFeatures.categorical.gender!.codes)).toEqual([0, 1]);
  });

  it('reports bad input with the file, the line and what was expected', async () => {
    const cases: [Record<string, string | Buffer>, RegExp][] = [
      [{ 'ratings.txt.gz': gzipSync('20\t7\t4\n10\t9\t5\n') }, /ratings\.txt\.gz, line 2: unknown item id 9/],
      [{ 'ratings.txt.gz': gzipSync('20\t7\t4\n30\t5\t5\n') }, /ratings\.txt\.gz, line 2: unknown user id 30/],
      [{ 'ratings.txt.gz': gzipSync('20\t7\t4\n10\t5\t6\n') }, /ratings\.txt\.gz, line 2: stars 6; expected an integer from 1 to 5/],
      [{ 'ratings.txt.gz': gzipSync('20\t7\t4\n\n20\t7\t5\n') }, /ratings\.txt\.gz, line 3: user 20 and business 7 repeat line 1; expected each \(user, business\) pair once/],
      [{ 'items.txt': '5\tFood\nx\tBars\n' }, /items\.txt, line 2: business id "x" is not a non-negative integer/],
      [{ 'items.txt': '5\tFood\n7\tFood\n5\tFood\n' }, /items\.txt, line 3: business 5 and category "Food" repeat line 1/],
      [{ 'items.txt': '5\tFood\n7\t \n' }, /items\.txt, line 2: the category is empty/],
      [{ 'users.txt': '20\tM\n10\tX\n' }, /users\.txt, line 2: gender "X"; expected F, M or N \(unknown\)/],
      [{ 'users.txt': '20\tM\n10\tF\n20\tF\n' }, /users\.txt, line 3: user id 20 repeats line 1/],
      [{ 'users.txt': '20\tM\tAlex\n10\tF\n' }, /users\.txt, line 1: expected 2 fields separated by "\\t", found 3/],
    ];
    for (const [files, problem] of cases) await expect(readYelpCore40(fixture(files))).rejects.toThrow(problem);
    const dir = mkdtempSync(join(tmpdir(), 'rec-yelp-core40-'));
    await expect(readYelpCore40(dir)).rejects.toThrow(
      `readYelpCore40: file not found: looked for ${join(dir, 'ratings.txt.gz')} and ${join(dir, 'ratings.txt')}; get the data from https://github.com/masoudmansoury/yelp_core40`,
    );
  });
});
