import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { Interactions } from '../interactions.js';
import { requireDataset } from '../testing/index.js';
import {
  multiBehaviorDatasets,
  readBeibeiCRGCN,
  readBeibeiGHCF,
  readTaobaoGHCF,
  readTmallMBCGCN,
  readTmallMBGCN,
} from './multi-behavior.js';

/** Rows `[from, to)` of a log as a set of user–item pairs (key u·numItems + i). */
function pairSet(log: Interactions, from = 0, to = log.length): Set<number> {
  const set = new Set<number>();
  for (let r = from; r < to; r++) set.add(log.users[r]! * log.numItems + log.items[r]!);
  return set;
}

/** Number of rows of each behaviour, in behaviour-index order. */
function behaviorCounts(log: Interactions): number[] {
  const counts = new Array<number>(log.behaviorNames!.length).fill(0);
  for (let r = 0; r < log.length; r++) counts[log.behaviors![r]!]!++;
  return counts;
}

/** Distinct users and items among the rows of behaviour `behavior` (all rows when omitted). */
function distinct(log: Interactions, behavior?: number): { users: number; items: number } {
  const users = new Set<number>();
  const items = new Set<number>();
  for (let r = 0; r < log.length; r++) {
    if (behavior !== undefined && log.behaviors![r] !== behavior) continue;
    users.add(log.users[r]!);
    items.add(log.items[r]!);
  }
  return { users: users.size, items: items.size };
}

function intersectionSize(a: Set<number>, b: Set<number>): number {
  let n = 0;
  for (const key of a) if (b.has(key)) n++;
  return n;
}

/** Rows of `log` with behaviour `behavior`, as a set of pairs. */
function behaviorPairs(log: Interactions, behavior: number): Set<number> {
  const set = new Set<number>();
  for (let r = 0; r < log.length; r++) if (log.behaviors![r] === behavior) set.add(log.users[r]! * log.numItems + log.items[r]!);
  return set;
}

describe('readTmallMBGCN (tmall/mbgcn)', () => {
  it('reads the MBGCN Tmall files with the counts MANIFEST.md states', async (ctx) => {
    const dir = requireDataset(ctx, 'tmall');
    const data = await readTmallMBGCN(dir);
    const { interactions: all, splits } = data;
    expect(data.name).toBe('tmall/mbgcn');
    expect(all.behaviorNames).toEqual(['collect', 'cart', 'buy']);
    expect(all.timestamps).toBeUndefined();
    // data_size.txt: 41738 11953; indexes are the file ids.
    expect([all.numUsers, all.numItems]).toEqual([41_738, 11_953]);
    expect([data.userIds.idOf(0), data.itemIds.idOf(11_952)]).toEqual([0, 11_952]);
    // 287,158 purchases, 1,996 carts, 221,514 collects.
    expect(behaviorCounts(all)).toEqual([221_514, 1_996, 287_158]);
    expect(all.length).toBe(510_668);
    expect(distinct(all, 1)).toEqual({ users: 1_199, items: 1_587 });
    expect(distinct(all, 0)).toEqual({ users: 26_023, items: 11_765 });

    const split = splits.default!;
    expect(behaviorCounts(split.train)).toEqual([221_514, 1_996, 181_428]);
    expect(distinct(split.train, 2).users).toBe(40_159);
    expect(split.valid!.length).toBe(31_572);
    expect(split.test.length).toBe(74_158);
    expect(distinct(split.valid!).users).toBe(29_310);
    expect(distinct(split.test).users).toBe(41_314);
    expect(split.test.behaviors!.every((b) => b === 2)).toBe(true);
    // Train / validation / test purchases are disjoint and hold no duplicates.
    const train = behaviorPairs(split.train, 2);
    const valid = pairSet(split.valid!);
    const test = pairSet(split.test);
    expect(train.size + valid.size + test.size).toBe(287_158);
    expect(new Set([...train, ...valid, ...test]).size).toBe(287_158);
    // Users with no training row at all are kept (their clicks are missing) and counted.
    expect(split.description).toContain('580 test.txt rows (580 users) have a user with no training interaction');
    // First and last lines of collect.txt: "1 8826", "41736 21".
    expect([all.users[0], all.items[0], all.users[221_513], all.items[221_513]]).toEqual([1, 8826, 41_736, 21]);

    // CRGCN swaps validation and test; MuLE trains on train ∪ test.txt and tests on validation.txt.
    expect(pairSet(splits.crgcn!.valid!)).toEqual(test);
    expect(pairSet(splits.crgcn!.test)).toEqual(valid);
    expect(behaviorCounts(splits.mule!.train)).toEqual([221_514, 1_996, 255_586]);
    expect(pairSet(splits.mule!.test)).toEqual(valid);
  });
});

describe('readTmallMBCGCN (tmall/mbcgcn)', () => {
  it('reads the MB-CGCN Tmall files with the counts MANIFEST.md states', async (ctx) => {
    const dir = requireDataset(ctx, 'tmall');
    const data = await readTmallMBCGCN(dir);
    const { interactions: all, splits } = data;
    expect(all.behaviorNames).toEqual(['view', 'cart', 'buy']);
    expect(all.timestamps).toBeUndefined();
    expect([all.numUsers, all.numItems]).toEqual([15_449, 11_953]);
    // views 873,954 (858,505 + 15,449), carts 195,476 (180,027 + 15,449), purchases 107,629 (92,180 + 15,449).
    expect(behaviorCounts(all)).toEqual([873_954, 195_476, 107_629]);
    expect(distinct(all)).toEqual({ users: 15_449, items: 11_953 });

    const split = splits.default!;
    expect(behaviorCounts(split.train)).toEqual([858_505, 180_027, 92_180]);
    expect(distinct(split.train, 0)).toEqual({ users: 15_449, items: 11_938 });
    expect(split.valid).toBeUndefined();
    // Leave-one-out: every user has exactly one test row per behaviour.
    for (const [name, behavior] of [
      ['default', 2],
      ['view-test', 0],
      ['cart-test', 1],
    ] as const) {
      const test = splits[name]!.test;
      expect(test.length).toBe(15_449);
      expect(new Set(test.users).size).toBe(15_449);
      expect(test.behaviors!.every((b) => b === behavior)).toBe(true);
      expect(splits[name]!.train).toBe(split.train); // one shared training log
    }
    // "22,542 purchase pairs are also carts"; "no view/test.txt pair is in the graph".
    expect(intersectionSize(behaviorPairs(all, 2), behaviorPairs(all, 1))).toBe(22_542);
    expect(intersectionSize(pairSet(splits['view-test']!.test), behaviorPairs(split.train, 0))).toBe(0);
    // No test pair repeats a training pair of its own behaviour, but 12,852 test purchases
    // are training views or carts (the reason to mask only training purchases).
    expect(intersectionSize(pairSet(split.test), behaviorPairs(split.train, 2))).toBe(0);
    expect(intersectionSize(pairSet(splits['cart-test']!.test), behaviorPairs(split.train, 1))).toBe(0);
    expect(intersectionSize(pairSet(split.test), pairSet(split.train))).toBe(12_852);
    // Training files keep each line's item order: buy/train.txt starts "0\t7\t2\t6\t9".
    const buyStart = 858_505 + 180_027;
    expect(Array.from(split.train.items.subarray(buyStart, buyStart + 4))).toEqual([7, 2, 6, 9]);
    // view/train.txt.gz lists items in ascending order; its last line is user 15448.
    expect(split.train.users[858_504]).toBe(15_448);
  });

  it('reads the view training graph from the repository\'s s_adj_mat.npz when the text file is absent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rec-mbcgcn-'));
    const users = 15_449; // MB-CGCN's user rows; items follow
    const numItems = 4;
    const edges: [number, number][] = [
      [0, 2],
      [0, 3],
      [1, 0],
    ];
    writeFixture(dir, 'mbcgcn/view/s_adj_mat.npz.gz', gzipSync(adjacencyNpz(users, numItems, edges)));
    writeFixture(dir, 'mbcgcn/view/test.txt', '0\t0\n1\t3');
    writeFixture(dir, 'mbcgcn/cart/train.txt', '0\t1\n1\t1');
    writeFixture(dir, 'mbcgcn/cart/test.txt', '0\t0\n1\t2');
    writeFixture(dir, 'mbcgcn/buy/train.txt', '0\t2\n1\t0');
    writeFixture(dir, 'mbcgcn/buy/test.txt', '0\t1\n1\t1');
    const data = await readTmallMBCGCN(dir);
    const train = data.splits.default!.train;
    expect(behaviorCounts(train)).toEqual([3, 2, 2]);
    expect(Array.from(train.users.subarray(0, 3))).toEqual([0, 0, 1]);
    expect(Array.from(train.items.subarray(0, 3))).toEqual([2, 3, 0]);
    expect([train.numUsers, train.numItems]).toEqual([2, 4]);

    // A user–user entry is not a view; the error names the matrix row.
    writeFixture(dir, 'mbcgcn/view/s_adj_mat.npz.gz', gzipSync(adjacencyNpz(users, numItems, edges, [[1, 0]])));
    await expect(readTmallMBCGCN(dir)).rejects.toThrow(
      /s_adj_mat\.npz\.gz, row 1: column 0 is in the user–user block; expected only items \(columns ≥ 15449\)/,
    );
  });
});

describe('readBeibeiGHCF (beibei/ghcf)', () => {
  it('reads the EHCF/GHCF Beibei split with the counts MANIFEST.md states', async (ctx) => {
    const dir = requireDataset(ctx, 'beibei');
    const { interactions: all, splits } = await readBeibeiGHCF(dir);
    expect(all.behaviorNames).toEqual(['cart', 'buy']);
    expect([all.numUsers, all.numItems]).toEqual([21_716, 7_977]);
    // purchases 304,576 (282,860 train + 21,716 test), carts 642,622 (NMTR Table I: 642,622).
    expect(behaviorCounts(all)).toEqual([642_622, 304_576]);
    const split = splits.default!;
    expect(behaviorCounts(split.train)).toEqual([642_622, 282_860]);
    expect(distinct(split.train, 1).users).toBe(21_716);
    expect(split.test.length).toBe(21_716);
    expect(new Set(split.test.users).size).toBe(21_716);
    const purchases = behaviorPairs(all, 1);
    expect(purchases.size).toBe(304_576); // no duplicates
    expect(intersectionSize(purchases, behaviorPairs(all, 0))).toBe(296_385);
    expect(intersectionSize(pairSet(split.test), behaviorPairs(split.train, 1))).toBe(0);
    expect(intersectionSize(pairSet(split.test), behaviorPairs(split.train, 0))).toBe(13_525);
  });
});

describe('readBeibeiCRGCN (beibei/crgcn)', () => {
  it('reads the CRGCN Beibei split, 1-based, and matches the GHCF split as MANIFEST.md says', async (ctx) => {
    const dir = requireDataset(ctx, 'beibei');
    const crgcn = await readBeibeiCRGCN(dir);
    const ghcf = await readBeibeiGHCF(dir);
    const split = crgcn.splits.default!;
    expect([crgcn.interactions.numUsers, crgcn.interactions.numItems]).toEqual([21_716, 7_977]); // count.txt
    expect([crgcn.userIds.idOf(0), crgcn.itemIds.idOf(7_976)]).toEqual([1, 7_977]);
    expect(behaviorCounts(split.train)).toEqual([642_622, 261_144]);
    expect([split.valid!.length, split.test.length]).toEqual([21_716, 21_716]);
    // Indexes are raw id − 1, so they line up with GHCF's 0-based ids.
    const g = ghcf.splits.default!;
    expect(pairSet(split.test)).toEqual(pairSet(g.test));
    const trainPurchases = behaviorPairs(split.train, 1);
    const valid = pairSet(split.valid!);
    expect(intersectionSize(trainPurchases, valid)).toBe(0);
    expect(new Set([...trainPurchases, ...valid])).toEqual(behaviorPairs(g.train, 1));
    expect(behaviorPairs(split.train, 0)).toEqual(behaviorPairs(g.train, 0));
  });
});

describe('readTaobaoGHCF (taobao/ghcf)', () => {
  it('reads the EHCF/GHCF Taobao split with the counts MANIFEST.md states', async (ctx) => {
    const dir = requireDataset(ctx, 'taobao');
    const { interactions: all, splits } = await readTaobaoGHCF(dir);
    expect(all.behaviorNames).toEqual(['cart', 'buy']);
    expect([all.numUsers, all.numItems]).toEqual([48_749, 39_493]);
    // purchases 259,771 (211,022 train + 48,749 test); carts 193,747 (37,689 users, 34,347 items).
    expect(behaviorCounts(all)).toEqual([193_747, 259_771]);
    expect(distinct(all, 0)).toEqual({ users: 37_689, items: 34_347 });
    const split = splits.default!;
    expect(behaviorCounts(split.train)).toEqual([193_747, 211_022]);
    expect(distinct(split.train, 1).users).toBe(48_749);
    expect(split.test.length).toBe(48_749);
    expect(intersectionSize(behaviorPairs(all, 1), behaviorPairs(all, 0))).toBe(39_191);
    expect(intersectionSize(pairSet(split.test), behaviorPairs(split.train, 1))).toBe(0);
    expect(intersectionSize(pairSet(split.test), behaviorPairs(split.train, 0))).toBe(8_326);
    // Test items with no training purchase or cart are kept, as published, and counted.
    expect(split.description).toContain('488 test.txt rows (375 items) have an item with no training interaction');
  });
});

describe('multiBehaviorDatasets', () => {
  it('registers the five variants, each reading its folder', async (ctx) => {
    expect(multiBehaviorDatasets.map((d) => d.name)).toEqual([
      'tmall/mbgcn',
      'tmall/mbcgcn',
      'beibei/ghcf',
      'beibei/crgcn',
      'taobao/ghcf',
    ]);
    for (const entry of multiBehaviorDatasets) {
      const folder = requireDataset(ctx, entry.folder);
      for (const alternatives of entry.files) {
        expect(alternatives.some((file) => existsSync(join(folder, file))), `${entry.name}: ${alternatives.join(' | ')}`).toBe(true);
      }
    }
    const entry = multiBehaviorDatasets.find((d) => d.name === 'beibei/ghcf')!;
    expect((await entry.read(requireDataset(ctx, 'beibei'))).splits.default!.test.length).toBe(21_716);
  });
});

function writeFixture(dir: string, file: string, content: string | Uint8Array): void {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), content);
}

/** A NumPy 1.0 `.npy` member with a header padded to 64 bytes. */
function npy(descr: string, shape: readonly number[], values: ArrayBufferView): Uint8Array {
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${tuple}, }`;
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  const header = new TextEncoder().encode(dict.padEnd(total - 11, ' ') + '\n');
  const out = new Uint8Array(total + values.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(header, 10);
  out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), total);
  return out;
}

/**
 * The symmetric user–item adjacency SciPy would save for `edges` (user, item): rows
 * 0..users−1 are users, item i is row users + i; `extra` adds raw (row, column) entries.
 */
function adjacencyNpz(
  users: number,
  numItems: number,
  edges: readonly [number, number][],
  extra: readonly [number, number][] = [],
): Uint8Array {
  const n = users + numItems;
  const entries = [...edges.flatMap(([u, i]) => [[u, users + i], [users + i, u]] as [number, number][]), ...extra];
  entries.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const indptr = new Int32Array(n + 1);
  for (const [row] of entries) indptr[row + 1]!++;
  for (let r = 0; r < n; r++) indptr[r + 1]! += indptr[r]!;
  return zipSync({
    'indices.npy': npy('<i4', [entries.length], Int32Array.from(entries, (e) => e[1])),
    'indptr.npy': npy('<i4', [n + 1], indptr),
    'format.npy': npy('|S3', [], new TextEncoder().encode('csr')),
    'shape.npy': npy('<i8', [2], BigInt64Array.of(BigInt(n), BigInt(n))),
    'data.npy': npy('<f4', [entries.length], new Float32Array(entries.length).fill(1)),
  });
}

/** A small tmall/mbgcn folder: 0-based `uid item` pairs, data_size.txt "3 4". */
function mbgcnFixture(overrides: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'rec-mbgcn-'));
  const files: Record<string, string> = {
    'mbgcn/data_size.txt': '3 4\n',
    'mbgcn/collect.txt': '0 1\n1 2\n',
    'mbgcn/cart.txt': '0 2\n',
    'mbgcn/train.txt': '0 0\n1 1\n2 3\n',
    'mbgcn/validation.txt': '1 0\n',
    'mbgcn/test.txt': '2 2\n',
    ...overrides,
  };
  for (const [file, content] of Object.entries(files)) writeFixture(dir, file, content);
  return dir;
}

/** A small beibei folder: GHCF `uid item item …` lists and CRGCN 1-based pairs. */
function beibeiFixture(overrides: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'rec-beibei-'));
  const files: Record<string, string> = {
    'ghcf/train.txt': '0 1 2\n1 0\n',
    'ghcf/test.txt': '0 0\n1 2\n',
    'ghcf/cart.txt': '0 0 1\n1 2\n',
    'crgcn/count.txt': '{"user": 2, "item": 3}',
    'crgcn/train.txt': '1 2\r\n2 1\r\n',
    'crgcn/validation.txt': '1 3\r\n',
    'crgcn/test.txt': '1 1\r\n2 3\r\n',
    ...overrides,
  };
  for (const [file, content] of Object.entries(files)) writeFixture(dir, file, content);
  return dir;
}

describe('multi-behaviour readers on bad input', () => {
  it('reads small fixtures, plain or gzipped, with behaviours set', async () => {
    const data = await readTmallMBGCN(mbgcnFixture());
    expect(behaviorCounts(data.splits.default!.train)).toEqual([2, 1, 3]);
    expect(Array.from(data.interactions.behaviors!)).toEqual([0, 0, 1, 2, 2, 2, 2, 2]);

    const dir = beibeiFixture();
    writeFixture(dir, 'ghcf/cart.txt.gz', gzipSync('0 0 1\n1 2\n'));
    const ghcf = await readBeibeiGHCF(dir);
    expect(Array.from(ghcf.splits.default!.train.users)).toEqual([0, 0, 1, 0, 0, 1]);
    expect(Array.from(ghcf.splits.default!.train.items)).toEqual([0, 1, 2, 1, 2, 0]);
    const crgcn = await readBeibeiCRGCN(dir);
    expect(crgcn.userIds.toArray()).toEqual([1, 2]);
    expect(Array.from(crgcn.splits.default!.test.items)).toEqual([0, 2]); // CRLF lines, ids − 1
  });

  it('names the file and line of a malformed line', async () => {
    const cart = (content: string): Promise<unknown> => readTmallMBGCN(mbgcnFixture({ 'mbgcn/cart.txt': content }));
    await expect(cart('0 2\n0 1 2\n')).rejects.toThrow(
      /mbgcn\/cart\.txt, line 2: 3 fields in "0 1 2"; expected "user item": two integer ids \(0 ≤ id < 10\^9\) separated by a space/,
    );
    await expect(cart('0 2\n0\t1\n')).rejects.toThrow(/cart\.txt, line 2: 1 field in "0\\t1"; expected "user item"/);
    await expect(cart('0 2\n\n1 2\n')).rejects.toThrow(/cart\.txt, line 2: empty line; expected "user item"/);
    await expect(cart('0 2 \n')).rejects.toThrow(/cart\.txt, line 1: 3 fields in "0 2 "/);
    // Lists need at least one item.
    await expect(readBeibeiGHCF(beibeiFixture({ 'ghcf/train.txt': '0 1 2\n1\n' }))).rejects.toThrow(
      /ghcf\/train\.txt, line 2: 1 field in "1"; expected "user item item …": integer ids \(0 ≤ id < 10\^9\) separated by single spaces, at least one item/,
    );
  });

  it('names the field of a non-numeric or oversized id', async () => {
    await expect(readTmallMBGCN(mbgcnFixture({ 'mbgcn/test.txt': '2 2\n2 x3\n' }))).rejects.toThrow(
      /mbgcn\/test\.txt, line 2: field 2: "x3" is not an id; expected "user item"/,
    );
    await expect(readBeibeiGHCF(beibeiFixture({ 'ghcf/cart.txt': '0 0 -1\n' }))).rejects.toThrow(
      /ghcf\/cart\.txt, line 1: field 3: "-1" is not an id/,
    );
    await expect(readBeibeiGHCF(beibeiFixture({ 'ghcf/cart.txt': '0 0 3000000000\n' }))).rejects.toThrow(
      /ghcf\/cart\.txt, line 1: field 3: "3000000000" is not an id/,
    );
  });

  it('names an empty or missing file', async () => {
    const dir = mbgcnFixture({ 'mbgcn/validation.txt': '' });
    await expect(readTmallMBGCN(dir)).rejects.toThrow(
      `${join(dir, 'mbgcn/validation.txt')}: the file is empty; expected lines of "user item"`,
    );
    const missing = mkdtempSync(join(tmpdir(), 'rec-taobao-'));
    await expect(readTaobaoGHCF(missing)).rejects.toThrow(
      `readTaobaoGHCF: ${join(missing, 'ghcf/cart.txt.gz')} or ${join(missing, 'ghcf/cart.txt')} is missing`,
    );
  });

  it('names an id outside the declared sizes and a malformed size file', async () => {
    await expect(readTmallMBGCN(mbgcnFixture({ 'mbgcn/collect.txt': '0 1\n3 2\n' }))).rejects.toThrow(
      /mbgcn\/collect\.txt, line 2: user id 3 is outside 0\.\.2 \(mbgcn\/data_size\.txt declares 3 users\)/,
    );
    await expect(readTmallMBGCN(mbgcnFixture({ 'mbgcn/data_size.txt': '3\n' }))).rejects.toThrow(
      /mbgcn\/data_size\.txt, line 1: "3"; expected "<users> <items>"/,
    );
    // CRGCN's ids are 1-based: 0 is outside, and so is an item past count.txt's 3.
    await expect(readBeibeiCRGCN(beibeiFixture({ 'crgcn/test.txt': '1 1\n0 3\n' }))).rejects.toThrow(
      /crgcn\/test\.txt, line 2: user id 0 is outside 1\.\.2 \(crgcn\/count\.txt declares 2 users\)/,
    );
    await expect(readBeibeiCRGCN(beibeiFixture({ 'crgcn/validation.txt': '1 4\n' }))).rejects.toThrow(
      /crgcn\/validation\.txt, line 1: item id 4 is outside 1\.\.3/,
    );
    await expect(readBeibeiCRGCN(beibeiFixture({ 'crgcn/count.txt': '{"user": 2}' }))).rejects.toThrow(
      /crgcn\/count\.txt, field "item": undefined; expected a non-negative integer count/,
    );
  });

  it('names an evaluated user or item that training never saw, unless the dataset documents such rows', async () => {
    // beibei/ghcf: every test user and item must occur in training.
    await expect(readBeibeiGHCF(beibeiFixture({ 'ghcf/test.txt': '0 0\n2 1\n' }))).rejects.toThrow(
      /readBeibeiGHCF: .*ghcf\/test\.txt, line 2: user 2 never occurs in the training data of split "default" \(cart, train\); expected every evaluated user to have a training interaction/,
    );
    await expect(readBeibeiGHCF(beibeiFixture({ 'ghcf/test.txt': '0 0\n1 3\n' }))).rejects.toThrow(
      /ghcf\/test\.txt, line 2: item 3 never occurs in the training data/,
    );
    // tmall/mbgcn keeps test users without training rows (MANIFEST.md) but not unseen items…
    const coldUser = await readTmallMBGCN(mbgcnFixture({ 'mbgcn/train.txt': '0 0\n1 1\n1 3\n' }));
    expect(coldUser.splits.default!.description).toContain('1 test.txt row (1 user) has a user with no training interaction');
    await expect(
      readTmallMBGCN(mbgcnFixture({ 'mbgcn/collect.txt': '0 1\n', 'mbgcn/cart.txt': '0 1\n' })),
    ).rejects.toThrow(/mbgcn\/test\.txt, line 1: item 2 never occurs in the training data of split "default"/);
    // …and taobao/ghcf keeps unseen test items but not users.
    const taobao = await readTaobaoGHCF(beibeiFixture({ 'ghcf/test.txt': '0 0\n1 3\n' }));
    expect(taobao.splits.default!.description).toContain('1 test.txt row (1 item) has an item with no training interaction');
  });
});
