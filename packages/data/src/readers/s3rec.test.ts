import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { datasetSourceFiles } from '../cache.js';
import type { Dataset } from '../dataset.js';
import { rowsByUser } from '../indexes.js';
import { verifyDatasetSources } from '../integrity.js';
import { leaveLastOut } from '../split.js';
import { requireDataset } from '../testing/index.js';
import { attributeTree, readS3Rec, readS3RecSequences, readS3RecToysRatings, s3recDatasets, type S3RecDomain } from './s3rec.js';

/** Per-user row counts and, per user, the largest position (timestamp). */
function perUser(dataset: Dataset): { counts: Int32Array; lastPosition: Float64Array } {
  const { interactions: log } = dataset;
  const counts = new Int32Array(log.numUsers);
  const lastPosition = new Float64Array(log.numUsers).fill(-1);
  for (let r = 0; r < log.length; r++) {
    counts[log.users[r]!]!++;
    lastPosition[log.users[r]!] = Math.max(lastPosition[log.users[r]!]!, log.timestamps![r]!);
  }
  return { counts, lastPosition };
}

/** Raw attribute-list lengths of an item2attributes file: total and lists that repeat an id. */
function rawAttributeStats(path: string): { total: number; listsWithRepeats: number } {
  const lists = Object.values(JSON.parse(readFileSync(path, 'utf8')) as Record<string, number[]>);
  return {
    total: lists.reduce((sum, list) => sum + list.length, 0),
    listsWithRepeats: lists.filter((list) => new Set(list).size !== list.length).length,
  };
}

// The counts MANIFEST.md states (amazon-s3rec and yelp-s3rec-hier), plus the deduplicated
// attribute-pair count measured here.
const AMAZON: readonly {
  domain: Exclude<S3RecDomain, 'Yelp'>;
  users: number;
  items: number;
  interactions: number;
  attributes: number;
  avgRawAttributes: string;
  listsWithRepeats: number;
  dedupedPairs: number;
  firstItemName?: string;
}[] = [
  { domain: 'Beauty', users: 22_363, items: 12_101, interactions: 198_502, attributes: 637, avgRawAttributes: '3.72', listsWithRepeats: 5, dedupedPairs: 45_032, firstItemName: 'B004756YJA' },
  { domain: 'Sports_and_Outdoors', users: 35_598, items: 18_357, interactions: 296_337, attributes: 2_277, avgRawAttributes: '6.02', listsWithRepeats: 957, dedupedPairs: 106_440 },
  { domain: 'Toys_and_Games', users: 19_412, items: 11_924, interactions: 167_597, attributes: 1_027, avgRawAttributes: '4.28', listsWithRepeats: 51, dedupedPairs: 50_876 },
];

describe('amazon-s3rec', () => {
  for (const expected of AMAZON) {
    it(`reads ${expected.domain} with the MANIFEST's counts, positions as timestamps and attributes`, async (ctx) => {
      const dir = requireDataset(ctx, 'amazon-s3rec');
      const entry = s3recDatasets.find((d) => d.name === `amazon-s3rec/${expected.domain}`)!;
      expect(entry.folder).toBe('amazon-s3rec');
      const data = await entry.read(dir);
      const { interactions: log, userIds, itemIds } = data;

      expect(data.name).toBe(`amazon-s3rec/${expected.domain}`);
      expect(log.length).toBe(expected.interactions);
      expect([log.numUsers, log.numItems]).toEqual([expected.users, expected.items]);
      // Ids are 1-based and contiguous, so index = id − 1.
      expect([userIds.idOf(0), userIds.idOf(expected.users - 1)]).toEqual([1, expected.users]);
      expect([itemIds.idOf(0), itemIds.idOf(expected.items - 1)]).toEqual([1, expected.items]);
      expect(data.splits).toEqual({});

      // timestamps are positions 0..len−1 within each user's sequence; min length 5.
      const { counts, lastPosition } = perUser(data);
      expect(Math.min(...counts)).toBe(5);
      expect(counts.filter((n, u) => lastPosition[u] !== n - 1)).toHaveLength(0);

      // Leave-last-out by time holds out exactly each user's last position (S3-Rec's test item).
      const { test } = leaveLastOut(log);
      expect(test.length).toBe(expected.users);
      expect(test.timestamps!.filter((t, r) => t !== lastPosition[test.users[r]!])).toHaveLength(0);

      const cats = data.itemCategories!;
      expect(cats.numItems).toBe(expected.items);
      expect(cats.numCategories).toBe(expected.attributes);
      expect(cats.names[0]).toBe('attribute 1');
      expect(cats.indices.length).toBe(expected.dedupedPairs);
      const attributesPath = join(dir, `${expected.domain}_item2attributes.json`);
      const raw = rawAttributeStats(attributesPath);
      expect((raw.total / expected.items).toFixed(2)).toBe(expected.avgRawAttributes);
      expect(raw.listsWithRepeats).toBe(expected.listsWithRepeats);
      // Every attribute id 1..max is used by some item.
      const inverse = cats.itemsByCategory();
      expect(inverse.indptr.subarray(1).filter((end, c) => end === inverse.indptr[c])).toHaveLength(0);

      if (expected.firstItemName !== undefined) expect(data.itemNames![0]).toBe(expected.firstItemName);
      if (expected.domain === 'Toys_and_Games') expect(data.itemNames).toBeUndefined();
      else expect(data.itemNames).toHaveLength(expected.items);
      expect(data.categoryTree).toBeUndefined();
    });
  }

  it('keeps the file order: Beauty line 1 is "1 1 2 3 4 5", and item 4 has attributes [1, 2, 3]', async (ctx) => {
    const dir = requireDataset(ctx, 'amazon-s3rec');
    const data = await readS3Rec(dir, 'Beauty');
    const { interactions: log, userIds, itemIds } = data;
    expect(Array.from(log.users.subarray(0, 5), (u) => userIds.idOf(u))).toEqual([1, 1, 1, 1, 1]);
    expect(Array.from(log.items.subarray(0, 5), (i) => itemIds.idOf(i))).toEqual([1, 2, 3, 4, 5]);
    expect([...log.timestamps!.subarray(0, 6)]).toEqual([0, 1, 2, 3, 4, 0]);
    // Beauty_item2attributes.json opens with {"4": [1, 2, 3], "83": [4, 5, 6], …}.
    expect([...data.itemCategories!.of(itemIds.indexOf(4))]).toEqual([0, 1, 2]);
    expect([...data.itemCategories!.of(itemIds.indexOf(83))]).toEqual([3, 4, 5]);
  });
});

describe('yelp-s3rec-hier', () => {
  it('reads Yelp with the MANIFEST counts, named attributes and the category-path tree', async (ctx) => {
    const dir = requireDataset(ctx, 'yelp-s3rec-hier');
    const entry = s3recDatasets.find((d) => d.name === 'yelp-s3rec-hier')!;
    const data = await entry.read(dir);
    const { interactions: log, itemIds } = data;

    expect(log.length).toBe(316_354);
    expect([log.numUsers, log.numItems]).toEqual([30_431, 20_033]);
    expect([itemIds.idOf(0), itemIds.idOf(20_032)]).toEqual([1, 20_033]);
    const { counts, lastPosition } = perUser(data);
    expect(Math.min(...counts)).toBe(5);
    expect(counts.filter((n, u) => lastPosition[u] !== n - 1)).toHaveLength(0);
    expect(data.splits).toEqual({});

    // Attributes: 1,001 ids named by id2attribute; item 11394 → [1, 2, 3] → Restaurants, Vietnamese, Soup.
    const cats = data.itemCategories!;
    expect(cats.numCategories).toBe(1_001);
    const names = Array.from(cats.of(itemIds.indexOf(11394)), (c) => cats.names[c]);
    expect(names).toEqual(['Restaurants', 'Vietnamese', 'Soup']);
    expect(data.itemNames![0]).toBe('5eV8oUGdBXylwB7HeaDFOA');

    // Path depths: 0: 6 items, 1: 53, 2: 666, 3: 7,892, 4: 11,416.
    const tree = data.categoryTree!;
    const leaf = data.itemLeafCategory!;
    expect(leaf).toHaveLength(20_033);
    const histogram = [0, 0, 0, 0, 0];
    for (const node of leaf) histogram[node < 0 ? 0 : tree.depths[node]! + 1]!++;
    expect(histogram).toEqual([6, 53, 666, 7_892, 11_416]);
    expect(tree.levels).toBe(4);
    expect(tree.size).toBe(3_089); // one node per distinct path prefix (measured here)
    expect(new Set(tree.names).size).toBe(426);

    // 12 top-level values, the two numeric junk roots kept as published.
    const itemsPerRoot = new Map<string, number>();
    for (const node of leaf) {
      if (node < 0) continue;
      const root = tree.names[tree.ancestorAt(node, 0)]!;
      itemsPerRoot.set(root, (itemsPerRoot.get(root) ?? 0) + 1);
    }
    expect(itemsPerRoot.size).toBe(12);
    expect(itemsPerRoot.get('Restaurants')).toBe(15_247);
    expect(itemsPerRoot.get('17059')).toBe(40);
    expect(itemsPerRoot.get('133')).toBe(2);

    // Not a strict tree by name: 321 of the 414 non-root names have several parents; 180 names sit at several levels.
    const parentsOf = new Map<string, Set<string>>();
    const levelsOf = new Map<string, Set<number>>();
    for (let c = 0; c < tree.size; c++) {
      const name = tree.names[c]!;
      if (!levelsOf.has(name)) levelsOf.set(name, new Set());
      levelsOf.get(name)!.add(tree.depths[c]!);
      if (tree.parents[c]! < 0) continue;
      if (!parentsOf.has(name)) parentsOf.set(name, new Set());
      parentsOf.get(name)!.add(tree.names[tree.parents[c]!]!);
    }
    expect(parentsOf.size).toBe(414);
    expect([...parentsOf.values()].filter((p) => p.size > 1)).toHaveLength(321);
    expect([...levelsOf.values()].filter((l) => l.size > 1)).toHaveLength(180);

    // Item 19106: Automotive › Auto Repair › Oil Change Stations › Transmission Repair.
    const path = Array.from(tree.pathOf(leaf[itemIds.indexOf(19106)]!), (c) => tree.names[c]);
    expect(path).toEqual(['Automotive', 'Auto Repair', 'Oil Change Stations', 'Transmission Repair']);
  });
});

describe('readS3RecSequences on bad input', () => {
  const write = (text: string, name = 'Seq.txt'): string => {
    const dir = mkdtempSync(join(tmpdir(), 'rec-s3rec-'));
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('reads a small file with CRLF line ends, skipping blank lines and keeping line numbers', async () => {
    const path = write('2 7 5 7\r\n\r\n1 5 9\r\n');
    const { interactions, userIds, itemIds } = await readS3RecSequences(path);
    expect(userIds.toArray()).toEqual([1, 2]);
    expect(itemIds.toArray()).toEqual([5, 7, 9]);
    expect([...interactions.users]).toEqual([1, 1, 1, 0, 0]);
    expect(Array.from(interactions.items, (i) => itemIds.idOf(i))).toEqual([7, 5, 7, 5, 9]);
    expect([...interactions.timestamps!]).toEqual([0, 1, 2, 0, 1]);
    await expect(readS3RecSequences(write('1 2 3\n\n2 4 x 5\n'))).rejects.toThrow(/Seq\.txt: line 3: item 2 \("x"\) in "2 4 x 5" is not a positive int32/);
  });

  it('rejects what a lenient integer cast would accept, naming file and line', async () => {
    await expect(readS3RecSequences(write('1 2 3\n2 1.5 3\n'))).rejects.toThrow(/Seq\.txt: line 2: item 1 \("1\.5"\)/);
    await expect(readS3RecSequences(write('1 2 0x10\n'))).rejects.toThrow(/line 1: item 2 \("0x10"\)/);
    await expect(readS3RecSequences(write('1 2 0\n'))).rejects.toThrow(/line 1: item 2 \("0"\) .* expected `user item item …`/);
    await expect(readS3RecSequences(write('1 2 3\n3000000000 4\n'))).rejects.toThrow(/line 2: user id "3000000000" .* not a positive int32/);
  });

  it('rejects a user without items and a user with two lines', async () => {
    await expect(readS3RecSequences(write('1 2 3\n2\n'))).rejects.toThrow(/Seq\.txt: line 2: "2" has no items/);
    await expect(readS3RecSequences(write('1 2 3\n2 3\n1 4\n'))).rejects.toThrow(
      /Seq\.txt: line 3: user 1 already has a sequence on line 1; expected one line per user/,
    );
  });

  it('names a missing file', async () => {
    await expect(readS3RecSequences('/nonexistent/Beauty.txt')).rejects.toThrow(/\/nonexistent\/Beauty\.txt: file not found/);
  });
});

describe('readS3Rec on bad input', () => {
  const folder = (files: Record<string, string>): string => {
    const dir = mkdtempSync(join(tmpdir(), 'rec-s3rec-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };
  const toys = (attributes: string): string =>
    folder({ 'Toys_and_Games.txt': '1 1 2\n2 2 3\n', 'Toys_and_Games_item2attributes.json': attributes });

  it('reads attributes of a small Toys folder, deduplicating repeated ids', async () => {
    const data = await readS3Rec(toys('{"1": [2, 1, 2], "2": [3], "3": []}'), 'Toys_and_Games');
    expect(data.itemCategories!.names).toEqual(['attribute 1', 'attribute 2', 'attribute 3']);
    expect([...data.itemCategories!.of(0)]).toEqual([0, 1]);
    expect([...data.itemCategories!.of(2)]).toEqual([]);
  });

  it('names the file and the field of a bad attribute entry', async () => {
    const dir = toys('{"1": [1], "2": [1, "brand"], "3": [2]}');
    await expect(readS3Rec(dir, 'Toys_and_Games')).rejects.toThrow(
      `${join(dir, 'Toys_and_Games_item2attributes.json')}: item "2" entry 1 is "brand"; expected a positive integer attribute id`,
    );
    await expect(readS3Rec(toys('{"1": [1], "2": [1], "3": [2], "9": [1]}'), 'Toys_and_Games')).rejects.toThrow(
      /item2attributes\.json: key "9" is not an item of .*Toys_and_Games\.txt/,
    );
    await expect(readS3Rec(toys('{"1": [1], "3": [2]}'), 'Toys_and_Games')).rejects.toThrow(
      /item2attributes\.json: item 2 of .*Toys_and_Games\.txt has no entry/,
    );
    await expect(readS3Rec(toys('{"1": [1],\n "2": [1]\n "3": [2]}'), 'Toys_and_Games')).rejects.toThrow(
      /item2attributes\.json: not valid JSON at line 3, column 2/,
    );
  });

  it('names every path it looked for when a file is missing', async () => {
    const dir = folder({ 'Toys_and_Games.txt': '1 1 2\n' });
    await expect(readS3Rec(dir, 'Toys_and_Games')).rejects.toThrow(
      `readS3Rec(Toys_and_Games): file not found: looked for ${join(dir, 'Toys_and_Games_item2attributes.json')} and ${join(dir, 'Toys_and_Games_item2attributes.json.gz')}`,
    );
  });

  it('names the Yelp category-path entry that is not a list of names', async () => {
    const dir = folder({
      'Yelp.txt': '1 1 2\n',
      'Yelp_item2attributes.json': '{"1": [1], "2": [1]}',
      'Yelp_datamaps.json': '{"id2item": {"1": "a", "2": "b"}, "id2attribute": {"1": "Food"}}',
      'Yelp_closed_categories.json': '{"1": ["Food", "Pizza"], "2": ["Food", 7]}',
    });
    await expect(readS3Rec(dir, 'Yelp')).rejects.toThrow(/Yelp_closed_categories\.json: item "2" has \["Food",7\]; expected a list of category names/);
  });
});

describe('amazon-s3rec/Toys_and_Games-ratings', () => {
  const entryOf = (name: string) => s3recDatasets.find((d) => d.name === name)!;

  it('verifies every file it reads against the MANIFEST sha256, the review table included', async (ctx) => {
    const dir = requireDataset(ctx, 'amazon-s3rec/Toys_and_Games-ratings');
    const entry = entryOf('amazon-s3rec/Toys_and_Games-ratings');
    const files = await datasetSourceFiles(entry, dir);
    expect(files).toEqual(['MANIFEST.md', 'Toys_and_Games.txt', 'Toys_and_Games_item2attributes.json', 'Toys_and_Games_ratings.txt.gz']);
    // Only MANIFEST.md (not a source) goes unhashed.
    expect(await verifyDatasetSources(entry, dir, files)).toEqual(['MANIFEST.md']);
    // The positional Toys entry no longer counts the review table as one of its files.
    expect(await datasetSourceFiles(entryOf('amazon-s3rec/Toys_and_Games'), dir)).not.toContain('Toys_and_Games_ratings.txt.gz');
  });

  it("has the MANIFEST's counts, a rating and a day for every S3-Rec Toys interaction, and the positional entry's indexes", async (ctx) => {
    const dir = requireDataset(ctx, 'amazon-s3rec/Toys_and_Games-ratings');
    const [rated, positional] = await Promise.all([
      entryOf('amazon-s3rec/Toys_and_Games-ratings').read(dir),
      entryOf('amazon-s3rec/Toys_and_Games').read(dir),
    ]);
    const log = rated.interactions;
    expect(rated.name).toBe('amazon-s3rec/Toys_and_Games-ratings');
    expect([log.length, log.numUsers, log.numItems]).toEqual([167_597, 19_412, 11_924]);
    expect(rated.splits).toEqual({});

    // Same rows, users, items, ids and attributes as amazon-s3rec/Toys_and_Games.
    expect(log.users).toEqual(positional.interactions.users);
    expect(log.items).toEqual(positional.interactions.items);
    expect(rated.userIds.toArray()).toEqual(positional.userIds.toArray());
    expect(rated.itemIds.toArray()).toEqual(positional.itemIds.toArray());
    expect(rated.itemCategories).toEqual(positional.itemCategories);
    expect(positional.itemNames).toBeUndefined();
    expect(new Set(rated.itemNames).size).toBe(11_924); // one distinct ASIN per item

    // Every interaction got 1–5 stars and a review day: the MANIFEST's histogram and range.
    const stars = [0, 0, 0, 0, 0];
    for (const rating of log.ratings!) stars[rating - 1]!++;
    expect(stars).toEqual([4_707, 6_298, 16_357, 37_445, 102_790]);
    const times = log.timestamps!;
    expect([times.reduce((a, b) => Math.min(a, b)), times.reduce((a, b) => Math.max(a, b))]).toEqual([964_742_400, 1_406_073_600]);
    expect(times.every((t) => t % 86_400 === 0)).toBe(true);
    expect(new Set(times).size).toBe(4_119);

    // Each S3-Rec sequence is in time order; its last item's stars and the same-day ties are the MANIFEST's.
    const { indptr, indices } = rowsByUser(log);
    const lastStars = [0, 0, 0, 0, 0];
    let unordered = 0;
    let lastSharesDay = 0;
    for (let u = 0; u < log.numUsers; u++) {
      for (let p = indptr[u]! + 1; p < indptr[u + 1]!; p++) if (times[indices[p]!]! < times[indices[p - 1]!]!) unordered++;
      const [beforeLast, last] = [indices[indptr[u + 1]! - 2]!, indices[indptr[u + 1]! - 1]!];
      lastStars[log.ratings![last]! - 1]!++;
      if (times[last] === times[beforeLast]) lastSharesDay++;
    }
    expect(unordered).toBe(0);
    expect(lastStars).toEqual([715, 737, 1_832, 3_855, 12_273]);
    expect(lastSharesDay).toBe(9_518);
  });

  it('joins user 1 by hand: A1VXOAVRGKGEAK, sequence "1 1 2 3 4 5", last item B000IBPD76 with 5 stars on 2014-01-29', async (ctx) => {
    const dir = requireDataset(ctx, 'amazon-s3rec/Toys_and_Games-ratings');
    const { interactions: log, userIds, itemIds, itemNames } = await readS3RecToysRatings(dir);
    // Toys_and_Games_ratings.txt.gz, the five lines of the first reviewer, sorted by day
    // (stable): 106502 B005E7BDXW 4★ 1379289600; 140579 B00A850V92 5★ 1390867200;
    // 161443 B00E18S0J0 5★ 1390867200; 1 0439893577 5★ 1390953600; 34949 B000IBPD76 5★ 1390953600.
    const rows = Array.from({ length: 5 }, (_, r) => r); // user 1's rows come first
    expect(rows.map((r) => userIds.idOf(log.users[r]!))).toEqual([1, 1, 1, 1, 1]);
    expect(rows.map((r) => itemIds.idOf(log.items[r]!))).toEqual([1, 2, 3, 4, 5]);
    expect(rows.map((r) => itemNames![log.items[r]!])).toEqual(['B005E7BDXW', 'B00A850V92', 'B00E18S0J0', '0439893577', 'B000IBPD76']);
    expect(rows.map((r) => log.ratings![r])).toEqual([4, 5, 5, 5, 5]);
    expect(rows.map((r) => log.timestamps![r])).toEqual([1_379_289_600, 1_390_867_200, 1_390_867_200, 1_390_953_600, 1_390_953_600]);
    expect(new Date(log.timestamps![4]! * 1000).toISOString()).toBe('2014-01-29T00:00:00.000Z');
  });

  it('has a category tree from the attribute order: one root, 18 first-level and 164 second-level nodes; item 4 is 1 → 2 → 3 → 4 → 5 without its brand', async (ctx) => {
    const dir = requireDataset(ctx, 'amazon-s3rec/Toys_and_Games-ratings');
    const { categoryTree, itemLeafCategory, itemIds } = await readS3RecToysRatings(dir);
    const tree = categoryTree!;
    const atDepth = (d: number): number => Array.from(tree.depths).filter((x) => x === d).length;
    expect(atDepth(0)).toBe(1);
    expect(atDepth(1)).toBe(18);
    // Counted in the JSON by hand (python, the attribute at position 3 of lists whose position 1 is attribute 2): 164.
    expect(new Set(Array.from(itemLeafCategory!).filter((l) => l >= 0 && tree.depths[l]! >= 2).map((l) => tree.ancestorAt(l, 2))).size).toBe(164);
    // Item id 4's attributes are [1, 2, 3, 4, 5]: brand 1, then the path 2 → 3 → 4 → 5.
    const leaf = itemLeafCategory![itemIds.indexOf(4)!]!;
    expect([0, 1, 2, 3].map((d) => tree.names[tree.ancestorAt(leaf, d)])).toEqual(['attribute 2', 'attribute 3', 'attribute 4', 'attribute 5']);
    // 3 items' second attribute is not the root (no path); 345 lists are [brand, root] only.
    expect(Array.from(itemLeafCategory!).filter((l) => l < 0).length).toBe(3);
    expect(Array.from(itemLeafCategory!).filter((l) => l >= 0 && tree.depths[l] === 0).length).toBe(345);
  });

  it('attributeTree: the root is the most common second attribute, a path stops at the root\'s next occurrence, other items have none', () => {
    const names = Array.from({ length: 9 }, (_, a) => `a${a}`);
    const { categoryTree, itemLeafCategory } = attributeTree([[0, 1, 4, 7], [2, 1, 4, 1, 5], [3, 1, 6], [8, 5]], names);
    expect(Array.from(itemLeafCategory).map((l) => (l < 0 ? '' : categoryTree.names[l]))).toEqual(['a7', 'a4', 'a6', '']);
    expect(categoryTree.size).toBe(4); // a1, a1/a4, a1/a4/a7, a1/a6
  });
});

describe('readS3RecToysRatings on bad input', () => {
  // Two S3-Rec users: 1 → items 1 2, 2 → items 2 3. Reviewer A1 reviews x then y; A2 reviews y then z.
  const sequences = '1 1 2\n2 2 3\n';
  const attributes = '{"1": [1], "2": [2], "3": [1]}';
  const goodRatings = 'A1,BX00000001,4,200\nA2,BY00000002,3,100\nA1,BY00000002,5,300\nA2,BZ00000003,1,100\n';
  const folder = (ratings: string, gzip = true): string => {
    const dir = mkdtempSync(join(tmpdir(), 'rec-toys-ratings-'));
    writeFileSync(join(dir, 'Toys_and_Games.txt'), sequences);
    writeFileSync(join(dir, 'Toys_and_Games_item2attributes.json'), attributes);
    if (gzip) writeFileSync(join(dir, 'Toys_and_Games_ratings.txt.gz'), gzipSync(ratings));
    else writeFileSync(join(dir, 'Toys_and_Games_ratings.txt'), ratings);
    return dir;
  };

  it('joins a small folder by first appearance and stable time order, gzipped or plain', async () => {
    for (const gzip of [true, false]) {
      const data = await readS3RecToysRatings(folder(goodRatings, gzip));
      const log = data.interactions;
      expect([...log.users]).toEqual([0, 0, 1, 1]);
      expect([...log.items]).toEqual([0, 1, 1, 2]);
      expect([...log.ratings!]).toEqual([4, 5, 3, 1]);
      // A2's two reviews share day 100: file order decides (BY before BZ), as S3-Rec's stable sort did.
      expect([...log.timestamps!]).toEqual([200, 300, 100, 100]);
      expect(data.itemNames).toEqual(['BX00000001', 'BY00000002', 'BZ00000003']);
      expect(data.itemCategories!.numItems).toBe(3);
    }
  });

  it('names the file and line of a row that is not a review or does not join', async () => {
    let dir = folder('A1,BX00000001,4,200\nA2,BY00000002,3.0,100\n');
    await expect(readS3RecToysRatings(dir)).rejects.toThrow(
      `readS3RecToysRatings: ${join(dir, 'Toys_and_Games_ratings.txt.gz')}: line 2: "A2,BY00000002,3.0,100" is not \`reviewerID,asin,stars,unixReviewTime\``,
    );
    // A2's reviews swapped in time: BZ comes first and would be S3-Rec item 3 where the sequence has item 2.
    dir = folder('A1,BX00000001,4,200\nA2,BY00000002,3,100\nA1,BY00000002,5,300\nA2,BZ00000003,1,50\n');
    await expect(readS3RecToysRatings(dir)).rejects.toThrow(
      /Toys_and_Games_ratings\.txt\.gz: line 4: ASIN BZ00000003 of reviewer A2 \(S3-Rec user 2, review 1 by time\) joins as item 3, but .*Toys_and_Games\.txt has item 2 there/,
    );
    dir = folder(`${goodRatings}A3,BX00000001,2,400\n`);
    await expect(readS3RecToysRatings(dir)).rejects.toThrow(
      /Toys_and_Games_ratings\.txt\.gz: line 5: reviewer A3 is distinct reviewer 3, but .*Toys_and_Games\.txt has 2 users/,
    );
    dir = folder('A1,BX00000001,4,200\nA2,BY00000002,3,100\nA1,BY00000002,5,300\n');
    await expect(readS3RecToysRatings(dir)).rejects.toThrow(
      /line 2: reviewer A2 \(S3-Rec user 2\) has 1 reviews, but user 2's sequence in .*Toys_and_Games\.txt has 2 items/,
    );
    dir = folder('A1,BX00000001,4,200\nA1,BY00000002,5,300\n');
    await expect(readS3RecToysRatings(dir)).rejects.toThrow(/Toys_and_Games_ratings\.txt\.gz: has 1 distinct reviewers, but .* has 2 users/);
  });

  it('names every path it looked for when the review table is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rec-toys-ratings-'));
    writeFileSync(join(dir, 'Toys_and_Games.txt'), sequences);
    await expect(readS3RecToysRatings(dir)).rejects.toThrow(
      `readS3RecToysRatings: file not found: looked for ${join(dir, 'Toys_and_Games_ratings.txt.gz')} and ${join(dir, 'Toys_and_Games_ratings.txt')}`,
    );
  });
});
