/**
 * The page's logic in Node, without a browser: the log format (and its messages), the
 * split, the bundled log's structure, and reading a picked model folder.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createInteractions, IdMap, leaveLastOut, UserItemCSR } from '@rec/data';
import { readMovieLens100K } from '@rec/data/node';
import { requireDataset } from '@rec/data/testing';
import { listModels, parseModelConfig, SAVED_MODEL_FILES, saveTrainedModel, trainModel } from '@rec/models/node';
import { afterAll, describe, expect, it } from 'vitest';
import { LogFormatError, parseInteractionLog } from '../src/log.js';
import { SAVED_FOLDER_FILES } from '../src/protocol.js';
import { evaluateHeldOut, loadSavedFolder, PAGE_MODELS, pageModel, prepareLog, recommendFor, standaloneOf, trainMostPopular, trainPageModel } from '../src/session.js';
import { SYNTHETIC_LOG, SYNTHETIC_LOG_NAME, syntheticLogCsv } from '../src/synthetic.js';

const errorOf = (text: string, name = 'log.csv'): string => {
  try {
    parseInteractionLog(text, name);
  } catch (err) {
    expect(err).toBeInstanceOf(LogFormatError);
    return (err as Error).message;
  }
  throw new Error('expected a LogFormatError');
};

describe('parseInteractionLog', () => {
  it('reads a header in any order, with aliases, and keeps string and integer ids apart', () => {
    const log = parseInteractionLog('Rating,user_id,movieId\n5,alice,10\n3,bob,7\n\n4,alice,7\n', 'ratings.csv');
    expect(log.header).toBe(true);
    expect(log.columns).toEqual(['rating', 'user', 'item']);
    expect(log.timed).toBe(false);
    expect(log.userIds.toArray()).toEqual(['alice', 'bob']);
    expect(log.itemIds.toArray()).toEqual([7, 10]); // all plain integers: numbers, sorted
    const { users, items, ratings, timestamps } = log.interactions;
    expect([...users]).toEqual([0, 1, 0]);
    expect([...items]).toEqual([1, 0, 0]);
    expect([...ratings!]).toEqual([5, 3, 4]);
    expect([...timestamps!]).toEqual([2, 3, 5]); // line numbers stand in for time
  });

  it('reads positional TSV and keeps 042 a string id', () => {
    const log = parseInteractionLog('1\t042\t4\t881250949\n2\t7\t5\t881250950\n', 'u.data');
    expect(log.header).toBe(false);
    expect(log.columns).toEqual(['user', 'item', 'rating', 'timestamp']);
    expect(log.itemIds.toArray()).toEqual(['042', '7']);
    expect([...log.interactions.timestamps!]).toEqual([881250949, 881250950]);
  });

  it('reads ml-100k\'s u.data as @rec/data\'s reader does, row by row', async (ctx) => {
    const dir = requireDataset(ctx, 'ml-100k');
    const text = gunzipSync(readFileSync(join(dir, 'u.data.gz'))).toString('utf8');
    const page = parseInteractionLog(text, 'u.data');
    const { interactions, userIds, itemIds } = await readMovieLens100K(dir);
    expect(page.interactions.length).toBe(100_000);
    expect(page.interactions.length).toBe(interactions.length);
    for (let r = 0; r < interactions.length; r += 997) {
      expect(page.userIds.idOf(page.interactions.users[r]!)).toBe(userIds.idOf(interactions.users[r]!));
      expect(page.itemIds.idOf(page.interactions.items[r]!)).toBe(itemIds.idOf(interactions.items[r]!));
      expect(page.interactions.ratings![r]).toBe(interactions.ratings![r]);
      expect(page.interactions.timestamps![r]).toBe(interactions.timestamps![r]);
    }
  });

  it('names the file and the line of malformed input', () => {
    expect(errorOf('')).toBe('log.csv: the file is empty; expected lines of user,item[,rating][,timestamp]');
    expect(errorOf('user,item\n')).toBe('log.csv: the file has a header but no interactions');
    expect(errorOf('user,item,rating\nu1,i1,5\nu2,i2\n', 'bad.csv')).toBe('bad.csv, line 3: expected 3 fields separated by commas (user, item, rating), found 2: "u2,i2"');
    expect(errorOf('u1\ti1\t5\nu2\ti2\tfive\n')).toBe('log.csv, line 2: the rating "five" is not a number: "u2\\ti2\\tfive"');
    expect(errorOf('user,item,timestamp\nu1,i1,2020-01-01\n')).toMatch(/^log\.csv, line 2: the timestamp "2020-01-01" is not a number/);
    expect(errorOf('user,itme,rating\nu1,i1,5\n')).toBe('log.csv, line 1: the header field "itme" names no column; the columns are user, item, rating, timestamp');
    expect(errorOf('user,rating\nu1,5\n')).toMatch(/^log\.csv, line 1: the header has no item column/);
    expect(errorOf('user,item\n"u,1",i1\n')).toMatch(/^log\.csv, line 2: expected 2 fields/);
    expect(errorOf('user,item\n"u1",i1\n')).toMatch(/^log\.csv, line 2: the user field has a quote; quoted fields are not supported/);
    expect(errorOf('u1,i1\n,i2\n')).toBe('log.csv, line 2: the user id is empty: ",i2"');
    expect(errorOf('u1,i1,5,1,extra\n')).toMatch(/^log\.csv, line 1: expected 2 to 4 fields separated by commas/);
  });
});

describe('prepareLog', () => {
  it('merges repeats (first row stays) and holds out each user\'s last line when there is no timestamp', () => {
    const log = parseInteractionLog('a,x\na,y\nb,x\na,x\nb,z\na,z\nc,x\n', 'log.csv');
    const prepared = prepareLog(log);
    expect(prepared.duplicates).toBe(1);
    const heldOut = Object.fromEntries(Array.from(prepared.test.users, (u, r) => [log.userIds.idOf(u), log.itemIds.idOf(prepared.test.items[r]!)]));
    expect(heldOut).toEqual({ a: 'z', b: 'z' }); // c has one item: kept whole in train
    expect([...prepared.evalUsers]).toEqual([0, 1]);
  });
});

describe('the bundled synthetic log', () => {
  it('is the same text every time, and reads back with its planted sizes', () => {
    const text = syntheticLogCsv();
    expect(syntheticLogCsv()).toBe(text);
    const log = parseInteractionLog(text, SYNTHETIC_LOG_NAME);
    expect(log.interactions.length).toBe(SYNTHETIC_LOG.numUsers * SYNTHETIC_LOG.interactionsPerUser);
    expect(log.userIds.size).toBe(SYNTHETIC_LOG.numUsers);
  });

  it('has structure: the page\'s BPR and GMF beat most-popular\'s HR@10 at least 5-fold', async () => {
    const prepared = prepareLog(parseInteractionLog(syntheticLogCsv(), SYNTHETIC_LOG_NAME));
    const baseline = await evaluateHeldOut(prepared, (await trainMostPopular(prepared)).model);
    for (const name of ['bpr', 'gmf']) {
      const trained = await trainPageModel(prepared, name, pageModel(name).defaults);
      const metrics = await evaluateHeldOut(prepared, trained.model);
      expect(metrics.hr, name).toBeGreaterThan(5 * baseline.hr);
      expect(metrics.ndcg, name).toBeGreaterThan(5 * baseline.ndcg);
    }
    expect(baseline.users).toBe(SYNTHETIC_LOG.numUsers);
  });

  it('offers registered models only, each with settings the registry accepts', () => {
    const registered = new Set(listModels().map((m) => m.name));
    for (const m of PAGE_MODELS) {
      expect(registered.has(m.name), m.name).toBe(true);
      expect(() => parseModelConfig({ model: m.name, ...m.fixed, ...m.defaults })).not.toThrow();
    }
    expect(() => pageModel('sasrec')).toThrow("model: expected one of bpr, gmf, neumf, got 'sasrec'");
  });
});

describe('a picked model folder', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('SAVED_FOLDER_FILES are the saved folder\'s files', () => {
    expect([...SAVED_FOLDER_FILES].sort()).toEqual(Object.values(SAVED_MODEL_FILES).sort());
  });

  it('is read from its shallowest config.json (a checkpoint/ inside is passed over), and recommends as the trained model does', async () => {
    const train = createInteractions({ users: Int32Array.of(0, 0, 1, 1, 2, 2, 2), items: Int32Array.of(0, 1, 1, 2, 0, 2, 3), numUsers: 3, numItems: 5 });
    const ids = { users: ['ann', 'ben', 'cat'], items: [10, 11, 12, 13, 14] };
    const trained = await trainModel(parseModelConfig({ model: 'bpr', dim: 4, epochs: 2 }), { train });
    const root = await mkdtemp(join(tmpdir(), 'rec-web-'));
    dirs.push(root);
    const dir = join(root, 'bpr');
    await saveTrainedModel(dir, trained, { ids, seen: UserItemCSR.fromInteractions(train) });
    await saveTrainedModel(join(dir, 'checkpoint'), trained, { ids }); // a decoy deeper down
    const picked = new Map<string, Uint8Array>();
    const walk = async (at: string): Promise<void> => {
      for (const entry of await readdir(at, { withFileTypes: true })) {
        if (entry.isDirectory()) await walk(join(at, entry.name));
        else picked.set(relative(root, join(at, entry.name)), await readFile(join(at, entry.name)));
      }
    };
    await walk(dir);
    const loaded = loadSavedFolder(picked);
    const page = standaloneOf(trained, { log: { userIds: new IdMap(ids.users), itemIds: new IdMap(ids.items) }, seen: UserItemCSR.fromInteractions(train) } as never);
    for (const user of ['ann', 'cat']) {
      expect(await recommendFor(loaded, user, 3)).toEqual(await recommendFor(page, user, 3));
    }
    expect((await recommendFor(loaded, 'cat', 3)).excluded).toBe(3);
    await expect(recommendFor(loaded, 'zed')).rejects.toThrow(/unknown user id 'zed'/);

    picked.delete('bpr/ids.json');
    expect(() => loadSavedFolder(picked)).toThrow(/^bpr: not a complete model folder written by rec train: ids\.json missing/);
    expect(() => loadSavedFolder(new Map([['notes/readme.txt', new Uint8Array(1)]]))).toThrow(/it has no config\.json \(picked: notes\/readme\.txt\)/);
    expect(() => loadSavedFolder(new Map([['a/config.json', new Uint8Array(1)], ['b/config.json', new Uint8Array(1)]]))).toThrow('the pick holds several model folders (a, b); pick one');
  });

  it('leave-last-out on the page is @rec/data\'s', () => {
    const log = parseInteractionLog(syntheticLogCsv(), SYNTHETIC_LOG_NAME);
    const prepared = prepareLog(log);
    const direct = leaveLastOut(log.interactions, { mode: 'last', seed: 0 });
    expect([...prepared.test.items]).toEqual([...direct.test.items]); // the synthetic log has no repeats
  });
});
