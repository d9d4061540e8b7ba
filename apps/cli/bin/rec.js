#!/usr/bin/env node
// The `rec` command. An installed @rec/cli runs its build (dist/rec.js; the tarball
// ships no sources). In this repository's checkout, where src/rec.ts exists, it runs
// the sources under tsx with the workspace's `@rec/source` export condition instead,
// so no build is needed and a stale dist/ is never used; tsx is resolved from here,
// not from the caller's working directory.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../src/rec.ts', import.meta.url));

if (existsSync(source)) {
  const tsx = import.meta.resolve('tsx');
  const child = spawn(process.execPath, ['--conditions=@rec/source', '--import', tsx, source, ...process.argv.slice(2)], {
    // The IPC channel lets the child see this process die, even by SIGKILL (see main in src/rec.ts).
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exitCode = code ?? 1;
  });
} else {
  const { main } = await import('../dist/rec.js');
  process.exitCode = await main(process.argv.slice(2));
}
