/**
 * The lock packages.test.ts and pack-install.test.ts hold around packing @rec/kernels:
 * its prepack copies kernels/cpu into packages/kernels/cpu and its postpack removes it,
 * and vitest runs the two files at once. The lock is a folder (mkdir is atomic); one
 * older than 15 minutes is left over from a killed run and is taken.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The repository root. */
const root = join(import.meta.dirname, '..', '..');

/**
 * Runs `fn` while holding the kernels-pack lock.
 * @example
 * ```ts
 * withKernelsPackLock(() => execFileSync('pnpm', ['pack'], { cwd: kernelsDir }));
 * ```
 */
export function withKernelsPackLock<T>(fn: () => T): T {
  const lock = join(tmpdir(), `rec-kernels-pack-${Buffer.from(root).toString('hex').slice(-24)}.lock`);
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || Date.now() > deadline) throw error;
      const heldSince = statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (Date.now() - heldSince > 15 * 60_000) rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
