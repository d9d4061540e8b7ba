import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { defaultSplitSpec, resolveSplit } from '../protocols.js';
import { readDatasetFile } from './dataset-file.js';

/** A float32 `.npy` file, as numpy.save writes it (version 1.0, C order). */
function npyFloat32(shape: readonly number[], values: readonly number[]): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 11, ' ') + '\n';
  const data = new Uint8Array(Float32Array.from(values).buffer);
  const out = new Uint8Array(10 + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(data, 10 + header.length);
  return out;
}

/** A folder with a small shop: events, category paths, image features, users, a split. */
function shopFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rec-dataset-file-'));
  const events = [
    'customer_id,sku,stars,ts,event',
    'alice,A1,4,1000,view',
    'alice,A1,4,1010,cart',
    'alice,B2,5,1020,buy',
    'bob,A1,3,1030,view',
    'bob,C3,2,1040,buy',
    'carol,B2,1,1050,view',
    'carol,C3,5,1060,cart',
    'carol,D4,4,1070,buy',
  ];
  writeFileSync(join(dir, 'events.csv'), events.join('\n') + '\n');
  writeFileSync(join(dir, 'train.csv'), events.slice(0, 7).join('\n') + '\n');
  writeFileSync(join(dir, 'test.csv.gz'), gzipSync([events[0], ...events.slice(7)].join('\n') + '\n'));
  writeFileSync(
    join(dir, 'item_categories.csv'),
    ['sku,path', 'A1,Clothing > Shoes', 'B2,Clothing > Shirts', 'C3,Home > Kitchen > Pans', 'A1,Sale', 'Z9,Clothing > Hats'].join('\n') + '\n',
  );
  writeFileSync(join(dir, 'item_tags.csv'), ['sku,tag', 'A1,red', 'A1,summer', 'B2,red', 'D4,'].join('\n') + '\n');
  // Rows in id-file order C3, A1, B2, X0 (X0 is not in the log); D4 has no row.
  writeFileSync(join(dir, 'image.npy'), npyFloat32([4, 2], [3, 3.5, 1, 1.5, 2, 2.5, 9, 9]));
  writeFileSync(join(dir, 'item_ids.txt'), 'C3\nA1\nB2\nX0\n');
  writeFileSync(join(dir, 'text.csv'), ['sku,t0,t1,t2', 'A1,0.1,0.2,0.3', 'D4,1,2,3'].join('\n') + '\n');
  writeFileSync(join(dir, 'users.csv'), ['id,age,gender,zip', 'alice,31,F,02139', 'bob,,M,94110', 'dave,50,M,10001'].join('\n') + '\n');
  return dir;
}

const SHOP_YAML = `
name: my-shop
interactions:
  path: events.csv
  columns: { user: customer_id, item: sku, rating: stars, time: ts, behavior: event }
  behaviors: [view, cart, buy]
items:
  categories: { path: item_categories.csv, columns: { item: sku, category: path }, separator: " > " }
  features:
    image: { path: image.npy, ids: item_ids.txt }
    text: { path: text.csv, columns: { item: sku } }
users:
  features: { path: users.csv, columns: { user: id }, numeric: [age], categorical: [gender, zip] }
splits:
  default: { train: train.csv, test: test.csv.gz }
`;

function write(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  if (error === undefined) throw new Error('expected a failure');
  expect(error.message).not.toContain('\n');
  return error.message;
}

describe('readDatasetFile', () => {
  it('reads interactions, category paths, features, user features and a split', async () => {
    const dir = shopFolder();
    const warnings: string[] = [];
    const shop = await readDatasetFile(write(dir, 'shop.yaml', SHOP_YAML), { warn: (line) => warnings.push(line) });

    expect(shop.name).toBe('my-shop');
    expect(shop.userIds.toArray()).toEqual(['alice', 'bob', 'carol']);
    expect(shop.itemIds.toArray()).toEqual(['A1', 'B2', 'C3', 'D4']);
    const log = shop.interactions;
    expect(log.length).toBe(8);
    expect(log.behaviorNames).toEqual(['view', 'cart', 'buy']);
    expect(Array.from(log.behaviors!)).toEqual([0, 1, 2, 0, 2, 0, 1, 2]);
    expect(Array.from(log.ratings!)).toEqual([4, 4, 5, 3, 2, 1, 5, 4]);
    expect(log.timestamps![7]).toBe(1070);

    // Category paths: a tree of path prefixes; each item's first path is its leaf.
    const tree = shop.categoryTree!;
    expect(tree.names).toEqual(['Clothing', 'Shoes', 'Shirts', 'Home', 'Kitchen', 'Pans', 'Sale']);
    expect(tree.levels).toBe(3);
    expect(Array.from(shop.itemLeafCategory!)).toEqual([1, 2, 5, -1]);
    expect(Array.from(shop.itemCategories!.of(0))).toEqual([1, 6]); // A1: Shoes and Sale
    expect(shop.itemCategories!.numItems).toBe(4);

    // Image features: rows re-ordered to item indexes; D4 has none (zeros), X0 is ignored.
    const image = shop.itemFeatures!.image!;
    expect([image.rows, image.dim]).toEqual([4, 2]);
    expect(Array.from(image.values)).toEqual([1, 1.5, 2, 2.5, 3, 3.5, 0, 0]);
    const text = shop.itemFeatures!.text!;
    expect(text.dim).toBe(3);
    expect(Array.from(text.values.subarray(9, 12))).toEqual([1, 2, 3]);

    const users = shop.userFeatures!;
    expect(Array.from(users.numeric.age!)).toEqual([31, NaN, NaN]);
    expect(users.categorical.zip!.vocabulary).toEqual(['02139', '94110']); // listed categorical: leading zero kept
    expect(Array.from(users.categorical.gender!.codes)).toEqual([0, 1, -1]);

    const split = shop.splits.default!;
    expect(split.train.length).toBe(6);
    expect(split.test.length).toBe(2);
    expect(split.train.numItems).toBe(4);
    expect(Array.from(split.test.behaviors!)).toEqual([1, 2]);
    expect(split.description).toBe('train.csv (6 rows) / test.csv.gz (2), from shop.yaml');
    expect(defaultSplitSpec(shop)).toBe('default');
    expect(resolveSplit(shop, 'leave-last-out').test.length).toBe(3);

    expect(warnings).toEqual([
      expect.stringMatching(/items\.categories.*item_categories\.csv \(items\.categories\.columns\.item\): 1 item id not in the interactions \("Z9"\); their rows are ignored$/),
      expect.stringMatching(/image\.npy \(items\.features\.image\): 1 item id not in the interactions \("X0"\)/),
      expect.stringMatching(/image\.npy \(items\.features\.image\): 1 of 4 items have no row; their features are zeros$/),
      expect.stringMatching(/text\.csv \(items\.features\.text\): 2 of 4 items have no row/),
      expect.stringMatching(/users\.csv \(users\.features\.columns\.user\): 1 user id not in the interactions \("dave"\)/),
      expect.stringMatching(/users\.csv \(users\.features\): 1 of 3 users have no row; their features are missing/),
    ]);
  });

  it('takes the minimal file, JSON too, with one-row-per-category files and guessed user columns', async () => {
    const dir = shopFolder();
    const json = {
      interactions: { path: 'events.csv', columns: { user: 'customer_id', item: 'sku' } },
      items: { categories: { path: 'item_tags.csv', columns: { item: 'sku', category: 'tag' } }, features: { path: 'image.npy', ids: 'item_ids.txt' } },
      users: { features: { path: 'users.csv', columns: { user: 'id' } } },
    };
    const warnings: string[] = [];
    const shop = await readDatasetFile(write(dir, 'plain-shop.json', JSON.stringify(json)), { warn: (l) => warnings.push(l) });
    expect(shop.name).toBe('plain-shop');
    expect(shop.interactions.ratings).toBeUndefined();
    expect(shop.interactions.timestamps).toBeUndefined();
    expect(shop.splits).toEqual({});
    expect(shop.categoryTree).toBeUndefined();
    expect(shop.itemCategories!.names).toEqual(['red', 'summer']);
    expect(Array.from(shop.itemCategories!.of(0))).toEqual([0, 1]);
    expect(Array.from(shop.itemCategories!.of(3))).toEqual([]); // D4 listed with no tag
    expect(Object.keys(shop.itemFeatures!)).toEqual(['image']); // one source: named after its file
    // Guessed: age numeric, gender and zip (all digits, but "02139" stays a number here) by their values.
    expect(Object.keys(shop.userFeatures!.numeric).sort()).toEqual(['age', 'zip']);
    expect(Object.keys(shop.userFeatures!.categorical)).toEqual(['gender']);
    expect(defaultSplitSpec(shop)).toBe('leave-one-out');
  });

  it('fails with one line naming the file and the field', async () => {
    const dir = shopFolder();
    const file = (text: string): Promise<unknown> => readDatasetFile(write(dir, 'bad.yaml', text), { warn: () => undefined });

    let message = await failure(file('interactions:\n  path: events.csv\n  columns: { usr: customer_id, item: sku }\n'));
    expect(message).toBe(
      `readDatasetFile: ${join(dir, 'bad.yaml')}: interactions.columns.usr: unknown field; allowed: user, item, rating, timestamp, time, behavior (and 1 more problem)`,
    );

    message = await failure(file('interactions: { path: events.csv, columns: { user: customer_id, item: sku } }\nitem: {}\n'));
    expect(message).toContain('bad.yaml: item: unknown field; allowed: name, interactions, items, users, splits');

    message = await failure(file('interactions: { path: events.csv, columns: { user: 3.5, item: sku } }\n'));
    expect(message).toMatch(/bad\.yaml: interactions\.columns\.user: /);

    message = await failure(file('name: x\n'));
    expect(message).toMatch(/bad\.yaml: interactions: required field is missing$/);

    message = await failure(file('interactions: { path: events.csv, columns: { user: customer_id, item: product } }\n'));
    expect(message).toMatch(/bad\.yaml → interactions: .*events\.csv: missing column "product" \(columns\.item\); the header has "customer_id", "sku"/);

    message = await failure(file('interactions: { path: nowhere.csv, columns: { user: a, item: b } }\n'));
    expect(message).toMatch(/nowhere\.csv: file not found/);

    message = await failure(file('interactions: [\n'));
    expect(message).toMatch(/bad\.yaml, line 2: invalid YAML\/JSON: Flow sequence/);

    const base = 'interactions: { path: events.csv, columns: { user: customer_id, item: sku } }\n';
    message = await failure(file(`${base}items:\n  categories: { path: item_tags.csv, columns: { item: sku, category: genre } }\n`));
    expect(message).toMatch(/bad\.yaml → items\.categories: .*item_tags\.csv: missing column "genre" \(items\.categories\.columns\.category\); the file has "sku", "tag"$/);

    message = await failure(file(`${base}items:\n  features: { path: image.npy }\n`));
    expect(message).toMatch(/bad\.yaml → items\.features\.image: a \.npy matrix needs ids/);

    writeFileSync(join(dir, 'short_ids.txt'), 'A1\nB2\n');
    message = await failure(file(`${base}items:\n  features: { img: { path: image.npy, ids: short_ids.txt } }\n`));
    expect(message).toMatch(/image\.npy: 4 rows, but .*short_ids\.txt lists 2 ids; they must be aligned row for row$/);

    writeFileSync(join(dir, 'bad_text.csv'), 'sku,t0\nA1,0.5\nB2,high\n');
    message = await failure(file(`${base}items:\n  features: { t: { path: bad_text.csv, columns: { item: sku } } }\n`));
    expect(message).toMatch(/bad_text\.csv, data row 2: column "t0" holds "high"; expected a number \(items\.features\.t\)$/);

    message = await failure(file(`${base}users:\n  features: { path: users.csv, columns: { user: id }, numeric: [gender] }\n`));
    expect(message).toMatch(/users\.csv, data row 1: column "gender" holds "F"; expected a number \(users\.features\.numeric\)$/);

    writeFileSync(join(dir, 'stranger.csv'), 'customer_id,sku\nzoe,A1\n');
    message = await failure(file(`${base}splits:\n  default: { train: events.csv, test: stranger.csv }\n`));
    expect(message).toMatch(/splits\.default\.test: .*stranger\.csv, line 2: unknown user id "zoe"/);

    message = await failure(file(`${base}splits:\n  "bad name": { train: events.csv, test: events.csv }\n`));
    expect(message).toMatch(/bad\.yaml: splits\.bad name: a split name is letters/);
    message = await failure(file(`${base}splits:\n  random: { train: events.csv, test: events.csv }\n`));
    expect(message).toMatch(/bad\.yaml: splits\.random: a split name .* not a protocol/);
    message = await failure(file(`${base}items:\n  features: { img: { path: image.npy, idz: item_ids.txt } }\n`));
    expect(message).toMatch(/bad\.yaml: items\.features\.img\.idz: unknown field; allowed: path, format, delimiter, ids, columns$/);
  });
});
