#!/usr/bin/env node
// The server program (`rec serve` runs it). An installed @rec/server runs its build
// (dist/main.js); in this repository's checkout, where src/main.ts exists, it runs the
// sources under tsx with the workspace's `@rec/source` export condition instead.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../src/main-run.ts', import.meta.url));

if (existsSync(source)) {
  const tsx = import.meta.resolve('tsx');
  const child = spawn(process.execPath, ['--conditions=@rec/source', '--import', tsx, source, ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exitCode = code ?? 1;
  });
} else {
  const { main } = await import('../dist/main.js');
  process.exitCode = await main(process.argv.slice(2));
}
