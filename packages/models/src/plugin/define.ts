/**
 * The model registry: one `defineModel({...})` per model, in the model's own folder,
 * declares its name, paper, config schema, needs, outputs, how it fits, validates and
 * is saved; `rec train`, `rec eval`, `rec recommend`, `rec models`, the reproductions,
 * the server and the browser ask the registry, never a list of names.
 */
import type { Module, NamedArray } from '@rec/core';
import type { Interactions } from '@rec/data';
import { z } from 'zod';
import type { BatchProgress, EpochRecord, TrainingHistory, Validation } from '../training/trainer.js';
import type { Objective } from '../training/objectives.js';
import { describeIssues, type ModelConfig, type ModelConfigInput } from './config.js';
import type { ModelNeeds, ModelOutput, ModelShape, TrainingData } from './data.js';
import type { Predictor } from './inference.js';

/**
 * The paper (and section) a model implements, rendered into `rec models` and the docs.
 * @example
 * ```ts
 * const paper: PaperRef = { cite: 'Gao et al., Learning Recommender Systems from Multi-Behavior Data, ICDE 2019', section: '§III' };
 * ```
 */
export interface PaperRef {
  /** Authors, title, venue and year. */
  readonly cite: string;
  /** The section (and equations) implemented. */
  readonly section: string;
}

/** What a fit reports while it runs, and how it is stopped. */
export interface FitHooks {
  /** Batch progress; `phase` names the stage of a multi-stage fit (e.g. a behaviour of sequential NMTR). */
  onBatch?: (progress: BatchProgress & { phase?: string }) => void;
  /** One finished epoch; `metric` names its validation score (`HR@100`). */
  onEpoch?: (record: EpochRecord & { phase?: string; metric?: string }) => void;
  /**
   * Stops training between two batches (a stop button): `FitContext.train` hands it to
   * the shared {@link Trainer} (see `TrainerOptions.signal`), so the model ends at its
   * best validated epoch, else its last finished one, with `history.stopped` set; stopped
   * before any epoch finished, the fit rejects with an `AbortError` (nothing was
   * trained). A stage of a multi-stage fit that starts after the stop rejects the same
   * way. A rule fitted in one pass, and a fit that runs no shared trainer (CoFactor's
   * ALS), run to the end.
   */
  signal?: AbortSignal;
}

/** Options of {@link FitContext.train}. */
export interface TrainRunOptions {
  /** Maximum epochs (default the config's `epochs`). */
  epochs?: number;
  /** Names this stage of a multi-stage fit; it gets a checkpoint of its own. */
  phase?: string;
  /** Validate after each epoch (default true when the fit has a validation). */
  validate?: boolean;
  /**
   * The optimizer's L2 weight decay for this run instead of the config's `l2`: 0 for a
   * model whose loss carries its own priors (PMF's per-case λ, FM's separate 1-way and 2-way λ).
   */
  l2?: number;
}

/**
 * What the registry hands a model's `fit`: the shape it builds for, its validation, the
 * reporting hooks, and `train`, which runs the shared {@link Trainer} (epochs, batches,
 * progress, early stopping with the best epoch restored, a checkpoint per epoch when the
 * caller keeps checkpoints) with the
 * config's optimizer, learning rate and L2.
 */
export interface FitContext {
  readonly shape: ModelShape;
  /** The model's validation on `data.valid`, when there is one (see {@link ModelDefinition.validation}). */
  readonly validation?: (model: Predictor) => Validation | undefined;
  readonly hooks: FitHooks;
  /** Runs the shared trainer on `model` with `objective`. */
  train(model: Module & Predictor, objective: Objective, options?: TrainRunOptions): Promise<TrainingHistory>;
}

/** What a fit returns: the model and its training history. */
export interface Fitted<M extends Predictor = Predictor> {
  readonly model: M;
  readonly history?: TrainingHistory;
  /** A multi-stage fit: one history per stage, the last one's is `history`. */
  readonly phases?: readonly TrainingHistory[];
}

/**
 * A model's saved state: named arrays (written to `model.safetensors`) and JSON-able
 * values (kept in `config.json`).
 */
export interface ModelState {
  readonly tensors: Record<string, NamedArray>;
  readonly json?: unknown;
}

/** The config type of a schema: its output plus the model's name. */
export type ConfigOf<S extends z.ZodObject> = z.output<S> & { readonly model: string };

/**
 * Everything the toolkit knows about one model. Built by {@link defineModel}.
 *
 * A model that is a {@link Module} gives `create`, and saves and loads its parameters
 * without more code; a rule (no parameters) gives `save` and `load`.
 */
export interface ModelDefinition<S extends z.ZodObject = z.ZodObject, M extends Predictor = Predictor> {
  /** The registered name (`rec train <name>`). */
  readonly name: string;
  /** Other names it answers to. */
  readonly aliases?: readonly string[];
  /** How reports and tables name it (`NMTR-GMF`). */
  readonly title: string;
  /** A family name grouping related registrations in `rec models` (`NMTR`, `NCF`). */
  readonly family?: string;
  readonly paper: PaperRef;
  /** One sentence on what it is. */
  readonly summary: string;
  /** Its config fields (without `model`); compose the shared fields of `./config.js` in. */
  readonly config: S;
  readonly needs?: ModelNeeds;
  readonly outputs: readonly ModelOutput[];
  /** True for a rule fitted in one pass: no epochs, no validation hold-out, no checkpoint. */
  readonly rule?: boolean;
  /**
   * The behaviours it trains on, funnel order, target last (default: the config's
   * `target`, or `all` for a log without behaviour types).
   * @throws Error naming the config field when the data does not fit.
   */
  behaviors?(config: ConfigOf<S>, train: Interactions): string[];
  /** Fits the model on `data` (validating on `data.valid` through `context.validation`). */
  fit(data: TrainingData, config: ConfigOf<S>, context: FitContext): Promise<Fitted<M>> | Fitted<M>;
  /**
   * Its validation (the metric and protocol of its paper), given the data and config;
   * default: HR@K over all items on the held-out target rows ({@link hitRateValidation}).
   * Return undefined to train without validation.
   */
  validation?(model: M, data: TrainingData, config: ConfigOf<S>, shape: ModelShape): Validation | undefined;
  /** Builds the untrained model (a Module); needed for saving and loading a trained one. */
  create?(config: ConfigOf<S>, shape: ModelShape): M & Module;
  /** The state of a model that is not a Module (default: the Module's parameters). */
  save?(model: M): ModelState | Promise<ModelState>;
  /** Rebuilds a model from what `save` returned (default: `create`, then the parameters assigned). */
  load?(state: ModelState, config: ConfigOf<S>, shape: ModelShape): M;
}

const registry = new Map<string, ModelDefinition>();
const aliases = new Map<string, string>();

/**
 * Registers a model; call it once, at the top level of the model's folder.
 *
 * @returns the definition, typed, for the model's own code and tests.
 * @throws Error when the name or an alias is already registered, or the definition can
 *   neither be rebuilt (`create`) nor saved and loaded (`save` + `load`).
 * @example
 * ```ts
 * export const popularity = defineModel({
 *   name: 'most-popular', title: 'Most popular', rule: true,
 *   paper: { cite: 'the trivial baseline', section: '—' }, summary: 'items by training count',
 *   config: z.object({ ...targetField }),
 *   outputs: ['items'],
 *   fit: (data, config) => ({ model: MostPopular.fit(data.train) }),
 *   save: (model) => ({ tensors: { counts: { dtype: 'f32', shape: [model.numItems], data: model.counts } } }),
 *   load: (state) => MostPopular.fromCounts(state.tensors.counts.data),
 * });
 * ```
 */
export function defineModel<S extends z.ZodObject, M extends Predictor>(definition: ModelDefinition<S, M>): ModelDefinition<S, M> {
  for (const name of [definition.name, ...(definition.aliases ?? [])]) {
    if (registry.has(name) || aliases.has(name)) throw new Error(`defineModel: a model named '${name}' is already registered`);
  }
  if (!definition.create && !(definition.save && definition.load)) {
    throw new Error(`defineModel: '${definition.name}' needs create (a Module) or both save and load`);
  }
  if (!/^[a-z0-9][a-z0-9-]*$/.test(definition.name)) throw new Error(`defineModel: name '${definition.name}' must be lower-case letters, digits and dashes`);
  registry.set(definition.name, definition as unknown as ModelDefinition);
  for (const alias of definition.aliases ?? []) aliases.set(alias, definition.name);
  return definition;
}

/**
 * Every registered model, in registration order.
 * @example
 * ```ts
 * listModels().map((m) => m.name); // ['most-popular', 'weaker-behavior', 'bpr', …]
 * ```
 */
export function listModels(): ModelDefinition[] {
  return [...registry.values()];
}

/**
 * The model registered under `name` or an alias of it, or undefined.
 * @example
 * ```ts
 * findModel('nmtr-gmf')?.paper.section; // '§III'
 * ```
 */
export function findModel(name: string): ModelDefinition | undefined {
  return registry.get(name) ?? registry.get(aliases.get(name) ?? '');
}

/**
 * The model registered under `name` or an alias.
 * @param where - names the source in the message.
 * @throws Error listing the registered names when there is none.
 * @example
 * ```ts
 * getModel('nmtr'); // Error: model: expected one of most-popular, weaker-behavior, bpr, …
 * ```
 */
export function getModel(name: string, where = 'model'): ModelDefinition {
  const found = findModel(name);
  if (!found) throw new Error(`${where}: expected one of ${[...registry.keys()].join(', ')}, got '${name}'`);
  return found;
}

/**
 * Validates a configuration against its model's schema: `model` names a registered
 * model (or alias), every other field is the schema's. Returns the config with the
 * registered name and defaults filled in.
 *
 * @param where - names the source in the message (a file path, `--config`).
 * @throws Error, one line naming each bad field with what it allows.
 * @example
 * ```ts
 * parseModelConfig({ model: 'nmtr-gmf', learningRate: 0.05 }).optimizer; // 'adagrad'
 * parseModelConfig({ model: 'nmtr-gmf', lr: 1 }); // Error: config: unknown field 'lr'; the fields are model, dim, …
 * ```
 */
export function parseModelConfig(input: unknown, where = 'config'): ModelConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new Error(`${where}: expected a mapping of configuration fields, got ${JSON.stringify(input)}`);
  const { model, ...fields } = input as Record<string, unknown>;
  if (typeof model !== 'string') throw new Error(`${where}: model: expected one of ${[...registry.keys()].join(', ')}`);
  const definition = getModel(model, `${where}: model`);
  const schema = definition.config.strict();
  const result = schema.safeParse(fields);
  if (!result.success) throw new Error(`${where}: ${describeIssues(result.error, ['model', ...Object.keys(definition.config.shape)])}`);
  return { model: definition.name, ...(result.data as Record<string, unknown>) };
}

/**
 * The fields of `input` that `model`'s schema has, so a caller can offer shared
 * settings (`epochs`, `dim`) to every model and each takes what it has.
 * @example
 * ```ts
 * configFieldsOf('most-popular', { epochs: 2, dim: 8, target: 'buy' }); // { target: 'buy' }
 * ```
 */
export function configFieldsOf(model: string, input: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const keys = new Set(Object.keys(getModel(model).config.shape));
  return Object.fromEntries(Object.entries(input).filter(([key]) => keys.has(key)));
}

export type { ModelConfig, ModelConfigInput };
