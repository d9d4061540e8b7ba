/**
 * The server program with `--workers 2`: both processes share one port, a reload asked of
 * one (admin route) reaches the other, and SIGTERM closes both with exit code 0.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInteractions } from '@rec/data';
import { parseModelConfig, trainModel } from '@rec/models';
import { saveTrainedModel } from '@rec/models/node';
import { afterAll, describe, expect, it } from 'vitest';
import { workerEnv } from '../src/main.js';

const root = mkdtempSync(join(tmpdir(), 'rec-server-workers-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('rec serve --workers', () => {
  it("gives each worker an equal share of the cores for its kernels, unless REC_THREADS is set", () => {
    expect(workerEnv(2, 2, {})).toEqual({ REC_THREADS: '1' });
    expect(workerEnv(3, 8, {})).toEqual({ REC_THREADS: '2' });
    expect(workerEnv(4, 2, {})).toEqual({ REC_THREADS: '1' });
    expect(workerEnv(2, 8, { REC_THREADS: '3' })).toEqual({});
  });

  it('two processes share the port, pass a reload on to each other, and close on SIGTERM', { timeout: 90_000 }, async () => {
    // 40 users × 30 items, each user buying the 6 items of their group of 5.
    const users: number[] = [];
    const items: number[] = [];
    for (let u = 0; u < 40; u++) for (let i = 0; i < 6; i++) (users.push(u), items.push((u % 5) * 6 + i));
    const train = createInteractions({ users: Int32Array.from(users), items: Int32Array.from(items), numUsers: 40, numItems: 30 });
    const trained = await trainModel(parseModelConfig({ model: 'bpr', dim: 8, epochs: 2, seed: 1 }), { train });
    await saveTrainedModel(join(root, 'tiny'), trained, { ids: { users: Array.from({ length: 40 }, (_, u) => `u${u}`), items: Array.from({ length: 30 }, (_, i) => i) } });

    const entry = fileURLToPath(new URL('../src/main-run.ts', import.meta.url));
    const tsx = import.meta.resolve('tsx');
    const child = spawn(process.execPath, ['--conditions=@rec/source', '--import', tsx, entry, join(root, 'tiny'), '--root', root, '--port', '0', '--workers', '2', '--backend', 'js'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => void (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => void (err += c.toString()));
    const until = async (test: () => boolean, what: string): Promise<void> => {
      const deadline = Date.now() + 60_000;
      while (!test()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stdout: ${out}; stderr: ${err}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await until(() => (err.match(/serving tiny on/g) ?? []).length === 2, 'two workers');
    const urls = [...err.matchAll(/serving tiny on (\S+) .*\(worker (\d+)\)/g)].map((m) => m[1]);
    expect(new Set(urls).size).toBe(1);
    const url = urls[0]!;
    const res = await fetch(`${url}/v1/models/tiny/recommend`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'u3', k: 3 }) });
    expect(res.status).toBe(200);

    const loadedLines = () => out.split('\n').filter((line) => line.includes('"kind":"loaded"'));
    expect(loadedLines()).toHaveLength(2);
    const reload = await fetch(`${url}/v1/admin/models/tiny/reload`, { method: 'POST' });
    expect(reload.status).toBe(200);
    // One worker reloaded for the route, the other because the primary passed it on.
    await until(() => loadedLines().length === 4, 'the reload in both workers');
    const pids = new Set(loadedLines().slice(2).map((line) => (JSON.parse(line) as { pid: number }).pid));
    expect(pids.size).toBe(2);

    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(0);
  });
});
