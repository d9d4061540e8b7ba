/**
 * `rec train <model> --data <dataset>`: trains a model of the zoo on a dataset's published
 * default split and saves it.
 *
 * NMTR §IV-A3's protocol: one random training purchase per user is held out
 * (`multiBehaviorLeaveOneOut`, mode `random`, the config's seed) and the model trains on
 * the rest, with HR@K on the held-out purchases for early stopping; the published test
 * purchases are never looked at (`rec eval` does that). The untrained rules
 * (`most-popular`, `weaker-behavior`) have nothing to stop early and are fitted on the
 * whole training split.
 *
 * The configuration is the config file's fields, then `--set key=value` and `--epochs`
 * (the command line wins), then the `<model>` argument, validated by `parseTrainConfig`.
 * After every epoch a checkpoint goes to `<out>/checkpoint` (per phase,
 * `<out>/<behaviour>/checkpoint`, for `seq-nmtr-*`), so running the same command again
 * resumes after the last finished epoch; `<out>/run.json` records the configuration the
 * checkpoint belongs to, and a resume with another configuration is refused.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { type Interactions, leaveLastOut, multiBehaviorLeaveOneOut } from '@rec/data';
import {
  type BatchProgress, type EpochRecord, MODEL_NAMES, modelBehaviors, parseTrainConfig, saveTrainedModel, type TrainConfig, trainModel,
} from '@rec/models';
import type { Command } from 'commander';
import YAML from 'yaml';
import { createProgress, type ProgressReporter } from '../progress.js';
import { type CommandContext, count, defaultSplit, useBackend } from './context.js';

/** Options of `rec train`, as commander parses them. */
interface TrainOptions {
  data: string;
  config?: string;
  set: string[];
  epochs?: string;
  backend?: string;
  out?: string;
  fresh?: boolean;
  quiet?: boolean;
  json?: boolean;
}

/** Models fitted by a rule rather than trained (no epochs, no validation). */
const RULES: readonly string[] = ['most-popular', 'weaker-behavior'];

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
    .description("train a model on a dataset's default split (one random purchase per user held out for early stopping) and save it")
    .argument('<model>', `the model: ${MODEL_NAMES.join(', ')}`)
    .requiredOption('--data <dataset>', 'registry name of a dataset with a default split, e.g. tmall/mbcgcn')
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
async function resolveConfig(model: string, opts: TrainOptions): Promise<TrainConfig> {
  const fromFile = opts.config ? await readConfigFile(opts.config) : {};
  const fromLine = parseSets(opts.set);
  if (opts.epochs !== undefined) fromLine.epochs = YAML.parse(opts.epochs) as unknown;
  const sources = [...(opts.config ? [opts.config] : []), ...(Object.keys(fromLine).length ? ['command line'] : [])];
  return parseTrainConfig({ ...fromFile, ...fromLine, model }, sources.length ? `config (${sources.join(' + ')})` : 'config');
}

/** Fields that may change between a checkpoint and its resume: more epochs, more patience. */
const RESUMABLE_CHANGES = new Set(['epochs', 'patience']);

/**
 * Makes sure a checkpoint left in `out` belongs to this configuration (or removes it
 * with `fresh`), then records this run's configuration. Returns the epochs already done
 * when resuming, 0 when starting fresh.
 */
async function prepareCheckpoint(out: string, dataset: string, config: TrainConfig, behaviors: readonly string[], fresh: boolean): Promise<number> {
  const checkpointDirs = [join(out, 'checkpoint'), ...behaviors.map((b) => join(out, b, 'checkpoint'))];
  const runFile = join(out, RUN_FILE);
  if (fresh) {
    await Promise.all([...checkpointDirs, runFile].map((path) => rm(path, { recursive: true, force: true })));
  }
  const present = checkpointDirs.filter((dir) => existsSync(join(dir, 'config.json')));
  if (present.length > 0 && existsSync(runFile)) {
    const previous = JSON.parse(await readFile(runFile, 'utf8')) as { dataset: string; config: Record<string, unknown> };
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
  await writeFile(join(out, RUN_FILE), `${JSON.stringify({ dataset, config }, null, 2)}\n`);
  if (present.length === 0) return 0;
  const state = JSON.parse(await readFile(join(present[present.length - 1], 'config.json'), 'utf8')) as { nextEpoch?: number };
  return state.nextEpoch ?? 0;
}

/** The validation part: one random target row per user held out of the training split. */
function holdOutValidation(train: Interactions, config: TrainConfig): { fitTrain: Interactions; valid: Interactions } {
  const split = train.behaviorNames
    ? multiBehaviorLeaveOneOut(train, { targetBehavior: config.target, mode: 'random', seed: config.seed })
    : leaveLastOut(train, { mode: 'random', seed: config.seed });
  return { fitTrain: split.train, valid: split.test };
}

const seconds = (s: number): string => `${s.toFixed(1)} s`;

async function train(context: CommandContext, modelName: string, opts: TrainOptions): Promise<void> {
  const { io } = context;
  const quiet = Boolean(opts.quiet);
  const config = await resolveConfig(modelName, opts);
  const model = config.model;
  const out = opts.out ?? join('runs', opts.data.replaceAll('/', '_'), model);
  /** Per-epoch lines: stdout normally, stderr when stdout carries the JSON. */
  const say = (line: string): void => (quiet ? undefined : opts.json ? io.err(`${line}\n`) : io.out(`${line}\n`));
  const backend = await useBackend(io, opts.backend, quiet);
  const dataset = await context.readDataset(opts.data);
  const split = defaultSplit(dataset);
  const t0 = performance.now();

  const isRule = RULES.includes(model);
  // Checked on the whole split first: it names the config field when the data lacks a behaviour.
  const behaviors = modelBehaviors(config, split.train);
  const { fitTrain, valid } = isRule ? { fitTrain: split.train, valid: undefined } : holdOutValidation(split.train, config);
  const target = behaviors[behaviors.length - 1];
  const trainedOn = isRule
    ? `${dataset.name} default split: all training rows (a rule has no epochs to stop early)`
    : `${dataset.name} default split: training rows minus one random '${target}' row per user ` +
      `(${count(valid!.length)} rows, seed ${config.seed}), held out for early stopping on HR@${config.validationK}`;
  const resumedAfter = isRule ? 0 : await prepareCheckpoint(out, dataset.name, config, behaviors, Boolean(opts.fresh));
  if (resumedAfter > 0) say(`resuming from the checkpoint in ${out} (${resumedAfter} epoch${resumedAfter === 1 ? '' : 's'} done)`);
  if (!isRule) {
    say(
      `${model} on ${dataset.name} (backend ${backend}): ${count(fitTrain.length)} training rows of ${behaviors.join(', ')}, ` +
        `validation HR@${config.validationK} on ${count(Math.min(valid!.length, config.validationUsers))} held-out '${target}' rows`,
    );
  }

  // One progress bar per epoch (seq-nmtr phases differ in batches per epoch).
  let progress: { key: string; reporter: ProgressReporter } | undefined;
  let best = -Infinity;
  const phaseEpochs = (phase: string | undefined): number =>
    phase === undefined || phase === target ? config.epochs : Math.ceil(config.epochs / behaviors.length);
  const label = (record: { epoch: number; phase?: string }): string =>
    `${record.phase && model.startsWith('seq-') ? `${record.phase} ` : ''}epoch ${record.epoch + 1}/${phaseEpochs(record.phase)}`;
  const onBatch = (p: BatchProgress & { phase?: string }): void => {
    if (quiet) return;
    const key = label(p);
    if (progress?.key !== key) {
      progress?.reporter.stop();
      progress = { key, reporter: createProgress({ enabled: io.errIsTTY, log: (line) => io.err(`${line}\n`) }) };
    }
    progress.reporter.update(key, p.batch, p.batches, { loss: p.loss.toFixed(4), rate: `${count(Math.round(p.examplesPerSecond))} rows/s` });
  };
  const onEpoch = (record: EpochRecord & { phase?: string }): void => {
    progress?.reporter.stop();
    progress = undefined;
    const parts = [`loss ${record.loss.toFixed(4)}`];
    if (record.validation !== undefined) {
      const isBest = record.validation > best;
      best = Math.max(best, record.validation);
      parts.push(`HR@${config.validationK} ${record.validation.toFixed(4)}${isBest ? ' (best)' : ''}`);
    }
    parts.push(seconds(record.seconds));
    say(`${label(record)}: ${parts.join(', ')}`);
  };

  const trained = await trainModel(config, fitTrain, isRule ? {} : { valid, checkpointDir: out, onBatch, onEpoch });
  const files = await saveTrainedModel(out, trained, { dataset: dataset.name, trainedOn });
  const elapsed = (performance.now() - t0) / 1000;
  const history = trained.history;

  if (opts.json) {
    io.out(
      `${JSON.stringify({
        model, dataset: dataset.name, backend, out, files,
        checkpoint: isRule ? null : join(out, 'checkpoint'),
        config, behaviors, trainedOn,
        validation: isRule ? null : { metric: `HR@${config.validationK}`, heldOut: valid!.length, users: Math.min(valid!.length, config.validationUsers) },
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
      ? `best epoch ${history.bestEpoch + 1}, validation HR@${config.validationK} ${history.bestValidation.toFixed(4)}`
      : `last epoch ${history.bestEpoch + 1}`;
    const how = history.stoppedEarly ? '; stopped early' : '';
    const resumed = history.resumedFrom > 0 ? ` (resumed after epoch ${history.resumedFrom})` : '';
    io.out(`${model} on ${dataset.name}: ${n} epoch${n === 1 ? '' : 's'}${resumed} in ${seconds(elapsed)} (backend ${backend}); ${bestPart}${how}\n`);
  }
  io.out(`saved ${out} (${files.map((f) => basename(f)).join(', ')}); evaluate with: rec eval ${out}\n`);
}
