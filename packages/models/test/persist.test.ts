/**
 * Saved models stand alone: they load back scoring exactly as they did, for every
 * registered model, answer by raw ids without the dataset, and a folder whose files do
 * not fit, or of an older format, says which file in one line.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Philox } from '@rec/core';
import { createInteractions, type Interactions, ItemCategories, positivesByBehavior } from '@rec/data';
import { describe, expect, it } from 'vitest';
import { type CategoryTask, categoryLog, interactionsHash, listModels, parseModelConfig, type RawIds, topKFor, trainModel } from '../src/index.js';
import { loadTrainedModel, readSavedModelConfig, saveTrainedModel } from '../src/node.js';

const NUM_USERS = 12;
const NUM_ITEMS = 10;

/**
 * A small funnel log: each user views 5 items, carts 3 of them and buys 2 of those, so
 * every behaviour and every model (multi-behaviour ones included) has something to fit.
 */
function funnelLog(seed: number): Interactions {
  const rng = new Philox({ seed });
  const users: number[] = [];
  const items: number[] = [];
  const behaviors: number[] = [];
  for (let u = 0; u < NUM_USERS; u++) {
    const seen = new Set<number>();
    while (seen.size < 5) seen.add(rng.int(NUM_ITEMS));
    [...seen].forEach((item, k) => {
      for (let b = 0; b < (k < 2 ? 3 : k < 3 ? 2 : 1); b++) {
        users.push(u);
        items.push(item);
        behaviors.push(b);
      }
    });
  }
  return createInteractions({
    users: Int32Array.from(users), items: Int32Array.from(items), behaviors: Uint8Array.from(behaviors),
    behaviorNames: ['view', 'cart', 'buy'], numUsers: NUM_USERS, numItems: NUM_ITEMS,
  });
}

const train = funnelLog(3);
/** The same rows with 1–5 stars, for the models that need ratings (svd, rnr-bpr, …). */
const rated = (() => {
  const rng = new Philox({ seed: 4 });
  return createInteractions({ ...train, ratings: Float32Array.from(train.users, () => 1 + rng.int(5)) });
})();
const needsRatings = (model: string) => listModels().find((m) => m.name === model)!.needs?.ratings === 'required';
/** The same rows in time order (row index as the time), for the item-level sequence models. */
const timed = createInteractions({ ...train, timestamps: Float64Array.from(train.users, (_, r) => r) });
const needsTimestamps = (model: string) => listModels().find((m) => m.name === model)!.needs?.timestamps === 'required';
/** Two categories per item, so the models that need item categories (FM, MRLR) train too. */
const itemCategories = ItemCategories.fromLists(Array.from({ length: NUM_ITEMS }, (_, i) => [i % 3, 3 + (i % 2)]), ['a', 'b', 'c', 'd', 'e']);
const everyone = Int32Array.from({ length: NUM_USERS }, (_, u) => u);
/**
 * A category task over the same users and the 5 categories, so the category models
 * (CCRec's, SASRec, FMLP-Rec, VAERec) train too: each training row is a past event of its
 * item's first category, users 0–7 learn a future category each, users 8–9 validate.
 */
const categoryTask: CategoryTask = {
  numCategories: itemCategories.numCategories,
  itemCategories,
  past: categoryLog(train.users, Array.from(train.items, (i) => itemCategories.of(i)[0]!), NUM_USERS, 5, Array.from(train.users, (_, r) => r)),
  future: categoryLog([0, 1, 2, 3, 4, 5, 6, 7], [0, 1, 2, 3, 4, 0, 1, 2], NUM_USERS, 5),
  validFuture: categoryLog([8, 9], [3, 4], NUM_USERS, 5),
};
/** Three-column "image" features, so the visual models (VBPR and its variants, the second-hand model's visual part) train too. */
const itemFeatures = { image: { rows: NUM_ITEMS, dim: 3, values: Float32Array.from({ length: NUM_ITEMS * 3 }, (_, k) => Math.sin(k + 1)) } };
const userFeatures = { categorical: { gender: { codes: Int32Array.from(everyone, (u) => u % 2), vocabulary: ['F', 'M'] } }, numeric: {} };
const ids: RawIds = { users: Array.from({ length: NUM_USERS }, (_, u) => `u${u}`), items: Array.from({ length: NUM_ITEMS }, (_, i) => 100 + i) };
const seen = positivesByBehavior(train).buy;
const data = { name: 'synthetic/funnel', split: 'default', description: 'all of it', hash: interactionsHash(train) };
/** The small settings each model's schema has (rules have none of them). */
const tinyConfig = (model: string) => {
  const fields = { dim: 4, layers: 1, epochs: 1, batchSize: 16, seed: 5, rqvaeEpochs: 2, rqvaeHidden: [8], feedForward: 8 };
  const known = Object.keys(listModels().find((m) => m.name === model)!.config.shape);
  return parseModelConfig({ model, ...Object.fromEntries(Object.entries(fields).filter(([k]) => known.includes(k))) });
};
const save = async (dir: string, model: string) => saveTrainedModel(dir, await trainModel(tinyConfig(model), { train }), { ids, seen, data });


describe('saveTrainedModel / loadTrainedModel', () => {
  it.each(listModels().map((m) => m.name))('%s: scores are identical after a round trip, without the training data', async (name) => {
    const trained = await trainModel(tinyConfig(name), { train: needsRatings(name) ? rated : needsTimestamps(name) ? timed : train, itemCategories, categoryTask, userFeatures, itemFeatures });
    const dir = mkdtempSync(join(tmpdir(), `rec-persist-${name}-`));
    const files = await saveTrainedModel(dir, trained, { ids, seen, data });
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['model.safetensors', 'seen.safetensors', 'ids.json', 'config.json']);
    const loaded = await loadTrainedModel(dir);
    expect(loaded.name).toBe(name);
    expect(loaded.trained.config).toEqual(trained.config);
    expect(loaded.trained.behaviors).toEqual(trained.behaviors);
    expect(loaded.data).toEqual(data);
    expect(loaded.trained.history).toEqual(trained.history);
    expect(loaded.trained.phases).toEqual(trained.phases);
    if (trained.model.scoreUsers) expect(await loaded.trained.model.scoreUsers!(everyone)).toEqual(await trained.model.scoreUsers(everyone));
    if (trained.model.scoreUsers && loaded.outputs.includes('items')) {
      // The folder's answers (through its frozen factors) are the trained model's top-K.
      const direct = await topKFor(trained.model, 'items', everyone, 5, seen);
      const viaFolder = await loaded.recommendMany(ids.users, { k: 5 });
      expect(viaFolder.map((list) => list.map((r) => r.id))).toEqual(direct.map((t) => [...t.items].map((i) => ids.items[i])));
    }
    if (trained.model.scoreCategories) expect(await loaded.trained.model.scoreCategories!(everyone)).toEqual(await trained.model.scoreCategories(everyone));
    expect(trained.model.scoreUsers ?? trained.model.scoreCategories).toBeDefined();
    if (trained.model.predictRatings) {
      const pairs = [Int32Array.of(0, 3, 7), Int32Array.of(5, 1, 2)] as const;
      expect(await loaded.trained.model.predictRatings!(...pairs)).toEqual(await trained.model.predictRatings(...pairs));
    }
  });

  it('answers by raw ids, leaving out what the user bought in training', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rec-persist-ids-'));
    await save(dir, 'bpr');
    const model = await loadTrainedModel(dir);
    const top = await model.recommend('u3', { k: 20 });
    const bought = [...seen.rowOf(3)].map((i) => 100 + i);
    expect(top).toHaveLength(NUM_ITEMS - bought.length);
    expect(top.map((r) => r.id).filter((id) => bought.includes(id as number))).toEqual([]);
    expect(top[0]).toMatchObject({ rank: 1 });
    expect((await model.recommend('u3', { k: 20, excludeSeen: false })).length).toBe(NUM_ITEMS);
    await expect(model.recommend('nobody')).rejects.toThrow(/unknown user id 'nobody': the model knows no such user of synthetic\/funnel \(12 users; ids such as "u0", "u1", "u2"\)/);
    await expect(model.recommend('u3', { output: 'categories' })).rejects.toThrow(/bpr predicts items, not categories/);
  });

  it('config.json says what the model is, its data, its packages and its history', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rec-persist-config-'));
    await save(dir, 'nmtr-gmf');
    const saved = await readSavedModelConfig(dir);
    expect(saved).toMatchObject({
      format: 'rec-trained-model', version: 2, model: 'nmtr-gmf', title: 'NMTR-GMF', outputs: ['items'],
      shape: { numUsers: NUM_USERS, numItems: NUM_ITEMS, behaviors: ['view', 'cart', 'buy'] }, data,
    });
    expect(saved.packages['@rec/models']).toMatch(/^\d+\.\d+\.\d+/);
    expect(saved.packages['@rec/core']).toMatch(/^\d+\.\d+\.\d+/);
    expect(saved.config.dim).toBe(4);
    expect(saved.parameters).toContain('users.weight');
    expect(saved.history?.epochs).toHaveLength(1);
  });

  it('a config.json edited after saving is refused, naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rec-persist-shape-'));
    await save(dir, 'gmf');
    const configPath = join(dir, 'config.json');
    const saved = JSON.parse(readFileSync(configPath, 'utf8'));
    saved.config.dim = 8;
    writeFileSync(configPath, JSON.stringify(saved));
    await expect(loadTrainedModel(dir)).rejects.toThrow(`${configPath}: its model, config or shape are not those model.safetensors was saved with`);
  });

  it('parameters of another model are refused by name', async () => {
    const a = mkdtempSync(join(tmpdir(), 'rec-persist-a-'));
    const b = mkdtempSync(join(tmpdir(), 'rec-persist-b-'));
    await save(a, 'nmtr-gmf');
    await save(b, 'gmf');
    writeFileSync(join(b, 'model.safetensors'), readFileSync(join(a, 'model.safetensors')));
    await expect(loadTrainedModel(b)).rejects.toThrow(/config\.json: its model, config or shape are not those model\.safetensors was saved with/);
  });

  it('a truncated or tampered model.safetensors is reported as malformed, naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rec-persist-corrupt-'));
    await save(dir, 'bpr');
    const path = join(dir, 'model.safetensors');
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, 40));
    await expect(loadTrainedModel(dir)).rejects.toThrow(`malformed parameter file ${path}`);
    const tampered = Buffer.from(bytes);
    tampered[9] = '!'.charCodeAt(0); // inside the JSON header
    writeFileSync(path, tampered);
    await expect(loadTrainedModel(dir)).rejects.toThrow(`malformed parameter file ${path}`);
  });

  it('a folder without a saved model, with another format or an older version, says so in one line', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'rec-persist-empty-'));
    await expect(loadTrainedModel(empty)).rejects.toThrow(`${join(empty, 'config.json')} does not exist`);
    writeFileSync(join(empty, 'config.json'), JSON.stringify({ model: 'gmf' }));
    await expect(loadTrainedModel(empty)).rejects.toThrow(/is not a saved @rec model/);
    writeFileSync(join(empty, 'config.json'), JSON.stringify({ format: 'rec-trained-model', version: 1, model: 'gmf', config: { model: 'gmf' } }));
    await expect(loadTrainedModel(empty)).rejects.toThrow(/is a saved model of format version 1; this @rec reads version 2 \(version 1 kept no id maps and needed its dataset to load\): retrain it with rec train/);
  });

  it('an invalid stored configuration names the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rec-persist-invalid-'));
    await save(dir, 'gmf');
    const configPath = join(dir, 'config.json');
    const saved = JSON.parse(readFileSync(configPath, 'utf8'));
    saved.config.optimizer = 'adamax';
    writeFileSync(configPath, JSON.stringify(saved));
    await expect(loadTrainedModel(dir)).rejects.toThrow(/config: optimizer: expected one of adagrad, adam, adamw, sgd/);
  });

  it('id maps that do not fit the model are refused, naming ids.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rec-persist-ids-bad-'));
    await save(dir, 'weaker-behavior');
    writeFileSync(join(dir, 'ids.json'), JSON.stringify({ users: ['a'], items: ids.items }));
    await expect(loadTrainedModel(dir)).rejects.toThrow(`${join(dir, 'ids.json')}: holds 1 users × 10 items, the model 12 × 10`);
  });
});
