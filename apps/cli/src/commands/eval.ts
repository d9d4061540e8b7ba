/**
 * `rec eval <modelDir>`: evaluates a saved model on the test rows of the split it was
 * trained under (its `config.json` records the dataset, split spec and seed), or of the
 * `--data` / `--split` asked, and says which in every report.
 *
 * By the model's outputs: `items` — full ranking of every test user's held-out target
 * rows against the whole catalogue, with only the user's training rows of the target
 * behaviour removed (on Tmall, Beibei and Taobao most test purchases were viewed or
 * carted in training, so removing every training item would remove the answer), HR and
 * NDCG at each K (default 50, 80, 100, 200, NMTR §IV-B); `ratings` — RMSE and MAE of the
 * predicted ratings of the test rows. A model whose scores are a dot product
 * (`dotProductFactors`) is ranked by the `rank_topk` kernel, others by their `scoreUsers`.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFilesAtomic } from '@rec/core/node';
import { type Dataset, resolveSplit, UserItemCSR } from '@rec/data';
import { createReport, type EvaluationReport, evaluateCategoryRanking, evaluateFullRanking, evaluateSampledRanking, mae, renderHtml, renderMarkdown, reportToJSON, rmse, rowFromResult, type TrainingCurve } from '@rec/eval';
import { rankingOf } from '@rec/models';
import { interactionsHash, loadTrainedModel, readSavedModelConfig, type TrainingHistory } from '@rec/models/node';
import type { Command } from 'commander';
import { createProgress } from '../progress.js';
import { categorySplitOf, parseCategorySplit } from './category-split.js';
import { type CommandContext, count, parseCutoffs, prepareOutputFolder, seenItems, table, targetRows, useBackend } from './context.js';

/** Options of `rec eval`, as commander parses them. */
interface EvalOptions {
  data?: string;
  split?: string;
  protocol: string;
  k: string;
  out?: string;
  backend?: string;
  json?: boolean;
}

/** Item-ranking protocols `rec eval --protocol` takes (ratings are scored by RMSE and MAE). */
const PROTOCOLS = ['full', 'sampled', 'sampled:<n>'] as const;

/** An item-ranking protocol: full ranking, or each test item against sampled or published negatives. */
type RankingProtocol = { kind: 'full' } | { kind: 'sampled'; negatives?: number };

/**
 * `full`, `sampled` (the split's published negatives, e.g. NCF's 99 for ml-1m-ncf where its files are complete, else
 * 99 seeded ones) or `sampled:<n>` (n seeded negatives per test item, excluding the
 * user's training items).
 */
function parseProtocol(text: string): RankingProtocol {
  if (text === 'full') return { kind: 'full' };
  if (text === 'sampled') return { kind: 'sampled' };
  const m = /^sampled:(\d+)$/.exec(text);
  if (m && Number(m[1]) >= 1) return { kind: 'sampled', negatives: Number(m[1]) };
  throw new Error(`--protocol: expected one of ${PROTOCOLS.join(', ')}, got '${text}'`);
}

/** Seed of the sampled negatives, so two models evaluated apart see the same candidates. */
const EVAL_NEGATIVES_SEED = 2024;

/**
 * The published negatives of each test row (`testNegatives`, aligned to the split's test
 * rows) reordered user-major, items ascending, as `evaluateSampledRanking` reads fixed
 * candidates.
 */
function fixedNegatives(test: { users: Int32Array; items: Int32Array; length: number }, negatives: { perRow: number; items: Int32Array }): Int32Array[] {
  const order = Array.from({ length: test.length }, (_, r) => r).sort((a, b) => test.users[a] - test.users[b] || test.items[a] - test.items[b]);
  return order.map((r) => negatives.items.subarray(r * negatives.perRow, (r + 1) * negatives.perRow));
}

/** NMTR §IV-B's cut-offs. */
const DEFAULT_KS = '50,80,100,200';

/**
 * Registers `rec eval` on `program`.
 * @example
 * ```ts
 * registerEvalCommand(program, { io, readDataset: (name) => readDataset(name) });
 * await program.parseAsync(['eval', 'runs/tmall_mbcgcn/nmtr-gmf', '-k', '50,100'], { from: 'user' });
 * ```
 */
export function registerEvalCommand(program: Command, context: CommandContext): void {
  program
    .command('eval')
    .description('evaluate a saved model on the test rows of the split it was trained under (or the one asked)')
    .argument('<modelDir>', 'a model folder written by rec train')
    .option('--data <dataset>', "the dataset, a registry name or a dataset file (default: the one in the model's config.json)")
    .option('--split <spec>', "the split whose test rows to use (default: the one the model was trained under)")
    .option('--protocol <name>', 'item ranking: full (every item), sampled (the split\'s published negatives, else 99 sampled) or sampled:<n>', 'full')
    .option('-k, --k <list>', 'cut-offs, comma-separated', DEFAULT_KS)
    .option('--out <dir>', 'also write report.json, report.md and report.html there')
    .option('--backend <name>', 'js, native or webgpu (default: REC_BACKEND, else the fastest that loads)')
    .option('--json', 'print one JSON object (metrics, paths) on stdout')
    .action((modelDir: string, opts: EvalOptions) => evaluate(context, modelDir, opts));
}

/** Training curves of a history: the validation score and the loss per epoch. */
function curvesOf(method: string, history: TrainingHistory | undefined): TrainingCurve[] {
  if (!history || history.epochs.length === 0) return [];
  const x = history.epochs.map((e) => e.epoch + 1);
  const curves: TrainingCurve[] = [{ method, metric: 'training loss', x, y: history.epochs.map((e) => e.loss) }];
  const validated = history.epochs.filter((e) => e.validation !== undefined);
  if (validated.length > 0) {
    curves.push({ method, metric: `validation ${history.metric ?? ''}`.trimEnd(), x: validated.map((e) => e.epoch + 1), y: validated.map((e) => e.validation!) });
  }
  return curves;
}

async function evaluate(context: CommandContext, modelDir: string, opts: EvalOptions): Promise<void> {
  const { io } = context;
  const rankingProtocol = parseProtocol(opts.protocol);
  const asked = parseCutoffs(opts.k, '-k');
  const saved = await readSavedModelConfig(modelDir);
  const trainedOn = saved.data;
  // Data read from a file is read from that file again; registered data by its name.
  const name = opts.data ?? trainedOn?.source ?? trainedOn?.name;
  if (!name) throw new Error(`${join(modelDir, 'config.json')} names no dataset; pass --data <dataset>`);
  const backend = await useBackend(io, opts.backend, Boolean(opts.json));
  const dataset = await context.readDataset(name);
  const spec = opts.split ?? trainedOn?.split;
  if (!spec) throw new Error(`${join(modelDir, 'config.json')} names no split; pass --split <spec>`);
  if (parseCategorySplit(spec)) return evaluateCategories(context, modelDir, opts, { dataset, spec, seed: trainedOn?.splitSeed ?? 0, backend });
  const split = resolveSplit(dataset, spec, { seed: trainedOn?.splitSeed ?? 0 });
  const { train, test } = split;
  const { numUsers, numItems } = saved.shape;
  if (numUsers !== train.numUsers || numItems !== train.numItems) {
    throw new Error(
      `the model in ${modelDir} has ${count(numUsers)} users × ${count(numItems)} items but ${dataset.name} has ` +
        `${count(train.numUsers)} × ${count(train.numItems)}${trainedOn ? ` (the model was trained on ${trainedOn.name})` : ''}`,
    );
  }
  const sameSplit = trainedOn !== undefined && trainedOn.name === dataset.name && trainedOn.split === split.spec;
  const warnings: string[] = [];
  if (sameSplit && trainedOn.splitHash !== undefined && trainedOn.splitHash !== interactionsHash(train)) {
    warnings.push(`the training rows of ${dataset.name} ${split.spec} differ from those the model was trained on (content hash ${trainedOn.splitHash}): the data changed since`);
  } else if (trainedOn && !sameSplit) {
    warnings.push(`the model was trained on ${trainedOn.name} ${trainedOn.split}; evaluated here on ${dataset.name} ${split.spec}, whose test rows it may have trained on`);
  }
  for (const line of warnings) io.err(`warning: ${line}\n`);
  // The default cut-offs (NMTR's) are cut to the catalogue; cut-offs a person asked for are not.
  const explicit = opts.k !== DEFAULT_KS;
  const tooDeep = asked.find((k) => k > numItems);
  if (explicit && tooDeep !== undefined) throw new Error(`-k: ${tooDeep} is more than the ${count(numItems)} items the model ranks`);
  const ks = explicit ? asked : asked.filter((k) => k <= numItems).concat(asked.some((k) => k > numItems) && !asked.includes(numItems) ? [numItems] : []);
  if (opts.out) await prepareOutputFolder(opts.out, '--out');
  const loaded = await loadTrainedModel(modelDir);
  const { trained } = loaded;
  const target = trained.behaviors[trained.behaviors.length - 1];
  const testRows = targetRows(test, target);
  const splitText = `${dataset.name}, ${split.description}`;

  const t0 = performance.now();
  // A model is scored on each output it declares that rec eval has a protocol for: item
  // ranking (HR, NDCG) and rating prediction (RMSE, MAE); RnR, say, gets both.
  const scored = loaded.outputs.filter((o) => o === 'items' || o === 'ratings');
  if (scored.length === 0) {
    throw new Error(`${trained.name} predicts ${loaded.outputs.join(' and ')}; rec eval scores item rankings and ratings, and categories under the category split (--split ccrec, which rec train gives category models)`);
  }
  const metrics: Record<string, number> = {};
  const protocols: string[] = [];
  let numUsersEvaluated = 0;
  let ranking: { metrics: Readonly<Record<string, number>>; numUsers: number } | undefined;
  if (scored.includes('items')) {
    const progress = createProgress({ enabled: io.errIsTTY && !opts.json, log: () => undefined });
    const onProgress = (done: number, total: number): void => progress.update('ranking', done, total, { loss: '-', rate: `${count(done)} users` });
    const testItems = UserItemCSR.fromInteractions(testRows);
    const trainMask = seenItems(train, target);
    const masked = target === 'all' ? 'training items' : `training '${target}' items`;
    if (rankingProtocol.kind === 'full') {
      ranking = await evaluateFullRanking({
        numItems, testItems, trainMask, ...rankingOf(trained.model, trainMask), ks, metrics: ['HR', 'NDCG'], onProgress,
      });
      protocols.push(
        `full ranking over all ${count(numItems)} items, each user's ${masked} masked` +
          `${target === 'all' ? '' : ' (items only viewed or carted stay candidates)'}; ${count(ranking.numUsers)} test users, their held-out ${target === 'all' ? '' : `'${target}' `}items`,
      );
    } else {
      const published = rankingProtocol.negatives === undefined ? split.testNegatives : undefined;
      if (published && testRows.length !== test.length) {
        throw new Error(`${dataset.name} ${split.spec}: its published negatives belong to every test row, but only the '${target}' rows are evaluated; use --protocol sampled:<n>`);
      }
      const sampled = await evaluateSampledRanking({
        numItems, testItems, trainItems: trainMask, scoreUsers: (users) => trained.model.scoreUsers!(users), ks, metrics: ['HR', 'NDCG'], onProgress,
        candidates: published
          ? { kind: 'fixed', source: `the published negatives of ${dataset.name} ${split.spec}`, negatives: fixedNegatives(testRows, published) }
          : { kind: 'sampled', numNegatives: rankingProtocol.negatives ?? 99, seed: EVAL_NEGATIVES_SEED },
      });
      ranking = { metrics: sampled.metrics, numUsers: sampled.numUsers };
      protocols.push(`${sampled.candidates.description}; ${count(sampled.numUsers)} test users, their held-out ${target === 'all' ? '' : `'${target}' `}items, each user's ${masked} never drawn as negatives`);
    }
    progress.stop();
    Object.assign(metrics, ranking.metrics);
    numUsersEvaluated = ranking.numUsers;
  }
  if (scored.includes('ratings')) {
    if (!testRows.ratings) throw new Error(`${dataset.name} ${split.spec}: the test rows have no ratings to score ${trained.name}'s predictions against`);
    const predicted = await trained.model.predictRatings!(testRows.users, testRows.items);
    Object.assign(metrics, { RMSE: rmse(predicted, testRows.ratings), MAE: mae(predicted, testRows.ratings) });
    protocols.push(`rating prediction on ${count(testRows.length)} test rows`);
    numUsersEvaluated ||= new Set(testRows.users).size;
  }
  const protocol = protocols.join('; ');
  const note = trained.history?.bestValidation !== undefined
    ? `best epoch ${trained.history.bestEpoch + 1} of ${trained.history.epochs.length}, validation ${trained.history.metric ?? ''} ${trained.history.bestValidation.toFixed(4)}`.replace('  ', ' ')
    : undefined;
  const row = rowFromResult(trained.name, { metrics }, note ? { note } : {});
  const elapsed = (performance.now() - t0) / 1000;

  let reports: { json: string; markdown: string; html: string } | undefined;
  if (opts.out) {
    const method = trained.name;
    const report = createReport({
      title: `${method} on ${dataset.name}`,
      dataset: `${splitText} (target '${target}')`,
      protocol,
      rows: [row],
      trainingCurves: curvesOf(method, trained.history),
      notes: [`model: ${modelDir}`, `split: ${split.spec} — ${split.description}`, ...(trainedOn ? [`trained on ${trainedOn.description}`] : []), ...warnings],
    });
    reports = await writeReports(opts.out, report);
  }

  if (opts.json) {
    io.out(`${JSON.stringify({
      model: trained.name, modelDir, dataset: dataset.name, split: split.spec, splitDescription: split.description, backend, protocol: opts.protocol, description: protocol,
      target, numUsers: numUsersEvaluated, numItems, ks, metrics, seconds: elapsed, warnings,
      reports: reports ?? null,
    })}\n`);
    return;
  }
  io.out(`${trained.name} on ${dataset.name} (${modelDir}; backend ${backend}, ${elapsed.toFixed(1)} s)\n`);
  io.out(`split: ${split.spec} — ${split.description}\n`);
  if (ranking) {
    const rows = ['HR', 'NDCG'].map((metric) => [metric, ...ks.map((k) => metrics[`${metric}@${k}`].toFixed(4))]);
    io.out(table(['metric', ...ks.map((k) => `@${k}`)], rows));
  }
  if (scored.includes('ratings')) io.out(table(['metric', 'value'], ['RMSE', 'MAE'].map((k) => [k, metrics[k].toFixed(4)])));
  io.out(`${protocol}\n`);
  if (reports) io.out(`reports: ${reports.json}, ${reports.markdown}, ${reports.html}\n`);
}

/** CCRec's cut-offs and columns (Tables 3–8). */
const CATEGORY_KS = [1, 3, 5];
const CATEGORY_METRICS = ['HR', 'Precision', 'Recall', 'F1'] as const;

/**
 * `rec eval` of a category model under the category split (`--split ccrec[:date]`): the
 * category protocol of CCRec (`evaluateCategoryRanking`, nothing masked, F1 from the mean
 * precision and recall) over the split's warm and cold test users, whose futures the
 * model never learned from.
 */
async function evaluateCategories(
  context: CommandContext, modelDir: string, opts: EvalOptions, at: { dataset: Dataset; spec: string; seed: number; backend: string },
): Promise<void> {
  const { io } = context;
  const { dataset, backend } = at;
  if (opts.k !== DEFAULT_KS) throw new Error(`-k: a category model is evaluated at CCRec's cut-offs ${CATEGORY_KS.join(', ')}; leave -k out`);
  if (opts.protocol !== 'full') throw new Error(`--protocol: a category model is ranked over every category; leave --protocol out`);
  if (opts.out) await prepareOutputFolder(opts.out, '--out');
  const split = categorySplitOf(dataset, at.spec, at.seed);
  const loaded = await loadTrainedModel(modelDir);
  const { trained } = loaded;
  if (!loaded.outputs.includes('categories') || typeof trained.model.scoreCategories !== 'function') {
    throw new Error(`${trained.name} predicts ${loaded.outputs.join(' and ')}, not categories; the category split '${at.spec}' evaluates category models`);
  }
  if (trained.shape.numCategories !== split.numCategories || trained.numUsers !== dataset.interactions.numUsers) {
    throw new Error(`the model in ${modelDir} has ${count(trained.numUsers)} users × ${count(trained.shape.numCategories ?? 0)} categories but ${dataset.name} has ${count(dataset.interactions.numUsers)} × ${count(split.numCategories)}`);
  }
  const t0 = performance.now();
  const futureCategories = UserItemCSR.fromInteractions(split.future);
  const groups = { warm: split.fold.warm, cold: split.fold.cold } as const;
  const metrics: Record<string, number> = {};
  for (const [group, users] of Object.entries(groups)) {
    const result = await evaluateCategoryRanking({
      numCategories: split.numCategories, futureCategories, users, ks: CATEGORY_KS, metrics: [...CATEGORY_METRICS],
      scoreUsers: (u) => trained.model.scoreCategories!(u),
    });
    for (const [key, value] of Object.entries(result.metrics)) metrics[`${group} ${key}`] = value;
  }
  const elapsed = (performance.now() - t0) / 1000;
  const protocol = `category ranking over all ${count(split.numCategories)} categories, nothing masked; F1@K from the mean precision and recall (CCRec's tables); ` +
    `${count(groups.warm.length)} warm and ${count(groups.cold.length)} cold test users (past cut to 2 events)`;
  // Reports are written before either output, so --json with --out writes them too.
  const reports = opts.out
    ? await writeReports(opts.out, createReport({
      title: `${trained.name} on ${dataset.name}`, dataset: `${dataset.name}, ${split.description}`, protocol,
      rows: [rowFromResult(trained.name, { metrics })], trainingCurves: curvesOf(trained.name, trained.history), notes: [`model: ${modelDir}`, `split: ${split.spec}`],
    }))
    : undefined;
  if (opts.json) {
    io.out(`${JSON.stringify({ model: trained.name, modelDir, dataset: dataset.name, split: split.spec, splitDescription: split.description, backend, description: protocol, ks: CATEGORY_KS, metrics, seconds: elapsed, reports: reports ?? null })}\n`);
    return;
  }
  io.out(`${trained.name} on ${dataset.name} (${modelDir}; backend ${backend}, ${elapsed.toFixed(1)} s)\n`);
  io.out(`split: ${split.spec} — ${split.description}\n`);
  const rows = Object.keys(groups).flatMap((group) => CATEGORY_METRICS.map((m) => [`${group} ${m}`, ...CATEGORY_KS.map((k) => metrics[`${group} ${m}@${k}`]!.toFixed(4))]));
  io.out(table(['metric', ...CATEGORY_KS.map((k) => `@${k}`)], rows));
  io.out(`${protocol}\n`);
  if (reports) io.out(`reports: ${reports.json}, ${reports.markdown}, ${reports.html}\n`);
}

/** Writes `report` as report.json, report.md and report.html in `out` (atomically) and returns their paths. */
async function writeReports(out: string, report: EvaluationReport): Promise<{ json: string; markdown: string; html: string }> {
  await mkdir(out, { recursive: true });
  const paths = { json: join(out, 'report.json'), markdown: join(out, 'report.md'), html: join(out, 'report.html') };
  await writeFilesAtomic([
    { path: paths.json, data: reportToJSON(report) },
    { path: paths.markdown, data: renderMarkdown(report) },
    { path: paths.html, data: renderHtml(report) },
  ]);
  return paths;
}
