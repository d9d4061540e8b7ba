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

describe('rec data describe', () => {
  /** A small shop: a funnel log, category paths, an .npy feature matrix, user features, a split. */
  function shop(): string {
    const dir = mkdtempSync(join(tmpdir(), 'rec-cli-describe-'));
    const events = [
      'customer_id,sku,stars,ts,event',
      'alice,A1,4,1425211200,view',
      'alice,B2,5,1425297600,buy',
      'alice,C3,3,1425384000,buy',
      'bob,A1,3,1425470400,buy',
      'bob,C3,2,1425556800,view',
      'bob,B2,4,1425643200,buy',
    ];
    writeFileSync(join(dir, 'events.csv'), `${events.join('\n')}\n`);
    writeFileSync(join(dir, 'train.csv'), `${events.slice(0, 5).join('\n')}\n`);
    writeFileSync(join(dir, 'test.csv'), `${[events[0], events[6]].join('\n')}\n`);
    writeFileSync(join(dir, 'categories.csv'), 'sku,path\nA1,Clothing > Shoes\nB2,Clothing > Shirts\nC3,Home > Kitchen > Pans\nQ9,Garden\n');
    // A float32 .npy of 3 × 2, rows aligned to item_ids.txt.
    let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }";
    header = `${header.padEnd(Math.ceil((10 + header.length + 1) / 64) * 64 - 11, ' ')}\n`;
    const npy = Buffer.alloc(10 + header.length + 24);
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(npy);
    npy.writeUInt16LE(header.length, 8);
    npy.write(header, 10, 'latin1');
    Buffer.from(Float32Array.of(1, 2, 3, 4, 5, 6).buffer).copy(npy, 10 + header.length);
    writeFileSync(join(dir, 'image.npy'), npy);
    writeFileSync(join(dir, 'item_ids.txt'), 'A1\nB2\nC3\n');
    writeFileSync(join(dir, 'users.csv'), 'id,age,gender\nalice,31,F\nbob,45,M\n');
    writeFileSync(
      join(dir, 'shop.yaml'),
      [
        'name: my-shop',
        'interactions:',
        '  path: events.csv',
        '  columns: { user: customer_id, item: sku, rating: stars, time: ts, behavior: event }',
        '  behaviors: [view, buy]',
        'items:',
        '  categories: { path: categories.csv, columns: { item: sku, category: path }, separator: " > " }',
        '  features: { image: { path: image.npy, ids: item_ids.txt } }',
        'users:',
        '  features: { path: users.csv, columns: { user: id } }',
        'splits:',
        '  default: { train: train.csv, test: test.csv }',
      ].join('\n'),
    );
    return dir;
  }

  it('prints what it understood of a dataset file, and warns about side rows it ignored', async () => {
    const dir = shop();
    const { code, stdout, stderr } = await rec(['data', 'describe', join(dir, 'shop.yaml')]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/categories\.csv \(items\.categories\.columns\.item\): 1 item id not in the interactions \("Q9"\); their rows are ignored\n$/);
    expect(stdout).toContain(`dataset my-shop (${join(dir, 'shop.yaml')})`);
    expect(stdout).toMatch(/users\s+2\n/);
    expect(stdout).toMatch(/interactions\s+6\n/);
    expect(stdout).toContain('ratings:         yes, 2 to 5');
    expect(stdout).toContain('timestamps:      yes, 2015-03-01T12:00:00Z to 2015-03-06T12:00:00Z');
    expect(stdout).toContain('behaviours:      view → buy (target: buy)');
    expect(stdout).toContain('hierarchy:       6 nodes, depth 3, 3 items placed');
    expect(stdout).toContain('item features:   image (2-d)');
    expect(stdout).toContain('user features:   age (numeric), gender (2 values)');
    expect(stdout).toContain('splits:          default (4 train / 1 test)');
    expect(stdout).toContain('default split:   default — my-shop published split default: train.csv (4 rows) / test.csv (1), from shop.yaml');
  });

  it('refuses a bare interactions file, and names the field of a bad dataset file, in one line', async () => {
    const dir = shop();
    const bare = await rec(['data', 'describe', join(dir, 'events.csv')]);
    expect(bare.code).toBe(1);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toMatch(/^rec: data describe: .*events\.csv is an interactions file; describe reads a dataset file \(\.yaml, \.yml or \.json\)[^\n]*\n$/);

    writeFileSync(join(dir, 'typo.yaml'), 'interactions:\n  path: events.csv\n  columns: { user: customer_id, item: sku, stars: stars }\n');
    const typo = await rec(['data', 'describe', join(dir, 'typo.yaml')]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toBe(
      `rec: readDatasetFile: ${join(dir, 'typo.yaml')}: interactions.columns.stars: unknown field; allowed: user, item, rating, timestamp, time, behavior\n`,
    );
  });
});
