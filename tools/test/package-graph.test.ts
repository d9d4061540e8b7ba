/**
 * The package graph of DESIGN.md holds in the code: every `.ts` file under
 * `packages/<name>/src`, `packages/<name>/test`, `apps/<name>/src` and `apps/<name>/test` imports only
 * the @rec packages its own package may import, never an app, never another
 * package's files by path; and each package.json lists the @rec packages its
 * files import.
 *
 * Imports are read with the TypeScript parser (static, dynamic, `import('x').T`
 * types, `require`, `vi.mock`), so an `@example` in a comment is not an import.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * DESIGN.md's arrows, as drawn ("Arrows point to what a package imports"):
 *
 *   apps/*  →  @rec/models  →  @rec/eval, @rec/data, @rec/kernels
 *   @rec/eval → @rec/kernels;  @rec/data → @rec/kernels;  @rec/kernels → @rec/core
 *
 * A package may import what its arrows reach, directly or through others
 * ("nothing imports upward"), so @rec/models may import @rec/core. Siblings do
 * not import each other: @rec/eval never imports @rec/data.
 */
const ARROWS: Readonly<Record<string, readonly string[]>> = {
  '@rec/core': [],
  '@rec/kernels': ['@rec/core'],
  '@rec/data': ['@rec/kernels'],
  '@rec/eval': ['@rec/kernels'],
  '@rec/models': ['@rec/eval', '@rec/data', '@rec/kernels'],
};
/** Every app (`apps/*`) imports the models and what they reach; nothing imports an app. */
const APP_ARROWS: readonly string[] = ['@rec/models'];
/** The folders of a workspace package whose `.ts` files are checked. */
const CHECKED_FOLDERS = ['src', 'test'] as const;

const root = join(import.meta.dirname, '..', '..');

interface WorkspacePackage {
  readonly name: string;
  /** `packages/core`, `apps/cli`, … */
  readonly dir: string;
  readonly isApp: boolean;
  readonly dependencies: ReadonlySet<string>;
  readonly devDependencies: ReadonlySet<string>;
}

function workspacePackages(): WorkspacePackage[] {
  const found: WorkspacePackage[] = [];
  for (const group of ['packages', 'apps']) {
    for (const entry of readdirSync(join(root, group), { withFileTypes: true })) {
      const manifestPath = join(root, group, entry.name, 'package.json');
      if (!entry.isDirectory() || !existsSync(manifestPath)) continue;
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
        name: string;
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      found.push({
        name: manifest.name,
        dir: `${group}/${entry.name}`,
        isApp: group === 'apps',
        dependencies: new Set(Object.keys(manifest.dependencies ?? {})),
        devDependencies: new Set(Object.keys(manifest.devDependencies ?? {})),
      });
    }
  }
  return found;
}

const packages = workspacePackages();
const byName = new Map(packages.map((p) => [p.name, p]));

/** What `name` may import: the closure of its arrows. */
function allowedImports(pkg: WorkspacePackage): Set<string> {
  const allowed = new Set<string>();
  const queue = [...(pkg.isApp ? APP_ARROWS : (ARROWS[pkg.name] ?? []))];
  while (queue.length > 0) {
    const next = queue.shift()!;
    if (allowed.has(next)) continue;
    allowed.add(next);
    queue.push(...(ARROWS[next] ?? []));
  }
  return allowed;
}

/** `.ts` files under `dir` (absolute), recursively, skipping node_modules. */
function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !`${e.parentPath}${sep}`.includes(`${sep}node_modules${sep}`))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

interface Reference {
  /** The module specifier or path text as written. */
  readonly text: string;
  readonly line: number;
  /** `import` for module specifiers; `path` for strings that build a file path. */
  readonly kind: 'import' | 'path';
  /** For `path`: the absolute paths it may resolve to (the file's folder and its package as bases). */
  readonly resolved?: readonly string[];
}

const PATH_CALLS = new Set(['join', 'resolve', 'readFileSync', 'readFile', 'existsSync', 'readdirSync', 'statSync', 'createReadStream']);

/** Whether `node` is `import.meta.dirname`, `__dirname`, or `dirname(fileURLToPath(import.meta.url))`. */
function isOwnFolder(node: ts.Expression): boolean {
  const text = node.getText();
  return text === 'import.meta.dirname' || text === '__dirname' || /^(path\.)?dirname\(fileURLToPath\(import\.meta\.url\)\)$/.test(text);
}

/** Every module reference and path-building call in `file`. */
function referencesOf(file: string, packageDir: string): Reference[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: Reference[] = [];
  const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const addImport = (node: ts.Node | undefined) => {
    if (node !== undefined && ts.isStringLiteralLike(node)) out.push({ text: node.text, line: lineOf(node), kind: 'import' });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) addImport(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) addImport(node.moduleReference.expression);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) addImport(node.argument.literal);
    else if (ts.isCallExpression(node)) {
      const callee = node.expression.getText(source);
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword || callee === 'require' || /^vi\.(do)?[mM]ock$|^vi\.importActual$/.test(callee)) {
        addImport(node.arguments[0]);
      } else {
        const name = callee.replace(/^.*\./, '');
        if (PATH_CALLS.has(name)) {
          // The literal segments of a path built in place: join(import.meta.dirname, '..', '..', 'data', 'src').
          // Resolved only when the base is known (the file's own folder) or the path is
          // relative and all literal; otherwise its literal segments are still checked
          // (join(root, 'apps', 'cli')).
          const [first, ...rest] = node.arguments;
          const fromOwnFolder = first !== undefined && isOwnFolder(first);
          const args = fromOwnFolder ? rest : [...node.arguments];
          const literals = args.filter(ts.isStringLiteralLike).map((arg) => arg.text);
          if (literals.length > 0) {
            const joined = literals.join('/');
            const allLiteral = literals.length === args.length;
            const bases = fromOwnFolder && allLiteral ? [dirname(file)] : allLiteral && joined.startsWith('.') ? [dirname(file), packageDir] : [];
            out.push({ text: joined, line: lineOf(node), kind: 'path', resolved: bases.map((b) => resolve(b, joined)) });
          }
        }
      }
    } else if (ts.isNewExpression(node) && node.expression.getText(source) === 'URL' && node.arguments?.[0] && ts.isStringLiteralLike(node.arguments[0])) {
      // new URL('../../data/src/x.ts', import.meta.url)
      const literal = node.arguments[0].text;
      if (literal.startsWith('.')) out.push({ text: literal, line: lineOf(node), kind: 'path', resolved: [resolve(dirname(file), literal)] });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** The workspace package `@rec/x` or `@rec/x/sub` names, or undefined for anything else. */
function recPackageOf(specifier: string): string | undefined {
  const m = /^(@rec\/[^/]+)/.exec(specifier);
  return m?.[1];
}

/** The workspace package whose folder holds the absolute `path`, if any. */
function packageAt(path: string): WorkspacePackage | undefined {
  const rel = relative(root, path).split(sep).join('/');
  return packages.find((p) => rel === p.dir || rel.startsWith(`${p.dir}/`));
}

interface Finding {
  readonly where: string;
  readonly what: string;
}

/** Checks one package's files; returns its findings and the @rec packages its src and test files import. */
function checkPackage(pkg: WorkspacePackage): { findings: Finding[]; imports: Record<'src' | 'test', Set<string>> } {
  const findings: Finding[] = [];
  const imports = { src: new Set<string>(), test: new Set<string>() };
  const allowed = allowedImports(pkg);
  const packageDir = join(root, pkg.dir);
  for (const folder of CHECKED_FOLDERS) {
    for (const file of tsFiles(join(packageDir, folder))) {
      const rel = relative(root, file).split(sep).join('/');
      // A test file beside its source (src/**/*.test.ts) counts as a test.
      const role = folder === 'test' || /\.test\.ts$/.test(file) ? 'test' : 'src';
      for (const ref of referencesOf(file, packageDir)) {
        const where = `${rel}:${ref.line}`;
        if (ref.kind === 'import') {
          const target = recPackageOf(ref.text);
          if (target !== undefined) {
            if (target === pkg.name) continue;
            const dep = byName.get(target);
            if (dep === undefined) findings.push({ where, what: `imports ${ref.text}, which is no workspace package` });
            else if (dep.isApp) findings.push({ where, what: `imports the app ${target}; apps are imported by nothing` });
            else if (!allowed.has(target)) {
              findings.push({ where, what: `imports ${ref.text}, against DESIGN.md's arrows (${pkg.name} may import ${[...allowed].sort().join(', ') || 'no @rec package'})` });
            }
            imports[role].add(target);
          } else if (ref.text.startsWith('.')) {
            const owner = packageAt(resolve(dirname(file), ref.text));
            if (owner !== pkg) {
              findings.push({ where, what: `imports ${ref.text} by relative path, reaching into ${owner?.dir ?? 'a folder outside its package'}; import the package by name through its exports` });
            }
          }
        } else {
          const outside = (ref.resolved ?? []).map(packageAt).find((owner) => owner !== undefined && owner !== pkg);
          const segments = ref.text.split('/');
          const namesApp = pkg.isApp ? false : segments.includes('apps');
          const i = segments.indexOf('packages');
          const namesOtherPackage = i >= 0 && segments[i + 1] !== undefined && `packages/${segments[i + 1]}` !== pkg.dir;
          if (outside?.isApp === true) {
            findings.push({ where, what: `reads the app ${outside.dir}'s files by path ('${ref.text}'); nothing depends on an app` });
          } else if (outside !== undefined) {
            findings.push({ where, what: `reads ${outside.dir} by path ('${ref.text}'); another package's files are reached only through its exports` });
          } else if (namesApp) {
            findings.push({ where, what: `reads an app's files by path ('${ref.text}'); a package never depends on an app` });
          } else if (namesOtherPackage) {
            findings.push({ where, what: `reads packages/${segments[i + 1]} by path ('${ref.text}'); another package's files are reached only through its exports` });
          }
        }
      }
    }
  }
  return { findings, imports };
}

const checked = new Map(packages.map((pkg) => [pkg.name, checkPackage(pkg)]));

describe('package graph', () => {
  it('finds the workspace packages DESIGN.md draws', () => {
    for (const name of Object.keys(ARROWS)) expect(byName.get(name)?.isApp, name).toBe(false);
    expect(packages.filter((p) => p.isApp).length).toBeGreaterThan(0);
  });

  describe.each(packages.map((p) => [p.name, p] as const))('%s', (name, pkg) => {
    it('imports only what DESIGN.md\'s arrows allow, never an app, never another package by path', () => {
      const { findings } = checked.get(name)!;
      expect(findings.map((f) => `${f.where}: ${f.what}`)).toEqual([]);
    });

    it('lists every @rec package it imports in package.json', () => {
      const { imports } = checked.get(name)!;
      const missing = [
        ...[...imports.src].filter((dep) => !pkg.dependencies.has(dep)).map((dep) => `src imports ${dep}: add "${dep}": "workspace:*" to dependencies`),
        ...[...imports.test]
          .filter((dep) => !pkg.dependencies.has(dep) && !pkg.devDependencies.has(dep))
          .map((dep) => `tests import ${dep}: add "${dep}": "workspace:*" to devDependencies (or dependencies)`),
      ];
      expect(missing.sort()).toEqual([]);
    });
  });
});
