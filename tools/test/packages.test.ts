/**
 * What each publishable package ships: `npm pack --dry-run` must list only the
 * built output, the README and package.json — never sources, tests or data.
 * Runs after `turbo build` (this task depends on the packages' builds).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
