/**
 * Where the `webgpu` backend gets its WGSL: `kernels/wgsl/` read from disk in
 * Node when the repository is there (so an edited shader runs without a
 * regeneration step), else the strings of `shaders.generated.ts` (a browser
 * bundle, or an installed package that has no `kernels/` tree). A test fails
 * when the generated module is stale, so the two never differ in CI.
 *
 * A kernel file names the helper files it needs in lines of the form
 * `//! requires common/philox.wgsl`; {@link composeShader} prepends them once
 * each, dependencies first (WGSL has no include directive). A helper that is a
 * template over one array takes the array's name in parentheses,
 * `//! requires common/sorted_has.wgsl(indices)`: every `SORTED` in it (also
 * inside names: `sorted_has_SORTED`) becomes `indices`, once per distinct
 * name — WGSL cannot pass a pointer to a storage array to a function on every
 * implementation.
 */
import { WGSL_SOURCES } from './shaders.generated.js';

/** WGSL sources keyed by stem, e.g. `sampling/neg_sample_exclude`. */
export type ShaderSources = Readonly<Record<string, string>>;

const REQUIRES = /^\/\/! requires ([\w/]+)\.wgsl(?:\((\w+)\))?\s*$/gm;

/** The placeholder a template helper uses for the array named in its requires line. */
const TEMPLATE_ARRAY = /SORTED/g;

/**
 * The WGSL sources: from `kernels/wgsl/` on disk in Node when that directory
 * exists next to this package, otherwise the embedded copies. Never throws.
 *
 * @example
 * ```ts
 * const sources = await loadShaderSources();
 * console.log(Object.keys(sources)); // ['common/philox', 'dense/matmul', …]
 * ```
 */
export async function loadShaderSources(): Promise<ShaderSources> {
  if (typeof process === 'undefined' || !process.versions?.node) return WGSL_SOURCES;
  try {
    const fs = await import('node:fs/promises');
    const path = await import('node:path');
    const { fileURLToPath } = await import('node:url');
    // src/webgpu/ and dist/webgpu/ both sit four levels below the repository root.
    const root = fileURLToPath(new URL('../../../../kernels/wgsl/', import.meta.url));
    const out: Record<string, string> = {};
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (entry.name.endsWith('.wgsl')) {
          out[path.relative(root, full).split(path.sep).join('/').replace(/\.wgsl$/, '')] = await fs.readFile(full, 'utf8');
        }
      }
    };
    await walk(root);
    return Object.keys(out).length ? out : WGSL_SOURCES;
  } catch {
    return WGSL_SOURCES;
  }
}

/**
 * The full WGSL module for `stem`: its `//! requires` helpers (transitively,
 * each once, dependencies first) followed by the file itself.
 *
 * @param sources the sources from {@link loadShaderSources}
 * @param stem a kernel's stem, e.g. `sampling/neg_sample_exclude`
 *
 * @example
 * ```ts
 * const code = composeShader(WGSL_SOURCES, 'sampling/neg_sample_exclude'); // philox helpers + the kernel
 * ```
 */
export function composeShader(sources: ShaderSources, stem: string): string {
  // Each entry is a stem, or `stem(array)` for a template helper instantiated for one array.
  const order: string[] = [];
  const texts = new Map<string, string>();
  const visiting = new Set<string>();
  const visit = (s: string, array: string | undefined, from: string | undefined): void => {
    const key = array === undefined ? s : `${s}(${array})`;
    if (texts.has(key)) return;
    if (visiting.has(key)) throw new Error(`WGSL '${s}.wgsl' requires itself through '${from}.wgsl'`);
    const source = sources[s];
    if (source === undefined) {
      throw new Error(from ? `WGSL '${from}.wgsl' requires '${s}.wgsl', which is not in kernels/wgsl/` : `no WGSL source '${s}.wgsl' in kernels/wgsl/`);
    }
    const text = array === undefined ? source : source.replace(TEMPLATE_ARRAY, array);
    visiting.add(key);
    for (const m of text.matchAll(REQUIRES)) visit(m[1], m[2], s);
    visiting.delete(key);
    texts.set(key, text);
    order.push(key);
  };
  visit(stem, undefined, undefined);
  return order.map((key) => texts.get(key)).join('\n');
}
