/**
 * The HTTP API on real saved models (BPR and most-popular on ml-100k): answers equal the
 * saved model's own, every bad request is one 4xx message and never a stack trace, paths
 * cannot leave the model root, a swap under load drops nothing, a failed reload keeps the
 * old version serving, and the metrics and OpenAPI document describe what was served.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leaveLastOut, UserItemCSR } from '@rec/data';
import { readMovieLens100K } from '@rec/data/node';
import { requireDataset } from '@rec/data/testing';
import { parseModelConfig, rawIdsOf, type StandaloneModel, trainModel, UnknownIdError } from '@rec/models';
import { loadTrainedModel, saveTrainedModel } from '@rec/models/node';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { RecommendCoalescer } from '../src/coalesce.js';
import { buildServer, ModelStore } from '../src/index.js';

let root = '';
let app: FastifyInstance;
let store: ModelStore;
let reference: StandaloneModel;
/** Raw ids of user 196's training items. */
let history: number[] = [];

const post = (url: string, payload: unknown) => app.inject({ method: 'POST', url, payload: payload as object });
/** A response body never carries a stack trace or a source path. */
const noStack = (body: string): void => {
  expect(body).not.toMatch(/\n\s+at |\.ts:\d+|node_modules/);
};

let setup: Promise<void> | undefined;

/** Trains and saves the models once (the first test to run pays), or skips/fails without ml-100k. */
function ready(ctx: Parameters<typeof requireDataset>[0]): Promise<void> {
  const dir = requireDataset(ctx, 'ml-100k');
  return (setup ??= prepare(dir));
}

async function prepare(dir: string): Promise<void> {
  const dataset = await readMovieLens100K(dir);
  const { train } = leaveLastOut(dataset.interactions, { seed: 1 });
  const seen = UserItemCSR.fromInteractions(train);
  root = mkdtempSync(join(tmpdir(), 'rec-server-'));
  const save = async (folder: string, config: object): Promise<void> => {
    const trained = await trainModel(parseModelConfig(config), { train });
    await saveTrainedModel(join(root, folder), trained, { ids: rawIdsOf(dataset), seen });
  };
  await save('bpr', { model: 'bpr', dim: 16, epochs: 2, seed: 1 });
  await save('bpr-next', { model: 'bpr', dim: 16, epochs: 2, seed: 2 });
  await save('pop', { model: 'most-popular' });
  store = await ModelStore.open(root);
  await store.load('bpr', 'bpr');
  await store.load('pop', join(root, 'pop'));
  app = await buildServer({ store, bodyLimit: 64 * 1024 });
  reference = await loadTrainedModel(join(root, 'bpr'));
  const u = reference.userIndex('196');
  history = [...reference.seen!.rowOf(u)].map((i) => reference.items.idOf(i) as number);
}

afterAll(async () => {
  await app?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('answers', () => {
  it("top-K for a user equals the saved model's own, and a batch equals one call per user", async (ctx) => {
    await ready(ctx);
    const one = await post('/v1/models/bpr/recommend', { user: '196', k: 10 });
    expect(one.statusCode).toBe(200);
    const body = one.json();
    expect(body.recommendations).toEqual(await reference.recommend('196', { k: 10 }));
    expect(body.version).toMatch(/^[0-9a-f]{12}$/);
    const users = Array.from({ length: 50 }, (_, u) => reference.users.idOf(u));
    const batch = (await post('/v1/models/bpr/recommend', { users, k: 5 })).json();
    expect(batch.results).toHaveLength(50);
    const each = await reference.recommendMany(users, { k: 5 });
    expect(batch.results.map((r: { recommendations: unknown }) => r.recommendations)).toEqual(each);
  });

  it('recommend requests that arrive together are ranked in one pass and answered as each would be alone', async (ctx) => {
    await ready(ctx);
    const batches: number[] = [];
    const coalescer = new RecommendCoalescer(reference, { onBatch: (users) => batches.push(users) });
    const users = Array.from({ length: 9 }, (_, u) => reference.users.idOf(3 * u));
    const asks = [
      ...users.map((user) => coalescer.recommend([user], { k: 10 })),
      coalescer.recommend(users.slice(0, 3), { k: 10 }),
      coalescer.recommend([users[0]!], { k: 5, excludeSeen: false }),
    ];
    // An unknown user fails its own request at once, not the batch it would have joined.
    expect(() => coalescer.recommend(['no such user'], { k: 10 })).toThrow(UnknownIdError);
    const got = await Promise.all(asks);
    expect(batches.sort((a, b) => b - a)).toEqual([12, 1]);
    for (const [n, user] of users.entries()) expect(got[n]).toEqual([await reference.recommend(user, { k: 10 })]);
    expect(got[9]).toEqual(await reference.recommendMany(users.slice(0, 3), { k: 10 }));
    expect(got[10]).toEqual([await reference.recommend(users[0]!, { k: 5, excludeSeen: false })]);

    // Over HTTP: concurrent requests, one of them bad, each answered as alone.
    const answers = await Promise.all([...users, 'no such user'].map((user) => post('/v1/models/bpr/recommend', { user, k: 10 })));
    expect(answers.map((a) => a.statusCode)).toEqual([...users.map(() => 200), 404]);
    for (const [n, user] of users.entries()) expect(answers[n]!.json().recommendations).toEqual(await reference.recommend(user, { k: 10 }));
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/rec_recommend_batch_users_count\{model="bpr"\} [1-9]/);
  });

  it('a new user from their items: k items, none of the given ones; similar items leave the item out', async (ctx) => {
    await ready(ctx);
    const fresh = (await post('/v1/models/bpr/recommend/new-user', { items: history, k: 10 })).json();
    expect(fresh.foldIn).toBe('factors');
    expect(fresh.recommendations).toHaveLength(10);
    for (const r of fresh.recommendations) expect(history).not.toContain(r.id);
    const similar = (await post('/v1/models/bpr/similar', { item: 50, k: 5 })).json();
    expect(similar.similar).toHaveLength(5);
    expect(similar.similar.map((r: { id: number }) => r.id)).not.toContain(50);
    expect(similar.similar[0].score).toBeGreaterThanOrEqual(similar.similar[4].score);
  });

  it('a category filter keeps only items of that genre', async (ctx) => {
    await ready(ctx);
    const drama = (await post('/v1/models/bpr/recommend', { user: 196, k: 20, category: 'Drama' })).json();
    const genres = reference.ids.itemCategories!;
    const dramaIndex = reference.ids.categories!.indexOf('Drama');
    expect(drama.recommendations).toHaveLength(20);
    for (const r of drama.recommendations) expect(genres[reference.itemIndex(r.id)]).toContain(dramaIndex);
  });

  it('lists the models with what each can answer', async (ctx) => {
    await ready(ctx);
    const { models } = (await app.inject({ method: 'GET', url: '/v1/models' })).json();
    expect(models.map((m: { name: string }) => m.name)).toEqual(['bpr', 'pop']);
    expect(models[0]).toMatchObject({ model: 'bpr', numUsers: 943, numItems: 1682, abilities: { foldIn: 'factors', similarItems: true, categoryFilter: true } });
    expect(models[1].abilities).toMatchObject({ foldIn: false, similarItems: false });
  });
});

describe('bad requests get one clear 4xx', () => {
  const cases: [string, string, unknown, number, RegExp][] = [
    ['unknown user', '/v1/models/bpr/recommend', { user: 'nobody' }, 404, /unknown user id 'nobody'/],
    ['unknown item', '/v1/models/bpr/similar', { item: 99999 }, 404, /unknown item id '99999'/],
    ['unknown item in a new user', '/v1/models/bpr/recommend/new-user', { items: [1, 99999] }, 404, /unknown item id '99999'/],
    ['unknown model', '/v1/models/nope/recommend', { user: 1 }, 404, /no model named 'nope'/],
    ['k zero', '/v1/models/bpr/recommend', { user: 1, k: 0 }, 400, /k must be >= 1/],
    ['k too large', '/v1/models/bpr/recommend', { user: 1, k: 1001 }, 400, /k must be at most 1000/],
    ['k as a string', '/v1/models/bpr/recommend', { user: 1, k: '5' }, 400, /k must be integer/],
    ['a boolean id', '/v1/models/bpr/recommend', { user: true }, 400, /user must be/],
    ['neither user nor users', '/v1/models/bpr/recommend', { k: 3 }, 400, /exactly one of 'user'/],
    ['both user and users', '/v1/models/bpr/recommend', { user: 1, users: [2] }, 400, /exactly one of 'user'/],
    ['too many users', '/v1/models/bpr/recommend', { users: Array.from({ length: 1001 }, (_, i) => i + 1) }, 400, /too many users: 1001/],
    ['an unknown field', '/v1/models/bpr/recommend', { user: 1, kk: 3 }, 400, /unknown field 'kk'/],
    ['an empty item list', '/v1/models/bpr/recommend/new-user', { items: [] }, 400, /items must NOT have fewer than 1/],
    ['ratings from a ranking model', '/v1/models/bpr/ratings', { pairs: [{ user: 1, item: 1 }] }, 422, /bpr predicts items, not ratings/],
    ['categories from an item model', '/v1/models/bpr/categories', { user: 1 }, 422, /not categories/],
    ['a new user for most-popular', '/v1/models/pop/recommend/new-user', { items: [1] }, 422, /cannot recommend for a new user/],
    ['similar items without item vectors', '/v1/models/pop/similar', { item: 1 }, 422, /no item vectors/],
    ['an unknown category', '/v1/models/bpr/recommend', { user: 1, category: 'Opera' }, 404, /unknown category 'Opera'/],
  ];
  it.for(cases)('%s', async ([, url, payload, status, message], ctx) => {
    await ready(ctx);
    const res = await post(url, payload);
    expect(res.statusCode).toBe(status);
    expect(res.json().message).toMatch(message);
    noStack(res.body);
  });

  it('malformed JSON, a non-JSON body, an oversized body and an unknown route', async (ctx) => {
    await ready(ctx);
    const malformed = await app.inject({ method: 'POST', url: '/v1/models/bpr/recommend', headers: { 'content-type': 'application/json' }, payload: '{"user":' });
    expect(malformed.statusCode).toBe(400);
    // The body was read to its end, so the connection stays open for the client's next request.
    expect(malformed.headers.connection).not.toBe('close');
    expect(malformed.json().message).toMatch(/not valid JSON/);
    const form = await app.inject({ method: 'POST', url: '/v1/models/bpr/recommend', headers: { 'content-type': 'text/plain' }, payload: 'user=1' });
    expect(form.statusCode).toBe(415);
    expect(form.json().message).toMatch(/application\/json/);
    const big = await post('/v1/models/bpr/recommend', { users: Array.from({ length: 900 }, () => 'x'.repeat(100)) });
    expect(big.statusCode).toBe(413);
    expect(big.json().message).toMatch(/larger than the server's limit of 65536 bytes/);
    const route = await app.inject({ method: 'GET', url: '/v2/anything' });
    expect(route.statusCode).toBe(404);
    for (const res of [malformed, form, big, route]) noStack(res.body);
  });
});

describe('the model root', () => {
  it('refuses ../, absolute paths outside the root and symbolic links out of it', async (ctx) => {
    await ready(ctx);
    const outside = mkdtempSync(join(tmpdir(), 'rec-outside-'));
    symlinkSync(outside, join(root, 'link-out'));
    for (const path of ['../etc', '/etc', outside, 'link-out', 'bpr/../../x']) {
      const res = await app.inject({ method: 'PUT', url: '/v1/admin/models/evil', payload: { path } });
      expect(res.statusCode, path).toBe(400);
      expect(res.json().message).toMatch(/outside the model root|does not exist under the model root/);
    }
    const name = await app.inject({ method: 'PUT', url: '/v1/admin/models/.hidden', payload: { path: 'bpr' } });
    expect(name.statusCode).toBe(400);
    expect(name.json().message).toMatch(/model name '.hidden' is not allowed/);
    expect(store.names()).toEqual(['bpr', 'pop']);
    rmSync(outside, { recursive: true });
  });

  it('admin routes answer only loopback without a token, and only the token with one', async (ctx) => {
    await ready(ctx);
    const remote = await app.inject({ method: 'POST', url: '/v1/admin/models/bpr/reload', remoteAddress: '10.1.2.3' });
    expect(remote.statusCode).toBe(403);
    const guarded = await buildServer({ store, adminToken: 's3cret' });
    const without = await guarded.inject({ method: 'POST', url: '/v1/admin/models/pop/reload' });
    expect(without.statusCode).toBe(401);
    const withToken = await guarded.inject({ method: 'POST', url: '/v1/admin/models/pop/reload', headers: { authorization: 'Bearer s3cret' } });
    expect(withToken.statusCode).toBe(200);
    await guarded.close();
  });
});

describe('swapping versions', () => {
  it('a new version written into the folder swaps in under load without a dropped or failed request', async (ctx) => {
    await ready(ctx);
    const folder = join(root, 'swap');
    cpSync(join(root, 'bpr'), folder, { recursive: true });
    await store.load('swap', 'swap');
    const before = store.get('swap').version;
    const flood = Array.from({ length: 300 }, (_, n) => post('/v1/models/swap/recommend', { user: reference.users.idOf(n % 900), k: 10 }));
    cpSync(join(root, 'bpr-next'), folder, { recursive: true });
    const reload = app.inject({ method: 'POST', url: '/v1/admin/models/swap/reload' });
    const more = Array.from({ length: 300 }, (_, n) => post('/v1/models/swap/recommend', { user: reference.users.idOf(n % 900), k: 10 }));
    const responses = await Promise.all([...flood, ...more]);
    const swapped = await reload;
    expect(swapped.statusCode).toBe(200);
    expect(swapped.json()).toMatchObject({ name: 'swap', replaced: before });
    const after = store.get('swap').version;
    expect(after).not.toBe(before);
    expect(responses.every((r) => r.statusCode === 200)).toBe(true);
    const versions = new Set(responses.map((r) => r.json().version));
    for (const v of versions) expect([before, after]).toContain(v);
    // The new version answers as the folder's new model does.
    const next = await loadTrainedModel(join(root, 'bpr-next'));
    expect((await post('/v1/models/swap/recommend', { user: '196' })).json().recommendations).toEqual(await next.recommend('196'));
  });

  it('a folder that fails to load leaves the old version serving', async (ctx) => {
    await ready(ctx);
    const folder = join(root, 'broken');
    cpSync(join(root, 'bpr'), folder, { recursive: true });
    await store.load('broken', 'broken');
    const version = store.get('broken').version;
    writeFileSync(join(folder, 'model.safetensors'), 'not a safetensors file');
    const res = await app.inject({ method: 'POST', url: '/v1/admin/models/broken/reload' });
    expect(res.statusCode).toBe(422);
    expect(res.json().message).toMatch(new RegExp(`did not load .*model\\.safetensors.*version ${version} keeps serving`));
    noStack(res.body);
    const still = await post('/v1/models/broken/recommend', { user: '196' });
    expect(still.statusCode).toBe(200);
    expect(still.json().version).toBe(version);
  });
});

describe('approximate top-K (usearch)', () => {
  it('builds an HNSW index at load, measures its recall@10 against exact, and answers through it', async (ctx) => {
    await ready(ctx);
    const annStore = await ModelStore.open(root, undefined, { ann: { minItems: 0, sampleUsers: 300 } });
    await annStore.load('bpr', 'bpr');
    const v = annStore.get('bpr');
    expect(v.ann!.report).toMatchObject({ items: 1682, sampledUsers: 300 });
    expect(v.ann!.report.recallAt10).toBeGreaterThan(0.9);
    const annApp = await buildServer({ store: annStore });
    const info = (await annApp.inject({ method: 'GET', url: '/v1/models/bpr' })).json();
    expect(info.ann.recallAt10).toBe(v.ann!.report.recallAt10);
    const approx = (await annApp.inject({ method: 'POST', url: '/v1/models/bpr/recommend', payload: { user: '196', k: 10 } })).json();
    expect(approx.ranking).toBe('approximate');
    const exact = await reference.recommend('196', { k: 10 });
    const overlap = approx.recommendations.filter((r: { id: number }) => exact.some((e) => e.id === r.id)).length;
    expect(overlap).toBeGreaterThanOrEqual(8);
    const seen = new Set(history);
    for (const r of approx.recommendations) expect(seen.has(r.id)).toBe(false);
    // A category filter is answered exactly.
    const filtered = (await annApp.inject({ method: 'POST', url: '/v1/models/bpr/recommend', payload: { user: '196', category: 'Drama' } })).json();
    expect(filtered.ranking).toBe('exact');
    // Below the size threshold there is no index.
    const small = await ModelStore.open(root, undefined, { ann: { minItems: 1_000_000 } });
    await small.load('bpr', 'bpr');
    expect(small.get('bpr').ann).toBeUndefined();
    await annApp.close();
  });
});

describe('operations', () => {
  it('health, readiness, Prometheus metrics and the OpenAPI document', async (ctx) => {
    await ready(ctx);
    expect((await app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
    expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    const empty = await buildServer({ store: await ModelStore.open(mkdirAndReturn(join(root, 'empty'))) });
    expect((await empty.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(503);
    await empty.close();
    await post('/v1/models/bpr/recommend', { user: '196' });
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/rec_http_requests_total\{method="POST",route="\/v1\/models\/:name\/recommend",status="200"\} \d+/);
    expect(metrics).toMatch(/rec_http_request_duration_seconds_bucket\{le="0.005",method="POST",route="\/v1\/models\/:name\/recommend"\}/);
    expect(metrics).toMatch(new RegExp(`rec_model_info\\{name="bpr",model="bpr",version="${store.get('bpr').version}"\\} 1`));
    const docs = (await app.inject({ method: 'GET', url: '/docs' })).json();
    expect(docs.openapi).toBe('3.0.3');
    for (const path of ['/v1/models/{name}/recommend', '/v1/models/{name}/recommend/new-user', '/v1/models/{name}/similar', '/v1/models/{name}/categories', '/v1/models/{name}/ratings']) {
      expect(docs.paths[path], path).toBeDefined();
    }
  });
});

function mkdirAndReturn(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
