/** Sizes of a built page, for the measure script and the page test. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Bytes of every file under `dir`, recursively.
 * @example
 * ```ts
 * folderBytes('apps/web/dist'); // 765536
 * ```
 */
export function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(path) : statSync(path).size;
  }
  return total;
}
