/**
 * Browser-safe roots (DESIGN.md): each library's root entry bundles for the
 * browser. esbuild bundles the root's source entry (`@rec/source` condition)
 * with `platform: 'browser'`, and the check fails on anything that would not
 * run in a browser: a Node built-in (`node:*` or a bare `fs`, `path`, …),
 * DuckDB (`@duckdb/*`), a native addon (`.node`, `packages/kernels/src/native`)
 * or `@rec/kernels` (its root loads the addon; the browser's backends are
 * registered by the app). File I/O belongs behind each package's `/node` subpath.
 *
 * Only what the check forbids is left unresolved (recorded, then marked external
 * so that one run reports every offender); everything else must resolve.
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { build, type BuildFailure, type Message, type Metafile, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

/** The libraries whose root entry must bundle for a browser. */
const BROWSER_SAFE_ROOTS = ['core', 'data', 'eval', 'models'] as const;

const builtins = new Set(builtinModules.flatMap((name) => [name, name.replace(/\/.*$/, '')]));

/** Why importing `specifier` from a browser-safe root is forbidden, or undefined when it is not. */
function forbiddenSpecifier(specifier: string): string | undefined {
  if (specifier.startsWith('node:')) return 'a Node built-in';
  if (builtins.has(specifier) || builtins.has(specifier.split('/')[0]!)) return 'a Node built-in';
  if (specifier === '@duckdb' || specifier.startsWith('@duckdb/')) return 'DuckDB';
  if (specifier === '@rec/kernels' || specifier.startsWith('@rec/kernels/')) return '@rec/kernels (loads the native addon)';
  if (specifier.endsWith('.node')) return 'a native addon';
  return undefined;
}

/** Why bundling the resolved file `path` is forbidden, or undefined. */
function forbiddenFile(path: string): string | undefined {
  const rel = relative(root, resolve(root, path)).split('\\').join('/');
  if (rel.endsWith('.node')) return 'a native addon';
  if (rel.startsWith('packages/kernels/src/native/')) return 'the native addon glue';
  if (rel.startsWith('packages/kernels/')) return '@rec/kernels (loads the native addon)';
  if (/(^|\/)node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?@duckdb\//.test(rel)) return 'DuckDB';
  return undefined;
}

interface Offence {
  /** What was imported, as written, or the file bundled. */
  readonly what: string;
  /** The file that imports it (relative to the repository root). */
  readonly importer: string;
  readonly reason: string;
}

/** Records every forbidden import instead of resolving it. */
function guard(offences: Offence[]): Plugin {
  return {
    name: 'browser-safe-guard',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        const reason = forbiddenSpecifier(args.path);
        if (reason === undefined) return undefined;
        offences.push({ what: args.path, importer: relative(root, args.importer), reason });
        return { path: args.path, external: true };
      });
    },
  };
}

/** The import chain from `entry` to `target` (metafile input paths), by breadth-first search. */
function chainTo(metafile: Metafile, entry: string, target: string): string[] {
  const previous = new Map<string, string | undefined>([[entry, undefined]]);
  const queue = [entry];
  while (queue.length > 0) {
    const at = queue.shift()!;
    if (at === target) break;
    for (const next of metafile.inputs[at]?.imports ?? []) {
      if (next.external || previous.has(next.path)) continue;
      previous.set(next.path, at);
      queue.push(next.path);
    }
  }
  if (!previous.has(target)) return [target];
  const chain: string[] = [];
  for (let at: string | undefined = target; at !== undefined; at = previous.get(at)) chain.unshift(at);
  return chain;
}

function formatMessage(m: Message): string {
  const where = m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ` : '';
  return `${where}${m.text}`;
}

describe.each(BROWSER_SAFE_ROOTS)('@rec/%s root entry', (name) => {
  it('bundles for the browser without Node built-ins, DuckDB, the native addon or @rec/kernels', async () => {
    const dir = join(root, 'packages', name);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { exports: Record<string, Record<string, string>> };
    const entry = relative(root, join(dir, manifest.exports['.']!['@rec/source']!)).split('\\').join('/');

    const offences: Offence[] = [];
    let metafile: Metafile;
    try {
      ({ metafile } = await build({
        absWorkingDir: root,
        entryPoints: [entry],
        bundle: true,
        write: false,
        platform: 'browser',
        format: 'esm',
        conditions: ['@rec/source'],
        metafile: true,
        logLevel: 'silent',
        plugins: [guard(offences)],
      }));
    } catch (err) {
      const errors = (err as BuildFailure).errors;
      if (errors === undefined) throw err;
      throw new Error(`@rec/${name}: ${entry} does not bundle for the browser:\n${errors.map(formatMessage).join('\n')}`);
    }

    for (const input of Object.keys(metafile.inputs)) {
      const reason = forbiddenFile(input);
      if (reason !== undefined) offences.push({ what: input, importer: '', reason });
    }
    const lines = offences.map((o) => {
      // Metafile paths are relative to absWorkingDir (the repository root), as is `importer`.
      const chain = chainTo(metafile, entry, o.importer === '' ? o.what : o.importer);
      const via = o.importer === '' ? chain : [...chain, o.what];
      return `${o.what}: ${o.reason}, imported via ${via.join(' → ')}`;
    }).sort();
    expect(lines, `@rec/${name}'s root is not browser-safe; move these behind @rec/${name}/node`).toEqual([]);
  });
});
