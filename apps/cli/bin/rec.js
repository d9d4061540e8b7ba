#!/usr/bin/env node
// The `rec` command from sources: runs src/rec.ts under tsx with the workspace's
// `@rec/source` export condition, so no build is needed (the package is private).
// tsx is resolved from here, not from the caller's working directory.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../src/rec.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');
const child = spawn(process.execPath, ['--conditions=@rec/source', '--import', tsx, entry, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exitCode = code ?? 1;
});
