/**
 * `rec data …` as a person runs it: a child process, its stdout, stderr and exit code.
 * Nothing here touches the network: the only download attempted is refused before any
 * transfer.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireDataset } from '@rec/data/testing';
import { describe, expect, it } from 'vitest';

const cliDir = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string[], env: Record<string, string> = {}, cwd = cliDir): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, command, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `node --conditions=@rec/source --import tsx src/rec.ts …`, as the package's `rec` script runs it. */
const rec = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
  run(['--conditions=@rec/source', '--import', 'tsx', 'src/rec.ts', ...args], env);

describe('rec data', () => {
  it('list: every registered dataset, present or not', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rec-cli-list-'));
    mkdirSync(join(root, 'ml-100k'));
    writeFileSync(join(root, 'ml-100k', 'u.data'), '1\t1\t5\t0\n'); // the folder, but not every file
    const { code, stdout, stderr } = await rec(['data', 'list'], { REC_DATA_DIR: root });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`data root: ${root}`);
    expect(stdout).toMatch(/\| ml-100k\s+\| (incomplete|present)\s+\| MovieLens 100K/);
    expect(stdout).toMatch(/\| tmall\/mbcgcn\s+\| missing\s+\|/);
    expect(stdout).toContain('rec data download ml-100k');
  });

  it('download: a dataset without an official archive is one line on stderr and exit code 1', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rec-cli-dl-'));
    const { code, stdout, stderr } = await rec(['data', 'download', 'tmall/mbcgcn', '--dir', root]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^rec: .*no official archive.*SS-00-SS\/MBCGCN at commit 931f9c103817cdfa280353c506f4e3cb08306a1c/);
    expect(readdirSync(root)).toEqual([]);
  });

  it('download: refuses to overwrite a dataset folder, before any transfer', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rec-cli-dl-'));
    mkdirSync(join(root, 'ml-100k'));
    const { code, stderr } = await rec(['data', 'download', 'ml-100k', '--dir', root]);
    expect(code).toBe(1);
    expect(stderr).toBe(`rec: download: ${join(root, 'ml-100k')} already exists; move it away first (or pass another data root) to download "ml-100k" again\n`);
  });

  it('stats: an unknown name is one line naming the known ones', async () => {
    const { code, stdout, stderr } = await rec(['data', 'stats', 'no-such-dataset']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^rec: unknown dataset 'no-such-dataset'; known: .*ml-100k.*\n$/);
  });

  it('stats: prints the statistics table of ml-100k, through the cache', async (ctx) => {
    const dir = requireDataset(ctx, 'ml-100k');
    const cache = mkdtempSync(join(tmpdir(), 'rec-cli-cache-'));
    const env = { REC_DATA_DIR: dirname(dir), REC_CACHE_DIR: cache };
    const first = await rec(['data', 'stats', 'ml-100k'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/users\s+943\n/);
    expect(first.stdout).toMatch(/items\s+1,682\n/);
    expect(first.stdout).toMatch(/interactions\s+100,000\n/);
    expect(first.stdout).toContain('published splits: u1, u2, u3, u4, u5, ua, ub');
    expect(readdirSync(cache)).toHaveLength(1);
    const second = await rec(['data', 'stats', 'ml-100k'], env);
    expect(second.stdout).toBe(first.stdout);
  }, 180_000);

  it('the bin shim runs from any directory', async () => {
    const { code, stdout } = await run([join(cliDir, 'bin', 'rec.js'), 'data', 'list', '--dir', tmpdir()], {}, tmpdir());
    expect(code).toBe(0);
    expect(stdout).toContain(`data root: ${tmpdir()}`);
  });
});
