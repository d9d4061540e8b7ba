/**
 * `@rec/server`: trained @rec models over HTTP (fastify). `serve` is what `rec serve` runs;
 * `buildServer` and `ModelStore` are its parts, for embedding the API in another app.
 */
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { buildServer } from './app.js';
import type { AnnOptions } from './ann.js';
import { ModelPathError, ModelStore, type StoreEvent } from './models.js';

export { AnnRanker, type AnnOptions, type AnnReport } from './ann.js';
export { buildServer, type ServerOptions } from './app.js';
export { type CoalesceOptions, RecommendCoalescer } from './coalesce.js';
export { ModelLoadError, ModelPathError, ModelStore, UnknownModelError, type LoadResult, type ModelVersion, type StoreEvent } from './models.js';

/** Options of {@link serve}. */
export interface ServeOptions {
  /** The model root: every folder served must lie inside it. */
  readonly root: string;
  /** The models to load at start: name → folder (relative to the root, or absolute inside it). */
  readonly models: Readonly<Record<string, string>>;
  readonly port?: number;
  readonly host?: string;
  readonly logger?: FastifyServerOptions['logger'];
  readonly adminToken?: string;
  readonly bodyLimit?: number;
  /** Approximate top-K for large catalogues (default: exact always). */
  readonly ann?: AnnOptions;
  /** Rank the recommend requests that arrive together in one kernel call (default true; answers are the same). */
  readonly coalesce?: boolean;
  /** Reload every model on SIGHUP and close gracefully on SIGINT/SIGTERM (default true). */
  readonly signals?: boolean;
}

/** A listening server. */
export interface RunningServer {
  readonly app: FastifyInstance;
  readonly store: ModelStore;
  /** `http://host:port`. */
  readonly url: string;
  /** Stops accepting, lets requests in flight finish, then closes. */
  close(): Promise<void>;
  /** Resolves once the server has closed (by `close` or a signal). */
  readonly closed: Promise<void>;
}

/**
 * Loads the models, then listens. A model that fails to load at start fails the start
 * (one message naming it); later reloads that fail keep the old version serving.
 * @example
 * ```ts
 * const server = await serve({ root: 'runs', models: { bpr: 'ml-100k/bpr' }, port: 8080 });
 * // curl -s localhost:8080/v1/models/bpr/recommend -H 'content-type: application/json' -d '{"user":"196"}'
 * await server.close();
 * ```
 */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  const names = Object.keys(options.models);
  if (names.length === 0) throw new Error('serve: name at least one model folder');
  let report: (event: StoreEvent) => void = () => {};
  const store = await ModelStore.open(options.root, (event) => report(event), options.ann ? { ann: options.ann } : {});
  const app = await buildServer({ store, logger: options.logger, adminToken: options.adminToken, bodyLimit: options.bodyLimit, coalesce: options.coalesce });
  report = (event) => {
    if (event.kind === 'loaded') {
      const ann = event.ann ? `; approximate top-K over ${event.ann.items} items, recall@10 ${event.ann.recallAt10.toFixed(3)} against exact on ${event.ann.sampledUsers} users (built in ${event.ann.buildSeconds.toFixed(1)} s)` : '';
      app.log.info(event, `model ${event.name} version ${event.version} loaded${ann}`);
    }
    else app.log.error(event, `model ${event.name} failed to load${event.serving ? `; version ${event.serving} keeps serving` : ''}`);
  };
  for (const name of names) {
    try {
      await store.load(name, options.models[name]!);
    } catch (err) {
      await app.close();
      throw err instanceof ModelPathError ? new Error(`model '${name}': ${err.message}`) : err;
    }
  }
  const closed = new Promise<void>((done) => app.addHook('onClose', async () => done()));
  const address = await app.listen({ port: options.port ?? 8080, host: options.host ?? '127.0.0.1' });
  const handlers: [NodeJS.Signals, () => void][] = [];
  const close = async (): Promise<void> => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
    await app.close();
  };
  if (options.signals !== false) {
    const reload = (): void => {
      app.log.info('SIGHUP: reloading every model from its folder');
      void store.reloadAll();
    };
    const stop = (): void => {
      app.log.info('closing: waiting for requests in flight');
      void close();
    };
    handlers.push(['SIGHUP', reload], ['SIGINT', stop], ['SIGTERM', stop]);
    for (const [signal, handler] of handlers) process.on(signal, handler);
  }
  return { app, store, url: address, close, closed };
}
