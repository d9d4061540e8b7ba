/**
 * Paper reproductions as data: one `defineReproduction({...})` per paper lists its
 * datasets, its methods (registered models with the paper's settings), its protocol,
 * its tuning grid, how a finished method is evaluated and what its report says. One
 * runner (`runReproduction` of `@rec/models/node`) runs any of them: resume, tuning,
 * per-epoch checkpoints and atomic writes are its business, never a recipe's.
 *
 * Browser-safe: no Node built-in. A recipe computes; the runner reads and writes.
 */
import type { Dataset } from '@rec/data';
import type { EvaluationReport } from '@rec/eval';
import type { ModelConfig, ModelConfigInput } from '../plugin/config.js';
import type { TrainingData } from '../plugin/data.js';
import type { Predictor } from '../plugin/inference.js';
import type { TrainedModel } from '../plugin/train.js';
import type { Validation } from '../training/trainer.js';

/**
 * A dataset a reproduction runs on: the registry name it reads and how reports name it.
 * @example
 * ```ts
 * const tmall: ReproductionDataset = { dataset: 'tmall/mbcgcn', label: 'Tmall (MB-CGCN split: view → cart → buy)' };
 * ```
 */
export interface ReproductionDataset {
  /** The `@rec/data` registry name (`readDataset(dataset)`). */
  readonly dataset: string;
  /** How the report names it. */
  readonly label: string;
}

/**
 * One row of a reproduction: a registered model with the paper's settings.
 * @example
 * ```ts
 * const method: ReproductionMethod = { id: 'nmtr-gmf', name: 'NMTR-GMF', group: 'NMTR', config: { model: 'nmtr-gmf', learningRate: 0.01 } };
 * ```
 */
export interface ReproductionMethod {
  /** Unique within the reproduction; names `methods/<id>.json` and `--methods`. */
  readonly id: string;
  /** How the report names the row. */
  readonly name: string;
  /** The report's group of rows (a table section). */
  readonly group: string;
  /**
   * The model and its settings. The runner adds the run's `dim`, `epochs` and `seed`
   * where the model's schema has them (they override these), so a rule's config
   * carries only its own fields.
   */
  readonly config: ModelConfigInput;
  /**
   * Tune once, use everywhere: the id of an earlier method whose finished result gives
   * this one its config — the tuned candidate, with `epochs` set to that result's best
   * epoch + 1 — instead of a grid of its own (e.g. every fold of a cross-validation
   * reuses what fold 1's validation chose). With several ids, the one with the best
   * validation score is taken (e.g. the tuning run and a sweep of α on the same
   * validation data). Those methods must come first in training order (see
   * {@link Reproduction.cost}). The method's own config fields (besides `model`) are
   * applied over the taken config.
   */
  readonly tunedBy?: string | readonly string[];
}

/**
 * The settings of one run, shared by every method of it.
 * @example
 * ```ts
 * const settings: ReproductionSettings = { data: 'tmall', dataset: { dataset: 'tmall/mbcgcn', label: 'Tmall' }, epochs: 20, dim: 64, seed: 1 };
 * ```
 */
export interface ReproductionSettings {
  /** The dataset key (`tmall`) … */
  readonly data: string;
  /** … and its entry. */
  readonly dataset: ReproductionDataset;
  /** Cap on epochs of every trained method. */
  readonly epochs: number;
  /** Embedding size of every trained method. */
  readonly dim: number;
  /** Seed of the protocol's random choices and of every model. */
  readonly seed: number;
  /** `--tune`: learning rates to search on the validation data (the recipe's {@link Reproduction.tuning} expands them). */
  readonly tuneLearningRates?: readonly number[];
  /** `--tune-weights`: behaviour-weight vectors to search, for the methods that have them. */
  readonly tuneWeights?: readonly (readonly number[])[];
  /** `--tune-batch`: batch sizes to search, for the recipes whose grid has them (the second-hand paper's §4.2). */
  readonly tuneBatchSizes?: readonly number[];
  /** `--tune-negatives`: negatives per positive N to search, for the recipes that say so ({@link Reproduction.tunesNegatives}). */
  readonly tuneNegatives?: readonly number[];
}

/**
 * What a reproduction's protocol prepares from the dataset, once per run: at least what
 * each method trains on; a recipe extends it with what its evaluation and report need
 * (test rows, masks, groupings).
 */
export interface PreparedProtocol {
  /**
   * The data `method` trains on.
   * @param rule - true for a one-pass rule (`rule` in its model definition): it validates
   *   nothing, so it usually gets every training row.
   */
  trainingData(method: ReproductionMethod, rule: boolean): TrainingData;
  /** Printed once the protocol is prepared (e.g. a table of how the test relates to training). */
  readonly summary?: string;
}

/**
 * Per-user values of a finished method (for significance tests and breakdowns): the
 * evaluated users and, per kept metric, one value per user, aligned.
 */
export interface PerUserValues {
  readonly users: readonly number[];
  readonly [metric: string]: readonly number[];
}

/** What a recipe's {@link Reproduction.evaluate} returns. */
export interface MethodEvaluation {
  /** Metric name → value (`HR@100`, `AUC`, `RMSE`, …). */
  readonly metrics: Readonly<Record<string, number>>;
  /** Per-user values the report needs, when it needs any. */
  readonly perUser?: PerUserValues;
}

/**
 * One candidate of a tuning grid: the config fields it sets over the method's own
 * (`{ learningRate: 0.05, weights: [0.3, 0.7] }`).
 */
export type TuningCandidate = Readonly<Record<string, unknown>>;

/**
 * A tried candidate as kept in the method's result: its fields, its best validation score and,
 * for a candidate trained since 2026-12-06, its epochs: the best (1-based), how many ran, and
 * whether early stopping ended the run (`stoppedEarly: false` with `run` equal to the epoch
 * budget means the budget, not the validation, ended it).
 */
export type TuningRecord = TuningCandidate & {
  readonly validation: number;
  readonly epochs?: { readonly best: number; readonly run: number; readonly stoppedEarly: boolean };
};

/** The fields of a tuning record that are not the candidate's own (its score and epochs). */
const RECORD_ONLY = new Set(['validation', 'epochs']);

/**
 * A tuning record's candidate fields: the record without its score and epochs.
 * @example
 * ```ts
 * candidateFields({ learningRate: 0.001, validation: 0.31, epochs: { best: 12, run: 22, stoppedEarly: true } }); // { learningRate: 0.001 }
 * ```
 */
export function candidateFields(record: TuningCandidate): TuningCandidate {
  return Object.fromEntries(Object.entries(record).filter(([k]) => !RECORD_ONLY.has(k)));
}

/**
 * A finished method, as the runner keeps it in `<out>/methods/<id>.json`.
 */
export interface MethodResult {
  readonly id: string;
  readonly name: string;
  readonly group: string;
  /** The validated config it was trained with (the best candidate when tuned). */
  readonly config: ModelConfig;
  readonly metrics: Readonly<Record<string, number>>;
  readonly perUser?: PerUserValues;
  /** Validation score after each validated epoch (1-based), of the final training. */
  readonly validation: readonly { readonly epoch: number; readonly value: number }[];
  /**
   * The name of that validation (`HR@100`, or a model's own such as MeLU's `HR@10 (99 sampled
   * negatives)`); absent without one, and in results recorded before 2026-12-08.
   */
  readonly validationMetric?: string;
  /** The epoch (0-based) whose parameters were evaluated; absent for a rule. */
  readonly bestEpoch?: number;
  /** Wall-clock seconds of training, tuning included. */
  readonly trainSeconds: number;
  /** Every candidate tried, when the method was tuned (more than one candidate), in grid order. */
  readonly tuning?: readonly TuningRecord[];
  /**
   * The run settings it was trained under: a later run into the same folder reuses it only
   * under the same ones. Absent from results written before they were kept.
   */
  readonly settings?: MethodSettings;
}

/** The settings of a run that decide what a finished method is (see {@link MethodResult.settings}). */
export interface MethodSettings {
  /** The dataset key (`--data`) … */
  readonly data: string;
  /** … and the dataset it read (a registry name, or the user's file with `--data-file`). */
  readonly dataset: string;
  readonly seed: number;
  readonly epochs: number;
  readonly dim: number;
}

/**
 * A finished method's best validation score over its validated epochs (−∞ when it
 * validated none): how a `tunedBy` list picks its config, and what reports call its
 * validation score.
 * ```ts
 * bestValidation(result); // 0.7785
 * ```
 */
export function bestValidation(result: MethodResult): number {
  return result.validation.reduce((best, v) => Math.max(best, v.value), -Infinity);
}

/**
 * One per-user metric of two methods over the users both evaluated, aligned user by user in
 * `a`'s order: the pairs a per-user paired test compares.
 * @example
 * ```ts
 * const { xs, ys } = pairPerUser(rnr.perUser!, vanilla.perUser!, 'Recall@10');
 * pairedTTest(xs, ys).p;
 * ```
 */
export function pairPerUser(a: PerUserValues, b: PerUserValues, metric: string): { xs: number[]; ys: number[] } {
  const at = new Map(b.users.map((u, i) => [u, b[metric]![i]!]));
  const xs: number[] = [];
  const ys: number[] = [];
  a.users.forEach((u, i) => {
    const y = at.get(u);
    if (y !== undefined) {
      xs.push(a[metric]![i]!);
      ys.push(y);
    }
  });
  return { xs, ys };
}

/** A metric value for a report cell: `digits` decimals, or '–' when missing or not finite. */
export const formatMetric = (v: number | undefined, digits = 4): string => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));

/**
 * What a recipe's report function returns: the main report (rendered to JSON,
 * Markdown and HTML) and extra Markdown sections (appended to `report.md` and
 * written alone to `sections.md`).
 */
export interface ReproductionReport {
  readonly report: EvaluationReport;
  readonly sections: readonly string[];
}

/**
 * A paper's reproduction. Built by {@link defineReproduction}.
 *
 * @typeParam P - what its protocol prepares, handed back to `evaluate` and `report`.
 */
export interface Reproduction<P extends PreparedProtocol = PreparedProtocol> {
  /** The registered id (`rec reproduce <id>`): lower-case letters, digits and dashes. */
  readonly id: string;
  /** One line: what it reproduces (`NMTR Table III, Table V and Fig. 5, …`). */
  readonly title: string;
  /** Authors, title, venue and year of the paper. */
  readonly citation: string;
  /** The datasets it runs on, by the key `--data` takes. */
  readonly datasets: Readonly<Record<string, ReproductionDataset>>;
  /** Run settings when the caller gives none (the paper's). */
  readonly defaults: { readonly epochs: number; readonly dim: number; readonly seed: number };
  /** The methods on one dataset, in report order (ids unique). */
  methods(data: string): readonly ReproductionMethod[];
  /**
   * Training order: lower first, ties in report order (default: report order). Cheap
   * methods first means a run cut short still has its baselines.
   */
  cost?(method: ReproductionMethod): number;
  /** Prepares the evaluation context from the dataset (splits, hold-outs, masks). */
  protocol(dataset: Dataset, settings: ReproductionSettings): P | Promise<P>;
  /** Names the models' validation score in progress lines (`HR@100`). */
  readonly validationMetric: string;
  /**
   * Validates every trained method this way (its paper's metric on the data's `valid`
   * rows) instead of each model's own validation; undefined trains without one.
   * Default: each model's own (HR@K on held-out rows).
   */
  validation?(model: Predictor, data: TrainingData, method: ReproductionMethod, settings: ReproductionSettings): Validation | undefined;
  /** Metrics printed when a method finishes (`['HR@100', 'NDCG@100']`). */
  readonly headline: readonly string[];
  /**
   * The tuning grid of one method: each candidate's fields over `base` (the method's
   * config with the run's settings). None or one candidate is a setting, not a search;
   * with more, each trains with early stopping on the validation data and the best
   * (by its best validation score) is kept. Rules are never tuned. Default: no grid.
   */
  tuning?(method: ReproductionMethod, base: ModelConfigInput, settings: ReproductionSettings): readonly TuningCandidate[];
  /** True when {@link Reproduction.tuning} searches `--tune-negatives`; any other recipe refuses it. */
  readonly tunesNegatives?: boolean;
  /** True when {@link Reproduction.tuning} searches `--tune-batch`; any other recipe refuses it. */
  readonly tunesBatchSizes?: boolean;
  /** True when {@link Reproduction.tuning} searches `--tune-weights`; any other recipe refuses it. */
  readonly tunesWeights?: boolean;
  /** How a candidate reads in progress lines (default `field value, …`). */
  describeCandidate?(candidate: TuningCandidate): string;
  /** Evaluates a trained method on the protocol's test data. */
  evaluate(trained: TrainedModel, protocol: P, method: ReproductionMethod): Promise<MethodEvaluation>;
  /** The report of the finished methods (report order; may be a subset of the methods). */
  report(results: readonly MethodResult[], protocol: P, settings: ReproductionSettings): ReproductionReport;
  /** Metrics of the summary over seeds (`--seeds`), mean ± sd per method (default `headline`). */
  readonly seedMetrics?: readonly string[];
  /** Extra Markdown sections of the summary over seeds (e.g. how often each claim held). */
  seedSections?(runs: readonly SeedRun[]): readonly string[];
}

/** One seed's finished methods, for a summary over seeds. */
export interface SeedRun {
  readonly seed: number;
  readonly results: readonly MethodResult[];
}

const registry = new Map<string, Reproduction>();

/**
 * Registers a reproduction; call it once per recipe (the `reproductions/` barrel does).
 *
 * @returns the reproduction, typed.
 * @throws Error when the id is taken or malformed, or it lists no dataset.
 * @example
 * ```ts
 * export const toy = defineReproduction({
 *   id: 'toy', title: 'most-popular on ml-100k', citation: 'the popularity baseline',
 *   datasets: { ml: { dataset: 'ml-100k', label: 'MovieLens 100K (u1 split)' } },
 *   defaults: { epochs: 1, dim: 8, seed: 1 },
 *   methods: () => [{ id: 'pop', name: 'Most popular', group: 'Rules', config: { model: 'most-popular' } }],
 *   protocol: (dataset) => {
 *     const { train, test } = dataset.splits.u1!;
 *     return { trainingData: () => ({ train }), train, testItems: UserItemCSR.fromInteractions(test) };
 *   },
 *   validationMetric: 'HR@10',
 *   headline: ['HR@10'],
 *   evaluate: async (trained, p) => {
 *     const { metrics } = await evaluateFullRanking({
 *       numItems: p.train.numItems, testItems: p.testItems, trainMask: UserItemCSR.fromInteractions(p.train), ks: [10],
 *       scoreUsers: (users) => trained.model.scoreUsers!(users),
 *     });
 *     return { metrics };
 *   },
 *   report: (results, _p, settings) => ({
 *     report: createReport({ title: 'toy', dataset: settings.dataset.label, protocol: 'full ranking', rows: results.map((r) => ({ method: r.name, values: { ...r.metrics } })) }),
 *     sections: [],
 *   }),
 * });
 * ```
 */
export function defineReproduction<P extends PreparedProtocol>(reproduction: Reproduction<P>): Reproduction<P> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(reproduction.id)) throw new Error(`defineReproduction: id '${reproduction.id}' must be lower-case letters, digits and dashes`);
  if (registry.has(reproduction.id)) throw new Error(`defineReproduction: a reproduction named '${reproduction.id}' is already registered`);
  if (Object.keys(reproduction.datasets).length === 0) throw new Error(`defineReproduction: '${reproduction.id}' lists no dataset`);
  registry.set(reproduction.id, reproduction as unknown as Reproduction);
  return reproduction;
}

/**
 * Every registered reproduction, in registration order.
 * @example
 * ```ts
 * listReproductions().map((r) => r.id); // ['nmtr']
 * ```
 */
export function listReproductions(): Reproduction[] {
  return [...registry.values()];
}

/**
 * The reproduction registered under `id`.
 * @param where - names the source in the message.
 * @throws Error listing the registered ids when there is none.
 * @example
 * ```ts
 * getReproduction('nmtr').datasets.tmall.dataset; // 'tmall/mbcgcn'
 * getReproduction('mrlr'); // Error: reproduction: expected one of nmtr, got 'mrlr'
 * ```
 */
export function getReproduction(id: string, where = 'reproduction'): Reproduction {
  const found = registry.get(id);
  if (!found) throw new Error(`${where}: expected one of ${[...registry.keys()].join(', ')}, got '${id}'`);
  return found;
}
