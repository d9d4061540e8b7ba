import type { Backend } from './backend.js';
import { registerBackend, registeredBackends, setBackend } from './engine.js';

/** What loading a backend gave: the backend, or why it is not available here. */
export type BackendLoadResult = { ok: true; backend: Backend } | { ok: false; reason: string };

/** Loads an optional backend (e.g. the native addon, a WebGPU adapter). Must not throw. */
export type BackendLoader = () => BackendLoadResult | Promise<BackendLoadResult>;

interface Candidate {
  name: string;
  priority: number;
  load: BackendLoader;
}

const candidates = new Map<string, Candidate>();

/**
 * Offers an optional backend to {@link resolveBackend}. Higher priority wins
 * when several load (e.g. native 20; the `js` reference is 0). A negative
 * priority makes the backend explicit-only: it is used when asked for by name
 * (`REC_BACKEND` or the `prefer` option), never picked automatically — for a
 * backend that does not yet implement every kernel and has no host fallback.
 */
export function registerBackendLoader(name: string, priority: number, load: BackendLoader): void {
  candidates.set(name, { name, priority, load });
}

/** Options of {@link resolveBackend}. */
export interface ResolveBackendOptions {
  /** Backend to use; default `REC_BACKEND`, else the highest-priority one that loads. */
  prefer?: string;
  /** Where the one line per skipped backend goes (default stderr). */
  log?: (line: string) => void;
}

/**
 * Picks and activates the backend new tensors are created on: the one asked
 * for (option or `REC_BACKEND=js|native|webgpu`), else the fastest that loads.
 * Every backend that cannot load is skipped with one line saying why; asking
 * for a specific backend that cannot load is an error.
 *
 * @example
 * ```ts
 * const backend = await resolveBackend(); // "backend native skipped: addon not built (…)" → js
 * ```
 */
export async function resolveBackend(options: ResolveBackendOptions = {}): Promise<Backend> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const wanted = options.prefer ?? process.env.REC_BACKEND;
  if (wanted) {
    if (registeredBackends().includes(wanted)) return setBackend(wanted);
    const c = candidates.get(wanted);
    if (!c) throw new Error(`backend '${wanted}' is unknown; known: ${['js', ...candidates.keys()].join(', ')}`);
    const r = await c.load();
    if (!r.ok) throw new Error(`backend '${wanted}' was asked for but cannot load: ${r.reason}`);
    registerBackend(r.backend);
    return setBackend(wanted);
  }
  for (const c of [...candidates.values()].filter((x) => x.priority >= 0).sort((a, b) => b.priority - a.priority)) {
    const r = await c.load();
    if (r.ok) {
      registerBackend(r.backend);
      return setBackend(c.name);
    }
    log(`backend ${c.name} skipped: ${r.reason}`);
  }
  return setBackend('js');
}
