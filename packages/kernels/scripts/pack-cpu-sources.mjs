#!/usr/bin/env node
/**
 * Puts the C++ sources into the package for `npm pack` / `pnpm publish`
 * (the `prepack` script) and takes them out again after (`postpack`, with
 * `--clean`), so the tarball is self-contained: an install from the registry
 * builds the addon from `cpu/` (CMakeLists.txt looks there when the
 * repository's `kernels/cpu` is absent), with the same sources the repository
 * builds.
 *
 * - Copies every `.cc` and `.h` file of the repository's `kernels/cpu` to
 *   `cpu/` (same layout; the directory is git-ignored and replaced each time).
 * - `--clean` removes `cpu/`, and only inside the repository (where it is
 *   always this copy), never in an installed package.
 */
import { cpSync, existsSync, rmSync, statSync } from 'node:fs';
import { dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(packageRoot, '..', '..', 'kernels', 'cpu');
const target = join(packageRoot, 'cpu');

if (!existsSync(join(source, 'addon.cc'))) {
  // Not in the repository (an unpacked tarball): cpu/ already is the sources.
  console.log(`@rec/kernels: no ${relative(packageRoot, source)} here; leaving cpu/ as it is`);
  process.exit(0);
}
rmSync(target, { recursive: true, force: true });
if (process.argv.includes('--clean')) process.exit(0);
cpSync(source, target, {
  recursive: true,
  filter: (path) => statSync(path).isDirectory() || ['.cc', '.h'].includes(extname(path)),
});
