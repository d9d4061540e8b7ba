/**
 * Atomic file writes: a reader — or the next run after a crash — sees either the
 * previous content of a file or the complete new content, never a prefix of it.
 *
 * The recipe is the one every careful writer uses (git's lockfiles, SQLite's
 * journal, npm's write-file-atomic): write the bytes to a fresh temporary name
 * in the target's own folder, `fsync` them, `rename` the temporary over the
 * target, then `fsync` the folder so the rename itself survives a power cut.
 * `rename` within one file system replaces the directory entry in one step
 * (POSIX `rename(2)`; `MoveFileEx` with `MOVEFILE_REPLACE_EXISTING` on Windows),
 * which is why the temporary file must sit beside the target and not in
 * `os.tmpdir()`.
 *
 * Node-only: imported through `@rec/core/node`, never from the package root.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * One file for {@link writeFilesAtomic}: where it goes and what it holds.
 *
 * @example
 * ```ts
 * const file: AtomicFile = { path: 'runs/mf/config.json', data: '{"dim": 32}\n' };
 * ```
 */
export interface AtomicFile {
  /** Final path of the file; its folder must exist. */
  readonly path: string;
  /** Content: a string is written as UTF-8, bytes as they are. */
  readonly data: string | Uint8Array;
}

/**
 * Error codes with which a platform refuses to open or `fsync` a directory:
 * Windows (`EISDIR`/`EPERM` on open), some network and FUSE file systems
 * (`EINVAL`). There the rename is as durable as the platform makes it.
 */
const DIRECTORY_SYNC_UNSUPPORTED = new Set(['EISDIR', 'EINVAL', 'EPERM']);

/**
 * A name no other writer uses: dot-prefixed so directory listings and globs
 * skip it, and ending in `.tmp` so a stray one left by a killed process is
 * recognizable as garbage.
 */
function temporaryPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Writes `data` to the new file `path` (`wx`: never clobbers) and flushes it to disk. */
async function writeSynced(path: string, data: string | Uint8Array, created: string[], target: string): Promise<void> {
  const handle = await open(path, 'wx');
  created.push(path);
  try {
    await handle.writeFile(data);
    // Without this, a crash soon after the rename can leave an empty or short
    // file under the final name on file systems that order metadata before data.
    await handle.sync();
  } catch (err) {
    // Errors of a file handle's writes carry no path (`ENOSPC: no space left on
    // device, write`): name the file, keep the code.
    const named = new Error(`cannot write ${target}: ${(err as Error).message}`, { cause: err });
    throw Object.assign(named, { code: (err as NodeJS.ErrnoException).code, path: target });
  } finally {
    await handle.close();
  }
}

/** Flushes `dir`'s entries (the renames into it) to disk, where the platform allows. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    if (!DIRECTORY_SYNC_UNSUPPORTED.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
  } finally {
    await handle?.close();
  }
}

/**
 * Writes several files, each atomically: every file's content is written and
 * flushed under a temporary name first, and only when all of them are complete
 * are they renamed over their targets, in the order given; then each folder
 * involved is flushed once.
 *
 * Each file on its own is all-or-nothing. The set is not: a crash between two
 * renames leaves the first files new and the rest old — writing all contents
 * before the first rename keeps that window to a few `rename` calls. Put the
 * file that readers check last (say, a manifest) at the end of `files`.
 *
 * On any error before the renames every temporary file is removed and no target
 * has changed. A process killed outright (`SIGKILL`, power cut) may leave a
 * `.<name>.<pid>.<random>.tmp` file beside the target; the target itself is intact.
 *
 * @param files Paths and contents; the paths must be distinct, and their folders
 * must exist (create them first with `mkdir(dir, { recursive: true })`). Costs one
 * `fsync` per file and one per distinct folder.
 * @throws {Error} If two entries name the same path; a file system error is
 * rethrown after the clean-up with its `code`; a failed write (`ENOSPC`), whose
 * error Node gives no path, is reworded to name the target file.
 * @example
 * ```ts
 * import { mkdir } from 'node:fs/promises';
 * import { writeFilesAtomic } from '@rec/core/node';
 *
 * await mkdir('runs/mf', { recursive: true });
 * await writeFilesAtomic([
 *   { path: 'runs/mf/ids.bin', data: new Uint8Array([1, 0, 0, 0, 2, 0, 0, 0]) },
 *   { path: 'runs/mf/manifest.json', data: '{"files": ["ids.bin"]}\n' },
 * ]);
 * ```
 */
export async function writeFilesAtomic(files: readonly AtomicFile[]): Promise<void> {
  const targets = files.map((file) => resolve(file.path));
  const seen = new Set<string>();
  for (const [i, target] of targets.entries()) {
    if (seen.has(target)) throw new Error(`writeFilesAtomic: ${files[i]!.path} is listed twice; each path may be written once`);
    seen.add(target);
  }

  const created: string[] = [];
  const temporaries = targets.map(temporaryPath);
  let renamed = 0;
  try {
    for (const [i, file] of files.entries()) await writeSynced(temporaries[i]!, file.data, created, targets[i]!);
    for (const [i, target] of targets.entries()) {
      await rename(temporaries[i]!, target);
      renamed = i + 1;
    }
  } catch (err) {
    // Only what this call created and did not yet rename: a temporary name that
    // `open(..., 'wx')` refused belongs to someone else.
    const renamedSet = new Set(temporaries.slice(0, renamed));
    await Promise.all(created.filter((path) => !renamedSet.has(path)).map((path) => rm(path, { force: true }).catch(() => undefined)));
    throw err;
  }
  for (const dir of new Set(targets.map((target) => dirname(target)))) await syncDirectory(dir);
}

/**
 * Writes `data` to `path` atomically: a concurrent reader, or the next run after
 * a crash or `SIGKILL`, sees either the previous file (or none) or the complete
 * new content — never a truncated or half-written one.
 *
 * The content goes to a unique temporary name in the same folder, is flushed
 * with `fsync`, and is renamed over `path`; the folder is then flushed so that
 * the rename survives a power cut (skipped where the platform refuses to flush
 * a directory). On any error the temporary file is removed and `path` is
 * untouched. Readers never need a lock, but two concurrent writers of one path
 * race: the last rename wins, whole.
 *
 * @param path Target file; its folder must exist. An existing file is replaced
 * (a new inode: hard links to the old one keep the old content).
 * @param data A string (written as UTF-8) or bytes. Held in memory whole.
 * @throws {Error} On a file system error (missing folder, no permission, full
 * disk), after removing the temporary file.
 * @example
 * ```ts
 * import { writeFileAtomic } from '@rec/core/node';
 *
 * await writeFileAtomic('report.json', `${JSON.stringify({ hr10: 0.71 }, null, 2)}\n`);
 * ```
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await writeFilesAtomic([{ path, data }]);
}
