/**
 * `rec serve <modelDir>…`: saved models over HTTP (`@rec/server`): top-K by raw user id,
 * batches, new users from their items, similar items, categories and ratings where the
 * model has them, with an OpenAPI document at `/docs`, Prometheus metrics at `/metrics`,
 * `SIGHUP` to reload every folder and `SIGTERM` to stop after the requests in flight.
 */
import { resolve } from 'node:path';
import { ModelStore, serve } from '@rec/server';
import type { Command } from 'commander';
import { type CommandContext, useBackend } from './context.js';

/** Options of `rec serve`, as commander parses them. */
interface ServeOptions {
  root?: string;
  port: string;
  host: string;
  adminToken?: string;
  backend?: string;
  log: string;
}

/**
 * Registers `rec serve` on `program`.
 * @example
 * ```ts
 * registerServeCommand(program, context);
 * await program.parseAsync(['serve', 'runs/ml-100k/bpr', '--port', '8080'], { from: 'user' });
 * ```
 */
export function registerServeCommand(program: Command, context: CommandContext): void {
  program
    .command('serve')
    .description('serve saved models over HTTP (fastify): recommend, new users from their items, similar items, categories, ratings; /docs, /metrics, /health, /ready')
    .argument('<modelDir...>', "model folders written by rec train, each served under its folder's name, or NAME=DIR")
    .option('--root <dir>', 'the model root: every folder served (now or by the admin routes) must lie inside it (default: the current folder)')
    .option('--port <n>', 'port to listen on', '8080')
    .option('--host <address>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('--admin-token <token>', 'token the admin routes require (default REC_ADMIN_TOKEN; without one they answer only loopback requests)')
    .option('--backend <name>', 'js, native or webgpu (default: REC_BACKEND, else the fastest that loads)')
    .option('--log <level>', 'log level of the JSON log lines on stdout: info, warn, error, silent', 'info')
    .action((dirs: string[], opts: ServeOptions) => serveCommand(context, dirs, opts));
}

async function serveCommand(context: CommandContext, dirs: string[], opts: ServeOptions): Promise<void> {
  if (!/^\d+$/.test(opts.port) || Number(opts.port) > 65535) throw new Error(`--port: expected a port number 0..65535, got '${opts.port}'`);
  if (!['info', 'warn', 'error', 'silent', 'debug'].includes(opts.log)) throw new Error(`--log: expected info, warn, error, debug or silent, got '${opts.log}'`);
  const models: Record<string, string> = {};
  for (const arg of dirs) {
    const eq = arg.indexOf('=');
    const [name, dir] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [ModelStore.nameOf(arg), arg];
    ModelStore.checkName(name);
    if (models[name] !== undefined) throw new Error(`two folders would be served as '${name}' (${models[name]} and ${dir}); name them NAME=DIR`);
    models[name] = resolve(dir);
  }
  const backend = await useBackend(context.io, opts.backend, true);
  const server = await serve({
    root: opts.root ?? process.cwd(),
    models,
    port: Number(opts.port),
    host: opts.host,
    logger: opts.log === 'silent' ? false : { level: opts.log },
    adminToken: opts.adminToken ?? process.env.REC_ADMIN_TOKEN,
  });
  context.io.err(`serving ${Object.keys(models).join(', ')} on ${server.url} (backend ${backend}); OpenAPI at ${server.url}/docs\n`);
  await server.closed;
}
