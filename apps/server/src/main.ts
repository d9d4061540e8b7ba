/**
 * The server program (`rec serve` runs it; installed, it is also the `rec-server` bin):
 * parses the command line, picks the backend, loads the folders and serves them until
 * SIGINT or SIGTERM. A failure before listening is one line on stderr and exit code 1.
 *
 *   rec serve <modelDir>… [--root <dir>] [--port 8080] [--host 127.0.0.1] [--ann]
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { resolveBackend } from '@rec/core';
import { nativeThreads, registerFastBackends } from '@rec/kernels';
import cluster, { type Worker } from 'node:cluster';
import { Command, CommanderError } from 'commander';
import { type RunningServer, serve } from './index.js';
import { ModelStore } from './models.js';

/** Options as commander parses them. */
interface MainOptions {
  root?: string;
  port: string;
  host: string;
  adminToken?: string;
  backend?: string;
  log: string;
  ann?: boolean;
  annMinItems?: string;
  workers: string;
  coalesce: boolean;
}

/**
 * Runs the server program with `argv` (without node and the script) until it closes.
 * @returns the exit code.
 * @example
 * ```ts
 * process.exitCode = await main(['runs/ml-100k/bpr', '--port', '8080']);
 * ```
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('rec serve')
    .description('serve saved models over HTTP (fastify): recommend, new users from their items, similar items, categories, ratings; /docs, /metrics, /health, /ready')
    .argument('<modelDir...>', "model folders written by rec train, each served under its folder's name, or NAME=DIR")
    .option('--root <dir>', 'the model root: every folder served (now or by the admin routes) must lie inside it (default: the current folder)')
    .option('--port <n>', 'port to listen on (0: any free port)', '8080')
    .option('--host <address>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('--admin-token <token>', 'token the admin routes require (default REC_ADMIN_TOKEN; without one they answer only loopback requests)')
    .option('--backend <name>', 'js, native or webgpu (default: REC_BACKEND, else the fastest that loads)')
    .option('--ann', 'approximate top-K (usearch HNSW) for catalogues of 1,000,000 items or more; its recall@10 against exact is measured and logged at load')
    .option('--ann-min-items <n>', 'the catalogue size from which --ann applies (implies --ann; 0: every model with dot-product factors)')
    .option('--workers <n>', 'processes serving the same port (node:cluster), each with its own copy of the models and cores / n kernel threads (unless REC_THREADS is set); a reload reaches every one', '1')
    .option('--no-coalesce', 'rank each recommend request on its own (by default the requests that arrive together share one pass over the item table; answers are the same)')
    .option('--log <level>', 'level of the JSON log lines on stdout: debug, info, warn, error or silent', 'info')
    .exitOverride();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    const [dirs] = program.processedArgs as [string[]];
    const opts = program.opts<MainOptions>();
    if (!/^\d+$/.test(opts.workers) || Number(opts.workers) < 1 || Number(opts.workers) > 64) throw new Error(`--workers: expected 1..64, got '${opts.workers}'`);
    if (Number(opts.workers) > 1 && cluster.isPrimary) return await supervise(Number(opts.workers));
    const server = await start(dirs, opts);
    if (cluster.isWorker) relayLoads(server);
    await server.closed;
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    process.stderr.write(`rec serve: ${(err as Error).message.replace(/\s*\n\s*/g, ' ')}\n`);
    return 1;
  }
}

async function start(dirs: string[], opts: MainOptions) {
  if (!/^\d+$/.test(opts.port) || Number(opts.port) > 65535) throw new Error(`--port: expected a port number 0..65535, got '${opts.port}'`);
  if (!['info', 'warn', 'error', 'silent', 'debug'].includes(opts.log)) throw new Error(`--log: expected debug, info, warn, error or silent, got '${opts.log}'`);
  if (opts.annMinItems !== undefined && !/^\d+$/.test(opts.annMinItems)) throw new Error(`--ann-min-items: expected a whole number, got '${opts.annMinItems}'`);
  const models: Record<string, string> = {};
  for (const arg of dirs) {
    const eq = arg.indexOf('=');
    const [name, dir] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [ModelStore.nameOf(arg), arg];
    ModelStore.checkName(name);
    if (models[name] !== undefined) throw new Error(`two folders would be served as '${name}' (${models[name]} and ${dir}); name them NAME=DIR`);
    models[name] = resolve(dir);
  }
  const ann = opts.ann || opts.annMinItems !== undefined ? { minItems: opts.annMinItems !== undefined ? Number(opts.annMinItems) : 1_000_000 } : undefined;
  registerFastBackends();
  const backend = await resolveBackend({ prefer: opts.backend });
  const server = await serve({
    root: opts.root ?? process.cwd(),
    models,
    port: Number(opts.port),
    host: opts.host,
    logger: opts.log === 'silent' ? false : { level: opts.log },
    adminToken: opts.adminToken ?? process.env.REC_ADMIN_TOKEN,
    coalesce: opts.coalesce,
    ...(ann ? { ann } : {}),
  });
  const worker = cluster.isWorker ? ` (worker ${cluster.worker!.id})` : '';
  process.stderr.write(`serving ${Object.keys(models).join(', ')} on ${server.url} (backend ${backend.name}${backend.name === 'native' ? `, ${nativeThreads()} kernel thread(s)` : ''})${worker}; OpenAPI at ${server.url}/docs\n`);
  return server;
}

/**
 * What a worker's environment adds: each worker's kernels get an equal share of the cores
 * (REC_THREADS = ⌊cores / workers⌋, at least 1) unless REC_THREADS is set; two workers of
 * all the cores each would oversubscribe them.
 * @example
 * ```ts
 * workerEnv(2, 8, {}); // { REC_THREADS: '4' }
 * ```
 */
export function workerEnv(workers: number, cores: number, env: NodeJS.ProcessEnv): Record<string, string> {
  return env.REC_THREADS ? {} : { REC_THREADS: String(Math.max(1, Math.floor(cores / workers))) };
}

/** A load done by one worker (an admin route), for the primary to pass to the others. */
interface LoadMessage {
  readonly kind: 'rec-serve-load';
  readonly name: string;
  readonly path: string;
}

const isLoadMessage = (m: unknown): m is LoadMessage => typeof m === 'object' && m !== null && (m as LoadMessage).kind === 'rec-serve-load';

/**
 * The primary of `--workers n`: forks the workers (each runs this program with the same
 * arguments and shares the port, with REC_THREADS = cores / n unless set), passes SIGHUP on to every worker, passes a load one worker
 * did on to the others, and on SIGINT/SIGTERM lets each worker close after its requests.
 * A worker that dies unasked ends the whole server (exit 1), rather than serving with fewer
 * processes than asked.
 * @returns the exit code.
 */
function supervise(count: number): Promise<number> {
  const env = workerEnv(count, availableParallelism(), process.env);
  const workers: Worker[] = Array.from({ length: count }, () => cluster.fork(env));
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => () => {
    stopping = true;
    for (const w of workers) w.process.kill(signal);
  };
  const hup = () => {
    for (const w of workers) w.process.kill('SIGHUP');
  };
  process.on('SIGINT', stop('SIGINT'));
  process.on('SIGTERM', stop('SIGTERM'));
  process.on('SIGHUP', hup);
  for (const w of workers) {
    w.on('message', (message: unknown) => {
      if (!isLoadMessage(message)) return;
      for (const other of workers) if (other !== w && other.isConnected()) other.send(message);
    });
  }
  return new Promise((resolve) => {
    let left = count;
    let failed = false;
    cluster.on('exit', (w, code) => {
      if (code !== 0) failed = true;
      if (!stopping) {
        stopping = true;
        process.stderr.write(`rec serve: worker ${w.id} exited (${code}); stopping the others\n`);
        for (const other of workers) if (other !== w) other.process.kill('SIGTERM');
      }
      if (--left === 0) resolve(failed ? 1 : 0);
    });
  });
}

/** In a worker: tells the primary of each load done here, and does the loads done elsewhere. */
function relayLoads(server: RunningServer): void {
  server.store.onLoaded = (name, path) => process.send?.({ kind: 'rec-serve-load', name, path } satisfies LoadMessage);
  const onMessage = (message: unknown): void => {
    if (isLoadMessage(message)) void server.store.load(message.name, message.path, { relay: false }).catch(() => undefined);
  };
  process.on('message', onMessage);
  // The IPC channel would keep a closed worker alive.
  void server.closed.then(() => {
    process.off('message', onMessage);
    process.disconnect?.();
  });
}
