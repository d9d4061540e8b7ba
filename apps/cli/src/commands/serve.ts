/**
 * `rec serve <modelDir>…`: saved models over HTTP. The server is its own program
 * (`@rec/server`, apps/server: apps import no other app), so this command runs it as a
 * child process with the same arguments, passes its output through and forwards SIGINT,
 * SIGTERM and SIGHUP (reload every folder) to it. Its options: `rec serve --help`.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type Command, CommanderError } from 'commander';
import type { CommandContext } from './context.js';

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
    .description('serve saved models over HTTP (@rec/server): recommend, new users from their items, similar items, categories, ratings; /docs, /metrics, /health, /ready (options: rec serve --help)')
    .helpOption(false)
    .allowUnknownOption(true)
    .argument('[args...]', 'model folders and options, passed to the server program')
    .action((args: string[]) => serveCommand(context, args));
}

/**
 * The server program's launcher, `@rec/server`'s `rec-server` bin: it runs the sources in a
 * checkout (under tsx, as `bin/rec.js` runs `rec`) and the build where installed.
 */
function serverBin(): string {
  return join(dirname(createRequire(import.meta.url).resolve('@rec/server/package.json')), 'bin', 'rec-server.js');
}

async function serveCommand(context: CommandContext, args: string[]): Promise<void> {
  const { io } = context;
  const child = spawn(process.execPath, [serverBin(), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (chunk: Buffer) => io.out(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => io.err(chunk.toString()));
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => [signal, forward(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  // If this process ends first (its wrapper killed it), the server goes with it.
  const orphan = () => child.kill('SIGTERM');
  process.once('exit', orphan);
  const code = await new Promise<number>((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
  for (const [signal, handler] of handlers) process.off(signal, handler);
  process.off('exit', orphan);
  // The server printed its own message; exit with its code without a second line.
  if (code !== 0) throw new CommanderError(code, 'rec.serve', '');
}
