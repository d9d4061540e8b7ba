/**
 * Saved models load back scoring exactly as they did, for every model of the zoo, and a
 * model folder whose files do not fit says which file and which parameter.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Philox } from '@rec/core';
import { createInteractions, type Interactions } from '@rec/data';
import { describe, expect, it } from 'vitest';
import {
  loadTrainedModel, MODEL_NAMES, parseTrainConfig, readSavedModelConfig, saveTrainedModel, trainModel, type TrainedModel,
} from '../src/index.js';

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
const everyone = Int32Array.from({ length: NUM_USERS }, (_, u) => u);
const tinyConfig = (model: string) => parseTrainConfig({ model, dim: 4, layers: 1, epochs: 1, batchSize: 16, seed: 5 });

describe('saveTrainedModel / loadTrainedModel', () => {
  it.each(MODEL_NAMES)('%s: scores are identical after a round trip', async (name) => {
    const trained = await trainModel(tinyConfig(name), train);
    const dir = mkdtempSync(join(tmpdir(), `rec-persist-${name}-`));
    const files = await saveTrainedModel(dir, trained, { dataset: 'synthetic/funnel' });
    expect(files.length).toBe(name === 'weaker-behavior' ? 1 : 2);
    const loaded = await loadTrainedModel(dir, { train });
    expect(loaded.name).toBe(name);
    expect(loaded.config).toEqual(trained.config);
    expect(loaded.behaviors).toEqual(trained.behaviors);
    expect(loaded.dataset).toBe('synthetic/funnel');
    expect(loaded.history).toEqual(trained.history);
    expect(loaded.phases).toEqual(trained.phases);
    const before = await trained.model.scoreUsers(everyone);
    const after = await loaded.model.scoreUsers(everyone);
    expect(after).toEqual(before);
  });

  it('config.json says what the model is, its data and its history', async () => {
    const trained = await trainModel(tinyConfig('nmtr-gmf'), train);
    const dir = mkdtempSync(join(tmpdir(), 'rec-persist-config-'));
    await saveTrainedModel(dir, trained, { dataset: 'synthetic/funnel', trainedOn: 'all of it' });
    const saved = await readSavedModelConfig(dir);
    expect(saved).toMatchObject({
      format: 'rec-trained-model', version: 1, model: 'nmtr-gmf', behaviors: ['view', 'cart', 'buy'],
      numUsers: NUM_USERS, numItems: NUM_ITEMS, dataset: 'synthetic/funnel', trainedOn: 'all of it',
    });
    expect(saved.config.dim).toBe(4);
    expect(saved.parameters).toContain('users.weight');
    expect(saved.history?.epochs).toHaveLength(1);
  });

  it('a config.json that builds another shape names the file and the parameter', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rec-persist-shape-'));
    await saveTrainedModel(dir, await trainModel(tinyConfig('gmf'), train));
    const configPath = join(dir, 'config.json');
    const saved = JSON.parse(readFileSync(configPath, 'utf8'));
    saved.config.dim = 8;
    writeFileSync(configPath, JSON.stringify(saved));
    await expect(loadTrainedModel(dir)).rejects.toThrow(
      new RegExp(`${join(dir, 'model.safetensors').replace(/[.]/g, '\\.')}: parameter 'users\\.weight' is f32 \\[12, 4\\] in the file, .*has f32 \\[12, 8\\]`),
    );
  });

  it('parameters of another model are refused by name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rec-persist-other-'));
    await saveTrainedModel(dir, await trainModel(tinyConfig('nmtr-gmf'), train));
    const configPath = join(dir, 'config.json');
    const saved = JSON.parse(readFileSync(configPath, 'utf8'));
    saved.model = saved.config.model = 'gmf';
    saved.behaviors = ['buy'];
    writeFileSync(configPath, JSON.stringify(saved));
    await expect(loadTrainedModel(dir)).rejects.toThrow(/model\.safetensors: parameter '.*' is not one of the gmf model's/);
  });

  it('a truncated model.safetensors is reported as malformed, naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rec-persist-corrupt-'));
    await saveTrainedModel(dir, await trainModel(tinyConfig('bpr'), train));
    const path = join(dir, 'model.safetensors');
    writeFileSync(path, readFileSync(path).subarray(0, 40));
    await expect(loadTrainedModel(dir)).rejects.toThrow(`malformed parameter file ${path}`);
  });

  it('a folder without a saved model, or with another format, says so', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'rec-persist-empty-'));
    await expect(loadTrainedModel(empty)).rejects.toThrow(`${join(empty, 'config.json')} does not exist`);
    writeFileSync(join(empty, 'config.json'), JSON.stringify({ model: 'gmf' }));
    await expect(loadTrainedModel(empty)).rejects.toThrow(/is not a saved @rec model/);
  });

  it('an invalid stored training configuration names the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rec-persist-invalid-'));
    await saveTrainedModel(dir, await trainModel(tinyConfig('gmf'), train));
    const configPath = join(dir, 'config.json');
    const saved = JSON.parse(readFileSync(configPath, 'utf8'));
    saved.config.optimizer = 'adamw';
    writeFileSync(configPath, JSON.stringify(saved));
    await expect(loadTrainedModel(dir)).rejects.toThrow(/config: optimizer: expected one of adagrad, adam, sgd/);
  });

  it('weaker-behavior needs the training interactions, and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rec-persist-weaker-'));
    const trained: TrainedModel = await trainModel(tinyConfig('weaker-behavior'), train);
    await saveTrainedModel(dir, trained, { dataset: 'synthetic/funnel' });
    await expect(loadTrainedModel(dir)).rejects.toThrow(/weaker-behavior rule, which stores no parameters .*pass them as loadTrainedModel\(dir, \{ train \}\) \(the training split of synthetic\/funnel\)/);
    const other = createInteractions({ users: Int32Array.of(0), items: Int32Array.of(0), behaviors: Uint8Array.of(0), behaviorNames: ['view', 'buy'], numUsers: 3, numItems: NUM_ITEMS });
    await expect(loadTrainedModel(dir, { train: other })).rejects.toThrow(/fitted on 12 users × 10 items, the training interactions given have 3 × 10/);
  });
});
