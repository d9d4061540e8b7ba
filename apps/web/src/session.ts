/**
 * What the page does with a log, away from the DOM (the worker runs it; a Node test can
 * too): the leave-last-out split, training a registered model with progress and a stop,
 * HR@10 / NDCG@10 on the held-out items next to most-popular's, and recommendations by
 * raw id, from a model trained here or a folder `rec train` wrote.
 */
import { type Interactions, leaveLastOut, mergeDuplicates, UserItemCSR } from '@rec/data';
import { evaluateFullRanking } from '@rec/eval';
import {
  decodeSavedModel, type FitHooks, getModel, parseModelConfig, type Predictor, rankingOf, type Recommendation, SAVED_MODEL_FILES,
  type SavedModelFiles, StandaloneModel, type TrainedModel, trainModel,
} from '@rec/models';
import type { ParsedLog } from './log.js';

/** The cut-off of the page's metrics (HR@10, NDCG@10) and its default top-K. */
export const CUTOFF = 10;

/**
 * A log made ready to train on: duplicates merged (a user's earliest row of an item
 * stays, so the held-out item is one the user had not met before), then each user's
 * latest row held out (`leaveLastOut`, mode `last`; users with fewer than 2 distinct
 * items stay whole in train).
 */
export interface PreparedLog {
  readonly log: ParsedLog;
  readonly train: Interactions;
  readonly test: Interactions;
  /** Each user's training items: masked when ranking, left out of recommendations. */
  readonly seen: UserItemCSR;
  readonly testItems: UserItemCSR;
  /** The users with a held-out item, ascending. */
  readonly evalUsers: Int32Array;
  /** Rows dropped as repeats of a (user, item) pair. */
  readonly duplicates: number;
}

/**
 * Splits a parsed log for training and evaluation (see {@link PreparedLog}).
 * @throws Error when no user has two distinct items (nothing to hold out).
 * @example
 * ```ts
 * const prepared = prepareLog(parseInteractionLog(text, 'ratings.csv'));
 * prepared.evalUsers.length; // users with a held-out item
 * ```
 */
export function prepareLog(log: ParsedLog): PreparedLog {
  const merged = mergeDuplicates(log.interactions);
  const { train, test } = leaveLastOut(merged, { mode: 'last', seed: 0 });
  if (test.length === 0) throw new Error(`${log.name}: no user has two distinct items, so there is no item to hold out and evaluate on`);
  const seen = UserItemCSR.fromInteractions(train);
  const testItems = UserItemCSR.fromInteractions(test);
  const evalUsers = Int32Array.from(test.users).sort();
  return { log, train, test, seen, testItems, evalUsers, duplicates: log.interactions.length - merged.length };
}

/** HR@10 and NDCG@10 on the held-out items. */
export interface HeldOutMetrics {
  readonly hr: number;
  readonly ndcg: number;
  /** Users evaluated (one held-out item each). */
  readonly users: number;
}

/**
 * HR@10 and NDCG@10 of `model` on the held-out items, ranking every item but the user's
 * training items (`@rec/eval`'s full ranking).
 * @example
 * ```ts
 * const { hr, ndcg } = await evaluateHeldOut(prepared, trained.model);
 * ```
 */
export async function evaluateHeldOut(prepared: PreparedLog, model: Predictor): Promise<HeldOutMetrics> {
  const { train, seen, testItems, evalUsers } = prepared;
  const result = await evaluateFullRanking({
    numItems: train.numItems, testItems, trainMask: seen, users: evalUsers, ks: [CUTOFF], metrics: ['HR', 'NDCG'], ...rankingOf(model, seen),
  });
  return { hr: result.metrics[`HR@${CUTOFF}`]!, ndcg: result.metrics[`NDCG@${CUTOFF}`]!, users: evalUsers.length };
}

/** What a person can set for a model on the page; the rest is the registry's defaults. */
export interface PageSettings {
  readonly epochs: number;
  readonly dim: number;
  readonly learningRate: number;
}

/** A model the page offers, with its settings for a small log. */
export interface PageModel {
  /** The registered name. */
  readonly name: string;
  /** Registry config fields the page sets besides {@link PageSettings}. */
  readonly fixed: Readonly<Record<string, unknown>>;
  readonly defaults: PageSettings;
}

/**
 * The models the page trains: BPR (fused `bpr_step`), and NCF's GMF and NeuMF (autograd,
 * sampled negatives), looked up in the registry by name. Their settings are chosen for a
 * log of about 10k rows: Adam for the NCF units (the registry's Adagrad at 0.01 barely
 * moves GMF in 10 epochs on the bundled log).
 */
export const PAGE_MODELS: readonly PageModel[] = [
  { name: 'bpr', fixed: {}, defaults: { epochs: 10, dim: 32, learningRate: 0.05 } },
  { name: 'gmf', fixed: { optimizer: 'adam' }, defaults: { epochs: 10, dim: 32, learningRate: 0.01 } },
  { name: 'neumf', fixed: { optimizer: 'adam', layers: 2 }, defaults: { epochs: 8, dim: 16, learningRate: 0.005 } },
];

/**
 * The page's model `name`, with its registry title and summary.
 * @throws Error listing the page's models when `name` is not one of them.
 * @example
 * ```ts
 * pageModel('neumf').title; // 'NeuMF'
 * ```
 */
export function pageModel(name: string): PageModel & { title: string; summary: string } {
  const model = PAGE_MODELS.find((m) => m.name === name);
  if (!model) throw new Error(`model: expected one of ${PAGE_MODELS.map((m) => m.name).join(', ')}, got '${name}'`);
  const definition = getModel(name);
  return { ...model, title: definition.title, summary: definition.summary };
}

/**
 * Trains the page's model `name` on the training part of `prepared`, through the
 * registry (`trainModel`) with no validation hold-out: the run is the epochs asked for,
 * or fewer when `hooks.signal` stops it (the model then holds its last finished epoch;
 * stopped inside the first epoch, it rejects with an `AbortError`).
 * @throws Error naming a bad setting (the registry's schema message).
 * @example
 * ```ts
 * const stop = new AbortController();
 * const trained = await trainPageModel(prepared, 'bpr', { epochs: 10, dim: 32, learningRate: 0.05 }, { signal: stop.signal });
 * trained.history?.stopped; // true when stop.abort() ended it
 * ```
 */
export async function trainPageModel(prepared: PreparedLog, name: string, settings: PageSettings, hooks: FitHooks = {}): Promise<TrainedModel> {
  const model = pageModel(name);
  const config = parseModelConfig({ model: name, ...model.fixed, ...settings }, 'settings');
  return trainModel(config, { train: prepared.train }, { ...hooks, dataName: prepared.log.name });
}

/**
 * Most-popular, fitted on the training part through the registry: the baseline the page
 * shows next to every trained model.
 * @example
 * ```ts
 * const baseline = await evaluateHeldOut(prepared, (await trainMostPopular(prepared)).model);
 * ```
 */
export async function trainMostPopular(prepared: PreparedLog): Promise<TrainedModel> {
  return trainModel(parseModelConfig({ model: 'most-popular' }), { train: prepared.train }, { dataName: prepared.log.name });
}

/**
 * A model trained on the page as a {@link StandaloneModel}: it answers by the log's raw
 * ids and leaves out each user's training items, as a saved folder would.
 * @example
 * ```ts
 * await standaloneOf(trained, prepared).recommend('u1', { k: 10 });
 * ```
 */
export function standaloneOf(trained: TrainedModel, prepared: PreparedLog): StandaloneModel {
  const { userIds, itemIds } = prepared.log;
  return new StandaloneModel(trained, { users: userIds.toArray(), items: itemIds.toArray() }, prepared.seen);
}

/**
 * The top K of a user typed on the page (`"196"` also finds the number 196), with how
 * many of their training items were left out.
 * @throws Error naming the id when the model does not know it.
 * @example
 * ```ts
 * const { items, excluded } = await recommendFor(model, ' 196 '); // 10 items; excluded: 196's training items
 * ```
 */
export async function recommendFor(model: StandaloneModel, user: string, k = CUTOFF): Promise<{ user: string; excluded: number; items: Recommendation[] }> {
  const trimmed = user.trim();
  if (trimmed === '') throw new Error('type a user id first');
  const u = model.userIndex(trimmed);
  return { user: String(model.users.idOf(u)), excluded: model.seenCount(u), items: await model.recommend(trimmed, { k }) };
}

/** The file names of a saved model folder, in the order `rec train` writes them. */
export const SAVED_FILE_NAMES: readonly string[] = Object.values(SAVED_MODEL_FILES);

/** The folder part of a picked path (`''` for a bare file name). */
const folderOf = (path: string): string => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');

/**
 * Rebuilds a model folder `rec train` wrote from the files a person picked: a folder
 * (paths as `webkitRelativePath` gives them, `bpr/config.json`), or the four files
 * themselves. The model folder is the shallowest one holding a `config.json`, so the
 * trainer's `checkpoint/` subfolder inside it is passed over.
 * @param files - picked files by path.
 * @throws Error naming what is missing or ambiguous, or `decodeSavedModel`'s message
 *   naming the file at fault.
 * @example
 * ```ts
 * const model = loadSavedFolder(new Map([['bpr/config.json', bytes], …]));
 * ```
 */
export function loadSavedFolder(files: ReadonlyMap<string, Uint8Array>): StandaloneModel {
  const paths = [...files.keys()];
  const depth = (path: string): number => path.split('/').length;
  const configs = paths.filter((path) => path.split('/').pop() === SAVED_MODEL_FILES.config).sort((a, b) => depth(a) - depth(b) || a.localeCompare(b));
  const picked = files.size === 0 ? 'nothing was picked' : `picked: ${paths.slice(0, 6).join(', ')}${files.size > 6 ? ', …' : ''}`;
  if (configs.length === 0) {
    throw new Error(`not a model folder written by rec train: it has no ${SAVED_MODEL_FILES.config} (${picked}); a folder holds ${SAVED_FILE_NAMES.join(', ')}`);
  }
  const shallowest = configs.filter((path) => depth(path) === depth(configs[0]!));
  if (shallowest.length > 1) throw new Error(`the pick holds several model folders (${shallowest.map(folderOf).join(', ')}); pick one`);
  const dir = folderOf(configs[0]!);
  const pathOf = (name: string): string => (dir === '' ? name : `${dir}/${name}`);
  const missing = SAVED_FILE_NAMES.filter((name) => !files.has(pathOf(name)));
  if (missing.length > 0) {
    throw new Error(`${dir || 'the picked files'}: not a complete model folder written by rec train: ${missing.join(', ')} missing (${picked})`);
  }
  const bytes = Object.fromEntries(SAVED_FILE_NAMES.map((name) => [name, files.get(pathOf(name))!])) as SavedModelFiles;
  return StandaloneModel.from(decodeSavedModel(bytes, dir || '(picked files)'));
}
