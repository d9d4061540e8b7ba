/**
 * A saved model that stands alone: everything to rebuild it and answer by raw ids
 * without the dataset. Pure encoding and decoding of the folder's files (the `/node`
 * subpath reads and writes them; a browser fetches them):
 *
 * - `model.safetensors`: the parameters (or a rule's state), with the digest of the
 *   model, config and shape they belong to in the header metadata;
 * - `seen.safetensors`: each user's training items of the target behaviour (CSR
 *   `indptr`, `indices`), which recommendations exclude;
 * - `ids.json`: the raw ids of users, items and categories, and item names;
 * - `config.json` (written last): format and version, model, full config, outputs,
 *   shape (index spaces, behaviours, side-input sizes), the data and split trained on
 *   (name + content hash), the split spec, package versions, the validation history.
 */
import { decodeSafetensors, encodeSafetensors, formatShape, type Module, type NamedArray, shapesEqual } from '@rec/core';
import { IdMap, type RawId, UserItemCSR } from '@rec/data';
import type { TrainingHistory } from '../training/trainer.js';
import type { ModelConfig } from './config.js';
import type { ModelOutput, ModelShape } from './data.js';
import { getModel, type ModelState, parseModelConfig } from './define.js';
import { fnv1a64 } from './identity.js';
import type { Predictor } from './inference.js';
import type { TrainedModel } from './train.js';

/** The `format` tag of a saved model's `config.json`. */
export const SAVED_MODEL_FORMAT = 'rec-trained-model';

/** The `config.json` version this code writes and reads (1 had no id maps and needed the dataset). */
export const SAVED_MODEL_VERSION = 2;

/** The files of a saved model folder. */
export const SAVED_MODEL_FILES = { parameters: 'model.safetensors', seen: 'seen.safetensors', ids: 'ids.json', config: 'config.json' } as const;

/**
 * The data a model was trained on: dataset name, the split spec, a sentence on how the
 * training rows were made, and the content hash of those rows.
 * @example
 * ```ts
 * const data: DataIdentity = { name: 'ml-100k', split: 'u1', description: 'published split u1 …', hash: '3f2a…' };
 * ```
 */
export interface DataIdentity {
  readonly name: string;
  /** The dataset file it was read from (an absolute path), for data that is not in the registry. */
  readonly source?: string;
  /** The split spec (`default`, `u1`, `leave-one-out`, …) the model was trained and is evaluated under. */
  readonly split: string;
  /** Seed of a seeded split protocol. */
  readonly splitSeed?: number;
  readonly description: string;
  /** Content hash of the training rows the model was fitted on (`interactionsHash`). */
  readonly hash: string;
  /** Content hash of the whole training split (fit rows and held-out validation rows). */
  readonly splitHash?: string;
}

/**
 * The raw ids behind the index spaces: `users[u]` is user u's id in the dataset's files.
 * @example
 * ```ts
 * const ids: RawIds = { users: ['u1', 'u2'], items: [10, 11, 12] };
 * ```
 */
export interface RawIds {
  readonly users: readonly RawId[];
  readonly items: readonly RawId[];
  readonly categories?: readonly string[];
  /** Each item's category indexes into `categories` (what a served "category" filter keeps). */
  readonly itemCategories?: readonly (readonly number[])[];
  readonly itemNames?: readonly string[];
}

/** The contents of a saved model's `config.json`. */
export interface SavedModelManifest {
  readonly format: typeof SAVED_MODEL_FORMAT;
  readonly version: typeof SAVED_MODEL_VERSION;
  readonly model: string;
  readonly title: string;
  readonly outputs: readonly ModelOutput[];
  /** The full validated configuration, defaults filled in. */
  readonly config: ModelConfig;
  readonly shape: ModelShape;
  readonly data?: DataIdentity;
  /** Versions of the packages (and Node) that wrote it. */
  readonly packages: Readonly<Record<string, string>>;
  /** Parameter names in `model.safetensors`. */
  readonly parameters: readonly string[];
  /** A rule's JSON state, when it has one. */
  readonly state?: unknown;
  readonly history?: TrainingHistory;
  readonly phases?: readonly TrainingHistory[];
  readonly savedAt: string;
}

/** What {@link encodeSavedModel} needs besides the trained model. */
export interface SaveInputs {
  readonly ids: RawIds;
  /** Each user's items never to recommend again (their training rows of the target behaviour). */
  readonly seen?: UserItemCSR;
  readonly data?: DataIdentity;
  readonly packages?: Readonly<Record<string, string>>;
}

/** The bytes of each file of a saved model folder, by file name. */
export type SavedModelFiles = Record<(typeof SAVED_MODEL_FILES)[keyof typeof SAVED_MODEL_FILES], Uint8Array>;

const isModule = (model: unknown): model is Module => typeof (model as Partial<Module>).namedParameters === 'function';

/** The digest binding `model.safetensors` to the model, config and shape of `config.json`. */
function manifestDigest(model: string, config: unknown, shape: ModelShape): string {
  return fnv1a64([new TextEncoder().encode(JSON.stringify([model, config, shape]))]);
}

/** The state of a trained model: its definition's `save`, else the Module's parameters. */
async function stateOf(trained: TrainedModel): Promise<ModelState> {
  const { definition, model } = trained;
  if (definition.save) return definition.save(model as never);
  if (isModule(model)) return { tensors: await model.stateDict() };
  throw new Error(`saveTrainedModel: the '${trained.name}' model is not a Module and its definition has no save`);
}

function checkIds(ids: RawIds, shape: ModelShape): void {
  if (ids.users.length !== shape.numUsers || ids.items.length !== shape.numItems) {
    throw new Error(`saveTrainedModel: the id maps hold ${ids.users.length} users × ${ids.items.length} items, the model ${shape.numUsers} × ${shape.numItems}`);
  }
  if (ids.categories && shape.numCategories !== undefined && ids.categories.length !== shape.numCategories) {
    throw new Error(`saveTrainedModel: the id maps hold ${ids.categories.length} categories, the model ${shape.numCategories}`);
  }
}

/**
 * Encodes a trained model and its id maps as the files of a saved model folder.
 * Cost: one copy of the parameters in memory.
 * @throws Error when the id maps or the seen items do not match the model's index spaces.
 * @example
 * ```ts
 * const files = await encodeSavedModel(trained, { ids: { users: dataset.userIds.toArray(), items: dataset.itemIds.toArray() } });
 * ```
 */
export async function encodeSavedModel(trained: TrainedModel, inputs: SaveInputs): Promise<SavedModelFiles> {
  const { shape, config, definition } = trained;
  checkIds(inputs.ids, shape);
  const state = await stateOf(trained);
  const digest = manifestDigest(trained.name, config, shape);
  const parameters = encodeSafetensors(state.tensors, { format: SAVED_MODEL_FORMAT, model: trained.name, config_digest: digest });
  const seen = inputs.seen;
  if (seen && (seen.numUsers !== shape.numUsers || seen.numItems !== shape.numItems)) {
    throw new Error(`saveTrainedModel: the seen items cover ${seen.numUsers} users × ${seen.numItems} items, the model ${shape.numUsers} × ${shape.numItems}`);
  }
  const seenFile = encodeSafetensors(seen
    ? { indptr: { dtype: 'i32', shape: [seen.indptr.length], data: seen.indptr }, indices: { dtype: 'i32', shape: [seen.indices.length], data: seen.indices } }
    : {});
  const manifest: SavedModelManifest = {
    format: SAVED_MODEL_FORMAT,
    version: SAVED_MODEL_VERSION,
    model: trained.name,
    title: definition.title,
    outputs: [...definition.outputs],
    config,
    shape,
    ...(inputs.data ? { data: inputs.data } : {}),
    packages: { ...(inputs.packages ?? {}) },
    parameters: Object.keys(state.tensors),
    ...(state.json !== undefined ? { state: state.json } : {}),
    ...(trained.history ? { history: trained.history } : {}),
    ...(trained.phases ? { phases: trained.phases } : {}),
    savedAt: new Date().toISOString(),
  };
  const text = (value: unknown): Uint8Array => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
  return {
    [SAVED_MODEL_FILES.parameters]: parameters,
    [SAVED_MODEL_FILES.seen]: seenFile,
    [SAVED_MODEL_FILES.ids]: new TextEncoder().encode(`${JSON.stringify(inputs.ids)}\n`),
    [SAVED_MODEL_FILES.config]: text(manifest),
  } as SavedModelFiles;
}

function parseJson(bytes: Uint8Array, file: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new Error(`malformed ${file}: not valid JSON (${(err as Error).message})`);
  }
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;

/**
 * Reads and checks a saved model's `config.json`.
 * @param where - the file's path, for messages.
 * @throws Error naming the file: not JSON, not a saved @rec model, another format
 *   version, an unknown model, an invalid config or shape.
 * @example
 * ```ts
 * const manifest = parseManifest(bytes, 'runs/ml-100k/bpr/config.json');
 * ```
 */
export function parseManifest(bytes: Uint8Array, where: string): SavedModelManifest {
  const saved = parseJson(bytes, where) as Partial<SavedModelManifest> | null;
  if (typeof saved !== 'object' || saved === null || saved.format !== SAVED_MODEL_FORMAT) {
    throw new Error(`${where} is not a saved @rec model (format is ${JSON.stringify(saved?.format)}, expected "${SAVED_MODEL_FORMAT}")`);
  }
  if (saved.version !== SAVED_MODEL_VERSION) {
    const older = typeof saved.version === 'number' && saved.version < SAVED_MODEL_VERSION;
    throw new Error(
      `${where} is a saved model of format version ${JSON.stringify(saved.version)}; this @rec reads version ${SAVED_MODEL_VERSION}` +
        (older ? ' (version 1 kept no id maps and needed its dataset to load): retrain it with rec train' : ': use the @rec that wrote it'),
    );
  }
  const config = parseModelConfig(saved.config, `${where}: config`);
  if (saved.model !== config.model) throw new Error(`${where}: model '${String(saved.model)}' differs from config.model '${config.model}'`);
  const shape = saved.shape as Partial<ModelShape> | undefined;
  if (!shape || !isCount(shape.numUsers) || !isCount(shape.numItems)) throw new Error(`${where}: shape.numUsers and shape.numItems must be non-negative integers, got ${shape === undefined ? 'no shape' : JSON.stringify(shape)}`);
  if (!Array.isArray(shape.behaviors) || shape.behaviors.length === 0 || !shape.behaviors.every((b) => typeof b === 'string')) {
    throw new Error(`${where}: shape.behaviors must be a non-empty array of behaviour names, got ${JSON.stringify(shape.behaviors)}`);
  }
  return { ...(saved as SavedModelManifest), config };
}

/**
 * A saved model, decoded: the trained model on the current backend, its id maps, the
 * seen items, and what `config.json` says.
 */
export interface DecodedSavedModel {
  readonly trained: TrainedModel;
  readonly manifest: SavedModelManifest;
  readonly ids: RawIds;
  readonly seen?: UserItemCSR;
}

/**
 * Rebuilds a saved model from its files' bytes: checks `config.json`, that the
 * parameters belong to it (digest, names, dtypes, shapes), the id maps and the seen
 * items, then builds the model (its definition's `load`, else `create` and the
 * parameters assigned) in inference mode.
 *
 * @param dir - the folder (or URL) the files came from, for messages.
 * @throws Error naming the file on any mismatch or malformed file.
 * @example
 * ```ts
 * const { trained, ids } = decodeSavedModel(files, 'runs/ml-100k/bpr');
 * ```
 */
export function decodeSavedModel(files: SavedModelFiles, dir: string): DecodedSavedModel {
  const at = (file: string): string => `${dir}/${file}`;
  const manifest = parseManifest(files[SAVED_MODEL_FILES.config], at(SAVED_MODEL_FILES.config));
  const definition = getModel(manifest.model, at(SAVED_MODEL_FILES.config));
  const { config, shape } = manifest;
  const paramPath = at(SAVED_MODEL_FILES.parameters);
  let decoded: ReturnType<typeof decodeSafetensors>;
  try {
    decoded = decodeSafetensors(files[SAVED_MODEL_FILES.parameters]);
  } catch (err) {
    throw new Error(`malformed parameter file ${paramPath}: ${(err as Error).message}`);
  }
  const digest = manifestDigest(manifest.model, config, shape);
  if (decoded.metadata.config_digest !== digest) {
    throw new Error(
      `${at(SAVED_MODEL_FILES.config)}: its model, config or shape are not those ${SAVED_MODEL_FILES.parameters} was saved with ` +
        `(digest ${digest}, the parameters carry ${JSON.stringify(decoded.metadata.config_digest)}); the folder was edited or mixed after saving`,
    );
  }
  const model = definition.load
    ? wrap(paramPath, () => definition.load!({ tensors: decoded.tensors, json: manifest.state }, config as never, shape))
    : assignParameters(definition.create!(config as never, shape), decoded.tensors, paramPath, manifest.model);
  const ids = parseIds(files[SAVED_MODEL_FILES.ids], at(SAVED_MODEL_FILES.ids), shape);
  const seen = parseSeen(files[SAVED_MODEL_FILES.seen], at(SAVED_MODEL_FILES.seen), shape);
  const trained: TrainedModel = {
    name: definition.name, definition, config, model, shape, behaviors: shape.behaviors, numUsers: shape.numUsers, numItems: shape.numItems,
    ...(manifest.history ? { history: manifest.history } : {}),
    ...(manifest.phases ? { phases: manifest.phases } : {}),
  };
  return { trained, manifest, ids, ...(seen ? { seen } : {}) };
}

function wrap<T>(path: string, build: () => T): T {
  try {
    return build();
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
}

function assignParameters(model: Module & Predictor, tensors: Record<string, NamedArray>, path: string, name: string): Predictor {
  const named = model.namedParameters();
  const known = new Set(named.map(([n]) => n));
  for (const key of Object.keys(tensors)) {
    if (!known.has(key)) throw new Error(`${path}: parameter '${key}' is not one of the ${name} model's (${[...known].join(', ')}); was it saved from another model?`);
  }
  for (const [key, p] of named) {
    const t = tensors[key];
    if (!t) throw new Error(`${path}: parameter '${key}' of the ${name} model is missing`);
    const bad = t.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`${path}: parameter '${key}' holds ${t.data[bad]} at position ${bad}; a model with non-finite parameters cannot rank (was it saved from a diverged run?)`);
    if (t.dtype !== p.dtype || !shapesEqual(t.shape, p.shape)) {
      throw new Error(`${path}: parameter '${key}' is ${t.dtype} ${formatShape(t.shape)} in the file, the ${name} model built from config.json has ${p.dtype} ${formatShape(p.shape)}; the two files do not belong together`);
    }
  }
  for (const [key, p] of named) p.assign(tensors[key].data);
  model.eval();
  return model;
}

function parseIds(bytes: Uint8Array, path: string, shape: ModelShape): RawIds {
  const ids = parseJson(bytes, path) as Partial<RawIds> | null;
  const isIdList = (v: unknown): v is RawId[] => Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number');
  if (!ids || !isIdList(ids.users) || !isIdList(ids.items)) throw new Error(`${path}: expected { users: [...], items: [...] } of string or number ids`);
  if (ids.users.length !== shape.numUsers || ids.items.length !== shape.numItems) {
    throw new Error(`${path}: holds ${ids.users.length} users × ${ids.items.length} items, the model ${shape.numUsers} × ${shape.numItems}`);
  }
  for (const key of ['users', 'items'] as const) {
    try {
      new IdMap<RawId>(ids[key] as readonly RawId[]);
    } catch (err) {
      throw new Error(`${path}: ${key}: ${(err as Error).message.replace(/^IdMap: /, '')}`);
    }
  }
  if (ids.categories !== undefined && (!Array.isArray(ids.categories) || (shape.numCategories !== undefined && ids.categories.length !== shape.numCategories))) {
    throw new Error(`${path}: categories must list the model's ${shape.numCategories ?? 'unknown number of'} categories`);
  }
  if (ids.itemCategories !== undefined) {
    const numCategories = ids.categories?.length ?? 0;
    const lists = ids.itemCategories as unknown;
    if (!Array.isArray(lists) || lists.length !== shape.numItems) throw new Error(`${path}: itemCategories must hold one list per item (${shape.numItems})`);
    lists.forEach((list: unknown, i) => {
      if (!Array.isArray(list) || !list.every((c) => Number.isInteger(c) && c >= 0 && c < numCategories)) {
        throw new Error(`${path}: itemCategories[${i}] must be category indexes in 0..${numCategories - 1}, got ${JSON.stringify(list)}`);
      }
    });
  }
  return ids as RawIds;
}

function parseSeen(bytes: Uint8Array, path: string, shape: ModelShape): UserItemCSR | undefined {
  let tensors: Record<string, NamedArray>;
  try {
    tensors = decodeSafetensors(bytes).tensors;
  } catch (err) {
    throw new Error(`malformed seen-items file ${path}: ${(err as Error).message}`);
  }
  if (!tensors.indptr && !tensors.indices) return undefined;
  const { indptr, indices } = tensors;
  if (indptr?.dtype !== 'i32' || indices?.dtype !== 'i32') throw new Error(`${path}: expected i32 tensors 'indptr' and 'indices'`);
  return wrap(path, () => new UserItemCSR({ numUsers: shape.numUsers, numItems: shape.numItems, indptr: indptr.data as Int32Array, indices: indices.data as Int32Array }));
}

/** The raw ids of a dataset's index spaces, as a saved model keeps them. */
export function rawIdsOf(dataset: {
  userIds: IdMap<RawId>; itemIds: IdMap<RawId>; itemCategories?: { names: readonly string[]; indptr: Int32Array; indices: Int32Array }; itemNames?: readonly string[];
}): RawIds {
  const categories = dataset.itemCategories;
  return {
    users: dataset.userIds.toArray(),
    items: dataset.itemIds.toArray(),
    ...(categories
      ? { categories: [...categories.names], itemCategories: Array.from({ length: categories.indptr.length - 1 }, (_, i) => Array.from(categories.indices.subarray(categories.indptr[i], categories.indptr[i + 1]))) }
      : {}),
    ...(dataset.itemNames ? { itemNames: [...dataset.itemNames] } : {}),
  };
}
