import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  datasetCacheKey,
  datasetCachePath,
  datasetSourceFiles,
  decodeDatasetCache,
  DatasetCacheError,
  encodeDatasetCache,
  readThroughCache,
} from './cache.js';
import type { Dataset } from './dataset.js';
import { createInteractions, IdMap } from './interactions.js';
import { DATASETS } from './readers/index.js';
import type { DatasetEntry } from './readers/entry.js';
import { CategoryTree } from './side-info/category-tree.js';
import { denseFeatures } from './side-info/features.js';
import { ItemCategories } from './side-info/item-categories.js';
import { requireDataset } from './testing/index.js';

/** A dataset with every optional field set, and awkward values in each. */
function everyField(): Dataset {
  const behaviorNames = ['view', 'cart', 'buy'];
  const interactions = createInteractions({
    users: Int32Array.of(0, 0, 1, 2, 2),
    items: Int32Array.of(1, 3, 0, 2, 3),
    ratings: Float32Array.of(4.5, 1, 3.25, 5, 2),
    // Fractional seconds, a time past 2^32 s and a negative (pre-1970) time.
    timestamps: Float64Array.of(1.5e9 + 0.125, 2 ** 33 + 0.5, -86_400, 0, 978_300_760),
    behaviors: Uint8Array.of(0, 2, 1, 2, 0), // 5 rows: not a multiple of 4, so packing pads
    behaviorNames,
    numUsers: 4,
    numItems: 5,
  });
  const train = createInteractions({
    users: Int32Array.of(0, 1, 2),
    items: Int32Array.of(1, 0, 2),
    behaviors: Uint8Array.of(0, 1, 2),
    behaviorNames,
    numUsers: 4,
    numItems: 5,
  });
  const test = createInteractions({ users: Int32Array.of(0), items: Int32Array.of(3), numUsers: 4, numItems: 5 });
  const valid = createInteractions({ users: Int32Array.of(2), items: Int32Array.of(3), timestamps: Float64Array.of(7), numUsers: 4, numItems: 5 });
  const { tree, leafOf } = CategoryTree.fromPaths([['Beauty', 'Skin'], ['Beauty', 'Hair'], [], ['Tools'], ['Beauty', 'Skin', 'Serum']]);
  return {
    name: 'synthetic/every-field',
    interactions,
    userIds: new IdMap(['alice', 'bob', 'carol', 'dan']),
    itemIds: new IdMap([10, 20, 30, 2 ** 40, 50]), // one id beyond int32: the JSON path
    splits: {
      default: {
        train,
        test,
        valid,
        testNegatives: { perRow: 2, items: Int32Array.of(0, 4) },
        description: 'a leave-one-out split, "quoted", with ünïcödé',
      },
      plain: { train: test, test: train, description: 'no validation, no negatives' },
    },
    itemCategories: ItemCategories.fromLists([[0, 1], [1], [], [3], [0, 2, 4]], tree.names),
    categoryTree: tree,
    itemLeafCategory: leafOf,
    itemFeatures: { image: denseFeatures(5, 2, Float32Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8, -0)) },
    userFeatures: {
      categorical: { gender: { codes: Int32Array.of(0, 1, -1, 0), vocabulary: ['F', 'M'] } },
      numeric: { age: Float32Array.of(25, 31.5, Number.NaN, 60) },
    },
    itemNames: ['Serum', 'Shampoo', 'Thing', 'Tweezers', 'Ser\u00fcm 2'],
  };
}

function fakeEntry(name: string, folder: string, read: () => Promise<Dataset>): DatasetEntry & { reads: number } {
  const entry = {
    name,
    folder,
    title: name,
    homepage: 'https://example.org/',
    files: [['log.txt']],
    reads: 0,
    async read(): Promise<Dataset> {
      entry.reads++;
      return read();
    },
  };
  return entry;
}

describe('encodeDatasetCache / decodeDatasetCache', () => {
  it('round-trips a dataset with every optional field, bit for bit', () => {
    const original = everyField();
    const decoded = decodeDatasetCache(encodeDatasetCache(original, 'k'), 'k');
    expect(decoded).toEqual(original);
    // Spelled out: the float values a lossy encoding would get wrong.
    expect(Object.is(decoded.itemFeatures!.image.values[9], -0)).toBe(true);
    expect(Number.isNaN(decoded.userFeatures!.numeric.age[2])).toBe(true);
    expect(decoded.interactions.timestamps![1]).toBe(2 ** 33 + 0.5);
    expect(decoded.categoryTree!.pathOf(decoded.itemLeafCategory![4])).toEqual(original.categoryTree!.pathOf(original.itemLeafCategory![4]));
    expect(decoded.itemIds.indexOf(2 ** 40)).toBe(3);
    expect(Object.keys(decoded.splits)).toEqual(['default', 'plain']);
    expect('valid' in decoded.splits.plain).toBe(false);
    // A log held twice stays one object; equal but distinct logs stay distinct.
    expect(decoded.splits.plain.train).toBe(decoded.splits.default.test);
    const twins = { ...original, splits: { a: original.splits.default, b: { ...original.splits.default, train: { ...original.splits.default.train, users: original.splits.default.train.users.slice() } } } };
    const again = decodeDatasetCache(encodeDatasetCache(twins, 'k'));
    expect(again).toEqual(twins);
    expect(again.splits.b.train).not.toBe(again.splits.a.train);
    expect(again.splits.b.train.users).not.toBe(again.splits.a.train.users);
  });

  it('round-trips a minimal dataset without leaving absent fields behind', () => {
    const minimal: Dataset = {
      name: 'minimal',
      interactions: createInteractions({ users: Int32Array.of(0), items: Int32Array.of(0) }),
      userIds: new IdMap([7]),
      itemIds: new IdMap([]),
      splits: {},
    };
    const decoded = decodeDatasetCache(encodeDatasetCache(minimal, 'k'));
    expect(decoded).toStrictEqual(minimal);
  });

  it('refuses a field it cannot store, and bytes that are not a cache file', () => {
    const extra = { ...everyField(), reviews: ['great'] } as unknown as Dataset;
    expect(() => encodeDatasetCache(extra, 'k')).toThrow(/cannot cache dataset\.reviews/);
    expect(() => decodeDatasetCache(new Uint8Array(20))).toThrow(DatasetCacheError);
    expect(() => decodeDatasetCache(encodeDatasetCache(everyField(), 'a'), 'b')).toThrow(/key a, not b/);
  });

  it('refuses a file that decodes but breaks an invariant, naming the array and row', () => {
    const base = everyField();
    const badUser = { ...base, interactions: { ...base.interactions, users: Int32Array.of(0, 0, 1, 9, 2) } };
    expect(() => decodeDatasetCache(encodeDatasetCache(badUser, 'k'))).toThrow(/users\[3\] = 9 is outside \[0, numUsers = 4\)/);
    const badLeaf = { ...base, itemLeafCategory: Int32Array.of(0, 1, -1, 99, 2) };
    expect(() => decodeDatasetCache(encodeDatasetCache(badLeaf, 'k'))).toThrow(/itemLeafCategory\[3\] = 99 is outside/);
    const badNegatives = { ...base, splits: { default: { ...base.splits.default, testNegatives: { perRow: 2, items: Int32Array.of(0, 5) } } } };
    expect(() => decodeDatasetCache(encodeDatasetCache(badNegatives, 'k'))).toThrow(/testNegatives\[1\] = 5 is outside \[0, 5\)/);
  });
});

describe('readThroughCache', () => {
  let root: string;
  let folder: string;
  let cacheDir: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'rec-cache-'));
    folder = join(root, 'synthetic');
    cacheDir = join(root, '.rec-cache');
    mkdirSync(join(folder, 'sub'), { recursive: true });
    writeFileSync(join(folder, 'log.txt'), 'user item\n');
    writeFileSync(join(folder, 'sub', 'titles.txt'), 'Serum\n');
  });

  it('reads once, then serves a deep-equal dataset from the cache file', async () => {
    const entry = fakeEntry('synthetic/every-field', 'synthetic', async () => everyField());
    const first = await readThroughCache(entry, folder, { cacheDir });
    expect(first.hit).toBe(false);
    expect(first.path).toBe(datasetCachePath(cacheDir, 'synthetic/every-field', first.key));
    expect(first.path).toMatch(/synthetic__every-field-[0-9a-f]{16}\.safetensors$/);
    const second = await readThroughCache(entry, folder, { cacheDir });
    expect(second.hit).toBe(true);
    expect(entry.reads).toBe(1);
    expect(second.dataset).toEqual(first.dataset);
    expect(readdirSync(cacheDir)).toEqual([first.path.slice(cacheDir.length + 1)]); // no temporary file left
  });

  it('keys the cache by every source file, nested ones included, and not by dot-files', async () => {
    const entry = fakeEntry('synthetic/every-field', 'synthetic', async () => everyField());
    expect(await datasetSourceFiles(entry, folder)).toEqual(['log.txt', 'sub/titles.txt']);
    const key = await datasetCacheKey(entry, folder);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(await datasetCacheKey(entry, folder)).toBe(key);

    writeFileSync(join(folder, '.DS_Store'), 'noise');
    expect(await datasetCacheKey(entry, folder)).toBe(key);

    writeFileSync(join(folder, 'sub', 'titles.txt'), 'Serum!\n');
    const edited = await datasetCacheKey(entry, folder);
    expect(edited).not.toBe(key);

    writeFileSync(join(folder, 'extra.txt'), '');
    const added = await datasetCacheKey(entry, folder);
    expect(added).not.toBe(edited);

    const versioned = { ...entry, version: 2 };
    expect(await datasetCacheKey(versioned, folder)).not.toBe(added);
  });

  it('rebuilds after a source file changes, and removes the stale cache file', async () => {
    let log = everyField();
    const entry = fakeEntry('synthetic/every-field', 'synthetic', async () => log);
    const first = await readThroughCache(entry, folder, { cacheDir });
    writeFileSync(join(folder, 'log.txt'), 'user item rating\n');
    log = { ...log, itemNames: ['a', 'b', 'c', 'd', 'e'] };
    const second = await readThroughCache(entry, folder, { cacheDir });
    expect(second.hit).toBe(false);
    expect(second.key).not.toBe(first.key);
    expect(second.dataset.itemNames).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(readdirSync(cacheDir)).toEqual([second.path.slice(cacheDir.length + 1)]);
    expect((await readThroughCache(entry, folder, { cacheDir })).dataset.itemNames).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('ignores a corrupt cache file with one warning line and rebuilds it', async () => {
    const entry = fakeEntry('synthetic/every-field', 'synthetic', async () => everyField());
    const first = await readThroughCache(entry, folder, { cacheDir });
    const bytes = readFileSync(first.path);
    writeFileSync(first.path, bytes.subarray(0, bytes.length - 7)); // a torn write

    const warnings: string[] = [];
    const second = await readThroughCache(entry, folder, { cacheDir, warn: (line) => warnings.push(line) });
    expect(second.hit).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).not.toContain('\n');
    expect(warnings[0]).toContain(first.path);
    expect(warnings[0]).toMatch(/corrupt dataset cache/);
    expect(second.dataset).toEqual(everyField());

    const third = await readThroughCache(entry, folder, { cacheDir, warn: (line) => warnings.push(line) });
    expect(third.hit).toBe(true);
    expect(warnings).toHaveLength(1);
  });

  it('notices one flipped byte anywhere in a cache file by its checksum, warns once and rebuilds', async () => {
    const entry = fakeEntry('synthetic/every-field', 'synthetic', async () => everyField());
    const first = await readThroughCache(entry, folder, { cacheDir });
    const clean = readFileSync(first.path);
    const headerEnd = 8 + Number(clean.readBigUInt64LE(0));
    // A byte of tensor data (decodes to other values without complaint) and a letter of
    // the dataset's name inside the metadata JSON (still valid JSON).
    const nameAt = clean.indexOf('every-field', 8, 'latin1');
    expect(nameAt).toBeGreaterThan(8);
    expect(nameAt).toBeLessThan(headerEnd);
    for (const at of [clean.length - 3, nameAt]) {
      const flipped = Buffer.from(clean);
      flipped[at] ^= 0x01;
      writeFileSync(first.path, flipped);
      const warnings: string[] = [];
      const again = await readThroughCache(entry, folder, { cacheDir, warn: (line) => warnings.push(line) });
      expect(again.hit).toBe(false);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).not.toContain('\n');
      expect(warnings[0]).toContain(first.path);
      expect(warnings[0]).toMatch(/checksum does not match its bytes/);
      expect(again.dataset).toEqual(everyField());
      // Rebuilt: the file on disk is the clean one again, and the next read hits.
      expect(readFileSync(first.path).equals(clean)).toBe(true);
      expect((await readThroughCache(entry, folder, { cacheDir })).hit).toBe(true);
    }
  });

  it('still returns the dataset, with one warning, when the cache cannot be written or stored', async () => {
    writeFileSync(join(root, 'not-a-folder'), '');
    const warnings: string[] = [];
    const entry = fakeEntry('synthetic/every-field', 'synthetic', async () => everyField());
    const blocked = await readThroughCache(entry, folder, { cacheDir: join(root, 'not-a-folder', 'cache'), warn: (l) => warnings.push(l) });
    expect(blocked.dataset).toEqual(everyField());
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/could not write dataset cache/);

    const odd = fakeEntry('synthetic/odd', 'synthetic', async () => ({ ...everyField(), reviews: [] }) as unknown as Dataset);
    const uncached = await readThroughCache(odd, folder, { cacheDir, warn: (l) => warnings.push(l) });
    expect(uncached.hit).toBe(false);
    expect(warnings[1]).toMatch(/not caching synthetic\/odd: cannot cache dataset\.reviews/);
  });
});

describe('datasetSourceFiles on a folder shared by several registry entries', () => {
  it("covers the variant's files and the folder's own, not a sibling variant's", async (ctx) => {
    const dir = requireDataset(ctx, 'tmall/mbcgcn');
    const entry = DATASETS.find((d) => d.name === 'tmall/mbcgcn')!;
    const files = await datasetSourceFiles(entry, dir);
    expect(files).toContain('MANIFEST.md');
    expect(files.filter((f) => f.startsWith('mbcgcn/')).length).toBeGreaterThanOrEqual(entry.files.length);
    expect(files.filter((f) => f.startsWith('mbgcn/'))).toEqual([]);
  });
});

describe('readThroughCache on ml-100k', () => {
  it('serves a Dataset that deep-equals the freshly read one', async (ctx) => {
    const dir = requireDataset(ctx, 'ml-100k');
    const entry = DATASETS.find((d) => d.name === 'ml-100k');
    if (entry === undefined) throw new Error('ml-100k is not in the reader registry (readers/movielens.ts)');
    const cacheDir = mkdtempSync(join(tmpdir(), 'rec-cache-ml100k-'));
    const first = await readThroughCache(entry, dir, { cacheDir }); // a miss: this is entry.read's result
    const cached = await readThroughCache(entry, dir, { cacheDir });
    expect(first.hit).toBe(false);
    expect(cached.hit).toBe(true);
    expect(cached.dataset).toEqual(first.dataset);
    expect(cached.dataset.interactions.length).toBe(100_000);
  }, 180_000);
});
