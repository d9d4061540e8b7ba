/**
 * Every output a model can declare reaches the CLI: a rating model (registered here)
 * is evaluated by RMSE and MAE and answers ratings by raw ids; a category model is
 * recommended by category; a dataset without ratings is refused by the rating model.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Philox } from '@rec/core';
import { createInteractions, type Dataset, IdMap, ItemCategories, selectInteractions } from '@rec/data';
import { defineModel } from '@rec/models';
import { loadTrainedModel } from '@rec/models/node';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { runRec } from '../src/rec.js';
import { collectingIO } from './funnel-dataset.js';

/** Each item's mean training rating (the global mean for unrated items): a rating predictor. */
class ItemMean {
  constructor(readonly means: Float32Array) {}
  get numItems(): number {
    return this.means.length;
  }
  predictRatings(_users: Int32Array, items: Int32Array): Float32Array {
    return Float32Array.from(items, (i) => this.means[i]);
  }
  scoreUsers(users: Int32Array): Float32Array {
    const out = new Float32Array(users.length * this.numItems);
    for (let r = 0; r < users.length; r++) out.set(this.means, r * this.numItems);
    return out;
  }
}

defineModel({
  name: 'test-item-mean',
  title: 'Item mean',
  paper: { cite: 'the item-mean rating baseline', section: '—' },
  summary: "each item's mean training rating",
  config: z.object({ seed: z.number().int().default(0) }),
  needs: { ratings: 'required' },
  outputs: ['ratings', 'items'],
  rule: true,
  fit: (data) => {
    const { train } = data;
    const sum = new Float64Array(train.numItems);
    const count = new Float64Array(train.numItems);
    let total = 0;
    for (let r = 0; r < train.length; r++) {
      sum[train.items[r]] += train.ratings![r];
      count[train.items[r]] += 1;
      total += train.ratings![r];
    }
    const global = total / train.length;
    return { model: new ItemMean(Float32Array.from(sum, (s, i) => (count[i] ? s / count[i] : global))) };
  },
  save: (model) => ({ tensors: { means: { dtype: 'f32', shape: [model.numItems], data: model.means } } }),
  load: (state) => new ItemMean(state.tensors.means.data as Float32Array),
});

/** Each category's number of training rows: the same category ranking for everyone. */
class CategoryCounts {
  constructor(readonly counts: Float32Array) {}
  get numCategories(): number {
    return this.counts.length;
  }
  scoreCategories(users: Int32Array): Float32Array {
    const out = new Float32Array(users.length * this.numCategories);
    for (let r = 0; r < users.length; r++) out.set(this.counts, r * this.numCategories);
    return out;
  }
}

defineModel({
  name: 'test-category-counts',
  title: 'Category counts',
  paper: { cite: 'the category-popularity baseline (CCRec §5)', section: '—' },
  summary: 'categories by their number of training rows',
  config: z.object({ seed: z.number().int().default(0) }),
  needs: { categories: 'required' },
  outputs: ['categories'],
  rule: true,
  fit: (data) => {
    const categories = data.itemCategories!;
    const counts = new Float32Array(categories.numCategories);
    for (const item of data.train.items) for (const c of categories.of(item)) counts[c] += 1;
    return { model: new CategoryCounts(counts) };
  },
  save: (model) => ({ tensors: { counts: { dtype: 'f32', shape: [model.numCategories], data: model.counts } } }),
  load: (state) => new CategoryCounts(state.tensors.counts.data as Float32Array),
});

/** 40 users rate 30 items in 3 categories; item i's true rating is 1 + (i mod 5). */
function ratedDataset(): Dataset {
  const rng = new Philox({ seed: 4 });
  const users: number[] = [];
  const items: number[] = [];
  const ratings: number[] = [];
  for (let u = 0; u < 40; u++) {
    const rated = new Set<number>();
    while (rated.size < 12) rated.add(rng.int(30));
    for (const i of rated) {
      users.push(u);
      items.push(i);
      ratings.push(1 + (i % 5));
    }
  }
  const log = createInteractions({ users: Int32Array.from(users), items: Int32Array.from(items), ratings: Float32Array.from(ratings), numUsers: 40, numItems: 30 });
  const rows = Int32Array.from({ length: log.length }, (_, r) => r);
  const test = rows.filter((r) => r % 6 === 0);
  const train = rows.filter((r) => r % 6 !== 0);
  return {
    name: 'synthetic/rated',
    interactions: log,
    userIds: new IdMap(Array.from({ length: 40 }, (_, u) => `u${u}`)),
    itemIds: new IdMap(Array.from({ length: 30 }, (_, i) => `i${i}`)),
    splits: { default: { train: selectInteractions(log, train), test: selectInteractions(log, test), description: 'every sixth row held out' } },
    itemCategories: ItemCategories.fromLists(Array.from({ length: 30 }, (_, i) => [i % 3]), ['red', 'green', 'blue']),
  };
}

const dataset = ratedDataset();

async function rec(args: string[], data: Dataset = dataset) {
  const { io, stdout, stderr } = collectingIO();
  const code = await runRec(args, io, { readDataset: async () => data });
  return { code, stdout: stdout(), stderr: stderr() };
}

describe('models of every output through the CLI', () => {
  it('a rating model is evaluated by RMSE and MAE and predicts ratings by raw ids', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rec-ratings-')), 'mean');
    const trained = await rec(['train', 'test-item-mean', '--data', 'synthetic/rated', '--out', out, '--quiet']);
    expect(trained.stderr).toBe('');
    expect(trained.code).toBe(0);
    const evaluated = await rec(['eval', out, '--json']);
    expect(evaluated.stderr).toBe('');
    expect(evaluated.code).toBe(0);
    const result = JSON.parse(evaluated.stdout);
    // Every rating of an item is the same, so the item mean is exact on the test rows.
    expect(result.metrics).toMatchObject({ RMSE: 0, MAE: 0 });
    expect(result.metrics['HR@30']).toBeGreaterThan(0);
    expect(result.description).toMatch(/^full ranking over all 30 items.*; rating prediction on \d+ test rows$/);
    const model = await loadTrainedModel(out);
    expect([...(await model.predictRatings([{ user: 'u0', item: 'i7' }, { user: 'u3', item: 'i4' }]))]).toEqual([3, 5]);
    await expect(model.predictRatings([{ user: 'u0', item: 'nope' }])).rejects.toThrow("unknown item id 'nope'");
  });

  it('a category model recommends categories by name; an item request is refused', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rec-categories-')), 'counts');
    expect((await rec(['train', 'test-category-counts', '--data', 'synthetic/rated', '--out', out, '--quiet'])).code).toBe(0);
    const run = await rec(['recommend', out, '--user', 'u1', '--output', 'categories', '-k', '3', '--json']);
    expect(run.code).toBe(0);
    const counts = [0, 1, 2].map((c) => dataset.splits.default.train.items.filter((i) => i % 3 === c).length);
    const order = [0, 1, 2].sort((a, b) => counts[b] - counts[a] || a - b);
    expect(JSON.parse(run.stdout).recommendations.map((r: { name: string }) => r.name)).toEqual(order.map((c) => ['red', 'green', 'blue'][c]));
    const items = await rec(['recommend', out, '--user', 'u1']);
    expect(items.stderr).toBe('rec: test-category-counts predicts categories, not items\n');
    const evaluated = await rec(['eval', out]);
    expect(evaluated.stderr).toMatch(/^rec: test-category-counts predicts categories; rec eval scores item rankings and ratings/);
  });

  it('a dataset without ratings is refused by the rating model in one line', async () => {
    const { ratings: _, ...unrated } = dataset.splits.default.train;
    const data = { ...dataset, splits: { default: { ...dataset.splits.default, train: unrated } } };
    const run = await rec(['train', 'test-item-mean', '--data', 'synthetic/rated'], data as Dataset);
    expect(run.stderr).toBe('rec: test-item-mean needs explicit ratings, which synthetic/rated lacks\n');
  });
});
