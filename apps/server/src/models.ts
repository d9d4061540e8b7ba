/**
 * The models a server holds: each loaded from a folder under one model root, by name,
 * swapped for a new version atomically (requests in flight finish on the version they
 * started with; a folder that fails to load leaves the old version serving).
 */
import { realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import { fnv1a64, type ModelAbilities, type StandaloneModel } from '@rec/models';
import { loadTrainedModel } from '@rec/models/node';
import { type AnnOptions, AnnRanker, type AnnReport } from './ann.js';

/** A name a model is served under: letters, digits, `.`, `_`, `-`; not `.` or `..`. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A request the store refuses (bad name or path); the server answers 400. */
export class ModelPathError extends Error {
  override readonly name = 'ModelPathError';
}

/** A folder that did not load (missing, malformed or mismatched files); the server answers 422. */
export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';
}

/** No model is served under that name; the server answers 404. */
export class UnknownModelError extends Error {
  override readonly name = 'UnknownModelError';
}

/** One loaded version of a model folder. */
export interface ModelVersion {
  readonly name: string;
  /** The folder, as a real path under the root. */
  readonly dir: string;
  /** A hash of the manifest (`config.json`) the model was loaded from (each save writes a new one). */
  readonly version: string;
  readonly model: StandaloneModel;
  readonly abilities: ModelAbilities;
  readonly loadedAt: string;
  /** The approximate index top-K goes through, when the catalogue is large enough (see {@link AnnOptions}). */
  readonly ann?: AnnRanker;
}

interface Entry {
  readonly current: ModelVersion;
  /** Requests running on this version. */
  inFlight: number;
  /** Replaced by a newer version: freed when the last request on it ends. */
  retired: boolean;
}

/** What a load or reload did. */
export interface LoadResult {
  readonly name: string;
  readonly version: string;
  /** The version it replaced, if any. */
  readonly replaced?: string;
}

/**
 * The served models, keyed by name, each from a folder inside `root`.
 * @example
 * ```ts
 * const store = await ModelStore.open('runs');
 * await store.load('bpr', 'ml-100k/bpr');
 * const top = await store.use('bpr', (m) => m.model.recommend('196', { k: 10 }));
 * ```
 */
export class ModelStore {
  readonly #entries = new Map<string, Entry>();
  /** Loads in progress per name: a second reload of the same name waits for the first. */
  readonly #loading = new Map<string, Promise<LoadResult>>();
  /**
   * Called after each successful load asked of this store (not one relayed from elsewhere):
   * a server of several processes passes it on, so every process serves the same folders.
   */
  onLoaded?: (name: string, path: string) => void;

  private constructor(
    /** The model root, as a real path. */
    readonly root: string,
    private readonly onEvent: (event: StoreEvent) => void,
    /** Approximate top-K for large catalogues; undefined: always exact. */
    private readonly ann: AnnOptions | undefined,
  ) {}

  /**
   * A store whose folders must lie inside `root`.
   * @throws Error when `root` is not a folder.
   */
  static async open(root: string, onEvent: (event: StoreEvent) => void = () => {}, options: { ann?: AnnOptions } = {}): Promise<ModelStore> {
    let real: string;
    try {
      real = await realpath(root);
    } catch {
      throw new Error(`model root ${root} does not exist`);
    }
    if (!(await stat(real)).isDirectory()) throw new Error(`model root ${root} is not a folder`);
    return new ModelStore(real, onEvent, options.ann);
  }

  /**
   * The real path of model folder `path` (relative to the root, or absolute inside it).
   * @throws ModelPathError when it is not inside the root (`..`, an absolute path elsewhere, a
   *   symlink out of it) or does not exist.
   */
  async resolveFolder(path: string): Promise<string> {
    if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) throw new ModelPathError('a model path must be a non-empty string');
    const joined = resolve(this.root, path);
    const inside = (p: string): boolean => {
      const rel = relative(this.root, p);
      return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
    };
    if (!inside(joined)) throw new ModelPathError(`model path '${path}' is outside the model root ${this.root}`);
    let real: string;
    try {
      real = await realpath(joined);
    } catch {
      throw new ModelPathError(`model path '${path}' does not exist under the model root ${this.root}`);
    }
    if (!inside(real)) throw new ModelPathError(`model path '${path}' leads outside the model root ${this.root} (through a symbolic link)`);
    return real;
  }

  /** Checks a model name. @throws ModelPathError naming what is allowed. */
  static checkName(name: string): string {
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new ModelPathError(`model name '${String(name)}' is not allowed: use 1–128 letters, digits, '.', '_' or '-', starting with a letter or digit`);
    }
    return name;
  }

  /** The default name of a folder: its base name. */
  static nameOf(dir: string): string {
    return basename(resolve(dir));
  }

  /**
   * Loads the folder `path` as model `name` and swaps it in: requests already running finish
   * on the old version, new ones get the new. When loading fails, the old version (if any)
   * keeps serving and the error is thrown.
   */
  load(name: string, path: string, options: { relay?: boolean } = {}): Promise<LoadResult> {
    ModelStore.checkName(name);
    const previous = this.#loading.get(name) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(async () => {
      const result = await this.#load(name, path);
      if (options.relay !== false) this.onLoaded?.(name, path);
      return result;
    });
    this.#loading.set(name, run);
    return run.finally(() => {
      if (this.#loading.get(name) === run) this.#loading.delete(name);
    });
  }

  async #load(name: string, path: string): Promise<LoadResult> {
    const old = this.#entries.get(name);
    try {
      const dir = await this.resolveFolder(path);
      const model = await loadTrainedModel(dir);
      const abilities = model.abilities();
      const version = versionOf(model);
      const ann = this.ann ? await AnnRanker.build(model, this.ann) : undefined;
      const current: ModelVersion = { name, dir, version, model, abilities, loadedAt: new Date().toISOString(), ...(ann ? { ann } : {}) };
      this.#entries.set(name, { current, inFlight: 0, retired: false });
      if (old) this.#retire(old);
      this.onEvent({ kind: 'loaded', name, version, dir, ...(old ? { replaced: old.current.version } : {}), ...(ann ? { ann: ann.report } : {}) });
      return { name, version, ...(old ? { replaced: old.current.version } : {}) };
    } catch (err) {
      const message = (err as Error).message;
      this.onEvent({ kind: 'load-failed', name, path, error: message, ...(old ? { serving: old.current.version } : {}) });
      if (err instanceof ModelPathError) throw err;
      throw new ModelLoadError(`model '${name}' did not load from ${path}: ${message}${old ? `; version ${old.current.version} keeps serving` : ''}`);
    }
  }

  /** Reloads model `name` from its folder (a new version written there). */
  reload(name: string): Promise<LoadResult> {
    const entry = this.#entries.get(name);
    if (!entry) throw new UnknownModelError(`no model named '${name}' is served (${this.names().join(', ') || 'none'})`);
    return this.load(name, entry.current.dir);
  }

  /**
   * Reloads every model from its folder; the failures are reported, the rest swapped. Not
   * passed on through {@link onLoaded}: a signal that reloads everything reaches every process.
   */
  async reloadAll(): Promise<PromiseSettledResult<LoadResult>[]> {
    return Promise.allSettled(this.names().map((name) => this.load(name, this.get(name).dir, { relay: false })));
  }

  names(): string[] {
    return [...this.#entries.keys()].sort();
  }

  /** The version now served under `name`. @throws UnknownModelError. */
  get(name: string): ModelVersion {
    const entry = this.#entries.get(name);
    if (!entry) throw new UnknownModelError(`no model named '${name}' is served (${this.names().join(', ') || 'none'})`);
    return entry.current;
  }

  list(): ModelVersion[] {
    return this.names().map((name) => this.#entries.get(name)!.current);
  }

  /**
   * Runs `fn` on the version now served under `name`; a swap during `fn` does not free it.
   * @throws UnknownModelError when no such model is served.
   */
  async use<T>(name: string, fn: (version: ModelVersion) => Promise<T> | T): Promise<T> {
    const entry = this.#entries.get(name);
    if (!entry) throw new UnknownModelError(`no model named '${name}' is served (${this.names().join(', ') || 'none'})`);
    entry.inFlight++;
    try {
      return await fn(entry.current);
    } finally {
      entry.inFlight--;
      if (entry.retired && entry.inFlight === 0) this.#free(entry);
    }
  }

  #retire(entry: Entry): void {
    entry.retired = true;
    if (entry.inFlight === 0) this.#free(entry);
  }

  #free(entry: Entry): void {
    entry.current.model.dispose();
  }
}

/**
 * A loaded folder's version: a hash of the manifest (`config.json`) the model was built from.
 * Each save writes a new one, with its time; hashing what was loaded, not a second read of
 * the file, names exactly what is served.
 */
function versionOf(model: StandaloneModel): string {
  return fnv1a64([new TextEncoder().encode(JSON.stringify(model.manifest ?? null))]).slice(0, 12);
}

/** What the store reports to the server's log and metrics. */
export type StoreEvent =
  | { kind: 'loaded'; name: string; version: string; dir: string; replaced?: string; ann?: AnnReport }
  | { kind: 'load-failed'; name: string; path: string; error: string; serving?: string };
