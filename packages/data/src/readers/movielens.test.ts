import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Interactions } from '../interactions.js';
import { requireDataset } from '../testing/index.js';
import {
  ML100K_SPLITS,
  type MovieLens100K,
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
  it('reads movies.dat and users.dat as MANIFEST.md states; no ratings.dat, so no interactions', async (ctx) => {
    const dir = requireDataset(ctx, 'ml-1m');
    expect(existsSync(join(dir, 'ratings.dat'))).toBe(false);
    const ml = await readMovieLens1M(dir);
    expect(ml.name).toBe('ml-1m');
    // 3883 movies with ids 1..3952 (gaps); 6040 users with ids 1..6040.
    expect(ml.itemIds.size).toBe(3883);
    expect([ml.itemIds.idOf(0), ml.itemIds.idOf(3882)]).toEqual([1, 3952]);
    expect(ml.userIds.size).toBe(6040);
    expect([ml.userIds.idOf(0), ml.userIds.idOf(6039)]).toEqual([1, 6040]);
    expect(ml.interactions.length).toBe(0);
    expect([ml.interactions.numUsers, ml.interactions.numItems]).toEqual([6040, 3883]);
    expect(ml.splits).toEqual({});

    // 18 genres; "1::Toy Story (1995)::Animation|Children's|Comedy".
    const genres = ml.itemCategories;
    expect(genres.numCategories).toBe(18);
    const toyStory = ml.itemIds.indexOf(1);
    expect(Array.from(genres.of(toyStory), (g) => genres.names[g])).toEqual(['Animation', "Children's", 'Comedy']);
    expect(genres.itemsByCategory().indptr.every((start, g, all) => g === 0 || start > all[g - 1]!)).toBe(true);
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

describe('readMovieLens1MNCF on the real files', () => {
  it('reads the 6040 test rows and 99 fixed negatives each, as MANIFEST.md states', async (ctx) => {
    const dir = requireDataset(ctx, 'ml-1m-ncf');
    const ncf = await readMovieLens1MNCF(dir);
    const split = ncf.splits.default!;
    const { test, train, testNegatives } = split;
    expect(ncf.name).toBe('ml-1m-ncf');
    // 6040 lines, user ids 0..6039 each exactly once; negatives span 0..3705 → 3706 items.
    expect(test.length).toBe(6040);
    expect([ncf.interactions.numUsers, ncf.interactions.numItems]).toEqual([6040, 3706]);
    expect([test.numUsers, test.numItems]).toEqual([6040, 3706]);
    expect(Array.from(test.users)).toEqual(Array.from({ length: 6040 }, (_, u) => u));
    expect(ncf.userIds.idOf(6039)).toBe(6039);
    expect(ncf.itemIds.idOf(3705)).toBe(3705);
    // First line: "0\t25\t5\t978824351".
    expect([test.items[0], test.ratings![0], test.timestamps![0]]).toEqual([25, 5, 978824351]);
    expect(Math.min(...test.ratings!)).toBe(1);
    expect(Math.max(...test.ratings!)).toBe(5);

    // ml-1m.train.rating is not in this copy: train is empty, interactions are the test rows.
    expect(train.length).toBe(0);
    expect(ncf.interactions.length).toBe(6040);

    expect(testNegatives!.perRow).toBe(99);
    expect(testNegatives!.items.length).toBe(6040 * 99);
    const negativesOf = (r: number): Int32Array => testNegatives!.items.subarray(r * 99, (r + 1) * 99);
    expect(negativesOf(0)[0]).toBe(1064); // "(0,25)\t1064\t174…"
    let maxNegative = -1;
    let positiveAmongNegatives = 0;
    for (let r = 0; r < 6040; r++) {
      const negatives = negativesOf(r);
      expect(new Set(negatives).size, `line ${r + 1} repeats a negative`).toBe(99);
      maxNegative = Math.max(maxNegative, ...negatives);
      if (negatives.includes(test.items[r]!)) positiveAmongNegatives++;
    }
    expect(maxNegative).toBe(3705);
    // Known quirk kept as published: 156 of 6040 lines list their own test item among the negatives;
    // e.g. the line for (12,844) has 844 at 0-based negative position 18.
    expect(positiveAmongNegatives).toBe(156);
    expect(test.items[12]).toBe(844);
    expect(negativesOf(12)[18]).toBe(844);
    expect(split.description).toMatch(/156 of 6040/);
  });
});

describe('movieLensDatasets', () => {
  it('registers ml-100k, ml-1m and ml-1m-ncf with files that exist and readers that read them', async (ctx) => {
    expect(movieLensDatasets.map((entry) => entry.name)).toEqual(['ml-100k', 'ml-1m', 'ml-1m-ncf']);
    for (const entry of movieLensDatasets) {
      const dir = requireDataset(ctx, entry.folder);
      for (const alternatives of entry.files) {
        expect(alternatives.some((file) => existsSync(join(dir, file))), `${entry.name}: ${alternatives.join(' | ')}`).toBe(true);
      }
      // ml-100k is read by the tests above; the registry must point at that reader.
      if (entry.name === 'ml-100k') expect(entry.read).toBe(readMovieLens100K);
      else expect((await entry.read(dir)).name).toBe(entry.name);
    }
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

describe('readMovieLens1M on bad input', () => {
  const movies = '1::Toy Story (1995)::Animation|Comedy\n5::Heat (1995)::Action\n';
  const users = '1::F::1::10::48067\n2::M::56::16::70072\n';
  function ml1mFixture(files: Record<string, string> = {}): string {
    const dir = tempDir('ml1m');
    for (const [name, content] of Object.entries({ 'movies.dat': movies, 'users.dat': users, ...files })) {
      writeFileSync(join(dir, name), content);
    }
    return dir;
  }

  it('reads ratings.dat (`::`-separated) into the users.dat/movies.dat index spaces when present', async () => {
    const ml = await readMovieLens1M(ml1mFixture({ 'ratings.dat': '2::5::4::978300760\n1::1::5::978302109\n' }));
    expect(ml.interactions.length).toBe(2);
    expect([ml.interactions.numUsers, ml.interactions.numItems]).toEqual([2, 2]);
    expect(Array.from(ml.interactions.users)).toEqual([1, 0]);
    expect(Array.from(ml.interactions.items)).toEqual([1, 0]);
    expect(Array.from(ml.interactions.ratings!)).toEqual([4, 5]);
  });

  it('reports unknown ids in ratings.dat, unknown genres and bad demographic codes with their lines', async () => {
    await expect(readMovieLens1M(ml1mFixture({ 'ratings.dat': '1::1::5::1\n1::2::5::1\n' }))).rejects.toThrow(
      /ratings\.dat, line 2: unknown item id 2/,
    );
    await expect(readMovieLens1M(ml1mFixture({ 'movies.dat': movies.replace('Action', 'Cooking') }))).rejects.toThrow(
      /movies\.dat, line 2: genre "Cooking"; expected '\|'-separated genres from Action/,
    );
    await expect(readMovieLens1M(ml1mFixture({ 'users.dat': users.replace('::56::', '::57::') }))).rejects.toThrow(
      /users\.dat, line 2: age "57"; expected a bucket code/,
    );
    await expect(readMovieLens1M(ml1mFixture({ 'users.dat': users.replace('::16::', '::21::') }))).rejects.toThrow(
      /users\.dat, line 2: occupation "21"; expected a code from 0 to 20/,
    );
    await expect(readMovieLens1M(ml1mFixture({ 'movies.dat': '1::Toy Story (1995)\n' }))).rejects.toThrow(
      /movies\.dat, line 1: expected 3 fields separated by "::", found 2/,
    );
  });
});

describe('readMovieLens1MNCF on bad input', () => {
  const negativesLine = (user: number, item: number, first: number): string =>
    `(${user},${item})\t` + Array.from({ length: 99 }, (_, k) => first + k).join('\t');
  function ncfFixture(files: Record<string, string>): string {
    const dir = tempDir('ncf');
    const all = {
      'ml-1m.test.rating': '0\t3\t5\t100\n1\t0\t4\t101\n',
      'ml-1m.test.negative': `${negativesLine(0, 3, 4)}\n${negativesLine(1, 0, 4)}\n`,
      ...files,
    };
    for (const [name, content] of Object.entries(all)) writeFileSync(join(dir, name), content);
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
