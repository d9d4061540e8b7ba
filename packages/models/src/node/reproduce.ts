/**
 * The one runner of every registered reproduction ({@link Reproduction}): it reads the
 * dataset, prepares the recipe's protocol, trains each wanted method (tuning it over
 * the recipe's grid when asked), evaluates it, and writes the reports.
 *
 * Files under `out`, each written atomically (`writeFileAtomic`):
 * - `methods/<id>.json`: a finished method ({@link MethodResult}), written as soon as it
 *   finishes and reused by later runs, so an interrupted run resumes. A run reuses it only
 *   under the settings it was trained with (data, seed, epochs, dim, config) and throws
 *   naming the difference otherwise; a run whose grid adds candidates to the recorded
 *   search trains only the new ones and keeps the recorded best unless one beats it
 *   (the result a run of the whole grid gives, as training is deterministic);
 * - `checkpoints/<id>/…`: the per-epoch checkpoints of the method in training (one
 *   folder per tuning candidate, `final` for an untuned one), removed when it finishes;
 * - `report.json`, `report.md`, `report.html`, `sections.md`: the recipe's report over
 *   every finished method in `out`, so a run of a few methods does not replace the full
 *   table with theirs.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, writeFilesAtomic } from '@rec/core/node';
import type { Dataset } from '@rec/data';
import { readDataset as readRegistryDataset } from '@rec/data/node';
import { meanStd, renderHtml, renderMarkdown, reportToJSON } from '@rec/eval';
import { configFieldsOf, getModel, parseModelConfig } from '../plugin/define.js';
import type { TrainingData } from '../plugin/data.js';
import type { Predictor } from '../plugin/inference.js';
import { type TrainedModel, trainModel } from '../plugin/train.js';
import {
  bestValidation, candidateFields, formatMetric, getReproduction, listReproductions, type MethodResult, type PreparedProtocol, type Reproduction, type ReproductionMethod, type ReproductionReport,
  type MethodSettings, type ReproductionSettings, type SeedRun, type TuningCandidate, type TuningRecord,
} from '../reproduction/define.js';
import type { BatchProgress, EpochRecord } from '../training/trainer.js';
import { fileCheckpoints } from './checkpoint.js';

/** Options of {@link runReproduction}. */
export interface RunReproductionOptions {
  /** The dataset key (one of the reproduction's `datasets`). */
  data: string;
  /**
   * Another dataset to run the `data` settings on (a registry name, or a dataset file
   * that `readDataset` reads): the user's own data under the recipe's protocol and methods.
   */
  dataset?: string;
  /** Output folder (reports, per-method results, checkpoints). */
  out: string;
  /** Method ids to run (default all); the others already finished in `out` stay in the report. */
  methods?: readonly string[];
  /** Cap on epochs of every trained method (default the recipe's). */
  epochs?: number;
  /** Embedding size of every trained method (default the recipe's). */
  dim?: number;
  /** Seed of the protocol and of every model (default the recipe's). */
  seed?: number;
  /** Learning rates to tune each trained method over (`--tune`; the recipe's grid expands them). */
  tuneLearningRates?: readonly number[];
  /** Behaviour-weight vectors to tune over (`--tune-weights`), crossed with the learning rates. */
  tuneWeights?: readonly (readonly number[])[];
  /** Batch sizes to tune over (`--tune-batch`), for the recipes whose grid has them (second-hand §4.2). */
  tuneBatchSizes?: readonly number[];
  /** Negatives per positive to tune over (`--tune-negatives`), for the recipes that search them (MRLR §4.1). */
  tuneNegatives?: readonly number[];
  /**
   * Write the reports from the methods already finished in `out`, training nothing; the
   * seed, epochs and dim it is not given are those the finished methods recorded.
   */
  reportOnly?: boolean;
  /** Reads a dataset by registry name (default `readDataset` of `@rec/data/node`, through the cache). */
  readDataset?: (name: string) => Promise<Dataset>;
  /** Where progress lines go (default nowhere). */
  log?: (line: string) => void;
  /** Batch progress of the method in training: its display name (with the stage), batches done and total, mean loss, rows per second. */
  onBatch?: (method: string, done: number, total: number, loss: number, rate: number) => void;
}

/** What {@link runReproduction} returns: the recipe's report and the finished methods it covers. */
export interface ReproductionRun extends ReproductionReport {
  /** Every finished method in `out`, report order. */
  readonly results: readonly MethodResult[];
}

/**
 * Runs a registered reproduction on one of its datasets and writes its reports (see
 * the file header for what goes where).
 *
 * @param reproduction - the recipe, or its registered id.
 * @throws Error naming the option when the dataset key or a method id is unknown, or
 *   when a method's config does not fit its model's schema.
 * @example
 * ```ts
 * const { report } = await runReproduction('nmtr', { data: 'tmall', out: 'runs/reproduce/nmtr-tmall', methods: ['most-popular', 'nmtr-gmf'], epochs: 2, log: console.error });
 * report.rows.map((r) => r.method); // ['NMTR-GMF', 'Most popular']
 * ```
 */
export async function runReproduction(reproduction: Reproduction | string, options: RunReproductionOptions): Promise<ReproductionRun> {
  const recipe = typeof reproduction === 'string' ? getReproduction(reproduction) : reproduction;
  const log = options.log ?? (() => {});
  const where = `reproduce ${recipe.id}`;
  if (!Object.hasOwn(recipe.datasets, options.data)) throw new Error(`${where}: data must be one of ${Object.keys(recipe.datasets).join(', ')}, got '${options.data}'`);
  // A grid flag the recipe does not search is refused, never recorded as if it were used.
  const gridFlags = [
    { flag: '--tune-negatives', given: options.tuneNegatives, field: 'tunesNegatives', what: 'number of negatives' },
    { flag: '--tune-batch', given: options.tuneBatchSizes, field: 'tunesBatchSizes', what: 'batch size' },
    { flag: '--tune-weights', given: options.tuneWeights, field: 'tunesWeights', what: 'behaviour weights' },
  ] as const;
  for (const { flag, given, field, what } of gridFlags) {
    if (!given?.length || recipe[field] === true) continue;
    const searching = listReproductions().filter((r) => r[field] === true).map((r) => r.id);
    throw new Error(`${where}: ${flag}: this recipe has no ${what} to search (${searching.length ? `the ones that do: ${searching.join(', ')}` : 'none does'})`);
  }
  const all = recipe.methods(options.data);
  const wanted = options.methods ? expandMethodPatterns(options.methods, all, where) : all.map((m) => m.id);
  // A method whose config comes from others (`tunedBy`) brings them along when they are
  // neither asked for nor finished in `out`, so a subset never stops half-way for one.
  const finished = (id: string): boolean => existsSync(join(options.out, 'methods', `${id}.json`));
  for (let k = 0; k < wanted.length; k++) {
    const method = all.find((m) => m.id === wanted[k])!;
    const needs = method.tunedBy === undefined ? [] : typeof method.tunedBy === 'string' ? [method.tunedBy] : method.tunedBy;
    for (const id of needs) {
      if (!all.some((m) => m.id === id)) throw new Error(`${where}: method ${method.id} takes its config from '${id}', which is not a method of this reproduction`);
      if (!wanted.includes(id) && !finished(id)) {
        wanted.push(id);
        log(`${id}: also run, since ${method.id} takes its config from it`);
      }
    }
  }

  const methodsDir = join(options.out, 'methods');
  const resultFile = (id: string): string => join(methodsDir, `${id}.json`);
  const readResult = async (id: string): Promise<MethodResult> => JSON.parse(await readFile(resultFile(id), 'utf8')) as MethodResult;
  // --report-only reports the folder as it was run: the seed, epochs and dim it does not give
  // come from the first finished method that recorded them (the protocol depends on the seed).
  let recordedRun: MethodSettings | undefined;
  if (options.reportOnly) {
    for (const m of all) {
      if (!existsSync(resultFile(m.id))) continue;
      recordedRun = (await readResult(m.id)).settings;
      if (recordedRun) break;
    }
  }
  const settings: ReproductionSettings = {
    data: options.data,
    dataset: options.dataset === undefined
      ? recipe.datasets[options.data]
      : { dataset: options.dataset, label: `${options.dataset} (with the ${options.data} settings)` },
    epochs: options.epochs ?? recordedRun?.epochs ?? recipe.defaults.epochs,
    dim: options.dim ?? recordedRun?.dim ?? recipe.defaults.dim,
    seed: options.seed ?? recordedRun?.seed ?? recipe.defaults.seed,
    ...(options.tuneLearningRates ? { tuneLearningRates: options.tuneLearningRates } : {}),
    ...(options.tuneWeights ? { tuneWeights: options.tuneWeights } : {}),
    ...(options.tuneBatchSizes ? { tuneBatchSizes: options.tuneBatchSizes } : {}),
    ...(options.tuneNegatives ? { tuneNegatives: options.tuneNegatives } : {}),
  };
  const dataset = await (options.readDataset ?? readRegistryDataset)(settings.dataset.dataset);
  const protocol = await recipe.protocol(dataset, settings);
  if (protocol.summary) log(protocol.summary);

  await mkdir(methodsDir, { recursive: true });
  const results: MethodResult[] = [];
  const cost = (m: ReproductionMethod): number => recipe.cost?.(m) ?? 0;
  // Array sort is stable: equal costs keep report order.
  for (const method of all.filter((m) => wanted.includes(m.id)).sort((a, b) => cost(a) - cost(b))) {
    const file = resultFile(method.id);
    const recorded = existsSync(file) ? await readResult(method.id) : undefined;
    if (options.reportOnly) {
      if (recorded) results.push(recorded);
      log(recorded ? `${method.name}: already done (${file})` : `${method.name}: not run yet, left out of the report (--report-only)`);
      continue;
    }
    const checkpointDir = join(options.out, 'checkpoints', method.id);
    if (recorded) requireSameSettings(recorded, settings, file);
    const tunedBy = method.tunedBy === undefined ? undefined : await tuningResultFor(method, results, resultFile);
    const result = await runMethod(recipe, method, protocol, settings, { checkpointDir, log, onBatch: options.onBatch, tunedBy, recorded: recorded && { result: recorded, file } });
    if (result === recorded) {
      results.push(recorded);
      log(`${method.name}: already done (${file})`);
      continue;
    }
    await writeFileAtomic(file, JSON.stringify(result));
    await rm(checkpointDir, { recursive: true, force: true });
    results.push(result);
    const headline = recipe.headline.map((metric) => `${metric} ${result.metrics[metric]?.toFixed(4) ?? '—'}`).join(', ');
    log(`${method.name}: ${headline} (trained ${result.trainSeconds.toFixed(0)} s${result.bestEpoch === undefined ? '' : `, best epoch ${result.bestEpoch + 1}`})`);
  }
  for (const method of all.filter((m) => !wanted.includes(m.id))) {
    if (existsSync(resultFile(method.id))) results.push(await readResult(method.id));
  }
  results.sort((a, b) => all.findIndex((m) => m.id === a.id) - all.findIndex((m) => m.id === b.id));

  const { report, sections } = recipe.report(results, protocol, settings);
  // A report over results trained under other settings (folders merged, a later --epochs)
  // says which, rather than heading them all with this run's settings.
  const differing = results.map((r) => [r, settingsDifference(r, settings)] as const).filter((e): e is readonly [MethodResult, string] => e[1] !== undefined);
  for (const [r, difference] of differing) log(`${r.name}: trained with ${difference}; the report says so`);
  const mixed = differing.length
    ? [`## Methods trained under other settings than this report's\n\n${differing.map(([r, difference]) => `- ${r.name} (\`${r.id}\`): ${difference}`).join('\n')}`]
    : [];
  const extra = [...mixed, ...sections].join('\n\n');
  await writeFilesAtomic([
    { path: join(options.out, 'report.json'), data: reportToJSON(report) },
    { path: join(options.out, 'report.md'), data: `${renderMarkdown(report)}\n\n${extra}\n` },
    { path: join(options.out, 'report.html'), data: renderHtml(report) },
    { path: join(options.out, 'sections.md'), data: `${extra}\n` },
  ]);
  return { report, sections, results };
}

/**
 * Runs a reproduction once per seed, each into `<out>/seed-<seed>` (so each resumes and
 * reports on its own, exactly as {@link runReproduction} with that seed), then writes
 * `<out>/seeds.md`: each method's mean ± sd over the seeds of the recipe's `seedMetrics`
 * (default its headline), and the recipe's `seedSections` (e.g. how often each claim held).
 * The seed redraws everything the protocol and the models draw.
 *
 * @throws Error on an empty or repeated seed list, or whatever a run throws.
 * @example
 * ```ts
 * const { summary } = await runReproductionSeeds('secondhand', { data: 'toys', out: 'runs/reproduce/secondhand-toys', seeds: [1, 2, 3] });
 * ```
 */
export async function runReproductionSeeds(
  reproduction: Reproduction | string,
  options: Omit<RunReproductionOptions, 'seed'> & { seeds: readonly number[] },
): Promise<{ runs: SeedRun[]; summary: string }> {
  const recipe = typeof reproduction === 'string' ? getReproduction(reproduction) : reproduction;
  const { seeds, ...rest } = options;
  if (seeds.length === 0 || new Set(seeds).size !== seeds.length) throw new Error(`reproduce ${recipe.id}: seeds must be distinct and at least one, got [${seeds.join(', ')}]`);
  const runs: SeedRun[] = [];
  for (const seed of seeds) {
    rest.log?.(`seed ${seed}`);
    const run = await runReproduction(recipe, { ...rest, seed, out: join(options.out, `seed-${seed}`) });
    runs.push({ seed, results: run.results });
  }
  const summary = seedSummary(recipe, runs);
  await writeFileAtomic(join(options.out, 'seeds.md'), `${summary}\n`);
  return { runs, summary };
}

/** The Markdown of {@link runReproductionSeeds}: mean ± sd per method and metric, then the recipe's sections. */
function seedSummary(recipe: Reproduction, runs: readonly SeedRun[]): string {
  const metrics = recipe.seedMetrics ?? recipe.headline;
  const order = runs[0]!.results.map((r) => r.id);
  for (const run of runs) for (const r of run.results) if (!order.includes(r.id)) order.push(r.id);
  const cell = (id: string, metric: string): string => {
    const values = runs.map((run) => run.results.find((r) => r.id === id)?.metrics[metric]).filter((v): v is number => v !== undefined && Number.isFinite(v));
    if (values.length === 0) return '–';
    const { mean, sd, n } = meanStd(values);
    return n < runs.length ? `${formatMetric(mean)} ± ${formatMetric(sd)} (${n} seeds)` : `${formatMetric(mean)} ± ${formatMetric(sd)}`;
  };
  const name = (id: string): string => runs.flatMap((run) => run.results).find((r) => r.id === id)!.name;
  return [
    `# ${recipe.id}: ${runs.length} seeds (${runs.map((r) => r.seed).join(', ')}), mean ± sd over seeds`, '',
    `| method | ${metrics.join(' | ')} |`, `|---|${metrics.map(() => '---').join('|')}|`,
    ...order.map((id) => `| ${name(id)} | ${metrics.map((m) => cell(id, m)).join(' | ')} |`),
    ...(recipe.seedSections?.(runs) ?? []).flatMap((section) => ['', section]),
  ].join('\n');
}

/**
 * Method ids from `--methods` entries: an exact id, or a pattern where `*` stands for any
 * run of characters (`mrlr*.f1`, `*.tune`); each entry must match at least one method.
 */
export function expandMethodPatterns(entries: readonly string[], all: readonly ReproductionMethod[], where: string): string[] {
  const ids = new Set<string>();
  for (const entry of entries) {
    const pattern = new RegExp(`^${entry.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    const matched = all.filter((m) => (entry.includes('*') ? pattern.test(m.id) : m.id === entry));
    if (matched.length === 0) {
      const shown = all.length > 30 ? `${all.slice(0, 30).map((m) => m.id).join(', ')}, … (${all.length} in all; \`rec reproduce\` lists them)` : all.map((m) => m.id).join(', ');
      throw new Error(`${where}: unknown method '${entry}'; the methods are ${shown}`);
    }
    for (const m of matched) ids.add(m.id);
  }
  return [...ids];
}

/**
 * The finished result a `tunedBy` method takes its config from, done in this run or an
 * earlier one: the named method, or of several the one with the best validation score.
 */
async function tuningResultFor(method: ReproductionMethod, done: readonly MethodResult[], resultFile: (id: string) => string): Promise<MethodResult> {
  const ids = typeof method.tunedBy === 'string' ? [method.tunedBy] : [...method.tunedBy!];
  const found: MethodResult[] = [];
  for (const id of ids) {
    const result = done.find((r) => r.id === id) ?? (existsSync(resultFile(id)) ? (JSON.parse(await readFile(resultFile(id), 'utf8')) as MethodResult) : undefined);
    if (!result) throw new Error(`method ${method.id}: its config comes from method '${id}', which has not finished; run '${id}' first (the recipe's cost must order it earlier)`);
    found.push(result);
  }
  return found.reduce((best, r) => (bestValidation(r) > bestValidation(best) ? r : best));
}

/** A candidate's checkpoint folder name: its fields and values (`learningRate-0.05-weights-0.300_0.700`). */
function candidateTag(candidate: TuningCandidate): string {
  const value = (v: unknown): string => (Array.isArray(v) ? v.map((x) => (typeof x === 'number' ? x.toFixed(3) : String(x))).join('_') : String(v));
  const tag = Object.entries(candidate).map(([key, v]) => `${key}-${value(v)}`).join('-');
  return tag.replace(/[^A-Za-z0-9._-]/g, '_') || 'candidate';
}

/** `field value, …` — a candidate in a progress line, when the recipe does not say. */
function describeFields(candidate: TuningCandidate): string {
  return Object.entries(candidate).map(([key, v]) => `${key} ${Array.isArray(v) ? `(${v.join(', ')})` : String(v)}`).join(', ');
}

/** Trains (tuning when the grid has several candidates), evaluates and records one method. */
async function runMethod<P extends PreparedProtocol>(
  recipe: Reproduction<P>,
  method: ReproductionMethod,
  protocol: P,
  settings: ReproductionSettings,
  io: {
    checkpointDir: string; log: (line: string) => void; onBatch: RunReproductionOptions['onBatch']; tunedBy?: MethodResult;
    /** The method's result already in `out` (its settings checked): returned as it is when this run would train the same. */
    recorded?: { result: MethodResult; file: string };
  },
): Promise<MethodResult> {
  const definition = getModel(method.config.model, `method ${method.id}: model`);
  const rule = definition.rule === true;
  // The run's shared settings go to every model whose schema has them, overriding the method's;
  // a method tuned by another takes that one's chosen config and its best epoch count.
  const tuned = io.tunedBy;
  const base = tuned
    ? { ...tuned.config, ...method.config, ...configFieldsOf(definition.name, { epochs: tuned.bestEpoch === undefined ? settings.epochs : tuned.bestEpoch + 1, seed: settings.seed }) }
    : { ...method.config, ...configFieldsOf(definition.name, { dim: settings.dim, epochs: settings.epochs, seed: settings.seed }) };
  if (tuned && tuned.config.model !== method.config.model) {
    throw new Error(`method ${method.id}: its config comes from method '${tuned.id}', which trained '${tuned.config.model}', not '${method.config.model}'`);
  }
  const grid = rule || tuned ? [] : (recipe.tuning?.(method, base, settings) ?? []);
  const validation = recipe.validation && ((model: Predictor, data: TrainingData) => recipe.validation!(model, data, method, settings));
  const data = protocol.trainingData(method, rule);
  const describe = recipe.describeCandidate ?? describeFields;
  const onBatch = (p: BatchProgress & { phase?: string }) =>
    io.onBatch?.(`${method.name}${p.phase ? ` [${p.phase}]` : ''}`, p.batch, p.batches, p.loss, p.examplesPerSecond);
  // The validation's own name: a model may bring its own (MeLU's and TIGER's sampled HR@10), not the recipe's.
  const onEpoch = (r: EpochRecord & { phase?: string; metric?: string }) =>
    io.log(`${method.name}${r.phase ? ` [${r.phase}]` : ''}: epoch ${r.epoch + 1}, loss ${r.loss.toFixed(4)}${r.validation === undefined ? '' : `, validation ${r.metric ?? recipe.validationMetric} ${r.validation.toFixed(4)}`}, ${r.seconds.toFixed(0)} s (${Math.round(r.examples / r.seconds)} rows/s)`);

  // One candidate (e.g. `--tune 0.05`) is a setting, not a search; with more, the best replaces it.
  const configOf = (candidate: TuningCandidate) => parseModelConfig({ ...base, ...candidate }, `method ${method.id}`);
  let config = configOf(grid[0] ?? {});
  const searched = grid.length > 1 ? grid : [];
  const reuse = io.recorded && reusePlan(io.recorded.result, io.recorded.file, method, searched, config, configOf);
  if (reuse === 'same') return io.recorded!.result;
  if (reuse === 'stale') io.log(`${method.name}: ${io.recorded!.file} was trained with another config from '${String(method.tunedBy)}', chosen again in this run: training it again`);
  const tuning: TuningRecord[] = [];
  const t0 = performance.now();
  let trained: TrainedModel | undefined;
  // The recorded best of a widened search: kept unless a new candidate beats it.
  let keep: MethodResult | undefined;
  let bestCandidate: TuningCandidate | undefined;
  if (searched.length > 1) {
    const done = reuse instanceof Map ? reuse : new Map<string, TuningRecord>();
    if (done.size) io.log(`${method.name}: ${done.size} of the ${searched.length} candidates already tried (${io.recorded!.file}); training the other ${searched.length - done.size}`);
    // Each candidate trains with early stopping on the validation data; the best is kept
    // (its validated epoch restored), not retrained. Ties go to the earlier in the grid.
    let best = -Infinity;
    for (const candidate of searched) {
      const tried = done.get(candidateKey(candidate));
      const candidateConfig = configOf(candidate);
      const run = tried ? undefined : await trainModel(candidateConfig, data, { checkpoints: fileCheckpoints(join(io.checkpointDir, candidateTag(candidate))), onBatch, onEpoch, ...(validation ? { validation } : {}) });
      const value = tried ? tried.validation : (run!.history?.bestValidation ?? 0);
      const history = run?.history;
      const epochs = history ? { best: history.bestEpoch + 1, run: history.epochs.length, stoppedEarly: history.stoppedEarly } : tried?.epochs;
      tuning.push({ ...candidate, validation: value, ...(epochs ? { epochs } : {}) });
      if (run) io.log(`${method.name}: ${describe(candidate)} → validation ${run.history?.metric ?? recipe.validationMetric} ${value.toFixed(4)}`);
      if (value > best) {
        best = value;
        bestCandidate = candidate;
        config = candidateConfig;
        trained = run;
      }
    }
    // A recorded candidate won: the recorded result is its, unless the record chose another
    // candidate of equal score that the grid's order now puts after it (then it trains again).
    if (!trained && bestCandidate && sameConfig(config, io.recorded!.result.config)) keep = io.recorded!.result;
    else if (!trained && bestCandidate) io.log(`${method.name}: the best candidate (${describe(bestCandidate!)}) was tried before but not kept: training it again`);
  }
  if (keep) {
    const seconds = (performance.now() - t0) / 1000;
    return { ...keep, tuning, trainSeconds: keep.trainSeconds + seconds, settings: settingsOf(settings) };
  }
  trained ??= await trainModel(config, data, { ...(rule ? {} : { checkpoints: fileCheckpoints(join(io.checkpointDir, bestCandidate ? candidateTag(bestCandidate) : 'final')) }), onBatch, onEpoch, ...(validation ? { validation } : {}) });
  const history = trained.history;
  // A run resumed from its checkpoint trained its earlier epochs in another process: their
  // recorded seconds exceed this process's wall time, and are the honest cost.
  const recordedSeconds = grid.length > 1 ? 0 : (history?.epochs ?? []).reduce((total, e) => total + e.seconds, 0);
  // A widened search adds the recorded search's seconds: the cost of the whole grid.
  const trainSeconds = Math.max((performance.now() - t0) / 1000, recordedSeconds) + (reuse instanceof Map ? io.recorded!.result.trainSeconds : 0);
  const evaluation = await recipe.evaluate(trained, protocol, method);
  return {
    id: method.id, name: method.name, group: method.group, config, metrics: { ...evaluation.metrics },
    ...(evaluation.perUser ? { perUser: evaluation.perUser } : {}),
    validation: (history?.epochs ?? []).filter((e) => e.validation !== undefined).map((e) => ({ epoch: e.epoch + 1, value: e.validation! })),
    ...(history?.metric ? { validationMetric: history.metric } : {}),
    ...(history ? { bestEpoch: history.bestEpoch } : {}),
    trainSeconds,
    ...(tuning.length ? { tuning } : {}),
    settings: settingsOf(settings),
  };
}

/** What {@link MethodResult.settings} keeps of a run's settings. */
function settingsOf(settings: ReproductionSettings): MethodSettings {
  return { data: settings.data, dataset: settings.dataset.dataset, seed: settings.seed, epochs: settings.epochs, dim: settings.dim };
}

/** How a result's recorded settings differ from `settings` ("epochs 40 (this run: 100)"), or undefined when they do not. */
function settingsDifference(result: MethodResult, settings: ReproductionSettings): string | undefined {
  if (!result.settings) return 'settings not recorded (written before results kept them)';
  const now = settingsOf(settings);
  const keys = (Object.keys(now) as (keyof MethodSettings)[]).filter((key) => result.settings![key] !== now[key]);
  return keys.length ? keys.map((key) => `${key} ${String(result.settings![key])} (this run: ${String(now[key])})`).join(', ') : undefined;
}

/** What an error about a finished method that cannot be reused tells the user to do. */
const REUSE_REMEDY = 'write to another --out, or delete the file to train it again';

/**
 * Throws, naming the file and the first difference, when a finished method was trained
 * under other run settings than this run's: reusing it would put another run's numbers in
 * this run's report. A result written before settings were kept cannot be checked, so only
 * `--report-only` takes it.
 */
function requireSameSettings(recorded: MethodResult, settings: ReproductionSettings, file: string): void {
  if (!recorded.settings) {
    throw new Error(`${file}: written before results kept their run settings, so this run cannot tell whether it trained under the same ones; ${REUSE_REMEDY} (--report-only still reports it)`);
  }
  const now = settingsOf(settings);
  for (const key of Object.keys(now) as (keyof MethodSettings)[]) {
    if (recorded.settings[key] !== now[key]) {
      throw new Error(`${file}: trained with ${key} ${String(recorded.settings[key])}, but this run has ${key} ${String(now[key])}; ${REUSE_REMEDY}`);
    }
  }
}

/** A candidate's identity: its fields, sorted, without the recorded score. */
function candidateKey(candidate: TuningCandidate): string {
  const fields = candidateFields(candidate);
  return JSON.stringify(Object.keys(fields).sort().map((k) => [k, fields[k]]));
}

/** Whether two parsed configs are the same, field by field. */
function sameConfig(a: object, b: object): boolean {
  return firstDifference(a, b) === undefined;
}

/** The first field where two configs differ, as `field a vs b`. */
function firstDifference(a: object, b: object): string | undefined {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const key of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) {
    if (JSON.stringify(x[key]) !== JSON.stringify(y[key])) return `${key} ${JSON.stringify(x[key]) ?? '(unset)'} vs ${JSON.stringify(y[key]) ?? '(unset)'}`;
  }
  return undefined;
}

/**
 * How a run treats a finished method whose settings match: `'same'` when it would train
 * exactly what was recorded; the recorded candidates (by key) when its grid adds to the
 * recorded search; `'stale'` when a `tunedBy` method's source chose another config in this
 * run. Throws when the config or the grid differs in any other way.
 *
 * @param searched - the grid when it has several candidates, else empty.
 * @param config - the config this run trains when `searched` is empty.
 * @param configOf - a candidate's config.
 */
function reusePlan(
  recorded: MethodResult, file: string, method: ReproductionMethod, searched: readonly TuningCandidate[], config: object, configOf: (c: TuningCandidate) => object,
): 'same' | 'stale' | Map<string, TuningRecord> {
  const tried = recorded.tuning ?? [];
  if (searched.length === 0) {
    if (tried.length) throw new Error(`${file}: tuned over ${tried.length} candidates, but this run trains one config; ${REUSE_REMEDY}`);
    const difference = firstDifference(recorded.config, config);
    if (difference === undefined) return 'same';
    if (method.tunedBy !== undefined) return 'stale';
    throw new Error(`${file}: trained with another config (${difference}, recorded vs this run); ${REUSE_REMEDY}`);
  }
  if (tried.length === 0) throw new Error(`${file}: trained one config, but this run tunes over ${searched.length} candidates; ${REUSE_REMEDY}`);
  const asked = new Set(searched.map(candidateKey));
  const extra = tried.find((c) => !asked.has(candidateKey(c)));
  if (extra) throw new Error(`${file}: its search tried ${describeFields(candidateFields(extra))}, which this run's grid does not have; ${REUSE_REMEDY}`);
  const chosen = tried.find((c) => sameConfig(configOf(candidateFields(c)), recorded.config));
  if (!chosen) throw new Error(`${file}: its config is none of its recorded candidates' under this run's settings (the model's options changed?); ${REUSE_REMEDY}`);
  if (tried.length === searched.length) return 'same';
  return new Map(tried.map((c) => [candidateKey(c), c]));
}
