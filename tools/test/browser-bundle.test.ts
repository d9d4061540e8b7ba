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
 *
 * `@rec/kernels/webgpu` is the browser's entry to the `webgpu` backend (apps/web
 * bundles it): the same check, except that files of `packages/kernels/src/webgpu/`
 * are allowed — but not `load.ts` (it imports dawn-node, npm `webgpu`), nor the
 * package root or the native glue.
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

/** Records every forbidden import instead of resolving it; `allowed` lets one through (left external). */
function guard(
  offences: Offence[],
  forbidden: (specifier: string) => string | undefined = forbiddenSpecifier,
  allowed: (specifier: string, importer: string, kind: string) => boolean = () => false,
): Plugin {
  return {
    name: 'browser-safe-guard',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        const reason = forbidden(args.path);
        if (reason === undefined) return undefined;
        const importer = relative(root, args.importer).split('\\').join('/');
        if (!allowed(args.path, importer, args.kind)) offences.push({ what: args.path, importer, reason });
        return { path: args.path, external: true };
      });
    },
  };
}

/** Bundles `entry` (relative to the repository root) for the browser through `plugin`. */
async function bundle(entry: string, plugin: Plugin, what: string): Promise<Metafile> {
  try {
    const { metafile } = await build({
      absWorkingDir: root,
      entryPoints: [entry],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      conditions: ['@rec/source'],
      metafile: true,
      logLevel: 'silent',
      plugins: [plugin],
    });
    return metafile;
  } catch (err) {
    const errors = (err as BuildFailure).errors;
    if (errors === undefined) throw err;
    throw new Error(`${what}: ${entry} does not bundle for the browser:\n${errors.map(formatMessage).join('\n')}`);
  }
}

/** One line per offence, with the import chain that reaches it. */
function describeOffences(offences: readonly Offence[], metafile: Metafile, entry: string): string[] {
  return offences.map((o) => {
    // Metafile paths are relative to absWorkingDir (the repository root), as is `importer`.
    const chain = chainTo(metafile, entry, o.importer === '' ? o.what : o.importer);
    const via = o.importer === '' ? chain : [...chain, o.what];
    return `${o.what}: ${o.reason}, imported via ${via.join(' → ')}`;
  }).sort();
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
    const metafile = await bundle(entry, guard(offences), `@rec/${name}`);
    for (const input of Object.keys(metafile.inputs)) {
      const reason = forbiddenFile(input);
      if (reason !== undefined) offences.push({ what: input, importer: '', reason });
    }
    const lines = describeOffences(offences, metafile, entry);
    expect(lines, `@rec/${name}'s root is not browser-safe; move these behind @rec/${name}/node`).toEqual([]);
  });
});

/** The browser's entry to the `webgpu` backend, and what it must never reach. */
const KERNELS_WEBGPU_ENTRY = 'packages/kernels/src/webgpu/browser.ts';

/** Why `specifier` may not be imported from `@rec/kernels/webgpu`: the root's rules, plus dawn-node. */
function forbiddenForWebGPU(specifier: string): string | undefined {
  if (specifier === 'webgpu' || specifier.startsWith('webgpu/')) return "dawn-node (npm 'webgpu', Node only)";
  if (specifier === '@rec/kernels') return '@rec/kernels (loads the native addon)';
  return specifier.startsWith('@rec/kernels/') ? undefined : forbiddenSpecifier(specifier);
}

/** Why bundling `path` into `@rec/kernels/webgpu` is forbidden, or undefined. */
function forbiddenFileForWebGPU(path: string): string | undefined {
  const rel = relative(root, resolve(root, path)).split('\\').join('/');
  if (rel === 'packages/kernels/src/webgpu/load.ts') return "the Node loader (it imports dawn-node, npm 'webgpu')";
  if (rel.startsWith('packages/kernels/src/webgpu/')) return undefined;
  return forbiddenFile(path);
}

/**
 * The one Node import the entry may reach: `loadShaderSources` in `shaders.ts` (which
 * `backend.ts` imports for `composeShader`) reads `kernels/wgsl/` from disk through
 * dynamic `import('node:…')` calls that run only where `process.versions.node` exists;
 * a browser bundle leaves them external and never runs them (the entry passes the
 * embedded WGSL). A static import, or one from any other file, is an offence.
 */
const allowedInWebGPU = (specifier: string, importer: string, kind: string): boolean =>
  kind === 'dynamic-import' && importer === 'packages/kernels/src/webgpu/shaders.ts' && ['node:fs/promises', 'node:path', 'node:url'].includes(specifier);

describe('@rec/kernels/webgpu entry', () => {
  it('is the exports map\'s ./webgpu subpath', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', 'kernels', 'package.json'), 'utf8')) as { exports: Record<string, Record<string, string>> };
    expect(manifest.exports['./webgpu']?.['@rec/source']).toBe(`./${relative('packages/kernels', KERNELS_WEBGPU_ENTRY)}`);
  });

  it('bundles for the browser without Node built-ins, dawn-node, DuckDB, the native addon or the package root', async () => {
    const offences: Offence[] = [];
    const metafile = await bundle(KERNELS_WEBGPU_ENTRY, guard(offences, forbiddenForWebGPU, allowedInWebGPU), '@rec/kernels/webgpu');
    const inputs = Object.keys(metafile.inputs);
    for (const input of inputs) {
      const reason = forbiddenFileForWebGPU(input);
      if (reason !== undefined) offences.push({ what: input, importer: '', reason });
    }
    expect(describeOffences(offences, metafile, KERNELS_WEBGPU_ENTRY), '@rec/kernels/webgpu is not browser-safe').toEqual([]);
    // It carries the backend, the kernels and the embedded WGSL (not an empty shell).
    for (const file of ['backend.ts', 'kernels/index.ts', 'shaders.generated.ts', 'kernels/sgd/bpr_step.ts']) {
      expect(inputs, file).toContain(`packages/kernels/src/webgpu/${file}`);
    }
  });
});
