/**
 * The packages install and run outside this workspace, as a user gets them:
 *
 * 1. `pnpm pack` every package (its `prepack` builds dist/; pnpm turns
 *    `workspace:*` into the version) into a temporary folder;
 * 2. `npm install` the tarballs of @rec/core, @rec/data, @rec/eval and
 *    @rec/models into an empty project under the OS temp folder (third-party
 *    dependencies such as zod come from npm's registry), check that neither
 *    `webgpu` nor `@duckdb/node-api` came along (they are optional peers), measure
 *    `du -s node_modules` (the size the README states), and run an ESM script
 *    there that trains the registry's `bpr` on a generated log and scores users;
 * 3. install @rec/cli (and @rec/kernels and @rec/server) too and run `npx rec --version`,
 *    `npx rec models` and `npx rec serve --help` through the installed bin, which runs the
 *    built dist/rec.js (and `rec serve` the server's built program),
 *    and check that the WebGPU backend, without `webgpu` installed, reports
 *    "webgpu not installed" instead of crashing.
 *
 * It needs npm's registry and is never skipped. On this project's 2-core machine,
 * shared with other jobs, it took about 2–3 minutes: most of it the six `tsc`
 * builds that `pnpm pack` runs as prepack, then about 3 s and 12 s for the two
 * installs. The native addon is not compiled in the temporary project
 * (`REC_SKIP_NATIVE_BUILD=1`; its build is tested in @rec/kernels).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipOrFail } from '@rec/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withKernelsPackLock } from './pack-lock.js';

const root = join(import.meta.dirname, '..', '..');
/** In dependency order, so that each prepack build finds its siblings built. */
const PACKAGES = ['packages/core', 'packages/kernels', 'packages/data', 'packages/eval', 'packages/models', 'apps/server', 'apps/cli'] as const;
/** What a library user installs: everything but the CLI (and @rec/kernels, which nothing of these needs). */
const LIBRARY = ['core', 'data', 'eval', 'models'] as const;
/** The first project's `du -s node_modules` was 15,216 KiB; heavy dependencies creeping back in would show here. */
const LIBRARY_SIZE_LIMIT_KIB = 40 * 1024;

/**
 * The environment of the installs and scripts: without pnpm's `npm_*` settings
 * (the test runs under `pnpm test`) and NODE_OPTIONS (which could carry the
 * workspace's `@rec/source` condition), so they run as in a user's shell.
 */
function outsideEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key) && key !== 'NODE_OPTIONS' && !key.startsWith('VITEST')) env[key] = value;
  }
  return { ...env, ...extra };
}

/** Runs a command; on failure the error carries its stdout and stderr. */
function run(command: string, args: readonly string[], cwd: string, env = outsideEnv()): string {
  try {
    return execFileSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}


/** An empty npm project under the OS temp folder, outside the workspace. */
function emptyProject(scratch: string, name: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name, private: true, type: 'module' }, null, 2)}\n`);
  return dir;
}

const TRAIN_SCRIPT = `
import { generateSyntheticInteractions } from '@rec/data';
import { parseModelConfig, trainModel } from '@rec/models';

const { interactions } = generateSyntheticInteractions({ numUsers: 100, numItems: 80, numClusters: 4, interactionsPerUser: 10, seed: 1 });
const { model } = await trainModel(parseModelConfig({ model: 'bpr', dim: 8, epochs: 2 }), { train: interactions });
const scores = await model.scoreUsers(new Int32Array([0, 1, 2]));
let duckdb;
try {
  const { queryColumns } = await import('@rec/data/node');
  await queryColumns('SELECT 1 AS x', { x: 'int32' });
  duckdb = 'loaded';
} catch (error) {
  duckdb = error.message;
}
console.log(JSON.stringify({ numItems: interactions.numItems, scores: scores.length, finite: scores.every(Number.isFinite), duckdb }));
`;

const BACKENDS_SCRIPT = `
import { resolveBackend } from '@rec/core';
import { registerFastBackends } from '@rec/kernels';

registerFastBackends();
const lines = [];
const auto = await resolveBackend({ log: (line) => lines.push(line) });
let asked;
try {
  asked = (await resolveBackend({ prefer: 'webgpu', log: (line) => lines.push(line) })).name;
} catch (error) {
  asked = error.message;
}
console.log(JSON.stringify({ auto: auto.name, asked }));
`;

describe('packed tarballs install with npm outside the workspace', () => {
  let scratch: string;
  const tarballs = new Map<string, string>();

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'rec-pack-install-'));
    const packs = join(scratch, 'tarballs');
    for (const dir of PACKAGES) {
      const before = new Set(existsSync(packs) ? readdirSync(packs) : []);
      const pack = () => run('npx', ['--yes', 'pnpm@10.34.8', 'pack', '--pack-destination', packs], join(root, dir), process.env);
      if (dir === 'packages/kernels') withKernelsPackLock(pack);
      else pack();
      const made = readdirSync(packs).filter((f) => !before.has(f));
      expect(made, `pnpm pack in ${dir}`).toHaveLength(1);
      tarballs.set(dir.split('/')[1]!, join(packs, made[0]!));
    }
    // The native addon's sources travel in the kernels tarball (its prepack copies them in).
    expect(run('tar', ['-tzf', tarballs.get('kernels')!], scratch).split('\n')).toContain('package/cpu/addon.cc');
  }, 900_000);

  // The scratch project holds every installed tarball and the webgpu peer (hundreds of MB):
  // removing it took over vitest's 10 s hook default on a loaded machine.
  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 120_000);

  it('core + data + eval + models: install without webgpu or DuckDB, train bpr and score users', () => {
    const project = emptyProject(scratch, 'library-user');
    run('npm', ['install', '--no-audit', '--no-fund', ...LIBRARY.map((p) => tarballs.get(p)!)], project);

    const modules = join(project, 'node_modules');
    expect(existsSync(join(modules, 'webgpu')), 'webgpu is an optional peer; nothing here should install it').toBe(false);
    expect(existsSync(join(modules, '@duckdb')), '@duckdb/node-api is an optional peer of @rec/data').toBe(false);
    expect(existsSync(join(modules, '@rec', 'kernels')), '@rec/models imports nothing from @rec/kernels').toBe(false);
    const kib = Number(run('du', ['-s', 'node_modules'], project).split(/\s+/)[0]);
    console.log(`du -s node_modules (core + data + eval + models): ${kib} KiB`);
    expect(kib).toBeLessThan(LIBRARY_SIZE_LIMIT_KIB);

    writeFileSync(join(project, 'train.mjs'), TRAIN_SCRIPT);
    const result = JSON.parse(run(process.execPath, ['train.mjs'], project).trim().split('\n').at(-1)!);
    expect(result).toEqual({
      numItems: 80,
      scores: 3 * 80,
      finite: true,
      duckdb: expect.stringMatching(/^install @duckdb\/node-api to read files/),
    });
  }, 300_000);

  it('@rec/cli: npx rec --version and npx rec models run the installed build', () => {
    const project = emptyProject(scratch, 'cli-user');
    run('npm', ['install', '--no-audit', '--no-fund', ...[...tarballs.values()]], project, outsideEnv({ REC_SKIP_NATIVE_BUILD: '1' }));
    const cli = join(project, 'node_modules', '@rec', 'cli');
    expect(existsSync(join(cli, 'dist', 'rec.js'))).toBe(true);
    expect(existsSync(join(cli, 'src')), 'the tarball ships no sources, so bin/rec.js runs dist/rec.js').toBe(false);

    const { version } = JSON.parse(readFileSync(join(root, 'apps', 'cli', 'package.json'), 'utf8')) as { version: string };
    expect(run('npx', ['rec', '--version'], project).trim()).toBe(version);
    const models = run('npx', ['rec', 'models'], project);
    expect(models).toMatch(/\bbpr\b/);
    expect(models).toMatch(/\bmost-popular\b/);
    // rec serve runs @rec/server's built program (the tarball ships no sources either).
    expect(existsSync(join(project, 'node_modules', '@rec', 'server', 'dist', 'main-run.js'))).toBe(true);
    expect(run('npx', ['rec', 'serve', '--help'], project)).toMatch(/--ann-min-items <n>/);

    // webgpu is an optional peer nobody installed here: @rec/kernels imports, the default
    // resolution goes on without it, and asking for it names the reason instead of crashing.
    expect(existsSync(join(project, 'node_modules', 'webgpu'))).toBe(false);
    writeFileSync(join(project, 'backends.mjs'), BACKENDS_SCRIPT);
    const env = outsideEnv();
    delete env.REC_BACKEND;
    const backends = JSON.parse(run(process.execPath, ['backends.mjs'], project, env).trim().split('\n').at(-1)!);
    expect(backends).toEqual({ auto: expect.stringMatching(/^(js|native)$/), asked: expect.stringMatching(/webgpu not installed/) });
  }, 300_000);

  it('@rec/cli with the webgpu peer installed: train, eval and recommend with --backend webgpu from the installed build', (ctx) => {
    const project = join(scratch, 'cli-user');
    expect(existsSync(join(project, 'node_modules', '@rec', 'cli')), 'runs after the @rec/cli install above').toBe(true);
    run('npm', ['install', '--no-audit', '--no-fund', 'webgpu@^0.6.2'], project, outsideEnv({ REC_SKIP_NATIVE_BUILD: '1' }));
    // Is there an adapter here (lavapipe in CI)? The installed backend says.
    const env = outsideEnv();
    delete env.REC_BACKEND;
    const probe = JSON.parse(run(process.execPath, ['backends.mjs'], project, env).trim().split('\n').at(-1)!);
    if (probe.asked !== 'webgpu') return skipOrFail(ctx, 'REC_REQUIRE_WEBGPU', `no WebGPU adapter for the installed webgpu package: ${probe.asked}`);
    const data = join(project, 'shop');
    mkdirSync(data, { recursive: true });
    for (const f of ['shop.yaml', 'events.csv', 'products.csv']) writeFileSync(join(data, f), readFileSync(join(root, 'examples', 'shop', f)));
    const model = join(project, 'runs', 'gmf');
    run('npx', ['rec', 'train', 'gmf', '--data', 'shop/shop.yaml', '--backend', 'webgpu', '--epochs', '1', '--set', 'dim=8', '--out', model, '--quiet'], project, env);
    const evaluated = JSON.parse(run('npx', ['rec', 'eval', model, '--backend', 'webgpu', '-k', '10', '--json'], project, env));
    expect(evaluated).toMatchObject({ backend: 'webgpu', dataset: 'example-shop' });
    expect(evaluated.metrics['HR@10']).toBeGreaterThanOrEqual(0);
    const top = JSON.parse(run('npx', ['rec', 'recommend', model, '--user', 'C0001', '-k', '3', '--backend', 'webgpu', '--json'], project, env));
    expect(top.recommendations).toHaveLength(3);
  }, 600_000);
});
