#!/usr/bin/env node
/**
 * Builds the native addon (`kernels/cpu` → `build/Release/rec_kernels.node`)
 * with cmake-js against node-addon-api. Run by `pnpm install` (the package's
 * `install` script) and by `pnpm --filter @rec/kernels build:native`. In the
 * repository it builds `../../kernels/cpu`; an installed tarball builds its
 * packed copy `cpu/` (see `pack-cpu-sources.mjs` and CMakeLists.txt).
 *
 * - `REC_SKIP_NATIVE_BUILD=1` skips the build with one line; the `js` backend
 *   is then used (`resolveBackend` prints why `native` was skipped).
 * - Node-API only: package.json's `binary.napi_versions` makes cmake-js take
 *   the headers from the installed `node-api-headers` package, so nothing is
 *   downloaded.
 * - Never fails the install: on any error it prints one line saying why and
 *   that the js backend will be used, and exits 0. The compiler's full output
 *   is kept in `build/native-build.log`.
 * - `--force` (the `build:native` script) fails loudly instead, for developers.
 * - The addon is never overwritten in place: cmake-js builds in `build/cmake/`
 *   and the result is copied next to `build/Release/rec_kernels.node` and
 *   renamed over it (an atomic replace on one file system), so a process that
 *   has the old addon mapped (a training run) keeps its file and never sees a
 *   half-written one.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');
const prefix = '@rec/kernels native build';

if (process.env.REC_SKIP_NATIVE_BUILD === '1' && !force) {
  console.log(`${prefix}: skipped (REC_SKIP_NATIVE_BUILD=1); the js backend will be used`);
  process.exit(0);
}

function giveUp(reason) {
  if (force) {
    console.error(`${prefix} failed: ${reason}`);
    process.exit(1);
  }
  console.log(`${prefix} failed (${reason}); the js backend will be used`);
  process.exit(0);
}

let cmakeJs;
try {
  cmakeJs = createRequire(join(packageRoot, 'package.json')).resolve('cmake-js/bin/cmake-js');
} catch {
  giveUp('cmake-js is not installed');
}

const started = Date.now();
// cmake's own tree (objects, the linked addon) lives apart from build/Release,
// which only ever receives a finished addon by rename.
const cmakeDir = join(packageRoot, 'build', 'cmake');
const result = spawnSync(
  process.execPath,
  [cmakeJs, 'compile', '--directory', packageRoot, '--out', cmakeDir, '--log-level', 'warn', '--parallel', String(Math.max(1, cpus().length))],
  { cwd: packageRoot, encoding: 'utf8', env: { ...process.env } },
);
const log = `${result.stdout ?? ''}${result.stderr ?? ''}`;
mkdirSync(join(packageRoot, 'build'), { recursive: true });
writeFileSync(join(packageRoot, 'build', 'native-build.log'), log);
if (result.error) giveUp(`${result.error.message}`);
if (result.status !== 0) {
  const firstError = log.split('\n').find((l) => /error|not found|could not/i.test(l))?.trim() ?? `cmake-js exited with ${result.status}`;
  giveUp(`${firstError.slice(0, 200)} — full log in packages/kernels/build/native-build.log`);
}
const releaseDir = join(packageRoot, 'build', 'Release');
const addonPath = join(releaseDir, 'rec_kernels.node');
const stagedPath = join(releaseDir, `rec_kernels.node.${process.pid}.tmp`);
try {
  mkdirSync(releaseDir, { recursive: true });
  copyFileSync(join(cmakeDir, 'Release', 'rec_kernels.node'), stagedPath);
  // rename(2) replaces the directory entry atomically; the old inode stays
  // alive for any process that has it mapped.
  renameSync(stagedPath, addonPath);
} catch (error) {
  rmSync(stagedPath, { force: true });
  giveUp(`could not install the built addon: ${error instanceof Error ? error.message : String(error)}`);
}
console.log(`${prefix}: build/Release/rec_kernels.node in ${((Date.now() - started) / 1000).toFixed(1)} s`);
