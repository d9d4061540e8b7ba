/**
 * What each publishable package ships: `npm pack --dry-run` must list only the
 * built output, the README and package.json — never sources, tests or data.
 * Runs after `turbo build` (this task depends on the packages' builds).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const packages = ['core', 'kernels', 'data', 'eval', 'models'];

describe.each(packages)('@rec/%s', (name) => {
  const dir = join(root, 'packages', name);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

  it('packs only dist/, README.md and package.json', () => {
    expect(existsSync(join(dir, 'dist', 'index.js')), `${name} is not built: run pnpm build`).toBe(true);
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
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
  });

  it('has an exports map whose every built target exists', () => {
    expect(manifest.name).toBe(`@rec/${name}`);
    for (const [subpath, target] of Object.entries<Record<string, string>>(manifest.exports)) {
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
    execFileSync(process.execPath, ['scripts/pack-cpu-sources.mjs'], { cwd: dir });
    let files: string[];
    try {
      const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      files = JSON.parse(out)[0].files.map((f: { path: string }) => f.path);
    } finally {
      execFileSync(process.execPath, ['scripts/pack-cpu-sources.mjs', '--clean'], { cwd: dir });
    }
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
