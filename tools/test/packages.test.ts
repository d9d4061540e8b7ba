/**
 * What each publishable package ships: `npm pack --dry-run` must list only the
 * built output, the README and package.json — never sources, tests or data —
 * and what its manifest promises a user who installs it from npm: optional heavy
 * native peers, a prepack that builds dist/, the `rec` bin on the build.
 * Runs after `turbo build` (this task depends on the packages' builds, @rec/cli's
 * included). `pack-install.test.ts` installs the real tarballs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withKernelsPackLock } from './pack-lock.js';

const root = join(import.meta.dirname, '..', '..');
const packages = ['core', 'kernels', 'data', 'eval', 'models', 'cli'];
/** Where each package lives: the libraries under packages/, the `rec` command under apps/. */
const dirOf = (name: string) => join(root, name === 'cli' ? 'apps' : 'packages', name);
/**
 * Native dependencies too heavy to force on every user (webgpu's dawn-node about
 * 130 MB, DuckDB about 70 MB): a library lists them only as optional peers (and
 * as devDependencies, so the workspace has them); @rec/cli, the "everything"
 * package, may depend on them.
 */
const HEAVY = ['webgpu', '@duckdb/node-api'];


describe.each(packages)('@rec/%s', (name) => {
  const dir = dirOf(name);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  /** The file a user's import or the `rec` bin reaches first. */
  const entry = name === 'cli' ? 'dist/rec.js' : 'dist/index.js';

  it('packs only dist/, README.md and package.json', () => {
    expect(existsSync(join(dir, entry)), `${name} is not built: run pnpm build`).toBe(true);
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const files: string[] = JSON.parse(out)[0].files.map((f: { path: string }) => f.path);
    // Besides dist/, a package may ship what its `files` names explicitly (the kernels
    // package ships its CMake build and install script) — never sources, tests or data.
    const declared = (manifest.files as string[]).filter((f) => !f.startsWith('!') && f !== 'dist');
    const allowed = (f: string) =>
      f === 'package.json' || f === 'README.md' || f === 'LICENSE' || f.startsWith('dist/') || declared.some((d) => f === d || f.startsWith(`${d}/`));
    expect(files.filter((f) => !allowed(f))).toEqual([]);
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/') || /\.(csv|tsv|gz|npy|dat)$/.test(f))).toEqual([]);
    expect(files.filter((f) => /\.test\.|\.tsbuildinfo$/.test(f))).toEqual([]);
    expect(files).toContain(entry);
    expect(files).toContain(entry.replace(/\.js$/, '.d.ts'));
    for (const bin of Object.values<string>(manifest.bin ?? {})) expect(files).toContain(bin.replace(/^\.\//, ''));
  });

  it('has an exports map whose every built target exists', () => {
    expect(manifest.name).toBe(`@rec/${name}`);
    for (const [subpath, target] of Object.entries<Record<string, string>>(manifest.exports ?? {})) {
      expect(target['@rec/source'], `${subpath} source`).toMatch(/^\.\/src\/.*\.ts$/);
      expect(existsSync(join(dir, target['@rec/source'])), `${subpath} source file`).toBe(true);
      expect(existsSync(join(dir, target.default)), `${subpath} built file ${target.default}`).toBe(true);
      expect(existsSync(join(dir, target.types)), `${subpath} types ${target.types}`).toBe(true);
    }
  });

  it('depends on sibling packages through workspace:*', () => {
    for (const [dep, range] of Object.entries<string>(manifest.dependencies ?? {})) {
      if (dep.startsWith('@rec/')) expect(range, dep).toBe('workspace:*');
    }
  });

  it('is publishable, and its prepack builds dist/ (pnpm pack never ships a missing or stale build)', () => {
    expect(manifest.private, 'private packages are never published').toBeUndefined();
    expect(manifest.publishConfig?.access).toBe('public');
    expect(manifest.scripts?.prepack).toContain(manifest.scripts.build);
  });

  it('lists webgpu and DuckDB only as optional peers (and devDependencies), never as dependencies of a library', () => {
    for (const heavy of HEAVY) {
      if (name !== 'cli') expect(manifest.dependencies?.[heavy], `${heavy} in dependencies`).toBeUndefined();
      if (manifest.peerDependencies?.[heavy] !== undefined) {
        expect(manifest.peerDependenciesMeta?.[heavy]?.optional, `${heavy} peer is optional`).toBe(true);
        expect(manifest.devDependencies?.[heavy], `${heavy} is installed in the workspace`).toBe(manifest.peerDependencies[heavy]);
      }
    }
  });
});

describe('@rec/cli', () => {
  const dir = dirOf('cli');
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

  it("has a `rec` bin that runs the build when there are no sources (an installed tarball)", () => {
    expect(manifest.bin).toEqual({ rec: './bin/rec.js' });
    const bin = readFileSync(join(dir, 'bin', 'rec.js'), 'utf8');
    expect(bin.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(bin).toContain("import('../dist/rec.js')");
    // In the checkout it runs src/rec.ts under tsx, which is not one of its dependencies.
    expect(manifest.dependencies.tsx).toBeUndefined();
  });

  it("depends on everything its sources import (it reads files, so DuckDB too)", () => {
    expect(Object.keys(manifest.dependencies)).toEqual(expect.arrayContaining(['@rec/core', '@rec/data', '@rec/eval', '@rec/kernels', '@rec/models', '@duckdb/node-api', 'commander']));
  });
});

describe('@rec/models', () => {
  it('does not pull @rec/kernels (and with it native builds) into every install', () => {
    const manifest = JSON.parse(readFileSync(join(dirOf('models'), 'package.json'), 'utf8'));
    expect(manifest.dependencies['@rec/kernels']).toBeUndefined();
  });
});

/** Files under `dir` (recursively) whose names end in one of `exts`, relative to `dir`. */
function sourceFiles(dir: string, exts: string[]): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && exts.some((x) => e.name.endsWith(x)))
    .map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort();
}

describe('@rec/kernels tarball', () => {
  const dir = join(root, 'packages', 'kernels');

  it('carries every C++ source of kernels/cpu (as cpu/, put there by prepack) and every WGSL shader embedded in dist', () => {
    // What `npm pack` / `pnpm publish` do: prepack copies kernels/cpu in, postpack takes it out.
    const files = withKernelsPackLock(() => {
      execFileSync(process.execPath, ['scripts/pack-cpu-sources.mjs'], { cwd: dir });
      try {
        const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
        return JSON.parse(out)[0].files.map((f: { path: string }) => f.path) as string[];
      } finally {
        execFileSync(process.execPath, ['scripts/pack-cpu-sources.mjs', '--clean'], { cwd: dir });
      }
    });
    const cpp = sourceFiles(join(root, 'kernels', 'cpu'), ['.cc', '.h']);
    expect(cpp.length).toBeGreaterThan(0);
    expect(cpp.map((f) => `cpu/${f}`).filter((f) => !files.includes(f))).toEqual([]);
    expect(files).toContain('CMakeLists.txt');
    expect(files).toContain('scripts/build-native.mjs');
    // WGSL is not shipped as files: scripts/embed-wgsl.mjs embeds each shader, keyed by stem.
    expect(files).toContain('dist/webgpu/shaders.generated.js');
    const embedded = readFileSync(join(dir, 'dist', 'webgpu', 'shaders.generated.js'), 'utf8');
    const stems = sourceFiles(join(root, 'kernels', 'wgsl'), ['.wgsl']).map((f) => f.replace(/\.wgsl$/, ''));
    expect(stems.filter((stem) => !embedded.includes(JSON.stringify(stem)))).toEqual([]);
  });
});
