/**
 * `rec train <model> --data <dataset>`: trains any registered model on a split of a
 * dataset (a registry name or a dataset file) and saves it as a standalone folder.
 *
 * The split is `--split` (a published split or a protocol of `@rec/data`, see
 * `SPLIT_SPEC_FORMS`), else the dataset's default (`defaultSplitSpec`). A trained model
 * validates on the split's validation rows, or, when it has none, on one random target
 * row per user held out of the training rows (NMTR §IV-A3; `holdOutValidation`); the
 * test rows are never looked at (`rec eval` does that). Rules are fitted on the whole
 * training split. The registry says which side inputs a model needs: a dataset lacking
 * one is refused in one line, and the optional ones it will use are named.
 *
 * The configuration is the config file's fields, then `--set key=value` and `--epochs`
 * (the command line wins), then the `<model>` argument, validated by the model's own
 * schema (`parseModelConfig`). After every epoch a checkpoint goes to
 * `<out>/checkpoint` (per stage, `<out>/<stage>/checkpoint`), so running the same command
 * again resumes after the last finished epoch; `<out>/run.json` records the
 * configuration the checkpoint belongs to, and a resume with another one is refused.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { getBackend } from '@rec/core';
import { writeFileAtomic } from '@rec/core/node';
import { defaultSplitSpec, type Interactions, type ItemCategories, parseSplitSpec, resolveSplit } from '@rec/data';
import {
  type BatchProgress, checkNeeds, type EpochRecord, fileCheckpoints, getModel, holdOutValidation, interactionsHash, listModels, type ModelConfig,
  modelBehaviors, numberField, parseModelConfig, rawIdsOf, SIDE_INPUTS, saveTrainedModel, type TrainingData, trainingDataOf, trainModel,
} from '@rec/models/node';
import type { Command } from 'commander';
import YAML from 'yaml';
import { createProgress, type ProgressReporter } from '../progress.js';
import { categorySplitOf, parseCategorySplit } from './category-split.js';
import { type CommandContext, count, isDatasetFile, prepareOutputFolder, readJsonFile, seenItems, table, useBackend } from './context.js';

/** Options of `rec train`, as commander parses them. */
interface TrainOptions {
  data: string;
  split?: string;
  splitSeed?: string;
  config?: string;
  set: string[];
  epochs?: string;
  backend?: string;
  out?: string;
  fresh?: boolean;
  quiet?: boolean;
  json?: boolean;
}

/** The file that ties a checkpoint to the configuration it was trained with. */
const RUN_FILE = 'run.json';

/**
 * Registers `rec train` on `program`.
 * @example
 * ```ts
 * registerTrainCommand(program, { io, readDataset: (name) => readDataset(name) });
 * await program.parseAsync(['train', 'nmtr-gmf', '--data', 'tmall/mbcgcn', '--epochs', '1'], { from: 'user' });
 * ```
 */
export function registerTrainCommand(program: Command, context: CommandContext): void {
  program
    .command('train')
    .description('train a registered model on a split of a dataset (validation rows held out for early stopping) and save it')
    .argument('<model>', 'a registered model (rec models lists them)')
    .requiredOption('--data <dataset>', 'a registered dataset (e.g. tmall/mbcgcn, ml-100k) or a dataset file (.yaml, .json)')
    .option('--split <spec>', "a published split (default, u1, …) or a protocol (leave-last-out, leave-one-out, random:0.8,0.1,0.1, kfold:1/5, temporal:…, rnr, nmtr; ccrec[:<YYYY-MM-DD>][:tree-level=<n>] for category models); default: the dataset's (ccrec for category models)")
    .option('--split-seed <n>', 'seed of a seeded split protocol (default 0)')
    .option('--config <file>', 'training configuration fields, YAML (.yaml, .yml) or JSON (.json)')
    .option('--set <key=value>', 'one configuration field, value read as YAML (repeatable; wins over --config)', (v: string, all: string[]) => [...all, v], [])
    .option('--epochs <n>', 'maximum epochs (as --set epochs=n)')
    .option('--backend <name>', 'js, native or webgpu (default: REC_BACKEND, else the fastest that loads)')
    .option('--out <dir>', 'model folder (default: runs/<dataset, / as _>/<model>)')
    .option('--fresh', 'delete a checkpoint left in the model folder instead of resuming from it')
    .option('--quiet', 'no progress bar and no per-epoch lines')
    .option('--json', 'print one JSON object (configuration, history, paths) on stdout')
    .action((model: string, opts: TrainOptions) => train(context, model, opts));
}

/** Reads a config file's fields: a YAML or JSON mapping. */
async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`--config: cannot read ${path}: ${(err as Error).message}`);
  }
  let value: unknown;
  const ext = extname(path).toLowerCase();
  try {
    value = ext === '.json' ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    throw new Error(`--config: ${path} is not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`--config: ${path} must hold a mapping of configuration fields (model, dim, epochs, …), got ${Array.isArray(value) ? 'a list' : typeof value}`);
  }
  return value as Record<string, unknown>;
}

/** `--set key=value` pairs as fields; values are YAML scalars or flow collections (`0.05`, `adam`, `[view, buy]`). */
function parseSets(sets: readonly string[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const set of sets) {
    const eq = set.indexOf('=');
    if (eq <= 0) throw new Error(`--set expects key=value (e.g. --set learningRate=0.05), got '${set}'`);
    const text = set.slice(eq + 1);
    let value: unknown;
    try {
      value = YAML.parse(text);
    } catch {
      value = text;
    }
    fields[set.slice(0, eq).trim()] = value;
  }
  return fields;
}

/** The configuration of a run: file fields, then command-line fields, then the model argument; validated. */
async function resolveConfig(model: string, opts: TrainOptions): Promise<ModelConfig> {
  const fromFile = opts.config ? await readConfigFile(opts.config) : {};
  const fromLine = parseSets(opts.set);
  if (opts.epochs !== undefined) fromLine.epochs = YAML.parse(opts.epochs) as unknown;
  const sources = [...(opts.config ? [opts.config] : []), ...(Object.keys(fromLine).length ? ['command line'] : [])];
  return parseModelConfig({ ...fromFile, ...fromLine, model }, sources.length ? `config (${sources.join(' + ')})` : 'config');
}

/** Fields that may change between a checkpoint and its resume: more epochs, more patience. */
const RESUMABLE_CHANGES = new Set(['epochs', 'patience']);

/**
 * Makes sure a checkpoint left in `out` belongs to this configuration (or removes it
 * with `fresh`), then records this run's configuration. Returns the epochs already done
 * when resuming, 0 when starting fresh.
 */
async function prepareCheckpoint(out: string, dataset: string, config: ModelConfig, behaviors: readonly string[], fresh: boolean): Promise<number> {
  const checkpointDirs = [join(out, 'checkpoint'), ...behaviors.map((b) => join(out, b, 'checkpoint'))];
  const runFile = join(out, RUN_FILE);
  if (fresh) {
    await Promise.all([...checkpointDirs, runFile].map((path) => rm(path, { recursive: true, force: true })));
  }
  const present = checkpointDirs.filter((dir) => existsSync(join(dir, 'config.json')));
  if (present.length > 0 && existsSync(runFile)) {
    const previous = await readJsonFile(runFile, 'the configuration of the checkpoint beside it') as { dataset: string; config: Record<string, unknown> };
    if (typeof previous !== 'object' || previous === null || typeof previous.config !== 'object' || previous.config === null) {
      throw new Error(`${runFile} is not a run record of rec train (expected { dataset, config }); pass --fresh to start over`);
    }
    const changed = Object.keys({ ...previous.config, ...config }).filter(
      (key) => !RESUMABLE_CHANGES.has(key) && JSON.stringify(previous.config[key]) !== JSON.stringify((config as Record<string, unknown>)[key]),
    );
    if (previous.dataset !== dataset) changed.unshift('dataset');
    if (changed.length > 0) {
      const describe = (key: string): string =>
        key === 'dataset'
          ? `dataset ${previous.dataset} there, ${dataset} now`
          : `${key} ${JSON.stringify(previous.config[key])} there, ${JSON.stringify((config as Record<string, unknown>)[key])} now`;
      throw new Error(
        `${out} holds a checkpoint of another configuration (${changed.map(describe).join('; ')}); ` +
          'run with that configuration to resume it, pass --fresh to start over, or choose another --out',
      );
    }
  }
  await mkdir(out, { recursive: true });
  await writeFileAtomic(join(out, RUN_FILE), `${JSON.stringify({ dataset, config }, null, 2)}\n`);
  if (present.length === 0) return 0;
  const state = await readJsonFile(join(present[present.length - 1], 'config.json'), 'a training checkpoint') as { nextEpoch?: number } | null;
  return state?.nextEpoch ?? 0;
}

const seconds = (s: number): string => `${s.toFixed(1)} s`;

/** A positive integer option, or an error naming it. */
function wholeNumber(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new Error(`${flag}: expected a non-negative integer, got '${text}'`);
  return Number(text);
}

async function train(context: CommandContext, modelName: string, opts: TrainOptions): Promise<void> {
  const { io } = context;
  const quiet = Boolean(opts.quiet);
  const config = await resolveConfig(modelName, opts);
  const definition = getModel(config.model);
  const model = config.model;
  const out = opts.out ?? join('runs', basename(opts.data).replace(/\.(ya?ml|json)$/, '').replaceAll('/', '_'), model);
  /** Per-epoch lines: stdout normally, stderr when stdout carries the JSON. */
  const say = (line: string): void => (quiet ? undefined : opts.json ? io.err(`${line}\n`) : io.out(`${line}\n`));
  const splitSeed = wholeNumber('--split-seed', opts.splitSeed) ?? 0;
  // Before any long work: a folder that cannot be written is found now, not after training.
  await prepareOutputFolder(out, '--out');
  const backend = await useBackend(io, opts.backend, quiet);
  // The model is a function of the seed, the data and this count (unless hogwild is on).
  const threads = getBackend(backend).threads?.() ?? 1;
  const onBackend = `backend ${backend}${threads > 1 ? `, ${threads} threads` : ''}`;
  const dataset = await context.readDataset(opts.data);
  const category = definition.needs?.categoryEvents === 'required';
  const spec = opts.split ?? (category ? 'ccrec' : defaultSplitSpec(dataset));
  if (!category && parseCategorySplit(spec)) throw new Error(`--split: ${model} predicts ${definition.outputs.join(' and ')}; the category split '${spec}' is for models that recommend categories`);
  const kind = category ? 'category' : parseSplitSpec(spec).kind;
  if (opts.splitSeed !== undefined && (kind === 'published' || kind === 'temporal')) {
    throw new Error(`--split-seed: the split '${spec}' ${kind === 'published' ? 'is published' : 'is a time cutoff'} and draws nothing at random; leave --split-seed out`);
  }
  const t0 = performance.now();
  const isRule = Boolean(definition.rule);
  // What the model trains on: a category model the category task of CCRec's split
  // (validated on its validation users' future categories), any other the split's rows.
  let splitSpec: string;
  let splitDescription: string;
  let splitTrain: Interactions;
  let fitRows: Interactions;
  /** What validates, for the progress line, and for the saved model's description. */
  let validation: string;
  let validatedOn: string;
  /** Rows (item models) or users (category models) that validate. */
  let validationSize: number;
  let data: TrainingData;
  let seen: Interactions | undefined;
  /** A category model's categories (the split's: the dataset's item categories or a level of its tree). */
  let categories: ItemCategories | undefined;
  /** Rows held out of the training rows for early stopping (a split without validation rows), or 0. */
  let heldOutRows = 0;
  if (category) {
    const categorySplit = categorySplitOf(dataset, spec, splitSeed);
    ({ spec: splitSpec, description: splitDescription, data, itemCategories: categories } = categorySplit);
    splitTrain = fitRows = data.train;
    validationSize = categorySplit.fold.validate.length;
    validation = validatedOn = `the future categories of ${count(validationSize)} validation users`;
  } else {
    const split = resolveSplit(dataset, spec, { seed: splitSeed, ...(typeof config.target === 'string' && dataset.interactions.behaviorNames?.includes(config.target) ? { target: config.target } : {}) });
    ({ spec: splitSpec, description: splitDescription, train: splitTrain } = split);
    const heldOut = isRule ? undefined : split.valid ? { fit: split.train, valid: split.valid } : holdOutValidation(split.train, config);
    fitRows = heldOut?.fit ?? split.train;
    const valid = heldOut?.valid;
    data = trainingDataOf(dataset, fitRows, valid);
    validationSize = valid?.length ?? 0;
    validation = `${count(validationSize)} held-out rows`;
    validatedOn = `the split's ${count(valid?.length ?? 0)} validation rows`;
    if (!split.valid) heldOutRows = valid?.length ?? 0;
    seen = split.train;
  }

  // Checked on the whole training split first: one line naming a missing input or behaviour.
  const uses = checkNeeds(model, definition.needs ?? {}, category ? data : trainingDataOf(dataset, splitTrain), dataset.name);
  const behaviors = modelBehaviors(config, splitTrain);
  const target = behaviors[behaviors.length - 1];
  const trainedOn = isRule
    ? `${dataset.name}, ${splitDescription}: all training rows (a rule has no epochs to stop early)`
    : heldOutRows === 0
      ? `${dataset.name}, ${splitDescription}: the training rows, validated on ${validatedOn}`
      : `${dataset.name}, ${splitDescription}: training rows minus one random '${target}' row per user ` +
        `(${count(heldOutRows)} rows, seed ${numberField(config, 'seed', 0)}), held out for early stopping`;
  const resumedAfter = isRule ? 0 : await prepareCheckpoint(out, dataset.name, config, behaviors, Boolean(opts.fresh));
  if (resumedAfter > 0) say(`resuming from the checkpoint in ${out} (${resumedAfter} epoch${resumedAfter === 1 ? '' : 's'} done)`);
  say(`split: ${splitDescription}`);
  if (config.hogwild === true) say('hogwild: on — threads update rows without ordering; faster, but the same seed no longer gives the same model');
  if (uses.length > 0) say(`side inputs used: ${uses.map((u) => SIDE_INPUTS[u]).join(', ')}`);
  if (!isRule) {
    say(
      `${model} on ${dataset.name} (${onBackend}): ${count(fitRows.length)} training rows of ${behaviors.join(', ')}, ` +
        `validation on ${validation}`,
    );
  }

  // One progress bar per epoch (stages of a multi-stage fit differ in batches per epoch).
  let progress: { key: string; reporter: ProgressReporter } | undefined;
  let best = -Infinity;
  const epochsOf = numberField(config, 'epochs', 1);
  // A behaviour's stage of sequential NMTR gets its share of the epochs; a stage that is
  // not a behaviour (CCRec's vae, mle, cascade) has its own count, which is not shown.
  const phaseEpochs = (phase: string | undefined): number | undefined =>
    phase === undefined || phase === target ? epochsOf : behaviors.includes(phase) ? Math.ceil(epochsOf / behaviors.length) : undefined;
  const label = (record: { epoch: number; phase?: string }): string => {
    const total = phaseEpochs(record.phase);
    return `${record.phase ? `${record.phase} ` : ''}epoch ${record.epoch + 1}${total === undefined ? '' : `/${total}`}`;
  };
  const onBatch = (p: BatchProgress & { phase?: string }): void => {
    if (quiet) return;
    const key = label(p);
    if (progress?.key !== key) {
      progress?.reporter.stop();
      progress = { key, reporter: createProgress({ enabled: io.errIsTTY, log: (line) => io.err(`${line}\n`) }) };
    }
    progress.reporter.update(key, p.batch, p.batches, { loss: p.loss.toFixed(4), rate: `${count(Math.round(p.examplesPerSecond))} rows/s` });
  };
  let metric = 'validation';
  const onEpoch = (record: EpochRecord & { phase?: string; metric?: string }): void => {
    progress?.reporter.stop();
    progress = undefined;
    const parts = [`loss ${record.loss.toFixed(4)}`];
    if (record.validation !== undefined) {
      metric = record.metric ?? metric;
      const isBest = record.validation > best;
      best = Math.max(best, record.validation);
      parts.push(`${metric} ${record.validation.toFixed(4)}${isBest ? ' (best)' : ''}`);
    }
    parts.push(seconds(record.seconds));
    say(`${label(record)}: ${parts.join(', ')}`);
  };

  const trained = await trainModel(config, data, isRule ? { dataName: dataset.name } : { checkpoints: fileCheckpoints(out), onBatch, onEpoch, dataName: dataset.name });
  const identity = {
    name: dataset.name, ...(isDatasetFile(opts.data) ? { source: resolve(opts.data) } : {}), split: splitSpec, splitSeed, description: trainedOn, hash: interactionsHash(fitRows), splitHash: interactionsHash(splitTrain),
  };
  const ids = rawIdsOf(categories ? { userIds: dataset.userIds, itemIds: dataset.itemIds, itemCategories: categories, ...(dataset.itemNames ? { itemNames: dataset.itemNames } : {}) } : dataset);
  const files = await saveTrainedModel(out, trained, { ids, ...(seen ? { seen: seenItems(seen, target) } : {}), data: identity });
  const elapsed = (performance.now() - t0) / 1000;
  const history = trained.history;

  if (opts.json) {
    io.out(
      `${JSON.stringify({
        model, dataset: dataset.name, split: splitSpec, backend, threads, out, files,
        checkpoint: isRule ? null : join(out, 'checkpoint'),
        config, behaviors, uses, trainedOn,
        validation: isRule ? null : { metric, heldOut: validationSize },
        history: history ?? null,
        ...(trained.phases ? { phases: trained.phases } : {}),
        seconds: elapsed,
      })}\n`,
    );
    return;
  }
  if (!history) {
    io.out(`${model} on ${dataset.name}: fitted in ${seconds(elapsed)} (a rule: nothing to train); ${trainedOn}\n`);
  } else {
    const n = history.epochs.length;
    const bestPart = history.bestValidation !== undefined
      ? `best epoch ${history.bestEpoch + 1}, validation ${metric} ${history.bestValidation.toFixed(4)}`
      : `last epoch ${history.bestEpoch + 1}`;
    const how = history.stoppedEarly ? '; stopped early' : '';
    const resumed = history.resumedFrom > 0 ? ` (resumed after epoch ${history.resumedFrom})` : '';
    io.out(`${model} on ${dataset.name}: ${n} epoch${n === 1 ? '' : 's'}${resumed} in ${seconds(elapsed)} (${onBackend}); ${bestPart}${how}\n`);
  }
  io.out(`saved ${out} (${files.map((f) => basename(f)).join(', ')}); evaluate with: rec eval ${out}\n`);
}

/**
 * Registers `rec models`: every registered model with its paper, needs and outputs.
 * @example
 * ```ts
 * registerModelsCommand(program, context);
 * await program.parseAsync(['models'], { from: 'user' });
 * ```
 */
export function registerModelsCommand(program: Command, context: CommandContext): void {
  program
    .command('models')
    .description('list every registered model: its paper and section, the side inputs it needs or uses, and what it predicts')
    .option('--json', 'print one JSON array on stdout')
    .action((opts: { json?: boolean }) => {
      const rows = listModels().map((m) => {
        return { name: m.name, aliases: m.aliases ?? [], title: m.title, family: m.family ?? '', paper: m.paper, summary: m.summary, needs: m.needs ?? {}, outputs: m.outputs, rule: Boolean(m.rule) };
      });
      if (opts.json) {
        context.io.out(`${JSON.stringify(rows)}\n`);
        return;
      }
      // One block per family, two lines per model: what it is, then its paper, needs and outputs.
      const families = [...new Set(rows.map((r) => r.family || 'Other'))];
      const width = Math.max(...rows.map((r) => r.name.length));
      const blocks = families.map((family) => {
        const lines = [family];
        for (const r of rows.filter((x) => (x.family || 'Other') === family)) {
          const needs = Object.entries(r.needs).map(([input, need]) => `${SIDE_INPUTS[input as keyof typeof SIDE_INPUTS]}${need === 'optional' ? ' (optional)' : ''}`);
          lines.push(`  ${r.name.padEnd(width)}  ${r.title}: ${r.summary}${r.aliases.length ? ` (also: ${r.aliases.join(', ')})` : ''}`);
          lines.push(`  ${' '.repeat(width)}  ${r.paper.cite}, ${r.paper.section}; needs ${needs.join(', ') || 'interactions only'}; predicts ${r.outputs.join(', ')}`);
        }
        return lines.join('\n');
      });
      context.io.out(`${blocks.join('\n\n')}\n`);
    });
}
