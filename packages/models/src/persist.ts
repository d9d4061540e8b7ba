/**
 * Trained models on disk: one folder per model, `model.safetensors` (the parameters,
 * through `@rec/core`'s `saveParameters`) and `config.json` (what built them), so that
 * `rec eval` and `rec recommend` can rebuild a model that `rec train` wrote.
 *
 * `config.json` holds the format tag and version, the model name, the full validated
 * {@link TrainConfig}, the behaviours (funnel order, target last), the index-space sizes,
 * the dataset's registry name and the training history. Loading rebuilds the model with
 * {@link createModel} from that file and then assigns the stored parameters, after
 * checking that the file holds exactly the model's parameters with their shapes.
 *
 * The untrained rules keep what they need and no more: `most-popular` its item counts
 * (one tensor, `counts`), `weaker-behavior` nothing at all (only `config.json`), since it
 * is a deterministic function of the training interactions and is refitted from them on
 * load.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CONFIG_FILE, formatShape, loadParameters, type Module, type NamedArray, PARAMETERS_FILE, saveParameters, shapesEqual } from '@rec/core';
import type { Interactions } from '@rec/data';
import { MostPopular } from './baselines/most-popular.js';
import { WeakerBehaviorRule } from './baselines/weaker-behaviour.js';
import type { TrainingHistory } from './training/trainer.js';
import { createModel, type ModelName, parseTrainConfig, type TrainConfig, type TrainedModel } from './zoo.js';

/**
 * The `format` tag of a saved model's `config.json`.
 * @example
 * ```ts
 * JSON.parse(await readFile('runs/tmall_mbcgcn/nmtr-gmf/config.json', 'utf8')).format === SAVED_MODEL_FORMAT;
 * ```
 */
export const SAVED_MODEL_FORMAT = 'rec-trained-model';

/**
 * The `config.json` schema version this code writes and reads.
 * @example
 * ```ts
 * (await readSavedModelConfig(dir)).version === SAVED_MODEL_VERSION; // 1
 * ```
 */
export const SAVED_MODEL_VERSION = 1;

/**
 * The contents of a saved model's `config.json`.
 * @example
 * ```ts
 * const saved: SavedModelConfig = await readSavedModelConfig('runs/tmall_mbcgcn/nmtr-gmf');
 * saved.dataset; // 'tmall/mbcgcn'
 * ```
 */
export interface SavedModelConfig {
  readonly format: typeof SAVED_MODEL_FORMAT;
  readonly version: typeof SAVED_MODEL_VERSION;
  readonly model: ModelName;
  /** The full validated training configuration, defaults filled in. */
  readonly config: TrainConfig;
  /** Behaviours the model was trained on, funnel order, target last. */
  readonly behaviors: readonly string[];
  readonly numUsers: number;
  readonly numItems: number;
  /** Registry name of the dataset whose index spaces the model uses, when known. */
  readonly dataset?: string;
  /** One sentence on the interactions it was fitted on (split, held-out validation). */
  readonly trainedOn?: string;
  /** Parameter names in the model's field order; empty for the rules. */
  readonly parameters: readonly string[];
  readonly history?: TrainingHistory;
  readonly phases?: readonly TrainingHistory[];
}

/**
 * Options of {@link saveTrainedModel}.
 * @example
 * ```ts
 * const options: SaveTrainedModelOptions = { dataset: 'tmall/mbcgcn', trainedOn: 'default train split' };
 * ```
 */
export interface SaveTrainedModelOptions {
  /** Registry name of the dataset (what `rec eval` reads back when given none). */
  dataset?: string;
  /** One sentence on the training interactions, kept in `config.json`. */
  trainedOn?: string;
}

/**
 * Options of {@link loadTrainedModel}.
 * @example
 * ```ts
 * const options: LoadTrainedModelOptions = { train: dataset.splits.default.train };
 * ```
 */
export interface LoadTrainedModelOptions {
  /**
   * The training interactions. Needed only by `weaker-behavior`, which stores nothing
   * and is refitted from them (cost: one pass over the log); ignored by the others.
   */
  train?: Interactions;
}

/**
 * A model loaded by {@link loadTrainedModel}: the {@link TrainedModel} plus what its
 * `config.json` says about its data.
 * @example
 * ```ts
 * const { model, dataset }: LoadedTrainedModel = await loadTrainedModel('runs/tmall_mbcgcn/nmtr-gmf');
 * ```
 */
export interface LoadedTrainedModel extends TrainedModel {
  readonly dataset?: string;
  readonly trainedOn?: string;
}

/** Writes `text` to `path` through a temporary file and a rename, so readers never see half a file. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text);
    await rename(temporary, path);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
}

function isModule(model: unknown): model is Module {
  return typeof (model as Partial<Module>).namedParameters === 'function';
}

/**
 * Saves a trained model in `dir` (created if needed): `model.safetensors` with its
 * parameters and `config.json` describing it (see {@link SavedModelConfig}). Parameters
 * are read back from the backend first (`Module.stateDict`), so a model on the GPU saves
 * the same bytes. `weaker-behavior` writes only `config.json`; `most-popular` stores its
 * item counts as the tensor `counts`.
 *
 * Cost: one copy of the parameters in host memory; each file is written in full under a
 * temporary name and renamed, so a crash never leaves half a file.
 *
 * @param dir - the model folder, e.g. `runs/tmall_mbcgcn/nmtr-gmf`.
 * @param trained - what `trainModel` returned.
 * @param options - the dataset name and a note on the training data, kept in `config.json`.
 * @returns the files written.
 * @throws Error when the model kind has nothing this code knows how to save.
 * @example
 * ```ts
 * const trained = await trainModel(parseTrainConfig({ model: 'nmtr-gmf' }), fitTrain, { valid });
 * await saveTrainedModel('runs/tmall_mbcgcn/nmtr-gmf', trained, { dataset: 'tmall/mbcgcn' });
 * ```
 * @see {@link loadTrainedModel}
 */
export async function saveTrainedModel(dir: string, trained: TrainedModel, options: SaveTrainedModelOptions = {}): Promise<string[]> {
  let tensors: Record<string, NamedArray> | undefined;
  if (trained.name === 'weaker-behavior') tensors = undefined;
  else if (trained.model instanceof MostPopular) tensors = { counts: { dtype: 'f32', shape: [trained.numItems], data: trained.model.counts.slice() } };
  else if (isModule(trained.model)) tensors = await trained.model.stateDict();
  else throw new Error(`saveTrainedModel: the '${trained.name}' model is neither a Module nor a known rule; it cannot be saved`);
  const config: SavedModelConfig = {
    format: SAVED_MODEL_FORMAT,
    version: SAVED_MODEL_VERSION,
    model: trained.name,
    config: trained.config,
    behaviors: [...trained.behaviors],
    numUsers: trained.numUsers,
    numItems: trained.numItems,
    ...(options.dataset !== undefined ? { dataset: options.dataset } : {}),
    ...(options.trainedOn !== undefined ? { trainedOn: options.trainedOn } : {}),
    parameters: tensors && isModule(trained.model) ? Object.keys(tensors) : [],
    ...(trained.history ? { history: trained.history } : {}),
    ...(trained.phases ? { phases: trained.phases } : {}),
  };
  if (tensors) {
    await saveParameters(dir, tensors, config, { metadata: { format: SAVED_MODEL_FORMAT, model: trained.name } });
    return [join(dir, PARAMETERS_FILE), join(dir, CONFIG_FILE)];
  }
  await mkdir(dir, { recursive: true });
  await writeAtomically(join(dir, CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
  return [join(dir, CONFIG_FILE)];
}

/**
 * Reads and checks a saved model's `config.json` without loading its parameters: what
 * `rec eval` needs first to find the model's dataset.
 *
 * @throws Error naming the file when it is missing, not JSON, not a saved @rec model,
 *   of another version, or holds an invalid training configuration.
 * @example
 * ```ts
 * const { model, dataset, history } = await readSavedModelConfig('runs/tmall_mbcgcn/nmtr-gmf');
 * ```
 */
export async function readSavedModelConfig(dir: string): Promise<SavedModelConfig> {
  const path = join(dir, CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${path} does not exist: ${dir} is not a saved model folder (rec train writes one)`);
    throw err;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`malformed config file ${path}: not valid JSON (${(err as Error).message})`);
  }
  const saved = value as Partial<SavedModelConfig> | null;
  if (typeof saved !== 'object' || saved === null || saved.format !== SAVED_MODEL_FORMAT) {
    throw new Error(`${path} is not a saved @rec model (format is ${JSON.stringify(saved?.format)}, expected "${SAVED_MODEL_FORMAT}")`);
  }
  if (saved.version !== SAVED_MODEL_VERSION) {
    throw new Error(`${path} has version ${JSON.stringify(saved.version)}; this code reads version ${SAVED_MODEL_VERSION}`);
  }
  const config = parseTrainConfig(saved.config, `${path}: config`);
  if (saved.model !== config.model) throw new Error(`${path}: model '${String(saved.model)}' differs from config.model '${config.model}'`);
  for (const key of ['numUsers', 'numItems'] as const) {
    const n = saved[key];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new Error(`${path}: ${key} must be a non-negative integer, got ${JSON.stringify(n)}`);
  }
  if (!Array.isArray(saved.behaviors) || saved.behaviors.length === 0 || !saved.behaviors.every((b) => typeof b === 'string')) {
    throw new Error(`${path}: behaviors must be a non-empty array of behaviour names, got ${JSON.stringify(saved.behaviors)}`);
  }
  return { ...(saved as SavedModelConfig), config, parameters: Array.isArray(saved.parameters) ? saved.parameters : [] };
}

/** Rebuilds most-popular from its stored counts (whole non-negative numbers). */
function mostPopularFrom(counts: NamedArray | undefined, numItems: number, path: string): MostPopular {
  if (!counts || counts.dtype !== 'f32' || !shapesEqual(counts.shape, [numItems])) {
    const found = counts ? `${counts.dtype} ${formatShape(counts.shape)}` : 'missing';
    throw new Error(`${path}: parameter 'counts' of most-popular must be f32 ${formatShape([numItems])}, found ${found}`);
  }
  for (let i = 0; i < numItems; i++) {
    const c = counts.data[i];
    if (!(Number.isInteger(c) && c >= 0)) throw new Error(`${path}: counts[${i}] = ${c} is not a whole number of interactions`);
  }
  return MostPopular.fromCounts(counts.data);
}

/**
 * Loads a model that {@link saveTrainedModel} wrote: reads `config.json`, rebuilds the
 * model with `createModel` on the current backend, checks that `model.safetensors`
 * holds exactly its parameters (names, dtypes, shapes) and assigns them. The model is
 * returned in inference mode, and scores exactly as the saved one did.
 *
 * @param dir - the model folder.
 * @param options - `train`: the training interactions, required by `weaker-behavior`
 *   (refitted from them; they must have the saved index-space sizes).
 * @throws Error naming the file and the parameter on a missing or malformed file, a
 *   missing, extra or mis-shaped parameter, or, for `weaker-behavior`, missing or
 *   mismatched training interactions.
 * @example
 * ```ts
 * const { model, behaviors } = await loadTrainedModel('runs/tmall_mbcgcn/nmtr-gmf');
 * const scores = await model.scoreUsers(Int32Array.of(0)); // 1 × numItems
 * const rule = await loadTrainedModel('runs/tmall_mbcgcn/weaker-behavior', { train: dataset.splits.default.train });
 * ```
 * @see {@link saveTrainedModel}
 */
export async function loadTrainedModel(dir: string, options: LoadTrainedModelOptions = {}): Promise<LoadedTrainedModel> {
  const saved = await readSavedModelConfig(dir);
  const { config, numUsers, numItems } = saved;
  const behaviors = [...saved.behaviors];
  const common = {
    name: saved.model, config, behaviors, numUsers, numItems,
    ...(saved.history ? { history: saved.history } : {}),
    ...(saved.phases ? { phases: saved.phases } : {}),
    ...(saved.dataset !== undefined ? { dataset: saved.dataset } : {}),
    ...(saved.trainedOn !== undefined ? { trainedOn: saved.trainedOn } : {}),
  };
  if (saved.model === 'weaker-behavior') {
    const configPath = join(dir, CONFIG_FILE);
    const { train } = options;
    if (!train) {
      throw new Error(
        `${configPath} is a weaker-behavior rule, which stores no parameters and is refitted from the training interactions: ` +
          `pass them as loadTrainedModel(dir, { train })${saved.dataset ? ` (the training split of ${saved.dataset})` : ''}`,
      );
    }
    if (train.numUsers !== numUsers || train.numItems !== numItems) {
      throw new Error(`${configPath}: the rule was fitted on ${numUsers} users × ${numItems} items, the training interactions given have ${train.numUsers} × ${train.numItems}`);
    }
    return { ...common, model: WeakerBehaviorRule.fit(train, { target: behaviors[behaviors.length - 1] }) };
  }
  const path = join(dir, PARAMETERS_FILE);
  const { tensors } = await loadParameters(dir);
  if (saved.model === 'most-popular') {
    for (const name of Object.keys(tensors)) if (name !== 'counts') throw new Error(`${path}: unexpected parameter '${name}'; most-popular stores only 'counts'`);
    return { ...common, model: mostPopularFrom(tensors.counts, numItems, path) };
  }
  const model = createModel(config, numUsers, numItems, behaviors);
  const named = model.namedParameters();
  const known = new Set(named.map(([name]) => name));
  for (const name of Object.keys(tensors)) {
    if (!known.has(name)) throw new Error(`${path}: parameter '${name}' is not one of the ${saved.model} model's (${[...known].join(', ')}); was it saved from another model?`);
  }
  for (const [name, p] of named) {
    const t = tensors[name];
    if (!t) throw new Error(`${path}: parameter '${name}' of the ${saved.model} model is missing`);
    if (t.dtype !== p.dtype || !shapesEqual(t.shape, p.shape)) {
      throw new Error(
        `${path}: parameter '${name}' is ${t.dtype} ${formatShape(t.shape)} in the file, the ${saved.model} model built from ${CONFIG_FILE} ` +
          `has ${p.dtype} ${formatShape(p.shape)}; the two files do not belong together`,
      );
    }
  }
  for (const [name, p] of named) p.assign(tensors[name].data);
  model.eval();
  return { ...common, model };
}
