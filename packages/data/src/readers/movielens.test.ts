import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { skipOrFail } from '@rec/core/testing';
import { describe, expect, it } from 'vitest';
import { datasetSourceFiles } from '../cache.js';
import type { Interactions } from '../interactions.js';
import { dataRoot, locateDataset } from '../locate.js';
import { requireDataset } from '../testing/index.js';
import {
  ML100K_SPLITS,
  type MovieLens100K,
  type MovieLens1M,
  movieLensDatasets,
  readMovieLens100K,
  readMovieLens1M,
  readMovieLens1MNCF,
} from './movielens.js';

/** Each row as `user,item,rating,time` in dense indexes, sorted: a multiset to compare logs by. */
function rowKeys(log: Interactions): string[] {
  const keys: string[] = [];
  for (let r = 0; r < log.length; r++) keys.push(`${log.users[r]},${log.items[r]},${log.ratings![r]},${log.timestamps![r]}`);
  return keys.sort();
}

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `rec-${prefix}-`));
}

describe('readMovieLens100K on the real files', () => {
  // Read once, shared by the tests of this block.
  let loaded: Promise<MovieLens100K> | undefined;
  const load = (dir: string): Promise<MovieLens100K> => (loaded ??= readMovieLens100K(dir));

  it('reads the 100,000 ratings, genres, titles and demographics that MANIFEST.md states', async (ctx) => {
    const ml = await load(requireDataset(ctx, 'ml-100k'));
    const log = ml.interactions;
    expect(ml.name).toBe('ml-100k');
    // MANIFEST.md (and u.info): 100,000 ratings by 943 users (ids 1..943) on 1682 items (ids 1..1682).
    expect(log.length).toBe(100_000);
    expect([log.numUsers, log.numItems]).toEqual([943, 1682]);
    expect([ml.userIds.size, ml.itemIds.size]).toEqual([943, 1682]);
    expect(ml.userIds.idOf(0)).toBe(1);
    expect(ml.itemIds.indexOf(1682)).toBe(1681);

    // First line of u.data: "196\t242\t3\t881250949"; rows keep the file's order.
    expect(ml.userIds.idOf(log.users[0]!)).toBe(196);
    expect(ml.itemIds.idOf(log.items[0]!)).toBe(242);
    expect(log.ratings![0]).toBe(3);
    expect(log.timestamps![0]).toBe(881250949);

    let [minRating, maxRating, minTime, maxTime] = [Infinity, -Infinity, Infinity, -Infinity];
    for (let r = 0; r < log.length; r++) {
      minRating = Math.min(minRating, log.ratings![r]!);
      maxRating = Math.max(maxRating, log.ratings![r]!);
      minTime = Math.min(minTime, log.timestamps![r]!);
      maxTime = Math.max(maxTime, log.timestamps![r]!);
    }
    expect([minRating, maxRating]).toEqual([1, 5]);
    expect([minTime, maxTime]).toEqual([874724710, 893286638]);
    const perUser = new Int32Array(log.numUsers);
    for (const u of log.users) perUser[u]++;
    expect(Math.min(...perUser)).toBeGreaterThanOrEqual(20); // "every user has at least 20 ratings"

    // u.genre: 19 genres, 0 = unknown … 18 = Western.
    const genres = ml.itemCategories;
    expect(genres.numCategories).toBe(19);
    expect(genres.numItems).toBe(1682);
    expect([genres.names[0], genres.names[18]]).toEqual(['unknown', 'Western']);
    const toyStory = ml.itemIds.indexOf(1);
    expect(ml.itemNames[toyStory]).toBe('Toy Story (1995)');
    expect(Array.from(genres.of(toyStory), (g) => genres.names[g])).toEqual(['Animation', "Children's", 'Comedy']);
    expect(Array.from(genres.of(ml.itemIds.indexOf(267)), (g) => genres.names[g])).toEqual(['unknown']);

    // u.item is Latin-1: nine titles have bytes above 0x7F.
    expect(ml.itemNames[ml.itemIds.indexOf(543)]).toBe('Misérables, Les (1995)');
    expect(ml.itemNames[ml.itemIds.indexOf(1633)]).toBe('Á köldum klaka (Cold Fever) (1994)');
    expect(ml.itemNames.filter((title) => /[^\x00-\x7f]/.test(title))).toHaveLength(9);

    // u.user: ages 7..73, 21 occupations listed in u.occupation.
    const { numeric, categorical } = ml.userFeatures;
    expect([Math.min(...numeric.age!), Math.max(...numeric.age!)]).toEqual([7, 73]);
    expect(categorical.occupation!.vocabulary).toHaveLength(21);
    expect(categorical.gender!.vocabulary).toEqual(['F', 'M']);
    expect(categorical.zip!.vocabulary).toContain('T8H1N');
    for (const feature of Object.values(categorical)) expect(Math.min(...feature.codes)).toBeGreaterThanOrEqual(0);
    const firstUser = ml.userIds.indexOf(1); // "1|24|M|technician|85711"
    expect(numeric.age![firstUser]).toBe(24);
    expect(categorical.occupation!.vocabulary[categorical.occupation!.codes[firstUser]!]).toBe('technician');
  });

  it('keeps the official splits exactly as published: counts, disjointness, union = u.data', async (ctx) => {
    const ml = await load(requireDataset(ctx, 'ml-100k'));
    const all = rowKeys(ml.interactions);
    expect(Object.keys(ml.splits).sort()).toEqual([...ML100K_SPLITS].sort());

    const foldTests: string[] = [];
    for (const name of ML100K_SPLITS) {
      const { train, test, description } = ml.splits[name]!;
      // MANIFEST.md: each u*.base 80,000 / u*.test 20,000 lines; ua/ub 90,570 / 9,430.
      const [trainRows, testRows] = name.startsWith('u') && /\d/.test(name) ? [80_000, 20_000] : [90_570, 9_430];
      expect([train.length, test.length], name).toEqual([trainRows, testRows]);
      // Same index spaces as the dataset.
      expect([train.numUsers, train.numItems, test.numUsers, test.numItems]).toEqual([943, 1682, 943, 1682]);
      // "each base/test pair is disjoint, and their union is u.data" (as a multiset of rows).
      const trainKeys = rowKeys(train);
      const testKeys = rowKeys(test);
      expect([...trainKeys, ...testKeys].sort(), name).toEqual(all);
      expect(description).toMatch(new RegExp(`${name}\\.base`));
      if (/\d/.test(name)) foldTests.push(...testKeys);
      else {
        const perUser = new Int32Array(943);
        for (const u of test.users) perUser[u]++;
        expect(perUser.every((n) => n === 10), `${name}: 10 test ratings per user`).toBe(true);
      }
    }
    // The five fold test sets are disjoint and together are u.data.
    expect(foldTests.sort()).toEqual(all);

    // Test movies that their base file never has: present in every official split (kept).
    const cold = ML100K_SPLITS.map((name) => Number(/(\d+) test movies never occur/.exec(ml.splits[name]!.description)![1]));
    expect(cold).toEqual([32, 34, 32, 22, 32, 2, 7]);
  });
});

describe('readMovieLens1M on the real files', () => {
  // Read once (about 5 s), shared by the tests of this block.
  let loaded: Promise<MovieLens1M> | undefined;
  const load = (dir: string): Promise<MovieLens1M> => (loaded ??= readMovieLens1M(dir));
  const distinct = (column: Int32Array): number => new Set(column).size;

  it('reads all 1,000,209 ratings from the five folds, with the counts MANIFEST.md states', async (ctx) => {
    const dir = requireDataset(ctx, 'ml-1m');
    expect(existsSync(join(dir, 'ratings.dat'))).toBe(false);
    const ml = await load(dir);
    const log = ml.interactions;
    expect(ml.name).toBe('ml-1m');
    // 3883 movies with ids 1..3952 (gaps); 6040 users with ids 1..6040: the index spaces.
    expect(ml.itemIds.size).toBe(3883);
    expect([ml.itemIds.idOf(0), ml.itemIds.idOf(3882)]).toEqual([1, 3952]);
    expect(ml.userIds.size).toBe(6040);
    expect([ml.userIds.idOf(0), ml.userIds.idOf(6039)]).toEqual([1, 6040]);
    expect([log.numUsers, log.numItems]).toEqual([6040, 3883]);
    // MANIFEST "Counts": 1,000,209 ratings by 6,040 users on 3,706 movies; no timestamps.
    expect(log.length).toBe(1_000_209);
    expect(distinct(log.users)).toBe(6040);
    expect(distinct(log.items)).toBe(3706);
    expect(log.timestamps).toBeUndefined();
    const histogram = [0, 0, 0, 0, 0];
    for (const stars of log.ratings!) histogram[stars - 1]++;
    expect(histogram).toEqual([56_174, 107_557, 261_197, 348_971, 226_310]);
    // The first line of folds/test_1m1.dat is the first row.
    expect(ml.userIds.idOf(log.users[0]!)).toBe(1);
  });

  it('publishes fold1 … fold5: disjoint tests that partition the ratings, train = the other four', async (ctx) => {
    const ml = await load(requireDataset(ctx, 'ml-1m'));
    const log = ml.interactions;
    const key = (part: Interactions, r: number): number => part.users[r]! * log.numItems + part.items[r]!;
    const foldOf = new Map<number, number>();
    // MANIFEST "Counts": users / movies per fold.
    const perFold = [[6036, 3465], [6036, 3469], [6037, 3477], [6038, 3469], [6033, 3469]];
    for (let k = 1; k <= 5; k++) {
      const split = ml.splits[`fold${k}`]!;
      expect(split.test.length).toBe(k < 5 ? 200_042 : 200_041);
      expect(split.train.length + split.test.length).toBe(1_000_209);
      expect([distinct(split.test.users), distinct(split.test.items)]).toEqual(perFold[k - 1]);
      expect(split.description).toMatch(new RegExp(`^the SiReN/RecoHut 5-fold CV .*fold ${k}: test = folds/test_1m${k}\\.dat\\.gz`));
      for (const part of [split.train, split.test]) expect([part.numUsers, part.numItems]).toEqual([6040, 3883]);
      // Counted, not expect()ed per row: a million expect calls take seconds.
      let repeated = 0;
      for (let r = 0; r < split.test.length; r++) {
        const pair = key(split.test, r);
        if (foldOf.has(pair)) repeated++;
        foldOf.set(pair, k);
      }
      expect(repeated, `fold ${k} repeats pairs of earlier folds`).toBe(0);
      let ownPairsInTrain = 0;
      for (let r = 0; r < split.train.length; r++) if (foldOf.get(key(split.train, r)) === k) ownPairsInTrain++;
      expect(ownPairsInTrain, `fold ${k}'s train holds its own test pairs`).toBe(0);
    }
    expect(foldOf.size).toBe(1_000_209);
    let outside = 0;
    for (let r = 0; r < log.length; r++) if (!foldOf.has(key(log, r))) outside++;
    expect(outside).toBe(0);
  });

  it('publishes last: each user’s unique last rating as test (6,037), the 3 ambiguous users skipped', async (ctx) => {
    const ml = await load(requireDataset(ctx, 'ml-1m'));
    const { train, test, description } = ml.splits.last!;
    expect(test.length).toBe(6037);
    expect(train.length).toBe(1_000_209 - 6037);
    expect(distinct(test.users)).toBe(6037);
    const testUsers = new Set(Array.from(test.users, (u) => ml.userIds.idOf(u)));
    for (const skipped of [46, 2533, 4277]) expect(testUsers.has(skipped)).toBe(false);
    expect(description).toMatch(/3 users \(46, 2533, 4277\) are skipped/);
    // last_ratings.tsv, first row: "1\t48\t5\t978824351\t1"; MANIFEST: 1,918 distinct movies; stars 391/659/1413/2015/1562 over all 6,040.
    expect([ml.userIds.idOf(test.users[0]!), ml.itemIds.idOf(test.items[0]!), test.ratings![0]]).toEqual([1, 48, 5]);
    expect(distinct(test.items)).toBe(1918);
    const histogram = [0, 0, 0, 0, 0];
    for (const stars of test.ratings!) histogram[stars - 1]++;
    // MANIFEST's 391 / 659 / 1,413 / 2,015 / 1,562 over all 6,040, less users 2533 (3★), 4277 (4★) and 46 (5★).
    expect(histogram).toEqual([391, 659, 1412, 2014, 1561]);
    // No test pair is in train; the skipped users keep all their ratings in train.
    const trainPairs = new Set<number>();
    for (let r = 0; r < train.length; r++) trainPairs.add(train.users[r]! * train.numItems + train.items[r]!);
    expect(Array.from(test.users).filter((u, r) => trainPairs.has(u * test.numItems + test.items[r]!))).toEqual([]);
    const user46 = ml.userIds.indexOf(46);
    expect(train.users.filter((u) => u === user46).length).toBe(ml.interactions.users.filter((u) => u === user46).length);
  });

  it('agrees with NCF’s test file: the same stars for every user’s last rating', async (ctx) => {
    const ml = await load(requireDataset(ctx, 'ml-1m'));
    const ncfTest = join(dataRoot(), 'ml-1m-ncf', 'ml-1m.test.rating');
    if (!existsSync(ncfTest)) return skipOrFail(ctx, 'REC_REQUIRE_DATA', `${ncfTest} is not there`);
    // NCF user = MovieLens user − 1 (ml-1m MANIFEST); line u + 1 is NCF user u.
    const starsOf = readFileSync(ncfTest, 'utf8').trimEnd().split('\n').map((line) => Number(line.split('\t')[2]));
    const { test } = ml.splits.last!;
    const disagree = Array.from(test.users, (u) => ml.userIds.idOf(u)).filter((user, r) => test.ratings![r] !== starsOf[user - 1]);
    expect(disagree).toEqual([]);
  });

  it('reads genres, Latin-1 titles and demographics from movies.dat and users.dat', async (ctx) => {
    const ml = await load(requireDataset(ctx, 'ml-1m'));
    // 18 genres; "1::Toy Story (1995)::Animation|Children's|Comedy".
    const genres = ml.itemCategories;
    expect(genres.numCategories).toBe(18);
    const toyStory = ml.itemIds.indexOf(1);
    expect(Array.from(genres.of(toyStory), (g) => genres.names[g])).toEqual(['Animation', "Children's", 'Comedy']);
    expect(genres.itemsByCategory().indptr.every((start, g, all) => g === 0 || start > all[g - 1]!)).toBe(true);
    for (let item = 0; item < ml.itemIds.size; item++) expect(genres.of(item).length).toBeGreaterThan(0);
    // Latin-1, not UTF-8.
    expect(ml.itemNames[ml.itemIds.indexOf(73)]).toBe('Misérables, Les (1995)');
    expect(ml.itemNames.some((title) => title.includes('\uFFFD'))).toBe(false);

    // Gender M/F, 7 age buckets, occupations 0..20 — all users coded.
    const { categorical } = ml.userFeatures;
    expect(categorical.gender!.vocabulary).toEqual(['F', 'M']);
    expect(categorical.age!.vocabulary).toEqual(['Under 18', '18-24', '25-34', '35-44', '45-49', '50-55', '56+']);
    expect(categorical.occupation!.vocabulary).toHaveLength(21);
    for (const feature of Object.values(categorical)) expect(Math.min(...feature.codes)).toBeGreaterThanOrEqual(0);
    // "1::F::1::10::48067"
    const first = ml.userIds.indexOf(1);
    expect(categorical.gender!.vocabulary[categorical.gender!.codes[first]!]).toBe('F');
    expect(categorical.age!.vocabulary[categorical.age!.codes[first]!]).toBe('Under 18');
    expect(categorical.occupation!.vocabulary[categorical.occupation!.codes[first]!]).toBe('K-12 student');
    expect(categorical.zip!.vocabulary[categorical.zip!.codes[first]!]).toBe('48067');
  });
});

describe('ml-1m-ncf on the real files', () => {
  it('is incomplete without ml-1m.train.rating, and the reader says in one line what is needed', async (ctx) => {
    const dir = join(dataRoot(), 'ml-1m-ncf');
    if (!existsSync(join(dir, 'ml-1m.test.rating'))) return skipOrFail(ctx, 'REC_REQUIRE_DATA', `NCF's test file is not in ${dir}`);
    expect(existsSync(join(dir, 'ml-1m.train.rating'))).toBe(false);
    const found = locateDataset('ml-1m-ncf');
    expect(found.ok).toBe(false);
    const reason = (found as { reason: string }).reason;
    expect(reason).toMatch(/^dataset "ml-1m-ncf" is incomplete: .*ml-1m\.train\.rating or .*ml-1m\.train\.rating\.gz is missing/);
    expect(reason).toContain("only 3,184 of NCF's 3,706 item ids map back");
    expect(reason).toContain("read ml-1m with split 'last'");
    expect(reason).not.toContain('\n');
    const error = await readMovieLens1MNCF(dir).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/^readMovieLens1MNCF: .*ml-1m\.train\.rating \(or \.gz\) is missing\. NCF's training file .* git blob 31ba384f/);
    expect(error?.message).not.toContain('\n');
  });
});

describe('movieLensDatasets', () => {
  it('registers ml-100k, ml-1m and ml-1m-ncf with files that exist and readers that read them', async (ctx) => {
    expect(movieLensDatasets.map((entry) => entry.name)).toEqual(['ml-100k', 'ml-1m', 'ml-1m-ncf']);
    for (const entry of movieLensDatasets) {
      // ml-1m-ncf lacks its training file here (see the test above).
      if (entry.name === 'ml-1m-ncf') continue;
      const dir = requireDataset(ctx, entry.folder);
      for (const alternatives of entry.files) {
        expect(alternatives.some((file) => existsSync(join(dir, file))), `${entry.name}: ${alternatives.join(' | ')}`).toBe(true);
      }
      // Both are read by the tests above; the registry must point at their readers.
      expect(entry.read).toBe(entry.name === 'ml-100k' ? readMovieLens100K : readMovieLens1M);
    }
  });

  it('ml-1m counts as present with the folds and no ratings.dat, and its cache key covers the folds', async (ctx) => {
    const dir = requireDataset(ctx, 'ml-1m');
    const entry = movieLensDatasets.find((d) => d.name === 'ml-1m')!;
    const files = await datasetSourceFiles(entry, dir);
    for (let k = 1; k <= 5; k++) expect(files).toContain(`folds/test_1m${k}.dat.gz`);
    expect(files).toContain('last_ratings.tsv');
    // Without ratings.dat, a folder with four folds is incomplete and names the fifth.
    const root = tempDir('ml1m-root');
    const partial = join(root, 'ml-1m');
    mkdirSync(join(partial, 'folds'), { recursive: true });
    writeFileSync(join(partial, 'movies.dat'), '1::Toy Story (1995)::Animation\n');
    writeFileSync(join(partial, 'users.dat'), '1::F::1::10::48067\n');
    for (let k = 1; k <= 4; k++) writeFileSync(join(partial, 'folds', `test_1m${k}.dat`), '1,1,5\n');
    const found = locateDataset('ml-1m', { dataRoot: root });
    expect(found.ok).toBe(false);
    expect((found as { reason: string }).reason).toMatch(/is incomplete: \S*ratings\.dat or \S*ratings\.dat\.gz or \S*folds\/test_1m5\.dat\.gz or \S*folds\/test_1m5\.dat is missing/);
    writeFileSync(join(partial, 'folds', 'test_1m5.dat.gz'), gzipSync('1,1,5\n'));
    expect(locateDataset('ml-1m', { dataRoot: root }).ok).toBe(true);
    rmSync(join(partial, 'folds'), { recursive: true });
    writeFileSync(join(partial, 'ratings.dat'), '1::1::5::978300760\n');
    expect(locateDataset('ml-1m', { dataRoot: root }).ok).toBe(true);
  });
});

// ---------------------------------------------------------------------------------
// Bad input, on small fixture folders.

const GENRES = 'unknown|0\nAction|1\n\n';
const ITEMS = '1|Toy Story (1995)|01-Jan-1995||http://x|0|1\n2|GoldenEye (1995)|01-Jan-1995||http://y|1|0\n3|Heat (1995)|||http://z|0|1\n';
const USERS = '1|24|M|technician|85711\n2|53|F|other|94043\n';
const RATINGS = ['1\t1\t5\t100', '1\t2\t3\t101', '2\t1\t4\t102', '2\t3\t2\t103', '1\t3\t1\t104', '2\t2\t5\t105'];

/** A complete, tiny ml-100k folder; `files` overrides or adds files (a Buffer for raw bytes). */
function ml100kFixture(files: Record<string, string | Buffer> = {}): string {
  const dir = tempDir('ml100k');
  const base = RATINGS.slice(0, 4).join('\n') + '\n';
  const test = RATINGS.slice(4).join('\n') + '\n';
  const all: Record<string, string | Buffer> = {
    'u.genre': GENRES,
    'u.item': ITEMS,
    'u.user': USERS,
    'u.occupation': 'other\ntechnician\n',
    'u.data': RATINGS.join('\n') + '\n',
  };
  for (const split of ML100K_SPLITS) {
    all[`${split}.base`] = base;
    all[`${split}.test`] = test;
  }
  Object.assign(all, files);
  for (const [name, content] of Object.entries(all)) writeFileSync(join(dir, name), content);
  return dir;
}

describe('readMovieLens100K on bad input', () => {
  it('reads a complete fixture folder, plain or gzipped, and decodes u.item as Latin-1', async () => {
    const latin1 = Buffer.concat([Buffer.from('1|Mis'), Buffer.from([0xe9]), Buffer.from('rables (1995)|||x|0|1\n'), Buffer.from(ITEMS.split('\n').slice(1).join('\n'))]);
    const dir = ml100kFixture({ 'u.item': latin1 });
    rmSync(join(dir, 'u.data'));
    writeFileSync(join(dir, 'u.data.gz'), gzipSync(RATINGS.join('\n') + '\n'));
    const ml = await readMovieLens100K(dir);
    expect(ml.interactions.length).toBe(6);
    expect(ml.itemNames[0]).toBe('Misérables (1995)');
    expect(ml.itemCategories.names).toEqual(['unknown', 'Action']);
    expect(Array.from(ml.itemCategories.of(1))).toEqual([0]);
    expect(ml.splits.u3!.test.length).toBe(2);
    expect(ml.splits.u3!.description).toMatch(/0 test movies never occur in u3\.base/);
  });

  it('names the paths it looked for when a file is missing', async () => {
    const dir = ml100kFixture();
    rmSync(join(dir, 'u.data'));
    await expect(readMovieLens100K(dir)).rejects.toThrow(`${join(dir, 'u.data.gz')} and ${join(dir, 'u.data')}`);
    const noTest = ml100kFixture();
    rmSync(join(noTest, 'u4.test'));
    await expect(readMovieLens100K(noTest)).rejects.toThrow(join(noTest, 'u4.test'));
  });

  it('reports a non-numeric id in u.data with the file, the line and the value', async () => {
    const dir = ml100kFixture({ 'u.data': '1\t1\t5\t100\n1\tseven\t3\t101\n' });
    const error = readMovieLens100K(dir);
    await expect(error).rejects.toThrow(`${join(dir, 'u.data')}, line 2`);
    await expect(error).rejects.toThrow(/unknown item id "seven"/);
  });

  it('reports a non-numeric rating and a wrong field count with their lines', async () => {
    await expect(readMovieLens100K(ml100kFixture({ 'u.data': '1\t1\t5\t100\n\n1\t2\tfive\t101\n' }))).rejects.toThrow(
      /u\.data, line 3: the rating "five" .*is not a number/,
    );
    await expect(readMovieLens100K(ml100kFixture({ 'u2.base': '1\t1\t5\t100\n1\t2\t3\n' }))).rejects.toThrow(
      /u2\.base, line 2: expected 4 fields separated by "\\t", found 3/,
    );
  });

  it('rejects a split test row whose user the split never trained on, naming file, line and id', async () => {
    const dir = ml100kFixture({ 'u2.base': '1\t1\t5\t100\n1\t2\t3\t101\n', 'u2.test': '1\t3\t1\t104\n2\t2\t5\t105\n' });
    await expect(readMovieLens100K(dir)).rejects.toThrow(
      `${join(dir, 'u2.test')}, line 2: user id 2 has no rows in the split's training data`,
    );
  });

  it('rejects split ids that the dataset does not have, naming file, line and id', async () => {
    const dir = ml100kFixture({ 'ua.test': '1\t3\t1\t104\n2\t9\t5\t105\n' });
    await expect(readMovieLens100K(dir)).rejects.toThrow(
      new RegExp(`${join(dir, 'ua.test').replaceAll('.', '\\.')}, line 2: unknown item id 9`),
    );
    const user = ml100kFixture({ 'u.data': RATINGS.join('\n') + '\n7\t1\t5\t1\n' });
    await expect(readMovieLens100K(user)).rejects.toThrow(/u\.data, line 7: unknown user id 7/);
  });

  it('reports malformed side files with file, line and what was expected', async () => {
    await expect(readMovieLens100K(ml100kFixture({ 'u.item': '1|Toy Story|x||y|0\n' }))).rejects.toThrow(
      /u\.item, line 1: expected 7 fields separated by "\|", found 6/,
    );
    await expect(readMovieLens100K(ml100kFixture({ 'u.item': ITEMS.replace('|0|1\n2', '|0|x\n2') }))).rejects.toThrow(
      /u\.item, line 1: genre flag "Action" is "x"; expected 0 or 1/,
    );
    await expect(readMovieLens100K(ml100kFixture({ 'u.item': ITEMS + '2|Again|||u|0|0\n' }))).rejects.toThrow(
      /u\.item, line 4: movie id 2 repeats line 2/,
    );
    await expect(readMovieLens100K(ml100kFixture({ 'u.user': USERS.replace('other', 'astronaut') }))).rejects.toThrow(
      /u\.user, line 2: occupation "astronaut" is not listed/,
    );
    await expect(readMovieLens100K(ml100kFixture({ 'u.user': USERS.replace('|53|', '|fifty|') }))).rejects.toThrow(
      /u\.user, line 2: age "fifty" is not an integer/,
    );
    await expect(readMovieLens100K(ml100kFixture({ 'u.genre': 'unknown|0\nAction|7\n' }))).rejects.toThrow(
      /u\.genre, line 2: genre index 7, expected 1/,
    );
  });

  it('reports an empty file', async () => {
    const dir = ml100kFixture({ 'u.data': '' });
    await expect(readMovieLens100K(dir)).rejects.toThrow(`${join(dir, 'u.data')}: the file is empty`);
    const gz = ml100kFixture({ 'u1.test.gz': gzipSync('') });
    rmSync(join(gz, 'u1.test'));
    await expect(readMovieLens100K(gz)).rejects.toThrow(/u1\.test\.gz: the file is empty/);
  });
});

describe('readMovieLens1M on small folders', () => {
  const movies =
    '1::Toy Story (1995)::Animation|Comedy\n5::Heat (1995)::Action\n7::Sabrina (1995)::Comedy|Romance\n' +
    '9::Sudden Death (1995)::Action\n11::American President, The (1995)::Drama\n';
  const users = '1::F::1::10::48067\n2::M::56::16::70072\n';
  // Eight ratings over five folds; each fold's users also rate in the other four.
  const folds = ['1,1,5\n2,5,4\n', '1,5,3\n', '2,1,2\n1,7,4\n', '2,7,1\n', '1,9,5\n2,9,3\n'];
  const foldFiles = Object.fromEntries(folds.map((text, k) => [`folds/test_1m${k + 1}.dat`, text]));
  const last = 'user\tmovie\trating\ttimestamp\tcandidates\n1\t9\t5\t978824351\t1\n2\tNA\t4\t978300174\t1|7\n';
  /** A folder with movies.dat, users.dat and `files` (a `null` value leaves a default file out). */
  function ml1mFixture(files: Record<string, string | null> = {}): string {
    const dir = tempDir('ml1m');
    mkdirSync(join(dir, 'folds'));
    for (const [name, content] of Object.entries({ 'movies.dat': movies, 'users.dat': users, ...files })) {
      if (content !== null) writeFileSync(join(dir, name), content);
    }
    return dir;
  }

  it('reads ratings.dat (`::`-separated) into the users.dat/movies.dat index spaces when present', async () => {
    const ml = await readMovieLens1M(ml1mFixture({ 'ratings.dat': '2::5::4::978300760\n1::1::5::978302109\n' }));
    expect(ml.interactions.length).toBe(2);
    expect([ml.interactions.numUsers, ml.interactions.numItems]).toEqual([2, 5]);
    expect(Array.from(ml.interactions.users)).toEqual([1, 0]);
    expect(Array.from(ml.interactions.items)).toEqual([1, 0]);
    expect(Array.from(ml.interactions.ratings!)).toEqual([4, 5]);
    expect(Array.from(ml.interactions.timestamps!)).toEqual([978300760, 978302109]);
    expect(ml.splits).toEqual({});
  });

  it('reads the five folds without ratings.dat: all ratings, fold1 … fold5, and last with the ambiguous user skipped', async () => {
    const ml = await readMovieLens1M(ml1mFixture({ ...foldFiles, 'last_ratings.tsv': last }));
    const log = ml.interactions;
    expect(log.length).toBe(8);
    expect(log.timestamps).toBeUndefined();
    // Fold 1's rows, then fold 2's, …
    expect(Array.from(log.items, (i) => ml.itemIds.idOf(i))).toEqual([1, 5, 5, 1, 7, 7, 9, 9]);
    expect(Array.from(log.ratings!)).toEqual([5, 4, 3, 2, 4, 1, 5, 3]);
    expect(Object.keys(ml.splits)).toEqual(['fold1', 'fold2', 'fold3', 'fold4', 'fold5', 'last']);
    const fold3 = ml.splits.fold3!;
    expect([fold3.train.length, fold3.test.length]).toEqual([6, 2]);
    expect(Array.from(fold3.test.items, (i) => ml.itemIds.idOf(i))).toEqual([1, 7]);
    // Movie 1 (fold 3's first test movie) is also in fold 1, movie 7 also in fold 4: no cold items.
    expect(fold3.description).toMatch(/^the SiReN\/RecoHut 5-fold CV .*fold 3: test = folds\/test_1m3\.dat \(2 ratings\), train = the other four folds \(6\); 0 test movies/);
    const lastSplit = ml.splits.last!;
    expect([lastSplit.train.length, lastSplit.test.length]).toEqual([7, 1]);
    expect([ml.userIds.idOf(lastSplit.test.users[0]!), ml.itemIds.idOf(lastSplit.test.items[0]!), lastSplit.test.ratings![0]]).toEqual([1, 9, 5]);
    expect(lastSplit.description).toContain('1 users (2) are skipped');
  });

  it('takes ratings.dat for the interactions and the folds for the splits when both are there', async () => {
    const ratings = '1::1::5::10\n2::5::4::11\n1::5::3::12\n2::1::2::13\n1::7::4::14\n2::7::1::15\n1::9::5::978824351\n2::9::3::17\n';
    const ml = await readMovieLens1M(ml1mFixture({ ...foldFiles, 'ratings.dat': ratings, 'last_ratings.tsv': last }));
    expect(ml.interactions.timestamps![6]).toBe(978824351);
    expect(ml.splits.fold5!.test.length).toBe(2);
    expect(ml.splits.last!.test.timestamps![0]).toBe(978824351);
    await expect(
      readMovieLens1M(ml1mFixture({ ...foldFiles, 'ratings.dat': ratings.replace('978824351', '18'), 'last_ratings.tsv': last })),
    ).rejects.toThrow(/last_ratings\.tsv, line 2: timestamp 978824351, but ratings\.dat gives user 1 and movie 9 18$/);
  });

  it('names the missing file: ratings.dat or every fold', async () => {
    const none = ml1mFixture();
    await expect(readMovieLens1M(none)).rejects.toThrow(
      `readMovieLens1M: file not found: looked for ${join(none, 'folds/test_1m1.dat.gz')} and ${join(none, 'folds/test_1m1.dat')}; ` +
        'expected ratings.dat (or ratings.dat.gz) from https://grouplens.org/datasets/movielens/1m/, or all five CV folds',
    );
    await expect(readMovieLens1M(ml1mFixture({ ...foldFiles, 'folds/test_1m3.dat': null }))).rejects.toThrow(/looked for \S*folds\/test_1m3\.dat\.gz and/);
    await expect(readMovieLens1M(ml1mFixture({ ...foldFiles, 'folds/test_1m3.dat': null, 'ratings.dat': '1::1::5::1\n' }))).rejects.toThrow(
      /folds\/test_1m3\.dat; expected all five CV folds in folds\/ or none/,
    );
  });

  it('reports a rating in two folds, unknown ids, and last ratings the folds do not hold, with their lines', async () => {
    await expect(readMovieLens1M(ml1mFixture({ ...foldFiles, 'folds/test_1m4.dat': '2,7,1\n1,5,3\n' }))).rejects.toThrow(
      /folds\/test_1m4\.dat, line 2: user 1 and movie 5 are also at \S*folds\/test_1m2\.dat, line 1; expected the five CV folds to hold each rating once/,
    );
    await expect(readMovieLens1M(ml1mFixture({ ...foldFiles, 'folds/test_1m5.dat': '1,9,5\n2,8,3\n' }))).rejects.toThrow(
      /folds\/test_1m5\.dat, line 2: unknown item id 8/,
    );
    const lastWith = (row: string): Record<string, string> => ({ ...foldFiles, 'last_ratings.tsv': last.replace('1\t9\t5\t978824351\t1', row) });
    await expect(readMovieLens1M(ml1mFixture(lastWith('1\t9\t4\t978824351\t1')))).rejects.toThrow(
      /last_ratings\.tsv, line 2: rating 4, but the ratings give user 1 and movie 9 5 stars/,
    );
    await expect(readMovieLens1M(ml1mFixture(lastWith('1\t11\t5\t978824351\t1')))).rejects.toThrow(
      /last_ratings\.tsv, line 2: user 1 and movie 11 is not among the ratings/,
    );
    await expect(readMovieLens1M(ml1mFixture(lastWith('1\tNA\t5\t978824351\t1')))).rejects.toThrow(/line 2: movie "NA" is not an integer/);
    await expect(readMovieLens1M(ml1mFixture(lastWith('3\t9\t5\t978824351\t1')))).rejects.toThrow(/line 2: unknown user id 3; expected a user of users\.dat/);
    await expect(readMovieLens1M(ml1mFixture({ ...foldFiles, 'last_ratings.tsv': last.replace('candidates', 'options') }))).rejects.toThrow(
      /last_ratings\.tsv, line 1: header "user\\tmovie\\trating\\ttimestamp\\toptions"; expected/,
    );
  });

  it('reports unknown ids in ratings.dat, unknown genres and bad demographic codes with their lines', async () => {
    const ratings = { 'ratings.dat': '1::1::5::1\n' };
    await expect(readMovieLens1M(ml1mFixture({ 'ratings.dat': '1::1::5::1\n1::2::5::1\n' }))).rejects.toThrow(
      /ratings\.dat, line 2: unknown item id 2/,
    );
    await expect(readMovieLens1M(ml1mFixture({ ...ratings, 'movies.dat': movies.replace('Action', 'Cooking') }))).rejects.toThrow(
      /movies\.dat, line 2: genre "Cooking"; expected '\|'-separated genres from Action/,
    );
    await expect(readMovieLens1M(ml1mFixture({ ...ratings, 'users.dat': users.replace('::56::', '::57::') }))).rejects.toThrow(
      /users\.dat, line 2: age "57"; expected a bucket code/,
    );
    await expect(readMovieLens1M(ml1mFixture({ ...ratings, 'users.dat': users.replace('::16::', '::21::') }))).rejects.toThrow(
      /users\.dat, line 2: occupation "21"; expected a code from 0 to 20/,
    );
    await expect(readMovieLens1M(ml1mFixture({ ...ratings, 'movies.dat': '1::Toy Story (1995)\n' }))).rejects.toThrow(
      /movies\.dat, line 1: expected 3 fields separated by "::", found 2/,
    );
  });
});

describe('readMovieLens1MNCF on bad input', () => {
  const negativesLine = (user: number, item: number, first: number): string =>
    `(${user},${item})\t` + Array.from({ length: 99 }, (_, k) => first + k).join('\t');
  /** NCF's three files for two users (a `null` value leaves one out). */
  function ncfFixture(files: Record<string, string | null> = {}): string {
    const dir = tempDir('ncf');
    const all = {
      'ml-1m.test.rating': '0\t3\t5\t100\n1\t0\t4\t101\n',
      'ml-1m.test.negative': `${negativesLine(0, 3, 4)}\n${negativesLine(1, 0, 4)}\n`,
      'ml-1m.train.rating': '0\t0\t3\t1\n1\t102\t2\t2\n0\t5\t1\t3\n',
      ...files,
    };
    for (const [name, content] of Object.entries(all)) if (content !== null) writeFileSync(join(dir, name), content);
    return dir;
  }

  it('reads a fixture with a training file: train then test, index spaces from train', async () => {
    const train = '0\t0\t3\t1\n1\t102\t2\t2\n0\t5\t1\t3\n';
    const ncf = await readMovieLens1MNCF(ncfFixture({ 'ml-1m.train.rating': train }));
    const split = ncf.splits.default!;
    expect(split.train.length).toBe(3);
    expect(ncf.interactions.length).toBe(5);
    expect([ncf.interactions.numUsers, ncf.interactions.numItems]).toEqual([2, 103]);
    expect(split.testNegatives!.items.subarray(0, 3)).toEqual(Int32Array.of(4, 5, 6));
    expect(split.description).toMatch(/0 of 2 negative lists contain their own held-out item \(kept as published\); train: 3 ratings\.$/);
  });

  it('refuses to read without the training file, in one line that says what is needed and what to use instead', async () => {
    const dir = ncfFixture({ 'ml-1m.train.rating': null });
    await expect(readMovieLens1MNCF(dir)).rejects.toThrow(
      `readMovieLens1MNCF: ${join(dir, 'ml-1m.train.rating')} (or .gz) is missing. NCF's training file (Data/ml-1m.train.rating of ` +
        'hexiangnan/neural_collaborative_filtering, git blob 31ba384fd58dac8fbd09d2dfc6616431f3563ab5) is needed; it cannot be rebuilt',
    );
  });

  it('reports a negatives line that does not match the test file, or has the wrong count', async () => {
    await expect(
      readMovieLens1MNCF(ncfFixture({ 'ml-1m.test.negative': `${negativesLine(0, 3, 4)}\n${negativesLine(1, 7, 4)}\n` })),
    ).rejects.toThrow(/ml-1m\.test\.negative, line 2: pair \(1,7\) does not match line 2 of .*ml-1m\.test\.rating \(1,0\)/);
    await expect(
      readMovieLens1MNCF(ncfFixture({ 'ml-1m.test.negative': `${negativesLine(0, 3, 4)}\n${negativesLine(1, 0, 4).slice(0, -4)}\n` })),
    ).rejects.toThrow(/ml-1m\.test\.negative, line 2: expected 100 fields separated by "\\t", found 99/);
    await expect(
      readMovieLens1MNCF(ncfFixture({ 'ml-1m.test.negative': `${negativesLine(0, 3, 4)}\n${negativesLine(1, 0, 4).replace('\t50\t', '\tx\t')}\n` })),
    ).rejects.toThrow(/ml-1m\.test\.negative, line 2: negative 47 "x" is not an integer/);
  });

  it('rejects test users and items the training data never saw, naming file, line and id', async () => {
    const trainWithoutUser1 = '0\t0\t3\t1\n0\t200\t2\t2\n';
    await expect(readMovieLens1MNCF(ncfFixture({ 'ml-1m.train.rating': trainWithoutUser1 }))).rejects.toThrow(
      /ml-1m\.test\.rating, line 2: unknown user id 1/,
    );
    const smallTrain = '0\t0\t3\t1\n1\t2\t2\t2\n';
    await expect(readMovieLens1MNCF(ncfFixture({ 'ml-1m.train.rating': smallTrain }))).rejects.toThrow(
      /ml-1m\.test\.rating, line 1: unknown item id 3/,
    );
    const trainSkipsUser0 = '1\t0\t3\t1\n1\t200\t2\t2\n';
    await expect(readMovieLens1MNCF(ncfFixture({ 'ml-1m.train.rating': trainSkipsUser0 }))).rejects.toThrow(
      /ml-1m\.test\.rating, line 1: user id 0 has no rows in the split's training data/,
    );
    const trainOf5Items = '0\t3\t3\t1\n1\t5\t2\t2\n';
    await expect(readMovieLens1MNCF(ncfFixture({ 'ml-1m.train.rating': trainOf5Items }))).rejects.toThrow(
      /ml-1m\.test\.negative, line 1: negative item id 6 is outside the items of .*ml-1m\.train\.rating \(0\.\.5\)/,
    );
  });
});
