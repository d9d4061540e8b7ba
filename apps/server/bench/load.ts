/**
 * Load and fault bench of `@rec/server` (issue 17), autocannon on loopback, bounded in time:
 * for each model folder, requests/s and p50/p99 latency of single-user top-10 and 100-user
 * batches; the single-user run again beside a flood of malformed requests (the good
 * requests' p99 may rise at most 2× and none may fail); and again while the model is
 * reloaded every second (nothing dropped).
 *
 *   npx --yes pnpm@10.34.8 --filter @rec/server bench -- <modelDir> [<modelDir>…] [--seconds 10] [--connections 16] [--workers 1] [--ann] [--no-coalesce] [--rows single,batch,flood,reload]
 *
 * `--ann` serves top-K through the approximate index (usearch HNSW) for every model, whatever
 * its size, and prints the recall@10 it measured at load. `--no-coalesce` ranks each request on
 * its own (the server's `--no-coalesce`); `--rows` picks the rows (the single-user row always runs: the others are read against it).
 *
 * The server runs as `rec serve` does (src/main-run.ts, `--workers n` processes, logs off) in a
 * child process, autocannon in this one.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const args = process.argv.slice(2).filter((a) => a !== '--');
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(args.splice(at, 2)[1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}: expected a positive number`);
  return value;
};
const flag = (name: string): boolean => {
  const at = args.indexOf(name);
  if (at >= 0) args.splice(at, 1);
  return at >= 0;
};
const ann = flag('--ann');
const noCoalesce = flag('--no-coalesce');
const rowsAt = args.indexOf('--rows');
const ROWS = ['single', 'batch', 'flood', 'reload'];
const chosen = rowsAt >= 0 ? args.splice(rowsAt, 2)[1]!.split(',') : ROWS;
for (const r of chosen) if (!ROWS.includes(r)) throw new Error(`--rows: expected some of ${ROWS.join(',')}, got '${r}'`);
const wantRow = (r: string): boolean => chosen.includes(r);
const seconds = option('--seconds', 10);
const connections = option('--connections', 16);
const workers = option('--workers', 1);
const dirs = args;
if (dirs.length === 0) throw new Error('name at least one model folder written by rec train');

const root = dirname(dirs[0]!);
const child = spawn(
  process.execPath,
  [
    '--conditions=@rec/source', '--import', 'tsx', fileURLToPath(new URL('../src/main-run.ts', import.meta.url)), ...dirs,
    '--root', root, '--port', '0', '--log', 'silent', '--workers', String(workers), ...(ann ? ['--ann-min-items', '0'] : []),
    ...(noCoalesce ? ['--no-coalesce'] : []),
  ],
  { stdio: ['ignore', 'inherit', 'pipe'], cwd: fileURLToPath(new URL('..', import.meta.url)) },
);
const [url, backend] = await new Promise<[string, string]>((resolve, reject) => {
  let text = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    const lines = [...text.matchAll(/serving .* on (\S+) \(backend (\w+)[,)]/g)];
    if (lines.length === workers) resolve([lines[0]![1]!, lines[0]![2]!]);
  });
  child.on('exit', (code) => reject(new Error(`the server exited with ${code} before listening: ${text}`)));
});

interface Row {
  model: string;
  scenario: string;
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  failed: number;
}
const rows: Row[] = [];

/** Random user ids of a folder, for bodies. */
function usersOf(dir: string): (string | number)[] {
  return JSON.parse(readFileSync(join(dir, 'ids.json'), 'utf8')).users;
}

let draws = 0x9e3779b9;
/** A small deterministic generator, so two runs send the same users. */
const next = (n: number): number => {
  draws = (Math.imul(draws ^ (draws >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
  return draws % n;
};

function run(path: string, body: () => string, extra: Partial<autocannon.Options> = {}): Promise<autocannon.Result> {
  return autocannon({
    url: `${url}${path}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections,
    duration: seconds,
    requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, body: body() }) }],
    ...extra,
  });
}

const record = (model: string, scenario: string, r: autocannon.Result): Row => {
  const row = { model, scenario, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, requests: r.requests.total, failed: r.errors + r.timeouts + r.non2xx };
  rows.push(row);
  process.stderr.write(`${model} ${scenario}: ${row.rps.toFixed(0)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, ${row.failed} failed of ${row.requests}\n`);
  return row;
};

const MALFORMED = ['{"user":', '{"user": true}', '{"user": "no such user"}', '{"user": 1, "k": 100000}', '{"users": []}', 'null', '{"kk": 1}'];

for (const dir of dirs) {
  const name = dir.split('/').pop()!;
  const users = usersOf(dir);
  if (ann) {
    const info = (await (await fetch(`${url}/v1/models/${name}`)).json()) as { ann?: { recallAt10: number; sampledUsers: number; buildSeconds: number } };
    process.stderr.write(`${name}: approximate top-K, recall@10 ${info.ann?.recallAt10.toFixed(3)} on ${info.ann?.sampledUsers} users, built in ${info.ann?.buildSeconds.toFixed(1)} s\n`);
  }
  const one = () => JSON.stringify({ user: users[next(users.length)], k: 10 });
  const path = `/v1/models/${name}/recommend`;
  await run(path, one, { duration: 2 }); // warm-up, not recorded
  const single = record(name, 'single-user top-10', await run(path, one));
  if (wantRow('batch')) record(name, '100-user batch top-10', await run(path, () => JSON.stringify({ users: Array.from({ length: 100 }, () => users[next(users.length)]), k: 10 })));

  // Good requests beside an equal number of connections sending malformed ones.
  if (wantRow('flood')) {
    // In this process: a flood in a process of its own takes a core's share from the server on
    // this 2-core machine (good p99 2.00–2.86× alone in five runs, against 1.3–2.1× in ten).
    const [good, bad] = await Promise.all([run(path, one), run(path, () => MALFORMED[next(MALFORMED.length)]!)]);
    const flooded = record(name, 'single-user, beside a malformed flood', good);
    process.stderr.write(`  the flood: ${bad.requests.total} malformed requests, ${bad['2xx']} answered 2xx (expected 0); good p99 ${(flooded.p99 / single.p99).toFixed(2)}× alone\n`);
  }
  if (!wantRow('reload')) continue;

  // Reload the folder every second while serving.
  let reloads = 0;
  let reloadFailures = 0;
  const timer = setInterval(() => {
    void fetch(`${url}/v1/admin/models/${name}/reload`, { method: 'POST' }).then((r) => (r.ok ? reloads++ : reloadFailures++), () => reloadFailures++);
  }, 1000);
  const swapped = record(name, 'single-user, reloaded every second', await run(path, one));
  clearInterval(timer);
  process.stderr.write(`  ${reloads} reloads, ${reloadFailures} failed; ${swapped.failed} requests failed\n`);
}

child.kill('SIGTERM');
const table = [
  `backend ${backend}${ann ? ', top-K through the approximate index (--ann)' : ''}${noCoalesce ? ', requests not coalesced' : ''}, ${workers} server process(es), ${connections} connections, ${seconds} s per row, server and autocannon on one machine (${process.env.REC_THREADS ? `REC_THREADS=${process.env.REC_THREADS}` : workers > 1 ? 'kernel threads per process: cores / processes' : 'default threads'})`,
  '',
  '| model | scenario | req/s | p50 ms | p99 ms | requests | failed |',
  '|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.model} | ${r.scenario} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.requests} | ${r.failed} |`),
];
process.stdout.write(`${table.join('\n')}\n`);
