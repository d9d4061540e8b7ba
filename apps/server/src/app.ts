/**
 * The HTTP API over a {@link ModelStore}: fastify routes with JSON schemas (validated
 * requests, serialised responses, an OpenAPI document at `/docs`), Prometheus metrics,
 * health and readiness, and one clear 4xx message for every bad request.
 */
import swagger from '@fastify/swagger';
import { UnknownIdError, UnsupportedRequestError, type Recommendation } from '@rec/models';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { RecommendCoalescer } from './coalesce.js';
import { ModelLoadError, ModelPathError, ModelStore, type ModelVersion, UnknownModelError } from './models.js';

/** Options of {@link buildServer}. */
export interface ServerOptions {
  readonly store: ModelStore;
  /** fastify's logger: `true` (JSON lines on stdout), a pino option object, or `false` (default). */
  readonly logger?: FastifyServerOptions['logger'];
  /** Largest request body in bytes (default 1 MiB). */
  readonly bodyLimit?: number;
  /** Largest `k` (default 1,000). */
  readonly maxK?: number;
  /** Most users, items or pairs in one request (default 1,000 users or items, 10,000 pairs). */
  readonly maxBatch?: number;
  /**
   * A token the admin routes require as `Authorization: Bearer <token>`; without one they answer
   * only requests from the loopback address.
   */
  readonly adminToken?: string;
  /**
   * Rank the small recommend requests that arrive together in one kernel call (default true;
   * see {@link RecommendCoalescer}). Answers are the same either way.
   */
  readonly coalesce?: boolean;
}

/** An id as the dataset's files have it: a string, or an integer where the ids are numbers. */
const RAW_ID = { anyOf: [{ type: 'string', minLength: 1, maxLength: 256 }, { type: 'integer' }] } as const;
const CATEGORY = { anyOf: [{ type: 'string', minLength: 1, maxLength: 256 }, { type: 'integer', minimum: 0 }] } as const;

const RECOMMENDATION = {
  type: 'object',
  properties: { rank: { type: 'integer' }, id: RAW_ID, name: { type: 'string' }, score: { type: 'number' } },
  required: ['rank', 'id', 'score'],
} as const;
const LIST = { type: 'array', items: RECOMMENDATION } as const;
const ERROR = { type: 'object', properties: { statusCode: { type: 'integer' }, error: { type: 'string' }, message: { type: 'string' } } } as const;
const ERRORS = { 400: ERROR, 404: ERROR, 413: ERROR, 415: ERROR, 422: ERROR, 500: ERROR, 503: ERROR } as const;
const NAME_PARAM = { type: 'object', properties: { name: { type: 'string', maxLength: 128 } }, required: ['name'] } as const;

const MODEL_INFO = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    model: { type: 'string' },
    title: { type: 'string' },
    version: { type: 'string' },
    loadedAt: { type: 'string' },
    numUsers: { type: 'integer' },
    numItems: { type: 'integer' },
    data: { type: 'string' },
    outputs: { type: 'array', items: { type: 'string' } },
    abilities: {
      type: 'object',
      properties: { foldIn: { anyOf: [{ type: 'string' }, { type: 'boolean' }] }, similarItems: { type: 'boolean' }, categoryFilter: { type: 'boolean' } },
    },
    ann: {
      type: 'object',
      description: 'the approximate index top-K goes through, and its recall@10 against exact top-K measured at load',
      properties: { recallAt10: { type: 'number' }, sampledUsers: { type: 'integer' }, buildSeconds: { type: 'number' }, items: { type: 'integer' } },
    },
  },
} as const;

/** The properties of a body naming one user (`user`) or a batch (`users`), with `k`. */
const USERS_BODY = { user: RAW_ID, users: { type: 'array', items: RAW_ID, minItems: 1 }, k: { type: 'integer', minimum: 1 } } as const;

/** The 200 schema of a per-user answer listed under `key`: one user's list, or `results` for a batch. */
function perUserResponse(key: 'recommendations' | 'categories', extra: Record<string, object> = {}) {
  return {
    type: 'object',
    properties: {
      model: { type: 'string' }, version: { type: 'string' }, ...extra, user: RAW_ID, [key]: LIST,
      results: { type: 'array', items: { type: 'object', properties: { user: RAW_ID, [key]: LIST } } },
    },
  } as const;
}

/** A per-user answer: `{ user, [key]: list }` when the body named one user, else `{ results }`. */
function perUser<K extends string>(head: object, body: { user?: unknown }, users: readonly (string | number)[], lists: readonly Recommendation[][], key: K) {
  return body.user !== undefined ? { ...head, user: body.user, [key]: lists[0] } : { ...head, results: users.map((user, n) => ({ user, [key]: lists[n] })) };
}

interface RecommendBody {
  user?: string | number;
  users?: (string | number)[];
  k?: number;
  excludeSeen?: boolean;
  category?: string | number;
}

/** A JSON body that did not parse, with the parser's error: answered 400 before validation. */
class UnparsedBody {
  constructor(readonly error: Error) {}
}

/** An error with the HTTP status it answers with. */
class HttpError extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
  }
}

/**
 * The fastify app serving `options.store`'s models. Call `listen` on it, or `inject` in tests.
 * @example
 * ```ts
 * const app = await buildServer({ store: await ModelStore.open('runs') });
 * await app.listen({ port: 8080, host: '127.0.0.1' });
 * ```
 */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { store } = options;
  const maxK = options.maxK ?? 1000;
  const maxBatch = options.maxBatch ?? 1000;
  const maxPairs = Math.max(maxBatch, 10_000);
  const bodyLimit = options.bodyLimit ?? 1 << 20;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit,
    // Types are checked as sent: "5" is not an integer k and 5 is not a boolean.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    return503OnClosing: true,
  });
  // Bodies are JSON only: a text/plain body is refused (415) rather than parsed as a string.
  app.removeContentTypeParser('text/plain');
  // A body that is not JSON is answered 400 on a connection kept open: fastify closes the
  // connection after any body-parser error (the client may still be sending), but a body read
  // to its end leaves nothing unread, and a flood of broken JSON would otherwise cost every
  // client a new connection per request. Bodies over the limit still close it.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parseJson(request, body as string, (err, value) => (err ? done(null, new UnparsedBody(err)) : done(null, value)));
  });
  app.addHook('preValidation', async (request) => {
    if (request.body instanceof UnparsedBody) throw request.body.error;
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: '@rec server', version: '1', description: 'Recommendations from trained @rec models, by raw ids.' },
    },
  });
  const metrics = serverMetrics(store);
  /** Each version's coalescer: the single-user requests that arrive together share one ranking pass. */
  const coalescers = new WeakMap<ModelVersion, RecommendCoalescer>();
  const coalescerOf = (v: ModelVersion): RecommendCoalescer => {
    let c = coalescers.get(v);
    if (!c) {
      c = new RecommendCoalescer(v.model, { onBatch: (users) => metrics.batchUsers.observe({ model: v.name }, users) });
      coalescers.set(v, c);
    }
    return c;
  };

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unknown';
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, message } = describeError(error, bodyLimit);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ status, reason: message }, 'bad request');
    void reply.status(status).send({ statusCode: status, error: statusText(status), message });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ statusCode: 404, error: 'Not Found', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });

  /** A body with `k` checked against the server's limit. */
  const kOf = (k: number | undefined): number => {
    const value = k ?? 10;
    if (value > maxK) throw new HttpError(400, `k must be at most ${maxK}, got ${value}`);
    return value;
  };
  const batchOf = <T>(list: T[] | undefined, what: string, limit = maxBatch): T[] | undefined => {
    if (list && list.length > limit) throw new HttpError(400, `too many ${what}: ${list.length}, at most ${limit} per request`);
    return list;
  };
  const info = (v: ModelVersion) => ({
    name: v.name,
    model: v.model.name,
    title: v.model.manifest?.title ?? v.model.name,
    version: v.version,
    loadedAt: v.loadedAt,
    numUsers: v.model.users.size,
    numItems: v.model.items.size,
    ...(v.model.data ? { data: v.model.data.name } : {}),
    outputs: [...v.abilities.outputs],
    abilities: { foldIn: v.abilities.foldIn, similarItems: v.abilities.similarItems, categoryFilter: v.abilities.categoryFilter },
    ...(v.ann ? { ann: v.ann.report } : {}),
  });

  app.get('/health', { schema: { summary: 'The process is up', response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } }, async () => ({ status: 'ok' }));
  app.get('/ready', {
    schema: { summary: 'At least one model is loaded', response: { 200: { type: 'object', properties: { status: { type: 'string' }, models: { type: 'integer' } } }, 503: ERROR } },
  }, async (_request, reply) => {
    const n = store.names().length;
    if (n === 0) return reply.status(503).send({ statusCode: 503, error: 'Service Unavailable', message: 'no model is loaded' });
    return { status: 'ready', models: n };
  });
  app.get('/metrics', { schema: { summary: 'Prometheus metrics', hide: true } }, async (_request, reply) => {
    void reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  app.get('/docs', { schema: { hide: true } }, async () => app.swagger());

  app.get('/v1/models', { schema: { summary: 'The served models', response: { 200: { type: 'object', properties: { models: { type: 'array', items: MODEL_INFO } } } } } }, async () => ({
    models: store.list().map(info),
  }));
  app.get<{ Params: { name: string } }>('/v1/models/:name', { schema: { summary: 'One served model', params: NAME_PARAM, response: { 200: MODEL_INFO, ...ERRORS } } }, async (request) =>
    info(store.get(request.params.name)),
  );

  app.post<{ Params: { name: string }; Body: RecommendBody }>('/v1/models/:name/recommend', {
    schema: {
      summary: 'Top-K items for a known user (`user`) or a batch (`users`), by raw id',
      params: NAME_PARAM,
      body: {
        type: 'object',
        additionalProperties: false,
        properties: {
          ...USERS_BODY,
          excludeSeen: { type: 'boolean', description: "leave out the user's training items (default true)" },
          category: { ...CATEGORY, description: 'only items of this category (name or index)' },
        },
      },
      response: { 200: perUserResponse('recommendations', { ranking: { type: 'string', enum: ['exact', 'approximate'] } }), ...ERRORS },
    },
  }, async (request) => {
    const body = request.body;
    const users = usersOf(body, batchOf(body.users, 'users'));
    const k = kOf(body.k);
    return store.use(request.params.name, async (v) => {
      // The approximate index answers when the model has one and no category filter applies.
      const approximate = v.ann !== undefined && body.category === undefined;
      const asked = { k, excludeSeen: body.excludeSeen, ...(body.category !== undefined ? { category: body.category } : {}) };
      const lists = approximate
        ? users.map((user) => v.ann!.recommend(user, k, body.excludeSeen !== false))
        : options.coalesce === false ? await v.model.recommendMany(users, asked) : await coalescerOf(v).recommend(users, asked);
      return perUser({ model: v.name, version: v.version, ranking: approximate ? 'approximate' : 'exact' }, body, users, lists, 'recommendations');
    });
  });

  app.post<{ Params: { name: string }; Body: { items: (string | number)[]; k?: number; excludeGiven?: boolean; category?: string | number } }>('/v1/models/:name/recommend/new-user', {
    schema: {
      summary: 'Top-K items for a user the model has not seen, from their recent items (oldest first)',
      params: NAME_PARAM,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['items'],
        properties: {
          items: { type: 'array', items: RAW_ID, minItems: 1 },
          k: { type: 'integer', minimum: 1 },
          excludeGiven: { type: 'boolean', description: 'leave out the given items (default true)' },
          category: CATEGORY,
        },
      },
      response: { 200: { type: 'object', properties: { model: { type: 'string' }, version: { type: 'string' }, foldIn: { type: 'string' }, recommendations: LIST } }, ...ERRORS },
    },
  }, async (request) => {
    const body = request.body;
    const items = batchOf(body.items, 'items')!;
    const k = kOf(body.k);
    return store.use(request.params.name, async (v) => {
      const recommendations = await v.model.recommendForItems(items, { k, excludeGiven: body.excludeGiven, ...(body.category !== undefined ? { category: body.category } : {}) });
      return { model: v.name, version: v.version, foldIn: String(v.abilities.foldIn), recommendations };
    });
  });

  app.post<{ Params: { name: string }; Body: { item: string | number; k?: number } }>('/v1/models/:name/similar', {
    schema: {
      summary: "An item's most similar items (cosine between the model's item vectors)",
      params: NAME_PARAM,
      body: { type: 'object', additionalProperties: false, required: ['item'], properties: { item: RAW_ID, k: { type: 'integer', minimum: 1 } } },
      response: { 200: { type: 'object', properties: { model: { type: 'string' }, version: { type: 'string' }, item: RAW_ID, similar: LIST } }, ...ERRORS },
    },
  }, async (request) => {
    const k = kOf(request.body.k);
    return store.use(request.params.name, async (v) => ({ model: v.name, version: v.version, item: request.body.item, similar: await v.model.similarItems(request.body.item, { k }) }));
  });

  app.post<{ Params: { name: string }; Body: { user?: string | number; users?: (string | number)[]; k?: number } }>('/v1/models/:name/categories', {
    schema: {
      summary: 'Top-K categories for a user or a batch (models that score categories)',
      params: NAME_PARAM,
      body: { type: 'object', additionalProperties: false, properties: USERS_BODY },
      response: { 200: perUserResponse('categories'), ...ERRORS },
    },
  }, async (request) => {
    const body = request.body;
    const users = usersOf(body, batchOf(body.users, 'users'));
    const k = kOf(body.k);
    return store.use(request.params.name, async (v) => {
      const lists = await v.model.recommendMany(users, { k, output: 'categories' });
      return perUser({ model: v.name, version: v.version }, body, users, lists, 'categories');
    });
  });

  app.post<{ Params: { name: string }; Body: { pairs: { user: string | number; item: string | number }[] } }>('/v1/models/:name/ratings', {
    schema: {
      summary: 'Predicted ratings of (user, item) pairs (models that predict ratings)',
      params: NAME_PARAM,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['pairs'],
        properties: { pairs: { type: 'array', minItems: 1, items: { type: 'object', additionalProperties: false, required: ['user', 'item'], properties: { user: RAW_ID, item: RAW_ID } } } },
      },
      response: { 200: { type: 'object', properties: { model: { type: 'string' }, version: { type: 'string' }, ratings: { type: 'array', items: { type: 'number' } } } }, ...ERRORS },
    },
  }, async (request) => {
    const pairs = batchOf(request.body.pairs, 'pairs', maxPairs)!;
    return store.use(request.params.name, async (v) => ({ model: v.name, version: v.version, ratings: [...(await v.model.predictRatings(pairs))] }));
  });

  // Admin: load a new model or a new version of one. Loopback only unless a token is set.
  const admin = async (request: FastifyRequest): Promise<void> => {
    if (options.adminToken !== undefined) {
      if (request.headers.authorization !== `Bearer ${options.adminToken}`) throw new HttpError(401, 'admin routes need Authorization: Bearer <token>');
    } else if (!isLoopback(request.ip)) {
      throw new HttpError(403, 'admin routes answer only the loopback address when the server has no admin token');
    }
  };
  const LOAD_RESULT = { type: 'object', properties: { name: { type: 'string' }, version: { type: 'string' }, replaced: { type: 'string' } } } as const;
  app.post<{ Params: { name: string } }>('/v1/admin/models/:name/reload', {
    preHandler: admin,
    schema: { summary: "Reload a model from its folder (a new version written there); on failure the old version keeps serving", params: NAME_PARAM, response: { 200: LOAD_RESULT, ...ERRORS } },
  }, async (request) => store.reload(request.params.name));
  app.put<{ Params: { name: string }; Body: { path: string } }>('/v1/admin/models/:name', {
    preHandler: admin,
    schema: {
      summary: 'Load a model folder (a path inside the model root) under a name, replacing any model of that name',
      params: NAME_PARAM,
      body: { type: 'object', additionalProperties: false, required: ['path'], properties: { path: { type: 'string', minLength: 1, maxLength: 4096 } } },
      response: { 200: LOAD_RESULT, ...ERRORS },
    },
  }, async (request) => store.load(request.params.name, request.body.path));

  return app;
}

/** The users a recommend body names: `user` or `users`, exactly one of them. */
function usersOf(body: { user?: string | number; users?: (string | number)[] }, users: (string | number)[] | undefined): (string | number)[] {
  if ((body.user === undefined) === (users === undefined)) throw new HttpError(400, "give exactly one of 'user' (one id) or 'users' (a list of ids)");
  return users ?? [body.user!];
}

function isLoopback(ip: string): boolean {
  return ip === '127.0.0.1' || ip === '::1' || ip === '::ffff:127.0.0.1';
}

/** The status and one-line message of an error; internal errors say no more than that. */
function describeError(error: FastifyError | Error, bodyLimit: number): { status: number; message: string } {
  const code = (error as FastifyError).code;
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { status: 415, message: 'send the body as JSON with content-type: application/json' };
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, message: `the request body is larger than the server's limit of ${bodyLimit} bytes` };
  if (error instanceof HttpError) return { status: error.statusCode, message: error.message };
  if (error instanceof UnknownModelError || error instanceof UnknownIdError) return { status: 404, message: error.message };
  if (error instanceof UnsupportedRequestError || error instanceof ModelLoadError) return { status: 422, message: error.message };
  if (error instanceof ModelPathError || error instanceof RangeError) return { status: 400, message: error.message };
  const fastify = error as FastifyError;
  if (fastify.validation) {
    const first = fastify.validation[0];
    const extra = (first?.params as { additionalProperty?: string } | undefined)?.additionalProperty;
    const what = `${fastify.validationContext ?? 'request'}${first?.instancePath ?? ''}`;
    return { status: 400, message: extra !== undefined ? `${what} has an unknown field '${extra}'` : `${what} ${first?.message ?? 'is invalid'}` };
  }

  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) return { status: fastify.statusCode, message: fastify.message };
  return { status: 500, message: 'internal error (see the server log)' };
}

function statusText(status: number): string {
  return ({ 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Entity', 503: 'Service Unavailable' } as Record<number, string>)[status] ?? 'Internal Server Error';
}

/** The server's Prometheus registry: request counts, latency, and one gauge per served model version. */
function serverMetrics(store: ModelStore) {
  const registry = new Registry();
  const requests = new Counter({ name: 'rec_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const latency = new Histogram({
    name: 'rec_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route'],
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const batchUsers = new Histogram({
    name: 'rec_recommend_batch_users',
    help: 'Users ranked per top-K kernel call (recommend requests arriving together are ranked together)',
    labelNames: ['model'],
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [registry],
  });
  new Gauge({
    name: 'rec_model_info',
    help: 'The model versions served (value 1)',
    labelNames: ['name', 'model', 'version'],
    registers: [registry],
    collect() {
      this.reset();
      for (const v of store.list()) this.set({ name: v.name, model: v.model.name, version: v.version }, 1);
    },
  });
  return { registry, requests, latency, batchUsers };
}
