/**
 * `pnpm rec …` and `pnpm quickstart` run their script in `apps/cli`, but a person types
 * paths relative to where they are. npm and pnpm put that folder in `INIT_CWD`; a
 * command started as a package script moves there first, so `REC_DATA_DIR`, `--data`
 * files, `--out` and `--config` resolve as the person meant.
 */

/**
 * Moves to the folder the person ran the package script from, when this process is one
 * (`npm_lifecycle_event` set) and that folder differs from the current one.
 * @returns the folder moved to, or undefined when nothing changed.
 * @example
 * ```ts
 * useCallerDirectory(); // in `rec`'s entry, before any path is read
 * ```
 */
export function useCallerDirectory(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const caller = env.INIT_CWD;
  if (!env.npm_lifecycle_event || !caller || caller === process.cwd()) return undefined;
  process.chdir(caller);
  return caller;
}
